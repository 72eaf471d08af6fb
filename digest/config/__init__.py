"""Read `config.toml` into a frozen `Settings`; every problem is reported at once, with its key."""

from __future__ import annotations

import hashlib
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator

from digest.channels import CHANNELS, Channel
from digest.config.archive import Archive, page_file, page_pattern
from digest.config.brand import Brand, EmailOptions
from digest.config.email_links import WEB_PLACEHOLDERS, web_url
from digest.config.platforms import Platforms
from digest.config.source import parse_toml, read_file
from digest.config.sources import Source
from digest.config.texts import FolderPath, shown
from digest.config.values import (
    Days,
    Duration,
    HhMm,
    KeyProblems,
    Section,
    TimeZone,
    each_once,
    parse_duration,
    unique_names,
)
from digest.errors import ConfigError
from digest.seeds import DEFAULT_MAX_BYTES

MAX_SEED_BYTES = 100_000_000  # a seed is read whole; a bigger cap is a typing slip
# Approval: a batch prepared a minute to a week before its slot (longer overlaps earlier slots).
MIN_PREPARE, MAX_PREPARE = timedelta(minutes=1), timedelta(days=7)


class Schedule(Section):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    days: Days = "daily"
    at: HhMm
    timezone: TimeZone = "UTC"
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS), min_length=1)
    max_stories: int = Field(default=5, ge=1, le=50)
    catch_up: Duration = "6h"
    fetch_before: bool = True  # fetch every [[sources]] feed before each due slot
    approval: Literal["none", "required"] = "none"  # required: published only once approved
    prepare: Duration = "2h"  # with approval: built into outbox/.pending/ this long before

    @field_validator("prepare")
    @classmethod
    def _prepare_window(cls, prepare: str) -> str:
        if not MIN_PREPARE <= parse_duration(prepare) <= MAX_PREPARE:
            raise ValueError(
                f"{shown(prepare)} is not a preparation time for approval; write 1m to 7d, e.g. 2h "
                "(how long before its slot a batch waits in outbox/.pending/ to be approved)"
            )
        return prepare

    @field_validator("channels")
    @classmethod
    def _each_channel_once(cls, channels: list[str]) -> list[str]:
        return each_once(channels, "channel")

    @property
    def time(self) -> time:
        hour, minute = self.at.split(":")
        return time(int(hour), int(minute))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Paths(Section):
    seeds: FolderPath = Path("seeds")
    outbox: FolderPath = Path("outbox")
    templates: FolderPath = Path("templates")
    site: FolderPath = Path("site")  # the archive's static site (digest archive)


class SeedLimits(Section):
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0, le=MAX_SEED_BYTES)


class SummaryOptions(Section):
    max_bullets: int = Field(default=5, ge=3, le=5)  # 3 for one article, one more per article


class Settings(Section):
    """The whole of `config.toml`, validated; paths are absolute."""

    brand: Brand
    email: EmailOptions
    platforms: Platforms = Platforms()
    schedules: list[Schedule] = Field(min_length=1)
    paths: Paths = Paths()
    seeds: SeedLimits = SeedLimits()
    summary: SummaryOptions = SummaryOptions()
    sources: list[Source] = Field(default_factory=list)
    archive: Archive = Archive()
    config_hash: str = ""

    @field_validator("schedules")
    @classmethod
    def _unique_schedule_names(cls, schedules: list[Schedule]) -> list[Schedule]:
        return list(unique_names(schedules, "schedule"))

    @field_validator("sources")
    @classmethod
    def _unique_source_names(cls, sources: list[Source]) -> list[Source]:
        return list(unique_names(sources, "source"))

    @model_validator(mode="after")
    def _web_url_of_each_schedule(self) -> Settings:
        """`[email] web_url` filled with each schedule's own name is still a link List-Archive
        can carry (the sample name was checked with the [email] section)."""
        pattern = self.email.web_url
        if pattern is not None:
            for schedule in self.schedules:
                try:
                    web_url(pattern, schedule.name)
                except ValueError as error:
                    raise KeyProblems(("email.web_url", f"{error}")) from None
        return self

    @model_validator(mode="after")
    def _archive_pages(self) -> Settings:
        """The archive knows where it is served when it is on, archives known schedules, and
        puts each issue at its own page: web_url, under base_url, filled for each schedule."""
        archive = self.archive
        if archive.enabled and archive.base_url is None:
            raise KeyProblems(
                (
                    "archive.base_url",
                    "required when the archive is enabled: the https URL the site folder is "
                    "served at, e.g. https://example.org/archive/",
                )
            )
        known = {s.name for s in self.schedules}
        unknown = [name for name in archive.schedules if name not in known]
        if unknown:
            raise KeyProblems(
                (
                    "archive.schedules",
                    f"no schedule named {unknown[0]!r}; known: {', '.join(sorted(known))}",
                )
            )
        if archive.base_url is not None:
            try:
                pattern = page_pattern(archive.base_url, self.email.web_url)
                for schedule in self.schedules:
                    sample = WEB_PLACEHOLDERS | {"slot": f"{schedule.name}-0800"}
                    page_file(
                        pattern, date=sample["date"], slot=sample["slot"], schedule=schedule.name
                    )
            except ValueError as error:
                # What to change: web_url when it names the pages, else where the site is.
                key = "email.web_url" if self.email.web_url is not None else "archive.base_url"
                raise KeyProblems((key, f"{error}")) from None
        return self

    def schedule(self, name: str | None) -> Schedule:
        """The schedule called `name`, or the first one when `name` is None."""
        if name is None:
            return self.schedules[0]
        for candidate in self.schedules:
            if candidate.name == name:
                return candidate
        known = ", ".join(s.name for s in self.schedules)
        raise ConfigError("config", [("schedules", f"no schedule named {name!r}; known: {known}")])


def _dotted(loc: tuple[int | str, ...], data: Any) -> str:
    """A pydantic error location as the dotted key a person writes, e.g. `schedules[1].at`.

    Union and validator branch names in the location (`str`, `list[str]`) are not keys: follow
    the data and stop at the first part it does not hold.
    """
    out, node = "", data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            out, node = out + f"[{part}]", node[part] if part < len(node) else None
        elif isinstance(part, str) and (isinstance(node, dict) or node is data):
            out = f"{out}.{part}" if out else part
            node = node.get(part) if isinstance(node, dict) else None
        else:
            break
    return out or "(top level)"


def _problems(error: Any, data: Any) -> list[tuple[str, str]]:
    """One pydantic error as (dotted key, message) problems; a section's check of several keys
    (`KeyProblems`) names each problem's own key under the section's."""
    key = _dotted(error["loc"], data)
    found = error.get("ctx", {}).get("error")
    if isinstance(found, KeyProblems):
        return [(_under(key, sub), message) for sub, message in found.problems]
    return [(key, _message(error))]


def _under(section: str, key: str) -> str:
    if section == "(top level)":
        return key
    return section + key if key.startswith("[") else f"{section}.{key}"


# What each pattern-checked key must look like, said the way a person writes it.
PATTERN_HINTS = {
    "name": "write lowercase letters, digits and dashes (up to 40), e.g. morning",
    "list_id": "write a domain-like id (letters, digits, dots, dashes), e.g. digest.example.org",
    "handle": "write the account as @name, @name@instance.social (Mastodon) or @domain",
    "author": "write the Posts API author URN, urn:li:person:ID or urn:li:organization:ID",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key; check its spelling against the commented config.toml"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        key = next((p for p in reversed(error["loc"]) if p in PATTERN_HINTS), None)
        if key is not None:
            return f"{shown(str(error['input']))} is not valid; {PATTERN_HINTS[key]}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def load_config(path: Path) -> Settings:
    """Read and validate `path`; raise `ConfigError` listing every problem with its dotted key."""
    path = Path(path)
    raw = read_file(path)
    data = parse_toml(path, raw)
    if "config_hash" in data:
        raise ConfigError(path, [("config_hash", "unknown key; digest computes it itself")])
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = [problem for e in exc.errors() for problem in _problems(e, data)]
        raise ConfigError(path, problems) from None
    base = path.resolve().parent
    paths = Paths(**{k: base / v for k, v in settings.paths.model_dump().items()})
    return settings.model_copy(
        update={"paths": paths, "config_hash": hashlib.sha256(raw).hexdigest()}
    )
