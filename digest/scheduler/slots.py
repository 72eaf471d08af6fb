"""When a schedule runs: its slots, computed with zoneinfo from the config and an explicit `now`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from digest.clock import MAX_YEAR, MIN_YEAR, clamp
from digest.config import Schedule, Settings
from digest.config.values import WEEKDAYS
from digest.errors import DigestError
from digest.models import Slot


def runs_on(schedule: Schedule, day: date) -> bool:
    """Whether the schedule has a slot on this local date."""
    if schedule.days == "daily":
        return True
    if schedule.days == "weekdays":
        return day.weekday() < 5
    return WEEKDAYS[day.weekday()] in schedule.days


def slot_on(schedule: Schedule, day: date) -> Slot:
    """The schedule's slot on local date `day`.

    A time that falls in a spring-forward gap moves forward by the gap (02:30 becomes 03:30);
    a time in the repeated autumn hour takes its first occurrence, so each runs exactly once.
    """
    wall = datetime.combine(day, schedule.time).replace(tzinfo=schedule.zone, fold=0)
    # Through UTC and back: a wall time that does not exist comes back shifted past the gap.
    local = wall.astimezone(UTC).astimezone(schedule.zone)
    return Slot(schedule=schedule.name, day=day, at=schedule.at.replace(":", ""), local=local)


def _days(schedule: Schedule, first: date, last: date) -> Iterator[Slot]:
    """The schedule's slots on the local dates `first` to `last`, kept inside the years."""
    day = max(first, date(MIN_YEAR, 1, 1))
    while day <= min(last, date(MAX_YEAR, 12, 31)):
        if runs_on(schedule, day):
            yield slot_on(schedule, day)
        day += timedelta(days=1)


def slots_between(schedule: Schedule, start: datetime, end: datetime) -> Iterator[Slot]:
    """Every slot whose instant is in (start, end], oldest first; times outside the years clamp."""
    start, end = clamp(start), clamp(end)
    zone = schedule.zone
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    for slot in _days(schedule, first, last):
        if start < slot.local <= end:
            yield slot


def next_slots(schedule: Schedule, now: datetime, count: int) -> list[Slot]:
    """The next `count` slots after `now` (fewer near the last year digest schedules)."""
    now = clamp(now)
    out: list[Slot] = []
    for slot in _days(schedule, now.astimezone(schedule.zone).date(), date(MAX_YEAR, 12, 31)):
        if len(out) >= count:
            break
        if slot.local > now:
            out.append(slot)
    return out


def parse_slot(schedule: Schedule, day: date) -> Slot:
    """The slot of `NAME@DATE`; refuses a day the schedule does not run on or outside the years."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DigestError(
            f"{day.isoformat()}: outside the years {MIN_YEAR} to {MAX_YEAR} that digest "
            "schedules; pick a date in that range"
        )
    if not runs_on(schedule, day):
        raise DigestError(
            f"schedule {schedule.name!r} has no slot on {day.isoformat()} "
            f"(days = {schedule.days!r}); pick a day it runs on"
        )
    return slot_on(schedule, day)


def slot_named(settings: Settings, text: str) -> Slot:
    """The slot `NAME@DATE` names (`morning@2026-11-28`): that schedule's slot on that day."""
    name, _, when = text.partition("@")
    try:
        day = date.fromisoformat(when)
    except ValueError:
        raise DigestError(f"--slot {text!r}: the valid form is NAME@YYYY-MM-DD") from None
    return parse_slot(settings.schedule(name), day)


def today_slot(schedule: Schedule, now: datetime) -> Slot:
    """The schedule's slot on the date it is at `now` in the schedule's own zone."""
    return parse_slot(schedule, now.astimezone(schedule.zone).date())


def chosen_slot(
    settings: Settings,
    now: datetime,
    *,
    named: str | None = None,
    schedule: str | None = None,
    day: date | None = None,
) -> Slot:
    """The slot `digest build` builds: `named` (NAME@DATE) when given, else the schedule called
    `schedule` (default: the first) on local date `day` (default: today there, at `now`)."""
    if named:
        return slot_named(settings, named)
    chosen = settings.schedule(schedule)
    return parse_slot(chosen, day) if day else today_slot(chosen, now)


def upcoming(settings: Settings, now: datetime, count: int) -> list[tuple[Schedule, Slot]]:
    """The next `count` slots after `now` of every schedule, schedule by schedule."""
    return [(s, slot) for s in settings.schedules for slot in next_slots(s, now, count)]
