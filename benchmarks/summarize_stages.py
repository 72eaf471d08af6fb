"""The summarizer's cost per story by stage (summarize, make_hashtags, ungrounded), optionally
old code against new in the same run.

Usage: .venv/bin/python benchmarks/summarize_stages.py [--seeds FOLDER] [--count N]
       [--passes P] [--old TREE]

The stories: the seeds in FOLDER, or else N (default 1,000) seeds written to a temp folder as
benchmarks/whole_job.py writes them (CNN and BBC rows interleaved, from ../shared/data/; see
benchmarks/_shared.py). Each pass is a fresh process (as one build is) that reads the seeds and
then, for every story once, times `summarize(story, max_bullets)`, `make_hashtags(story)` (also
called inside summarize: timed apart to show its share) and `ungrounded(story, summary)`; CPU
time (`time.process_time`) and wall time. Prints, per stage, the median over passes of the
mean ms per story. With --old TREE (a checkout: `git worktree add ../old <commit>`) each pass
runs the old tree, then this one, and prints both and new/old. Figures are read by people,
never asserted.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("summarize", "make_hashtags", "ungrounded")
MAX_BULLETS = 5  # config.toml's summary.max_bullets
T = TypeVar("T")


def worker(folder: Path) -> None:
    """Time every story of `folder` once; print {stage: {"cpu": ms, "wall": ms}} as JSON."""
    from digest.seeds import read_seeds
    from digest.summarize import summarize
    from digest.summarize.grounding import ungrounded
    from digest.summarize.hashtags import make_hashtags

    stories, _ = read_seeds(folder, 1_000_000, None)
    cpu = dict.fromkeys(STAGES, 0.0)
    wall = dict.fromkeys(STAGES, 0.0)

    def timed(stage: str, call: Callable[..., T], *args: Any) -> T:
        started, clock = time.perf_counter(), time.process_time()
        result = call(*args)
        cpu[stage] += time.process_time() - clock
        wall[stage] += time.perf_counter() - started
        return result

    for story in stories:
        summary = timed("summarize", summarize, story, MAX_BULLETS)
        timed("make_hashtags", make_hashtags, story)
        timed("ungrounded", ungrounded, story, summary)
    figures = {
        s: {"cpu": 1000 * cpu[s] / len(stories), "wall": 1000 * wall[s] / len(stories)}
        for s in STAGES
    }
    print(json.dumps({"stories": len(stories), "stages": figures}))


def run(tree: Path, folder: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--worker", str(folder)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{tree}: the worker failed:\n{done.stderr}")
    found: dict[str, object] = json.loads(done.stdout)
    return found


def write_seeds(folder: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from whole_job import news_rows
    from whole_job import write_seeds as write

    write(folder, count, news_rows())


def report(rounds: dict[str, list[dict[str, object]]]) -> None:
    labels = list(rounds)
    stories = rounds[labels[0]][0]["stories"]
    passes = len(rounds[labels[0]])
    print(f"ms per story over {stories} stories, median of {passes} fresh processes per tree")
    print(f"{'stage':<14} {'clock':<5}" + "".join(f" {label:>8}" for label in labels), end="")
    print(f" {'new/old':>8}" if len(labels) == 2 else "")
    for stage in STAGES:
        for clock in ("cpu", "wall"):
            medians = [
                statistics.median(r["stages"][stage][clock] for r in rounds[label])  # type: ignore[index]
                for label in labels
            ]
            line = f"{stage:<14} {clock:<5}" + "".join(f" {m:8.3f}" for m in medians)
            print(line + (f" {medians[1] / medians[0]:8.3f}" if len(medians) == 2 else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, help="a folder of seeds (default: written)")
    parser.add_argument("--count", type=int, default=1000, help="seeds to write")
    parser.add_argument("--passes", type=int, default=5, help="fresh processes per tree")
    parser.add_argument("--old", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    trees = {"old": args.old.resolve()} if args.old else {}
    trees["new" if args.old else "this"] = ROOT
    with tempfile.TemporaryDirectory() as temp:
        folder = args.seeds
        if folder is None:
            folder = Path(temp) / "seeds"
            write_seeds(folder, args.count)
        rounds: dict[str, list[dict[str, object]]] = {label: [] for label in trees}
        for _ in range(args.passes):
            for label, tree in trees.items():
                rounds[label].append(run(tree, folder))
    report(rounds)


if __name__ == "__main__":
    main()
