"""The outbox's journal: what the scheduler did with each slot, and why (`outbox/.journal.jsonl`).

Each line is one JSON object: `at` (wall-clock time of the record), `event` (published, empty,
missed, failed, lost; and, before a slot that fetched its sources, fetched and fetch-failed, one
per failed source with its reason), `schedule`, `batch_id`, `slot` (local ISO time) and `detail`.

A schedule with `approval = "required"` adds: prepared (its batch put in outbox/.pending, or
replaced there by a rebuild that changed it), approved (by whom, and the manifest sha256
approved), withdrawn (a rebuild changed the approved batch), held (with the reason) and expired
(not approved within catch_up of its time, with the reason: never published later).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from digest.clock import MAX_YEAR, MIN_YEAR, sane
from digest.models import Slot

log = logging.getLogger("digest.outbox.journal")
JOURNAL = ".journal.jsonl"
FIELDS = ("at", "event", "schedule", "batch_id", "slot", "detail")
# Events after which a slot needs no more work.
SETTLED = frozenset({"published", "empty", "missed", "lost", "expired"})


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
    """Every event so far, oldest first; a line that is not one (a torn write) is skipped."""
    return [event for _, event in read_lines(outbox)]


def read_lines(outbox: Path) -> list[tuple[str, dict[str, str]]]:
    """Every event so far with where it is (`<journal>:<line>`), oldest first."""
    path = outbox / JOURNAL
    try:
        data = path.read_bytes() if path.is_file() else b""
    except OSError as exc:
        log.warning("%s: not read (%s); carrying on without its history", path, exc.strerror)
        return []
    events = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        problem, event = _parse(line)
        if problem:
            log.warning("%s:%d: skipped, %s", path, number, problem)
        else:
            events.append((f"{path}:{number}", event))
    return events


def _parse(line: bytes) -> tuple[str, dict[str, str]]:
    """One journal line as an event, or the reason it is not one."""
    try:
        event = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8", {}
    except (json.JSONDecodeError, RecursionError):
        return "not JSON (a write cut short?)", {}
    if not isinstance(event, dict):
        return f"not an event object but {type(event).__name__}", {}
    wrong = [key for key in FIELDS if not isinstance(event.get(key), str)]
    if wrong:
        return f"no text field {wrong[0]!r}", {}
    try:
        slot = datetime.fromisoformat(event["slot"])
    except ValueError:
        slot = None
    if slot is None or slot.tzinfo is None:
        return f"slot {event['slot']!r} is not an ISO time with its UTC offset", {}
    if sane(slot) is None:
        return f"slot {event['slot']!r} is outside the years {MIN_YEAR} to {MAX_YEAR}", {}
    return "", event
