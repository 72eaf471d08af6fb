"""Median cost of publishing one batch, with fsync (durable) and without, measured in one run.

Usage: .venv/bin/python benchmarks/publish.py [ROUNDS]
The batch is a real five-story digest of BBC seeds with every channel (rendered once, outside the
timing); each round publishes it into a fresh outbox on the same file system as the project.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.factories import BBC_SEEDS, make_digest, settings  # noqa: E402

from digest.outbox import publish  # noqa: E402
from digest.render import render  # noqa: E402
from digest.seeds import read_seed  # noqa: E402


def main(rounds: int) -> None:
    config = settings()
    stories = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:5]]
    rendered = render(make_digest(stories), config)
    size = sum(len(f.content) for f in rendered.files)
    timings: dict[bool, list[float]] = {True: [], False: []}
    work = Path(tempfile.mkdtemp(prefix="digest-bench-", dir=ROOT))
    try:
        for number in range(rounds):
            for durable in (True, False):  # interleaved, so drift affects both alike
                started = time.perf_counter()
                publish(rendered, work / f"{number}-{durable}", "bench", durable=durable)
                timings[durable].append((time.perf_counter() - started) * 1000)
    finally:
        shutil.rmtree(work)
    with_fsync, without = statistics.median(timings[True]), statistics.median(timings[False])
    print(f"one batch: {len(rendered.files) + 1} files, {size / 1024:.0f} KiB; {rounds} rounds")
    print(f"publish with fsync    median {with_fsync:8.2f} ms")
    print(f"publish without fsync median {without:8.2f} ms   (baseline)")
    print(f"ratio with/without    {with_fsync / without:8.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
