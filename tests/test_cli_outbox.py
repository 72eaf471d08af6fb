"""The installed `digest schedule` and `digest outbox` commands, end to end."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.factories import project, write_seed
from support.factories import run_digest as run

DIGEST = Path(sys.executable).parent / "digest"


@pytest.fixture
def due(tmp_path: Path) -> Path:
    """A project whose only schedule had a slot a minute ago."""
    at = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%H:%M")
    settings = project(
        tmp_path,
        [{"name": "now", "at": at, "timezone": "UTC", "catch_up": "1h"}],
        channels=("email", "x"),
    )
    write_seed(settings.paths.seeds, 1)
    return tmp_path


def batches(folder: Path) -> list[Path]:
    return sorted(p.parent for p in (folder / "outbox").glob("*/*/manifest.json"))


def test_schedule_once_publishes_what_is_due_once(due: Path) -> None:
    first = run("schedule", "--once", cwd=due)
    assert first.returncode == 0, first.stderr
    assert "published" in first.stderr and len(batches(due)) == 1
    second = run("schedule", "--once", cwd=due)
    assert second.returncode == 0 and len(batches(due)) == 1


def test_schedule_daemon_publishes_and_stops_on_sigterm(due: Path) -> None:
    daemon = subprocess.Popen(
        [str(DIGEST), "schedule", "--interval", "1"], cwd=due, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while not batches(due) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(batches(due)) == 1
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=10)
    finally:
        daemon.kill()
    assert daemon.returncode == 0
    assert "received SIGTERM" in stderr and "stopped" in stderr and "Traceback" not in stderr


def test_schedule_list_shows_next_slots_local_and_utc(tmp_path: Path) -> None:
    project(
        tmp_path,
        [
            {"name": "berlin", "at": "09:00", "timezone": "Europe/Berlin"},
            {"name": "ny", "at": "07:30", "timezone": "America/New_York", "days": "weekdays"},
        ],
    )
    result = run("schedule", "--list", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["berlin"] * 3 + ["ny"] * 3
    assert all("09:00" in line and "Europe/Berlin" in line for line in lines[:3])
    assert all(line.split("\t")[2].endswith("Z") for line in lines)


def test_build_slot_and_outbox_tools(tmp_path: Path) -> None:
    project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}], channels=("email",))
    write_seed(tmp_path / "seeds", 1)
    built = run("build", "--slot", "daily@2026-11-28", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "outbox/2026-11-28/daily-0900/manifest.json").is_file()
    nothing_new = run("build", "--slot", "daily@2026-11-29", cwd=tmp_path)
    assert nothing_new.returncode == 1 and "no new seeds" in nothing_new.stderr
    assert (
        run("build", "--slot", "daily@tomorrow", cwd=tmp_path)
        .stderr.strip()
        .endswith("the valid form is NAME@YYYY-MM-DD")
    )

    listing = json.loads(run("outbox", "list", "--json", cwd=tmp_path).stdout)
    assert listing == [
        {
            "batch": "2026-11-28/daily-0900",
            "batch_id": "daily@2026-11-28T09:00:00Z",
            "stories": 1,
            "rejected": 0,
            "channels": {"email": "open"},
        }
    ]
    assert run("outbox", "verify", "2026-11-28/daily-0900", cwd=tmp_path).returncode == 0
    claimed = run("outbox", "claim", "2026-11-28/daily-0900", "--channel", "email", cwd=tmp_path)
    assert claimed.returncode == 0
    files = json.loads(claimed.stdout)["files"]
    assert [f["path"] for f in files] == [
        "email/digest.eml",
        "email/digest.html",
        "email/digest.txt",
    ]
    again = run("outbox", "claim", "2026-11-28/daily-0900", "--channel", "email", cwd=tmp_path)
    assert again.returncode == 1 and "already claimed" in again.stderr
    assert (
        run(
            "outbox", "done", "2026-11-28/daily-0900", "--channel", "email", cwd=tmp_path
        ).returncode
        == 0
    )
    assert "email:done" in run("outbox", "list", cwd=tmp_path).stdout

    html = tmp_path / "outbox/2026-11-28/daily-0900/email/digest.html"
    html.write_bytes(html.read_bytes().replace(b"<", b"[", 1))
    broken = run("outbox", "verify", "2026-11-28/daily-0900", cwd=tmp_path)
    assert broken.returncode == 1 and "email/digest.html: content does not match" in broken.stderr


def _outbox_is_a_file(folder: Path) -> list[str]:
    (folder / "outbox").write_text("not a folder")
    return ["schedule", "--once"]


def _outbox_under_a_file(folder: Path) -> list[str]:
    config = folder / "config.toml"
    config.write_text(config.read_text().replace('outbox = "outbox"', 'outbox = "blocker/outbox"'))
    (folder / "blocker").write_text("a file where a folder must be")
    return ["schedule", "--once"]


def _lock_is_a_folder(folder: Path) -> list[str]:
    (folder / "outbox" / ".scheduler.lock").mkdir(parents=True)
    return ["schedule", "--once"]


def _list_a_file(folder: Path) -> list[str]:
    (folder / "outbox").write_text("not a folder")
    return ["outbox", "list"]


def _list_under_a_file(folder: Path) -> list[str]:
    (folder / "blocker").write_text("a file where a folder must be")
    return ["outbox", "list", "--outbox", "blocker/outbox"]


def _claims_is_a_file(folder: Path) -> list[str]:
    built = run("build", "--slot", "now@2026-11-28", cwd=folder)
    assert built.returncode == 0, built.stderr
    batch = next((folder / "outbox/2026-11-28").iterdir())
    (batch / "claims").write_text("a file where the claims folder must be")
    return ["outbox", "claim", f"2026-11-28/{batch.name}", "--channel", "email"]


# case: (set-up, what the one error line must say)
OS_ERRORS = {
    "the outbox is a file (schedule)": (_outbox_is_a_file, "outbox: File exists; a file stands"),
    "the outbox is under a file (schedule)": (_outbox_under_a_file, "blocker"),
    "the scheduler lock is a folder": (_lock_is_a_folder, ".scheduler.lock: Is a directory"),
    "the outbox is a file (list)": (_list_a_file, "outbox: cannot read the outbox"),
    "the outbox is under a file (list)": (_list_under_a_file, "blocker/outbox: cannot read"),
    "the claims folder is a file": (_claims_is_a_file, "claims: not a folder"),
}


@pytest.mark.parametrize("case", list(OS_ERRORS))
def test_an_os_error_is_one_clean_line_naming_the_path(due: Path, case: str) -> None:
    set_up, expected = OS_ERRORS[case]
    result = run(*set_up(due), cwd=due)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest: ")]
    assert len(errors) == 1 and expected in errors[0], result.stderr


@pytest.mark.parametrize("command", [["build"], ["schedule", "--once"]])
def test_a_file_at_outbox_staging_is_named_with_the_fix(due: Path, command: list[str]) -> None:
    (due / "outbox").mkdir()
    (due / "outbox" / ".staging").write_text("a file where digest stages its batches")
    result = run(*command, cwd=due)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest: ")]
    assert len(errors) == 1, result.stderr
    assert f"{Path('outbox') / '.staging'}: a regular file" in errors[0]
    assert "move it away" in errors[0] and "disk space" not in errors[0]
    assert batches(due) == [] and (due / "outbox" / ".staging").is_file()


OUT_OF_RANGE = [
    ["build", "--date", "0001-01-01"],
    ["build", "--date", "0999-12-31"],
    ["build", "--date", "1969-12-31"],
    ["build", "--date", "9999-12-31"],
    ["build", "--slot", "now@0001-01-01"],
    ["build", "--slot", "now@9001-01-01"],
]


@pytest.mark.parametrize("command", OUT_OF_RANGE, ids=" ".join)
def test_a_build_date_outside_the_years_digest_schedules_is_refused(
    due: Path, command: list[str]
) -> None:
    result = run(*command, cwd=due)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "outside the years 1970 to 9000" in result.stderr
    assert batches(due) == []


BAD_OPTIONS = {
    "--list 100000000": (["--list", "100000000"], "--list: at most 1000"),
    "--list 0": (["--list", "0"], "--list: at least 1"),
    "--list -5": (["--list", "-5"], "--list: at least 1"),
    "--list many": (["--list", "many"], "--list: not a whole number"),
    "--interval -1": (["--interval", "-1"], "--interval: at least 1"),
    "--interval 0": (["--interval", "0"], "--interval: at least 1"),
    "--interval 10**9": (["--interval", str(10**9)], "--interval: at most 86400"),
}


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_schedule_options_out_of_range_are_a_usage_error(due: Path, case: str) -> None:
    options, expected = BAD_OPTIONS[case]
    try:
        result = subprocess.run(
            [str(DIGEST), "schedule", *options], cwd=due, capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"digest schedule {case} ran on instead of refusing the value")
    assert result.returncode == 2 and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and batches(due) == []
