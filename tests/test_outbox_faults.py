"""Publishing under faults: SIGKILL mid-write, and every write or fsync failing in turn."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import multiprocessing
import os
import random
import signal
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.factories import BBC_SEEDS, make_digest, project, write_seed

from digest.errors import BatchExistsError, PublishError
from digest.outbox import flush, publish
from digest.outbox.batches import claim, done, read_manifest, status, verify
from digest.outbox.published import published
from digest.outbox.staging import STAGING, clean_stale
from digest.pipeline import build
from digest.render import render
from digest.scheduler.slots import slot_on
from digest.seeds import read_seed

KILLS = 100


def _watch(outbox: str, stop: Any, problems: Any, seen: Any) -> None:
    """A consumer polling the outbox: every batch it can see must be complete and intact."""
    while not stop.is_set():
        for batch in published(Path(outbox)):
            try:
                found = verify(batch.path)
            except Exception as exc:  # a manifest that does not parse is a problem too
                found = [str(exc)]
            if found:
                problems.append(f"{batch.path}: {found}")
            seen.value += 1
        for day in os.listdir(outbox):
            if day[:1].isdigit():
                for name in os.listdir(os.path.join(outbox, day)):
                    if not os.path.isfile(os.path.join(outbox, day, name, "manifest.json")):
                        problems.append(f"{day}/{name}: a batch folder without a manifest")


def test_sigkill_mid_publish_never_shows_a_partial_batch(tmp_path: Path) -> None:
    settings = project(
        tmp_path,
        [{"name": "kill", "at": "09:00", "timezone": "UTC"}],
        channels=("email", "x", "bluesky", "mastodon", "linkedin", "threads"),
    )
    bbc = sorted(BBC_SEEDS.glob("*.txt"))
    for number in range(KILLS + 2):  # a fresh real article for every slot
        source = bbc[number % len(bbc)]
        (settings.paths.seeds / f"{number:03d}-{source.name}").write_bytes(source.read_bytes())
    settings.paths.outbox.mkdir()
    schedule = settings.schedules[0]
    context = multiprocessing.get_context("fork")
    manager = context.Manager()
    problems, stop, seen = manager.list(), manager.Event(), manager.Value("i", 0)
    watcher = context.Process(
        target=_watch, args=(str(settings.paths.outbox), stop, problems, seen)
    )
    watcher.start()
    # Calibrate: kill anywhere between the start and a little past the end of one publish.
    build(settings, slot_on(schedule, date(2025, 12, 30)))  # warm up
    started = time.perf_counter()
    build(settings, slot_on(schedule, date(2025, 12, 31)))
    span = time.perf_counter() - started
    rng = random.Random(7)
    outcomes = {"before": 0, "after": 0}
    mid_write = 0  # kills that left a staging folder behind
    first_day = date(2026, 1, 1)
    for number in range(KILLS):
        slot = slot_on(schedule, first_day + timedelta(days=number))
        pid = os.fork()
        if pid == 0:  # the publisher, killed at a random moment
            try:
                build(settings, slot)
            finally:
                os._exit(0)
        # A quarter of the kills anywhere in the build, the rest close to the publishing step.
        time.sleep(rng.uniform(0, span) if number % 4 == 0 else rng.uniform(0.75, 1.1) * span)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        target = settings.paths.outbox / slot.folder
        landed = "after" if target.exists() else "before"
        outcomes[landed] += 1
        # Keep the kills spread around the moment of publishing, whatever this machine's speed.
        span *= 0.9 if landed == "after" else 1.1
        # The re-run (after the scheduler's start-up clean-up) completes the slot exactly once.
        mid_write += len(clean_stale(settings.paths.outbox))
        with contextlib.suppress(BatchExistsError):
            build(settings, slot)
        assert verify(target) == []
    stop.set()
    watcher.join(timeout=60)
    assert list(problems) == []
    assert seen.value > KILLS  # the watcher really was looking
    assert outcomes["before"] > 10 and outcomes["after"] > 10, outcomes
    assert mid_write > 5, mid_write
    days = [b.day for b in published(settings.paths.outbox, "kill")]
    assert len(days) == len(set(days)) == KILLS + 2
    assert os.listdir(settings.paths.outbox / STAGING) == []


class FailingOs:
    """The `os` module as digest.outbox sees it, with the Nth write or fsync failing."""

    def __init__(self, fail_at: int | None, code: int) -> None:
        self.calls, self.fail_at, self.code = 0, fail_at, code

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _count(self) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise OSError(self.code, os.strerror(self.code))

    def write(self, fd: int, data: Any) -> int:
        self._count()
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        self._count()
        os.fsync(fd)

    def syncfs(self, fd: int) -> bool:
        """`flush.sync_filesystem`, counted and failed like a write or an fsync."""
        self._count()
        return _SYNC_FILESYSTEM(fd)


_SYNC_FILESYSTEM = flush.sync_filesystem
# How a batch's files are made durable: one syncfs where it reports errors, else an fsync each.
SYNCS = ("syncfs", "fsync each")


def _failing(monkeypatch: pytest.MonkeyPatch, failing: Any, sync: str) -> None:
    """Publish with `failing` as digest.outbox's `os` (and its syncfs), syncing as `sync` says."""
    import digest.outbox as module

    monkeypatch.setattr(module, "os", failing)
    if sync == "syncfs":
        if not flush.available():
            pytest.skip("this system has no syncfs that reports write errors (Linux 5.8+)")
        monkeypatch.setattr(flush, "sync_filesystem", failing.syncfs)
    else:
        monkeypatch.setattr(flush, "available", lambda: False)


@pytest.fixture(scope="module")
def rendered_batch(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("faults")
    settings = project(
        folder,
        [{"name": "faults", "at": "09:00", "timezone": "UTC"}],
        channels=("email", "x", "bluesky"),
    )
    digest = make_digest(
        [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:3]],
        channels=("email", "x", "bluesky"),
    )
    return render(digest, settings)


@pytest.mark.parametrize("sync", SYNCS)
def test_every_failing_write_or_fsync_leaves_nothing_visible(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rendered_batch: Any,
    caplog: pytest.LogCaptureFixture,
    sync: str,
) -> None:
    counter = FailingOs(None, 0)
    _failing(monkeypatch, counter, sync)
    publish(rendered_batch, tmp_path / "count", "h")
    total = counter.calls
    assert total > 10
    for code in (errno.ENOSPC, errno.EIO):
        for fail_at in range(1, total + 1):
            outbox = tmp_path / f"{errno.errorcode[code]}-{fail_at}"
            _failing(monkeypatch, FailingOs(fail_at, code), sync)
            if fail_at == total:  # the last fsync, of the outbox folder after the rename
                batch = publish(rendered_batch, outbox, "h")
                assert verify(batch) == [] and "may not survive a power loss" in caplog.text
                continue
            with pytest.raises(PublishError) as caught:
                publish(rendered_batch, outbox, "h")
            message = str(caught.value)
            assert errno.errorcode[code] in message and "nothing was published" in message
            assert published(outbox) == []
            assert list((outbox / STAGING).iterdir()) == []
            monkeypatch.undo()
            batch = publish(rendered_batch, outbox, "h")
            assert verify(batch) == []


def test_a_batch_is_synced_by_one_syncfs_or_one_fsync_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered_batch: Any
) -> None:
    """Each file is made durable before the manifest is written: by syncfs where it reports
    errors, else (or when a system call filter refuses it) by an fsync of each file."""
    files = len(rendered_batch.files)
    calls = {}
    for case, refused in (("syncfs", False), ("refused", True), ("fsync each", False)):
        counter = FailingOs(None, 0)
        _failing(monkeypatch, counter, "fsync each" if case == "fsync each" else "syncfs")
        if refused:
            monkeypatch.setattr(flush, "sync_filesystem", lambda fd: False)
        batch = publish(rendered_batch, tmp_path / case, "h")
        monkeypatch.undo()
        assert verify(batch) == []
        calls[case] = counter.calls - files - 1  # less the writes (one per file and manifest)
    folders = 4  # the batch, email/, social/, stories/
    # syncfs (counted as one call), a folder each, the manifest, the batch again, the outbox
    assert calls["syncfs"] == 1 + folders + 3, calls
    assert calls["refused"] == calls["fsync each"] == files + folders + 3, calls


def _half_replaced(outbox: Path, pid: int, marker: str | None, target_left: bool) -> Path:
    """What a --force of the fallback scheme leaves when killed between its two renames."""
    first = publish(_small("old"), outbox, "h", durable=False)
    base = outbox / STAGING / f"{BASE}.{pid}-0badf00d"
    os.rename(first, f"{base}.replaced")
    if target_left:
        publish(_small("new"), outbox, "h", durable=False)
    if marker is not None:
        Path(f"{base}.target").write_text(marker + "\n")
    return first


def _small(text: str) -> Any:
    from digest.models import Rendered, RenderedFile

    file = RenderedFile(path="email/digest.txt", content=text.encode(), media_type="text/plain")
    return Rendered(digest=make_digest(channels=("email",)), files=(file,))


DEAD = 999_999_999
BASE = "morning_2026-11-28T080000Z"
# (marker, whether the new batch made it, what the slot must hold after the repair)
REPAIRS = {
    "killed between the renames": ("2026-11-28/morning-0800", False, "old"),
    "killed after the second rename": ("2026-11-28/morning-0800", True, "new"),
    "a marker naming a path outside the outbox": ("../../elsewhere", False, None),
    "no marker (a batch of an older digest)": (None, False, None),
}


def test_start_up_repairs_each_half_done_replacement_of_a_dead_publisher(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for case, (marker, target_left, holds) in REPAIRS.items():
        outbox = tmp_path / case / "outbox"
        target = _half_replaced(outbox, DEAD, marker, target_left)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="digest.outbox"):
            clean_stale(outbox)
        assert os.listdir(outbox / STAGING) == [], case
        if holds is None:  # no slot to put it back in: removed, nothing written elsewhere
            assert not target.exists() and not (tmp_path / "elsewhere").exists(), case
            continue
        assert (target / "email/digest.txt").read_text() == holds, case
        assert verify(target) == [], case
        verb = "restored" if holds == "old" else "removed"
        assert any(r.getMessage().startswith(verb) for r in caplog.records), case
    # A publisher still running (it holds its lock) is in the middle of it: all is left alone.
    outbox = tmp_path / "live" / "outbox"
    _half_replaced(outbox, os.getppid(), "2026-11-28/morning-0800", False)
    lock = os.open(outbox / STAGING / f"{BASE}.{os.getppid()}-0badf00d.lock", os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another open file than the cleaner's: it conflicts
        before = sorted(os.listdir(outbox / STAGING))
        clean_stale(outbox)
        assert sorted(os.listdir(outbox / STAGING)) == before
    finally:
        os.close(lock)


def test_build_cleans_its_own_stale_staging(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    dead = settings.paths.outbox / STAGING / f"daily_2026-11-28T090000Z.{DEAD}-0badf00d.partial"
    (dead / "email").mkdir(parents=True)
    (dead / "email" / "digest.html").write_text("half")
    with caplog.at_level(logging.WARNING, logger="digest.outbox"):
        build(settings, slot_on(settings.schedules[0], date(2026, 11, 28)), durable=False)
    assert os.listdir(settings.paths.outbox / STAGING) == []
    assert f"removed stale staging folder {dead}" in caplog.text


def _claimed_batch(outbox: Path, rendered: Any) -> tuple[Path, dict[str, bytes]]:
    """A published batch whose email a sender claimed and sent."""
    batch = publish(rendered, outbox, "old", durable=False)
    claim(batch, "email", datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
    done(batch, "email", datetime(2026, 11, 28, 9, 31, tzinfo=UTC))
    return batch, {p.name: p.read_bytes() for p in (batch / "claims").iterdir()}


@pytest.mark.parametrize("sync", SYNCS)
def test_every_failing_write_or_fsync_of_a_force_keeps_one_batch_and_its_claims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered_batch: Any, sync: str
) -> None:
    batch, claims = _claimed_batch(tmp_path / "count", rendered_batch)
    counter = FailingOs(None, 0)
    _failing(monkeypatch, counter, sync)
    publish(rendered_batch, tmp_path / "count", "new", force=True)
    total = counter.calls
    for fail_at in range(1, total + 1):
        monkeypatch.undo()
        batch, claims = _claimed_batch(tmp_path / f"ENOSPC-{fail_at}", rendered_batch)
        _failing(monkeypatch, FailingOs(fail_at, errno.ENOSPC), sync)
        try:
            publish(rendered_batch, batch.parent.parent, "new", force=True)
            held = "new"
        except PublishError:
            held = "old"
        monkeypatch.undo()
        assert read_manifest(batch).config_hash == held and verify(batch) == [], fail_at
        assert {p.name: p.read_bytes() for p in (batch / "claims").iterdir()} == claims, fail_at
        assert status(batch, "email") == "done", fail_at
        assert list((batch.parent.parent / STAGING).iterdir()) == [], fail_at
    assert held == "new"  # the last call, the fsync after the swap, fails the publish no more
