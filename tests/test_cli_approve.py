"""The installed `digest approve` and `digest hold`, and `digest outbox` beside a pending area:
output, exit codes, and consumers refused a batch that waits for approval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.factories import project, write_seed
from support.factories import run_digest as run

from digest.config import Settings
from digest.models import Slot
from digest.outbox.pending import pending_path, read_state
from digest.scheduler import Scheduler
from digest.scheduler.slots import slot_on

DIGEST = Path(sys.executable).parent / "digest"


def waiting_project(folder: Path, offset: timedelta) -> tuple[Settings, Slot]:
    """A project whose schedule needs approval and has a slot `offset` from now (the real
    clock: the commands read it), prepared into the pending area by a scheduler's wake-up."""
    when = (datetime.now(UTC) + offset).replace(second=0, microsecond=0)
    schedule = {
        "name": "soon",
        "at": when.strftime("%H:%M"),
        "timezone": "UTC",
        "approval": "required",
        "prepare": "2h",
        "catch_up": "6h",
    }
    settings = project(folder, [schedule], channels=("email", "x"))
    write_seed(settings.paths.seeds, 1)
    slot = slot_on(settings.schedules[0], when.date())
    scheduler = Scheduler(settings, lock=False)
    scheduler.start()
    scheduler.run_due(min(datetime.now(UTC), slot.utc - timedelta(hours=1)))
    assert pending_path(settings.paths.outbox, slot.folder).is_dir()
    return settings, slot


@pytest.fixture
def ahead(tmp_path: Path) -> tuple[Settings, Slot]:
    """A slot an hour from now, waiting for approval."""
    return waiting_project(tmp_path, timedelta(hours=1))


@pytest.fixture
def past(tmp_path: Path) -> tuple[Settings, Slot]:
    """A slot an hour ago (inside its catch-up), waiting for approval."""
    return waiting_project(tmp_path, -timedelta(hours=1))


def test_approve_before_the_slot_time_marks_it_approved(
    tmp_path: Path, ahead: tuple[Settings, Slot]
) -> None:
    settings, slot = ahead
    result = run("approve", slot.folder, "--by", "Ana Editor", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"approved {slot.batch_id} ({slot.folder}), by Ana Editor at "
        f"{read_state(settings.paths.outbox, slot.folder).approved_at.isoformat()}: "  # type: ignore[union-attr]
        "it is published at its slot time\n"
    )
    assert not (settings.paths.outbox / slot.folder).exists()
    listing = run("outbox", "list", cwd=tmp_path).stdout.splitlines()
    assert listing[0].startswith(f"{slot.folder}\t{slot.batch_id}\t1 stories\tapproved by Ana")
    assert listing[1:] == [
        f"0 batches in {settings.paths.outbox}",
        f"1 slots in {settings.paths.outbox / '.pending'} (not published): 1 approved",
    ]


def test_approve_after_the_slot_time_publishes_at_once_and_a_second_time_does_nothing(
    tmp_path: Path, past: tuple[Settings, Slot]
) -> None:
    settings, slot = past
    batch = settings.paths.outbox / slot.folder
    first = run("approve", slot.batch_id, "--by", "Ana", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"published {batch}: approved by Ana\n"
    again = run("approve", slot.folder, "--by", "Bo", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout == f"{batch}: already published, approved by Ana; nothing to do\n"
    assert run("outbox", "verify", slot.folder, cwd=tmp_path).returncode == 0
    claimed = run("outbox", "claim", slot.folder, "--channel", "email", cwd=tmp_path)
    assert claimed.returncode == 0, claimed.stderr
    listing = run("outbox", "list", "--json", cwd=tmp_path)
    assert [row["batch"] for row in json.loads(listing.stdout)] == [slot.folder]


def test_approve_json_and_the_login_name_when_no_by(
    tmp_path: Path, ahead: tuple[Settings, Slot]
) -> None:
    _, slot = ahead
    env = dict(os.environ, LOGNAME="ana-login", USER="ana-login")
    result = subprocess.run(
        [str(DIGEST), "approve", slot.folder, "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["outcome"], answer["by"], answer["batch"]) == (
        "approved",
        "ana-login",
        slot.folder,
    )
    assert len(answer["manifest_sha256"]) == 64 and answer["reason"] is None


def test_hold_keeps_it_out_and_the_list_says_why(
    tmp_path: Path, past: tuple[Settings, Slot]
) -> None:
    settings, slot = past
    held = run("hold", slot.folder, "--reason", "the figures are disputed", cwd=tmp_path)
    assert held.returncode == 0, held.stderr
    assert held.stdout == (
        f"held {slot.batch_id} ({slot.folder}): the figures are disputed; it is not published\n"
    )
    Scheduler(settings, lock=False).run_due(datetime.now(UTC))
    assert not (settings.paths.outbox / slot.folder).exists()
    listing = run("outbox", "list", cwd=tmp_path).stdout.splitlines()
    assert listing[0].endswith("\theld: the figures are disputed")
    rows = json.loads(run("outbox", "list", "--json", cwd=tmp_path).stdout)
    assert [(r["status"], r["reason"]) for r in rows] == [("held", "the figures are disputed")]
    assert rows[0]["channels"] == {"email": "held", "x": "held"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["approve", "2026-01-01/soon-0900"], "no batch waiting for approval at"),
        (["approve", "soon@2026-01-01T09:00:00Z"], "no batch waiting for approval by that name"),
        (["approve", "tomorrow"], "name it as DATE/SLOT"),
        (["approve", "SLOT", "--by", "Ana\tEditor"], "--by holds a control character"),
        (["approve", "SLOT", "--by", " "], "--by is empty"),
        (["hold", "SLOT", "--reason", ""], "--reason is empty"),
        (["hold", "SLOT", "--reason", "x" * 501], "--reason is 501 characters long"),
    ],
)
def test_a_refusal_is_one_line_and_exit_1(
    tmp_path: Path, ahead: tuple[Settings, Slot], args: list[str], message: str
) -> None:
    _, slot = ahead
    result = run(*[slot.folder if a == "SLOT" else a for a in args], cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("digest: ") and message in lines[0], lines
    assert "Traceback" not in result.stderr


def test_hold_without_a_reason_is_a_usage_error(
    tmp_path: Path, ahead: tuple[Settings, Slot]
) -> None:
    _, slot = ahead
    result = run("hold", slot.folder, cwd=tmp_path)
    assert result.returncode == 2 and "--reason" in result.stderr


def test_an_expired_slot_is_refused_and_listed_as_expired(tmp_path: Path) -> None:
    settings, slot = waiting_project(tmp_path, -timedelta(hours=7))  # past its 6h catch-up
    result = run("approve", slot.folder, "--by", "Ana", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        f"digest: {slot.batch_id}: expired (not approved within catch_up (6h) of its time); it "
        "is never published now"
    ) in result.stderr
    assert not (settings.paths.outbox / slot.folder).exists()
    listing = run("outbox", "list", cwd=tmp_path)
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[0].endswith(
        "\texpired: not approved within catch_up (6h) of its time"
    )
    assert listing.stdout.splitlines()[-1].endswith("(not published): 1 expired")


def _as_path(settings: Settings, slot: Slot) -> str:
    return str(pending_path(settings.paths.outbox, slot.folder))


def _as_relative(settings: Settings, slot: Slot) -> str:
    return f".pending/{slot.folder}"


def _through_a_link(settings: Settings, slot: Slot) -> str:
    link = settings.paths.outbox.parent / "looks-published"
    link.symlink_to(pending_path(settings.paths.outbox, slot.folder))
    return str(link)


@pytest.mark.parametrize("name", [_as_path, _as_relative, _through_a_link])
@pytest.mark.parametrize(
    "verb", [["verify"], ["claim", "--channel", "email"], ["done", "--channel", "email"]]
)
def test_consumers_are_refused_a_batch_waiting_for_approval(
    tmp_path: Path,
    ahead: tuple[Settings, Slot],
    name,
    verb: list[str],  # type: ignore[no-untyped-def]
) -> None:
    settings, slot = ahead
    batch = name(settings, slot)
    result = run("outbox", verb[0], batch, *verb[1:], cwd=tmp_path)
    assert result.returncode == 1
    assert "a batch waiting for approval in outbox/.pending, not a published one" in (result.stderr)
    assert not (pending_path(settings.paths.outbox, slot.folder) / "claims").exists()


def test_an_editor_may_check_the_email_of_a_batch_waiting_for_approval(
    tmp_path: Path, ahead: tuple[Settings, Slot]
) -> None:
    settings, slot = ahead
    result = run("check", _as_path(settings, slot), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "email passed all" in result.stdout


def test_help_names_the_commands_with_an_example(tmp_path: Path) -> None:
    top = run("--help", cwd=tmp_path).stdout
    assert "approve" in top and "hold" in top
    for verb, example in (
        ("approve", "digest approve 2026-12-01/morning-0800 --by 'Ana Editor'"),
        ("hold", "digest hold 2026-12-01/morning-0800 --reason"),
    ):
        shown = run(verb, "--help", cwd=tmp_path)
        assert shown.returncode == 0 and example in " ".join(shown.stdout.split())


@pytest.mark.parametrize("state", ["not prepared", "pending", "held", "approved"])
@pytest.mark.parametrize("offset", [timedelta(hours=1), -timedelta(hours=1)], ids=["ahead", "past"])
def test_build_refuses_a_slot_that_needs_approval_unless_without_approval(
    tmp_path: Path, state: str, offset: timedelta
) -> None:
    settings, slot = waiting_project(tmp_path, offset)
    pending = pending_path(settings.paths.outbox, slot.folder)
    if state == "not prepared":
        for path in sorted(pending.parent.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
    elif state == "held":
        assert run("hold", slot.folder, "--reason", "disputed", cwd=tmp_path).returncode == 0
    elif state == "approved" and offset > timedelta(0):
        assert run("approve", slot.folder, "--by", "Ana", cwd=tmp_path).returncode == 0
    named = f"soon@{slot.day.isoformat()}"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for args in (["--slot", named], ["--date", slot.day.isoformat()], []):
        if not args and datetime.now(UTC).date() != slot.day:
            continue  # today's slot is another day's at midnight
        refused = run("build", *args, "--force", cwd=tmp_path)
        assert refused.returncode == 1, refused.stdout
        assert refused.stdout == ""
        assert refused.stderr == (
            f"digest: {slot.batch_id}: schedule 'soon' needs approval: the scheduler prepares it "
            "into outbox/.pending from `prepare` (2h) before its time and `digest approve` "
            "publishes it; `digest build --without-approval` builds and publishes it now, "
            "bypassing approval\n"
        )
        assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    built = run("build", "--slot", named, "--without-approval", cwd=tmp_path)
    batch = settings.paths.outbox / slot.folder
    assert built.returncode == 0, built.stderr
    assert built.stdout == f"published {batch}: 1 stories, 0 seeds rejected\n"
    assert run("outbox", "verify", slot.folder, cwd=tmp_path).returncode == 0


def test_approve_rebuilds_first_and_manifest_sha256_pins_what_was_looked_at(
    tmp_path: Path, ahead: tuple[Settings, Slot]
) -> None:
    settings, slot = ahead

    def listed_sha() -> str:
        rows = json.loads(run("outbox", "list", "--json", cwd=tmp_path).stdout)
        return str(rows[0]["manifest_sha256"])

    old = listed_sha()
    edits = settings.paths.seeds / "story-0001.edits.toml"
    edits.write_text('headline = "Park plan approved"\n', encoding="utf-8")
    refused = run("approve", slot.folder, "--by", "Ana", cwd=tmp_path)
    assert refused.returncode == 1 and refused.stdout == ""
    new = listed_sha()
    assert new != old
    assert refused.stderr == (
        f"digest: {slot.batch_id}: the pending batch was rebuilt with the latest seeds and edits "
        f"(manifest sha256 {new}, was {old}); it is not approved: look at it again and approve "
        "what it is now\n"
    )
    assert read_state(settings.paths.outbox, slot.folder).status == "pending"
    stale = run("approve", slot.folder, "--manifest-sha256", old, cwd=tmp_path)
    assert stale.returncode == 1 and "changed since it was looked at" in stale.stderr
    for bad in ("abc", "g" * 64, old + "0"):
        usage = run("approve", slot.folder, "--manifest-sha256", bad, cwd=tmp_path)
        assert usage.returncode == 2 and "write the 64 hex digits of a sha256" in usage.stderr
    pinned = run(
        "approve", slot.folder, "--by", "Ana", "--manifest-sha256", new.upper(), cwd=tmp_path
    )
    assert pinned.returncode == 0, pinned.stderr
    state = read_state(settings.paths.outbox, slot.folder)
    assert (state.status, state.approved_by, state.approved_manifest_sha256) == (
        "approved",
        "Ana",
        new,
    )
