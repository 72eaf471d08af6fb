"""The package as a user gets it: the built wheel, in a new virtualenv outside the repository.

Slow (about half a minute: a wheel build and a dependency install, from pip's cache when warm), and
never skipped: it is the only test that sees what `pip install` really ships (`-m "not slow"`
leaves it out of a quick local run).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / ".ci" / "check_wheel.py"  # what CI checks of the wheel, run by this test


@pytest.mark.slow
def test_the_installed_wheel_starts_a_project_that_builds_a_verified_batch(
    tmp_path: Path,
) -> None:
    assert not tmp_path.is_relative_to(ROOT), "the venv must live outside the repository"
    done = subprocess.run(
        [sys.executable, str(CHECK), str(tmp_path)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr

    # Every file of the package folder ships: the theme, the examples, the preview's assets.
    # (Compared with the copy the wheel was built from, which a concurrent edit cannot change.)
    (wheel,) = (tmp_path / "dist").glob("digest-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    source = tmp_path / "src"
    tree = {p.relative_to(source).as_posix() for p in (source / "digest").rglob("*") if p.is_file()}
    assert sorted(tree - shipped) == []
    assert any(name.startswith("digest/theme/email/partials/") for name in shipped)

    # The batch that the installed `digest` built in the empty folder, and verified, is whole.
    (manifest,) = (tmp_path / "project" / "outbox").glob("*/*/manifest.json")
    listed = {record["path"] for record in json.loads(manifest.read_text())["files"]}
    assert {"email/digest.html", "email/digest.txt", "email/digest.eml"} <= listed
    platforms = ("x", "bluesky", "mastodon", "linkedin", "threads")
    assert {f"social/{p}.json" for p in platforms} <= listed
    assert not (tmp_path / "project" / "templates").exists()  # the packaged theme did it all
