"""The `.json` seed: an object checked against a small strict schema, parsed into
(title, tagline, articles) plus the front-matter keys it carries.

    {"title": "…", "tagline": "…", "url": "https://…", "tags": ["…"],
     "articles": [{"label": "Primary", "headline": "…", "text": "…"},
                  {"paragraphs": ["…", "…"]}]}

or `"text": "…"` in place of `articles`. Every value has one type: a number where a string
belongs, `null` as text or a string where a list belongs is a `SeedError` naming the key, never
a "None" or a "5" published as text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from digest.errors import SeedError
from digest.models import Article
from digest.seeds.formats import clean, key_line, kind_of, no_text, schema_reason, unreadable_text

BODY_KEYS = ("title", "tagline", "articles", "text")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class JsonArticle(_Strict):
    """One entry of `articles`: its text as one string (paragraphs on lines) or a list."""

    label: str = "Main"
    headline: str | None = None
    text: str = ""
    paragraphs: list[str] = []


class JsonBody(_Strict):
    """The story keys of a JSON seed (the others are front matter)."""

    title: str
    tagline: str | None = None
    articles: list[JsonArticle] | None = None
    text: str = ""


def parse_json(path: Path, text: str) -> tuple[str, str | None, list[Article], dict[str, Any]]:
    """A `.json` seed's title, tagline, `Article`s and its other (front-matter) keys."""
    data = _load(path, text)
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        reason = f"key 'title': must be a string, not {kind_of(title)}"
        raise SeedError(path, key_line(text, "title"), reason)
    if not title or not title.strip():
        raise SeedError(path, key_line(text, "title"), 'no title; add a "title" string')
    if (bad := unreadable_text(data)) is not None:
        key, problem = bad
        raise SeedError(path, key_line(text, key), f"key {key!r} {problem}")
    try:
        body = JsonBody.model_validate({k: v for k, v in data.items() if k in BODY_KEYS})
    except ValidationError as exc:
        key, reason = schema_reason(exc.errors()[0])
        raise SeedError(path, key_line(text, key), f"key {reason}") from None
    line = key_line(text, "articles")
    if body.articles is None and "text" in body.model_fields_set:
        items = [JsonArticle(text=body.text)]
    else:
        items = body.articles or []
    articles = [_article(path, item, line) for item in items]
    if not articles:
        raise no_text(path, line)
    fields = {k: v for k, v in data.items() if k not in BODY_KEYS}
    return title, body.tagline, articles, fields


def _load(path: Path, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SeedError(
            path, 1, "JSON nested too deeply to read; a seed is one object of a few levels"
        ) from None
    except ValueError:  # Python refuses to read an integer of more than 4300 digits
        raise SeedError(path, 1, "invalid JSON: a number too long to read") from None
    if not isinstance(data, dict):
        raise SeedError(
            path,
            1,
            f"a JSON seed is an object with title and articles (or text), not {kind_of(data)}",
        )
    return data


def _article(path: Path, item: JsonArticle, line: int) -> Article:
    paragraphs = item.paragraphs or item.text.split("\n")
    kept = tuple(clean(p) for p in paragraphs if p.strip())
    if not kept:
        raise no_text(path, line)
    headline = clean(item.headline) if item.headline else None
    return Article(
        label=clean(item.label) or "Main", headline=headline or None, paragraphs=kept, line=line
    )
