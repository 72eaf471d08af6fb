"""What each of the preview's forms does, once `guard` has let its POST through.

    /edit     story, field, value (or reset)   one override of the story's edits file
    /move     story, schedule, direction        the story one place up or down in the next slot
    /approve  batch, sha256                     approve the pending batch the editor looked at
    /hold     batch, reason                     keep the pending batch out

After an edit or a move, each slot waiting for approval is prepared again at once
(`refresh_pending`), so its Approve button approves the batch the edit made. Each goes through
the library's own writer, which replaces its file whole or not at all:
`digest.seeds.edits.set_edit` (checked against the story's summary by `apply_edits` before
anything is written), `digest.scheduler.approval.approve_current` (the slot prepared again from
the current seeds first) and `digest.outbox.approval.hold`. A form that is not
one of these is `Refused` (400) before anything is read; what the library refuses (a headline
over its limit, a bullet the summary does not have, an expired slot) is `NotSaved`, shown on a
page with the form again. Either way nothing was changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from digest.config import Settings
from digest.errors import DigestError, SeedError
from digest.models import Story
from digest.outbox.approval import hold as hold_batch
from digest.outbox.pending import MAX_REASON
from digest.pipeline import unsent
from digest.preview.guard import Refused
from digest.preview.site import Site
from digest.scheduler.approval import approve_current, refresh_pending
from digest.seeds.edits import Edits, EditsError, Sidecars, set_edit
from digest.summarize import summarize
from digest.summarize.edits import apply_edits

FIELD = re.compile(r"headline|tagline|hashtags|drop|rank|bullets\.[1-9][0-9]{0,5}", re.ASCII)
BATCH = re.compile(r"\d{4}-\d{2}-\d{2}/[a-z0-9][a-z0-9-]{0,60}-\d{4}", re.ASCII)
SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
RANK = re.compile(r"-?[0-9]{1,6}", re.ASCII)
# Where a form may send the editor back to: the index, or a view of a story, slot or batch.
BACK = re.compile(
    r"/(?:index\.html)?|/(?:story|slot)/[a-z0-9][a-z0-9-]{0,99}/(?:email|social|summary)\.html"
    r"|/(?:batch|pending)/\d{4}-\d{2}-\d{2}/[a-z0-9][a-z0-9-]{0,60}-\d{4}/"
    r"(?:email|social|summary)\.html",
    re.ASCII,
)
FORMS = {  # each form's fields: (required, optional)
    "/edit": ({"token", "story", "field"}, {"value", "reset", "back"}),
    "/move": ({"token", "story", "schedule", "direction"}, {"back"}),
    "/approve": ({"token", "batch", "sha256"}, {"back"}),
    "/hold": ({"token", "batch", "reason"}, {"back"}),
}
WRITES = frozenset(FORMS)
T = TypeVar("T")


class NotSaved(Exception):
    """What the library refused, in its words; `retry` is the form to show again, if any."""

    def __init__(
        self, status: int, problems: list[str], back: str, retry: dict[str, str] | None = None
    ) -> None:
        super().__init__("; ".join(problems))
        self.status, self.problems, self.back, self.retry = status, problems, back, retry


@dataclass(frozen=True)
class Writer:
    """Who writes (the editor's name, None when unknown) and at what time, on which Site."""

    site: Site
    by: str | None
    now: datetime


def act(path: str, form: Mapping[str, str], writer: Writer) -> str:
    """Carry out the form posted to `path`; the page to send the editor to (a 303's Location).
    Raises `Refused` for a form that is none of the preview's, `NotSaved` for what the library
    refused."""
    required, optional = FORMS[path]
    unknown = sorted(set(form) - required - optional)
    missing = sorted(required - set(form))
    if unknown or missing:
        names = ", ".join(sorted(required | optional))
        what = f"unknown field {unknown[0][:40]!r}" if unknown else f"no {missing[0]!r} field"
        raise Refused(400, f"{what}: the {path[1:]} form has the fields {names}")
    back = form.get("back", "")
    if back and not BACK.fullmatch(back):
        raise Refused(400, "back: not a page of the preview")
    return {"/edit": edit, "/move": move, "/approve": approve, "/hold": hold}[path](form, writer)


def edit(form: Mapping[str, str], writer: Writer) -> str:
    """One override of a story's edits file, checked against its summary first."""
    story, settings = _story(form, writer)
    field = form["field"]
    if not FIELD.fullmatch(field):
        raise Refused(400, f"field {field[:40]!r}: not one the edit form sets")
    if "reset" not in form and "value" not in form:
        raise Refused(400, "no value and no reset: the edit form sends one of them")
    back = form.get("back") or f"/story/{story.slug}/summary.html"
    retry = {"story": story.slug, "field": field, "value": form.get("value", ""), "back": back}
    value = None if "reset" in form else _value(field, form["value"], back, retry)

    def check(edits: Edits) -> object:
        return apply_edits(summarize(story, settings.summary.max_bullets), edits)

    try:
        set_edit(
            writer.site.seeds_dir,
            story.source,
            field,
            value,
            by=writer.by,
            now=writer.now,
            check=check,
        )
    except EditsError as error:
        problems = [_where(writer.site, p) for p in error.problems]
        raise NotSaved(422, problems, back, retry) from None
    except SeedError as error:
        raise NotSaved(422, [_where(writer.site, error)], back, retry) from None
    refresh_pending(settings, writer.now, seeds=writer.site.seeds_dir)
    return f"{back}#story-{story.slug}"


def _value(
    field: str, text: str, back: str, retry: dict[str, str]
) -> str | list[str] | int | bool | None:
    """The form's text as the edits file holds `field`: one line of text, a list of hashtags,
    true (drop; false removes it) or a whole number (empty removes the rank)."""
    if field == "hashtags":
        return [tag.lstrip("#") for tag in re.split(r"[\s,]+", text) if tag.lstrip("#")]
    if field == "drop":
        if text not in ("true", "false"):
            raise Refused(400, "drop: true or false")
        return True if text == "true" else None
    if field == "rank":
        if not text.strip():
            return None
        if not RANK.fullmatch(text.strip()):
            reason = "rank: write a whole number (1 goes first), or leave it empty for none"
            raise NotSaved(422, [reason], back, retry)
        return int(text)
    return " ".join(text.split())  # a text box's line breaks are spaces: readers get one line


def move(form: Mapping[str, str], writer: Writer) -> str:
    """The story one place up or down in its schedule's next slot, by the ranks of the stories
    ahead of it (see `moved`)."""
    story, settings = _story(form, writer)
    site = writer.site
    plan = site.plan(form["schedule"])
    if plan is None:
        raise Refused(400, f"schedule {form['schedule'][:40]!r}: no such schedule now")
    step = {"up": -1, "down": 1}.get(form["direction"])
    if step is None:
        raise Refused(400, "direction: up or down")
    back = form.get("back") or f"/slot/{plan.schedule.name}/summary.html"
    sidecars = Sidecars(site.seeds_dir)
    order = [s.source for s in unsent(site.stories.values(), site.outbox, plan.slot, sidecars)]
    if story.source not in order:
        reason = f"{story.source} is not among the next {plan.schedule.name} slot's stories now"
        raise NotSaved(409, [reason], back)
    ranks = {source: _rank(sidecars, source) for source in order}
    for source, rank in moved(order, ranks, order.index(story.source), step).items():
        try:
            set_edit(site.seeds_dir, source, "rank", rank, by=writer.by, now=writer.now)
        except SeedError as error:
            raise NotSaved(422, [_where(site, error)], back) from None
    refresh_pending(settings, writer.now, seeds=site.seeds_dir)
    return f"{back}#story-{story.slug}"


def moved(
    order: list[str], ranks: Mapping[str, int | None], index: int, step: int
) -> dict[str, int]:
    """The new ranks (by seed) that swap `order[index]` with its neighbour `step` away.

    `order` is the slot's candidates as they go out: ranked ones first, lowest rank first, then
    the others in their usual order. The stories up to the last one ranked (or to the two
    swapped, if further) are numbered 1, 2, ... in the new order, so that they keep it; the
    rest stay unranked and follow in their usual order. Only ranks that change are returned.
    """
    other = index + step
    if not (0 <= index < len(order) and 0 <= other < len(order)):
        return {}
    new = list(order)
    new[index], new[other] = new[other], new[index]
    last = max((i for i, source in enumerate(order) if ranks.get(source) is not None), default=-1)
    upto = max(last, index, other)
    return {source: n for n, source in enumerate(new[: upto + 1], 1) if ranks.get(source) != n}


def _rank(sidecars: Sidecars, source: str) -> int | None:
    try:
        found = sidecars.of(source)
    except SeedError:
        return None  # as unsent has it: in its usual place; moving it names the file's problem
    return found.rank if found else None


def approve(form: Mapping[str, str], writer: Writer) -> str:
    """Approve the pending batch the editor looked at (its manifest's sha256), once it is
    rebuilt from the current seeds and edits: a batch that changes is not approved."""
    settings, batch, back = _pending(form, writer)
    if not SHA256.fullmatch(form["sha256"]):
        raise Refused(400, "sha256: the pending manifest's sha256, 64 hex digits")
    result = _library(
        lambda: approve_current(
            settings,
            batch,
            by=writer.by,
            now=writer.now,
            manifest_sha256=form["sha256"],
            seeds=writer.site.seeds_dir,
        ),
        back,
    )
    if result.outcome == "published" and settings.archive.enabled:
        from digest.archive import after_publish

        after_publish(settings)  # logs a failure; the batch is published either way
    return f"{back}#pending"


def hold(form: Mapping[str, str], writer: Writer) -> str:
    """Keep the pending batch out, with the editor's reason."""
    settings, batch, back = _pending(form, writer)
    reason = " ".join(form["reason"].split())
    if not reason or len(reason) > MAX_REASON:
        why = "empty" if not reason else f"{len(reason)} characters long"
        raise NotSaved(422, [f"reason: {why}; say in a few words (at most {MAX_REASON})"], back)
    _library(lambda: hold_batch(settings, batch, reason=reason, now=writer.now), back)
    return f"{back}#pending"


def _library(call: Callable[[], T], back: str) -> T:
    try:
        return call()
    except DigestError as error:
        raise NotSaved(409, [str(error)], back) from None


def _pending(form: Mapping[str, str], writer: Writer) -> tuple[Settings, str, str]:
    settings = _settings(writer)
    batch = form["batch"]
    if not BATCH.fullmatch(batch):
        raise Refused(400, "batch: DATE/SLOT, as the index shows it (2026-12-01/morning-0800)")
    return settings, batch, form.get("back") or "/index.html"


def _story(form: Mapping[str, str], writer: Writer) -> tuple[Story, Settings]:
    settings = _settings(writer)
    story = writer.site.stories.get(form["story"])
    if story is None:
        back = form.get("back") or "/index.html"
        reason = f"no story {form['story'][:100]!r} in the seeds folder now (moved or removed?)"
        raise NotSaved(409, [reason], back)
    return story, settings


def _settings(writer: Writer) -> Settings:
    settings = writer.site.settings
    if settings is None:
        raise NotSaved(409, ["config.toml has problems: fix them first"], "/index.html")
    return settings


def _where(site: Site, error: SeedError) -> str:
    """An edits file's problem as the pages name it: `seeds/<name>.edits.toml:<line>: <why>`."""
    return f"{site.shown(site.seeds_dir / error.path)}:{error.line}: {error.reason}"
