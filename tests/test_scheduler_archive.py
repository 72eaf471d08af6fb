"""The scheduler's archive hook: with `[archive] enabled`, one archive run after the due slots
of each wake-up that published (catch-up included), never per slot; a failure is logged and
journaled, and the batches stay published."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.archive import BASE_URL, write_project, write_seeds
from support.archive_site import site_problems

import digest.archive as archive
from digest.config import Settings
from digest.outbox import journal
from digest.outbox.published import published
from digest.scheduler import Scheduler

MORNING = {"name": "morning", "at": "08:00", "timezone": "UTC"}
EVENING = {"name": "evening", "at": "09:00", "timezone": "UTC"}


def project(
    folder: Path, *schedules: Mapping[str, object], enabled: bool = True, seeds: int = 20
) -> Settings:
    settings = write_project(
        folder,
        schedules=schedules or (MORNING,),
        stories_per_batch=1,
        archive={"enabled": enabled},
    )
    write_seeds(settings.paths.seeds, seeds)
    return settings


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Each archive run: the issue pages the site held after it."""
    done: list[list[str]] = []
    real = archive.build_archive

    def counting(settings: Settings, out: Path | None = None) -> Any:
        result = real(settings, out)
        done.append(
            sorted(
                p.relative_to(result.out).as_posix() for p in result.out.glob("2026-*/*/index.html")
            )
        )
        return result

    monkeypatch.setattr(archive, "build_archive", counting)
    return done


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def events(settings: Settings, kind: str) -> list[dict[str, str]]:
    return [e for e in journal.read(settings.paths.outbox) if e["event"] == kind]


def test_slots_due_together_are_archived_by_one_run(tmp_path: Path, runs: list[list[str]]) -> None:
    settings = project(tmp_path, MORNING, EVENING)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(at(1, 9, 30))
    assert len(published(settings.paths.outbox)) == 2
    assert runs == [["2026-12-01/evening-0900/index.html", "2026-12-01/morning-0800/index.html"]]
    assert site_problems(settings.paths.site, BASE_URL) == []


def test_a_catch_up_after_downtime_is_archived_once(tmp_path: Path, runs: list[list[str]]) -> None:
    settings = project(tmp_path, MORNING | {"catch_up": "3d"})
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(at(1, 8, 5))  # a first start: the three slots within catch_up
    assert len(published(settings.paths.outbox)) == 3
    assert [len(pages) for pages in runs] == [3]
    # Down from the 1st to the 4th: three more slots caught up in one wake-up.
    restarted = Scheduler(settings, lock=False)
    restarted.start()
    restarted.run_due(at(4, 8, 30))
    assert len(published(settings.paths.outbox)) == 6
    assert [len(pages) for pages in runs] == [3, 6]


def test_simulated_days_archive_once_per_wake_up_that_published(
    tmp_path: Path, runs: list[list[str]]
) -> None:
    settings = project(tmp_path, MORNING, EVENING)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    now = at(1, 0)
    while now < at(4, 0):
        scheduler.run_due(now)
        now += timedelta(minutes=20)
    # Each day's 08:00 and 09:00 slots are published by two wake-ups: six runs, one per batch.
    assert len(published(settings.paths.outbox)) == 6
    assert [len(pages) for pages in runs] == [1, 2, 3, 4, 5, 6]
    assert site_problems(settings.paths.site, BASE_URL) == []


def test_wake_ups_that_publish_nothing_run_no_archive(
    tmp_path: Path, runs: list[list[str]]
) -> None:
    settings = project(tmp_path, seeds=1)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(at(1, 7, 0))  # nothing due
    assert runs == []
    scheduler.run_due(at(1, 8, 1))
    scheduler.run_due(at(1, 8, 21))  # nothing due again
    scheduler.run_due(at(2, 8, 1))  # due, but nothing new: an empty slot
    assert len(runs) == 1
    assert [e["batch_id"] for e in events(settings, "empty")] == ["morning@2026-12-02T08:00:00Z"]


def test_no_archive_when_it_is_not_enabled(tmp_path: Path, runs: list[list[str]]) -> None:
    settings = project(tmp_path, enabled=False)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(at(1, 8, 1))
    assert len(published(settings.paths.outbox)) == 1
    assert runs == [] and not settings.paths.site.exists()


def test_a_failed_archive_is_logged_and_journaled_and_the_batches_stay(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, MORNING, EVENING)
    settings.paths.site.write_text("a file where the site folder goes")
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    with caplog.at_level(logging.ERROR):
        scheduler.run_due(at(1, 9, 30))
    assert [e["batch_id"] for e in events(settings, "published")] == [
        "morning@2026-12-01T08:00:00Z",
        "evening@2026-12-01T09:00:00Z",
    ]
    failed = events(settings, "archive-failed")
    assert len(failed) == 1 and failed[0]["batch_id"] == "evening@2026-12-01T09:00:00Z"
    assert "not a folder" in failed[0]["detail"]
    assert "the archive was not updated" in caplog.text and "not a folder" in caplog.text
    assert len(published(settings.paths.outbox)) == 2
    # Fixed, the next wake-up that publishes archives everything.
    settings.paths.site.unlink()
    scheduler.run_due(at(2, 8, 5))
    assert len(list(settings.paths.site.glob("2026-*/*/index.html"))) == 3
    assert not events(settings, "failed")


def test_an_archive_that_raises_anything_never_stops_the_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = project(tmp_path)

    def broken(settings_: Settings, out: Path | None = None) -> None:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(archive, "build_archive", broken)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    for day in (1, 2):
        scheduler.run_due(at(day, 8, 1))
    assert len(published(settings.paths.outbox)) == 2
    details = [e["detail"] for e in events(settings, "archive-failed")]
    assert details == ["RuntimeError: template exploded"] * 2
