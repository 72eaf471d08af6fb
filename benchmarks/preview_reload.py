"""Median time from saving a seed to the open preview page showing the change, in Chromium.

Usage: .venv/bin/python benchmarks/preview_reload.py [--saves N] [--view PATH]
Two temp projects with three seeds each are previewed on free loopback ports, one server waking
on file events (watchfiles), the other on its polling fallback; each has its page (by default
the next slot's email view) open in headless Chromium. The lead seed's title is saved N times in
each project, the two taking turns, and each save is timed until its page's text shows the new
title, until the email in the page's iframe shows it too (email views), and until the server's
generation goes up (the watcher's own share). Baselines measured in the same run: the fallback's
poll interval, and the time to build the same page in-process, without the server or the browser
(read the seeds, summarize, render, fill the page).

The page times itself: before each save a script in it checks, at every animation frame (just
before the browser paints it), whether the text is there, and the clock it reads is set against
this process's. So this process sits idle while the page updates: polling the page from here
took a round trip through this process, which also runs the servers, every few milliseconds.
The email's remote images fail at once (no host resolves but the loopback) instead of each
being routed through this process to be refused.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from support.browser import ARGS, chromium  # noqa: E402
from support.preview import NOW, make_project, running  # noqa: E402

from digest.preview.pages import respond  # noqa: E402
from digest.preview.site import Site  # noqa: E402
from digest.preview.watcher import POLL_SECONDS, Live  # noqa: E402

SEED = "000_5d8e33db419e59d4.txt"
TITLE = "Bukele US Plan on Migrants"
SHOWS = "marker => document.getElementById('page').textContent.includes(marker)"
NO_REMOTE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
# Resolves, at the first animation frame where it is so, with the page's clock (ms since the
# epoch) when #page shows `marker`, and when the email frame does too (null: the page has none).
WATCH = """marker => {
  const now = () => performance.timeOrigin + performance.now();
  const frameText = () => {
    const frame = document.getElementById("email-frame");
    const body = frame && frame.contentDocument && frame.contentDocument.body;
    return body ? body.textContent : "";
  };
  window.__shown = new Promise((resolve, reject) => {
    let page = null;
    const deadline = now() + 10000;
    const tick = () => {
      const t = now();
      if (page === null && document.getElementById("page").textContent.includes(marker)) page = t;
      if (page !== null && !document.getElementById("email-frame")) return resolve([page, null]);
      if (page !== null && frameText().includes(marker)) return resolve([page, t]);
      if (t > deadline) return reject(new Error("not shown within 10 s: " + marker));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}"""


def wait_until_shown(page: Page, marker: str, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while page.evaluate(SHOWS, marker) is not True:
        if time.perf_counter() > deadline:
            raise SystemExit(f"the page did not show {marker!r} within {timeout} s")
        time.sleep(0.002)


def clock_offset(page: Page) -> float:
    """The page's clock minus this process's (ms), from the quickest of a few round trips."""
    best = (float("inf"), 0.0)
    for _ in range(15):
        before = time.time() * 1000
        theirs = page.evaluate("() => performance.timeOrigin + performance.now()")
        after = time.time() * 1000
        best = min(best, (after - before, theirs - (before + after) / 2))
    return best[1]


MODES = {"events": True, "polling": False}


Timings = dict[str, list[float]]
KINDS = ("page", "frame", "generation")


def stamp(live: Live, generation: int, out: list[float]) -> None:
    """When the server's generation moves on from `generation` (the watcher saw a save)."""
    live.wait(generation, 10)
    out.append(time.time() * 1000)


def in_browser(configs: dict[str, Path], view: str, saves: int) -> tuple[dict[str, Timings], float]:
    """Save -> page shows it, -> its email frame shows it, and -> the server's generation goes
    up, for each watcher mode's own project and server, the two taking turns; and the polling
    server's pause between looks at the end (seconds)."""
    path = chromium()
    if path is None:
        raise SystemExit("no chromium: apt-get install chromium, or set DIGEST_CHROMIUM")
    timings = {kind: {mode: [] for mode in configs} for kind in KINDS}
    pauses = random.Random(7)
    with sync_playwright() as playwright, ExitStack() as stack:
        args = [*ARGS, NO_REMOTE]
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=args)
        pages: dict[str, tuple[Page, Live, Path, str, float]] = {}
        for mode, config in configs.items():
            server = stack.enter_context(running(config, events=MODES[mode]))
            if not server.live.ready.wait(10) or server.live.mode != mode:
                raise SystemExit(f"the {mode} server watches by {server.live.mode or 'nothing'}")
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url + view)
            wait_until_shown(page, TITLE)
            seed = config.parent / "seeds" / SEED
            offset = clock_offset(page)
            pages[mode] = (page, server.live, seed, seed.read_text(encoding="utf-8"), offset)
        for number in range(saves):
            for mode, (page, live, seed, original, offset) in pages.items():
                marker = f"Edit {number} of the plan"
                page.evaluate(WATCH, marker)
                generation = live.generation
                bumped: list[float] = []
                waiter = threading.Thread(target=stamp, args=(live, generation, bumped))
                waiter.start()
                started = time.time() * 1000
                seed.write_text(original.replace(TITLE, marker), encoding="utf-8")
                shown, framed = page.evaluate("() => window.__shown")
                timings["page"][mode].append(shown - offset - started)
                if framed is not None:
                    timings["frame"][mode].append(framed - offset - started)
                waiter.join()
                timings["generation"][mode].append(bumped[0] - started)
                # Let the page settle; a random pause, so saves fall anywhere in a poll period.
                time.sleep(pauses.uniform(0.3, 0.5))
        pause = pages["polling"][1].pause()
        browser.close()
    return timings, pause


def line(what: str, label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    median = statistics.median(timings)
    return f"{what:<25} median {median:7.1f} ms   (p90 {p90:.1f} ms)   {label}"


def in_process(config: Path, view: str, saves: int) -> list[float]:
    """The same edits, each followed by building the page without server or browser."""
    seed = config.parent / "seeds" / SEED
    original = seed.read_text(encoding="utf-8")
    timings = []
    for number in range(saves):
        marker = f"Build {number} of the plan"
        started = time.perf_counter()
        seed.write_text(original.replace(TITLE, marker), encoding="utf-8")
        body = respond(Site(config, NOW), "/" + view).body
        timings.append((time.perf_counter() - started) * 1000)
        assert marker.encode() in body
    seed.write_text(original, encoding="utf-8")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=15, help="saves to time (default 15)")
    parser.add_argument("--view", default="slot/morning/email.html", help="the page to watch")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digest-bench-", dir=ROOT))
    try:
        configs = {}
        for mode in MODES:
            (work / mode).mkdir()
            configs[mode] = make_project(work / mode, max_stories=3)
        built = in_process(configs["events"], args.view, args.saves)
        timings, pause = in_browser(configs, args.view, args.saves)
    finally:
        shutil.rmtree(work)
    labels = {"events": "file events (watchfiles)", "polling": "polling fallback"}
    print(f"preview live reload: {args.view}, 3 seeds, {args.saves} saves per watcher")
    whats = {
        "page": "save -> page shows it",
        "frame": "save -> email shows it",
        "generation": "save -> generation up",
    }
    for kind, what in whats.items():
        if not timings[kind]["events"]:
            continue  # a view without an email frame
        for mode, label in labels.items():
            print(line(what, label, timings[kind][mode]))
        ratio = statistics.median(timings[kind]["events"]) / statistics.median(
            timings[kind]["polling"]
        )
        print(f"{'  ratio events / polling':<32} {ratio:7.2f}")
    print(f"page built, no browser    median {statistics.median(built):7.1f} ms   (baseline)")
    print(
        f"server poll interval             {pause * 1000:7.1f} ms   "
        f"(baseline; at most {POLL_SECONDS * 1000:.0f} ms, shorter while a look is cheap)"
    )


if __name__ == "__main__":
    main()
