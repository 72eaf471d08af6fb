"""Schedules with `approval = "required"`, on a simulated clock: prepared `prepare` before the slot
into outbox/.pending, published at the slot once approved, expired (never published later) when
not approved within catch_up, withdrawn by any change after approval, published once however
many approvers and schedulers race for it."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.factories import config_problems, project, write_seed

from digest.config import Settings, load_config
from digest.errors import DigestError
from digest.models import Slot
from digest.outbox import is_published, journal
from digest.outbox.approval import approve, hold
from digest.outbox.batches import read_manifest, verify
from digest.outbox.pending import pending_path, read_state
from digest.outbox.published import published
from digest.scheduler import Scheduler
from digest.scheduler.slots import slot_on

DAY = date(2026, 12, 1)


def approval_project(folder: Path, seeds: int = 2, **schedule: object) -> Settings:
    """A project whose one schedule `daily` (09:00 UTC, catch_up 6h) needs approval."""
    values = {"name": "daily", "at": "09:00", "timezone": "UTC", "approval": "required"}
    settings = project(folder, [values | schedule], channels=("email", "x"))
    for number in range(1, seeds + 1):
        write_seed(settings.paths.seeds, number)
    return settings


def the_slot(settings: Settings, day: date = DAY) -> Slot:
    return slot_on(settings.schedules[0], day)


def events(settings: Settings, kind: str | None = None) -> list[dict[str, str]]:
    found = journal.read(settings.paths.outbox)
    return [e for e in found if kind is None or e["event"] == kind]


@dataclass
class Clock:
    """Wakes a scheduler every `every` from `start`, running the actions due first; records, per
    wake-up, whether the slot is pending and whether it is published."""

    scheduler: Scheduler
    slot: Slot
    every: timedelta = timedelta(minutes=10)
    actions: dict[datetime, Callable[[datetime], object]] = field(default_factory=dict)
    seen: list[tuple[datetime, bool, bool]] = field(default_factory=list)

    def run(self, start: datetime, end: datetime) -> None:
        outbox = self.scheduler.outbox
        now = start
        while now <= end:
            for when in sorted(self.actions):
                if when <= now:
                    self.actions.pop(when)(now)
            self.scheduler.run_due(now)
            waiting = pending_path(outbox, self.slot.folder).is_dir()
            self.seen.append((now, waiting, is_published(outbox, self.slot.folder)))
            now += self.every

    def first(self, index: int) -> datetime | None:
        """The first wake-up at which column `index` (1: pending, 2: published) was true."""
        return next((when for when, *flags in self.seen if flags[index - 1]), None)


def started(settings: Settings) -> Scheduler:
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    return scheduler


@pytest.mark.parametrize(
    ("zone", "prepare"),
    [("UTC", "2h"), ("Europe/Berlin", "30m"), ("America/New_York", "1d")],
)
def test_prepared_at_slot_minus_prepare_and_published_at_the_slot_once_approved(
    tmp_path: Path, zone: str, prepare: str
) -> None:
    settings = approval_project(tmp_path, timezone=zone, prepare=prepare)
    slot = the_slot(settings)
    ahead = {"2h": timedelta(hours=2), "30m": timedelta(minutes=30), "1d": timedelta(days=1)}
    window = ahead[prepare]
    clock = Clock(started(settings), slot, every=window / 24)
    approver = lambda now: approve(settings, slot.folder, by="Ana", now=now)  # noqa: E731
    clock.actions[slot.utc - window / 2] = approver
    clock.run(slot.utc - window - timedelta(hours=1), slot.utc + timedelta(hours=1))
    assert clock.first(1) == slot.utc - window  # the first wake-up inside the window
    assert clock.first(2) == slot.utc  # the first wake-up at the slot time
    mine = [e["event"] for e in events(settings) if e["batch_id"] == slot.batch_id]
    assert mine == ["prepared", "approved", "published"]
    batch = settings.paths.outbox / slot.folder
    assert verify(batch) == []
    approval = read_manifest(batch).approval
    assert approval is not None and approval.by == "Ana"
    assert not pending_path(settings.paths.outbox, slot.folder).exists()
    assert batch in [b.path for b in published(settings.paths.outbox)]


def test_not_approved_in_time_is_expired_and_never_published_later(tmp_path: Path) -> None:
    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    clock = Clock(started(settings), slot)
    clock.run(slot.utc - timedelta(hours=3), slot.utc + timedelta(hours=8))
    expired = events(settings, "expired")
    assert [e["detail"] for e in expired] == ["not approved within catch_up (6h) of its time"]
    assert datetime.fromisoformat(expired[0]["at"]) == slot.utc + timedelta(hours=6, minutes=10)
    assert clock.first(2) is None and not published(settings.paths.outbox)
    with pytest.raises(DigestError, match="never published now"):
        approve(settings, slot.folder, by="Ana", now=slot.utc + timedelta(hours=9))
    # A restart, and days of wake-ups after it, publish nothing and journal nothing more.
    later = Clock(started(settings), slot, every=timedelta(hours=1))
    later.run(slot.utc + timedelta(hours=9), slot.utc + timedelta(days=2))
    assert not is_published(settings.paths.outbox, slot.folder)
    assert [e["batch_id"] for e in events(settings, "expired")].count(slot.batch_id) == 1
    assert read_state(settings.paths.outbox, slot.folder).status == "expired"


def test_an_approval_after_the_catch_up_expires_the_slot_itself(tmp_path: Path) -> None:
    """No scheduler ran after the slot: the late approval is refused and the slot expires."""
    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    Clock(started(settings), slot).run(slot.utc - timedelta(hours=1), slot.utc - timedelta(hours=1))
    with pytest.raises(DigestError, match="expired"):
        approve(settings, slot.folder, by="Ana", now=slot.utc + timedelta(hours=7))
    Clock(started(settings), slot).run(slot.utc + timedelta(hours=7), slot.utc + timedelta(hours=8))
    assert len(events(settings, "expired")) == 1 and not published(settings.paths.outbox)


def _new_seed(settings: Settings) -> Settings:
    write_seed(settings.paths.seeds, 0)  # sorts before story 1: the batch's one story changes
    return settings


def _corrected_seed(settings: Settings) -> Settings:
    path = settings.paths.seeds / "story-0001.txt"
    path.write_text(path.read_text().replace("Work starts in spring.", "Work starts in May."))
    return settings


def _config(settings: Settings) -> Settings:
    config = settings.paths.seeds.parent / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('name = "The Morning Digest"', 'name = "The Daily Digest"'))
    return load_config(config)


def _template(settings: Settings) -> Settings:
    import shutil

    copy = settings.paths.seeds.parent / "templates"
    shutil.copytree(settings.paths.templates, copy)
    text = copy / "email" / "digest.txt.j2"
    text.write_text(text.read_text(encoding="utf-8") + "\nP.S. Corrected.\n", encoding="utf-8")
    return settings.model_copy(
        update={"paths": settings.paths.model_copy(update={"templates": copy})}
    )


def _edited_headline(settings: Settings) -> Settings:
    from digest.seeds.edits import set_edit

    when = datetime(2026, 12, 1, 8, 15, tzinfo=ZoneInfo("UTC"))
    set_edit(
        settings.paths.seeds, "story-0001.txt", "headline", "Park plan approved", by="Ed", now=when
    )
    return settings


def _dropped_story(settings: Settings) -> Settings:
    from digest.seeds.edits import set_edit

    when = datetime(2026, 12, 1, 8, 15, tzinfo=ZoneInfo("UTC"))
    set_edit(settings.paths.seeds, "story-0001.txt", "drop", True, by="Ed", now=when)
    return settings  # story 2 takes its place


CHANGES: dict[str, Callable[[Settings], Settings]] = {
    "a new seed": _new_seed,
    "a corrected seed": _corrected_seed,
    "another config": _config,
    "another template": _template,
    "an editor's headline": _edited_headline,
    "an editor's drop": _dropped_story,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_after_approval_withdraws_it(tmp_path: Path, change: str) -> None:
    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    scheduler = started(settings)
    scheduler.run_due(slot.utc - timedelta(hours=1))
    first = approve(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=50))
    changed = CHANGES[change](settings)
    scheduler = started(changed)  # a restart reads a new config; the others need none
    clock = Clock(scheduler, slot)
    clock.run(slot.utc - timedelta(minutes=40), slot.utc + timedelta(minutes=30))
    assert clock.first(2) is None  # what was approved is not what would go out
    withdrawn = events(settings, "withdrawn")
    assert (
        len(withdrawn) == 1
        and "the batch changed after its approval by Ana" in (withdrawn[0]["detail"])
    )
    assert read_state(settings.paths.outbox, slot.folder).status == "pending"
    second = approve(changed, slot.folder, by="Bo", now=slot.utc + timedelta(minutes=35))
    assert second.outcome == "published" and second.manifest_sha256 != first.manifest_sha256
    approval = read_manifest(second.path).approval
    assert approval is not None and approval.by == "Bo"
    assert [e["event"] for e in events(settings)].count("published") == 1


def test_a_held_slot_is_never_published_and_expires_with_its_reason(tmp_path: Path) -> None:
    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    clock = Clock(started(settings), slot)
    clock.actions[slot.utc - timedelta(hours=1)] = lambda now: approve(
        settings, slot.folder, by="Ana", now=now
    )
    clock.actions[slot.utc - timedelta(minutes=30)] = lambda now: hold(
        settings, slot.folder, reason="the figures are disputed", now=now
    )
    clock.run(slot.utc - timedelta(hours=2), slot.utc + timedelta(hours=7))
    assert clock.first(2) is None
    assert [e["detail"] for e in events(settings, "held")] == ["the figures are disputed"]
    assert [e["detail"] for e in events(settings, "expired")] == [
        "held (the figures are disputed) and not approved within catch_up (6h) of its time"
    ]


def test_approved_after_its_time_it_is_published_at_once_and_once(tmp_path: Path) -> None:
    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    clock = Clock(started(settings), slot)
    late = slot.utc + timedelta(hours=2, minutes=5)
    clock.actions[late] = lambda now: approve(settings, slot.folder, by="Ana", now=now)
    clock.run(slot.utc - timedelta(hours=1), slot.utc + timedelta(hours=8))
    assert clock.first(2) == slot.utc + timedelta(hours=2, minutes=10)  # the wake-up after it
    assert [e["event"] for e in events(settings)] == ["prepared", "approved", "published"]
    assert datetime.fromisoformat(events(settings, "published")[0]["at"]) == (
        slot.utc + timedelta(hours=2, minutes=10)
    )


def test_a_restarted_scheduler_publishes_what_was_approved_before(tmp_path: Path) -> None:
    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    started(settings).run_due(slot.utc - timedelta(hours=1))
    approve(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=30))
    # Down from 08:00 until 11:00: the new process publishes within catch_up.
    started(settings).run_due(slot.utc + timedelta(hours=2))
    assert is_published(settings.paths.outbox, slot.folder)
    again = started(settings)
    again.run_due(slot.utc + timedelta(hours=3))
    assert len(events(settings, "published")) == 1


def test_a_slot_with_nothing_new_is_empty_at_its_time(tmp_path: Path) -> None:
    settings = approval_project(tmp_path, seeds=1)
    first, second = the_slot(settings), the_slot(settings, DAY + timedelta(days=1))
    clock = Clock(started(settings), first)
    clock.actions[first.utc] = lambda now: approve(settings, first.folder, by="Ana", now=now)
    clock.run(first.utc - timedelta(hours=1), second.utc + timedelta(hours=1))
    assert [b.day for b in published(settings.paths.outbox)] == ["2026-12-01"]
    assert [e["batch_id"] for e in events(settings, "empty")] == [second.batch_id]
    assert not pending_path(settings.paths.outbox, second.folder).exists()


def test_a_pending_batch_whose_stories_went_out_is_taken_back(tmp_path: Path) -> None:
    """Story 1 waits for approval; it is published by hand before (digest build); the pending
    batch, approved, holds nothing new any more and is withdrawn, and the slot is empty."""
    from digest.pipeline import build

    settings = approval_project(tmp_path, seeds=1)
    slot = the_slot(settings)
    scheduler = started(settings)
    scheduler.run_due(slot.utc - timedelta(hours=1))
    approve(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=55))
    earlier = the_slot(settings, DAY - timedelta(days=1))
    assert build(settings, earlier, durable=False).batch is not None
    scheduler.run_due(slot.utc - timedelta(minutes=30))
    assert not pending_path(settings.paths.outbox, slot.folder).exists()
    assert [e["detail"][:40] for e in events(settings, "withdrawn")] == [
        "the slot has no new story any more after"
    ]
    scheduler.run_due(slot.utc)
    assert [e["batch_id"] for e in events(settings, "empty")] == [slot.batch_id]
    assert [b.day for b in published(settings.paths.outbox)] == ["2026-11-30"]


def test_the_prepare_window_crosses_midnight(tmp_path: Path) -> None:
    settings = approval_project(tmp_path, at="00:30", timezone="Europe/London", prepare="2h")
    slot = the_slot(settings)
    assert slot.folder == "2026-12-01/daily-0030"
    started(settings).run_due(datetime(2026, 11, 30, 22, 31, tzinfo=ZoneInfo("Europe/London")))
    assert pending_path(settings.paths.outbox, slot.folder).is_dir()


def test_a_failed_preparation_backs_off_and_keeps_the_approved_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.scheduler.approval as module

    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    scheduler = started(settings)
    scheduler.run_due(slot.utc - timedelta(hours=1))
    approve(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=55))
    real = module.assemble_slot
    broken = {"on": True}

    def assemble(*args, **kwargs):  # type: ignore[no-untyped-def]
        if broken["on"]:
            raise RuntimeError("template exploded")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "assemble_slot", assemble)
    scheduler.run_due(slot.utc)
    assert [e["detail"] for e in events(settings, "failed")] == ["RuntimeError: template exploded"]
    assert not is_published(settings.paths.outbox, slot.folder)
    assert read_state(settings.paths.outbox, slot.folder).status == "approved"
    broken["on"] = False
    scheduler.run_due(slot.utc + timedelta(seconds=20))  # inside the back-off: nothing
    assert not is_published(settings.paths.outbox, slot.folder)
    scheduler.run_due(slot.utc + timedelta(seconds=40))
    assert is_published(settings.paths.outbox, slot.folder)


def _run_without_approval(folder: Path, extra: dict[str, object]) -> tuple[object, ...]:
    """Two days of wake-ups of a schedule with `extra` keys: its batches' files, its manifests
    (config hash aside), its journal and what each wake-up saw."""
    folder.mkdir()
    values = {"name": "daily", "at": "09:00", "timezone": "UTC"} | extra
    settings = project(folder, [values], channels=("email", "x"))
    for number in range(3):
        write_seed(settings.paths.seeds, number)
    slot = the_slot(settings)
    clock = Clock(started(settings), slot, every=timedelta(minutes=30))
    clock.run(slot.utc - timedelta(hours=4), slot.utc + timedelta(days=2))
    outbox = settings.paths.outbox
    assert not (outbox / ".pending").exists()
    files = {
        path.relative_to(outbox).as_posix(): path.read_bytes()
        for path in sorted(outbox.glob("2*/*/**/*"))
        if path.is_file() and path.name != "manifest.json"
    }
    manifests = [
        json.loads(path.read_text()) | {"config_hash": ""}
        for path in sorted(outbox.glob("2*/*/manifest.json"))
    ]
    lines = [{k: e[k] for k in ("event", "batch_id", "at", "detail")} for e in journal.read(outbox)]
    return files, manifests, lines, clock.seen


def test_approval_none_publishes_exactly_as_before(tmp_path: Path) -> None:
    """A schedule without approval keys and one saying approval = "none" (with a prepare it
    ignores) publish the same batches, byte for byte, with the same journal, and no pending
    area."""
    plain = _run_without_approval(tmp_path / "plain", {})
    explicit = _run_without_approval(tmp_path / "explicit", {"approval": "none", "prepare": "3h"})
    assert plain[0] == explicit[0] and plain[1] == explicit[1] and plain[3] == explicit[3]
    journal_of = [{**e, "detail": e["detail"].replace("explicit", "plain")} for e in explicit[2]]
    assert plain[2] == journal_of
    assert len(plain[1]) == 3 and all("approval" not in m for m in plain[1])


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('approval = "sometimes"', "Input should be 'none' or 'required'"),
        ("approval = true", "Input should be 'none' or 'required'"),
        ('prepare = "soon"', "is not a duration"),
        ('prepare = "0"', "write 1m to 7d"),
        ('prepare = "8d"', "write 1m to 7d"),
        ('prepare = "400d"', "366 days"),
    ],
)
def test_approval_and_prepare_are_checked_with_their_key(
    tmp_path: Path, line: str, problem: str
) -> None:
    from support.factories import ROOT

    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('catch_up = "6h"', f'catch_up = "6h"\n{line}', 1)
    found = config_problems(tmp_path, text)
    key = "schedules[0]." + line.split(" ")[0]
    assert problem in found[key], found


@pytest.mark.parametrize("prepare", ["1m", "2h", "1d 12h", "7d"])
def test_a_prepare_from_a_minute_to_a_week_is_taken(tmp_path: Path, prepare: str) -> None:
    settings = approval_project(tmp_path, prepare=prepare)
    assert settings.schedules[0].approval == "required"
    assert settings.schedules[0].prepare == prepare


def test_the_example_configs_leave_approval_off() -> None:
    from support.factories import ROOT

    for path in (ROOT / "config.toml", ROOT / "digest" / "examples" / "config.toml"):
        text = path.read_text(encoding="utf-8")
        assert '# approval = "required"' in text and "# prepare = " in text
        assert all(s.approval == "none" for s in load_config(path).schedules)


def test_one_fetch_per_slot_however_many_wake_ups_prepare_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.scheduler.fetching as fetching

    settings = approval_project(tmp_path)
    config = settings.paths.seeds.parent / "config.toml"
    config.write_text(
        config.read_text() + '[[sources]]\nname = "city"\nurl = "https://example.org/c.xml"\n'
    )
    settings = load_config(config)
    calls: list[datetime] = []
    monkeypatch.setattr(fetching, "fetch_sources", lambda s, now: calls.append(now) or [])
    slot = the_slot(settings)
    clock = Clock(started(settings), slot)
    clock.actions[slot.utc - timedelta(minutes=20)] = lambda now: approve(
        settings, slot.folder, by="Ana", now=now
    )
    clock.run(slot.utc - timedelta(hours=3), slot.utc + timedelta(hours=1))
    assert calls == [slot.utc - timedelta(hours=2)]
    assert is_published(settings.paths.outbox, slot.folder)


def test_an_idle_wake_up_of_an_approval_schedule_loads_no_renderer(tmp_path: Path) -> None:
    approval_project(tmp_path)
    code = (  # 6 h before the slot: outside its prepare window
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from digest.config import load_config\n"
        "from digest.scheduler import Scheduler\n"
        f"scheduler = Scheduler(load_config({str(tmp_path / 'config.toml')!r}), lock=False)\n"
        "scheduler.start()\n"
        "scheduler.run_due(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))\n"
        "print(sorted(m for m in sys.modules if m.startswith('digest')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    for heavy in ("digest.pipeline", "digest.summarize", "digest.render", "digest.platforms"):
        assert f"'{heavy}" not in loaded.stdout, heavy


ROUNDS = 12


def _approver(settings: Settings, barrier, day: date, now: datetime) -> None:  # type: ignore[no-untyped-def]
    barrier.wait()
    approve(settings, the_slot(settings, day).folder, by="racer", now=now, durable=False)


def _scheduler(settings: Settings, barrier, now: datetime) -> None:  # type: ignore[no-untyped-def]
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    barrier.wait()
    scheduler.run_due(now)


def test_approvers_and_a_scheduler_racing_in_processes_publish_each_slot_once(
    tmp_path: Path,
) -> None:
    settings = approval_project(tmp_path, seeds=ROUNDS)
    context = multiprocessing.get_context("fork")
    for number in range(ROUNDS):
        day = DAY + timedelta(days=number)
        slot = the_slot(settings, day)
        started(settings).run_due(slot.utc - timedelta(hours=1))  # prepares it
        barrier = context.Barrier(3)
        now = slot.utc + timedelta(minutes=1)
        racers = [
            context.Process(target=_approver, args=(settings, barrier, day, now)),
            context.Process(target=_approver, args=(settings, barrier, day, now)),
            context.Process(target=_scheduler, args=(settings, barrier, now)),
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=120)
            assert racer.exitcode == 0
        assert is_published(settings.paths.outbox, slot.folder)
    outbox = settings.paths.outbox
    assert len(published(outbox)) == ROUNDS
    announced = [e["batch_id"] for e in events(settings, "published")]
    assert len(announced) == ROUNDS == len(set(announced))
    assert list((outbox / ".staging").iterdir()) == []
    assert not [p for p in (outbox / ".pending").rglob("*") if p.name != ".lock"]


def test_a_wake_up_that_publishes_an_approved_batch_runs_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.archive as archive

    settings = approval_project(tmp_path)
    config = settings.paths.seeds.parent / "config.toml"
    config.write_text(
        config.read_text()
        + '[archive]\nenabled = true\nbase_url = "https://example.org/archive/"\n'
    )
    settings = load_config(config)
    runs: list[Settings] = []
    monkeypatch.setattr(archive, "after_publish", lambda s: runs.append(s))
    slot = the_slot(settings)
    scheduler = started(settings)
    scheduler.run_due(slot.utc - timedelta(hours=1))  # prepared: nothing published
    approve(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=30))
    assert runs == []
    scheduler.run_due(slot.utc)
    assert len(runs) == 1 and is_published(settings.paths.outbox, slot.folder)


def test_the_readme_example_is_a_schedule_that_needs_approval(tmp_path: Path) -> None:
    import tomllib

    from support.factories import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Approval") :]
    block = section[section.index("```toml\n") + 8 : section.index("```\n", 8)]
    [example] = tomllib.loads(block)["schedules"]
    schedule = approval_project(tmp_path, **example).schedules[0]
    assert (schedule.approval, schedule.prepare, schedule.catch_up) == ("required", "2h", "6h")


ACTIONS = ("wake", "approve", "hold", "edit")


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.integers(-180, 480), st.sampled_from(ACTIONS)), min_size=1, max_size=10)
)
def test_any_run_of_wake_ups_approvals_holds_and_edits_publishes_only_what_was_approved(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, str]]
) -> None:
    """Whatever happens in whatever order between three hours before the slot and eight after:
    at most one batch, published from the slot time to the end of its catch-up, holding exactly
    what the last approval before it approved; never after an expiry, never unapproved."""
    settings = approval_project(tmp_path_factory.mktemp("run"))
    slot = the_slot(settings)
    scheduler = started(settings)
    edits = 0
    for minutes, action in sorted(steps):
        now = slot.utc + timedelta(minutes=minutes)
        try:
            if action == "wake":
                scheduler.run_due(now)
            elif action == "approve":
                approve(settings, slot.folder, by="Ana", now=now)
            elif action == "hold":
                hold(settings, slot.folder, reason="wait", now=now)
            else:
                edits += 1
                path = settings.paths.seeds / "story-0001.txt"
                path.write_text(path.read_text().replace("spring.", f"spring, phase {edits}."))
        except DigestError as refused:  # not prepared yet, expired, or published already
            assert any(
                words in str(refused)
                for words in ("no batch waiting", "expired", "too late to hold")
            ), refused
    lines = events(settings)
    done = [e for e in lines if e["event"] == "published"]
    assert len(done) <= 1 and len(published(settings.paths.outbox)) == len(done)
    if not done:
        return
    assert not [e for e in lines if e["event"] == "expired"]
    at = datetime.fromisoformat(done[0]["at"])
    assert slot.utc <= at <= slot.utc + timedelta(hours=6)
    approval = read_manifest(settings.paths.outbox / slot.folder).approval
    assert approval is not None
    before = lines[: lines.index(done[0])]
    approvals = [e for e in before if e["event"] in ("approved", "withdrawn", "held")]
    assert approvals and approvals[-1]["event"] == "approved"
    assert approvals[-1]["detail"].endswith(approval.manifest_sha256)
    assert verify(settings.paths.outbox / slot.folder) == []


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("pinned", [False, True], ids=["unpinned", "pinned"])
def test_approving_a_batch_the_seeds_no_longer_make_rebuilds_it_and_refuses(
    tmp_path: Path, change: str, pinned: bool
) -> None:
    from digest.scheduler.approval import approve_current

    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    outbox = settings.paths.outbox
    started(settings).run_due(slot.utc - timedelta(hours=1))
    before = approve(settings, slot.folder, by="X", now=slot.utc - timedelta(hours=1))
    assert before.outcome == "approved"
    changed = CHANGES[change](settings)  # no wake-up after it: the pending batch is the old one
    now = slot.utc - timedelta(minutes=30)
    pin = before.manifest_sha256 if pinned else None
    with pytest.raises(DigestError) as caught:
        approve_current(changed, slot.folder, by="Ana", now=now, manifest_sha256=pin)
    message = str(caught.value)
    assert message.startswith(
        f"{slot.batch_id}: the pending batch was rebuilt with the latest seeds and edits"
    )
    assert "look at it again" in message and before.manifest_sha256 in message
    state = read_state(outbox, slot.folder)
    assert state.status == "pending"  # the earlier approval of the old batch withdrawn too
    assert [e["event"] for e in events(settings)][-2:] == ["withdrawn", "prepared"]
    started(changed).run_due(now)  # a wake-up finds the batch as it would prepare it
    assert [e["event"] for e in events(settings)][-1] == "prepared"
    assert len(events(settings, "prepared")) == 2
    if pinned:  # the pin is the old batch: refused however often it is tried
        with pytest.raises(DigestError, match="changed since it was looked at"):
            approve_current(changed, slot.folder, by="Ana", now=now, manifest_sha256=pin)
    again = approve_current(changed, slot.folder, by="Ana", now=now)
    assert again.outcome == "approved" and again.manifest_sha256 != before.manifest_sha256
    assert read_state(outbox, slot.folder).approved_manifest_sha256 == again.manifest_sha256
    started(changed).run_due(slot.utc)
    assert read_manifest(outbox / slot.folder).approval.by == "Ana"  # type: ignore[union-attr]


def test_approving_a_batch_the_seeds_still_make_approves_it_as_it_is(tmp_path: Path) -> None:
    from digest.scheduler.approval import approve_current

    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    outbox = settings.paths.outbox
    started(settings).run_due(slot.utc - timedelta(hours=1))
    pending = pending_path(outbox, slot.folder)
    files = {p: p.read_bytes() for p in pending.rglob("*") if p.is_file()}
    result = approve_current(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=5))
    assert result.outcome == "approved"
    assert {p: p.read_bytes() for p in pending.rglob("*") if p.is_file()} == files
    assert [e["event"] for e in events(settings)] == ["prepared", "approved"]
    with pytest.raises(DigestError, match="changed since it was looked at"):
        approve_current(settings, slot.folder, by="Bo", now=slot.utc, manifest_sha256="0" * 64)
    assert read_state(outbox, slot.folder).approved_by == "Ana"
    late = approve_current(settings, slot.folder, by="Ana", now=slot.utc + timedelta(minutes=1))
    assert late.outcome == "published"


class Killed(BaseException):
    """Stands for a kill: nothing after it runs, no handler catches it."""


@pytest.mark.parametrize(
    "killed", ["before the journal line", "before the pending copy goes", "inside its removal"]
)
def test_a_wake_up_after_a_publish_that_was_killed_journals_it_and_tidies(
    tmp_path: Path, killed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.outbox.approval as outbox_approval
    import digest.outbox.pending as outbox_pending

    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    outbox = settings.paths.outbox
    started(settings).run_due(slot.utc - timedelta(hours=1))
    approve(settings, slot.folder, by="Ana", now=slot.utc - timedelta(minutes=30))
    record, remove, rmtree = journal.record, outbox_approval.remove, outbox_pending.shutil.rmtree

    def kill_at_published(*args: object, **kwargs: object) -> None:
        if args[2] == "published" and killed == "before the journal line":
            raise Killed
        record(*args, **kwargs)  # type: ignore[arg-type]

    def kill_remove(*args: object, **kwargs: object) -> None:
        if killed == "before the pending copy goes":
            raise Killed
        monkeypatch.setattr(outbox_pending.shutil, "rmtree", lambda *a, **k: _kill())
        remove(*args, **kwargs)  # type: ignore[arg-type]

    def _kill() -> None:
        raise Killed

    monkeypatch.setattr(outbox_approval.journal, "record", kill_at_published)
    monkeypatch.setattr(outbox_approval, "remove", kill_remove)
    with pytest.raises(Killed):
        started(settings).run_due(slot.utc)
    monkeypatch.setattr(outbox_approval.journal, "record", record)
    monkeypatch.setattr(outbox_approval, "remove", remove)
    monkeypatch.setattr(outbox_pending.shutil, "rmtree", rmtree)
    assert is_published(outbox, slot.folder)
    assert (outbox / ".pending").exists()  # what the kill left: a copy, a state file or both
    expected = 0 if killed == "before the journal line" else 1
    assert len(events(settings, "published")) == expected
    for _ in range(2):  # the next wake-up tidies; the one after finds nothing to do
        started(settings).run_due(slot.utc + timedelta(minutes=10))
        assert not pending_path(outbox, slot.folder).exists()
        assert list((outbox / ".pending").rglob("*.state.json")) == []
        assert [e["batch_id"] for e in events(settings, "published")] == [slot.batch_id]
    assert verify(outbox / slot.folder) == []
    assert read_manifest(outbox / slot.folder).approval.by == "Ana"  # type: ignore[union-attr]


def test_a_wake_up_takes_away_the_pending_copy_of_a_slot_built_by_hand(tmp_path: Path) -> None:
    from digest.pipeline import build

    settings = approval_project(tmp_path)
    slot = the_slot(settings)
    outbox = settings.paths.outbox
    started(settings).run_due(slot.utc - timedelta(hours=1))
    hold(settings, slot.folder, reason="disputed", now=slot.utc - timedelta(minutes=50))
    build(settings, slot)  # digest build --without-approval
    started(settings).run_due(slot.utc - timedelta(minutes=40))
    assert not pending_path(outbox, slot.folder).exists()
    assert list((outbox / ".pending").rglob("*.state.json")) == []
    assert read_manifest(outbox / slot.folder).approval is None
