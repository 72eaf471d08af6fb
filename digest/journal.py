"""The outbox's journal: what the scheduler did with each slot, and why (`outbox/.journal.jsonl`).

Each line is one JSON object: `at` (wall-clock time of the record), `event` (published, empty,
missed, failed, lost), `schedule`, `batch_id`, `slot` (local ISO time) and `detail`.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from digest.models import Slot

JOURNAL = ".journal.jsonl"
# Events after which a slot needs no more work.
SETTLED = frozenset({"published", "empty", "missed", "lost"})


def record(outbox: Path, now: datetime, event: str, slot: Slot, detail: str = "") -> None:
    """Append one event; a single O_APPEND write, so lines of two writers never interleave."""
    line = json.dumps(
        {
            "at": now.isoformat(),
            "event": event,
            "schedule": slot.schedule,
            "batch_id": slot.batch_id,
            "slot": slot.local.isoformat(),
            "detail": detail,
        },
        ensure_ascii=False,
    )
    outbox.mkdir(parents=True, exist_ok=True)
    fd = os.open(outbox / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def read(outbox: Path) -> list[dict[str, str]]:
    """Every event so far, oldest first; a torn last line (a crash mid-write) is skipped."""
    path = outbox / JOURNAL
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
