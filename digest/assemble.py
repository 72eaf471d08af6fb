"""Summarize, render and check a slot's stories so that a story that fails, fails alone.

What goes wrong because of one story (its summary, a number or name that its summary shows and
the seed does not, its edits file, its email or posts, the checks they must pass) leaves that
story out, with the reason, and the next unsent story takes its place. Only what belongs to the
batch as a whole (its size, a template, a limit no story can meet) stops it.

Each summary gets its editor's overrides (the story's edits file, `digest.seeds.edits`) right
after it is generated, so everything rendered from it carries the editor's text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import islice
from typing import Any

from jinja2 import TemplateSyntaxError

from digest.ahead import Ahead
from digest.config import Settings
from digest.errors import DigestError, EmailCheckError, RenderError, SeedError
from digest.models import Digest, Entry, RejectedSeed, Rendered, Slot, Story, Summary
from digest.render import render
from digest.render.email.checks import check_rendered
from digest.render.social import Composed, post_texts
from digest.render.social.common import renderer
from digest.render.templates import stamp
from digest.seeds.edits import Edits, Sidecars
from digest.summarize import summarize
from digest.summarize.edits import apply_edits, generated_problems, located_warnings
from digest.summarize.grounding import ungrounded

log = logging.getLogger("digest.pipeline")


@dataclass(frozen=True)
class Assembled:
    """A slot's batch, rendered and checked; the seeds or stories it left out (with why), and
    the stories it put off to the next slot because the batch could not hold them all."""

    rendered: Rendered
    rejected: tuple[SeedError, ...]
    deferred: tuple[Story, ...] = ()
    deferred_why: str = ""


def assemble(
    slot: Slot,
    channels: Sequence[str],
    candidates: Iterable[Story],
    errors: Sequence[SeedError],
    settings: Settings,
    max_stories: int,
    *,
    edits: Sidecars | None = None,
    ahead: Ahead | None = None,
) -> Assembled:
    """The batch of up to `max_stories` of `candidates` (in order) that render and pass the checks.

    Each summary has its editor's overrides from `edits` (by default, the edits files of the
    config's seeds folder). A story that fails alone is left out and the next candidate takes
    its place; when the stories pass alone but not together (the email's size), the last ones
    wait for the next slot. Raises `DigestError` when nothing can be published: a template
    error, or no story that passes on its own (a limit or check that fails every story).
    With `ahead` (see `helper`), the candidates' own work is shared with a helper process.
    """
    rejected = list(errors)
    sidecars = edits if edits is not None else Sidecars(settings.paths.seeds)
    shared = _Shared(ahead, settings, channels) if ahead is not None else None
    if shared is not None:
        candidates = list(candidates)
        shared.want(candidates, max_stories)
    queue = _entries(candidates, settings, rejected, sidecars, shared)
    entries = list(islice(queue, max_stories))
    if not entries:
        raise DigestError(
            f"{slot.batch_id}: every story was left out ({len(rejected)} rejected); "
            "fix the seeds listed above"
        )
    try:
        rendered = _checked(slot, channels, entries, rejected, settings, shared)
        return Assembled(rendered, tuple(rejected))
    except Exception as whole:
        _raise_if_templates(whole)
        entries = _sift(slot, channels, entries, queue, max_stories, settings, rejected, whole)
    return _fit(slot, channels, entries, rejected, settings, shared)


def _raise_if_templates(whole: Exception) -> None:
    """A template error fails every story alike: it is the batch's, and named as such."""
    if isinstance(whole, TemplateSyntaxError):
        where = f"templates/{whole.name}:{whole.lineno}: " if whole.name else ""
        raise RenderError(f"{where}{whole.message}") from whole
    if isinstance(whole, RenderError) and isinstance(whole.__cause__, TemplateSyntaxError):
        raise whole


def _fit(
    slot: Slot,
    channels: Sequence[str],
    entries: list[Entry],
    rejected: list[SeedError],
    settings: Settings,
    shared: _Shared | None = None,
) -> Assembled:
    """The longest run of `entries`, from the first, that passes together; the rest deferred.

    Each entry passed alone, so one always does; what fails together is the batch's size.
    """
    why = ""
    for count in range(len(entries), 0, -1):
        try:
            rendered = _checked(slot, channels, entries[:count], rejected, settings, shared)
        except Exception as exc:
            _raise_if_templates(exc)
            if count == 1:
                raise exc if isinstance(exc, DigestError) else _batch_failure(slot, exc) from exc
            why = why or _describe(exc)
            continue
        deferred = tuple(entry.story for entry in entries[count:])
        return Assembled(rendered, tuple(rejected), deferred, why)
    raise AssertionError("unreachable: the loop returns or raises")


def _entries(
    stories: Iterable[Story],
    settings: Settings,
    failed: list[SeedError],
    edits: Sidecars,
    shared: _Shared | None = None,
) -> Iterator[Entry]:
    """The entries of `stories` that summarize, in order, as they are asked for; the others
    go to `failed` with why."""
    for story in stories:
        entry = _entry(story, settings, failed, edits, shared)
        if entry is not None:
            yield entry


def _entry(
    story: Story,
    settings: Settings,
    failed: list[SeedError],
    edits: Sidecars | None = None,
    shared: _Shared | None = None,
) -> Entry | None:
    """The story with its summary (its editor's overrides from `edits` applied), or None (and
    why, in `failed`) when the summary fails, its edits file is wrong, or the summarizer's own
    text shows a number or name that is not in the seed."""
    try:
        ready = shared.take(story) if shared is not None else None
        summary, problems = ready or _summarized(story, settings.summary.max_bullets)
    except Exception as exc:  # a summarizer bug on odd text must not stop the other stories
        log.debug("summary of %s failed", story.source, exc_info=True)
        failed.append(_left_out(story, f"its summary failed ({_describe(exc)})"))
        return None
    try:
        found = edits.of(story.source) if edits is not None else None
        if found is not None:
            summary, problems = _edited(story, summary, problems, found)
    except SeedError as error:  # nothing goes out that the editor did not write
        failed.append(_edits_left_out(error))
        return None
    if problems:  # nothing is invented: a summary the seed does not back is not sent
        failed.append(_left_out(story, _ungrounded_reason(problems)))
        return None
    return Entry(story=story, summary=summary)


@lru_cache(maxsize=2048)
def _summarized(story: Story, max_bullets: int) -> tuple[Summary, tuple[str, ...]]:
    """The story's summary and what of it the seed does not back. Both depend on nothing else,
    so a story met again (the preview after a save of another seed, a retried slot) is not
    summarized again; a failure is not kept."""
    summary = summarize(story, max_bullets)
    return summary, tuple(ungrounded(story, summary))


def _edited(
    story: Story, summary: Summary, problems: tuple[str, ...], edits: Edits
) -> tuple[Summary, tuple[str, ...]]:
    """`summary` with the overrides of `edits`, and what of the summarizer's own text left in
    it the seed does not back; what of the editor's text it does not back is logged, not
    refused. Raises `EditsError` for edits that break a limit."""
    edited = apply_edits(summary, edits)
    if not edited.edited:
        return summary, problems
    for warning in located_warnings(story, edited, edits):
        log.warning("%s", warning)
    return edited, tuple(generated_problems(story, edited))


def _ungrounded_reason(problems: Sequence[str], shown: int = 3) -> str:
    """`problems` of `ungrounded` as one reason: the first few, and how many more."""
    listed = "; ".join(problems[:shown])
    more = f"; and {len(problems) - shown} more" if len(problems) > shown else ""
    return f"its summary shows what the seed does not say ({listed}{more})"


def _sift(
    slot: Slot,
    channels: Sequence[str],
    entries: list[Entry],
    queue: Iterator[Entry],
    max_stories: int,
    settings: Settings,
    rejected: list[SeedError],
    whole: Exception,
) -> list[Entry]:
    """The entries that pass alone, topped up from `queue` (the next candidates' entries, whose
    failures join `rejected` as they are summarized); the others join `rejected`.

    Raises `whole` (as the batch's failure) when no story passes alone.
    """
    good: list[Entry] = []
    bad: list[tuple[Story, str]] = []
    pending = list(entries)
    while pending and len(good) < max_stories:
        entry = pending.pop(0)
        problem = _alone(slot, channels, entry, settings)
        if problem is None:
            good.append(entry)
        else:
            bad.append((entry.story, problem))
        if not pending and bad and len(good) < max_stories:
            pending = list(islice(queue, 1))
    if not good:  # no story passes alone: a limit or check that no story can meet
        raise whole if isinstance(whole, DigestError) else _batch_failure(slot, whole)
    rejected += [_left_out(story, problem) for story, problem in bad]
    return good


def _alone(slot: Slot, channels: Sequence[str], entry: Entry, settings: Settings) -> str | None:
    """Why `entry` fails in a batch of its own, or None when it passes."""
    try:
        _checked(slot, channels, [entry], [], settings)
    except EmailCheckError as exc:
        return "its email fails " + "; ".join(
            f"the check {name!r}: {problem}" for name, problem in exc.failures
        )
    except Exception as exc:
        return f"it cannot be rendered ({_describe(exc)})"
    return None


def _checked(
    slot: Slot,
    channels: Sequence[str],
    entries: list[Entry],
    rejected: list[SeedError],
    settings: Settings,
    shared: _Shared | None = None,
) -> Rendered:
    """The batch of `entries`, rendered, its email checked."""
    known = shared.posts if shared is not None and shared.current() else None
    rendered = render(_digest(slot, channels, entries, rejected), settings, known)
    check_rendered(rendered, settings)
    return rendered


def _digest(
    slot: Slot, channels: Sequence[str], entries: list[Entry], rejected: list[SeedError]
) -> Digest:
    return Digest(
        slot=slot,
        channels=tuple(channels),
        entries=tuple(entries),
        rejected=tuple(
            RejectedSeed(file=e.path.name, line=e.line, reason=e.reason) for e in rejected
        ),
    )


def _batch_failure(slot: Slot, exc: Exception) -> DigestError:
    return RenderError(f"{slot.batch_id}: the batch could not be rendered ({_describe(exc)})")


def _edits_left_out(error: SeedError) -> SeedError:
    """A story left out for its edits file: named by that file and the key's line."""
    return SeedError(
        error.path,
        error.line,
        f"left out of the batch: {error.reason}; the other stories were published. Fix "
        f"{error.path.name}, or remove it to publish the generated summary",
    )


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


def helper(settings: Settings, *, lookahead: bool = False) -> Ahead:
    """A helper process that does each candidate's own work ahead (its summary, what of it the
    seed does not back, its posts) for the builds of `settings`; with `lookahead`, the next
    slot's candidates too (more slots are due). See `digest.ahead`; `close()` it."""
    return Ahead(partial(_work_ahead, settings), lookahead=lookahead)


# What a story's work ahead is for: the summary's number of bullets, the platforms to compose
# posts for, and the templates folder as it stood (a template saved since changes the posts).
_Context = tuple[int, tuple[str, ...], tuple[tuple[str, int, int], ...]]


@dataclass(frozen=True)
class _Ready:
    """A candidate's work done ahead: its summary as generated, what of it the seed does not
    back, and (when it is backed) its posts per platform."""

    summary: Summary
    problems: tuple[str, ...]
    posts: dict[str, Composed]


def _work_ahead(settings: Settings, story: Story, context: _Context) -> _Ready | None:
    """In the helper: what `_entry` and the posts would compute for `story`; None when any of
    it fails (the build meets the same failure and says why)."""
    max_bullets, names, _ = context
    try:
        summary, problems = _summarized(story, max_bullets)
    except Exception:
        return None
    posts: dict[str, Composed] = {}
    if not problems:
        entry = Entry(story=story, summary=summary)
        for name in names:
            try:
                posts[name] = post_texts(entry, name, settings, _renderer(name, context, settings))
            except Exception:  # composed again, and refused with why, by the build
                continue
    return _Ready(summary, problems, posts)


_RENDERERS: dict[tuple[str, _Context], Any] = {}  # the helper's, one per template state


def _renderer(name: str, context: _Context, settings: Settings) -> Any:
    if (name, context) not in _RENDERERS:
        _RENDERERS[name, context] = renderer(name, settings)
    return _RENDERERS[name, context]


class _Shared:
    """One `assemble` call's side of the helper: what it asks for, and takes."""

    def __init__(self, ahead: Ahead, settings: Settings, channels: Sequence[str]) -> None:
        self.ahead, self.templates = ahead, settings.paths.templates
        names = () if settings.platforms.roundup else settings.platforms.enabled()
        posts = tuple(name for name in names if name in channels)
        self.context: _Context = (
            settings.summary.max_bullets,
            posts,
            stamp(settings.paths.templates) if posts else (),
        )

    def want(self, candidates: Sequence[Story], max_stories: int) -> None:
        self.ahead.want(candidates, max_stories, self.context)

    def take(self, story: Story) -> tuple[Summary, tuple[str, ...]] | None:
        ready = self.ahead.take(story, self.context)
        return (ready.summary, ready.problems) if isinstance(ready, _Ready) else None

    def current(self) -> bool:
        """Whether no template was saved since the candidates were asked for: else the posts
        are composed here, all with the template as it is now."""
        return not self.context[1] or stamp(self.templates) == self.context[2]

    def posts(self, entry: Entry, name: str) -> Composed | None:
        """The posts the helper composed for this very entry (an edited summary has none)."""
        ready = self.ahead.ready.get((entry.story, self.context))
        if not isinstance(ready, _Ready) or ready.summary != entry.summary:
            return None
        return ready.posts.get(name)
