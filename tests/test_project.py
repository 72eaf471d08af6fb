"""`digest init`: a new project that builds, and never a file overwritten without --force."""

from __future__ import annotations

import itertools
import json
import logging
import re
from pathlib import Path

import pytest
from support.factories import ROOT, snapshot

from digest.cli import main
from digest.project import EXAMPLE_SEED, EXAMPLES, INIT_FILES

DAY = "2026-11-28"
BATCH = f"{DAY}/morning-0800"
NAMES = sorted(INIT_FILES)


def test_the_packaged_examples_are_the_repositorys_own() -> None:
    assert (EXAMPLES / "config.toml").read_bytes() == (ROOT / "config.toml").read_bytes()
    seed = ROOT / "seeds" / EXAMPLE_SEED
    assert (EXAMPLES / EXAMPLE_SEED).read_bytes() == seed.read_bytes()


def test_init_writes_a_project_that_builds_a_verified_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "news"
    assert main(["init", str(project)]) == 0
    out = capsys.readouterr().out
    assert f"wrote a new project in {project}" in out
    assert out.splitlines()[-3:] == [f"  cd {project}", "  digest build", "  digest preview --open"]
    assert snapshot(project) == {
        "README.md": (EXAMPLES / "project_readme.md").read_bytes(),
        "config.toml": (ROOT / "config.toml").read_bytes(),
        "outbox": "dir",
        "outbox/.gitkeep": b"",
        "seeds": "dir",
        f"seeds/{EXAMPLE_SEED}": (ROOT / "seeds" / EXAMPLE_SEED).read_bytes(),
    }

    # No templates/ folder: the packaged theme renders everything.
    monkeypatch.chdir(project)
    assert main(["build", "--date", DAY]) == 0
    assert main(["outbox", "verify", BATCH]) == 0
    capsys.readouterr()
    assert main(["check", BATCH, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["failures"] == []
    manifest = json.loads((project / "outbox" / BATCH / "manifest.json").read_text())
    assert [s["source"] for s in manifest["stories"]] == [EXAMPLE_SEED]


def test_the_first_build_of_a_new_project_links_its_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.seeds import read_seed

    url = read_seed(EXAMPLES / EXAMPLE_SEED).url
    assert url is not None and url.startswith("https://") and "example." not in url
    assert main(["init", str(tmp_path)]) == 0
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert main(["build", "--date", DAY]) == 0
    assert not [r.message for r in caplog.records if "no url" in r.message]
    email = tmp_path / "outbox" / BATCH / "email"
    html = (email / "digest.html").read_text(encoding="utf-8")
    # The lead's call to action, in the HTML button (and Outlook's VML one) and the text part.
    buttons = re.findall(r'<a href="([^"]+)"[^>]*>Read more</a>', html)
    assert len(buttons) == 1 and buttons[0].startswith(url + "?utm_source=")
    assert re.search(rf'<v:roundrect [^>]*href="{re.escape(buttons[0])}"', html)
    assert buttons[0].replace("&amp;", "&") in (email / "digest.txt").read_text(encoding="utf-8")


def test_init_without_a_folder_writes_into_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert sorted(p for p in snapshot(tmp_path) if "." in p) == NAMES
    # Nothing to cd into: the first next step checks the new config instead.
    next_steps = capsys.readouterr().out.splitlines()[-3:]
    assert next_steps == ["  digest validate", "  digest build", "  digest preview --open"]


def test_init_creates_missing_folders(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "a" / "b" / "c")]) == 0
    assert (tmp_path / "a/b/c/config.toml").is_file()


@pytest.mark.parametrize(
    "present",
    [c for size in range(1, len(NAMES) + 1) for c in itertools.combinations(NAMES, size)],
    ids="+".join,
)
def test_init_refuses_any_existing_file_and_writes_nothing(
    tmp_path: Path, present: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    for name in present:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("mine\n")
    before = snapshot(tmp_path)
    assert main(["init", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert "--force" in error and "nothing was written" in error
    assert all(str(tmp_path / name) in error for name in present)
    assert snapshot(tmp_path) == before


def test_init_force_overwrites_every_file(tmp_path: Path) -> None:
    for name in NAMES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("mine\n")
    (tmp_path / "seeds" / "other.txt").write_text("kept\n")
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "config.toml").read_bytes() == (ROOT / "config.toml").read_bytes()
    assert (tmp_path / "outbox/.gitkeep").read_bytes() == b""
    assert (tmp_path / "seeds" / "other.txt").read_text() == "kept\n"


def test_init_force_replaces_a_symlink_never_the_file_it_points_to(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("not yours\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "config.toml").symlink_to(outside)
    assert main(["init", str(project)]) == 1
    assert main(["init", str(project), "--force"]) == 0
    assert not (project / "config.toml").is_symlink()
    assert outside.read_text() == "not yours\n"


@pytest.mark.parametrize(
    ("blocker", "is_file"),
    [(".", True), ("seeds", True), ("outbox", True), ("config.toml", False), ("README.md", False)],
)
@pytest.mark.parametrize("force", [False, True])
def test_init_refuses_where_a_file_or_folder_is_in_the_way(
    tmp_path: Path, blocker: str, is_file: bool, force: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    if blocker != ".":
        project.mkdir()
    target = project / blocker
    if is_file:
        target.write_text("in the way\n")
    else:
        target.mkdir()
    before = snapshot(tmp_path)
    assert main(["init", str(project), *(["--force"] if force else [])]) == 1
    error = capsys.readouterr().err
    assert f"{target} is a {'file' if is_file else 'folder'}" in error
    assert "move it away" in error
    assert snapshot(tmp_path) == before


def test_init_where_the_folder_cannot_be_made_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    assert main(["init", str(tmp_path / "a-file" / "project")]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"digest: {tmp_path / 'a-file' / 'project'}: Not a directory")
    assert "pick a folder you may write to" in error and "Traceback" not in error
