"""Summary quality on real news, side by side with Lead-3 in the same run, and its speed.

Usage: .venv/bin/python benchmarks/summary_quality.py [--limit N]
- ../shared/data/cnn_highlights.dev.jsonl: ROUGE-1, ROUGE-2, ROUGE-Lsum F1 (rouge-score, stemming)
  of our bullets and of Lead-3 against CNN's highlights; median ms per article of summarize().
- ../shared/data/bbc_titles.dev.jsonl: ROUGE-1 and ROUGE-L F1 of our headline (built from the text
  alone; the title is hidden) and of the lead sentence cut to 70 characters, against the real title.
Each table ends with the ROUGE-1 gain on the file's first and second half: both must agree.
The dev files are not in the repository: benchmarks/_shared.py says where they are looked for
(DIGEST_BENCH_DATA=tests/data/news runs it on the tests' 80-row subset).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from _shared import data_file  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from digest.seeds import story_from_text  # noqa: E402
from digest.summarize import summarize  # noqa: E402
from digest.summarize.extract import sentences_of  # noqa: E402
from digest.summarize.text import shorten  # noqa: E402


def rows(name: str, limit: int | None) -> list[dict[str, object]]:
    lines = data_file(name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:limit]]


def mean(scores: list[float]) -> float:
    return 100 * statistics.fmean(scores)


def add_scores(
    scorer: rouge_scorer.RougeScorer,
    reference: str,
    methods: list[tuple[str, dict[str, list[float]]]],
) -> None:
    """Score each method's candidate against `reference`, appending F1 to its score lists."""
    for candidate, scores in methods:
        result = scorer.score(reference, candidate)
        for key in scores:
            scores[key].append(result[key].fmeasure)


def bullets_table(limit: int | None) -> list[str]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    ours: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}
    lead: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}
    data = rows("cnn_highlights", limit)
    stories = [story_from_text(str(row["id"]), str(row["article"])) for row in data]
    times, summaries = [], []
    for story in stories:  # timed on its own, not interleaved with the scoring
        started = time.perf_counter()
        summaries.append(summarize(story))
        times.append((time.perf_counter() - started) * 1000)
    for row, story, summary in zip(data, stories, summaries, strict=True):
        reference = "\n".join(row["highlights"])  # type: ignore[arg-type]
        lead3 = "\n".join(s.text for s in sentences_of(story)[:3])
        add_scores(scorer, reference, [("\n".join(summary.bullets), ours), (lead3, lead)])
    out = [
        f"CNN highlights ({len(times)} articles), ROUGE F1 x100, stemming",
        "| method | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | median ms / article |",
        "|---|---|---|---|---|",
    ]
    for name, scores, ms in (
        ("Lead-3", lead, "-"),
        ("digest bullets", ours, f"{statistics.median(times):.2f}"),
    ):
        out.append(
            f"| {name} | {mean(scores['rouge1']):.1f} | {mean(scores['rouge2']):.1f} "
            f"| {mean(scores['rougeLsum']):.1f} | {ms} |"
        )
    gain = mean(ours["rouge1"]) - mean(lead["rouge1"])
    out.append(
        f"bullets - Lead-3: ROUGE-1 {gain:+.1f}, ROUGE-2 "
        f"{mean(ours['rouge2']) - mean(lead['rouge2']):+.1f}, ROUGE-Lsum "
        f"{mean(ours['rougeLsum']) - mean(lead['rougeLsum']):+.1f}"
    )
    return out + halves(ours["rouge1"], lead["rouge1"], "bullets - Lead-3")


def headline_table(limit: int | None) -> list[str]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)
    ours: dict[str, list[float]] = {"rouge1": [], "rougeL": []}
    lead: dict[str, list[float]] = {"rouge1": [], "rougeL": []}
    data = rows("bbc_titles", limit)
    for row in data:
        story = story_from_text(str(row["id"]), str(row["article"]))  # the title stays hidden
        headline = summarize(story).headline
        cut = shorten(sentences_of(story)[0].text, 70, ellipsis="")
        add_scores(scorer, str(row["title"]), [(headline, ours), (cut, lead)])
    out = [
        f"BBC titles ({len(data)} articles), headline ROUGE F1 x100, stemming",
        "| method | ROUGE-1 | ROUGE-L |",
        "|---|---|---|",
    ]
    for name, scores in (("lead sentence cut to 70", lead), ("digest headline", ours)):
        out.append(f"| {name} | {mean(scores['rouge1']):.1f} | {mean(scores['rougeL']):.1f} |")
    out.append(
        f"headline - cut lead: ROUGE-1 {mean(ours['rouge1']) - mean(lead['rouge1']):+.1f}, "
        f"ROUGE-L {mean(ours['rougeL']) - mean(lead['rougeL']):+.1f}"
    )
    return out + halves(ours["rouge1"], lead["rouge1"], "headline - cut lead")


def halves(ours: list[float], base: list[float], name: str) -> list[str]:
    """The ROUGE-1 gain on each half of the file (first rows, last rows): a gain tuned on one
    half that the other does not show is not a gain."""
    middle = len(ours) // 2
    out = []
    for label, part in (("first half", slice(0, middle)), ("second half", slice(middle, None))):
        gain = mean(ours[part]) - mean(base[part])
        out.append(f"  {label} ({len(ours[part])} rows): {name} ROUGE-1 {gain:+.1f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N rows of each file")
    args = parser.parse_args()
    print("\n".join(bullets_table(args.limit)))
    print()
    print("\n".join(headline_table(args.limit)))


if __name__ == "__main__":
    main()
