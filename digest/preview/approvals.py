"""The index's slots waiting for approval: the rows of `outbox/.pending` (the outbox's own
`pending_batches`), each with what an editor can still do about it.

A slot can be approved or held until its time plus its schedule's `catch_up`; after that it is
expired (the scheduler journals it so at its next wake-up, approving it says so at once), and
the index offers no button for it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.config import Settings
from digest.config.values import parse_duration
from digest.errors import DigestError
from digest.outbox.listing import pending_batches
from digest.preview.model import Waiting

OPEN = ("pending", "approved", "held")
SHOWN = "%a %d %b %Y, %H:%M %Z"


def waiting(settings: Settings, outbox: Path, now: datetime) -> list[Waiting]:
    """Every slot of the pending area, oldest first, with whether it is still open at `now`."""
    out = []
    for row in pending_batches(outbox):
        local = datetime.fromisoformat(row["slot"])
        try:
            schedule = settings.schedule(row["schedule"])
        except DigestError:  # a schedule taken out of config.toml: nothing publishes it now
            out.append(Waiting(row, False, now >= local, deadline="", at=local.strftime(SHOWN)))
            continue
        local = local.astimezone(schedule.zone)  # named as its schedule's zone names it
        at = local.strftime(SHOWN)
        # As the outbox reckons it: the slot's instant plus catch_up (not its wall clock).
        end = (local.astimezone(UTC) + parse_duration(schedule.catch_up)).astimezone(schedule.zone)
        is_open = row["status"] in OPEN and now <= end
        out.append(Waiting(row, is_open, now >= local, end.strftime(SHOWN), at))
    return out
