"""The checked values of `config.toml` (colours, URLs, times, durations) and the section base."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

from digest.models import Frozen

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text


Section = Frozen  # the base of every config.toml section


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
Days = Annotated[str | list[str], AfterValidator(_days)]
HhMm = Annotated[str, AfterValidator(_hhmm)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Duration = Annotated[str, AfterValidator(_duration)]
