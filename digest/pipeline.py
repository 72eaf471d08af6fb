"""The whole program, one stage after another: read, select, summarize, render, publish."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from digest.assemble import assemble
from digest.config import Settings
from digest.errors import BatchExistsError, DigestError, SeedError
from digest.models import Slot, Story
from digest.outbox import batch_path, is_published, publish
from digest.outbox.batches import carried
from digest.outbox.staging import clean_stale
from digest.seeds import read_seeds

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


def select(stories: list[Story], carried: set[str], max_stories: int) -> list[Story]:
    """The slot's stories: not carried before; highest priority, then newest, then by file name."""

    def order(story: Story) -> tuple[int, float, str]:
        when = story.date
        if when is None:
            stamp = float("inf")
        elif isinstance(when, datetime):
            stamp = -(when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
        else:
            stamp = -datetime(when.year, when.month, when.day, tzinfo=UTC).timestamp()
        return (-story.priority, stamp, story.source)

    fresh = [s for s in stories if s.slug not in carried]
    return sorted(fresh, key=order)[:max_stories]


def unique_slugs(stories: list[Story]) -> tuple[list[Story], list[SeedError]]:
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


def build(
    settings: Settings,
    slot: Slot,
    *,
    seeds: Path | None = None,
    force: bool = False,
    durable: bool = True,
) -> BuildResult:
    """Build and publish the batch of `slot` from the seeds folder: the whole program, in order."""
    schedule = settings.schedule(slot.schedule)
    outbox = settings.paths.outbox
    clean_stale(outbox)  # what killed builds left in staging; puts back a half-replaced batch
    if is_published(outbox, slot.folder) and not force:
        raise BatchExistsError(batch_path(outbox, slot.folder))
    seeds_dir = seeds or settings.paths.seeds
    if not seeds_dir.is_dir():
        raise DigestError(
            f"{seeds_dir}: no such seeds folder; pass --seeds DIR or set [paths] seeds"
        )

    # Read every seed; the bad ones are reported, never fatal.
    stories, errors = read_seeds(seeds_dir, settings.seeds.max_bytes)
    stories, doubles = unique_slugs(stories)
    errors += doubles
    if not stories:
        raise DigestError(f"{seeds_dir}: no valid seeds to build from ({len(errors)} rejected)")
    # Select the seeds no earlier batch of this schedule carried, in the order they go out.
    fresh = select(stories, carried(outbox, slot.schedule, slot.utc), len(stories))
    if not fresh:
        return BuildResult(batch=None, slot=slot, stories=(), rejected=tuple(errors))
    # Summarize, render and check them; a story that fails on its own is left out, and the
    # next one takes its place.
    assembled = assemble(slot, schedule.channels, fresh, errors, settings, schedule.max_stories)
    rendered = assembled.rendered
    chosen = tuple(entry.story for entry in rendered.digest.entries)
    _warn_without_url(chosen)
    # Publish atomically.
    batch = publish(rendered, outbox, settings.config_hash, force=force, durable=durable)
    return BuildResult(
        batch, slot, chosen, assembled.rejected, assembled.deferred, assembled.deferred_why
    )


def _warn_without_url(stories: Sequence[Story]) -> None:
    for story in stories:
        if not story.url:
            log.warning(
                "%s: no url in its front matter, so the email and posts carry no link "
                'to the story; add url = "https://..." between +++ lines',
                story.source,
            )
