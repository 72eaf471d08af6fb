"""Equivalence: every vendored news row and seed summarizes exactly as the golden says.

tests/golden/summary/rows.json was written by the summarizer before its speed-up (fb774cd):
headline, tagline, bullets, hashtags, sources and the grounding check of each story, in the
shapes tests/support/summaries.py builds. A faster summarizer must give the same bytes.
"""

from __future__ import annotations

import json

from support.factories import BBC_SEEDS, EXAMPLE_SEED, NEWS
from support.summaries import outcomes, stories

from digest.summarize import summarize
from digest.summarize.grounding import ungrounded


def test_every_row_summarizes_as_before(golden) -> None:  # type: ignore[no-untyped-def]
    shapes = stories(
        [NEWS / "cnn_highlights.jsonl", NEWS / "bbc_titles.jsonl"],
        [EXAMPLE_SEED, *sorted(BBC_SEEDS.glob("*.txt"))],
    )
    found = outcomes(shapes, summarize, ungrounded)
    assert len(found) == sum(len(pairs) for pairs in shapes.values()) + len(shapes["titled"])
    golden("summary/rows.json", json.dumps(found, ensure_ascii=False, indent=1) + "\n")
