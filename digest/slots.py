"""When a schedule runs: its slots, computed with zoneinfo from the config and an explicit `now`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from digest.config import WEEKDAYS, Schedule
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


def slots_between(schedule: Schedule, start: datetime, end: datetime) -> Iterator[Slot]:
    """Every slot whose instant is in (start, end], oldest first."""
    zone = schedule.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        if runs_on(schedule, day):
            slot = slot_on(schedule, day)
            if start < slot.local <= end:
                yield slot
        day += timedelta(days=1)


def next_slots(schedule: Schedule, now: datetime, count: int) -> list[Slot]:
    """The next `count` slots after `now`."""
    out: list[Slot] = []
    day = now.astimezone(schedule.zone).date()
    while len(out) < count:
        if runs_on(schedule, day):
            slot = slot_on(schedule, day)
            if slot.local > now:
                out.append(slot)
        day += timedelta(days=1)
    return out


def parse_slot(schedule: Schedule, day: date) -> Slot:
    """The slot of `NAME@DATE`; refuses a day the schedule does not run on."""
    if not runs_on(schedule, day):
        from digest.errors import DigestError

        raise DigestError(
            f"schedule {schedule.name!r} has no slot on {day.isoformat()} "
            f"(days = {schedule.days!r}); pick a day it runs on"
        )
    return slot_on(schedule, day)
