"""The whole job per story, against the peer stack in the same run; and a warm build's cost as
the seeds folder grows (issue 14).

Usage: .venv/bin/python benchmarks/whole_job.py [--mode catchup|warm] [--seeds N] [--slots K]
       [--reps R] [--sizes SMALL,LARGE] [--peer-n N] [--peer-reps R]
       [--no-stages] [--cprofile] [--no-peer]

catchup (default): a temp project from the repo's config.toml with one daily schedule (every
  channel, max_stories 20, catch_up long enough) and a seeds folder of N (default 1,000)
  canonical `.txt` seeds written from the real news rows (CNN and BBC, interleaved). One fresh
  process per rep runs `digest schedule --once` at a `now` K-1 days and an hour after the first
  slot (K default 49), so it catches up K slots of 20 stories; the process is timed whole. The
  clock: the process is `python -c` that sets `digest.clock.utc_now` to return that `now`, then
  calls `digest.cli.main(["schedule", "--once", ...])` -- the same code path as the installed
  command, only the clock is fixed. Prints ms per story published (wall time / stories in the
  outbox's manifests), median of R reps (default 3), each into a fresh outbox, and the same
  with DIGEST_AHEAD=0 (no helper process: one core); the same process again with every slot
  published, so nothing due (the fixed cost of starting); one more run with stage timers, and
  with --cprofile a cProfile of one more (both see the main process only: the helper's share
  of summaries and posts is not in their figures); then, when the peer stack is set up
  (/tmp/peer-env, see ../shared/tools/peer/README.md), its `peer: X.XX ms per story` from the
  same run and the
  ratio digest/peer.
warm: SMALL and LARGE (default 200 and 5,000) seeds in the folder, K (default 3) earlier slots
  built first so there are manifests, then the next slot's build timed in the same, warm
  process (`digest.pipeline.build`, durable), and in a fresh process (`schedule --once` just
  after the slot, as cron runs it: start-up included); median of R reps (the new batch removed
  after each) and the ratios against SMALL. A third row: LARGE seeds with H (--history,
  default 365) more earlier batches, copies of the first one's manifest a day apart (what
  reading the history costs). More seeds than rows repeat the rows under other file names.

The rows are ../shared/data/*.dev.jsonl (not in the repository: benchmarks/_shared.py says where
they are looked for; DIGEST_BENCH_DATA=tests/data/news runs it on the tests' 80 rows). Figures
are read by people, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from _shared import data_file

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)  # the interpreter this runs in, with digest installed
PEER_PYTHON = Path("/tmp/peer-env/bin/python")
PEER_STACK = ROOT.parent / "shared" / "tools" / "peer" / "peer_stack.py"

SCHEDULE = "bench"
AT = "08:00"
ZONE = ZoneInfo("Europe/London")
FIRST_DAY = "2026-05-01"  # K <= 150 daily slots from here stay clear of a clock change
STORIES = 20
CHANNELS = ["email", "x", "bluesky", "mastodon", "linkedin", "threads"]
# The stages a run is split into: (label, module, function), each wrapped with a timer in the
# profiled process where the pipeline looks it up (no stage calls another). The rest of the
# run (start-up, imports, config, scheduler, assembling) is "other".
STAGES = (
    ("read seeds", "digest.pipeline", "read_seeds"),
    ("history (carried)", "digest.pipeline", "carried"),
    ("summarize", "digest.assemble", "summarize"),
    ("grounding", "digest.assemble", "ungrounded"),
    ("render stories", "digest.render.stories", "render_stories"),
    ("render email", "digest.render.email", "render_email"),
    ("render social", "digest.render.social", "render_social"),
    ("email checks", "digest.assemble", "check_rendered"),
    ("publish", "digest.pipeline", "publish"),
)
# One `digest schedule --once` with the clock at argv[1], the config at argv[2]; with argv[3],
# each stage's seconds are written there as JSON, and with argv[4] a cProfile of the run too.
RUN_ONCE = """
import importlib
import json
import sys
import time
from datetime import datetime

import digest.clock

now = datetime.fromisoformat(sys.argv[1])
digest.clock.utc_now = lambda: now
from digest.cli import main

argv = ["schedule", "--once", "--config", sys.argv[2]]
if len(sys.argv) > 3:
    spent = {}

    def timed(label, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    for label, module, name in json.loads(sys.argv[3]):
        loaded = importlib.import_module(module)
        setattr(loaded, name, timed(label, getattr(loaded, name)))
    if len(sys.argv) > 5:
        import cProfile

        profile = cProfile.Profile()
        code = profile.runcall(main, argv)
        profile.dump_stats(sys.argv[5])
    else:
        code = main(argv)
    with open(sys.argv[4], "w") as out:
        json.dump(spent, out)
else:
    code = main(argv)
sys.exit(code)
"""


def news_rows() -> list[dict[str, object]]:
    """CNN and BBC rows interleaved (CNN's first highlight stands in for its missing title)."""
    files = [data_file("cnn_highlights"), data_file("bbc_titles")]
    tables = [[json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()] for f in files]
    rows = []
    for index in range(max(len(t) for t in tables)):
        rows += [table[index] for table in tables if index < len(table)]
    return rows


def seed_text(row: dict[str, object], copy: int) -> str:
    """One row as a canonical seed: front matter (url), title line, the primary article."""
    highlights = row.get("highlights")
    first = highlights[0] if isinstance(highlights, list) and highlights else "Untitled"
    title = row.get("title") or first
    title = re.sub(r"\s+", " ", str(title)).strip()
    ident = re.sub(r"[^a-z0-9-]+", "-", str(row["id"]).lower())
    suffix = f"-{copy}" if copy else ""
    paragraphs = [p.strip() for p in str(row["article"]).split("\n") if p.strip()]
    return (
        f'+++\nurl = "https://news.example.org/{ident}{suffix}"\n+++\n{title}\n\n'
        "**Primary Article:**\n\n" + "\n\n".join(paragraphs) + "\n"
    )


def write_seeds(folder: Path, count: int, rows: list[dict[str, object]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        text = seed_text(rows[number % len(rows)], number // len(rows))
        (folder / f"seed-{number:05d}.txt").write_text(text, encoding="utf-8")


def first_slot() -> datetime:
    hour, minute = (int(part) for part in AT.split(":"))
    day = datetime.fromisoformat(FIRST_DAY)
    return day.replace(hour=hour, minute=minute, tzinfo=ZONE).astimezone(UTC)


def lay_out(folder: Path, seeds: int, slots: int, rows: list[dict[str, object]]) -> Path:
    """A project: the repo's config.toml with one daily schedule whose catch_up reaches back
    just before the first slot from `now` (see `catchup_now`). Returns its config.toml."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    start = text.index("[[schedules]]")
    text = text[:start] + text[text.index("[paths]", start) :]
    window = timedelta(days=slots - 1, hours=2)  # now - window is an hour before the first slot
    schedule = {
        "name": SCHEDULE,
        "days": "daily",
        "at": AT,
        "timezone": ZONE.key,
        "channels": CHANNELS,
        "max_stories": STORIES,
        "catch_up": f"{window.days}d {window.seconds // 3600}h",
    }
    block = "[[schedules]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in schedule.items())
    text = text.replace("[paths]", block + "\n[paths]", 1)
    text = re.sub(
        r'(?m)^templates = "templates"', f"templates = {json.dumps(str(ROOT / 'templates'))}", text
    )
    (folder / "config.toml").write_text(text, encoding="utf-8")
    write_seeds(folder / "seeds", seeds, rows)
    return folder / "config.toml"


def catchup_now(slots: int) -> datetime:
    return first_slot() + timedelta(days=slots - 1, hours=1)


def published_stories(outbox: Path) -> tuple[int, int]:
    """(batches, stories) in the outbox's manifests."""
    batches = stories = 0
    for manifest in outbox.glob(f"*/{SCHEDULE}-*/manifest.json"):
        batches += 1
        stories += len(json.loads(manifest.read_text(encoding="utf-8")).get("stories", []))
    return batches, stories


def run_once(
    config: Path, now: datetime, extra: list[str] | None = None, *, one_core: bool = False
) -> float:
    """Wall ms of one `digest schedule --once` process at `now` (`one_core`: DIGEST_AHEAD=0,
    no helper process)."""
    command = [str(PYTHON), "-c", RUN_ONCE, now.isoformat(), str(config), *(extra or [])]
    env = {**os.environ, "DIGEST_AHEAD": "0"} if one_core else None
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=config.parent, env=env)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        sys.exit(f"digest schedule --once failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def fresh_outbox(config: Path) -> Path:
    outbox = config.parent / "outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    outbox.mkdir()
    return outbox


def stage_lines(config: Path, now: datetime, work: Path, cprofile: bool) -> list[str]:
    """One more run with each stage timed (and under cProfile when asked): ms per story and
    share of the wall time per stage; with cProfile, the functions of most own time."""
    outbox = fresh_outbox(config)
    spent_file, prof = work / "stages.json", work / "run.prof"
    extra = [json.dumps(STAGES), str(spent_file)] + ([str(prof)] if cprofile else [])
    wall = run_once(config, now, extra) / 1000
    stories = max(published_stories(outbox)[1], 1)
    spent = json.loads(spent_file.read_text(encoding="utf-8"))
    spent["other"] = wall - sum(spent.values())
    kind = "under cProfile" if cprofile else "stage timers only"
    lines = [f"stages of one more run ({wall * 1000:.0f} ms, {stories} stories, {kind}):"]
    for label in [stage[0] for stage in STAGES] + ["other"]:
        seconds = spent.get(label, 0.0)
        lines.append(
            f"  {label:<20} {1000 * seconds / stories:7.2f} ms/story  {100 * seconds / wall:5.1f}%"
        )
    if cprofile:
        stats = pstats.Stats(str(prof))
        table = stats.stats  # type: ignore[attr-defined]
        top = sorted(table.items(), key=lambda item: -item[1][2])[:15]
        lines.append("  most own time (cProfile, inflated by it): ms/story  function")
        for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in top:
            where = re.sub(r"^.*?/(site-packages|lib/python3[.0-9]*|work/main)/", "", filename)
            lines.append(f"    {1000 * tottime / stories:7.2f}  {where}:{line}({name})")
    return lines


def peer_figure(n: int, reps: int) -> float | None:
    if not PEER_PYTHON.exists() or not PEER_STACK.exists():
        print(f"peer stack not set up ({PEER_PYTHON} missing; see {PEER_STACK.parent}/README.md)")
        return None
    command = [str(PEER_PYTHON), str(PEER_STACK), "--n", str(n), "--reps", str(reps)]
    result = subprocess.run(command, capture_output=True, text=True)
    found = re.search(r"^peer: ([0-9.]+) ms per story.*$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not found:
        print(f"peer stack failed ({result.returncode}): {result.stderr.strip()[-500:]}")
        return None
    print(found.group(0))
    return float(found.group(1))


def catchup(args: argparse.Namespace, rows: list[dict[str, object]], work: Path) -> None:
    config = lay_out(work, args.seeds, args.slots, rows)
    now = catchup_now(args.slots)
    print(
        f"catchup: {args.seeds} seeds, one daily schedule ({len(CHANNELS)} channels, "
        f"max_stories {STORIES}), {args.slots} slots due at now={now.isoformat()}; {args.reps} reps"
    )
    per_story, walls, alone = [], [], []
    for _ in range(args.reps):
        outbox = fresh_outbox(config)
        wall = run_once(config, now)
        batches, stories = published_stories(outbox)
        walls.append(wall)
        per_story.append(wall / max(stories, 1))
        print(f"  run: {wall:9.0f} ms, {batches} batches, {stories} stories")
        outbox = fresh_outbox(config)
        wall = run_once(config, now, one_core=True)
        alone.append(wall / max(published_stories(outbox)[1], 1))
        print(f"  run: {wall:9.0f} ms with DIGEST_AHEAD=0 (one core: no helper process)")
    # The same process again on the last rep's outbox: every slot is published, so nothing is
    # due (start-up, config, reading the outbox's history, the lock).
    idle = statistics.median(run_once(config, now) for _ in range(args.reps))
    digest = statistics.median(per_story)
    print(f"process with nothing due  median {idle:8.0f} ms   (start-up, config, history, lock)")
    print(f"whole process             median {statistics.median(walls):8.0f} ms")
    print(f"digest: {digest:.2f} ms per story published (wall / stories, median of {args.reps})")
    print(f"  on one core (DIGEST_AHEAD=0): {statistics.median(alone):.2f} ms per story")
    if args.stages:
        print("\n".join(stage_lines(config, now, work, cprofile=False)))
    if args.cprofile:
        print("\n".join(stage_lines(config, now, work, cprofile=True)))
    peer = None if args.no_peer else peer_figure(args.peer_n, args.peer_reps)
    if peer:
        print(f"ratio digest/peer         {digest / peer:8.2f}x")


def warm(args: argparse.Namespace, rows: list[dict[str, object]], work: Path) -> None:
    from digest.config import load_config
    from digest.pipeline import build
    from digest.scheduler.slots import slots_between
    from digest.seeds.memo import SETTLED_NS

    sizes = [int(part) for part in args.sizes.split(",")]
    print(
        f"warm: next slot's build (in-process, durable) after {args.slots} earlier slots of "
        f"{STORIES} stories, seeds {' vs '.join(map(str, sizes))}, then {args.history} more "
        f"earlier batches; the same build in a fresh process too; {args.reps} reps"
    )
    cases = [(size, 0) for size in sizes] + [(sizes[-1], args.history)]
    rows_out: list[tuple[str, float, float]] = []
    for size, extra in cases:
        folder = work / f"warm-{size}-{extra}"
        folder.mkdir()
        config = lay_out(folder, size, args.slots + 1, rows)
        # The folder's seeds are history, written long before this slot: past the seeds index's
        # settling time, so that every case's history builds keep them in the index alike.
        time.sleep(SETTLED_NS / 1e9 + 0.2)
        settings = load_config(config)
        schedule = settings.schedule(SCHEDULE)
        slots = list(
            slots_between(schedule, first_slot() - timedelta(hours=1), catchup_now(args.slots + 1))
        )
        outbox = fresh_outbox(config)
        for slot in slots[:-1]:  # the history, built in this process (which warms it too)
            build(settings, slot)
        older_batches(outbox, extra)
        pristine = folder / "outbox-history"  # its scheduler files, to put back
        shutil.copytree(outbox, pristine, symlinks=True)
        timings, fresh = [], []
        for _ in range(args.reps):
            started = time.perf_counter()
            result = build(settings, slots[-1])
            timings.append((time.perf_counter() - started) * 1000)
            unpublish(pristine, outbox, slots[-1].folder)
            # The next slot again, as cron's `schedule --once` runs it.
            fresh.append(run_once(config, slots[-1].utc + timedelta(minutes=5)))
            unpublish(pristine, outbox, slots[-1].folder)
        earlier = len(slots) - 1 + extra
        label = (
            f"{size:>5} seeds, {earlier:>3} earlier batch{'es' if earlier != 1 else ''}, "
            f"{len(result.stories)} stories"
        )
        rows_out.append((label, statistics.median(timings), statistics.median(fresh)))
    base = rows_out[0]
    print(f"  {'':46} {'in-process':>12} {'ratio':>7} {'fresh process':>14} {'ratio':>7}")
    for label, warm_ms, fresh_ms in rows_out:
        print(
            f"  {label:46} {warm_ms:9.0f} ms {warm_ms / base[1]:6.2f}x "
            f"{fresh_ms:11.0f} ms {fresh_ms / base[2]:6.2f}x"
        )
    print("  (ratios against the first row; the fresh process includes start-up)")


def unpublish(pristine: Path, outbox: Path, folder: str) -> None:
    """The outbox as it was before the timed build: its batch removed, the scheduler's files
    put back; the earlier batches stay the same files (a copy would be new files to read)."""
    shutil.rmtree(outbox / folder)
    for name in (".journal.jsonl", ".scheduler.awake"):
        if (pristine / name).exists():
            shutil.copy2(pristine / name, outbox / name)
        else:
            (outbox / name).unlink(missing_ok=True)


def older_batches(outbox: Path, count: int) -> None:
    """`count` more published batches before the built ones: copies of the first batch's
    manifest (its stories renamed, so they carry no seed of the folder) a day apart."""
    if not count:
        return
    first = min(outbox.glob(f"*/{SCHEDULE}-*/manifest.json"))
    manifest = json.loads(first.read_text(encoding="utf-8"))
    start = datetime.fromisoformat(manifest["slot"]["utc"])
    for back in range(1, count + 1):
        when = start - timedelta(days=back)
        local = when.astimezone(ZONE)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        copy = dict(manifest, batch_id=f"{SCHEDULE}@{stamp}")
        copy["slot"] = {"local": local.isoformat(), "utc": when.isoformat()}
        copy["stories"] = [
            dict(story, slug=f"h{back}-{story['slug']}"[:80], id=f"h{back}-{story['id']}"[:90])
            for story in manifest["stories"]
        ]
        batch = outbox / local.date().isoformat() / f"{SCHEDULE}-{local.strftime('%H%M')}"
        batch.mkdir(parents=True)
        (batch / "manifest.json").write_text(json.dumps(copy), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--mode", choices=("catchup", "warm"), default="catchup")
    parser.add_argument("--seeds", type=int, default=1000, help="catchup: seeds in the folder")
    parser.add_argument("--slots", type=int, help="catchup: slots due (49); warm: earlier (3)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", default="200,5000", help="warm: SMALL,LARGE seed counts")
    parser.add_argument("--history", type=int, default=365, help="warm: more earlier batches")
    parser.add_argument("--peer-n", type=int, default=300)
    parser.add_argument("--peer-reps", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-stages", dest="stages", action="store_false")
    parser.add_argument("--cprofile", action="store_true", help="catchup: and a cProfile run")
    args = parser.parse_args()
    args.slots = args.slots or (49 if args.mode == "catchup" else 3)
    rows = news_rows()
    work = Path(tempfile.mkdtemp(prefix="digest-bench-", dir=ROOT))
    try:
        (catchup if args.mode == "catchup" else warm)(args, rows, work)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
