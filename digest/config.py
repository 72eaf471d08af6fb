"""Read `config.toml` into a frozen `Settings`; every problem is reported at once, with its key."""

from __future__ import annotations

import hashlib
import tomllib
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, ValidationInfo, field_validator

# The `as` imports are re-exports: slots, scheduler, render and the tests import them from here.
from digest.channels import CHANNELS as CHANNELS
from digest.channels import PLATFORM_NAMES as PLATFORM_NAMES
from digest.channels import Channel as Channel
from digest.config_brand import Brand, Email
from digest.config_brand import Utm as Utm
from digest.config_values import WEEKDAYS as WEEKDAYS
from digest.config_values import Days, Duration, HhMm, HttpsUrl, Section, TimeZone
from digest.config_values import contrast as contrast
from digest.config_values import parse_duration as parse_duration
from digest.errors import ConfigError
from digest.seeds import DEFAULT_MAX_BYTES

# The most a platform accepts whatever the account (X Premium: 25,000); Mastodon's is per instance.
PLATFORM_CAPS = {"x": 25_000, "bluesky": 300, "linkedin": 3000, "threads": 500}


class Platform(Section):
    enabled: bool = True
    limit: int | None = Field(default=None, gt=0, le=100_000)
    author: str | None = None  # LinkedIn: urn:li:person:… or urn:li:organization:…
    handle: str | None = None  # shown in the email's follow row
    url: HttpsUrl | None = None  # the profile page for the follow row
    thread: bool = False  # a story longer than one post becomes a numbered thread
    max_parts: int = Field(default=4, ge=2, le=25)  # the longest thread


class Platforms(Section):
    x: Platform = Platform()
    bluesky: Platform = Platform()
    mastodon: Platform = Platform()
    linkedin: Platform = Platform()
    threads: Platform = Platform()

    @field_validator("linkedin")
    @classmethod
    def _linkedin_has_no_threads(cls, linkedin: Platform) -> Platform:
        if linkedin.thread:
            raise ValueError("LinkedIn posts have no threads; remove `thread = true`")
        return linkedin

    @field_validator("x", "bluesky", "linkedin", "threads")
    @classmethod
    def _within_the_platforms_own_cap(cls, section: Platform, info: ValidationInfo) -> Platform:
        cap = PLATFORM_CAPS[info.field_name or ""]
        if section.limit and section.limit > cap:
            raise ValueError(
                f"limit {section.limit} is more than {info.field_name} accepts ({cap}); "
                "a lower limit is fine"
            )
        return section

    def enabled(self) -> tuple[str, ...]:
        """Names of the enabled platforms, in registry order."""
        return tuple(n for n in PLATFORM_NAMES if getattr(self, n).enabled)


class Schedule(Section):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    days: Days = "daily"
    at: HhMm
    timezone: TimeZone = "UTC"
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS), min_length=1)
    max_stories: int = Field(default=5, ge=1, le=50)
    catch_up: Duration = "6h"

    @property
    def time(self) -> time:
        hour, minute = self.at.split(":")
        return time(int(hour), int(minute))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Paths(Section):
    seeds: Path = Path("seeds")
    outbox: Path = Path("outbox")
    templates: Path = Path("templates")


class SeedLimits(Section):
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0)


class SummaryOptions(Section):
    max_bullets: int = Field(default=5, ge=3, le=5)  # 3 for one article, one more per article


class Settings(Section):
    """The whole of `config.toml`, validated; paths are absolute."""

    brand: Brand
    email: Email
    platforms: Platforms = Platforms()
    schedules: list[Schedule] = Field(min_length=1)
    paths: Paths = Paths()
    seeds: SeedLimits = SeedLimits()
    summary: SummaryOptions = SummaryOptions()
    config_hash: str = ""

    @field_validator("schedules")
    @classmethod
    def _unique_schedule_names(cls, schedules: list[Schedule]) -> list[Schedule]:
        names = [s.name for s in schedules]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"schedule names must be unique; repeated: {', '.join(doubles)}")
        return schedules

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


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key; check its spelling against the commented config.toml"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def load_config(path: Path) -> Settings:
    """Read and validate `path`; raise `ConfigError` listing every problem with its dotted key."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            path, [("(file)", "not found; pass --config PATH or create it")]
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [("(file)", f"not UTF-8 at byte {exc.start}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [("(syntax)", f"invalid TOML: {exc}")]) from None
    if "config_hash" in data:
        raise ConfigError(path, [("config_hash", "unknown key; digest computes it itself")])
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = [(_dotted(e["loc"], data), _message(e)) for e in exc.errors()]
        raise ConfigError(path, problems) from None
    base = path.resolve().parent
    paths = Paths(**{k: base / v for k, v in settings.paths.model_dump().items()})
    return settings.model_copy(
        update={"paths": paths, "config_hash": hashlib.sha256(raw).hexdigest()}
    )
