"""`digest summarize --jsonl`: one summary per input line, in order, in constant memory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from digest.errors import SeedError
from digest.seeds import story_from_text
from digest.summarize import summarize


def summarize_lines(
    lines: Iterable[str], source: str = "-"
) -> Iterator[dict[str, Any] | SeedError]:
    """For each line `{"id", "title"?, "text"}` (`article` is accepted for `text`), its summary
    `{"id", "headline", "tagline", "bullets", "hashtags"}`, or a SeedError naming the line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield _summary(line)
        except ValueError as error:
            yield SeedError(source, number, str(error))


def _summary(line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg}); each line is one object") from None
    if not isinstance(row, dict):
        raise ValueError('each line is an object like {"id": "a1", "text": "..."}')
    ident, title = row.get("id"), row.get("title")
    text = row.get("text", row.get("article"))
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        raise ValueError('"id" is missing or not a string')
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" (or "article") is missing or empty')
    if title is not None and not isinstance(title, str):
        raise ValueError('"title" must be a string')
    summary = summarize(story_from_text(str(ident), text, title))
    return {
        "id": ident,
        "headline": summary.headline,
        "tagline": summary.tagline,
        "bullets": list(summary.bullets),
        "hashtags": list(summary.hashtags),
    }
