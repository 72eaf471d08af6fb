"""The email stage's cost per batch of 20 stories: `build_eml` (the `.eml`) and `check_rendered`
(the checks every build runs), this tree against an earlier commit, interleaved (issue 14).

Usage: .venv/bin/python benchmarks/email_stage.py [--against REV] [--rounds N] [--batches B]
       [--cprofile]

The batches are digests of 20 real news rows each, every batch its own rows (see
benchmarks/_shared.py for where the rows are; DIGEST_BENCH_DATA=tests/data/news for the tests'
80 rows), every channel, summarized and rendered once outside the timing; then every
`functools` cache of the package is emptied, so that no batch's timing profits from its own
rendering. Each round takes B (default 6) batches not timed before, while there are rows for
them (N default 9 rounds: 54 batches of the 1,102 dev rows): nothing kept from one batch for the
next (a header made once per config, an attribute read once) counts for more than it would
in a run. Each batch is timed as a build does it, for each tree in turn: `build_eml(digest,
settings, text=..., html=...)` on its own text and HTML, then `check_rendered` of its rendered
files; and then, on this tree, the parts of the checks once more (`read_email`, and
`check_email` on what it read; the `.eml`'s headers already read once for the batch). With
`--cprofile`, one more pass over the batches of this tree (caches emptied again) runs under
cProfile and the functions of most own time are printed. The two trees must write the same
`.eml` bytes, or the run stops saying so. Prints medians in ms per batch, of wall time and of
the thread's CPU time (steadier on a shared machine); figures are read by people, never
asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from email_publish_speed import STORIES, digests, old_package  # noqa: E402
from whole_job import news_rows  # noqa: E402

FILES = ("email/digest.html", "email/digest.txt", "email/digest.eml")


def tree(package: str) -> dict[str, Any]:
    """The functions timed, from the package `package` (`digest` or `digest_old`)."""

    def load(module: str) -> Any:
        return importlib.import_module(f"{package}.{module}")

    checks = load("render.email.checks")
    return {
        "build_eml": load("render.email.message").build_eml,
        "check_rendered": checks.check_rendered,
        "read_email": checks.read_email,
        "check_email": checks.check_email,
        "render": load("render").render,
        "config": load("config").load_config,
    }


def prepared(package: str, rows: list[dict[str, Any]], batches: int, work: Path) -> Any:
    """(functions, settings, [(digest, rendered, text, html, eml)]) of `batches` batches."""
    found = tree(package)
    settings = found["config"](ROOT / "config.toml")
    out = []
    for digest in digests(package, rows, batches, work):
        rendered = found["render"](digest, settings)
        files = {f.path: f.content for f in rendered.files}
        html, text, eml = (files[path] for path in FILES)
        out.append((digest, rendered, text.decode(), html.decode(), eml))
    return found, settings, out


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU ms of one call (the CPU time is the steadier on a shared machine)."""
    started, cpu = time.perf_counter(), time.thread_time()
    run()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000


def empty_caches(package: str) -> None:
    """Empty every `functools` cache of the modules of `package`."""
    for name, module in list(sys.modules.items()):
        if name == package or name.startswith(package + "."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def one_batch(found: dict[str, Any], settings: Any, batch: Any) -> dict[str, Callable[[], Any]]:
    """The timed steps of one batch, in the order they run: the build's two, then the checks'
    parts apart."""
    digest, rendered, text, html, _eml = batch
    files = {f.path: f.content for f in rendered.files}
    contents = tuple(files[path] for path in FILES)
    read: list[Any] = []
    return {
        "build_eml": lambda: found["build_eml"](digest, settings, text=text, html=html),
        "check_rendered": lambda: found["check_rendered"](rendered, settings),
        "  read_email": lambda: read.append(found["read_email"](*contents)),
        "  check_email": lambda: found["check_email"](read[-1], settings),
    }


def profile(found: dict[str, Any], settings: Any, batches: list[Any]) -> None:
    empty_caches("digest")
    profiler = cProfile.Profile()
    for batch in batches:
        runs = one_batch(found, settings, batch)
        profiler.runcall(runs["build_eml"])
        profiler.runcall(runs["check_rendered"])
    stats = pstats.Stats(profiler)
    table = stats.stats  # type: ignore[attr-defined]
    print(f"cProfile of build_eml + check_rendered, ms per batch ({len(batches)} batches):")
    print("   own    cumul  function")
    top = sorted(table.items(), key=lambda item: -item[1][2])[:25]
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in top:
        where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        where = where.split("/lib/python3")[-1]
        share = 1000 / len(batches)
        print(f"  {tottime * share:6.2f} {cumtime * share:7.2f}  {where}:{line}({name})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", help="an earlier commit to time alongside")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()
    rows = news_rows()
    distinct = max(1, min(args.batches * args.rounds, len(rows) // STORIES))
    work = Path(tempfile.mkdtemp(prefix="digest-bench-", dir=ROOT))
    try:
        sides = {}
        if args.against:
            old_package(args.against, work / "old")
            sys.path.insert(0, str(work / "old"))
            (work / "old-seeds").mkdir()
            sides["old"] = prepared("digest_old", rows, distinct, work / "old-seeds")
        (work / "seeds").mkdir()
        sides["new"] = prepared("digest", rows, distinct, work / "seeds")
        if "old" in sides:  # the same bytes, or the comparison means nothing
            for old, new in zip(sides["old"][2], sides["new"][2], strict=True):
                if old[4] != new[4]:
                    sys.exit("the two trees write different .eml bytes: nothing to compare")
        for side in sides:
            empty_caches("digest_old" if side == "old" else "digest")
        timings = time_batches(sides, args.rounds * args.batches)
        if args.cprofile:
            profile(*sides["new"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    against = f"; old = {args.against}" if args.against else ""
    print(
        f"{args.rounds} rounds of {args.batches} batches of {STORIES} stories ({distinct} "
        f"distinct){against}; medians in ms per batch, wall and CPU (thread) time"
    )
    print("\n".join(report(timings)))


def time_batches(sides: dict[str, Any], count: int) -> dict[tuple[str, str], list[Any]]:
    """(wall, CPU) ms of each step of `count` batches, in turn, for each tree: the parts of the
    checks on this tree only."""
    timings: dict[tuple[str, str], list[Any]] = {}
    for index in range(count):
        for side, (found, settings, made) in sides.items():
            for name, run in one_batch(found, settings, made[index % len(made)]).items():
                if side == "old" and name.startswith(" "):
                    continue
                timings.setdefault((name, side), []).append(timed(run))
    return timings


def report(timings: dict[tuple[str, str], list[tuple[float, float]]]) -> list[str]:
    """A row per step: the medians of wall and CPU time of each tree, and old/new of each."""
    names = list(dict.fromkeys(name for name, _ in timings))
    sides = [side for side in ("old", "new") if (names[0], side) in timings]
    heads = [f"{side} {kind}" for side in sides for kind in ("wall", "cpu")]
    ratios = ["old/new wall", "old/new cpu"] if len(sides) == 2 else []
    lines = [f"{'':<16}" + "".join([f"{h:>10}" for h in heads] + [f"{h:>14}" for h in ratios])]
    for name in names:
        medians = {
            side: [statistics.median(t[kind] for t in timings[(name, side)]) for kind in (0, 1)]
            for side in sides
            if (name, side) in timings
        }
        pairs = [medians.get(side, [None, None]) for side in sides]
        row = [f"{v:10.2f}" if v is not None else f"{'':>10}" for pair in pairs for v in pair]
        if len(medians) == 2:
            row += [f"{medians['old'][k] / medians['new'][k]:13.2f}x" for k in (0, 1)]
        lines.append(f"{name:<16}" + "".join(row))
    return lines


if __name__ == "__main__":
    main()
