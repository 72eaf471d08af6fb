"""Rendering social posts of real stories: this checkout against a baseline checkout, one run.

Usage: .venv/bin/python benchmarks/social_speed.py --baseline DIR [--seeds N] [--reps R]
       [--variants default,thread,roundup]

DIR is another checkout of the project (e.g. `git worktree add DIR <commit>`), run with this
checkout's venv. N (default 300) real rows of ../shared/data/ (benchmarks/_shared.py says where
they are looked for) become canonical seeds, as benchmarks/whole_job.py writes them, summarized
once here, in batches of 20 stories, every channel. Each variant sets the platforms' modes:
"default" is config.toml as it is (X and Bluesky "post", the others "summary"), "thread" puts
X, Bluesky, Mastodon and Threads in mode "thread", "roundup" sets `[platforms] roundup = true`.
Each side runs in its own fresh processes (interleaved, R of each, default 3): one process
imports `digest.render.social` (timed, cold), renders every batch once (cold) and then R more
times (warm), and says whether `twitter_text` was ever imported. Prints medians of ms per story
for each side and the ratio, and whether both sides wrote the same bytes (sha256 of every file).
Figures are read by people, never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
BATCH = 20
VARIANTS = ("default", "thread", "roundup")
THREADED = ("x", "bluesky", "mastodon", "threads")


def digests_json(seeds: int, work: Path) -> Path:
    """`seeds` real stories, summarized, as JSON Digest batches of 20 (one per line)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.factories import make_digest
    from whole_job import news_rows, write_seeds

    from digest.seeds import read_seed

    write_seeds(work / "seeds", seeds, news_rows())
    stories = [read_seed(path) for path in sorted((work / "seeds").glob("*.txt"))]
    lines = [
        make_digest(stories[start : start + BATCH]).model_dump_json()
        for start in range(0, len(stories), BATCH)
    ]
    out = work / "digests.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def worker(digests: Path, config: Path, variant: str, reps: int) -> None:
    """In a fresh process: import, render once cold and `reps` times warm; print JSON."""
    started = time.perf_counter()
    from digest.render.social import render_social

    imported = time.perf_counter() - started
    from digest.config import load_config
    from digest.models import Digest

    settings = load_config(config)
    if variant != "default":
        platforms = settings.platforms
        if variant == "thread":
            update = {
                n: getattr(platforms, n).model_copy(update={"mode": "thread"}) for n in THREADED
            }
        else:
            update = {"roundup": True}
        settings = settings.model_copy(update={"platforms": platforms.model_copy(update=update)})
    batches = [Digest.model_validate_json(line) for line in digests.read_text("utf-8").splitlines()]
    stories = sum(len(b.entries) for b in batches)
    times, digest = [], hashlib.sha256()
    for rep in range(reps + 1):
        started = time.perf_counter()
        files = [render_social(batch, settings) for batch in batches]
        times.append(time.perf_counter() - started)
        if rep == 0:
            for batch_files in files:
                for file in batch_files:
                    digest.update(file.path.encode() + b"\0" + file.content + b"\0")
    print(
        json.dumps(
            {
                "import_ms": imported * 1000,
                "cold_ms": times[0] * 1000 / stories,
                "warm_ms": statistics.median(times[1:]) * 1000 / stories,
                "twitter_text": "twitter_text" in sys.modules,
                "sha256": digest.hexdigest(),
            }
        )
    )


def run_side(tree: Path, digests: Path, variant: str, reps: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [str(PYTHON), __file__, "--worker", str(digests), variant, str(reps)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree)
    if done.returncode != 0:
        sys.exit(f"{tree}: worker failed:\n{done.stderr[-2000:]}")
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        digests, variant, reps = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        worker(digests, ROOT / "config.toml", variant, reps)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    sides = {"baseline": args.baseline.resolve(), "this": ROOT}
    with tempfile.TemporaryDirectory(prefix="digest-bench-", dir=ROOT) as work:
        digests = digests_json(args.seeds, Path(work))
        print(f"{args.seeds} stories in batches of {BATCH}, every channel; {args.reps} processes")
        for variant in args.variants.split(","):
            runs: dict[str, list[dict[str, object]]] = {side: [] for side in sides}
            for _ in range(args.reps):  # interleaved: the machine's noise falls on both sides
                for side, tree in sides.items():
                    runs[side].append(run_side(tree, digests, variant, args.reps))
            report(variant, runs)


def report(variant: str, runs: dict[str, list[dict[str, object]]]) -> None:
    def median(side: str, key: str) -> float:
        return statistics.median(float(str(r[key])) for r in runs[side])

    print(f"{variant}:")
    for key, label in (
        ("warm_ms", "warm ms/story"),
        ("cold_ms", "cold ms/story"),
        ("import_ms", "import ms"),
    ):
        old, new = median("baseline", key), median("this", key)
        print(f"  {label:<14} baseline {old:8.2f}  this {new:8.2f}  ratio {old / new:6.2f}x")
    for side in runs:
        loaded = any(r["twitter_text"] for r in runs[side])
        print(f"  {side:<8} imported twitter_text: {'yes' if loaded else 'no'}")
    hashes = {str(r["sha256"]) for side in runs for r in runs[side]}
    print(f"  output: {'identical' if len(hashes) == 1 else 'DIFFERENT'} on both sides")


if __name__ == "__main__":
    main()
