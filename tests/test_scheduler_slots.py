"""Slots from schedules: local times in IANA zones, DST gaps moved forward, repeated hours once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.factories import settings as example_settings

from digest.config import Schedule, Settings
from digest.errors import ConfigError, DigestError
from digest.scheduler.slots import (
    MAX_YEAR,
    MIN_YEAR,
    chosen_slot,
    next_slots,
    parse_slot,
    runs_on,
    slot_named,
    slot_on,
    slots_between,
    today_slot,
    upcoming,
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


# `digest build --slot NAME@DATE`, `--schedule`, `--date` and today's slot.


def two_schedules() -> Settings:
    """The example settings with a daily Berlin schedule and a weekday New York one."""
    ny = schedule(name="ny", at="07:30", timezone="America/New_York", days="weekdays")
    schedules = [schedule(), ny]
    return example_settings().model_copy(update={"schedules": schedules})


@pytest.mark.parametrize(
    ("text", "batch_id"),
    [
        ("morning@2026-11-28", "morning@2026-11-28T08:00:00Z"),
        ("ny@2026-11-30", "ny@2026-11-30T12:30:00Z"),
        ("morning@2026-03-29", "morning@2026-03-29T07:00:00Z"),
    ],
)
def test_slot_named_is_that_schedules_slot_on_that_day(text: str, batch_id: str) -> None:
    assert slot_named(two_schedules(), text).batch_id == batch_id


@pytest.mark.parametrize(
    "text",
    [
        "morning",
        "morning@",
        "@",
        "morning@tomorrow",
        "morning@2026-13-01",
        "morning@2026-11-31",
        "morning@2026-11-28@ny",
        "morning@28.11.2026",
    ],
)
def test_slot_named_refuses_a_bad_form_by_name(text: str) -> None:
    with pytest.raises(DigestError) as caught:
        slot_named(two_schedules(), text)
    assert str(caught.value) == f"--slot {text!r}: the valid form is NAME@YYYY-MM-DD"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("evening@2026-11-28", ConfigError, "no schedule named 'evening'; known: morning, ny"),
        ("@2026-11-28", ConfigError, "no schedule named ''; known: morning, ny"),
        ("ny@2026-11-28", DigestError, "schedule 'ny' has no slot on 2026-11-28"),
        ("morning@0001-01-01", DigestError, "0001-01-01: outside the years 1970 to 9000"),
        ("morning@9001-01-01", DigestError, "9001-01-01: outside the years 1970 to 9000"),
    ],
)
def test_slot_named_refuses_a_slot_that_is_not_there(
    text: str, error: type[DigestError], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        slot_named(two_schedules(), text)


@pytest.mark.parametrize(
    ("zone", "now", "day"),
    [
        ("Europe/Berlin", datetime(2026, 11, 28, 23, 30, tzinfo=UTC), date(2026, 11, 29)),
        ("America/New_York", datetime(2026, 11, 28, 3, 0, tzinfo=UTC), date(2026, 11, 27)),
        ("UTC", datetime(2026, 11, 28, 12, 0, tzinfo=UTC), date(2026, 11, 28)),
    ],
)
def test_today_slot_is_on_the_date_in_the_schedules_own_zone(
    zone: str, now: datetime, day: date
) -> None:
    assert today_slot(schedule(timezone=zone), now).day == day


def test_today_slot_refuses_a_day_the_schedule_does_not_run() -> None:
    saturday = datetime(2026, 11, 28, 12, tzinfo=UTC)
    with pytest.raises(DigestError, match="has no slot on 2026-11-28"):
        today_slot(schedule(days="weekdays"), saturday)


NOW = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # Tuesday 1 December in Berlin


@pytest.mark.parametrize(
    ("options", "batch_id"),
    [
        ({}, "morning@2026-12-01T08:00:00Z"),
        ({"schedule": "ny"}, "ny@2026-11-30T12:30:00Z"),
        ({"day": date(2026, 11, 28)}, "morning@2026-11-28T08:00:00Z"),
        ({"schedule": "ny", "day": date(2026, 12, 2)}, "ny@2026-12-02T12:30:00Z"),
        ({"named": "ny@2026-12-03", "schedule": "morning"}, "ny@2026-12-03T12:30:00Z"),
        ({"named": "", "schedule": "ny"}, "ny@2026-11-30T12:30:00Z"),
    ],
)
def test_chosen_slot_is_the_named_one_else_the_schedule_on_the_day(
    options: dict[str, Any], batch_id: str
) -> None:
    assert chosen_slot(two_schedules(), NOW, **options).batch_id == batch_id


def test_chosen_slot_names_an_unknown_schedule() -> None:
    with pytest.raises(ConfigError, match="no schedule named 'evening'"):
        chosen_slot(two_schedules(), NOW, schedule="evening")


def test_upcoming_lists_each_schedules_next_slots_in_turn() -> None:
    pairs = upcoming(two_schedules(), NOW, 2)
    assert [(s.name, slot.batch_id) for s, slot in pairs] == [
        ("morning", "morning@2026-12-01T08:00:00Z"),
        ("morning", "morning@2026-12-02T08:00:00Z"),
        ("ny", "ny@2026-12-01T12:30:00Z"),
        ("ny", "ny@2026-12-02T12:30:00Z"),
    ]
    assert upcoming(two_schedules(), NOW, 0) == []
