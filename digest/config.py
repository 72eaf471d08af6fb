"""Read `config.toml` into a frozen `Settings`; every problem is reported at once, with its key."""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from digest.errors import ConfigError

PLATFORM_NAMES = ("x", "bluesky", "mastodon", "linkedin", "threads")
# The most a platform accepts whatever the account (X Premium: 25,000); Mastodon's is per instance.
PLATFORM_CAPS = {"x": 25_000, "bluesky": 300, "linkedin": 3000, "threads": 500}
Channel = Literal["email", "x", "bluesky", "mastodon", "linkedin", "threads"]
CHANNELS: tuple[Channel, ...] = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"{value!r} is not a colour; write it as #rrggbb, e.g. #1a73e8")
    return value.lower()


def _https(value: str) -> str:
    if not re.fullmatch(r"https://[^\s/$.?#][^\s]*", value):
        raise ValueError(f"{value!r} is not an https:// URL")
    return value


def _mailto(value: str) -> str:
    if not re.fullmatch(r"mailto:[^\s@]+@[^\s@]+", value):
        raise ValueError(f"{value!r} is not a mailto: link, e.g. mailto:unsubscribe@example.org")
    return value


def _address(value: str) -> str:
    if not re.search(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+", value) or "\n" in value or "\r" in value:
        raise ValueError(f"{value!r} is not an email address, e.g. Digest <news@example.org>")
    return value


def _hhmm(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"{value!r} is not a time; the valid form is HH:MM (24-hour), e.g. 08:00")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone; write e.g. Europe/London or America/New_York"
        ) from None
    return value


_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?")


def parse_duration(value: str) -> timedelta:
    """`"1d 6h 30m"`, `"6h"`, `"90m"` or `"0"` as a timedelta."""
    match = _DURATION.fullmatch(value.strip())
    if value.strip() == "0":
        return timedelta(0)
    if not match or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration; the valid form is like 6h, 90m or 1d 12h")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _duration(value: str) -> str:
    parse_duration(value)
    return value


def _days(value: str | list[str]) -> str | list[str]:
    if isinstance(value, str):
        if value not in ("daily", "weekdays"):
            raise ValueError(f'{value!r}: use daily, weekdays, or a list like ["mon", "thu"]')
        return value
    wrong = [d for d in value if d not in WEEKDAYS]
    if wrong or not value:
        raise ValueError(f"{wrong or value!r}: weekdays are {', '.join(WEEKDAYS)}")
    return value


def _font_family(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9 ,'-]+", value) or not value.strip(" ,"):
        raise ValueError(
            f"{value!r} is not a font list; name fonts with letters, digits, spaces and "
            "single quotes, e.g. 'Source Sans 3', Arial, sans-serif"
        )
    return value


def _icon_url(value: str) -> str:
    _https(value)
    if "{platform}" not in value or re.search(r"[\"'<>]", value):
        raise ValueError(
            f"{value!r} needs a {{platform}} placeholder and no quotes, "
            "e.g. https://example.org/icons/{platform}.png"
        )
    return value


MIN_CONTRAST = 4.5  # WCAG 2 AA for body text


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


Colour = Annotated[str, AfterValidator(_colour)]
FontFamily = Annotated[str, AfterValidator(_font_family)]
IconUrl = Annotated[str, AfterValidator(_icon_url)]
HttpsUrl = Annotated[str, AfterValidator(_https)]
Mailto = Annotated[str, AfterValidator(_mailto)]
Address = Annotated[str, AfterValidator(_address)]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DarkColours(Section):
    """The email's colours where the reader's client is in dark mode."""

    background_color: Colour = "#121212"
    card_color: Colour = "#1e1e1e"
    text_color: Colour = "#e8e8e8"
    muted_color: Colour = "#b4b4b4"
    link_color: Colour = "#8ab4f8"


class Brand(Section):
    name: str = Field(min_length=1)
    logo_url: HttpsUrl | None = None
    logo_width: int = Field(default=120, ge=24, le=552)
    logo_background: Colour = "#ffffff"  # a plate that keeps the logo visible in dark mode
    website: HttpsUrl | None = None
    primary_color: Colour = "#1a5fb4"
    button_text_color: Colour = "#ffffff"
    background_color: Colour = "#f2f2f2"
    card_color: Colour = "#ffffff"
    text_color: Colour = "#1f1f1f"
    muted_color: Colour = "#5f5f5f"
    dark: DarkColours = DarkColours()
    font_family: FontFamily = "Helvetica, Arial, sans-serif"
    heading_font_family: FontFamily | None = None
    font_url: HttpsUrl | None = None  # a web-font stylesheet; clients without it fall back
    social_icons: IconUrl | None = None  # e.g. https://example.org/icons/{platform}.png
    footer: str = ""
    postal_address: str = Field(min_length=1)

    @model_validator(mode="after")
    def _readable(self) -> Brand:
        problems = [
            f"{fg_key} {fg} on {bg_key} {bg} has contrast {ratio:.2f}:1; text needs 4.5:1"
            for fg_key, fg, bg_key, bg in self.text_pairs()
            if (ratio := contrast(fg, bg)) < MIN_CONTRAST
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def text_pairs(self) -> list[tuple[str, str, str, str]]:
        """Every (text colour key, colour, background key, colour) pair the email shows."""
        dark = self.dark
        return [
            ("text_color", self.text_color, "card_color", self.card_color),
            ("muted_color", self.muted_color, "card_color", self.card_color),
            ("muted_color", self.muted_color, "background_color", self.background_color),
            ("primary_color", self.primary_color, "card_color", self.card_color),
            ("button_text_color", self.button_text_color, "primary_color", self.primary_color),
            ("dark.text_color", dark.text_color, "dark.card_color", dark.card_color),
            ("dark.muted_color", dark.muted_color, "dark.card_color", dark.card_color),
            ("dark.muted_color", dark.muted_color, "dark.background_color", dark.background_color),
            ("dark.link_color", dark.link_color, "dark.card_color", dark.card_color),
        ]


class Utm(Section):
    source: str = "digest"
    medium: str = "email"
    campaign: str = "{schedule}"


class Email(Section):
    from_: Address = Field(alias="from")
    to: Address
    list_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$")
    unsubscribe_url: HttpsUrl
    unsubscribe_mailto: Mailto
    preferences_url: HttpsUrl | None = None
    utm: Utm = Utm()


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
    days: Annotated[str | list[str], AfterValidator(_days)] = "daily"
    at: Annotated[str, AfterValidator(_hhmm)]
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS), min_length=1)
    max_stories: int = Field(default=5, ge=1, le=50)
    catch_up: Annotated[str, AfterValidator(_duration)] = "6h"

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
    max_bytes: int = Field(default=1_000_000, gt=0)


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
