"""Time: the one clock digest reads, and the years it schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """Now, aware, in UTC: the only place digest reads the clock (tests pass their own `now`)."""
    return datetime.now(UTC)


# The years digest schedules: every batch id then names its year with four digits, and a day
# either side of them stays far from the ends of what `datetime` holds (no overflow at any offset).
MIN_YEAR, MAX_YEAR = 1970, 9000
FLOOR = datetime(MIN_YEAR, 1, 1, tzinfo=UTC) - timedelta(days=1)
CEILING = datetime(MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC) + timedelta(days=1)


def sane(instant: datetime) -> datetime | None:
    """`instant` in UTC when it is aware and within the years digest schedules, else None."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        return None
    try:
        utc = instant.astimezone(UTC)
    except OverflowError:  # within a day of datetime.min or datetime.max
        return None
    return utc if FLOOR <= utc <= CEILING else None


def clamp(instant: datetime) -> datetime:
    """`instant` in UTC, moved inside the years digest schedules when it lies outside them."""
    utc = sane(instant)
    if utc is not None:
        return utc
    try:
        return FLOOR if instant.astimezone(UTC) < FLOOR else CEILING
    except (OverflowError, ValueError):
        return FLOOR if instant.year < 5000 else CEILING


def minus(now: datetime, window: timedelta) -> datetime:
    """`now - window`, never before the first instant digest schedules."""
    return max(clamp(now) - window, FLOOR)
