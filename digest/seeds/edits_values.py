"""The values an edits file may hold, each checked with what to write instead, and the line of
each key (tomllib gives none) for messages.

What is checked here needs only the file: types, empty text, control and invisible characters,
links other than http(s), hashtags that are not one word, bullet keys that are not numbers.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import regex

from digest.seeds.files import printable
from digest.text import hidden_characters

KEYS = ("by", "at", "headline", "tagline", "hashtags", "drop", "rank", "bullets")
BY_MAX = 100  # characters of a name

_TAG = regex.compile(r"[\p{L}\p{M}\p{N}_\u200c\u200d]+")  # the characters hashtags are made of
_HAS_LETTER = regex.compile(r"\p{L}")
BULLET_KEY = re.compile(r"[1-9][0-9]{0,5}")
# A link of any scheme written with //, or of a scheme that needs none; only http(s) may be.
_LINK = re.compile(
    r"(?<![\w+.-])([a-z][a-z0-9+.-]*)://"
    r"|(?<![\w+.-])(javascript|vbscript|data|file|blob|mailto|tel|sms|about|ftp):(?=\S)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a value, and what to write instead."""

    reason: str


def unknown_key(key: str) -> str:
    """The reason an unknown top-level key is refused, with the nearest known key."""
    close = difflib.get_close_matches(key, KEYS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"unknown key {printable(key)!r}{hint}; the keys are {', '.join(KEYS[:-1])} and [bullets]"
    )


def text_problem(text: str) -> str | None:
    """What is wrong with `text` as a line readers will see, or None."""
    if not text.strip():
        return "the text is empty; write it, or remove the key to keep the generated one"
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in "\ufffe\uffff":
            what = f"a control character or line break (U+{ord(char):04X})"
            return f"the text holds {what}; write it on one line"
    hidden = hidden_characters(text)
    if hidden:
        code = ord(hidden[0][0])
        return f"the text holds an invisible or bidi-control character (U+{code:04X}); remove it"
    link = _LINK.search(text)
    if link and (link.group(1) or "").lower() not in ("http", "https"):
        scheme = (link.group(1) or link.group(2)).lower()
        return f"the text holds a {scheme}: link; only http and https links may be written"
    return None


def check(key: str, value: object) -> object:
    """`value` of the known top-level `key` as `Edits` holds it, or the `Problem` with it."""
    return _CHECKS[key](value)


def _text(value: object) -> str | Problem:
    if not isinstance(value, str):
        return Problem(f'write text in quotes ("..."), not {_kind(value)}')
    problem = text_problem(value)
    return Problem(problem) if problem else value


def _by(value: object) -> str | Problem:
    checked = _text(value)
    if isinstance(checked, str) and len(checked) > BY_MAX:
        return Problem(f"the name is {len(checked)} characters; write one of at most {BY_MAX}")
    return checked


def _at(value: object) -> datetime | Problem:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    what = "a time without Z or an offset" if isinstance(value, datetime) else _kind(value)
    return Problem(f"write a date and time with Z or an offset (2026-12-01T09:00:00Z), not {what}")


def _hashtags(value: object) -> tuple[str, ...] | Problem:
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        return Problem(f'write a list of words in quotes (["Transport"]), not {_kind(value)}')
    seen: set[str] = set()
    for tag in value:
        shown = printable(tag)
        if tag.startswith("#"):
            return Problem(f"write {shown!r} without the # ({shown.lstrip('#')!r})")
        if not (_TAG.fullmatch(tag) and _HAS_LETTER.search(tag)):
            return Problem(f"{shown!r} is not one word of letters and digits (TransportLondon)")
        if tag.casefold() in seen:
            return Problem(f"{shown!r} is there twice; write each hashtag once")
        seen.add(tag.casefold())
    return tuple(value)


def _drop(value: object) -> bool | Problem:
    if isinstance(value, bool):
        return value
    return Problem(f"write true or false, not {_kind(value)}")


def _rank(value: object) -> int | Problem:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return Problem(f"write a whole number (1 goes first), not {_kind(value)}")


def _table(value: object) -> object:
    return value  # [bullets] is checked key by key (`check_bullets`), each at its own line


_CHECKS: dict[str, Callable[[object], object]] = {
    "by": _by,
    "at": _at,
    "headline": _text,
    "tagline": _text,
    "hashtags": _hashtags,
    "drop": _drop,
    "rank": _rank,
    "bullets": _table,
}


def check_bullets(
    value: object, lines: Mapping[str, int], problems: list[tuple[int, str]]
) -> dict[int, str]:
    """The [bullets] table as {number: text}; its problems (line, reason) added to `problems`."""
    if not isinstance(value, dict):
        reason = f'bullets: write a table ([bullets], then 2 = "..."), not {_kind(value)}'
        problems.append((key_line(lines, "bullets"), reason))
        return {}
    bullets: dict[int, str] = {}
    for key, text in value.items():
        line = key_line(lines, f"bullets.{key}")
        if not BULLET_KEY.fullmatch(key):
            reason = f"{printable(key)!r} is not a bullet's number; write 1 for the first bullet"
            problems.append((line, f"bullets: {reason}"))
            continue
        checked = _text(text)
        if isinstance(checked, Problem):
            problems.append((line, f"bullets.{key}: {checked.reason}"))
        else:
            bullets[int(key)] = checked
    return bullets


def _kind(value: object) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    kinds |= {dict: "a table", datetime: "a date and time"}
    return next((name for kind, name in kinds.items() if type(value) is kind), "a date or time")


# Enough of TOML's layout for messages: `key =` (bare, quoted and dotted keys), [table] headers,
# and the lines inside multi-line strings skipped (they hold no keys).
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')"""
_HEADER = re.compile(rf"\s*\[\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]")
_ASSIGN = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def scan_key_lines(text: str) -> dict[str, int]:
    """The 1-based line of each key of a TOML `text`, dotted under its table (`bullets.2`)."""
    lines: dict[str, int] = {}
    table = ""
    in_string: str | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = _HEADER.match(line)
        assign = None if header else _ASSIGN.match(line)
        if header:
            table = _dotted(header.group(1))
            lines.setdefault(table, number)
        elif assign:
            key = _dotted(assign.group(1))
            lines.setdefault(f"{table}.{key}" if table else key, number)
            rest = line[assign.end() :]
            in_string = next((q for q in ('"""', "'''") if rest.count(q) % 2), None)
    return lines


def _dotted(key: str) -> str:
    return ".".join(part.strip("\"'") for part in re.findall(_PART, key))


def key_line(lines: Mapping[str, int], key: str) -> int:
    """The line of `key`, else of the nearest table holding it, else 1."""
    while key:
        if key in lines:
            return lines[key]
        key = key.rpartition(".")[0]
    return 1
