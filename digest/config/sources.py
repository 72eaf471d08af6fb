"""The `[[sources]]` of `config.toml`: the feeds `digest fetch` turns into seeds."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from digest.config.texts import is_ip, shown, split_url
from digest.config.values import Duration, Section, parse_duration
from digest.seeds.front_matter import PRIORITY_RANGE

_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", re.ASCII)
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", re.ASCII)


def feed_url(value: str) -> str:
    """An absolute http or https URL with a host (a feed on an intranet is allowed)."""
    parts = split_url(value, "http(s)://")
    if parts.scheme not in ("http", "https") or not value.lower().startswith(parts.scheme + "://"):
        raise ValueError(f"{shown(value)} is not a feed URL; write it as https://host/path")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{shown(value)} holds a user name or password; feeds are fetched as is")
    host = parts.hostname or ""
    if not (_HOST.fullmatch(host) and host.strip(".")) and not is_ip(host):
        raise ValueError(f"{shown(value)} has no host name, e.g. https://example.org/feed.xml")
    return value


def _tag(value: str) -> str:
    if not value.strip() or len(value) > 60 or any(c in value for c in "\n\r\t"):
        raise ValueError(f"{shown(value)} is not a tag; write a word or two, e.g. transport")
    return value


FeedUrl = Annotated[str, AfterValidator(feed_url)]
Tag = Annotated[str, AfterValidator(_tag)]


class Source(Section):
    """One feed: fetched before each slot (or by `digest fetch`), each new item a seed."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    url: FeedUrl
    tags: list[Tag] = Field(default_factory=list)
    priority: int = Field(default=0, ge=-PRIORITY_RANGE, le=PRIORITY_RANGE)
    max_items: int = Field(default=20, ge=1, le=200)
    since: Duration = "7d"  # how far back the first fetch reaches
    fetch_article: bool = False  # fetch each item's page and extract the article
    language: str | None = None
    allow_private: bool = False  # article pages on loopback, link-local or private addresses
    timeout: float = Field(default=10.0, gt=0, le=300)  # seconds, total; connect min(5, this)
    max_bytes: int = Field(default=5_000_000, ge=1_000, le=100_000_000)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.fullmatch(value):
            raise ValueError(f"{shown(value)} is not a language tag like en or pt-BR")
        return value

    @property
    def reach(self) -> timedelta:
        """`since` as a timedelta: how far back the first fetch takes items."""
        return parse_duration(self.since)
