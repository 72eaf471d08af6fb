"""The seed formats, each parsed into (title, tagline, articles): canonical `.txt` and Markdown
here, JSON in `digest.seeds.json_seed`; and the helpers they share (lines, schema errors,
characters).

`digest.seeds` reads the file and picks the parser; its docstring shows a sample of each format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from digest.errors import SeedError
from digest.models import Article

_ARTICLE_WORD = re.compile("article", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\*\*(?P<text>[^*].*?)\*\*\s*$")
_QUOTED = re.compile(r'^\s*(?:“(?P<c>.+)”|"(?P<s>.+)")\s*$')
# What a schema error's type says is expected; the value's own kind is named beside it.
_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "missing": "present",
}
_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "true/false"),
    ((int, float), "a number"),
    (str, "a string"),
    ((list, tuple), "a list"),
    (dict, "an object"),
    (dt.datetime, "a date-time"),
    (dt.date, "a date"),
    (dt.time, "a time"),
)


def key_line(text: str, key: str) -> int:
    """The 1-based line where `key` is set (TOML `key =`, `key.sub =`, `[key]`; JSON `"key":`
    anywhere on a line), else 1."""
    name = re.escape(key)
    toml = re.compile(rf'\s*(?:"?{name}"?\s*[=.]|\[+\s*"?{name}"?\s*[\].])')
    json_key = re.compile(rf'(?<!\\)"{name}"\s*:')
    for number, line in enumerate(text.split("\n"), start=1):
        if toml.match(line) or json_key.search(line):
            return number
    return 1


def clean(text: str) -> str:
    """`text` with every run of whitespace as one space, stripped (whitespace as `str.split`
    and the regex `\\s` both read it: `str.isspace`)."""
    return " ".join(text.split())


def article_label(line: str) -> str | None:
    """The label of a `**<Label> Article:**` line ("" when bare), else None.

    Linear in the line's length: the regex this replaces backtracked cubically over a run of
    spaces (`**` and 2,000 spaces took 24 s)."""
    line = line.strip()
    if len(line) < 4 or not line.startswith("**") or not line.endswith("**"):
        return None
    inner = line[2:-2].strip()
    head = inner[:-1].rstrip()
    if not inner.endswith(":") or not _ARTICLE_WORD.fullmatch(head[-7:]):
        return None
    label = head[:-7].strip()
    return None if "*" in label else label


def _first_content(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


def no_text(path: Path, line: int) -> SeedError:
    """The error of an article without paragraphs, at `line`."""
    return SeedError(
        path,
        line,
        "no article text; add paragraphs after the title (or under a **Primary Article:** line)",
    )


def parse_canonical(
    path: Path, lines: list[str], offset: int
) -> tuple[str, str | None, list[Article]]:
    """A `.txt` body: the title line, an optional quoted tagline, `**<Label> Article:**` parts."""
    first = _first_content(lines, 0)
    if first is None:
        raise SeedError(path, offset + 1, "no title; the first line of a seed is its title")
    title = lines[first].strip().lstrip("#").strip().strip("*").strip()
    if not title or article_label(lines[first]) is not None:
        raise SeedError(path, offset + first + 1, "no title; the first line of a seed is its title")
    cursor = first + 1
    tagline = None
    nxt = _first_content(lines, cursor)
    if nxt is not None and (quoted := _QUOTED.match(lines[nxt])):
        tagline = quoted.group("c") or quoted.group("s")
        cursor = nxt + 1
    articles: list[Article] = []
    label, headline, start = "Main", None, offset + cursor + 1
    paragraphs: list[str] = []
    for i in range(cursor, len(lines)):
        line = lines[i].strip()
        if (marker := article_label(line)) is not None:
            if paragraphs or headline:
                articles.append(_article(path, label, headline, paragraphs, start))
            label, headline, start, paragraphs = (
                marker or "Main",
                None,
                offset + i + 1,
                [],
            )
        elif (bold := _BOLD_LINE.match(line)) and not paragraphs and headline is None:
            headline = clean(bold.group("text"))
        elif line:
            paragraphs.append(clean(line))
    if paragraphs or headline or not articles:
        articles.append(_article(path, label, headline, paragraphs, start))
    return title, tagline, articles


def _article(
    path: Path, label: str, headline: str | None, paragraphs: list[str], line: int
) -> Article:
    if not paragraphs:
        raise no_text(path, line)
    return Article(label=label, headline=headline, paragraphs=tuple(paragraphs), line=line)


def parse_markdown(
    path: Path, lines: list[str], offset: int
) -> tuple[str, str | None, list[Article]]:
    """A `.md` body: `# Title`, optional `> tagline`, paragraphs; `## Heading` starts an article."""
    first = _first_content(lines, 0)
    if first is None or not lines[first].startswith("# "):
        where = offset + (first or 0) + 1
        raise SeedError(path, where, "no title; a Markdown seed starts with a '# Title' line")
    title = lines[first][2:].strip()
    cursor, tagline = first + 1, None
    nxt = _first_content(lines, cursor)
    if nxt is not None and lines[nxt].startswith(">"):
        tagline = lines[nxt].lstrip("> ").strip().strip('"“”')
        cursor = nxt + 1
    articles: list[Article] = []
    headline, start = None, offset + cursor + 1
    block: list[str] = []
    paragraphs: list[str] = []
    for i in range(cursor, len(lines) + 1):
        line = lines[i].strip() if i < len(lines) else ""
        if line.startswith("## ") or i == len(lines) or not line:
            if block:
                paragraphs.append(clean(" ".join(block)))
                block = []
            if line.startswith("## "):
                if paragraphs or headline:
                    articles.append(_article(path, "Main", headline, paragraphs, start))
                headline, start, paragraphs = line[3:].strip(), offset + i + 1, []
        else:
            block.append(line)
    if paragraphs or headline or not articles:
        articles.append(_article(path, "Main", headline, paragraphs, start))
    return title, tagline, articles


def kind_of(value: object) -> str:
    """What `value` is, in the words of JSON and TOML: null, a number, a string, a list, ..."""
    return next((name for cls, name in _KINDS if isinstance(value, cls)), type(value).__name__)


def schema_reason(error: ErrorDetails) -> tuple[str, str]:
    """(the key whose line to show, the reason) for one pydantic error on a seed's data."""
    loc = error["loc"]
    keys = [part for part in loc if isinstance(part, str)]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    where = where.removeprefix(".") or "?"
    if error["type"] == "value_error":
        detail = str(error["msg"]).removeprefix("Value error, ")
    elif error["type"] in _EXPECTED:
        got = "" if error["type"] == "missing" else f", not {kind_of(error['input'])}"
        detail = f"must be {_EXPECTED[error['type']]}{got}"
    else:
        detail = str(error["msg"])
    return (keys[-1] if keys else "?"), f"{where!r}: {detail}"


def unreadable_text(value: Any) -> tuple[str, str] | None:
    """(the top-level key, the problem) of the first string in `value` holding a NUL or a lone
    surrogate (JSON `\\u0000`, `\\ud800`, TOML `\\u0000`): text that cannot be published."""
    for key, text in _strings(value):
        if "\x00" in text:
            return key, "holds a NUL character (\\u0000); remove it"
        if any("\ud800" <= char <= "\udfff" for char in text):
            return key, "holds a lone surrogate escape (\\ud800-\\udfff), which is no character"
    return None


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """Every string (keys too) in nested lists and dicts, with its top-level key; no recursion."""
    stack: list[tuple[str, Any]] = [("?", value)]
    while stack:
        top, item = stack.pop()
        if isinstance(item, str):
            yield top, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                here = key if top == "?" and item is value else top
                stack += [(here, key), (here, inner)]
        elif isinstance(item, list | tuple):
            stack += [(top, inner) for inner in item]
