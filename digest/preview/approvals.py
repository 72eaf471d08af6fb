"""The index's slots waiting for approval: the rows of `outbox/.pending` (the outbox's own
`pending_batches`), each with what an editor can still do about it.

A slot can be approved or held until its time plus its schedule's `catch_up`; after that it is
expired (the scheduler journals it so at its next wake-up, approving it says so at once), and
the index offers no button for it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from digest.config import Settings
from digest.config.values import parse_duration
from digest.errors import DigestError
from digest.outbox.listing import pending_batches
from digest.preview.model import Waiting

OPEN = ("pending", "approved", "held")


def waiting(settings: Settings, outbox: Path, now: datetime) -> list[Waiting]:
    """Every slot of the pending area, oldest first, with whether it is still open at `now`."""
    out = []
    for row in pending_batches(outbox):
        local = datetime.fromisoformat(row["slot"])
        try:
            catch_up = settings.schedule(row["schedule"]).catch_up
        except DigestError:  # a schedule taken out of config.toml: nothing publishes it now
            out.append(Waiting(row, open=False, due=now >= local, deadline=""))
            continue
        end = local + parse_duration(catch_up)
        shown = end.strftime("%a %d %b %Y, %H:%M %Z")
        is_open = row["status"] in OPEN and now <= end
        out.append(Waiting(row, open=is_open, due=now >= local, deadline=shown))
    return out
