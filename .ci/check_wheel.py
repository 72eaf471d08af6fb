"""Install digest as a user would, far from this checkout, and build a project with it.

    python .ci/check_wheel.py [WORK]

Builds the wheel from a copy of the working tree, installs it into a new virtualenv, runs
`digest init` in an empty folder, then `digest build`, `digest outbox verify` and `digest check`
there. Everything lands in WORK (default: a new temp folder), which must be outside the checkout.
Exit 0 when every step passed; 1 naming the step that failed and its output. Needs only the
running Python with pip (pip's cache keeps the dependency downloads fast after the first run).
Used by .ci/run and by tests/test_wheel.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class StepFailed(Exception):
    """A command of the check failed; the message names it and carries its output."""


def main(argv: list[str]) -> int:
    work = Path(argv[0]).resolve() if argv else Path(tempfile.mkdtemp(prefix="digest-wheel-"))
    if work.is_relative_to(ROOT):
        print(f"check_wheel: {work} is inside the checkout; pick a folder outside it")
        return 1
    if work.exists() and any(work.iterdir()):
        print(f"check_wheel: {work} is not empty; pick a new or empty folder")
        return 1
    try:
        work.mkdir(parents=True, exist_ok=True)
        batch = check(work)
    except (StepFailed, OSError) as failed:
        print(f"check_wheel: FAILED {failed}")
        return 1
    print(f"check_wheel: ok: the installed wheel built and verified {batch}")
    return 0


def check(work: Path) -> Path:
    """Build, install, init, build, verify, check; returns the batch folder."""
    venv = work / "venv"
    # A venv without its own pip (saves ensurepip); this pip installs into it with --python.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    # The dependencies install while the wheel builds; `pip check` then proves that what is
    # installed satisfies the wheel's own metadata, as a plain `pip install WHEEL` would.
    builder = start_wheel(work / "src", work / "dist")
    run([*pip, "install", "-q", *dependencies()], work)
    wheel = finish_wheel(builder, work / "dist")
    run([*pip, "install", "-q", "--no-deps", str(wheel)], work)
    run([*pip, "check"], work)
    where = run([str(python), "-c", "import digest; print(digest.__file__)"], work).strip()
    if not Path(where).is_relative_to(venv):
        raise StepFailed(f"the venv imports digest from {where}, not from the installed wheel")
    digest = str(venv / "bin" / "digest")
    project = work / "project"
    run([digest, "init", str(project)], work)
    built = json.loads(run([digest, "build", "--json"], project))
    batch = Path(built["batch"])
    run([digest, "outbox", "verify", str(batch)], project)
    run([digest, "check", str(batch)], project)
    return batch


def dependencies() -> list[str]:
    """The package's own requirements, as pyproject.toml states them."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        requirements: list[str] = tomllib.load(file)["project"]["dependencies"]
    return requirements


def start_wheel(src: Path, dist: Path) -> Job:
    """Start building the working tree's wheel, from a copy so the checkout gets no build/."""
    src.mkdir(parents=True)
    for path in ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, src / path.name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "digest", src / "digest", ignore=junk)
    return start(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)]
    )


def finish_wheel(builder: Job, dist: Path) -> Path:
    """Wait for the wheel build; the one wheel it made."""
    finish(builder)
    wheels = sorted(dist.glob("digest-*.whl"))
    if len(wheels) != 1:
        raise StepFailed(f"pip wheel made {len(wheels)} digest wheels in {dist}, not one")
    return wheels[0]


class Job(NamedTuple):
    command: list[str]
    process: subprocess.Popen[str]
    started: float


def run(command: list[str], cwd: Path) -> str:
    """Run `command` in `cwd`; its stdout."""
    return finish(start(command, cwd))


def start(command: list[str], cwd: Path | None = None) -> Job:
    """Start `command` with no trace of this checkout in its environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    pipe = subprocess.PIPE
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=pipe, stderr=pipe, text=True)
    return Job(command, process, time.monotonic())


def finish(job: Job) -> str:
    """Wait for `job`; its stdout, or StepFailed with its output."""
    shown = " ".join(job.command)
    try:
        out, err = job.process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        job.process.kill()
        raise StepFailed(f"{shown}: still running after 600 s") from None
    print(f"$ {shown}  ({time.monotonic() - job.started:.1f} s)", flush=True)
    if job.process.returncode != 0:
        raise StepFailed(f"{shown} (exit {job.process.returncode}):\n{out}{err}")
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
