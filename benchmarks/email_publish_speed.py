"""Render email, email checks and durable publish of real 20-story batches: this tree against an
earlier commit, interleaved in one process (issue 14).

Usage: .venv/bin/python benchmarks/email_publish_speed.py [--against REV] [--rounds N]
       [--batches B] [--no-publish]

The batches are B (default 4) digests of 20 real news rows per round, every round its own rows
while the rows last (benchmarks/_shared.py says where the rows are; DIGEST_BENCH_DATA=tests/data/
news for the tests' 80), every channel, summarized once outside the timing: a story is timed
once, as in a run, so nothing the code keeps from one batch for the next (a header made once
per config, an attribute read once) counts for more than it would.
The earlier code is `git archive REV digest` (default fb774cd, before this
work), imported as the package `digest_old` beside this tree's `digest`; each round times, per
batch and for old and new in turn, `render_email`, `check_rendered` and `publish` (durable, into
a fresh outbox on the project's file system). Prints the medians in ms per story and the ratio
old/new of each stage. Figures are read by people, never asserted.
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STORIES = 20
CHANNELS = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
_IMPORT = re.compile(r"\b(from|import) digest\b")


def old_package(rev: str, into: Path) -> None:
    """`git archive REV digest` unpacked in `into` as the package `digest_old`."""
    archive = subprocess.run(
        ["git", "archive", rev, "digest"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "digest").rename(into / "digest_old")
    for source in (into / "digest_old").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        source.write_text(_IMPORT.sub(r"\1 digest_old", text), encoding="utf-8")


def stages(package: str) -> dict[str, Callable[..., Any]]:
    def load(module: str) -> ModuleType:
        return importlib.import_module(f"{package}.{module}")

    return {
        "render email": load("render.email").render_email,
        "email checks": load("render.email.checks").check_rendered,
        "publish": load("outbox").publish,
        "render": load("render").render,
        "config": load("config").load_config,
        "models": load("models"),
        "seeds": load("seeds").read_seed,
        "summarize": load("summarize").summarize,
    }


def digests(package: str, rows: list[dict[str, Any]], batches: int, work: Path) -> list[Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from whole_job import seed_text

    found = stages(package)
    models = found["models"]
    out = []
    for number in range(batches):
        stories = []
        for index in range(STORIES):
            path = work / f"seed-{number}-{index}.txt"
            path.write_text(seed_text(rows[number * STORIES + index], 0), encoding="utf-8")
            stories.append(found["seeds"](path))
        local = datetime(2026, 5, 1, 8, 0, tzinfo=ZoneInfo("Europe/London"))
        local += timedelta(days=number)
        slot = models.Slot(schedule="bench", day=local.date(), at="0800", local=local)
        entries = tuple(models.Entry(story=s, summary=found["summarize"](s)) for s in stories)
        out.append(models.Digest(slot=slot, channels=CHANNELS, entries=entries))
    return out


def run(name: str, found: dict[str, Any], config: Any, digest: Any, rendered: Any, outbox: Path):
    """One stage of one batch."""
    if name == "render email":
        found[name](digest, config)
    elif name == "email checks":
        found[name](rendered, config)
    else:
        found[name](rendered, outbox, "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="fb774cd")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from whole_job import news_rows

    rows = news_rows()
    work = Path(tempfile.mkdtemp(prefix="digest-bench-", dir=ROOT))
    try:
        old_package(args.against, work / "old")
        sys.path.insert(0, str(work / "old"))
        (work / "seeds").mkdir()
        distinct = max(1, min(args.batches * args.rounds, len(rows) // STORIES))
        sides = {}
        for side, package in (("old", "digest_old"), ("new", "digest")):
            found = stages(package)
            config = found["config"](ROOT / "config.toml")
            made = digests(package, rows, distinct, work / "seeds")
            sides[side] = (found, config, made, [found["render"](d, config) for d in made])
        for side in sides:  # the same bytes, or the comparison means nothing
            if side != "old":
                pairs = zip(sides["old"][3], sides[side][3], strict=True)
                assert all(
                    [f.content for f in a.files] == [f.content for f in b.files] for a, b in pairs
                ), "the two trees render different bytes"
        names = ["render email", "email checks"] + ([] if args.no_publish else ["publish"])
        timings: dict[tuple[str, str], list[float]] = {}
        count = 0
        for round_ in range(args.rounds):
            for batch in range(args.batches):
                index = (round_ * args.batches + batch) % distinct
                for side, (found, config, made, rendered) in sides.items():
                    count += 1
                    for name in names:
                        outbox = work / "outbox" / str(count)
                        started = time.perf_counter()
                        run(name, found, config, made[index], rendered[index], outbox)
                        spent = (time.perf_counter() - started) * 1000 / STORIES
                        timings.setdefault((name, side), []).append(spent)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{args.batches} batches of {STORIES} stories, {args.rounds} rounds ({distinct} distinct "
        f"batches), old = {args.against}; medians in ms per story"
    )
    print(f"{'stage':<14} {'old':>8} {'new':>8} {'old/new':>8}")
    for name in names:
        old = statistics.median(timings[(name, "old")])
        new = statistics.median(timings[(name, "new")])
        print(f"{name:<14} {old:8.3f} {new:8.3f} {old / new:7.1f}x")
    old = sum(statistics.median(timings[(n, "old")]) for n in names)
    new = sum(statistics.median(timings[(n, "new")]) for n in names)
    print(f"{'together':<14} {old:8.3f} {new:8.3f} {old / new:7.1f}x")


if __name__ == "__main__":
    main()
