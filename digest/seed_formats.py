"""The seed formats, each parsed into (title, tagline, articles): canonical `.txt`, Markdown, JSON.

`digest.seeds` reads the file and picks the parser; its docstring shows a sample of each format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from digest.errors import SeedError
from digest.models import Article

_ARTICLE = re.compile(r"^\*\*\s*(?P<label>[^*]*?)\s*Article\s*:\s*\*\*\s*$", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\*\*(?P<text>[^*].*?)\*\*\s*$")
_QUOTED = re.compile(r'^\s*(?:“(?P<c>.+)”|"(?P<s>.+)")\s*$')


def key_line(text: str, key: str) -> int:
    """The 1-based line where `key` is set (TOML `key =` or JSON `"key":`), else 1."""
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf'\s*"?{re.escape(key)}"?\s*[=:]', line):
            return number
    return 1


def clean(text: str) -> str:
    """`text` with every run of whitespace as one space, stripped."""
    return re.sub(r"\s+", " ", text).strip()


def _first_content(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


def _no_text(path: Path, line: int) -> SeedError:
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
    if not title or _ARTICLE.match(lines[first].strip()):
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
        if marker := _ARTICLE.match(line):
            if paragraphs or headline:
                articles.append(_article(path, label, headline, paragraphs, start))
            label, headline, start, paragraphs = (
                marker.group("label") or "Main",
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
        raise _no_text(path, line)
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


def parse_json(path: Path, text: str) -> dict[str, Any]:
    """A `.json` seed's object, its `articles` (or plain `text`) turned into `Article`s."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise SeedError(path, 1, "a JSON seed is an object with title and articles (or text)")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SeedError(path, key_line(text, "title"), 'no title; add a "title" string')
    raw_articles = data.pop("articles", None)
    if raw_articles is None and "text" in data:
        raw_articles = [{"text": data.pop("text")}]
    articles = []
    for item in raw_articles or []:
        if not isinstance(item, dict):
            raise SeedError(path, key_line(text, "articles"), "each article is an object")
        paragraphs = item.get("paragraphs") or [
            p for p in str(item.get("text", "")).split("\n") if p.strip()
        ]
        articles.append(
            _article(
                path,
                str(item.get("label", "Main")),
                item.get("headline"),
                [clean(str(p)) for p in paragraphs if str(p).strip()],
                key_line(text, "articles"),
            )
        )
    if not articles:
        raise _no_text(path, key_line(text, "articles"))
    data["articles"] = articles
    return data
