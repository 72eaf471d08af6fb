"""Front matter: the TOML between `+++` lines at the top of a seed (and the same keys at the top
level of a `.json` seed), split off and checked, one type per key.

    +++
    url = "https://example.org/story"      (http or https; an IRI becomes an ASCII URI)
    date = 2025-02-04                      (a TOML date or date-time; an ISO 8601 string in JSON)
    tags = ["immigration"]
    priority = 3                           (higher first)
    +++
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, ValidationError, field_validator

from digest.errors import SeedError
from digest.models import StoryMeta
from digest.seeds.formats import key_line, kind_of, schema_reason, unreadable_text
from digest.urls import normalize_url

PRIORITY_RANGE = 1_000_000_000
PROVENANCE = frozenset(("source", "guid"))  # front-matter keys that are not the story's


class FrontMatter(StoryMeta):
    """The keys allowed between `+++` lines (and at the top level of a `.json` seed), checked:
    one type per key (strict: no "3" for 3, no number for a string), links as ASCII URIs."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    # Where a fetched seed came from (`digest fetch`): its [[sources]] name and the feed item's
    # GUID. Provenance, for fetching without duplicates: the story is the same without them.
    source: str | None = Field(default=None, min_length=1, max_length=100)
    guid: str | None = Field(default=None, min_length=1, max_length=500)

    @field_validator("url", "image")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        return None if value is None else normalize_url(value)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if value is None or isinstance(value, dt.date):  # TOML dates and date-times
            return value
        if not isinstance(value, str):
            raise ValueError(
                f"must be a date like 2025-02-04 (a string in JSON), not {kind_of(value)}"
            )
        # JSON has no date type: an ISO 8601 string, a day or an instant.
        parsers: tuple[Callable[[str], dt.date], ...] = (
            dt.date.fromisoformat,
            dt.datetime.fromisoformat,
        )
        for parse in parsers:
            with contextlib.suppress(ValueError):
                return parse(value)
        raise ValueError(
            f"{value[:40]!r} is not an ISO 8601 date; write it like 2025-02-04 "
            "or 2025-02-04T09:30:00+00:00"
        )

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        if isinstance(value, str):  # tags = "politics", a common slip
            like = json.dumps([value[:30]], ensure_ascii=False)
            raise ValueError(f"must be a list of strings, like {like}, not a string")
        return tuple(value) if isinstance(value, list) else value

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: int) -> int:
        if abs(value) > PRIORITY_RANGE:
            raise ValueError(f"must be between -{PRIORITY_RANGE} and {PRIORITY_RANGE}")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise ValueError(f"{value!r} is not a language tag like en or pt-BR")
        return value


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], list[str], int]:
    """Split off `+++` front matter: (its fields, the body's lines, how many lines came before)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        return {}, lines, 0
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise SeedError(
            path, 1, "front matter opened with +++ is never closed; add a +++ line after it"
        ) from None
    try:
        fields = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+)", str(exc))
        line = int(where.group(1)) if where else end - 1
        reason = re.sub(r"\s*\(at .*\)$", "", str(exc))
        raise SeedError(path, line + 1, f"front matter is not valid TOML: {reason}") from None
    except RecursionError:
        raise SeedError(
            path, 2, "front matter nested too deeply to read; it holds a few plain keys"
        ) from None
    except ValueError:  # Python refuses to read an integer of more than 4300 digits
        raise SeedError(
            path, 2, "front matter is not valid TOML: a number too long to read"
        ) from None
    return fields, lines[end + 1 :], end + 1


def check_front_matter(path: Path, fields: dict[str, Any], text: str) -> FrontMatter:
    """`fields` as a checked `FrontMatter`; raises `SeedError` at the offending key's line."""
    if (bad := unreadable_text(fields)) is not None:
        key, problem = bad
        raise SeedError(path, key_line(text, key), f"front-matter key {key!r} {problem}")
    try:
        return FrontMatter.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "?"
        if first["type"] == "extra_forbidden":
            known = ", ".join(FrontMatter.model_fields)
            reason = f"unknown front-matter key {key!r}; known keys: {known}"
        else:
            key, reason = schema_reason(first)
            reason = f"front-matter key {reason}"
        raise SeedError(path, key_line(text, key), reason) from None
