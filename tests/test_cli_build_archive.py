"""`digest build`'s archive hook: with `[archive] enabled`, each publish brings the site up to
date; an archive that fails is one logged line, and the exit status stays the publish's."""

from __future__ import annotations

import json
from pathlib import Path

from support.archive import write_project, write_seeds
from support.factories import run_digest

SLOT = "morning@2026-12-01"
PAGE = "site/2026-12-01/morning-0800/index.html"


def project(folder: Path, *, enabled: bool = True) -> Path:
    write_project(folder, archive={"enabled": enabled})
    write_seeds(folder / "seeds", 4)
    return folder


def test_a_publish_archives_the_new_issue(tmp_path: Path) -> None:
    folder = project(tmp_path)
    result = run_digest("build", "--slot", SLOT, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("published ")
    assert "archived 1 issues into" in result.stderr
    assert (folder / PAGE).is_file() and (folder / "site/feed.xml").is_file()
    # --json: stdout stays the publish's JSON alone; the archive's line is on stderr.
    again = run_digest("build", "--slot", "morning@2026-12-02", "--json", cwd=folder)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["batch_id"] == "morning@2026-12-02T08:00:00Z"
    assert "archived 2 issues into" in again.stderr
    assert (folder / "site/2026-12-02/morning-0800/index.html").is_file()


def test_a_failing_archive_never_fails_or_undoes_the_publish(tmp_path: Path) -> None:
    folder = project(tmp_path)
    (folder / "site").write_text("a file where the site goes")
    result = run_digest("build", "--slot", SLOT, cwd=folder)
    assert result.returncode == 0
    assert (folder / "outbox/2026-12-01/morning-0800/manifest.json").is_file()
    assert "the archive was not updated" in result.stderr and "not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_exit_status_stays_what_the_publish_says(tmp_path: Path) -> None:
    folder = project(tmp_path)
    (folder / "seeds" / "broken.txt").write_bytes(b"")  # rejected: an empty seed
    partial = run_digest("build", "--slot", SLOT, cwd=folder)
    assert partial.returncode == 2 and (folder / PAGE).is_file()
    nothing = run_digest("build", "--slot", SLOT, cwd=folder)  # already published
    assert nothing.returncode == 1 and "archived" not in nothing.stderr


def test_no_site_when_the_archive_is_not_enabled(tmp_path: Path) -> None:
    folder = project(tmp_path, enabled=False)
    result = run_digest("build", "--slot", SLOT, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert not (folder / "site").exists() and "archived" not in result.stderr
