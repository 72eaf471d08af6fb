"""The scheduler: every wake-up publishes the due, unpublished slots; the outbox keeps it honest.

The `schedule` library only wakes the process. Which slots are due comes from the config and the
clock; whether a slot is done comes from the outbox (`digest.outbox.is_published`) and the
journal. So a restart, a clock stepped back, or a second scheduler never makes a second batch
for a slot.

Before a due slot, a schedule with `fetch_before` fetches the config's sources into the seeds
folder first (`digest.scheduler.fetching`: one round per wake-up, failures journaled).

A schedule with `approval = "required"` prepares each slot ahead into `outbox/.pending` and
publishes it at its time only once approved (`digest.scheduler.approval`); it fetches once per
slot, before the first time this process prepares it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.clock import minus, utc_now
from digest.config import Schedule, Settings
from digest.config.values import parse_duration
from digest.errors import BatchExistsError, DigestError, PublishError
from digest.models import Slot
from digest.outbox import is_published, journal
from digest.outbox.approval import tidy_published
from digest.outbox.staging import clean_stale
from digest.scheduler import approval
from digest.scheduler.fetching import fetch_round, nothing_new, wants_fetch
from digest.scheduler.history import learn, write_awake
from digest.scheduler.slots import slots_between

if TYPE_CHECKING:
    from digest.ahead import Ahead
    from digest.pipeline import BuildResult
    from digest.sources import SourceResult

log = logging.getLogger("digest.scheduler")
LOCK = ".scheduler.lock"
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=15)


def build(
    settings: Settings, slot: Slot, *, seeds: Path | None = None, ahead: Ahead | None = None
) -> BuildResult:
    """The pipeline's `build`, imported only when a slot is due: a wake-up with nothing to
    publish never loads the summarizer, the renderers and the platforms."""
    from digest.pipeline import build as build_batch

    return build_batch(settings, slot, seeds=seeds, ahead=ahead)


class Scheduler:
    """Publishes each schedule's slots once, catching up after downtime, backing off on failure."""

    def __init__(
        self,
        settings: Settings,
        *,
        seeds: Path | None = None,
        lock: bool = True,
        helper: bool = False,
    ):
        self.settings = settings
        self.use_helper = helper  # builds share their stories' work with a helper process
        self.outbox = settings.paths.outbox
        self.seeds = seeds
        self.use_lock = lock
        self.stopping = False
        self.failures: dict[str, int] = {}
        self.preparing: set[str] = set()  # the slots this process prepared for approval
        self.retry_at: dict[str, datetime] = {}
        self.last: dict[str, datetime] = {}
        self.settled: set[str] = set()
        self._learned = False
        self._fetched: list[SourceResult] | None = None  # this wake-up's round of sources
        self._published_now: list[Slot] = []  # the slots this wake-up published
        self._lock_fd: int | None = None
        self._ahead: Ahead | None = None  # this wake-up's helper process, once a slot is due

    def start(self) -> None:
        """Clean stale staging folders; the next wake-up learns from the outbox what is done."""
        self.outbox.mkdir(parents=True, exist_ok=True)
        clean_stale(self.outbox)
        self.last, self.settled, self._learned = {}, set(), False

    def _learn(self, now: datetime) -> None:
        # Only with `now` known: a recorded time later than it is not believed.
        if not self._learned:
            names = [schedule.name for schedule in self.settings.schedules]
            self.last, self.settled = learn(self.outbox, names, now)
            self._learned = True

    def run_due(self, now: datetime) -> None:
        """Publish every due, unpublished slot of every schedule (when holding the lock)."""
        if self.use_lock:
            standing_by = self._lock_fd is None
            if not self._hold_lock():
                log.debug("another scheduler holds %s; standing by", self.outbox / LOCK)
                return
            if standing_by:
                # Taking over: what the outbox says now, not what it said at our start-up.
                self.start()
        try:  # an approval's publish stopped before its journal line: journal it, tidy up
            tidy_published(self.outbox, now)
        except (OSError, DigestError) as exc:
            log.warning("the pending area was not tidied: %s", exc)
        # One fetch of the sources per wake-up, by the first due slot that wants one.
        self._fetched, self._published_now = None, []
        try:
            for schedule in self.settings.schedules:
                if self.retry_at.get(schedule.name, now) > now:
                    continue
                for slot in self.pending(schedule, now):
                    if self.stopping or not self._run_slot(schedule, slot, now):
                        break
        finally:
            if self._ahead is not None:
                self._ahead.close()
                self._ahead = None
        self._archive(now)
        write_awake(self.outbox, now)

    def _archive(self, now: datetime) -> None:
        """After the due slots of a wake-up that published (catch-up included): one archive
        run, with `[archive] enabled`; a failure is logged and journaled (`archive-failed`, under
        the last slot published), and the batches stay published."""
        if not self._published_now or not self.settings.archive.enabled:
            return
        from digest.archive import after_publish

        failure = after_publish(self.settings)
        if failure is not None:
            journal.record(self.outbox, now, "archive-failed", self._published_now[-1], failure)

    def pending(self, schedule: Schedule, now: datetime) -> Iterator[Slot]:
        """Slots after the last settled one, up to now, that no batch or journal line settles."""
        self._learn(now)
        window = parse_duration(schedule.catch_up)
        # With no history, start at the catch-up window, and keep that start until a slot settles.
        start = self.last.setdefault(schedule.name, minus(now, window))
        for slot in slots_between(schedule, start, approval.horizon(schedule, now)):
            if slot.batch_id in self.settled or self._published(slot):
                self._settle(slot)
                continue
            yield slot

    def _published(self, slot: Slot) -> bool:
        # A date folder that is a link or a file holds no batch: the build of the slot fails
        # saying so, and the failure is logged and journaled like any other.
        try:
            return is_published(self.outbox, slot.folder)
        except PublishError:
            return False

    def _run_slot(self, schedule: Schedule, slot: Slot, now: datetime) -> bool:
        """Publish one slot; False when it failed (the schedule backs off)."""
        if schedule.approval == "required":
            return self._run_approval(schedule, slot, now)
        window = parse_duration(schedule.catch_up)
        if slot.utc < minus(now, window):
            detail = f"not published within catch_up ({schedule.catch_up}) of its time"
            log.warning("missed %s: %s", slot.batch_id, detail)
            return self._finish(slot, now, "missed", detail)
        if self._fetched is None and wants_fetch(self.settings, schedule):
            self._fetched = fetch_round(self.settings, slot, now, seeds=self.seeds)
        try:
            result = build(self.settings, slot, seeds=self.seeds, ahead=self._helper())
        except BatchExistsError:
            log.info("%s was published by another process", slot.batch_id)
            self._settle(slot)
            return True
        except Exception as exc:  # any failure: log it, back off, keep other schedules running
            return self._fail(schedule, slot, now, exc)
        self.failures.pop(schedule.name, None)
        self.retry_at.pop(schedule.name, None)
        for error in result.rejected:
            log.warning("rejected seed %s", error)
        if result.batch is None:
            if self._fetched is not None and wants_fetch(self.settings, schedule):
                detail = nothing_new(self.settings, schedule, now, self._fetched)
                log.info("%s: %s; no batch published", slot.batch_id, detail)
                return self._finish(slot, now, "empty", detail)
            log.info("%s: no new seeds; no batch published", slot.batch_id)
            return self._finish(slot, now, "empty", "no seed that earlier batches did not carry")
        log.info("published %s (%d stories)", result.batch, len(result.stories))
        self._published_now.append(slot)
        return self._finish(slot, now, "published", str(result.batch))

    def _helper(self) -> Ahead | None:
        """This wake-up's helper process (see `digest.ahead`), started for its first build;
        it works on the next slot's candidates too, as a catch-up builds several."""
        if self.use_helper and self._ahead is None:
            from digest.assemble import helper

            self._ahead = helper(self.settings, lookahead=True)
        return self._ahead

    def _run_approval(self, schedule: Schedule, slot: Slot, now: datetime) -> bool:
        """Prepare, publish once approved, or expire one slot; False when it failed."""
        fresh = slot.batch_id not in self.preparing
        if fresh and approval.wants_preparing(self.settings, slot, now):
            self.preparing.add(slot.batch_id)
            if self._fetched is None and wants_fetch(self.settings, schedule):
                self._fetched = fetch_round(self.settings, slot, now, seeds=self.seeds)
        try:
            step = approval.advance(self.settings, slot, now, seeds=self.seeds)
        except BatchExistsError:
            log.info("%s was published by another process", slot.batch_id)
            self._settle(slot)
            return True
        except Exception as exc:  # as for any slot: log it, back off, keep the others running
            return self._fail(schedule, slot, now, exc)
        self.failures.pop(schedule.name, None)
        self.retry_at.pop(schedule.name, None)
        if step.event == "empty":
            log.info("%s: no new seeds; no batch published", slot.batch_id)
            return self._finish(slot, now, "empty", "no seed that earlier batches did not carry")
        if step.published is not None:
            self._published_now.append(slot)
        if step.settled:
            self._settle(slot)
        return True

    def _fail(self, schedule: Schedule, slot: Slot, now: datetime, exc: Exception) -> bool:
        count = self.failures[schedule.name] = self.failures.get(schedule.name, 0) + 1
        delay = min(BACKOFF_FIRST * 2 ** (count - 1), BACKOFF_CAP)
        self.retry_at[schedule.name] = now + delay
        log.error("%s failed (attempt %d, retry in %s): %s", slot.batch_id, count, delay, exc)
        journal.record(self.outbox, now, "failed", slot, f"{type(exc).__name__}: {exc}")
        return False

    def _finish(self, slot: Slot, now: datetime, event: str, detail: str) -> bool:
        journal.record(self.outbox, now, event, slot, detail)
        self._settle(slot)
        return True

    def _settle(self, slot: Slot) -> None:
        self.settled.add(slot.batch_id)
        self._advance(slot.schedule, slot.utc)

    def _advance(self, schedule: str, instant: datetime) -> None:
        if instant > self.last.get(schedule, instant - timedelta(seconds=1)):
            self.last[schedule] = instant

    def _hold_lock(self) -> bool:
        if self._lock_fd is not None:
            return True
        fd = os.open(self.outbox / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd
        return True

    def close(self) -> None:
        """Release the outbox lock."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def run_once(
    settings: Settings, now: datetime, *, seeds: Path | None = None, helper: bool = False
) -> None:
    """`digest schedule --once`: publish what is due at `now`, then let the outbox lock go
    (cron and systemd timers run this; a scheduler already serving the outbox makes it a no-op).
    `helper`: builds share their work with a helper process (see `digest.ahead`)."""
    scheduler = Scheduler(settings, seeds=seeds, helper=helper)
    scheduler.start()
    try:
        scheduler.run_due(now)
    finally:
        scheduler.close()


def serve(
    scheduler: Scheduler,
    *,
    interval: int = 20,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], Any] = time.sleep,
) -> None:
    """Run until SIGTERM or SIGINT: the `schedule` library wakes `run_due` every `interval` s."""
    import schedule as wakeups

    def stop(signum: int, _frame: object) -> None:
        log.info("received %s; stopping after the current batch", signal.Signals(signum).name)
        scheduler.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    jobs = wakeups.Scheduler()
    jobs.every(interval).seconds.do(_tick, scheduler, clock)
    _tick(scheduler, clock)
    while not scheduler.stopping:
        jobs.run_pending()
        sleep(1)
    scheduler.close()
    log.info("stopped")


def _tick(scheduler: Scheduler, clock: Callable[[], datetime]) -> None:
    # `schedule` re-fires a job that raised on every tick: never let one escape.
    try:
        scheduler.run_due(clock())
    except Exception as exc:
        # One line for the log; the traceback only with -v.
        log.error("wake-up failed (%s); trying again at the next one", _one_line(exc))
        log.debug("the failed wake-up", exc_info=True)


def _one_line(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"
