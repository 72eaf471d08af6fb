"""The summarizer's speed, old code against new in one run, and a check that both say the same.

Usage: .venv/bin/python benchmarks/summarize_speed.py --old TREE [--rounds N] [--limit N] [--check]
TREE is a checkout of the code to compare with (`git worktree add /tmp/summ-old fb774cd`).
The stories are tests/support/summaries.py's shapes of every row of ../shared/data/*.dev.jsonl
(benchmarks/_shared.py says where they are looked for) and the repository's BBC seeds: "titled"
is the whole job's seeds (benchmarks/whole_job.py), "untitled" the quality benchmark's. Each
round runs each tree in a fresh process (old and new interleaved) that summarizes every story
once, as a batch does, timing `summarize(story, max_bullets)` and `ungrounded(story, summary)`
apart. Prints, per shape, the median over rounds of the mean ms per story, and new/old.
--check also summarizes every story with both trees and reports any story whose Summary or
grounding differs. Figures are read by people, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def shapes(limit: int | None) -> dict[str, list[Any]]:
    """The workload, built with whichever digest is first on sys.path."""
    sys.path.insert(1, str(ROOT / "tests"))
    from _shared import data_file
    from support.summaries import stories

    seeds = ROOT / "tests" / "data" / "seeds" / "bbc"
    found = stories(
        [data_file("cnn_highlights"), data_file("bbc_titles")],
        [ROOT / "seeds" / "000_5d8e33db419e59d4.txt", *sorted(seeds.glob("*.txt"))],
    )
    return {name: pairs[:limit] for name, pairs in found.items()}


def worker(limit: int | None, out: str | None) -> None:
    """Time every story once (or, with `out`, write every outcome there); JSON on stdout."""
    from digest.summarize import summarize
    from digest.summarize.grounding import ungrounded

    work = shapes(limit)
    if out:
        from support.summaries import outcomes

        found = outcomes(work, summarize, ungrounded)
        Path(out).write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        return
    figures: dict[str, dict[str, float]] = {}
    clock = time.process_time  # CPU time: other jobs on the machine count less
    for name, pairs in work.items():
        spent = {"summarize": 0.0, "grounding": 0.0}
        for story, count in pairs:
            started = clock()
            summary = summarize(story, count)
            middle = clock()
            ungrounded(story, summary)
            spent["summarize"] += middle - started
            spent["grounding"] += clock() - middle
        figures[name] = {k: 1000 * v / len(pairs) for k, v in spent.items()}
    print(json.dumps(figures))


def run(tree: Path, limit: int | None, out: str | None = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker"]
    command += ["--limit", str(limit)] if limit else []
    command += ["--out", out] if out else []
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{tree}: the worker failed:\n{done.stderr}")
    return json.loads(done.stdout) if not out else {}


def check(old: Path, limit: int | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = [str(Path(folder) / "old.json"), str(Path(folder) / "new.json")]
        for tree, out in zip((old, ROOT), files, strict=True):
            run(tree, limit, out)
        before, after = (json.loads(Path(f).read_text(encoding="utf-8")) for f in files)
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    print(f"check: {len(before)} stories; {len(differ)} differ")
    for key in differ[:5]:
        print(f"  {key}\n    old {before.get(key)}\n    new {after.get(key)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per tree")
    parser.add_argument("--limit", type=int, help="only the first N stories of each shape")
    parser.add_argument("--check", action="store_true", help="compare every story's outcome")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.limit, args.out)
        return
    if not args.old:
        parser.error("--old TREE is needed (git worktree add /tmp/summ-old fb774cd)")
    trees = {"old": args.old.resolve(), "new": ROOT}
    rounds: dict[str, list[dict[str, dict[str, float]]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for label, tree in trees.items():
            rounds[label].append(run(tree, args.limit))
    print(f"ms per story, median of {args.rounds} fresh processes per tree (each story once)")
    print(f"{'shape':<10} {'stage':<10} {'old':>8} {'new':>8} {'new/old':>8}")
    for name in rounds["old"][0]:
        for stage in ("summarize", "grounding", "total"):
            old, new = (
                statistics.median(
                    sum(r[name].values()) if stage == "total" else r[name][stage] for r in runs
                )
                for runs in (rounds["old"], rounds["new"])
            )
            print(f"{name:<10} {stage:<10} {old:8.3f} {new:8.3f} {new / old:8.3f}")
    if args.check:
        check(args.old, args.limit)


if __name__ == "__main__":
    main()
