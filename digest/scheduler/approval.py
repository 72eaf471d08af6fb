"""Schedules with `approval = "required"`: each slot prepared ahead, published only once approved.

From `prepare` before its time until it is published or expires, every wake-up builds the slot
(read, select, summarize, render and check: the pieces of the pipeline the preview calls) and
puts it in `outbox/.pending` when it differs from the batch waiting there, so a new seed, an
edit or another config shows there within a wake-up, and withdraws an approval of what was
there (see digest.outbox.approval). From the slot time on, the first wake-up that finds it
approved, as it is, publishes it. At its time plus `catch_up` a slot still unapproved expires,
journaled with the reason, and is never published later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import Schedule, Settings
from digest.config.values import parse_duration
from digest.errors import DigestError
from digest.models import Slot
from digest.outbox.approval import deadline, expire, prepare, release, withdraw
from digest.outbox.pending import read_state

if TYPE_CHECKING:
    from digest.assemble import Assembled

log = logging.getLogger("digest.scheduler")


@dataclass(frozen=True)
class Step:
    """What one wake-up did with a slot: `settled` once it needs no more work, with the journal
    `event` for the scheduler to record (None: recorded already, or nothing to record)."""

    settled: bool
    event: str | None = None
    published: Path | None = None


def horizon(schedule: Schedule, now: datetime) -> datetime:
    """Up to which slot time a wake-up at `now` works on the schedule: now, or, with approval
    required, `prepare` ahead of it."""
    if schedule.approval != "required":
        return now
    return now + parse_duration(schedule.prepare)


def advance(settings: Settings, slot: Slot, now: datetime, *, seeds: Path | None) -> Step:
    """One wake-up's work on a slot of a schedule with approval required."""
    outbox = settings.paths.outbox
    schedule = settings.schedule(slot.schedule)
    if read_state(outbox, slot.folder).status == "expired":
        return Step(settled=True)  # by `digest approve` past its catch-up, or an earlier process
    if now > deadline(settings, slot):
        reason = expire(outbox, slot, now, schedule.catch_up)
        log.warning("expired %s: %s; it is never published", slot.batch_id, reason)
        return Step(settled=True)
    assembled = assemble_slot(settings, slot, seeds)
    if assembled is None:
        withdraw(outbox, slot, now)
        return Step(settled=now >= slot.utc, event="empty" if now >= slot.utc else None)
    if prepare(assembled.rendered, outbox, settings.config_hash, now):
        log.info(
            "prepared %s (%d stories) in %s; it waits for digest approve",
            slot.batch_id,
            len(assembled.rendered.digest.entries),
            outbox / ".pending" / slot.folder,
        )
        for error in assembled.rejected:
            log.warning("rejected seed %s", error)
    if now < slot.utc:
        return Step(settled=False)
    path = release(outbox, slot, now)
    if path is None:
        return Step(settled=False)
    log.info("published %s (approved)", path)
    return Step(settled=True, published=path)


def wants_preparing(settings: Settings, slot: Slot, now: datetime) -> bool:
    """Whether a wake-up at `now` builds the slot: it is neither expired nor past its catch-up."""
    outbox = settings.paths.outbox
    return read_state(outbox, slot.folder).status != "expired" and now <= deadline(settings, slot)


def assemble_slot(settings: Settings, slot: Slot, seeds: Path | None) -> Assembled | None:
    """The slot's batch as a build would publish it now; None when no seed is new. The pipeline
    is imported only here, when a slot is being prepared."""
    from digest.pipeline import gather
    from digest.pipeline import prepare as prepare_batch
    from digest.seeds import keep_index
    from digest.seeds.memo import INDEX

    seeds_dir = seeds or settings.paths.seeds
    try:
        stories, errors = gather(seeds_dir, settings, indexed=True)
        if not stories:
            raise DigestError(f"{seeds_dir}: no valid seeds to build from ({len(errors)} rejected)")
        return prepare_batch(
            settings, slot, stories, errors, settings.paths.outbox, seeds=seeds_dir
        )
    finally:
        keep_index(seeds_dir, settings.seeds.max_bytes, seeds_dir / INDEX)
