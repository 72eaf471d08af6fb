"""`digest archive` killed (SIGKILL) at its renames, fsyncs, unlinks, mkdirs and rmdirs: the old
site stays whole and complete, no temporary file lies among the site's files, and the next run
finishes the job.

strace kills the run at the Nth call of one system call, as tests/test_outbox_swap.py does. A
fresh `digest archive` per kill point would pay Python's start-up each time, so one process
started under `strace -f` imports digest once and forks one child per kill point (strace
counts each tracee's calls apart). Every child is killed at the same count M of its chosen call;
it first makes M - N harmless calls of it (on a path that does not exist), so that the Nth
call of the run is the Mth. A first child runs the whole build untouched and its trace gives
the calls to choose from; each child's trace shows it was killed at a call of the run's, not at
one of its own.

The scenes: a site built from four batches, then an outbox with one batch more, one gone, one
rebuilt with --force and one damaged (skipped, its page kept), archived with another
`per_page`: "grow" goes from one index page to three (so the run writes page 3 before the
page 2 it links to, and each page before the one that starts linking to it), "shrink" from four
to one (the new last page before the pages past it go). After each kill: nothing but the old
and the new bytes of each file, every file a reader can reach from index.html, the feeds and
the sitemap whole (a page written ahead of those linking to it may link to one not yet
written: no reader reaches it), and the next run makes exactly the site a run that was never
killed makes, with the same `per_page` or with a third one (so a killed run's pages that no
state named are removed too: they were in its journal). The runs happen on a tmpfs where there
is one: fsync costs nothing there, and a SIGKILL loses no written data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.archive import BASE_URL, FIRST_DAY, project_with_batches, publish_days, write_seeds
from support.archive_site import own_files, reachable_problems, site_files
from support.strace import strace as _strace

from digest.archive import build_archive
from digest.archive.journal import JOURNAL
from digest.archive.site import LOCK, STAGING
from digest.archive.state import STATE
from digest.config import load_config
from digest.pipeline import build
from digest.scheduler.slots import slot_on

CALLS = ("rename", "renameat", "renameat2", "fsync", "unlink", "unlinkat", "rmdir", "mkdir")
POINTS = 8  # kill points at fsyncs (sampled, first and last kept); every rename and unlink
MOST = 200  # M: more calls of one kind than the run makes
_CALL = re.compile(r"^(\w+)\((.*)")

# The process strace runs: argv is M and two project folders (the first to warm up on, the
# second the counting run's). It reads kill points "<call> <n> <folder>" from stdin, and prints
# one JSON line per child: {"pid", "status"}.
SERVER = r"""
import json, os, sys
from pathlib import Path
from digest.archive import build_archive
from digest.config import load_config

most, folders = int(sys.argv[1]), sys.argv[2:]
pipe = os.pipe()[0]
NOWHERE = "/nonexistent-digest-kill-test"
DUMMY = {
    "rename": lambda: os.rename(NOWHERE, NOWHERE + "-b"),
    "unlink": lambda: os.unlink(NOWHERE),
    "rmdir": lambda: os.rmdir(NOWHERE),
    "mkdir": lambda: os.mkdir(NOWHERE + "/x"),
    "fsync": lambda: os.fsync(pipe),
}

def child(folder, call, n):
    settings = load_config(Path(folder) / "config.toml")
    for _ in range(most - n if call else 0):
        try:
            DUMMY[call]()
        except OSError:
            pass
    build_archive(settings)

def run(folder, call=None, n=0):
    pid = os.fork()
    if pid == 0:
        try:
            child(folder, call, n)
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"pid": pid, "status": status}), flush=True)

build_archive(load_config(Path(folders[0]) / "config.toml"))  # templates compiled once
run(folders[1])
for line in sys.stdin:
    call, n, folder = line.rstrip("\n").split(" ", 2)
    run(folder, call, int(n))
"""


# name -> per_page of the old site, of the killed run, of the run after it (the other config)
SCENES = {"grow": (4, 1, 3), "shrink": (1, 4, 2)}


@dataclass(frozen=True)
class Scene:
    project: Path  # the old site, and the outbox the run archives (with the run's per_page)
    old: dict[str, bytes]  # the old site's files
    new: dict[str, bytes]  # the site a whole run makes
    new_state: bytes
    other: dict[str, bytes]  # the site a whole run with the other per_page makes from the old
    other_state: bytes
    other_per_page: int


@pytest.fixture(scope="module", params=sorted(SCENES))
def scene(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Scene:
    before, during, after = SCENES[request.param]
    folder = tmp_path_factory.mktemp(f"kill-{request.param}")
    settings = project_with_batches(folder, days=4, archive={"per_page": before})
    build_archive(settings)
    old = site_files(settings.paths.site)
    write_seeds(settings.paths.seeds, 10)
    publish_days(settings, 1, first=FIRST_DAY.replace(day=5))  # a new page
    shutil.rmtree(settings.paths.outbox / "2026-12-01")  # its page is removed
    seed = settings.paths.seeds / "story-0003.txt"
    seed.write_text(seed.read_text().replace("Story number 3", "Story number three"))
    build(settings, slot_on(settings.schedules[0], FIRST_DAY.replace(day=2)), force=True)
    damaged = settings.paths.outbox / "2026-12-03/morning-0800/email/digest.html"
    damaged.write_bytes(damaged.read_bytes() + b" ")  # skipped: its old page stays
    set_per_page(folder, during)
    whole = _copy(folder, tmp_path_factory.mktemp("kill-whole"))
    result = build_archive(load_config(whole / "config.toml"))
    assert len(result.skipped) == 1 and len(result.written) >= 8
    new = site_files(whole / "site")
    assert any(old[name] != new[name] for name in old.keys() & new.keys())
    pages = {name for name in old.keys() | new.keys() if name.startswith("page/")}
    assert pages == {"page/2/index.html", "page/3/index.html", "page/4/index.html"} & (
        new.keys() if request.param == "grow" else old.keys()
    )
    other = _copy(folder, tmp_path_factory.mktemp("kill-other"))
    set_per_page(other, after)
    build_archive(load_config(other / "config.toml"))
    return Scene(
        folder,
        old,
        new,
        (whole / "site" / STATE).read_bytes(),
        site_files(other / "site"),
        (other / "site" / STATE).read_bytes(),
        after,
    )


def set_per_page(project: Path, per_page: int) -> None:
    config = project / "config.toml"
    text, count = re.subn(r"(?m)^per_page = \d+$", f"per_page = {per_page}", config.read_text())
    assert count == 1
    config.write_text(text)


def _copy(project: Path, parent: Path) -> Path:
    """A copy of `project`'s config, outbox and site, its templates the project's own folder
    (the same path for every copy, so each run uses the templates compiled once)."""
    target = parent / "project"
    target.mkdir(parents=True)
    for name in ("outbox", "site"):
        if (project / name).is_dir():
            shutil.copytree(project / name, target / name, symlinks=True)
    config = (project / "config.toml").read_text(encoding="utf-8")
    if 'templates = "templates"' in config:
        shared = json.dumps(str(project / "templates"))
        config = config.replace('templates = "templates"', f"templates = {shared}")
    (target / "config.toml").write_text(config, encoding="utf-8")
    return target


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """Where the runs happen: a tmpfs when there is one (fsync is free there, and a SIGKILL
    loses nothing a disk would keep), else the test's own folder."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="digest-archive-kill-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sample(calls: list[str]) -> list[tuple[str, int]]:
    """Kill points along the run's calls, as (call, its count so far): every rename, unlink and
    rmdir (each changes what a reader sees); besides, the first mkdir, and POINTS fsyncs
    evenly spread, the first of a journal line, of the first file staged (which leaves it in
    the staging folder) and the last among them."""
    seen: dict[str, int] = {}
    numbered = []
    for call in calls:
        seen[call] = seen.get(call, 0) + 1
        numbered.append((call, seen[call]))
    picked = {point for point in numbered if point[0] not in ("fsync", "mkdir")}
    syncs = [point for point in numbered if point[0] == "fsync"]
    step = max(1.0, (len(syncs) - 1) / (POINTS - 1))
    picked |= {syncs[min(len(syncs) - 1, round(i * step))] for i in range(POINTS)}
    staged = calls[: calls.index("rename")].count("fsync")
    picked |= {("mkdir", 1), ("fsync", staged), ("fsync", staged - 1)}
    return sorted(picked, key=numbered.index)


def _traced(log: Path) -> list[tuple[str, str]]:
    found = [m.groups() for line in log.read_text().splitlines() if (m := _CALL.match(line))]
    return [(call, args) for call, args in found if call in CALLS]


def _problems(cwd: Path, scene: Scene) -> list[str]:
    """What is wrong with the site a killed run left, by the promise of the archive."""
    site = cwd / "site"
    files = site_files(site)
    problems = [
        f"{name}: neither its old nor its new bytes"
        for name, data in files.items()
        if data not in (scene.old.get(name), scene.new.get(name))
    ]
    gone = scene.old.keys() - files.keys()
    problems += [f"{name}: of the old site and the new, gone" for name in gone & scene.new.keys()]
    problems += reachable_problems(site, BASE_URL)
    problems += [
        f"{name}: an entry of the archive's own outside its staging folder"
        for name in own_files(site)
        if name not in (STATE, LOCK, STAGING, JOURNAL) and not name.startswith(STAGING + "/")
    ]
    return problems


def _next_runs(cwd: Path, scene: Scene) -> list[str]:
    """What is wrong after the next run (the scheduler's or a person's), with the same config
    or with the other per_page: none of it, each the site a run never killed makes."""
    other = _copy(cwd, cwd.with_name(cwd.name + "-other"))
    set_per_page(other, scene.other_per_page)
    problems = []
    for folder, files, state, which in (
        (cwd, scene.new, scene.new_state, "same"),
        (other, scene.other, scene.other_state, "other"),
    ):
        build_archive(load_config(folder / "config.toml"))
        site = folder / "site"
        found = site_files(site)
        if found != files:
            extra, missing = sorted(found.keys() - files.keys()), sorted(files.keys() - found)
            changed = sorted(n for n in found.keys() & files.keys() if found[n] != files[n])
            problems.append(
                f"the next run ({which} config) did not make the site a whole run makes: "
                f"{extra} more, {missing} missing, {changed} differ"
            )
        if (site / STATE).read_bytes() != state:
            problems.append(f"the next run's state ({which} config) differs from a whole run's")
        if own_files(site) != [STATE, LOCK]:
            problems.append(f"the next run ({which} config) left {own_files(site)}")
    return problems


def _kill_runs(
    strace: str, scene: Scene, scratch: Path
) -> list[tuple[str, int, dict[str, int], Path]]:
    """Run the server under strace: warm up, count, then one killed child per kill point, each
    in a copy of the scene's project; (call, n, the child's pid and wait status, its project)
    per point."""
    trace = scratch / "trace"
    folders = [_copy(scene.project, scratch / name) for name in ("warm", "count")]
    injections = [f"--inject={call}:signal=KILL:when={MOST}" for call in CALLS]
    command = [strace, "-f", "-qq", "-ff", "-o", str(trace), f"--trace={','.join(CALLS)}"]
    command += [*injections, sys.executable, "-c", SERVER, str(MOST), *map(str, folders)]
    errors = trace.with_name("stderr")
    with (
        errors.open("w") as stderr,
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True
        ) as server,
    ):
        assert server.stdin is not None and server.stdout is not None
        counted = json.loads(server.stdout.readline() or "{}")
        assert counted.get("status") == 0, errors.read_text()
        calls = [call for call, _ in _traced(Path(f"{trace}.{counted['pid']}"))]
        assert calls.count("rename") > 8 and "unlink" in calls and "rmdir" in calls, calls
        assert max(calls.count(call) for call in set(calls)) < MOST
        points = _sample(calls)
        projects = [_copy(scene.project, scratch / f"run-{n}") for n in range(len(points))]
        server.stdin.write(
            "".join(f"{call} {n} {cwd}\n" for (call, n), cwd in zip(points, projects, strict=True))
        )
        server.stdin.close()
        children = [json.loads(line) for line in server.stdout]
    assert server.returncode == 0 and len(children) == len(points), errors.read_text()
    return [
        (call, n, child, cwd)
        for (call, n), child, cwd in zip(points, children, projects, strict=True)
    ]


def test_a_kill_at_any_write_of_a_run_leaves_a_whole_site_and_the_next_run_finishes(
    scene: Scene, scratch: Path
) -> None:
    strace = _strace()
    runs = _kill_runs(strace, scene, scratch)
    failures = []
    for call, n, child, cwd in runs:
        where = f"killed at {call} #{n}"
        status = child["status"]
        if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGKILL:
            failures.append(f"{where}: not killed (status {status})")
            continue
        last = _traced(Path(f"{scratch / 'trace'}.{child['pid']}"))[-1]
        if last[0] != call or "nonexistent-digest" in last[1]:
            failures.append(f"{where}: killed at {last}, not a call of the run")
        failures += [f"{where}: {problem}" for problem in _problems(cwd, scene)]
        failures += [f"{where}: {problem}" for problem in _next_runs(cwd, scene)]
    assert failures == []
    assert len(runs) >= 2 * POINTS
