"""Summarize, render and check a slot's stories so that a story that fails, fails alone.

What goes wrong because of one story (its summary, its email or posts, the checks they must
pass) leaves that story out, with the reason, and the next unsent story takes its place. Only
what belongs to the batch as a whole (its size, a template, a limit no story can meet) stops it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from jinja2 import TemplateSyntaxError

from digest.config import Settings
from digest.errors import DigestError, RenderError, SeedError
from digest.models import Digest, Entry, Rejected, Rendered, Slot, Story
from digest.render import render
from digest.render.email_checks import EmailCheckError, check_rendered
from digest.summarize import summarize

log = logging.getLogger("digest.pipeline")


@dataclass(frozen=True)
class Assembled:
    """A slot's batch, rendered and checked, and every seed or story it left out."""

    rendered: Rendered
    rejected: tuple[SeedError, ...]


def assemble(
    slot: Slot,
    channels: Sequence[str],
    candidates: Iterable[Story],
    errors: Sequence[SeedError],
    settings: Settings,
    max_stories: int,
) -> Assembled:
    """The batch of up to `max_stories` of `candidates` (in order) that render and pass the checks.

    Raises `DigestError` when nothing can be published: no story passes on its own (a template
    or limit that fails every story), or the stories pass alone but not together (the size).
    """
    queue = iter(candidates)
    rejected = list(errors)
    entries = _take(queue, max_stories, settings, rejected)
    if not entries:
        raise DigestError(
            f"{slot.batch_id}: every story was left out ({len(rejected)} rejected); "
            "fix the seeds listed above"
        )
    try:
        return Assembled(
            _checked(_digest(slot, channels, entries, rejected), settings), tuple(rejected)
        )
    except TemplateSyntaxError as whole:  # a template being edited fails every story
        where = f"templates/{whole.name}:{whole.lineno}: " if whole.name else ""
        raise RenderError(f"{where}{whole.message}") from whole
    except RenderError as whole:
        if isinstance(whole.__cause__, TemplateSyntaxError):
            raise
        entries = _sift(slot, channels, entries, queue, max_stories, settings, rejected, whole)
    except Exception as whole:  # find the stories that fail on their own
        entries = _sift(slot, channels, entries, queue, max_stories, settings, rejected, whole)
    try:
        rendered = _checked(_digest(slot, channels, entries, rejected), settings)
    except DigestError:
        raise
    except Exception as exc:
        raise _batch_failure(slot, exc) from exc
    return Assembled(rendered, tuple(rejected))


def _entry(story: Story, settings: Settings, failed: list[SeedError]) -> Entry | None:
    try:
        return Entry(story=story, summary=summarize(story, settings.summary.max_bullets))
    except Exception as exc:  # a summarizer bug on odd text must not stop the other stories
        log.debug("summary of %s failed", story.source, exc_info=True)
        failed.append(_left_out(story, f"its summary failed ({_describe(exc)})"))
        return None


def _take(
    queue: Iterator[Story], count: int, settings: Settings, rejected: list[SeedError]
) -> list[Entry]:
    """The next `count` stories of `queue` that summarize."""
    entries: list[Entry] = []
    while len(entries) < count:
        story = next(queue, None)
        if story is None:
            break
        entry = _entry(story, settings, rejected)
        if entry is not None:
            entries.append(entry)
    return entries


def _sift(
    slot: Slot,
    channels: Sequence[str],
    entries: list[Entry],
    queue: Iterator[Story],
    max_stories: int,
    settings: Settings,
    rejected: list[SeedError],
    whole: Exception,
) -> list[Entry]:
    """The entries that pass alone, topped up from `queue`; the others join `rejected`.

    Raises when every story passes alone (so `whole` failed as a batch) or none does.
    """
    good: list[Entry] = []
    bad: list[tuple[Story, str]] = []
    pending = list(entries)
    budget = 3 * max_stories + 10  # stories tried alone before deciding that none can pass
    while pending and len(good) < max_stories and budget > 0:
        budget -= 1
        entry = pending.pop(0)
        problem = _alone(slot, channels, entry, settings)
        if problem is None:
            good.append(entry)
        else:
            bad.append((entry.story, problem))
        if not pending and bad and len(good) < max_stories:
            pending = _take(queue, 1, settings, rejected)
    if not bad or not good:  # all pass alone (they fail together) or none does: a batch failure
        raise whole if isinstance(whole, DigestError) else _batch_failure(slot, whole)
    for story, problem in bad:
        rejected.append(_left_out(story, problem))
        log.warning("%s", rejected[-1])
    return good


def _alone(slot: Slot, channels: Sequence[str], entry: Entry, settings: Settings) -> str | None:
    """Why `entry` fails in a batch of its own, or None when it passes."""
    try:
        _checked(_digest(slot, channels, [entry], []), settings)
    except EmailCheckError as exc:
        return "its email fails " + "; ".join(
            f"the check {name!r}: {problem}" for name, problem in exc.failures
        )
    except Exception as exc:
        return f"it cannot be rendered ({_describe(exc)})"
    return None


def _checked(digest: Digest, settings: Settings) -> Rendered:
    rendered = render(digest, settings)
    check_rendered(rendered, settings)
    return rendered


def _digest(
    slot: Slot, channels: Sequence[str], entries: list[Entry], rejected: list[SeedError]
) -> Digest:
    return Digest(
        slot=slot,
        channels=tuple(channels),
        entries=tuple(entries),
        rejected=tuple(Rejected(file=e.path.name, line=e.line, reason=e.reason) for e in rejected),
    )


def _batch_failure(slot: Slot, exc: Exception) -> DigestError:
    return RenderError(f"{slot.batch_id}: the batch could not be rendered ({_describe(exc)})")


def _left_out(story: Story, why: str) -> SeedError:
    return SeedError(
        story.source,
        1,
        f"left out of the batch: {why}; the other stories were published. Fix the seed, "
        "or remove it from the seeds folder",
    )


def _describe(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, DigestError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]
