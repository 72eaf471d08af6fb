"""The whole program, one stage after another: read, select, summarize, render, publish."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from digest.batches import carried
from digest.config import Settings
from digest.errors import BatchExistsError, DigestError, SeedError
from digest.models import Digest, Entry, Rejected, Slot, Story
from digest.outbox import batch_path, publish
from digest.render import render
from digest.render.email_checks import check_rendered
from digest.seeds import read_seeds
from digest.summarize import summarize

log = logging.getLogger("digest.pipeline")


@dataclass(frozen=True)
class BuildResult:
    """What a build published (no `batch` when no seed was new), and which seeds it left out."""

    batch: Path | None
    slot: Slot
    stories: tuple[Story, ...]
    rejected: tuple[SeedError, ...]


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


def summarize_all(stories: Sequence[Story], settings: Settings) -> tuple[Entry, ...]:
    """Each story with its summary, as the digest holds them."""
    return tuple(
        Entry(story=s, summary=summarize(s, settings.summary.max_bullets)) for s in stories
    )


def make_digest(
    slot: Slot,
    channels: Sequence[str],
    stories: Sequence[Story],
    errors: Sequence[SeedError],
    settings: Settings,
) -> Digest:
    """The digest of `slot`: each story summarized, and the seeds that were rejected."""
    return Digest(
        slot=slot,
        channels=tuple(channels),
        entries=summarize_all(stories, settings),
        rejected=tuple(Rejected(file=e.path.name, line=e.line, reason=e.reason) for e in errors),
    )


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
    if batch_path(outbox, slot.folder).exists() and not force:
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
    # Select the seeds no earlier batch of this schedule carried.
    chosen = select(stories, carried(outbox, slot.schedule, slot.utc), schedule.max_stories)
    if not chosen:
        return BuildResult(batch=None, slot=slot, stories=(), rejected=tuple(errors))
    for story in chosen:
        if not story.url:
            log.warning(
                "%s: no url in its front matter, so the email and posts carry no link "
                'to the story; add url = "https://..." between +++ lines',
                story.source,
            )
    # Summarize each story into the digest.
    digest = make_digest(slot, schedule.channels, chosen, errors, settings)
    # Render the email, the posts and the story records.
    rendered = render(digest, settings)
    # Check the email is fit to send (size, links, unsubscribe, ...); a failed check stops here.
    check_rendered(rendered, settings)
    # Publish atomically.
    batch = publish(rendered, outbox, settings.config_hash, force=force, durable=durable)
    return BuildResult(batch=batch, slot=slot, stories=tuple(chosen), rejected=tuple(errors))
