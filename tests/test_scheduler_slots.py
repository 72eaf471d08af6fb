"""Slots from schedules: local times in IANA zones, DST gaps moved forward, repeated hours once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Schedule
from digest.errors import DigestError
from digest.scheduler.slots import (
    MAX_YEAR,
    MIN_YEAR,
    next_slots,
    parse_slot,
    runs_on,
    slot_on,
    slots_between,
)


def schedule(**overrides: object) -> Schedule:
    values: dict[str, object] = {"name": "morning", "at": "09:00", "timezone": "Europe/Berlin"}
    return Schedule.model_validate(values | overrides)


def test_slot_identity_and_folder() -> None:
    slot = slot_on(schedule(), date(2026, 11, 28))
    assert slot.local.isoformat() == "2026-11-28T09:00:00+01:00"
    assert slot.batch_id == "morning@2026-11-28T08:00:00Z"
    assert slot.folder == "2026-11-28/morning-0900"


def test_spring_forward_gap_moves_forward_once() -> None:
    gap = schedule(at="02:30")
    slot = slot_on(gap, date(2026, 3, 29))  # Berlin jumps from 02:00 to 03:00
    assert slot.local.isoformat() == "2026-03-29T03:30:00+02:00"
    assert slot.batch_id == "morning@2026-03-29T01:30:00Z"
    assert slot.folder == "2026-03-29/morning-0230"
    day = datetime(2026, 3, 28, 22, tzinfo=UTC)
    assert len(list(slots_between(gap, day, day + timedelta(hours=24)))) == 1


def test_repeated_autumn_hour_runs_once_at_its_first_occurrence() -> None:
    repeat = schedule(at="02:30")
    slot = slot_on(repeat, date(2026, 10, 25))  # 02:00-03:00 happens twice in Berlin
    assert slot.local.isoformat() == "2026-10-25T02:30:00+02:00"
    start = datetime(2026, 10, 24, 12, tzinfo=UTC)
    assert [s.batch_id for s in slots_between(repeat, start, start + timedelta(hours=24))] == [
        "morning@2026-10-25T00:30:00Z"
    ]


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_one_slot_per_local_day_over_a_year(zone: str, spring: date, autumn: date) -> None:
    daily = schedule(timezone=zone)
    start = datetime(2025, 12, 31, 12, tzinfo=UTC)
    slots = list(slots_between(daily, start, start + timedelta(days=365)))
    days = [s.day for s in slots]
    assert len(days) == len(set(days)) == 365
    assert all(s.local.hour == 9 and s.local.minute == 0 for s in slots)
    by_day = {s.day: s for s in slots}
    assert by_day[spring].utc - by_day[spring - timedelta(days=1)].utc == timedelta(hours=23)
    assert by_day[autumn].utc - by_day[autumn - timedelta(days=1)].utc == timedelta(hours=25)


def test_days_weekdays_and_lists() -> None:
    saturday, monday = date(2026, 11, 28), date(2026, 11, 30)
    assert runs_on(schedule(days="weekdays"), monday) and not runs_on(
        schedule(days="weekdays"), saturday
    )
    assert runs_on(schedule(days=["sat"]), saturday) and not runs_on(schedule(days=["sat"]), monday)
    with pytest.raises(DigestError, match="has no slot on 2026-11-28"):
        parse_slot(schedule(days="weekdays"), saturday)


def test_slots_between_is_half_open() -> None:
    daily = schedule()
    slot = slot_on(daily, date(2026, 11, 28))
    assert [s.batch_id for s in slots_between(daily, slot.local, slot.local)] == []
    assert [
        s.batch_id for s in slots_between(daily, slot.local - timedelta(seconds=1), slot.local)
    ] == [slot.batch_id]


def test_next_slots() -> None:
    now = datetime(2026, 11, 28, 8, 59, tzinfo=UTC)
    upcoming = next_slots(schedule(timezone="UTC"), now, 3)
    assert [s.local.isoformat() for s in upcoming] == [
        "2026-11-28T09:00:00+00:00",
        "2026-11-29T09:00:00+00:00",
        "2026-11-30T09:00:00+00:00",
    ]


# Any aware instant, up to the edges of what datetime holds, at any UTC offset it allows.
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
EDGES = st.sampled_from([datetime.min, datetime.max, datetime(1, 1, 2), datetime(9999, 12, 30)])
INSTANTS = st.builds(
    lambda when, zone: when.replace(tzinfo=zone),
    st.one_of(EDGES, st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime.max)),
    OFFSETS,
)
ZONES = st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/London"])


@settings(max_examples=300, deadline=None)
@given(start=INSTANTS, span=st.timedeltas(timedelta(0), timedelta(days=5)), zone=ZONES)
def test_slots_between_never_overflows_near_the_ends_of_time(
    start: datetime, span: timedelta, zone: str
) -> None:
    daily = schedule(timezone=zone)
    try:
        end = start + span
    except OverflowError:
        end = start
    for first, last in ((start, end), (start, start), (end, start)):
        slots = list(slots_between(daily, first, last))
        assert all(MIN_YEAR - 1 <= s.utc.year <= MAX_YEAR + 1 for s in slots)


@settings(max_examples=300, deadline=None)
@given(now=INSTANTS, count=st.integers(0, 5), zone=ZONES)
def test_next_slots_never_overflow_near_the_ends_of_time(
    now: datetime, count: int, zone: str
) -> None:
    upcoming = next_slots(schedule(timezone=zone), now, count)
    assert len(upcoming) <= count
    assert all(len(s.batch_id.split("@")[1].split("-")[0]) == 4 for s in upcoming)


@settings(max_examples=300, deadline=None)
@given(day=st.dates())
def test_a_slot_is_made_only_for_years_digest_can_name(day: date) -> None:
    """Years outside 1970..9000 are refused by name; inside, the batch id's year has 4 digits."""
    daily = schedule(timezone="Pacific/Kiritimati")
    if MIN_YEAR <= day.year <= MAX_YEAR:
        slot = parse_slot(daily, day)
        assert slot.batch_id.split("@")[1][:5] == f"{slot.utc.year:04d}-"
        return
    with pytest.raises(DigestError, match=rf"{day.isoformat()}: outside the years 1970 to 9000"):
        parse_slot(daily, day)
