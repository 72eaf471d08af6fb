"""The summary view: each part of a summary, with the seed sentences it came from marked in the
story's text, what an editor replaced marked "edited" (with the warnings of its text), and what
the forms of the view need: each part's key in the edits file and the story's drop and rank."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape

from digest.models import Story, Summary
from digest.preview.model import Item
from digest.preview.views.edited import edited_mark
from digest.summarize.edits import LIMITS


@dataclass(frozen=True)
class Part:
    """A headline, tagline or bullet, with the seed sentences it was drawn from."""

    ref: str  # "h", "t", "b1", "b2", …: names its marks in the text
    label: str
    text: str
    sources: tuple[str, ...]
    key: str = ""  # its key in an edits file: headline, tagline, bullets.N
    limit: int = 0  # the most characters it may have
    edited: bool = False


def parts_of(summary: Summary) -> list[Part]:
    """The summary's parts in reading order."""
    edited = set(summary.edited)
    parts = [
        Part(
            "h",
            "Headline",
            summary.headline,
            summary.sources.headline,
            "headline",
            LIMITS.headline,
            "headline" in edited,
        ),
        Part(
            "t",
            "Tagline",
            summary.tagline,
            summary.sources.tagline,
            "tagline",
            LIMITS.tagline,
            "tagline" in edited,
        ),
    ]
    for number, (bullet, sources) in enumerate(
        zip(summary.bullets, summary.sources.bullets, strict=False), 1
    ):
        key = f"bullets.{number}"
        label = f"Bullet {number}"
        parts.append(Part(f"b{number}", label, bullet, sources, key, LIMITS.bullet, key in edited))
    return parts


def _pattern(sentence: str) -> re.Pattern[str] | None:
    words = sentence.split()
    return re.compile(r"\s+".join(map(re.escape, words))) if words else None


def mark(text: str, parts: list[Part], found: set[tuple[str, str]]) -> Markup:
    """`text` escaped, with each source sentence in it wrapped in a <mark> naming its parts.

    Adds (ref, sentence) to `found` for every sentence met in `text`.
    """
    spans: list[tuple[int, int, str]] = []
    for part in parts:
        for sentence in part.sources:
            pattern = _pattern(sentence)
            for match in pattern.finditer(text) if pattern else ():
                spans.append((match.start(), match.end(), part.ref))
                found.add((part.ref, sentence))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for start, end in pairwise(cuts):
        refs = sorted({ref for s, e, ref in spans if s <= start and end <= e}, key=_order)
        piece = escape(text[start:end])
        if refs:
            classes = " ".join(f"r-{ref}" for ref in refs)
            piece = Markup('<mark class="src {}">{}</mark>').format(classes, piece)
        out.append(piece)
        for ref in sorted({ref for _, e, ref in spans if e == end}, key=_order):
            out.append(Markup('<sup class="ref r-{0}">{1}</sup>').format(ref, _short(ref)))
    return Markup("").join(out)


def _order(ref: str) -> tuple[int, int]:
    return (0, 0) if ref == "h" else (1, 0) if ref == "t" else (2, int(ref[1:]))


def _short(ref: str) -> str:
    return ref.upper()


def blocks_of(story: Story, parts: list[Part], found: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """The story's text as the reader of the seed sees it, in blocks, with sources marked."""
    blocks = [{"kind": "title", "html": mark(story.title, parts, found)}]
    if story.tagline:
        blocks.append({"kind": "tagline", "html": mark(story.tagline, parts, found)})
    for article in story.articles:
        blocks.append({"kind": "label", "html": escape(f"{article.label} Article")})
        if article.headline:
            blocks.append({"kind": "headline", "html": mark(article.headline, parts, found)})
        for paragraph in article.paragraphs:
            blocks.append({"kind": "paragraph", "html": mark(paragraph, parts, found)})
    return blocks


def summary_view(items: tuple[Item, ...]) -> list[dict[str, Any]]:
    """What the summary page shows for each story."""
    out = []
    for item in items:
        parts = parts_of(item.summary)
        found: set[tuple[str, str]] = set()
        blocks = blocks_of(item.story, parts, found) if item.story else []
        missing = [
            {"ref": part.ref, "label": part.label, "sentence": sentence}
            for part in parts
            for sentence in part.sources
            if (part.ref, sentence) not in found
        ]
        warnings: dict[str, list[str]] = {}
        for warning in item.warnings:
            key, _, what = warning.partition(": ")
            warnings.setdefault(key, []).append(what)
        out.append(
            {
                "id": item.summary.story_id,
                "slug": item.story.slug if item.story else None,
                "source": item.source,
                "parts": parts,
                "hashtags": item.summary.hashtags,
                "blocks": blocks,
                "missing": missing,
                "seed_gone": item.story is None,
                "mark": edited_mark(item.summary),
                "warnings": warnings,
                "drop": item.edits.drop if item.edits else False,
                "rank": item.edits.rank if item.edits else None,
                "max_hashtags": LIMITS.hashtags,
            }
        )
    return out
