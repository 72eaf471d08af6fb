""" "Is this slot published?" has one answer, `digest.outbox.is_published`, and every caller agrees.

A batch is published by one rename of a staged folder whose manifest.json was written last, so a
slot is published exactly when a real folder holding a manifest stands at `<date>/<slot>`. Each
case below leaves the slot's folder in one state; `is_published`, the outbox listing
(`published()`, what consumers and `digest outbox list` read), the scheduler's pending slots, and
a build must all treat it the same way.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from support.factories import project, write_seed

import digest.pipeline
from digest.config import Settings
from digest.errors import BatchExistsError, PublishError
from digest.models import Slot
from digest.outbox import is_published, journal
from digest.outbox.published import published
from digest.outbox.staging import STAGING
from digest.pipeline import build
from digest.scheduler import Scheduler
from digest.scheduler.slots import slot_on

FOLDER = "2026-11-28/morning-0800"
EARLIER = "2026-11-27/morning-0800"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A project with one seed; nothing published yet."""
    settings = project(tmp_path, [{"name": "morning", "at": "08:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    return settings


def _slot(settings: Settings, day: date = date(2026, 11, 28)) -> Slot:
    return slot_on(settings.schedules[0], day)


def _batch_elsewhere(settings: Settings) -> Path:
    """A whole batch of the slot, published in a second outbox beside the project's."""
    other = settings.paths.outbox.parent / "other-outbox"
    paths = settings.paths.model_copy(update={"outbox": other})
    result = build(settings.model_copy(update={"paths": paths}), _slot(settings), durable=False)
    assert result.batch is not None
    return result.batch


def _missing(settings: Settings, slot: Path) -> None:
    pass


def _empty_folder(settings: Settings, slot: Path) -> None:
    slot.mkdir(parents=True)


def _folder_without_manifest(settings: Settings, slot: Path) -> None:
    """What a copy that stopped half way leaves: every file but the manifest."""
    shutil.copytree(_batch_elsewhere(settings), slot)
    (slot / "manifest.json").unlink()


def _published_batch(settings: Settings, slot: Path) -> None:
    build(settings, _slot(settings), durable=False)


def _linked_manifest(settings: Settings, slot: Path) -> None:
    """A damaged batch: published, its manifest unreadable (a link is never followed)."""
    build(settings, _slot(settings), durable=False)
    copy = settings.paths.outbox.parent / "manifest-copy.json"
    (slot / "manifest.json").rename(copy)
    (slot / "manifest.json").symlink_to(copy)


def _a_file(settings: Settings, slot: Path) -> None:
    slot.parent.mkdir(parents=True)
    slot.write_text("not a batch\n")


def _link_to_a_batch(settings: Settings, slot: Path) -> None:
    """A link at the slot to a whole batch elsewhere: consumers never follow it."""
    slot.parent.mkdir(parents=True)
    slot.symlink_to(_batch_elsewhere(settings))


def _dangling_link(settings: Settings, slot: Path) -> None:
    slot.parent.mkdir(parents=True)
    slot.symlink_to(settings.paths.outbox.parent / "nowhere")


def _staging_leftovers(settings: Settings, slot: Path) -> None:
    """A publisher killed just before its rename: the whole batch, manifest too, in staging."""
    root = settings.paths.outbox / STAGING
    root.mkdir(parents=True)
    shutil.copytree(
        _batch_elsewhere(settings), root / "morning_2026-11-28T080000Z.4242-0badcafe.partial"
    )


# name -> (how to leave the slot, published?, what a build without --force does there)
STATES: dict[str, tuple[Callable[[Settings, Path], None], bool, str]] = {
    "missing": (_missing, False, "publishes"),
    "an empty folder": (_empty_folder, False, "refuses, not a batch"),
    "a folder without manifest.json": (_folder_without_manifest, False, "refuses, not a batch"),
    "a published batch": (_published_batch, True, "refuses, published"),
    "a batch whose manifest is a link": (_linked_manifest, True, "refuses, published"),
    "a file": (_a_file, False, "refuses, not a batch"),
    "a symlink to a batch": (_link_to_a_batch, False, "refuses, not a batch"),
    "a dangling symlink": (_dangling_link, False, "refuses, not a batch"),
    "staging leftovers of the slot": (_staging_leftovers, False, "publishes"),
}


@pytest.mark.parametrize("state", list(STATES))
def test_is_published_and_the_outbox_listing_agree(settings: Settings, state: str) -> None:
    plant, expected, _ = STATES[state]
    outbox = settings.paths.outbox
    plant(settings, outbox / FOLDER)
    assert is_published(outbox, FOLDER) is expected
    listed = [b.path.relative_to(outbox).as_posix() for b in published(outbox)]
    assert (FOLDER in listed) is expected, listed


@pytest.mark.parametrize("state", list(STATES))
def test_the_scheduler_runs_exactly_the_slots_that_are_not_published(
    settings: Settings, state: str
) -> None:
    plant, expected, _ = STATES[state]
    plant(settings, settings.paths.outbox / FOLDER)
    scheduler = Scheduler(settings, lock=False)
    now = _slot(settings).utc + timedelta(minutes=5)
    pending = [slot.folder for slot in scheduler.pending(settings.schedules[0], now)]
    assert pending == ([] if expected else [FOLDER])


@pytest.mark.parametrize("state", list(STATES))
def test_a_build_refuses_a_published_slot_before_rendering_and_anything_else_there(
    settings: Settings, state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant, _, outcome = STATES[state]
    slot_path = settings.paths.outbox / FOLDER
    plant(settings, slot_path)
    before = _snapshot(slot_path)
    if outcome.startswith("refuses"):
        monkeypatch.setattr(digest.pipeline, "assemble", _not_reached)  # before rendering
    if outcome == "refuses, published":
        with pytest.raises(BatchExistsError, match="already published"):
            build(settings, _slot(settings), durable=False)
    elif outcome == "refuses, not a batch":
        with pytest.raises(PublishError, match="not a published batch, stands where the batch"):
            build(settings, _slot(settings), durable=False)
    else:
        assert build(settings, _slot(settings), durable=False).batch == slot_path
        assert is_published(settings.paths.outbox, FOLDER)
        return
    assert _snapshot(slot_path) == before  # whatever stood there is left as it was


def test_a_slot_holding_no_batch_is_journaled_failed_not_settled_in_silence(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Consumers see no batch there, so neither does the scheduler: it says so, and retries."""
    outbox = settings.paths.outbox
    (outbox / FOLDER).mkdir(parents=True)
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    with caplog.at_level(logging.ERROR):
        scheduler.run_due(_slot(settings).utc + timedelta(minutes=5))
    [event] = journal.read(outbox)
    assert event["event"] == "failed" and "not a published batch" in event["detail"]
    assert f"{outbox / FOLDER}: a folder without manifest.json" in caplog.text
    assert not is_published(outbox, FOLDER) and published(outbox) == []


def test_a_linked_date_folder_is_no_published_slot_for_anyone(settings: Settings) -> None:
    """Its batches are nobody's: the listing skips it, the scheduler's build fails and says why."""
    outbox = settings.paths.outbox
    elsewhere = _batch_elsewhere(settings).parent
    outbox.mkdir(parents=True)
    os.symlink(elsewhere, outbox / "2026-11-28")
    with pytest.raises(PublishError, match="a symbolic link"):
        is_published(outbox, FOLDER)
    assert published(outbox) == []
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(_slot(settings).utc + timedelta(minutes=5))
    [event] = journal.read(outbox)
    assert event["event"] == "failed" and "a symbolic link" in event["detail"]


def test_an_earlier_batch_is_published_and_the_next_slot_is_not(settings: Settings) -> None:
    build(settings, _slot(settings, date(2026, 11, 27)), durable=False)
    outbox = settings.paths.outbox
    assert is_published(outbox, EARLIER) and not is_published(outbox, FOLDER)
    assert [b.path.relative_to(outbox).as_posix() for b in published(outbox)] == [EARLIER]


def _not_reached(*args: object, **kwargs: object) -> None:
    raise AssertionError("rendered before the outbox was checked")


def _snapshot(path: Path) -> tuple[str, list[str]]:
    """What stands at `path` (kind, and the names inside a real folder), never through a link."""
    if path.is_symlink():
        return ("link", [os.readlink(path)])
    if path.is_dir():
        return ("folder", sorted(p.relative_to(path).as_posix() for p in path.rglob("*")))
    return ("file", []) if path.exists() else ("nothing", [])
