"""A whole batch of the example project, against golden files: what consumers read of it.

The example project (this repository's config.toml, templates and example seed) is built for one
fixed slot with the `digest` command, as a person runs it. Its manifest.json and the API payloads
of every platform, social/<platform>.json, are the files senders trust; any change to them shows
here as a diff. Refresh with `pytest --update-golden` and review it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from support.factories import copy_project, run_digest

from digest import __version__
from digest.channels import PLATFORM_NAMES

SLOT = "morning@2026-11-28"
FOLDER = "outbox/2026-11-28/morning-0800"


def _build(folder: Path) -> Path:
    copy_project(folder)
    done = run_digest("build", "--slot", SLOT, cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / FOLDER


def _consumers_files(batch: Path) -> dict[str, str]:
    """manifest.json and social/<platform>.json of `batch`, by path."""
    names = ["manifest.json"] + [f"social/{name}.json" for name in PLATFORM_NAMES]
    return {name: (batch / name).read_text(encoding="utf-8") for name in names}


def _normalised_manifest(text: str, project: Path) -> str:
    """The manifest with the two values that change without the batch changing put as words.

    `generator` carries the version: a release is not a change of the batch. `config_hash` is
    the sha256 of config.toml's bytes, so editing a comment there changes it; both are checked
    here exactly, then written as what they are. Every file's sha256 stays: those are the bytes
    senders send. The slot times come from the slot, not the clock, so they stay too.
    """
    manifest = json.loads(text)
    assert manifest["generator"] == f"digest {__version__}"
    config = hashlib.sha256((project / "config.toml").read_bytes()).hexdigest()
    assert manifest["config_hash"] == config
    manifest["generator"] = "digest <version>"
    manifest["config_hash"] = "<sha256 of config.toml>"
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def test_a_batch_of_the_example_project_matches_its_golden_files(tmp_path: Path, golden) -> None:
    first = _build(tmp_path / "a")
    files = _consumers_files(first)
    # Built again in another folder: nothing of a run or of where the project sits gets in.
    assert _consumers_files(_build(tmp_path / "a second project")) == files
    published = {p.name for p in (first / "social").glob("*.json")}
    assert published == {f"{name}.json" for name in PLATFORM_NAMES}
    assert json.loads(files["manifest.json"])["channels"] == ["email", *PLATFORM_NAMES]
    files["manifest.json"] = _normalised_manifest(files["manifest.json"], tmp_path / "a")
    for name, text in files.items():
        golden(f"batch/{name}", text)
