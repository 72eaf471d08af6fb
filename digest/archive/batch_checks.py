"""What the archive holds a published batch to besides `verify` (its files match its manifest):
the manifest is no signature, anyone who can write the outbox can write one, so a batch is an
issue only when it is what digest publishes.

- Its folder names its manifest's slot: `<local date>/<schedule>-<HHMM>` (a copied folder,
  `cp -a 2026-11-03/morning-0800 2026-11-22/`, would show one issue twice in every feed).
- Its email passes the checks it passed when digest built it (`digest.render.email.checks`):
  nothing that runs (`inert`: no script, frame, object, form or base, no `on...` handler, no
  javascript: link or style) and only http, https and mailto links, or an email service's own
  merge tag (`link-schemes`), http and https images. An email that fails them was not built by
  digest, and its page is not made from it.
- One issue per batch id: of two folders holding one batch, the one naming its slot exactly.
- Entries of the outbox that look like batches but `published()` passes over (a link, not a
  folder, no manifest; a date folder that is a link): skipped too, so `digest archive` says so.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from digest.archive.model import Issue, Skipped
from digest.config.email_links import ESPS
from digest.outbox.manifest import Manifest
from digest.outbox.published import Batch
from digest.render.email.html_quick import parse_html
from digest.render.email.links import SCHEMES, scheme_of

log = logging.getLogger("digest.archive")
# Every email service's tags: a batch built under any `merge_tags` preset links its way out so.
MERGE_TAGS = frozenset(tag for esp in ESPS.values() for tag in (*esp.unsubscribe, *esp.preferences))
# A time in a spring-forward gap moves forward by the gap (digest.scheduler.slots.slot_on).
MOST_GAP = timedelta(hours=3)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLDER = re.compile(r"^(?P<schedule>[a-z0-9][a-z0-9-]*)-(?P<at>\d{4})$")


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


def email_problems(html: str) -> list[str]:
    """What in an email's HTML digest's own checks (`inert`, `link-schemes`) refuse; [] for
    every email digest builds."""
    page = parse_html(html)
    problems = list(page.active)
    links = [href for href, _ in page.links] + page.outlook_links
    problems += [
        f"the link {href[:80]!r} is not an http, https or mailto link"
        for href in links
        if scheme_of(href) not in SCHEMES and href not in MERGE_TAGS
    ]
    problems += [
        f"the image {src[:80]!r} is not an http or https image"
        for src in page.sources
        if scheme_of(src) not in ("http", "https")
    ]
    return problems


def passed_over(
    outbox: Path, batches: list[Batch], archives: Callable[[str], bool]
) -> list[Skipped]:
    """The entries of `outbox` named like batches of the schedules it `archives` that are none
    of `batches` (what `published()` found), each with why; a date folder that is a link is
    one entry. `published()` already warned of each."""
    found = {(batch.day, batch.path.name) for batch in batches}
    out = []
    try:
        days = sorted(name for name in os.listdir(outbox) if _DAY.match(name))
    except OSError:
        return []
    for day in days:
        folder = outbox / day
        if folder.is_symlink():
            out.append(Skipped(day, "a symbolic link, not a date folder of the outbox: " + _WHY))
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            match = _FOLDER.match(name)
            if match is None or (day, name) in found:
                continue
            if archives(match["schedule"]):
                out.append(Skipped(f"{day}/{name}", _not_a_batch(folder / name)))
    return out


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


_WHY = "the archive reads batches only where digest publishes them; put the real folder there"


def _not_a_batch(path: Path) -> str:
    if path.is_symlink():
        return "a symbolic link, not a batch folder: " + _WHY
    if not path.is_dir():
        return "not a folder, so no batch: " + _WHY
    return "no manifest.json, so no published batch; rebuild its slot or remove the folder"
