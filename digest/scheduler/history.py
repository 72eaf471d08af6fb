"""What the outbox says the scheduler already did: its journal, its last wake-up, its batches.

All of it is only read, never believed blindly: a recorded time later than `now` (a clock that
was set back, a batch built ahead with `digest build --date`, a line written by hand) or outside
the years digest schedules is ignored with a warning naming the file, so no file can move the
scheduler's clock forward and make it skip a slot.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from digest.clock import MAX_YEAR, MIN_YEAR, sane
from digest.errors import DigestError
from digest.outbox import journal
from digest.outbox.batches import keep_carried, read_manifest
from digest.outbox.published import published

log = logging.getLogger("digest.scheduler")
AWAKE = ".scheduler.awake"
# Two hosts sharing an outbox never agree to the second; closer than this is not "the future".
TOLERANCE = timedelta(minutes=5)


def learn(
    outbox: Path, schedules: list[str], now: datetime
) -> tuple[dict[str, datetime], set[str]]:
    """Up to which instant each schedule's slots are settled, and the settled batch ids.

    The journal is the scheduler's own account, kept in slot order, so it decides for every
    schedule it mentions. A schedule it does not mention starts at the earlier of the last
    wake-up and its newest batch: a batch built by hand settles its own slot, not earlier ones.
    """
    last: dict[str, datetime] = {}
    settled: set[str] = set()
    for where, event in journal.read_lines(outbox):
        if event["event"] not in journal.SETTLED:
            continue
        instant = trusted(datetime.fromisoformat(event["slot"]), now, where, "its slot")
        if instant is not None:
            settled.add(event["batch_id"])
            name = event["schedule"]
            last[name] = max(last.get(name, instant), instant)
    awake = read_awake(outbox, now)
    for name in schedules:
        found = [t for t in (awake, latest_slot(outbox, name, now)) if t is not None]
        if name not in last and found:
            last[name] = min(found)
    return last, settled


def trusted(instant: datetime, now: datetime, where: object, what: str) -> datetime | None:
    """`instant` in UTC (at most `now`), or None with a warning when it cannot be believed."""
    utc = sane(instant)
    if utc is None:
        log.warning(
            "%s: ignored, %s %s is outside the years %d to %d",
            where,
            what,
            instant.isoformat(),
            MIN_YEAR,
            MAX_YEAR,
        )
        return None
    if utc > now + TOLERANCE:
        log.warning(
            "%s: ignored, %s %s is later than now (%s): a clock set back, a batch built ahead, "
            "or an edited file; it does not count as done before its time",
            where,
            what,
            utc.isoformat(),
            now.isoformat(),
        )
        return None
    return min(utc, now)


def latest_slot(outbox: Path, schedule: str, now: datetime) -> datetime | None:
    """The slot of the newest batch of `schedule`, up to `now`, whose manifest can be read."""
    for batch in reversed(published(outbox, schedule)):
        try:
            utc = read_manifest(batch.path).slot.utc
        except DigestError as exc:
            log.warning("%s; skipped", exc)
            continue
        instant = trusted(utc, now, batch.path / "manifest.json", "its slot.utc")
        if instant is not None:
            return instant
    return None


def read_awake(outbox: Path, now: datetime) -> datetime | None:
    """The last wake-up; None (with a warning naming the file) when it cannot be believed."""
    path = outbox / AWAKE
    try:
        text = path.read_text(encoding="utf-8").strip()
        awake = datetime.fromisoformat(text)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: ignored, not an ISO time (%s)", path, getattr(exc, "strerror", exc))
        return None
    if awake.tzinfo is None:
        log.warning("%s: ignored, %r has no UTC offset", path, text)
        return None
    return trusted(awake, now, path, "the wake-up")


def write_awake(outbox: Path, now: datetime) -> None:
    """Remember this wake-up, so that after downtime the slots in between count as missed; and
    what this process read of the schedules' manifests (`batches.keep_carried`), so that the
    next one need not parse them all again.

    Always `now`, even over a later time: a time from the future must not stick.
    """
    keep_carried(outbox)
    temporary = outbox / f"{AWAKE}.{os.getpid()}"
    try:
        temporary.write_text(now.isoformat() + "\n")
        os.replace(temporary, outbox / AWAKE)
    except OSError as exc:  # only a hint for the next start-up: never worth stopping for
        log.warning("could not record the wake-up in %s: %s", outbox / AWAKE, exc.strerror)
