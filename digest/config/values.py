"""The checked values of `config.toml` (colours, URLs, times, durations) and the section base."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

from digest.config.texts import https_url, shown
from digest.models import Frozen

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text


class Section(Frozen):
    """The base of every config.toml section: frozen, and no key it does not know."""


class KeyProblems(ValueError):
    """A section's problems, each under a key of its own (`limit`, `dark.link_color`, `[1].name`).

    A check of several keys at once belongs to the section; raising this names each problem by
    the key a person changes: `load_config` reports `platforms.x.limit`, not `platforms.x`.
    """

    def __init__(self, *problems: tuple[str, str]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def unique_names(items: Sequence[_N], kind: str) -> Sequence[_N]:
    """`items` when no two share a name; else KeyProblems naming each repeat's `[i].name` (two
    schedules or sources of one name would share their batches or seeds)."""
    names = [item.name for item in items]
    repeats = [
        (f"[{index}].name", f"{kind} names must be unique; repeated: {name}")
        for index, name in enumerate(names)
        if name in names[:index]
    ]
    if repeats:
        raise KeyProblems(*repeats)
    return items


def each_once(values: list[str], kind: str) -> list[str]:
    """`values` when none is repeated; else ValueError naming the repeats (channels, schedules)."""
    doubles = sorted({value for value in values if values.count(value) > 1})
    if doubles:
        raise ValueError(f"each {kind} once; repeated: {', '.join(doubles)}")
    return values


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"{shown(value)} is not a colour; write it as #rrggbb, e.g. #1a73e8")
    return value.lower()


def _hhmm(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value, re.ASCII):
        raise ValueError(
            f"{shown(value)} is not a time; the valid form is HH:MM (24-hour), e.g. 08:00"
        )
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise ValueError(
            f"{shown(value)} is not an IANA time zone; write e.g. Europe/London or America/New_York"
        ) from None
    return value


_DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?", re.ASCII)
MAX_DURATION = timedelta(days=366)  # a catch-up window longer than a year is a typing slip


def parse_duration(value: str) -> timedelta:
    """`"1d 6h 30m"`, `"6h"`, `"90m"` or `"0"` as a timedelta, at most 366 days."""
    match = _DURATION.fullmatch(value.strip())
    if value.strip() == "0":
        return timedelta(0)
    if not match or not any(match.groups()):
        raise ValueError(
            f"{shown(value)} is not a duration; the valid form is like 6h, 90m or 1d 12h"
        )
    # Long digit strings are refused before int() (4,300 digits raise) or timedelta (overflow).
    too_long = any(len(g or "") > 7 for g in match.groups())
    days, hours, minutes = (0, 0, 0) if too_long else (int(g or 0) for g in match.groups())
    if too_long or days * 1440 + hours * 60 + minutes > MAX_DURATION.total_seconds() // 60:
        raise ValueError(
            f"{shown(value)} is longer than 366 days; write a shorter duration, e.g. 7d"
        )
    return timedelta(days=days, hours=hours, minutes=minutes)


def _duration(value: str) -> str:
    parse_duration(value)
    return value


def _days(value: str | list[str]) -> str | list[str]:
    if isinstance(value, str):
        if value not in ("daily", "weekdays"):
            raise ValueError(f'{shown(value)}: use daily, weekdays, or a list like ["mon", "thu"]')
        return value
    wrong = [d for d in value if d not in WEEKDAYS]
    if wrong or not value:
        raise ValueError(f"{wrong or value!r}: weekdays are {', '.join(WEEKDAYS)}")
    return value


# One font name: words, or words in single quotes; a list is names joined by commas. Nothing
# else reaches the CSS, so a value can never end the declaration or the style attribute.
_FONT = r" *(?:'[A-Za-z0-9 -]+'|[A-Za-z0-9-]+(?: +[A-Za-z0-9-]+)*) *"


def _font_family(value: str) -> str:
    if not re.fullmatch(rf"{_FONT}(?:,{_FONT})*", value, re.ASCII) or len(value) > 200:
        raise ValueError(
            f"{shown(value)} is not a font list; name fonts with letters, digits, dashes and "
            "spaces, a name of several words in a pair of single quotes, separated by commas, "
            "e.g. 'Source Sans 3', Arial, sans-serif"
        )
    return value


def _icon_url(value: str) -> str:
    https_url(value.replace("{platform}", "x"))
    if "{platform}" not in value or "'" in value:
        raise ValueError(
            f"{shown(value)} needs a {{platform}} placeholder and no quotes, "
            "e.g. https://example.org/icons/{platform}.png"
        )
    return value


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
Days = Annotated[str | list[str], AfterValidator(_days)]
HhMm = Annotated[str, AfterValidator(_hhmm)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Duration = Annotated[str, AfterValidator(_duration)]
