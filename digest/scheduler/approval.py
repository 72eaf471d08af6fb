"""Schedules with `approval = "required"`: each slot prepared ahead, published only once approved.

From `prepare` before its time until it is published or expires, every wake-up builds the slot
(read, select, summarize, render and check: the pieces of the pipeline the preview calls) and
puts it in `outbox/.pending` when it differs from the batch waiting there, so a new seed, an
edit or another config shows there within a wake-up, and withdraws an approval of what was
there (see digest.outbox.approval). From the slot time on, the first wake-up that finds it
approved, as it is, publishes it. At its time plus `catch_up` a slot still unapproved expires,
journaled with the reason, and is never published later.

`approve_current` is `digest approve`'s and the preview's approval: it first prepares the slot
as a wake-up would, so what is approved is the batch the current seeds, edits and config make.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import Schedule, Settings
from digest.config.values import parse_duration
from digest.errors import BatchExistsError, DigestError
from digest.models import Slot
from digest.outbox import is_published
from digest.outbox.approval import (
    ApprovalResult,
    approve,
    deadline,
    expire,
    find,
    prepare,
    release,
    withdraw,
)
from digest.outbox.pending import entries, pending_path, read_entry, read_state

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


def approve_current(
    settings: Settings,
    batch: str,
    *,
    by: str | None,
    now: datetime,
    manifest_sha256: str | None = None,
    seeds: Path | None = None,
    durable: bool = True,
) -> ApprovalResult:
    """Approve the pending batch `batch` as the current seeds, edits and config make it.

    The slot is first prepared again, as a wake-up prepares it (`assemble_slot`, then the
    outbox's `prepare`); when that changes the batch, nothing is approved: DigestError saying
    it was rebuilt and must be looked at again. `manifest_sha256` pins the manifest the approver
    looked at (else the one waiting when this was called); any other is refused. Otherwise as
    `digest.outbox.approval.approve`.
    """
    outbox = settings.paths.outbox
    folder = find(outbox, batch)
    entry = None if is_published(outbox, folder) else read_entry(outbox, folder)
    if entry is None or not wants_preparing(settings, entry.slot, now):
        return approve(
            settings, batch, by=by, now=now, manifest_sha256=manifest_sha256, durable=durable
        )
    seen = manifest_sha256 or entry.sha256
    if refresh(settings, entry.slot, now, seeds=seeds, durable=durable):
        rebuilt = read_entry(outbox, folder)
        if rebuilt is None:
            raise DigestError(
                f"{entry.slot.batch_id}: rebuilt with the latest seeds and edits, the slot has "
                "no new story any more (earlier batches carried them all); there is nothing to "
                "approve"
            )
        raise DigestError(
            f"{entry.slot.batch_id}: the pending batch was rebuilt with the latest seeds and "
            f"edits (manifest sha256 {rebuilt.sha256}, was {entry.sha256}); it is not "
            "approved: look at it again and approve what it is now"
        )
    return approve(settings, batch, by=by, now=now, manifest_sha256=seen, durable=durable)


def refresh(
    settings: Settings, slot: Slot, now: datetime, *, seeds: Path | None, durable: bool = True
) -> bool:
    """Prepare the slot's pending batch again from the current seeds, edits and config, as a
    wake-up does (taken away when no story is new); True when that changed it (an approval of
    the old one is withdrawn). False, changing nothing, once the slot is published."""
    assembled = assemble_slot(settings, slot, seeds)
    if assembled is None:
        existed = pending_path(settings.paths.outbox, slot.folder).exists()
        withdraw(settings.paths.outbox, slot, now)
        return existed
    try:
        return prepare(
            assembled.rendered, settings.paths.outbox, settings.config_hash, now, durable=durable
        )
    except BatchExistsError:  # published meanwhile
        return False


def refresh_pending(settings: Settings, now: datetime, *, seeds: Path | None) -> None:
    """`refresh` every slot waiting in the pending area that may still be approved, so that an
    edit shows there at once (the preview, after each of its writes); a slot that cannot be
    built is left as it is, with a warning (the scheduler's next wake-up says why)."""
    for entry in entries(settings.paths.outbox):
        try:
            schedule = settings.schedule(entry.slot.schedule)
        except DigestError:  # a schedule taken out of config.toml
            continue
        if schedule.approval != "required" or not wants_preparing(settings, entry.slot, now):
            continue
        try:
            refresh(settings, entry.slot, now, seeds=seeds)
        except DigestError as error:
            log.warning("%s: not prepared again: %s", entry.slot.batch_id, error)
