"""The whole program, one stage after another: read, select, summarize, render, publish.

`build()` runs them in order. Its pieces are the ones the preview and `digest validate` call:
`gather` (read), `unsent` (select) and `prepare` (select, then summarize, render and check).
Editors' overrides (`seeds/<stem>.edits.toml`) act in two places: `drop` and `rank` in
selection, the replaced text right after each summary (see `digest.assemble`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from digest.ahead import Ahead
from digest.assemble import Assembled, assemble
from digest.config import Settings, load_config
from digest.errors import ConfigError, DigestError, SeedError
from digest.models import Slot, Story
from digest.outbox import publish, refuse_taken
from digest.outbox.batches import carried
from digest.outbox.staging import clean_stale
from digest.seeds import DEFAULT_MAX_BYTES, keep_index, read_seeds
from digest.seeds.edits import Sidecars
from digest.seeds.memo import INDEX
from digest.summarize import MAX_BULLETS
from digest.summarize.edits import check_sidecars

log = logging.getLogger("digest.pipeline")


@dataclass(frozen=True)
class BuildResult:
    """What a build published (no `batch` when no seed was new), and which seeds it left out."""

    batch: Path | None
    slot: Slot
    stories: tuple[Story, ...]
    rejected: tuple[SeedError, ...]
    deferred: tuple[Story, ...] = ()  # fresh stories the batch could not hold: the next slot's
    deferred_why: str = ""


def gather(
    seeds_dir: Path, settings: Settings | None, *, indexed: bool = False
) -> tuple[list[Story], list[SeedError]]:
    """Read: every story of the seeds folder, one per slug, and the seeds left out (with why).

    `settings` None (a config with problems) reads with the default size limit. `indexed`
    starts from the index of what earlier processes read, in the seeds folder (see
    `digest.seeds.memo`; `build` updates it). Raises `DigestError` when there is no such folder.
    """
    if not seeds_dir.is_dir():
        raise DigestError(
            f"{seeds_dir}: no such seeds folder; pass --seeds DIR or set [paths] seeds"
        )
    max_bytes = settings.seeds.max_bytes if settings else DEFAULT_MAX_BYTES
    index = seeds_dir / INDEX if settings and indexed else None
    stories, errors = read_seeds(seeds_dir, max_bytes, index)
    stories, doubles = _unique_slugs(stories)
    return stories, errors + doubles


def unsent(
    stories: Iterable[Story], outbox: Path, slot: Slot, edits: Sidecars | None = None
) -> list[Story]:
    """Select: the stories no batch of the slot's schedule before it carried, in the order they
    go out (highest priority, then newest, then by file name).

    With `edits` (the edits files of the seeds folder), a story its editor dropped is no
    candidate (and, never sent, comes back when the drop is removed), and the stories given a
    rank go first, lowest rank first. A story whose edits file cannot be read stays in its
    place: summarizing it leaves it out, with why.
    """
    before = carried(outbox, slot.schedule, slot.utc)
    fresh = sorted((s for s in stories if s.slug not in before), key=_order)
    if edits is None or edits.none_for(s.source for s in fresh):
        return fresh
    ranked: list[tuple[int | None, Story]] = []
    for story in fresh:
        try:
            found = edits.of(story.source)
        except SeedError:
            found = None
        if found is None or not found.drop:
            ranked.append((found.rank if found else None, story))
    ranked.sort(key=lambda pair: (pair[0] is None, pair[0] or 0))  # stable: today's order stays
    return [story for _, story in ranked]


def prepare(
    settings: Settings,
    slot: Slot,
    stories: Iterable[Story],
    errors: Sequence[SeedError],
    outbox: Path,
    *,
    seeds: Path | None = None,
    ahead: Ahead | None = None,
) -> Assembled | None:
    """The slot's batch as a build would publish it, rendered and checked, with the overrides
    of the edits files in `seeds` (by default the config's seeds folder); None when every story
    was carried by an earlier batch or dropped. A story that fails alone is left out (see
    `assemble`, which shares the stories' work with `ahead`, a helper process, if given)."""
    schedule = settings.schedule(slot.schedule)
    edits = Sidecars(seeds or settings.paths.seeds)  # each edits file read once, for both uses
    fresh = unsent(stories, outbox, slot, edits)
    if not fresh:
        return None
    return assemble(
        slot,
        schedule.channels,
        fresh,
        errors,
        settings,
        schedule.max_stories,
        edits=edits,
        ahead=ahead,
    )


def build(
    settings: Settings,
    slot: Slot,
    *,
    seeds: Path | None = None,
    force: bool = False,
    durable: bool = True,
    ahead: Ahead | None = None,
) -> BuildResult:
    """Build and publish the batch of `slot` from the seeds folder: the whole program, in order;
    with `ahead` (`digest.assemble.helper`), on two cores."""
    settings.schedule(slot.schedule)  # an unknown schedule fails before the outbox is touched
    outbox = settings.paths.outbox
    clean_stale(outbox)  # what killed builds left in staging; puts back a half-replaced batch
    if not force:  # published, or something else stands there: refused before rendering
        refuse_taken(outbox, slot.folder)
    seeds_dir = seeds or settings.paths.seeds
    try:
        return _build(settings, slot, seeds_dir, force=force, durable=durable, ahead=ahead)
    finally:
        # Last, whatever happened: its rename never comes between the batch's.
        keep_index(seeds_dir, settings.seeds.max_bytes, seeds_dir / INDEX)


def _build(
    settings: Settings,
    slot: Slot,
    seeds_dir: Path,
    *,
    force: bool,
    durable: bool,
    ahead: Ahead | None,
) -> BuildResult:
    outbox = settings.paths.outbox
    # Read every seed; the bad ones are reported, never fatal.
    stories, errors = gather(seeds_dir, settings, indexed=True)
    if not stories:
        raise DigestError(f"{seeds_dir}: no valid seeds to build from ({len(errors)} rejected)")
    # Select the seeds no earlier batch of this schedule carried, in the order they go out;
    # summarize, render and check them. A story that fails on its own is left out, and the
    # next one takes its place.
    assembled = prepare(settings, slot, stories, errors, outbox, seeds=seeds_dir, ahead=ahead)
    if assembled is None:
        return BuildResult(batch=None, slot=slot, stories=(), rejected=tuple(errors))
    rendered = assembled.rendered
    chosen = tuple(entry.story for entry in rendered.digest.entries)
    _warn_without_url(chosen)
    # Publish atomically.
    batch = publish(rendered, outbox, settings.config_hash, force=force, durable=durable)
    return BuildResult(
        batch, slot, chosen, assembled.rejected, assembled.deferred, assembled.deferred_why
    )


@dataclass(frozen=True)
class Validation:
    """What `digest validate` found: the config's problems, the seeds that read, the ones that
    did not and the problems of edits files; `missing` when there is no seeds folder to read;
    `warnings`, edited text that names what its seed does not (sent as written)."""

    config_error: ConfigError | None
    stories: tuple[Story, ...] = ()
    errors: tuple[SeedError, ...] = ()
    missing: DigestError | None = None
    warnings: tuple[str, ...] = ()

    @property
    def problems(self) -> int:
        """How many problems were found: the config's, one each per rejected seed."""
        config = len(self.config_error.problems) if self.config_error else 0
        return config + len(self.errors)


def validate(config_path: Path, seeds: Path | None = None) -> Validation:
    """Check the config, read every seed and apply every edits file, as a build would, without
    building anything."""
    settings: Settings | None = None
    config_error = None
    try:
        settings = load_config(config_path)
    except ConfigError as error:
        config_error = error
    if seeds is None:
        seeds = settings.paths.seeds if settings else config_path.parent / "seeds"
    try:
        stories, errors = gather(seeds, settings)
    except DigestError as missing:
        return Validation(config_error, missing=missing)
    max_bullets = settings.summary.max_bullets if settings else MAX_BULLETS
    edits, warnings = check_sidecars(seeds, stories, errors, max_bullets)
    return Validation(config_error, tuple(stories), tuple(errors + edits), warnings=tuple(warnings))


def _order(story: Story) -> tuple[int, float, str]:
    when = story.date
    if when is None:
        stamp = float("inf")
    elif isinstance(when, datetime):
        stamp = -(when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    else:
        stamp = -datetime(when.year, when.month, when.day, tzinfo=UTC).timestamp()
    return (-story.priority, stamp, story.source)


def _unique_slugs(stories: list[Story]) -> tuple[list[Story], list[SeedError]]:
    """Keep the first story of each slug; later ones would overwrite its `stories/<slug>.json`."""
    seen: dict[str, Story] = {}
    errors = []
    for story in stories:
        if story.slug in seen:
            reason = f"same slug as {seen[story.slug].source}; rename one of the two files"
            errors.append(SeedError(story.source, 1, reason))
        else:
            seen[story.slug] = story
    return list(seen.values()), errors


def _warn_without_url(stories: Sequence[Story]) -> None:
    for story in stories:
        if not story.url:
            log.warning(
                "%s: no url in its front matter, so the email and posts carry no link "
                'to the story; add url = "https://..." between +++ lines',
                story.source,
            )
