"""An editor's overrides applied to a generated summary, checked as generated text is.

Edited text keeps the summarizer's own limits (a headline fits a subject line, a tagline the
inbox preview, at most five one-word hashtags) and may replace only a bullet the summary has.
A break is an `EditsError` naming the edits file and the key's line: the story is left out with
that reason, as a bad seed is, so nothing goes out that the editor did not write.

Grounding: a generated text whose numbers or names the seed does not hold is refused, as
before; for an editor's text the same findings are warnings (`edit_warnings`), never a refusal,
since an editor may know what the seed does not say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from digest.errors import SeedError
from digest.models import Editor, Sources, Story, Summary
from digest.seeds import SEED_SUFFIXES
from digest.seeds.edits import EDITS_SUFFIX, Edits, EditsError, read_edits, seed_stem, sidecar_names
from digest.summarize import BULLET_MAX, HEADLINE_MAX, MAX_BULLETS, TAGLINE_MAX, summarize
from digest.summarize.grounding import source_text, ungrounded
from digest.summarize.hashtags import MAX_HASHTAGS, MAX_TAG
from digest.text import nfc

_NOT_WORD = regex.compile(r"[^\p{L}\p{M}\p{N}]+")
_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+(?=\p{Lu})")  # where an editor's next sentence opens


@dataclass(frozen=True)
class Limits:
    """The lengths (characters) and counts edited text must keep: the summarizer's own."""

    headline: int = HEADLINE_MAX
    tagline: int = TAGLINE_MAX
    bullet: int = BULLET_MAX
    hashtags: int = MAX_HASHTAGS
    tag: int = MAX_TAG


LIMITS = Limits()
_WHY = {
    "headline": "a headline may have (it is the email's subject line)",
    "tagline": "a tagline may have (the inbox shows it beside the subject)",
    "bullets": "a bullet may have",
}


def apply_edits(summary: Summary, edits: Edits, limits: Limits = LIMITS) -> Summary:
    """`summary` with the parts `edits` replaces, marked as edited (`Summary.edited`, with the
    editor and time the file gives); the sources of an edited part are empty. Raises
    `EditsError` for text over a limit or a bullet the summary does not have."""
    if not edits.keys:
        return summary
    problems: list[tuple[int, str]] = []
    headline, tagline = summary.headline, summary.tagline
    sources = summary.sources
    if edits.headline is not None:
        headline = _fitted(edits, "headline", edits.headline, limits.headline, problems)
        sources = sources.model_copy(update={"headline": ()})
    if edits.tagline is not None:
        tagline = _fitted(edits, "tagline", edits.tagline, limits.tagline, problems)
        sources = sources.model_copy(update={"tagline": ()})
    bullets, sources = _bullets(summary, edits, sources, limits, problems)
    hashtags = summary.hashtags
    if edits.hashtags is not None:
        hashtags = _hashtags(edits, edits.hashtags, limits, problems)
    if problems:
        raise EditsError(edits.file, problems)
    known = edits.by is not None or edits.at is not None
    return summary.model_copy(
        update={
            "headline": headline,
            "tagline": tagline,
            "bullets": bullets,
            "hashtags": hashtags,
            "sources": sources,
            "edited": edits.keys,
            "editor": Editor(by=edits.by, at=edits.at) if known else None,
        }
    )


def _fitted(edits: Edits, key: str, text: str, limit: int, problems: list[tuple[int, str]]) -> str:
    """`text` on one line, as readers get it; over `limit` characters, a problem."""
    line = " ".join(text.split())
    if len(line) > limit:
        why = _WHY[key.partition(".")[0]]
        reason = f"{key}: {len(line)} characters, over the {limit} {why}; shorten it"
        problems.append((edits.line(key), reason))
    return line


def _bullets(
    summary: Summary,
    edits: Edits,
    sources: Sources,
    limits: Limits,
    problems: list[tuple[int, str]],
) -> tuple[tuple[str, ...], Sources]:
    bullets = list(summary.bullets)
    drawn = list(sources.bullets)
    count = len(bullets)
    for number, text in sorted(edits.bullets.items()):
        key = f"bullets.{number}"
        if number > count:
            reason = (
                f"{key}: the summary has {count} bullets, so there is no bullet {number}; "
                f"number it 1 to {count}, or remove it"
            )
            problems.append((edits.line(key), reason))
            continue
        bullets[number - 1] = _fitted(edits, key, text, limits.bullet, problems)
        drawn[number - 1] = ()
    return tuple(bullets), sources.model_copy(update={"bullets": tuple(drawn)})


def _hashtags(
    edits: Edits, tags: tuple[str, ...], limits: Limits, problems: list[tuple[int, str]]
) -> tuple[str, ...]:
    line = edits.line("hashtags")
    if len(tags) > limits.hashtags:
        reason = f"{len(tags)} of them, over the {limits.hashtags} a story may have"
        problems.append((line, f"hashtags: {reason}; keep those that matter most"))
    for tag in tags:
        if len(tag) > limits.tag:
            reason = f"{tag!r} is {len(tag)} characters, over {limits.tag}; write a shorter one"
            problems.append((line, f"hashtags: {reason}"))
    return tags


def edit_warnings(story: Story, summary: Summary) -> list[str]:
    """Each number and name in the edited parts of `summary` that the seed of `story` does not
    hold, as "<key>: <what>" (for the preview beside the edited text, and the log)."""
    return [f"{key}: {what}" for key, what in ungrounded_edits(story, summary)]


def located_warnings(story: Story, summary: Summary, edits: Edits) -> list[str]:
    """`edit_warnings` as `file:line: <key>: <what>`, for the log and `digest validate`."""
    return [
        f"{edits.file}:{edits.line(key)}: {key}: {what} (a warning: edited text is sent as written)"
        for key, what in ungrounded_edits(story, summary)
    ]


def ungrounded_edits(story: Story, summary: Summary) -> list[tuple[str, str]]:
    """(key, what) for each number or name of an edited part that the seed does not hold."""
    found: list[tuple[str, str]] = []
    for key in summary.edited:
        if key == "hashtags":
            found += [(key, what) for what in _unknown_tags(story, summary.hashtags)]
            continue
        # An editor may write several sentences: the first word of each is read as the first
        # word of a bullet is (capitalised as a sentence opens, not necessarily a name).
        sentences = tuple(_SENTENCE_END.split(_text_of(summary, key)))
        alone = summary.model_copy(update={"headline": "", "tagline": "", "bullets": sentences})
        found += [(key, what.removeprefix("bullet: ")) for what in ungrounded(story, alone)]
    return found


def generated_problems(story: Story, summary: Summary) -> list[str]:
    """`ungrounded` of the parts of `summary` the summarizer wrote (the edited ones left out)."""
    edited = set(summary.edited)
    generated = summary.model_copy(
        update={
            "headline": "" if "headline" in edited else summary.headline,
            "tagline": "" if "tagline" in edited else summary.tagline,
            "bullets": tuple(
                bullet
                for number, bullet in enumerate(summary.bullets, 1)
                if f"bullets.{number}" not in edited
            ),
        }
    )
    return ungrounded(story, generated)


def _text_of(summary: Summary, key: str) -> str:
    if key in ("headline", "tagline"):
        return str(getattr(summary, key))
    return summary.bullets[int(key.partition(".")[2]) - 1]


def _unknown_tags(story: Story, tags: tuple[str, ...]) -> list[str]:
    """The hashtags whose letters and digits (case aside) the seed's text nowhere holds."""
    squashed = _NOT_WORD.sub("", nfc(source_text(story))).casefold()
    return [
        f"hashtag {tag!r} is not in the seed"
        for tag in tags
        if _NOT_WORD.sub("", nfc(tag)).casefold() not in squashed
    ]


def check_sidecars(
    seeds_dir: Path,
    stories: Sequence[Story],
    errors: Sequence[SeedError],
    max_bullets: int = MAX_BULLETS,
) -> tuple[list[SeedError], list[str]]:
    """Every edits file of `seeds_dir` read, and applied to its story's summary as a build
    would (`digest validate`): their problems, one per line, and the warnings of their text.
    An edits file without a seed beside it is a problem; one beside a rejected seed is read."""
    sources = {Path(s.source).stem: s for s in stories}
    rejected = {e.path.stem: e.path.name for e in errors if e.path.suffix.lower() in SEED_SUFFIXES}
    problems: list[SeedError] = []
    warnings: list[str] = []
    for name in sidecar_names(seeds_dir):
        stem = seed_stem(name) or name
        story = sources.get(stem)
        if story is None and stem not in rejected:
            reason = (
                f"no seed beside it ({stem}.txt, .md or .json); name it after its seed "
                f"(<seed name without suffix>{EDITS_SUFFIX}), or remove it"
            )
            problems.append(SeedError(name, 1, reason))
            continue
        try:
            edits = read_edits(seeds_dir, story.source if story else rejected[stem])
            if story is not None and edits is not None:
                summary = apply_edits(summarize(story, max_bullets), edits)
                warnings += located_warnings(story, summary, edits)
        except EditsError as error:
            problems += error.problems
    return problems, warnings
