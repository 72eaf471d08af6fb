"""The batches of an outbox as rows: what `digest outbox list` prints, as plain data.

The published batches, and the slots waiting in `outbox/.pending` for approval (pending,
approved, held) or past it (expired): their channels are never open, as no consumer may take
them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypedDict

from digest.errors import DigestError
from digest.outbox import is_published
from digest.outbox.batches import read_manifest, status
from digest.outbox.published import published
from digest.outbox.pending import entries, read_state

log = logging.getLogger("digest.outbox")


class BatchRow(TypedDict):
    """One published batch: its folder under the outbox, id, counts and each channel's state."""

    batch: str  # DATE/SLOT, relative to the outbox
    batch_id: str
    stories: int
    rejected: int
    channels: dict[str, str]  # channel -> open, claimed or done


def list_batches(outbox: Path) -> list[BatchRow]:
    """A row for every published batch of `outbox`, oldest first.

    A batch whose manifest cannot be read is left out with a warning: one damaged batch never
    hides the others.
    """
    rows: list[BatchRow] = []
    for batch in published(outbox):
        try:
            manifest = read_manifest(batch.path)
        except DigestError as exc:
            log.warning("%s; skipped", exc)
            continue
        rows.append(
            {
                "batch": batch.path.relative_to(outbox).as_posix(),
                "batch_id": manifest.batch_id,
                "stories": len(manifest.stories),
                "rejected": len(manifest.rejected),
                "channels": {c: status(batch.path, c) for c in manifest.channels},
            }
        )
    return rows


class PendingRow(TypedDict):
    """A slot of the pending area: where it is published once approved, its state, its counts."""

    batch: str  # DATE/SLOT, where it is published once approved
    batch_id: str
    schedule: str
    slot: str  # the local time, ISO 8601 with its offset
    status: str  # pending, approved, held or expired
    stories: int
    rejected: int
    channels: dict[str, str]  # channel -> the status: nothing to claim before it is published
    manifest_sha256: str  # of the pending manifest.json: what an approval approves
    approved_by: str | None
    approved_at: str | None  # ISO 8601
    reason: str | None  # why it is held or expired


def pending_batches(outbox: Path) -> list[PendingRow]:
    """A row for every slot waiting in `outbox/.pending` (or expired there), oldest first; not
    the ones published meanwhile. One that cannot be read is left out with a warning."""
    rows: list[PendingRow] = []
    for entry in entries(outbox):
        try:
            if is_published(outbox, entry.folder):
                continue
        except DigestError:
            pass
        state = read_state(outbox, entry.folder)
        manifest = entry.manifest
        approved = state.status == "approved" and state.approved_manifest_sha256 == entry.sha256
        status = "pending" if state.status == "approved" and not approved else state.status
        rows.append(
            {
                "batch": entry.folder,
                "batch_id": manifest.batch_id,
                "schedule": manifest.schedule,
                "slot": entry.slot.local.isoformat(),
                "status": status,
                "stories": len(manifest.stories),
                "rejected": len(manifest.rejected),
                "channels": {channel: status for channel in manifest.channels},
                "manifest_sha256": entry.sha256,
                "approved_by": state.approved_by if approved else None,
                "approved_at": state.approved_at.isoformat()
                if approved and state.approved_at
                else None,
                "reason": state.reason,
            }
        )
    return rows
