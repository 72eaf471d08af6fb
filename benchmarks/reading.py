"""What a build pays to read, in a warm process, when nothing changed (issue 14): the seeds
folder (`read_seeds`, and `gather`, which adds the slug check) and the outbox's history of one
schedule (`carried`, which lists the published batches).

Usage: .venv/bin/python benchmarks/reading.py [--seeds 1000,5000] [--batches 10,365] [--reps R]

Seeds: a temp folder of N canonical `.txt` seeds, past the seeds memo's settling time, read once
(cold), then R more times (warm). Batches: a temp outbox of N daily batches of one schedule, each
a manifest of 20 stories (no other file: `carried` reads the manifests only), read once, then R
more times. Prints the median ms per call and the os calls of one warm call (os.stat, os.lstat,
os.listdir, os.scandir, os.open as Python calls them: `os.path.islink` is an lstat, a DirEntry's
own stat is not counted; strace -c counts the system calls). Figures are read by people, never
asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

SCHEDULE = "bench"
SEED = (
    "Council votes on the harbour plan {n}\n"
    "“The vote {n} decides the harbour's future”\n"
    "**Primary Article:**\n"
    "**Council votes {n}**\n"
    "The council met on Monday and voted {n} to 2 for the new harbour plan.\n"
    "The plan costs 40 million pounds and takes three years.\n"
)
COUNTED = ("stat", "lstat", "listdir", "scandir", "open")


def median_ms(call: Callable[[], object], reps: int) -> float:
    timings = []
    for _ in range(reps):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """The os calls made inside, by name."""
    counts: Counter[str] = Counter()
    real = {name: getattr(os, name) for name in COUNTED}

    def wrap(name: str) -> Callable[..., object]:
        def counted(*args: object, **kwargs: object) -> object:
            counts[name] += 1
            return real[name](*args, **kwargs)

        return counted

    for name in COUNTED:
        setattr(os, name, wrap(name))
    try:
        yield counts
    finally:
        for name, function in real.items():
            setattr(os, name, function)


def shown(counts: Counter[str]) -> str:
    return " ".join(f"{name} {counts[name]}" for name in COUNTED if counts[name]) or "none"


def seeds_rows(sizes: list[int], reps: int, work: Path) -> None:
    from digest.pipeline import gather
    from digest.seeds import read_seeds
    from digest.seeds.memo import SETTLED_NS

    folders = []
    for size in sizes:
        folder = work / f"seeds-{size}"
        folder.mkdir()
        for number in range(size):
            (folder / f"seed-{number:05d}.txt").write_text(SEED.format(n=number), "utf-8")
        folders.append(folder)
    time.sleep(SETTLED_NS / 1e9 + 0.2)  # written long before the build, as seeds are
    for size, folder in zip(sizes, folders, strict=True):
        cold = median_ms(lambda f=folder: read_seeds(f), 1)
        warm = median_ms(lambda f=folder: read_seeds(f), reps)
        slugs = median_ms(lambda f=folder: gather(f, None), reps)
        with counting() as counts:
            read_seeds(folder)
        print(
            f"read_seeds {size:>5} seeds   cold {cold:8.1f} ms   warm {warm:7.2f} ms "
            f"({warm * 1000 / size:5.2f} us/seed)   gather warm {slugs:7.2f} ms   "
            f"os calls: {shown(counts)}"
        )


def lay_out_batches(outbox: Path, count: int) -> datetime:
    """`count` daily batches of SCHEDULE, 20 stories each; returns the instant after the last."""
    from digest.outbox.manifest import Manifest, SlotTimes, StoryRecord, manifest_bytes

    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    for day in range(count):
        when = start + timedelta(days=day)
        stories = tuple(
            StoryRecord(
                id=f"d{day}-s{n}-0123abcd", slug=f"d{day}-s{n}", content_hash="0" * 64, source="x"
            )
            for n in range(20)
        )
        manifest = Manifest(
            batch_id=f"{SCHEDULE}@{when:%Y-%m-%dT%H:%M:%SZ}",
            schedule=SCHEDULE,
            slot=SlotTimes(local=when, utc=when),
            generator="digest bench",
            config_hash="0" * 64,
            channels=("email",),
            stories=stories,
            files=(),
            rejected=(),
        )
        batch = outbox / f"{when:%Y-%m-%d}" / f"{SCHEDULE}-0800"
        batch.mkdir(parents=True)
        (batch / "manifest.json").write_bytes(manifest_bytes(manifest))
    return start + timedelta(days=count)


def batches_rows(sizes: list[int], reps: int, work: Path) -> None:
    from digest.outbox.batches import carried, published

    outboxes = []
    for size in sizes:
        outbox = work / f"outbox-{size}"
        outboxes.append((outbox, lay_out_batches(outbox, size)))
    time.sleep(2.2)  # the history was published long before this build
    for size, (outbox, after) in zip(sizes, outboxes, strict=True):
        cold = median_ms(lambda o=outbox, a=after: carried(o, SCHEDULE, a), 1)
        warm = median_ms(lambda o=outbox, a=after: carried(o, SCHEDULE, a), reps)
        listed = median_ms(lambda o=outbox: published(o, SCHEDULE), reps)
        with counting() as counts:
            slugs = carried(outbox, SCHEDULE, after)
        assert len(slugs) == 20 * size  # the figure is of a right answer
        print(
            f"carried    {size:>5} batches cold {cold:8.1f} ms   warm {warm:7.2f} ms "
            f"({warm * 1000 / size:5.1f} us/batch)   published warm {listed:6.2f} ms   "
            f"os calls: {shown(counts)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1000,5000", help="seeds folder sizes")
    parser.add_argument("--batches", default="10,365", help="outbox sizes, in daily batches")
    parser.add_argument("--reps", type=int, default=30, help="warm calls per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-reading-") as work:
        seeds_rows([int(n) for n in args.seeds.split(",") if n], args.reps, Path(work))
        batches_rows([int(n) for n in args.batches.split(",") if n], args.reps, Path(work))
    print("(medians; a warm call is one with nothing changed since the last; never asserted)")


if __name__ == "__main__":
    sys.exit(main())
