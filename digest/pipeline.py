"""The whole program, one stage after another: read, select, summarize, render, publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from digest.config import Schedule, Settings
from digest.errors import BatchExistsError, DigestError, SeedError
from digest.models import Digest, Entry, Rejected, Slot, Story
from digest.outbox import batch_path, publish
from digest.render import render
from digest.seeds import read_seeds
from digest.summarize import summarize


@dataclass(frozen=True)
class BuildResult:
    """What a build published, and which seeds it left out."""

    batch: Path
    slot: Slot
    stories: tuple[Story, ...]
    rejected: tuple[SeedError, ...]


def slot_for(schedule: Schedule, day: date) -> Slot:
    """The schedule's slot on `day`, local time; a time in a spring-forward gap moves forward."""
    naive = datetime.combine(day, schedule.time)
    local = naive.replace(tzinfo=schedule.zone, fold=0)
    # Round-trip through UTC: a non-existent wall time comes back shifted past the gap.
    local = local.astimezone(UTC).astimezone(schedule.zone)
    return Slot(schedule=schedule.name, local=local)


def select(stories: list[Story], max_stories: int) -> list[Story]:
    """The slot's stories: highest priority first, then newest, then by file name; capped."""

    def order(story: Story) -> tuple[int, float, str]:
        when = story.date
        if when is None:
            stamp = float("inf")
        elif isinstance(when, datetime):
            stamp = -(when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
        else:
            stamp = -datetime(when.year, when.month, when.day, tzinfo=UTC).timestamp()
        return (-story.priority, stamp, story.source)

    return sorted(stories, key=order)[:max_stories]


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
    *,
    day: date,
    seeds: Path | None = None,
    schedule: str | None = None,
    force: bool = False,
) -> BuildResult:
    """Build and publish the batch of one schedule's slot on `day` from the seeds folder."""
    chosen_schedule = settings.schedule(schedule)
    slot = slot_for(chosen_schedule, day)
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
    # Select the slot's stories.
    stories = select(stories, chosen_schedule.max_stories)
    if not stories:
        raise DigestError(f"{seeds_dir}: no valid seeds to build from ({len(errors)} rejected)")
    # Summarize each story into the digest.
    digest = Digest(
        slot=slot,
        channels=tuple(chosen_schedule.channels),
        entries=tuple(Entry(story=s, summary=summarize(s)) for s in stories),
        rejected=tuple(Rejected(file=e.path.name, line=e.line, reason=e.reason) for e in errors),
    )
    # Render the email, the posts and the story records.
    rendered = render(digest, settings)
    # Publish atomically.
    batch = publish(rendered, outbox, settings.config_hash, force=force)
    return BuildResult(batch=batch, slot=slot, stories=tuple(stories), rejected=tuple(errors))
