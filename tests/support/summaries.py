"""The summarizer's equivalence workload: news rows as stories in several shapes, and what
summarizing each one gives (everything a Summary holds, and its grounding problems).

Shared by tests/test_summarize_golden.py (on the vendored rows) and
benchmarks/summarize_speed.py (on the whole dev files, old code against new). Only uses
`digest.models`, `digest.seeds` and the two public summarizer calls, so an older checkout of
digest can be run through it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest.models import Story
from digest.seeds import read_seed, story_from_text

GROUP = 3  # rows per multi-article story
LABELS = ("Main", "Second", "Third")


def rows(path: Path) -> list[dict[str, Any]]:
    """The JSON rows of a JSONL file, in order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _title(row: dict[str, Any]) -> str:
    """The row's title, or (CNN) its first highlight, as benchmarks/whole_job.py does."""
    highlights = row.get("highlights") or ["Untitled"]
    return str(row.get("title") or highlights[0])


def stories(jsonl: list[Path], seeds: list[Path]) -> dict[str, list[tuple[Story, int]]]:
    """(story, max_bullets) in four shapes: "titled" (the whole job's seeds), "untitled" (the
    quality benchmark's: title hidden), "multi" (three rows as one story of three articles,
    their titles as the later articles' headlines; at 5 and at 3 bullets) and "seeds"."""
    data = [row for path in jsonl for row in rows(path)]
    titled = [story_from_text(str(r["id"]), str(r["article"]), _title(r)) for r in data]
    untitled = [story_from_text(str(r["id"]), str(r["article"])) for r in data]
    multi = []
    for start in range(0, len(titled) - GROUP + 1, GROUP):
        group = titled[start : start + GROUP]
        articles = tuple(
            s.articles[0].model_copy(
                update={"label": label, "headline": s.title if index else None, "line": index}
            )
            for index, (label, s) in enumerate(zip(LABELS, group, strict=True))
        )
        multi.append(group[0].model_copy(update={"articles": articles}))
    return {
        "titled": [(s, 5) for s in titled],
        "untitled": [(s, 5) for s in untitled],
        "multi": [(s, n) for s in multi for n in (5, 3)],
        "seeds": [(read_seed(p), 5) for p in seeds],
    }


def outcome(
    story: Story,
    max_bullets: int,
    summarize: Callable[[Story, int], Any],
    ungrounded: Callable[[Story, Any], list[str]],
) -> dict[str, Any]:
    """The story's whole Summary as JSON, and what `ungrounded` says of it."""
    summary = summarize(story, max_bullets)
    return {**summary.model_dump(mode="json"), "ungrounded": ungrounded(story, summary)}


def outcomes(
    shapes: dict[str, list[tuple[Story, int]]],
    summarize: Callable[[Story, int], Any],
    ungrounded: Callable[[Story, Any], list[str]],
) -> dict[str, dict[str, Any]]:
    """`outcome` of every story, keyed "<shape>/<story id>/<max_bullets>", and under
    "crossed/..." what `ungrounded` says of each titled story's summary against the next story
    (a summary its seed mostly does not back)."""
    found = {
        f"{shape}/{story.id}/{count}": outcome(story, count, summarize, ungrounded)
        for shape, pairs in shapes.items()
        for story, count in pairs
    }
    titled = [story for story, _ in shapes["titled"]]
    for story, other in zip(titled, titled[1:] + titled[:1], strict=True):
        summary = summarize(other, 5)
        found[f"crossed/{story.id}/{other.id}"] = {"ungrounded": ungrounded(story, summary)}
    return found
