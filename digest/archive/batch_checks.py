"""What the archive holds a published batch to besides `verify` (its files match its manifest):
the manifest is no signature, anyone who can write the outbox can write one, so a batch is an
issue only when it is what digest publishes.

- Its folder names its manifest's slot: `<local date>/<schedule>-<HHMM>` (a copied folder,
  `cp -a 2026-11-03/morning-0800 2026-11-22/`, would show one issue twice in every feed).
- One issue per batch id: of two folders holding one batch, the one naming its slot exactly.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from digest.archive.model import Issue, Skipped
from digest.outbox.batches import Batch
from digest.outbox.manifest import Manifest

log = logging.getLogger("digest.archive")
# A time in a spring-forward gap moves forward by the gap (digest.scheduler.slots.slot_on).
MOST_GAP = timedelta(hours=3)


def folder_problem(batch: Batch, manifest: Manifest) -> str | None:
    """Why the batch's folder does not name its manifest's slot, or None when it does."""
    local = manifest.slot.local
    named = f"{batch.day}/{batch.path.name}"
    says = f"{manifest.schedule} at {local:%Y-%m-%d %H:%M} local"
    if batch.schedule != manifest.schedule:
        return f"its folder {named} is not its manifest's schedule ({says})"
    wall = wall_time(batch.day, batch.at)
    moved = None if wall is None else local.replace(tzinfo=None) - wall
    if moved is None or not timedelta(0) <= moved < MOST_GAP:
        return (
            f"its folder {named} does not name its manifest's slot ({says}): a copy or a move of "
            "another slot's batch"
        )
    return None


def wall_time(day: str, at: str) -> datetime | None:
    """The local wall time a batch folder names (`2026-12-01`, `0800`), None when none."""
    try:
        return datetime.strptime(f"{day} {at}", "%Y-%m-%d %H%M")
    except ValueError:
        return None


def one_per_batch(issues: list[Issue], skipped: list[Skipped]) -> list[Issue]:
    """The issues with each batch id taken once (a copy of a batch's folder is none): by the
    folder that names its slot exactly, else the first folder; the others `skipped`, warned."""

    def rank(issue: Issue) -> tuple[bool, str]:
        exact = wall_time(issue.date, issue.folder[-4:]) == issue.local.replace(tzinfo=None)
        return not exact, issue.folder

    owners: dict[str, Issue] = {}
    for issue in sorted(issues, key=rank):
        owners.setdefault(issue.batch_id, issue)
    for issue in issues:
        owner = owners[issue.batch_id]
        if owner is not issue:
            reason = (
                f"its batch id {issue.batch_id} is that of {owner.folder} too, which keeps it: a "
                "copy of that batch's folder; remove it"
            )
            skipped.append(Skipped(issue.folder, reason))
            log.warning("%s: left out of the archive: %s", issue.folder, reason)
    return [issue for issue in issues if owners[issue.batch_id] is issue]
