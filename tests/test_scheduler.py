"""The scheduler: one batch per slot through restarts, clock steps, downtime, failures and races."""

from __future__ import annotations

import itertools
import json
import logging
import multiprocessing
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.factories import project, run_digest, write_seed
from support.feeds import FeedServer, feed, serve_fixture

from digest.config import Settings, load_config
from digest.outbox import journal
from digest.outbox.published import published
from digest.pipeline import build
from digest.scheduler import BACKOFF_CAP, Scheduler, run_once
from digest.scheduler.fetching import nothing_new
from digest.scheduler.history import write_awake
from digest.scheduler.slots import slot_on


def batches_per_day(outbox: Path, schedule: str) -> Counter[str]:
    return Counter(b.day for b in published(outbox, schedule))


def events(outbox: Path, kind: str) -> list[dict[str, str]]:
    return [e for e in journal.read(outbox) if e["event"] == kind]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_a_simulated_year_gives_exactly_one_batch_per_local_day(tmp_path: Path, zone: str) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": zone}])
    seeds, outbox = settings.paths.seeds, settings.paths.outbox
    rng = random.Random(zone)
    tz = ZoneInfo(zone)
    start = datetime(2026, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(2027, 1, 1, tzinfo=tz).astimezone(UTC)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    now, written, restarts, steps_back = start, 0, 0, 0
    while now < end:
        # An editor adds one story a day (and old ones are archived).
        day_number = (now.astimezone(tz).date() - start.astimezone(tz).date()).days
        while written <= day_number:
            write_seed(seeds, written)
            (seeds / f"story-{written - 4:04d}.txt").unlink(missing_ok=True)
            written += 1
        scheduler.run_due(now)
        roll = rng.random()
        if roll < 0.03:  # the process restarts
            scheduler = Scheduler(settings, lock=False)
            scheduler.start()
            restarts += 1
        if roll > 0.98:  # the clock is stepped back three hours
            now -= timedelta(hours=3)
            steps_back += 1
        now += timedelta(minutes=rng.choice([3, 17, 45, 90, 180, 300]))
    per_day = batches_per_day(outbox, "daily")
    assert len(per_day) == 365 and set(per_day.values()) == {1}
    assert len(events(outbox, "published")) == 365
    assert not events(outbox, "missed") and not events(outbox, "failed")
    assert restarts > 5 and steps_back > 5
    local = {b.day: b.at for b in published(outbox, "daily")}
    assert set(local.values()) == {"0900"}


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("Europe/Berlin", ("2026-03-29", "2026-10-25")),
        ("America/New_York", ("2026-03-08", "2026-11-01")),
    ],
)
def test_dst_days_run_once_for_a_slot_inside_the_changing_hour(
    tmp_path: Path, zone: str, days: tuple[str, ...]
) -> None:
    at = "02:30" if zone == "Europe/Berlin" else "01:30"
    settings = project(tmp_path, [{"name": "night", "at": at, "timezone": zone}])
    for n in range(4):
        write_seed(settings.paths.seeds, n)
    scheduler = Scheduler(settings, lock=False)
    for day in days:
        midnight = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        scheduler.start()
        for minute in range(0, 6 * 60, 5):  # wake every 5 minutes through the night
            scheduler.run_due(midnight + timedelta(minutes=minute))
    assert batches_per_day(settings.paths.outbox, "night") == Counter({d: 1 for d in days})


def test_clock_stepped_back_after_publishing_makes_no_duplicate(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    write_seed(settings.paths.seeds, 2)
    published_at = datetime(2026, 11, 28, 9, 5, tzinfo=UTC)
    first = Scheduler(settings, lock=False)
    first.start()
    first.run_due(published_at)
    for scheduler in (first, Scheduler(settings, lock=False)):
        scheduler.start()
        for minutes in range(0, 4 * 60, 10):  # back to 06:05, then forward again
            scheduler.run_due(published_at - timedelta(hours=3) + timedelta(minutes=minutes))
    assert batches_per_day(settings.paths.outbox, "daily") == Counter({"2026-11-28": 1})
    assert len(events(settings.paths.outbox, "published")) == 1


def test_thirty_hours_down_publishes_inside_catch_up_and_logs_the_rest_missed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(
        tmp_path,
        [
            {"name": "morning", "at": "09:00", "timezone": "UTC", "catch_up": "6h"},
            {"name": "afternoon", "at": "14:00", "timezone": "UTC", "catch_up": "6h"},
        ],
    )
    for n in range(10):
        write_seed(settings.paths.seeds, n)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(datetime(2026, 11, 27, 9, 1, tzinfo=UTC))  # morning of the 27th
    # Down from 10:00 on the 27th until 16:00 on the 28th.
    restarted = Scheduler(settings, lock=False)
    restarted.start()
    with caplog.at_level(logging.WARNING, logger="digest.scheduler"):
        restarted.run_due(datetime(2026, 11, 28, 16, 0, tzinfo=UTC))
    outbox = settings.paths.outbox
    assert [b.path.relative_to(outbox).as_posix() for b in published(outbox)] == [
        "2026-11-27/morning-0900",
        "2026-11-28/afternoon-1400",
    ]
    missed = sorted(e["batch_id"] for e in events(outbox, "missed"))
    assert missed == ["afternoon@2026-11-27T14:00:00Z", "morning@2026-11-28T09:00:00Z"]
    assert sum("missed" in r.message for r in caplog.records) == 2
    # A later restart neither re-publishes nor re-logs them.
    again = Scheduler(settings, lock=False)
    again.start()
    again.run_due(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    assert len(events(outbox, "missed")) == 2 and len(published(outbox)) == 2


def test_a_failing_schedule_backs_off_and_the_others_keep_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import digest.scheduler as module

    settings = project(
        tmp_path,
        [
            {"name": "broken", "at": "09:00", "timezone": "UTC", "catch_up": "2h"},
            {"name": "fine", "at": "09:00", "timezone": "UTC"},
        ],
    )
    for n in range(3):
        write_seed(settings.paths.seeds, n)
    real_build = module.build
    attempts: list[datetime] = []

    def build(settings_, slot, **kwargs):  # type: ignore[no-untyped-def]
        if slot.schedule == "broken":
            attempts.append(clock[0])
            raise RuntimeError("template exploded")
        return real_build(settings_, slot, **kwargs)

    monkeypatch.setattr(module, "build", build)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    clock = [datetime(2026, 11, 28, 9, 0, tzinfo=UTC)]
    with caplog.at_level(logging.ERROR, logger="digest.scheduler"):
        while clock[0] < datetime(2026, 11, 28, 11, 30, tzinfo=UTC):
            scheduler.run_due(clock[0])
            clock[0] += timedelta(seconds=10)
    gaps = [round((b - a).total_seconds()) for a, b in itertools.pairwise(attempts)]
    assert gaps[:6] == [30, 60, 120, 240, 480, 900]
    assert max(gaps) <= BACKOFF_CAP.total_seconds() + 10
    assert "template exploded" in caplog.records[0].message
    outbox = settings.paths.outbox
    assert [b.schedule for b in published(outbox)] == ["fine"]
    # Past its catch_up window the failing slot is logged as missed, not retried for ever.
    assert [e["batch_id"] for e in events(outbox, "missed")] == ["broken@2026-11-28T09:00:00Z"]


def test_stop_is_honoured_between_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.scheduler as module

    settings = project(
        tmp_path,
        [
            {"name": "a", "at": "09:00", "timezone": "UTC"},
            {"name": "b", "at": "09:00", "timezone": "UTC"},
        ],
    )
    write_seed(settings.paths.seeds, 1)
    scheduler = Scheduler(settings, lock=False)
    real_build = module.build

    def build_then_signal(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_build(*args, **kwargs)
        scheduler.stopping = True  # SIGTERM arrives while the first batch is being written
        return result

    monkeypatch.setattr(module, "build", build_then_signal)
    scheduler.start()
    scheduler.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert [b.schedule for b in published(settings.paths.outbox)] == ["a"]


def test_a_slot_with_nothing_new_publishes_nothing_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(datetime(2026, 11, 27, 9, 1, tzinfo=UTC))
    with caplog.at_level(logging.INFO, logger="digest.scheduler"):
        scheduler.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert len(published(settings.paths.outbox)) == 1
    assert [e["batch_id"] for e in events(settings.paths.outbox, "empty")] == [
        "daily@2026-11-28T09:00:00Z"
    ]
    assert any("no new seeds; no batch published" in r.message for r in caplog.records)


def test_run_once_publishes_what_is_due_and_lets_the_lock_go(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    run_once(settings, datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert [b.day for b in published(settings.paths.outbox)] == ["2026-11-28"]
    holder = Scheduler(settings)
    assert holder._hold_lock()  # the lock was released: a next run (or a daemon) can take it
    holder.close()


def test_run_once_beside_a_serving_scheduler_publishes_nothing(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    holder = Scheduler(settings)
    holder.start()
    assert holder._hold_lock()
    run_once(settings, datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert published(settings.paths.outbox) == []
    holder.close()


def test_stale_staging_folders_are_removed_at_start_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    staging = settings.paths.outbox / ".staging"
    dead = staging / "daily_2026-11-28T090000Z.999999999-0badf00d.partial"
    (dead / "email").mkdir(parents=True)
    (dead / "email" / "digest.html").write_text("half")
    with caplog.at_level(logging.WARNING, logger="digest.outbox"):
        Scheduler(settings, lock=False).start()
    assert not dead.exists()
    assert any("removed stale staging folder" in r.message for r in caplog.records)


def two_schedulers(tmp_path: Path) -> tuple[Settings, Scheduler, Scheduler]:
    """A project with one seed and two started schedulers sharing its outbox (and its lock)."""
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    holder, standby = Scheduler(settings), Scheduler(settings)
    holder.start()
    standby.start()
    return settings, holder, standby


def test_only_one_scheduler_per_outbox_does_work(tmp_path: Path) -> None:
    settings, holder, standby = two_schedulers(tmp_path)
    assert holder._hold_lock()
    standby.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert published(settings.paths.outbox) == []
    holder.close()
    standby.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert len(published(settings.paths.outbox)) == 1
    standby.close()


ROUNDS = 200


def _race(settings, barrier, rounds: int) -> None:  # type: ignore[no-untyped-def]
    """One of two schedulers: each round, wait for the other, then publish the same slot."""
    scheduler = Scheduler(settings, lock=False)  # correctness must not depend on the lock
    first = slot_on(settings.schedules[0], datetime(2026, 1, 1).date())
    for number in range(rounds):
        barrier.wait()
        scheduler.start()
        scheduler.run_due(first.utc + timedelta(days=number, minutes=1))


def test_two_scheduler_processes_racing_publish_each_slot_once(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "race", "at": "09:00", "timezone": "UTC"}])
    for n in range(ROUNDS):
        write_seed(settings.paths.seeds, n)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    racers = [context.Process(target=_race, args=(settings, barrier, ROUNDS)) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=300)
        assert racer.exitcode == 0
    outbox = settings.paths.outbox
    assert batches_per_day(outbox, "race") == Counter(
        {(datetime(2026, 1, 1) + timedelta(days=n)).date().isoformat(): 1 for n in range(ROUNDS)}
    )
    announced = Counter(e["batch_id"] for e in events(outbox, "published"))
    assert len(announced) == ROUNDS and set(announced.values()) == {1}
    assert list((outbox / ".staging").iterdir()) == []


def test_a_standby_that_takes_over_learns_what_the_holder_did(tmp_path: Path) -> None:
    settings, holder, standby = two_schedulers(tmp_path)
    holder.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))  # publishes story 1
    holder.run_due(datetime(2026, 11, 29, 9, 1, tzinfo=UTC))  # nothing new: "empty"
    holder.close()
    write_seed(settings.paths.seeds, 2)  # arrives after the 29th's slot was settled
    standby.run_due(datetime(2026, 11, 29, 9, 2, tzinfo=UTC))
    assert [b.day for b in published(settings.paths.outbox)] == ["2026-11-28"]
    standby.run_due(datetime(2026, 11, 30, 9, 1, tzinfo=UTC))  # the next slot carries it
    assert [b.day for b in published(settings.paths.outbox)] == ["2026-11-28", "2026-11-30"]
    standby.close()


def test_a_wake_up_failing_on_the_disk_logs_one_line_and_the_next_one_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.scheduler import _tick

    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    outbox = settings.paths.outbox
    (outbox / ".journal.jsonl").mkdir()  # the journal cannot be written: EISDIR
    with caplog.at_level(logging.INFO, logger="digest.scheduler"):
        _tick(scheduler, lambda: datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failed) == 1 and failed[0].exc_info is None
    assert f"{outbox / '.journal.jsonl'}: Is a directory" in failed[0].getMessage()
    (outbox / ".journal.jsonl").rmdir()
    _tick(scheduler, lambda: datetime(2026, 11, 29, 9, 1, tzinfo=UTC))
    assert [b.day for b in published(outbox)] == ["2026-11-28"]
    assert [e["batch_id"] for e in events(outbox, "empty")] == ["daily@2026-11-29T09:00:00Z"]


NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)  # half an hour after the daily 09:00 slot


def _journal_line(slot: str) -> Callable[[Settings], Path]:
    def write(settings: Settings) -> Path:
        line = {"at": "x", "event": "missed", "schedule": "daily", "batch_id": "zz"}
        path = settings.paths.outbox / journal.JOURNAL
        path.write_text(json.dumps(line | {"slot": slot, "detail": ""}) + "\n")
        return Path(f"{path}:1")

    return write


def _awake(text: str) -> Callable[[Settings], Path]:
    def write(settings: Settings) -> Path:
        (settings.paths.outbox / ".scheduler.awake").write_text(text + "\n")
        return settings.paths.outbox / ".scheduler.awake"

    return write


def _batch_on(day: date, utc: str | None = None) -> Callable[[Settings], Path]:
    """A batch built by hand for `day` (by `digest build --date`), its slot.utc maybe edited."""

    def write(settings: Settings) -> Path:
        result = build(settings, slot_on(settings.schedules[0], day), durable=False)
        assert result.batch is not None
        manifest = result.batch / "manifest.json"
        if utc is not None:
            data = json.loads(manifest.read_text())
            manifest.write_text(json.dumps(data | {"slot": data["slot"] | {"utc": utc}}))
        return manifest

    return write


FAR = "9999-12-31T23:59:59"
HOSTILE_TIMES = {
    "a journal slot at the end of time": _journal_line(f"{FAR}+00:00"),
    "a journal slot that overflows UTC forward": _journal_line(f"{FAR}-23:59"),
    "a journal slot that overflows UTC backward": _journal_line("0001-01-01T00:00:00+23:59"),
    "a journal slot next week": _journal_line("2026-12-05T09:00:00+00:00"),
    "an awake time at the end of time": _awake("9999-12-31T00:00:00+00:00"),
    "an awake time that overflows UTC": _awake(f"{FAR}-23:59"),
    "an awake time before the epoch of digest": _awake("0001-01-01T00:00:00+23:59"),
    "a batch built three days ahead": _batch_on(date(2026, 12, 1)),
    "a batch of the year 1": _batch_on(date(1, 1, 1)),
    "a manifest slot.utc edited to the end of time": _batch_on(
        date(2026, 11, 27), "9999-12-31T00:00:00Z"
    ),
    "a manifest slot.utc that overflows UTC": _batch_on(date(2026, 11, 27), f"{FAR}-23:59"),
}


@pytest.mark.parametrize("case", list(HOSTILE_TIMES))
def test_a_recorded_time_in_the_future_or_out_of_range_never_stops_the_schedule(
    tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.scheduler import _tick

    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    outbox = settings.paths.outbox
    outbox.mkdir()
    write_seed(settings.paths.seeds, 1)
    named = HOSTILE_TIMES[case](settings)
    write_seed(settings.paths.seeds, 2)
    scheduler = Scheduler(settings, lock=False)
    with caplog.at_level(logging.INFO):
        scheduler.start()
        scheduler.run_due(NOW)  # as `digest schedule --once` does
        write_seed(settings.paths.seeds, 3)
        _tick(scheduler, lambda: NOW + timedelta(days=1))  # as the daemon does
    days = [b.day for b in published(outbox, "daily")]
    assert {"2026-11-28", "2026-11-29"} <= set(days), days
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith((f"{named}: ignored", f"{named}: skipped")) for m in warned), warned
    awake = datetime.fromisoformat((outbox / ".scheduler.awake").read_text().strip())
    assert awake == NOW + timedelta(days=1)


def test_a_wake_up_with_nothing_due_loads_no_renderer(tmp_path: Path) -> None:
    """`schedule --once` with nothing due (cron, every few minutes) reads the config and the
    outbox only: the pipeline, summarizer, renderers and platforms are imported when a slot is."""
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    loaded = _modules_after_an_idle_wake_up(tmp_path / "config.toml")
    for heavy in ("digest.pipeline", "digest.summarize", "digest.render", "digest.platforms"):
        assert f"'{heavy}" not in loaded, heavy
    assert "'digest.scheduler'" in loaded


# Sources: the fetch before a due slot (issue 16). The fakes stand in for digest.sources'
# fetch_sources; the tests further down run the real one against a local feed server.


@dataclass(frozen=True)
class FakeResult:
    """What `digest.sources.fetch_sources` returns per source (`SourceResult`'s fields)."""

    name: str
    status: str = "ok"
    reason: str = ""
    new: tuple[Path, ...] = ()
    fetched_at: datetime = datetime(2026, 11, 28, 9, 1, tzinfo=UTC)


def with_sources(settings: Settings, *names: str, fetch_before: bool | None = None) -> Settings:
    """The project's config.toml with a `[[sources]]` block per name (and `fetch_before` set on
    every schedule when given), read again."""
    config = settings.paths.seeds.parent / "config.toml"
    text = config.read_text(encoding="utf-8")
    if fetch_before is not None:
        text = text.replace(
            "[[schedules]]\n", f"[[schedules]]\nfetch_before = {str(fetch_before).lower()}\n"
        )
    for name in names:
        text += f'[[sources]]\nname = "{name}"\nurl = "https://example.org/{name}.xml"\n'
    config.write_text(text, encoding="utf-8")
    return load_config(config)


class FakeFetch:
    """Records each round; writes the seeds numbered in `brings` and answers `answer`."""

    def __init__(self, answer: list[FakeResult], brings: tuple[int, ...] = ()) -> None:
        self.answer, self.brings = answer, brings
        self.calls: list[tuple[Path, datetime]] = []

    def __call__(self, settings: Settings, now: datetime) -> list[FakeResult]:
        self.calls.append((settings.paths.seeds, now))
        for number in self.brings:
            write_seed(settings.paths.seeds, number)
        return self.answer


def fake_fetch(
    monkeypatch: pytest.MonkeyPatch, answer: list[FakeResult], brings: tuple[int, ...] = ()
) -> FakeFetch:
    import digest.scheduler.fetching as fetching

    fake = FakeFetch(answer, brings)
    monkeypatch.setattr(fetching, "fetch_sources", fake)
    return fake


def stories_of(outbox: Path) -> list[list[str]]:
    return [
        [s["source"] for s in json.loads((b.path / "manifest.json").read_text())["stories"]]
        for b in published(outbox)
    ]


def test_a_due_slot_fetches_first_and_publishes_what_the_fetch_brought(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    settings = with_sources(settings, "city")
    fake = fake_fetch(monkeypatch, [FakeResult("city", new=(Path("story-0007.txt"),))], (7,))
    now = datetime(2026, 11, 28, 9, 1, tzinfo=UTC)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(now)
    assert fake.calls == [(settings.paths.seeds, now)]
    assert stories_of(settings.paths.outbox) == [["story-0007.txt"]]
    assert [e["detail"] for e in events(settings.paths.outbox, "fetched")] == ["city: 1 new"]


@pytest.mark.parametrize(
    ("schedules", "now", "due"),
    [
        # Three days down, catch-up 3 days: three slots due, one fetch.
        ([{"name": "daily", "at": "09:00", "timezone": "UTC", "catch_up": "3d"}], "11-30T09:05", 3),
        # Two schedules due at the same minute: one fetch.
        (
            [
                {"name": "a", "at": "09:00", "timezone": "UTC"},
                {"name": "b", "at": "09:00", "timezone": "UTC"},
            ],
            "11-28T09:05",
            2,
        ),
    ],
)
def test_one_fetch_per_wake_up_however_many_slots_are_due(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    schedules: list[dict[str, object]],
    now: str,
    due: int,
) -> None:
    settings = with_sources(project(tmp_path, schedules), "city", "parks")
    for n in range(due):
        write_seed(settings.paths.seeds, n)
    fake = fake_fetch(monkeypatch, [FakeResult("city"), FakeResult("parks")])
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(datetime.fromisoformat(f"2026-{now}+00:00"))
    assert len(fake.calls) == 1
    assert len(published(settings.paths.outbox)) == due
    # The next wake-up with a due slot fetches again.
    write_seed(settings.paths.seeds, 99)
    scheduler.run_due(datetime.fromisoformat(f"2026-{now}+00:00") + timedelta(days=1))
    assert len(fake.calls) == 2


def test_no_fetch_when_nothing_is_due_or_the_schedule_says_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    fake = fake_fetch(monkeypatch, [])
    scheduler = Scheduler(with_sources(settings, "city"), lock=False)
    scheduler.start()
    scheduler.run_due(datetime(2026, 11, 28, 8, 59, tzinfo=UTC))  # nothing due yet
    assert fake.calls == []
    # fetch_before = false: the slot builds from the seeds folder as it is.
    scheduler = Scheduler(with_sources(settings, fetch_before=False), lock=False)
    scheduler.start()
    scheduler.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert fake.calls == [] and len(published(settings.paths.outbox)) == 1


def test_a_missed_slot_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = {"name": "daily", "at": "09:00", "timezone": "UTC", "catch_up": "1h"}
    settings = with_sources(project(tmp_path, [schedule]), "city")
    fake = fake_fetch(monkeypatch, [])
    settings.paths.outbox.mkdir()
    write_awake(settings.paths.outbox, datetime(2026, 11, 28, 8, 0, tzinfo=UTC))  # then down
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # 3 h late: missed
    assert fake.calls == []
    assert len(events(settings.paths.outbox, "missed")) == 1


def test_a_failed_source_is_logged_and_journaled_and_the_slot_publishes_earlier_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    settings = with_sources(settings, "city", "parks")
    write_seed(settings.paths.seeds, 1)  # an earlier fetch's seed, not yet published
    fake_fetch(monkeypatch, [FakeResult("city", "failed", "HTTP 500"), FakeResult("parks")])
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    with caplog.at_level(logging.INFO, logger="digest.scheduler"):
        scheduler.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    outbox = settings.paths.outbox
    assert stories_of(outbox) == [["story-0001.txt"]]
    failed = events(outbox, "fetch-failed")
    assert [(e["batch_id"], e["detail"]) for e in failed] == [
        ("daily@2026-11-28T09:00:00Z", "city: HTTP 500")
    ]
    warnings = [r.message for r in caplog.records if r.name == "digest.scheduler"]
    assert warnings[:1] == [
        "daily@2026-11-28T09:00:00Z: source city (https://example.org/city.xml) failed: "
        "HTTP 500; its earlier seeds still count"
    ]
    assert events(outbox, "fetched")[0]["detail"] == "city: failed (HTTP 500); parks: 0 new"


def test_a_fetch_that_raises_is_journaled_and_the_slot_still_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import digest.scheduler.fetching as fetching

    def broken(settings_: Settings, now: datetime) -> list[FakeResult]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fetching, "fetch_sources", broken)
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    settings = with_sources(settings, "city")
    write_seed(settings.paths.seeds, 1)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    with caplog.at_level(logging.ERROR, logger="digest.scheduler"):
        scheduler.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    assert len(published(settings.paths.outbox)) == 1
    [failed] = events(settings.paths.outbox, "fetch-failed")
    assert failed["detail"] == "every source: OSError: [Errno 28] No space left on device"
    assert "No space left on device" in caplog.records[0].message


@pytest.mark.parametrize(
    ("names", "answer", "said"),
    [
        (
            ("city", "parks"),
            [FakeResult("city", "not-modified"), FakeResult("parks")],
            "no new items from sources city, parks since 2026-11-27 10:00 CET "
            "(the last batch of 'daily')",
        ),
        (
            ("city",),
            [FakeResult("city", "failed", "timeout after 10 s")],
            "no new items from source city since 2026-11-27 10:00 CET (the last batch of "
            "'daily'); failed: city (timeout after 10 s)",
        ),
    ],
)
def test_a_slot_with_nothing_new_from_its_sources_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    names: tuple[str, ...],
    answer: list[FakeResult],
    said: str,
) -> None:
    schedule = {"name": "daily", "at": "10:00", "timezone": "Europe/Berlin"}
    settings = project(tmp_path, [schedule])
    write_seed(settings.paths.seeds, 1)
    build(settings, slot_on(settings.schedules[0], date(2026, 11, 27)), durable=False)
    settings = with_sources(settings, *names)
    fake_fetch(monkeypatch, answer)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    with caplog.at_level(logging.INFO, logger="digest.scheduler"):
        scheduler.run_due(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
    [empty] = events(settings.paths.outbox, "empty")
    assert empty["detail"] == said
    assert f"daily@2026-11-28T09:00:00Z: {said}; no batch published" in caplog.messages


def test_nothing_new_before_any_batch_says_since_the_first_fetch(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    settings = with_sources(settings, "city", "parks")
    answer = [FakeResult("city"), FakeResult("parks", "failed", "HTTP 404")]
    now = datetime(2026, 11, 28, tzinfo=UTC)
    said = nothing_new(settings, settings.schedules[0], now, answer)  # type: ignore[arg-type]
    assert said == (
        "no new items from sources city, parks since the first fetch (no batch of 'daily' yet)"
        "; failed: parks (HTTP 404)"
    )


def test_run_once_fetches_into_the_seeds_folder_it_builds_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    settings = with_sources(settings, "city")
    other = tmp_path / "other-seeds"
    other.mkdir()
    fake = fake_fetch(monkeypatch, [FakeResult("city")], (3,))
    run_once(settings, datetime(2026, 11, 28, 9, 1, tzinfo=UTC), seeds=other)
    assert [seeds for seeds, _ in fake.calls] == [other]
    assert stories_of(settings.paths.outbox) == [["story-0003.txt"]]


def test_a_wake_up_with_nothing_due_loads_no_source_fetcher(tmp_path: Path) -> None:
    """With sources configured, a wake-up with nothing due never imports digest.sources (httpx,
    feedparser, trafilatura) and fetches nothing."""
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    with_sources(settings, "city")
    assert load_config(tmp_path / "config.toml").sources
    loaded = _modules_after_an_idle_wake_up(tmp_path / "config.toml")
    for heavy in ("digest.sources", "httpx", "feedparser", "trafilatura", "digest.pipeline"):
        assert f"'{heavy}" not in loaded, heavy


# The real fetch against a local feed server.

feed_server = serve_fixture()
FEED_DAY = datetime(2026, 11, 28, 9, 1, tzinfo=UTC)  # after rss2.xml's three items (25-27 Nov)


def served(
    settings: Settings, server: FeedServer, routes: dict[str, dict[str, object]]
) -> Settings:
    """`settings` with a source per route of the feed server (named as the route, less its /)."""
    config = settings.paths.seeds.parent / "config.toml"
    text = config.read_text(encoding="utf-8")
    for path, fields in routes.items():
        server.route(path, **fields)
        text += f'[[sources]]\nname = "{path.strip("/")}"\nurl = "{server.url(path)}"\n'
    config.write_text(text, encoding="utf-8")
    return load_config(config)


def test_a_due_slot_fetches_the_feed_and_publishes_its_new_items(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    schedule = {"name": "daily", "at": "09:00", "timezone": "UTC", "max_stories": 5}
    settings = served(
        project(tmp_path, [schedule]), feed_server, {"/city": {"body": feed("rss2.xml")}}
    )
    run_once(settings, FEED_DAY)
    outbox = settings.paths.outbox
    [carried] = stories_of(outbox)
    assert len(carried) == 3 and all(name.startswith("city-") for name in carried)
    assert sorted(carried) == sorted(p.name for p in settings.paths.seeds.glob("city-*"))
    assert [e["detail"] for e in events(outbox, "fetched")] == ["city: 3 new"]
    [batch] = published(outbox)
    stories = [json.loads(p.read_text()) for p in (batch.path / "stories").glob("*.json")]
    assert "https://news.harbourcity.example/2026/11/26/library-hours" in json.dumps(stories)


def test_a_source_answering_500_is_journaled_and_the_slot_publishes_earlier_seeds(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)  # fetched earlier, not yet published
    settings = served(settings, feed_server, {"/broken": {"status": 500, "body": b"oops"}})
    with caplog.at_level(logging.WARNING, logger="digest"):
        run_once(settings, FEED_DAY)
    outbox = settings.paths.outbox
    assert stories_of(outbox) == [["story-0001.txt"]]
    [failed] = events(outbox, "fetch-failed")
    assert failed["batch_id"] == "daily@2026-11-28T09:00:00Z"
    assert failed["detail"].startswith("broken: ") and "500" in failed["detail"]
    assert any("source broken" in m and "500" in m for m in caplog.messages)
    assert not any(r.exc_info for r in caplog.records)  # a clear line, no traceback


def test_a_slot_whose_feed_has_nothing_new_says_so(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    schedule = {"name": "daily", "at": "09:00", "timezone": "UTC", "max_stories": 5}
    route = {"body": feed("rss2.xml"), "etag": '"v1"'}
    settings = served(project(tmp_path, [schedule]), feed_server, {"/city": route})
    run_once(settings, FEED_DAY)
    with caplog.at_level(logging.INFO, logger="digest.scheduler"):
        run_once(settings, FEED_DAY + timedelta(days=1))
    assert feed_server.hits("/city")[-1].headers.get("If-None-Match") == '"v1"'
    outbox = settings.paths.outbox
    assert len(published(outbox)) == 1
    said = "no new items from source city since 2026-11-28 09:00 UTC (the last batch of 'daily')"
    assert [e["detail"] for e in events(outbox, "empty")] == [said]
    assert f"daily@2026-11-29T09:00:00Z: {said}; no batch published" in caplog.messages
    assert [e["detail"] for e in events(outbox, "fetched")] == ["city: 3 new", "city: not modified"]


def test_digest_schedule_once_fetches_before_the_due_slot(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).strftime("%H:%M")  # a slot two minutes ago
    item = format_datetime(now - timedelta(hours=1))
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Parks</title>'
        "<item><title>Park gates open at dawn from Monday</title>"
        "<link>https://parks.example/gates</link><guid>parks-gates</guid>"
        f"<pubDate>{item}</pubDate><description>The park gates will open at dawn from Monday. "
        "The council said the change follows requests from runners.</description></item>"
        "</channel></rss>"
    ).encode()
    settings = project(tmp_path, [{"name": "daily", "at": due, "timezone": "UTC"}])
    settings = served(settings, feed_server, {"/parks": {"body": rss}})
    done = run_digest("schedule", "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [carried] = stories_of(settings.paths.outbox)
    assert len(carried) == 1 and carried[0].startswith("parks-")
    assert len(feed_server.hits("/parks")) == 1


def _modules_after_an_idle_wake_up(config: Path) -> str:
    """The sorted names of the modules (of digest and the fetching libraries) a fresh process
    has loaded after a scheduler wake-up with nothing due."""
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from digest.config import load_config\n"
        "from digest.scheduler import Scheduler\n"
        f"scheduler = Scheduler(load_config({str(config)!r}), lock=False)\n"
        "scheduler.start()\n"
        "scheduler.run_due(datetime(2020, 1, 1, tzinfo=UTC))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('digest', 'httpx', 'feedparser', 'trafilatura')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    return loaded.stdout
