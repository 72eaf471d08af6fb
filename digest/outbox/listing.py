"""The published batches of an outbox as rows: what `digest outbox list` prints, as plain data."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypedDict

from digest.errors import DigestError
from digest.outbox.batches import published, read_manifest, status

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
