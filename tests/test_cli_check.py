"""`digest check BATCH`, end to end: the installed command on a temp project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.factories import copy_project
from support.factories import run_digest as run

BATCH = "2026-11-28/morning-0800"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A project with the example seed, its batch for 28 November 2026 published."""
    copy_project(tmp_path)
    result = run("build", "--date", "2026-11-28", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_check_passes_a_built_batch(built: Path) -> None:
    result = run("check", BATCH, cwd=built)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{built / 'outbox' / BATCH}: email passed all 14 checks\n"
    assert result.stderr == ""


def test_check_takes_a_path_too(built: Path) -> None:
    result = run("check", str(built / "outbox" / BATCH), cwd=built)
    assert result.returncode == 0, result.stderr


def test_check_names_each_failed_check(built: Path) -> None:
    html = built / "outbox" / BATCH / "email" / "digest.html"
    html.write_text(html.read_text().replace(' alt="X"', "").replace('lang="en"', "", 1))
    result = run("check", BATCH, cwd=built)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any("check 'img-alt' failed: email/digest.html line" in line for line in lines)
    assert any("check 'accessible' failed: <html> has no lang" in line for line in lines)
    assert any("check 'eml' failed: the .eml's HTML part differs" in line for line in lines)
    assert result.stdout.endswith(": email failed 3 of 14 checks\n")
    assert "Traceback" not in result.stderr


def test_check_json(built: Path) -> None:
    text = built / "outbox" / BATCH / "email" / "digest.txt"
    text.write_text(text.read_text().replace("Unsubscribe: https://example.org/unsubscribe", ""))
    result = run("check", BATCH, "--json", cwd=built)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["batch"] == str(built / "outbox" / BATCH)
    assert len(report["checks"]) == 14
    assert {f["check"] for f in report["failures"]} == {"same-links", "unsubscribe", "eml"}


def test_check_of_a_missing_batch_is_one_clean_line(built: Path) -> None:
    result = run("check", "2026-11-29/morning-0800", cwd=built)
    assert result.returncode == 1
    assert result.stderr == (
        "digest: 2026-11-29/morning-0800: no published batch there; see digest outbox list\n"
    )


def test_check_of_a_batch_without_email(built: Path) -> None:
    shutil.rmtree(built / "outbox" / BATCH / "email")
    result = run("check", BATCH, cwd=built)
    assert result.returncode == 1
    assert "no email/digest.html; this batch has no email to check" in result.stderr


def test_check_has_help_with_an_example(built: Path) -> None:
    result = run("check", "--help", cwd=built)
    assert "Example: digest check 2026-11-28/morning-0800" in " ".join(result.stdout.split())
    assert "digest check" in run("--help", cwd=built).stdout
