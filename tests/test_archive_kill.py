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

The scene: a site built from four batches (three a page), then an outbox with one batch more,
one gone, one rebuilt with --force and one damaged (skipped, its page kept): the run writes
new pages, rewrites changed ones and removes a page and the second index pages. The runs happen
on a tmpfs where there is one: fsync costs nothing there, and a SIGKILL loses no written data.
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
from support.archive_site import own_files, site_files, site_problems

from digest.archive import build_archive
from digest.archive.site import LOCK, STAGING
from digest.archive.state import STATE
from digest.config import load_config
from digest.pipeline import build
from digest.scheduler.slots import slot_on

CALLS = ("rename", "renameat", "renameat2", "fsync", "unlink", "unlinkat", "rmdir", "mkdir")
POINTS = 8  # kill points at the renames, unlinks and rmdirs (sampled, first and last kept)
MOST = 200  # M: more calls of one kind than the run makes
_CALL = re.compile(r"^(\w+)\((.*)")

# The process strace runs: argv is M and the project folders (the first to warm up on, the
# second the counting run's). It reads kill points "<call> <n>" from stdin, one per remaining
# folder, and prints one JSON line per child: {"pid", "status"}.
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
for folder, line in zip(folders[2:], sys.stdin):
    call, n = line.split()
    run(folder, call, int(n))
"""


def _strace() -> str:
    found = shutil.which("strace")
    if found:
        return found
    if os.environ.get("DIGEST_REQUIRE_STRACE") == "1":
        pytest.fail("strace is not installed; install it (apt-get install -y strace)")
    pytest.skip("strace is not installed (CI installs it and sets DIGEST_REQUIRE_STRACE=1)")


@dataclass(frozen=True)
class Scene:
    project: Path  # the old site, and the outbox the run archives
    old: dict[str, bytes]  # the old site's files
    new: dict[str, bytes]  # the site a whole run makes
    new_state: bytes


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    folder = tmp_path_factory.mktemp("kill")
    settings = project_with_batches(folder, days=4, archive={"per_page": 3})
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
    # Three issues listed, per_page 3: the second index pages are removed.
    whole = _copy(folder, tmp_path_factory.mktemp("kill-whole"))
    result = build_archive(load_config(whole / "config.toml"))
    assert "page/2/index.html" in result.removed and len(result.skipped) == 1
    assert len(result.written) >= 8
    new = site_files(whole / "site")
    assert any(old[name] != new[name] for name in old.keys() & new.keys())
    return Scene(folder, old, new, (whole / "site" / STATE).read_bytes())


def _copy(project: Path, parent: Path) -> Path:
    """A copy of `project`'s config, outbox and site, its templates the project's own folder
    (the same path for every copy, so each run uses the templates compiled once)."""
    target = parent / "project"
    target.mkdir(parents=True)
    for name in ("outbox", "site"):
        if (project / name).is_dir():
            shutil.copytree(project / name, target / name, symlinks=True)
    config = (project / "config.toml").read_text(encoding="utf-8")
    shared = json.dumps(str(project / "templates"))
    assert config.count('templates = "templates"') == 1
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
    """Kill points along the run's calls, as (call, its count so far): a rename, unlink or
    rmdir changes what a reader sees, so POINTS of those, evenly spread (the first and the last
    included); besides, the first mkdir, and the fsync of the first file staged (which leaves
    it in the staging folder) and the last fsync."""
    seen: dict[str, int] = {}
    numbered = []
    for call in calls:
        seen[call] = seen.get(call, 0) + 1
        numbered.append((call, seen[call]))
    changes = [point for point in numbered if point[0] not in ("fsync", "mkdir")]
    step = max(1.0, (len(changes) - 1) / (POINTS - 1))
    picked = {changes[min(len(changes) - 1, round(i * step))] for i in range(POINTS)}
    first_rename = calls.index("rename")
    staged = calls[:first_rename].count("fsync")
    picked |= {("mkdir", 1), ("fsync", staged), ("fsync", seen["fsync"])}
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
    problems += site_problems(site, BASE_URL)
    problems += [
        f"{name}: an entry of the archive's own outside its staging folder"
        for name in own_files(site)
        if name not in (STATE, LOCK, STAGING) and not name.startswith(STAGING + "/")
    ]
    return problems


def _next_run(cwd: Path, scene: Scene) -> list[str]:
    """What is wrong after the next run (the scheduler's or a person's): none of it."""
    build_archive(load_config(cwd / "config.toml"))
    site = cwd / "site"
    problems = [] if site_files(site) == scene.new else ["the next run did not make the new site"]
    if (site / STATE).read_bytes() != scene.new_state:
        problems.append("the next run's state differs from a whole run's")
    if own_files(site) != [STATE, LOCK]:
        problems.append(f"the next run left {own_files(site)}")
    return problems


def _kill_runs(
    strace: str, folders: list[Path], trace: Path
) -> list[tuple[str, int, dict[str, int]]]:
    """Run the server under strace: warm up, count, then one killed child per kill point;
    (call, n, the child's pid and wait status) per point."""
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
        server.stdin.write("".join(f"{call} {n}\n" for call, n in points))
        server.stdin.close()
        children = [json.loads(line) for line in server.stdout]
    assert server.returncode == 0 and len(children) == len(points), errors.read_text()
    return [(call, n, child) for (call, n), child in zip(points, children, strict=True)]


def test_a_kill_at_any_write_of_a_run_leaves_a_complete_site_and_the_next_run_finishes(
    scene: Scene, scratch: Path
) -> None:
    strace = _strace()
    folders = [_copy(scene.project, scratch / f"run-{n}") for n in range(POINTS + 6)]
    trace = scratch / "trace"
    runs = _kill_runs(strace, folders, trace)
    failures = []
    for (call, n, child), cwd in zip(runs, folders[2:], strict=False):
        where = f"killed at {call} #{n}"
        status = child["status"]
        if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGKILL:
            failures.append(f"{where}: not killed (status {status})")
            continue
        last = _traced(Path(f"{trace}.{child['pid']}"))[-1]
        if last[0] != call or "nonexistent-digest" in last[1]:
            failures.append(f"{where}: killed at {last}, not a call of the run")
        failures += [f"{where}: {problem}" for problem in _problems(cwd, scene)]
        failures += [f"{where}: {problem}" for problem in _next_run(cwd, scene)]
    assert failures == []
    assert len(runs) >= POINTS
