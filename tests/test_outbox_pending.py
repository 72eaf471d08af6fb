"""`outbox/.pending`: batches waiting for approval, what approving and holding them does, and that
no consumer ever sees them.

The batches are real ones, prepared from a temp project's seeds as the scheduler does; the clock
is a parameter throughout.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support.factories import project, write_seed

from digest.config import Settings
from digest.errors import BatchExistsError, DigestError, PublishError
from digest.models import Slot
from digest.outbox import is_published, journal
from digest.outbox.approval import (
    approve,
    expire,
    find,
    hold,
    prepare,
    release,
    withdraw,
)
from digest.outbox.batches import carried, claim, done, read_manifest, verify
from digest.outbox.listing import list_batches, pending_batches
from digest.outbox.manifest import Manifest, build_manifest, manifest_bytes
from digest.outbox.pending import (
    PENDING,
    State,
    clean_text,
    pending_path,
    read_entry,
    read_state,
    state_path,
)
from digest.outbox.published import published
from digest.scheduler.approval import assemble_slot
from digest.scheduler.slots import slot_on

DAY = date(2026, 12, 1)
FOLDER = "2026-12-01/daily-0900"
SLOT_TIME = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BEFORE = SLOT_TIME - timedelta(hours=1)  # inside prepare (2h), before the slot
AFTER = SLOT_TIME + timedelta(hours=1)  # past the slot, inside catch_up (6h)
LATE = SLOT_TIME + timedelta(hours=6, minutes=1)  # past catch_up


def approval_project(folder: Path, **schedule: object) -> Settings:
    """A project whose one schedule needs approval, with two seeds (one per batch)."""
    values = {"name": "daily", "at": "09:00", "timezone": "UTC", "approval": "required"}
    settings = project(folder, [values | schedule], channels=("email", "x"))
    write_seed(settings.paths.seeds, 1)
    write_seed(settings.paths.seeds, 2)
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return approval_project(tmp_path)


def the_slot(settings: Settings, day: date = DAY) -> Slot:
    return slot_on(settings.schedules[0], day)


def prepared(settings: Settings, now: datetime = BEFORE, day: date = DAY) -> Slot:
    """The slot of `day`, built and put in the pending area as the scheduler does."""
    slot = the_slot(settings, day)
    assembled = assemble_slot(settings, slot, None)
    assert assembled is not None
    prepare(assembled.rendered, settings.paths.outbox, settings.config_hash, now, durable=False)
    return slot


def events(settings: Settings, kind: str | None = None) -> list[dict[str, str]]:
    found = journal.read(settings.paths.outbox)
    return [e for e in found if kind is None or e["event"] == kind]


def test_a_prepared_batch_has_the_layout_and_manifest_a_publish_would_have(
    settings: Settings,
) -> None:
    slot = the_slot(settings)
    assembled = assemble_slot(settings, slot, None)
    assert assembled is not None
    assert prepare(assembled.rendered, settings.paths.outbox, settings.config_hash, BEFORE)
    batch = pending_path(settings.paths.outbox, FOLDER)
    expected = manifest_bytes(build_manifest(assembled.rendered, settings.config_hash))
    assert (batch / "manifest.json").read_bytes() == expected
    for file in assembled.rendered.files:
        assert (batch / file.path).read_bytes() == file.content
    assert verify(batch) == []
    assert [e["event"] for e in events(settings)] == ["prepared"]
    assert os.listdir(settings.paths.outbox / ".staging") == []


def test_consumers_never_see_a_pending_batch(settings: Settings) -> None:
    slot = prepared(settings)
    outbox = settings.paths.outbox
    assert not is_published(outbox, FOLDER)
    assert published(outbox) == [] and list_batches(outbox) == []
    assert carried(outbox, "daily", slot.utc + timedelta(days=1)) == set()
    assert [row["batch"] for row in pending_batches(outbox)] == [FOLDER]
    assert all(state == "pending" for state in pending_batches(outbox)[0]["channels"].values())


@pytest.mark.parametrize("through", ["path", "link"])
def test_a_consumer_calling_the_library_cannot_claim_or_finish_a_pending_batch(
    settings: Settings, through: str
) -> None:
    prepared(settings)
    outbox = settings.paths.outbox
    batch = outbox / ".pending" / FOLDER
    if through == "link":
        (outbox / "elsewhere").symlink_to(batch)
        batch = outbox / "elsewhere"
    for call in (claim, done):
        with pytest.raises(DigestError, match="waiting for approval"):
            call(batch, "email", BEFORE)
    assert not (outbox / ".pending" / FOLDER / "claims").exists()


def test_preparing_the_same_batch_again_changes_nothing(settings: Settings) -> None:
    prepared(settings)
    manifest = pending_path(settings.paths.outbox, FOLDER) / "manifest.json"
    before = os.stat(manifest)
    prepared(settings, BEFORE + timedelta(minutes=5))
    after = os.stat(manifest)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert len(events(settings, "prepared")) == 1


def test_approving_before_the_slot_time_waits_for_it(settings: Settings) -> None:
    prepared(settings)
    result = approve(settings, FOLDER, by="Ana Editor", now=BEFORE)
    assert (result.outcome, result.batch, result.by, result.at) == (
        "approved",
        FOLDER,
        "Ana Editor",
        BEFORE,
    )
    state = json.loads(state_path(settings.paths.outbox, FOLDER).read_text())
    assert state == {
        "status": "approved",
        "approved_by": "Ana Editor",
        "approved_at": "2026-12-01T08:00:00Z",
        "approved_manifest_sha256": result.manifest_sha256,
        "reason": None,
    }
    assert not is_published(settings.paths.outbox, FOLDER)
    assert [e["event"] for e in events(settings)] == ["prepared", "approved"]


def test_release_publishes_only_an_approved_batch(settings: Settings) -> None:
    slot = prepared(settings)
    outbox = settings.paths.outbox
    assert release(outbox, slot, SLOT_TIME) is None  # not approved
    approved = approve(settings, FOLDER, by="Ana", now=BEFORE)
    batch = release(outbox, slot, SLOT_TIME)
    assert batch == outbox / FOLDER and is_published(outbox, FOLDER)
    manifest = read_manifest(batch)
    assert manifest.approval is not None
    assert (manifest.approval.by, manifest.approval.at) == ("Ana", BEFORE)
    assert manifest.approval.manifest_sha256 == approved.manifest_sha256
    assert verify(batch) == []
    # The approved content is what went out: the manifest without its approval is, byte for
    # byte, the pending manifest the approval names.
    unapproved = manifest_bytes(manifest.model_copy(update={"approval": None}))
    assert hashlib.sha256(unapproved).hexdigest() == approved.manifest_sha256
    assert not pending_path(outbox, FOLDER).exists()
    assert not state_path(outbox, FOLDER).exists()
    assert [e["event"] for e in events(settings)] == ["prepared", "approved", "published"]
    assert release(outbox, slot, SLOT_TIME) is None  # nothing waits any more


def test_a_rebuild_that_changes_the_batch_withdraws_its_approval(settings: Settings) -> None:
    slot = prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    (settings.paths.seeds / "story-0001.txt").write_text(
        "Story number 1, corrected\n\n**Primary Article:**\n\nThe council met on day 1. "
        "It approved plan 1 for the park. Work starts in spring.\n",
        encoding="utf-8",
    )
    prepared(settings, BEFORE + timedelta(minutes=10))
    assert read_state(settings.paths.outbox, FOLDER).status == "pending"
    withdrawn = events(settings, "withdrawn")
    assert len(withdrawn) == 1 and "approval by Ana" in withdrawn[0]["detail"]
    assert release(settings.paths.outbox, slot, SLOT_TIME) is None
    assert not is_published(settings.paths.outbox, FOLDER)


def test_an_approval_recorded_for_another_manifest_publishes_nothing(settings: Settings) -> None:
    slot = prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    path = state_path(settings.paths.outbox, FOLDER)
    state = json.loads(path.read_text())
    path.write_text(json.dumps(state | {"approved_manifest_sha256": "0" * 64}))
    assert release(settings.paths.outbox, slot, SLOT_TIME) is None
    assert len(events(settings, "withdrawn")) == 1
    assert not is_published(settings.paths.outbox, FOLDER)


def test_approving_after_the_slot_time_publishes_at_once(settings: Settings) -> None:
    prepared(settings)
    result = approve(settings, "daily@2026-12-01T09:00:00Z", by="Ana", now=AFTER)
    assert result.outcome == "published" and result.path == settings.paths.outbox / FOLDER
    again = approve(settings, FOLDER, by="Bo", now=AFTER + timedelta(minutes=1))
    assert again.outcome == "already-published" and again.by == "Ana"
    assert again.manifest_sha256 == result.manifest_sha256
    assert len(events(settings, "published")) == 1


def test_approving_the_same_batch_twice_keeps_the_first_approval(settings: Settings) -> None:
    prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    second = approve(settings, FOLDER, by="Bo", now=BEFORE + timedelta(minutes=1))
    assert (second.outcome, second.by, second.at) == ("approved", "Ana", BEFORE)
    assert len(events(settings, "approved")) == 1


def test_an_approver_who_looked_at_an_older_batch_is_refused(settings: Settings) -> None:
    prepared(settings)
    with pytest.raises(DigestError, match="changed since it was looked at"):
        approve(settings, FOLDER, by="Ana", now=BEFORE, manifest_sha256="f" * 64)
    assert read_state(settings.paths.outbox, FOLDER).status == "pending"
    sha = pending_batches(settings.paths.outbox)[0]["manifest_sha256"]
    assert approve(settings, FOLDER, by="Ana", now=BEFORE, manifest_sha256=sha).outcome == (
        "approved"
    )


def test_a_held_batch_is_never_released_until_approved(settings: Settings) -> None:
    slot = prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    held = hold(settings, FOLDER, reason="legal wants a look", now=BEFORE + timedelta(minutes=1))
    assert (held.outcome, held.reason) == ("held", "legal wants a look")
    assert release(settings.paths.outbox, slot, AFTER) is None
    assert [e["detail"] for e in events(settings, "held")] == ["legal wants a look"]
    row = pending_batches(settings.paths.outbox)[0]
    assert (row["status"], row["reason"], row["approved_by"]) == (
        "held",
        "legal wants a look",
        None,
    )
    approve(settings, FOLDER, by="Legal", now=AFTER)  # the slot's time has come: published now
    assert is_published(settings.paths.outbox, FOLDER)


def test_a_hold_stays_when_the_batch_is_rebuilt(settings: Settings) -> None:
    prepared(settings)
    hold(settings, FOLDER, reason="wait for the vote", now=BEFORE)
    write_seed(settings.paths.seeds, 0)  # sorts first: a different batch
    prepared(settings, BEFORE + timedelta(minutes=5))
    assert len(events(settings, "prepared")) == 2
    assert read_state(settings.paths.outbox, FOLDER).status == "held"


def test_past_its_catch_up_a_slot_expires_and_is_never_published(settings: Settings) -> None:
    slot = prepared(settings)
    with pytest.raises(DigestError, match=r"expired \(not approved within catch_up \(6h\) of its"):
        approve(settings, FOLDER, by="Ana", now=LATE)
    assert read_state(settings.paths.outbox, FOLDER).status == "expired"
    assert [e["detail"] for e in events(settings, "expired")] == [
        "not approved within catch_up (6h) of its time"
    ]
    for later in (LATE, LATE + timedelta(days=3)):
        with pytest.raises(DigestError, match="never published now"):
            approve(settings, FOLDER, by="Ana", now=later)
        assert release(settings.paths.outbox, slot, later) is None
    with pytest.raises(DigestError, match="expired"):
        hold(settings, FOLDER, reason="x", now=LATE)
    assert not is_published(settings.paths.outbox, FOLDER)
    assert len(events(settings, "expired")) == 1
    assert pending_batches(settings.paths.outbox)[0]["status"] == "expired"


@pytest.mark.parametrize(
    ("set_up", "reason"),
    [
        (lambda s: None, "not approved within catch_up (6h) of its time"),
        (
            lambda s: hold(s, FOLDER, reason="no", now=BEFORE),
            "held (no) and not approved within catch_up (6h) of its time",
        ),
        (
            lambda s: approve(s, FOLDER, by="Ana", now=BEFORE),
            "approved, but not published within catch_up (6h) of its time (no scheduler ran at "
            "its time)",
        ),
    ],
)
def test_expiry_says_why(settings: Settings, set_up, reason: str) -> None:  # type: ignore[no-untyped-def]
    slot = prepared(settings)
    set_up(settings)
    assert expire(settings.paths.outbox, slot, LATE, "6h") == reason
    assert expire(settings.paths.outbox, slot, LATE, "6h") == reason  # journaled once
    assert [e["detail"] for e in events(settings, "expired")] == [reason]
    assert release(settings.paths.outbox, slot, LATE) is None


def test_a_slot_with_nothing_left_to_send_is_taken_out_of_the_pending_area(
    settings: Settings,
) -> None:
    slot = prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    withdraw(settings.paths.outbox, slot, BEFORE)
    assert not pending_path(settings.paths.outbox, FOLDER).exists()
    assert pending_batches(settings.paths.outbox) == []
    assert len(events(settings, "withdrawn")) == 1


def test_rows_show_each_status(tmp_path: Path) -> None:
    settings = approval_project(tmp_path)
    for n in range(3, 7):
        write_seed(settings.paths.seeds, n)
    days = [DAY + timedelta(days=n) for n in range(4)]
    for day in days:
        prepared(settings, datetime.combine(day, datetime.min.time(), UTC), day)
    approve(settings, "2026-12-02/daily-0900", by="Ana", now=BEFORE)
    hold(settings, "2026-12-03/daily-0900", reason="check the figures", now=BEFORE)
    approve(settings, "2026-12-04/daily-0900", by="Bo", now=BEFORE)
    expire(settings.paths.outbox, the_slot(settings, days[0]), LATE, "6h")
    rows = pending_batches(settings.paths.outbox)
    assert [(r["batch"], r["status"], r["approved_by"], r["reason"]) for r in rows] == [
        ("2026-12-01/daily-0900", "expired", None, "not approved within catch_up (6h) of its time"),
        ("2026-12-02/daily-0900", "approved", "Ana", None),
        ("2026-12-03/daily-0900", "held", None, "check the figures"),
        ("2026-12-04/daily-0900", "approved", "Bo", None),
    ]
    assert rows[1]["approved_at"] == "2026-12-01T08:00:00+00:00"
    assert rows[1]["slot"] == "2026-12-02T09:00:00+00:00"
    assert rows[1]["channels"] == {"email": "approved", "x": "approved"}


BAD_STATES = {
    "not JSON": b"{",
    "not UTF-8": b"\xff\xfe",
    "an unknown status": b'{"status": "published"}',
    "an unknown key": b'{"status": "approved", "approved_by": "x", "approved_at": '
    b'"2026-12-01T08:00:00Z", "approved_manifest_sha256": "' + b"a" * 64 + b'", "extra": 1}',
    "approved without a sha256": b'{"status": "approved", "approved_at": "2026-12-01T08:00:00Z"}',
    "approved without a time": b'{"status": "approved", "approved_manifest_sha256": "SHA"}',
    "a sha256 that is no hex": b'{"status": "approved", "approved_at": "2026-12-01T08:00:00Z", '
    b'"approved_manifest_sha256": "SHAX"}',
}


@pytest.mark.parametrize("case", [*BAD_STATES, "a symbolic link", "a folder"])
def test_a_state_file_that_plainly_records_no_approval_approves_nothing(
    settings: Settings, case: str
) -> None:
    slot = prepared(settings)
    entry = read_entry(settings.paths.outbox, FOLDER)
    assert entry is not None
    path = state_path(settings.paths.outbox, FOLDER)
    if case == "a symbolic link":
        approve(settings, FOLDER, by="Ana", now=BEFORE)
        os.rename(path, path.with_name("elsewhere.json"))
        path.symlink_to("elsewhere.json")
    elif case == "a folder":
        path.mkdir()
    else:
        path.write_bytes(BAD_STATES[case].replace(b"SHA", entry.sha256.encode()))
    assert read_state(settings.paths.outbox, FOLDER).status == "pending"
    assert release(settings.paths.outbox, slot, AFTER) is None
    assert not is_published(settings.paths.outbox, FOLDER)


def test_a_pending_file_changed_after_approval_is_never_published(settings: Settings) -> None:
    slot = prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    text = pending_path(settings.paths.outbox, FOLDER) / "email" / "digest.txt"
    text.write_text(text.read_text() + "\nBuy now!\n")
    with pytest.raises(DigestError, match=r"digest\.txt does not match its sha256"):
        release(settings.paths.outbox, slot, SLOT_TIME)
    assert not is_published(settings.paths.outbox, FOLDER)
    # The next preparation puts the very batch that was approved back: still approved.
    prepared(settings, SLOT_TIME)
    assert read_state(settings.paths.outbox, FOLDER).status == "approved"
    assert release(settings.paths.outbox, slot, SLOT_TIME) is not None
    assert "Buy now!" not in (settings.paths.outbox / FOLDER / "email/digest.txt").read_text()


def test_a_pending_file_replaced_by_a_link_is_never_published(settings: Settings) -> None:
    slot = prepared(settings)
    approve(settings, FOLDER, by="Ana", now=BEFORE)
    text = pending_path(settings.paths.outbox, FOLDER) / "email" / "digest.txt"
    (settings.paths.outbox.parent / "other.txt").write_bytes(text.read_bytes())
    text.unlink()
    text.symlink_to(settings.paths.outbox.parent / "other.txt")
    with pytest.raises(DigestError, match="symbolic link"):
        release(settings.paths.outbox, slot, SLOT_TIME)
    assert not is_published(settings.paths.outbox, FOLDER)


def test_a_pending_area_that_is_a_link_is_refused(settings: Settings) -> None:
    elsewhere = settings.paths.outbox.parent / "elsewhere"
    elsewhere.mkdir()
    settings.paths.outbox.mkdir()
    (settings.paths.outbox / PENDING).symlink_to(elsewhere)
    with pytest.raises(PublishError, match="a symbolic link, where the batches waiting"):
        prepared(settings)
    assert os.listdir(elsewhere) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (FOLDER, FOLDER),
        (f"{FOLDER}/", FOLDER),
        (f".pending/{FOLDER}", FOLDER),
        (f"/somewhere/outbox/.pending/{FOLDER}", FOLDER),
        ("daily@2026-12-01T09:00:00Z", FOLDER),
    ],
)
def test_a_batch_is_named_by_its_folder_or_its_batch_id(
    settings: Settings, name: str, expected: str
) -> None:
    prepared(settings)
    assert find(settings.paths.outbox, name) == expected


@pytest.mark.parametrize(
    "name", ["daily@2026-12-02T09:00:00Z", "tomorrow", "2026-12-01", "daily-0900", "", "../x"]
)
def test_a_name_of_no_batch_says_how_to_name_one(settings: Settings, name: str) -> None:
    prepared(settings)
    with pytest.raises(DigestError, match=r"name it as DATE/SLOT \(2026-12-01/morning-0800\)"):
        find(settings.paths.outbox, name)


def test_approving_or_holding_a_slot_not_prepared_says_when_it_will_be(settings: Settings) -> None:
    for act in (
        lambda: approve(settings, FOLDER, by="Ana", now=BEFORE),
        lambda: hold(settings, FOLDER, reason="x", now=BEFORE),
    ):
        with pytest.raises(DigestError, match=r"no batch waiting for approval at .*its `prepare`"):
            act()
    assert not (settings.paths.outbox / PENDING).exists()


def test_holding_a_published_batch_is_refused(settings: Settings) -> None:
    prepared(settings)
    approve(settings, FOLDER, by="Ana", now=AFTER)
    with pytest.raises(DigestError, match="already published, too late to hold"):
        hold(settings, FOLDER, reason="oops", now=AFTER)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("x" * 101, "101 characters long; write at most 100"),
        ("Ana\nBcc: x@y", "control character"),
        ("An\x00a", "control character"),
        ("An\u2028a", "control character"),
        ("An\u202ea", "control character"),  # a format character: right-to-left override
    ],
)
def test_names_and_reasons_are_plain_text_of_one_line(text: str, problem: str) -> None:
    with pytest.raises(DigestError, match=problem):
        clean_text(text, "--by", 100)


@pytest.mark.parametrize("text", ["Ana Editor", " Zoë Ñúñez ", "编辑", "a" * 100])
def test_plain_names_are_kept_as_written(text: str) -> None:
    assert clean_text(text, "--by", 100) == text.strip()


def test_an_approval_without_a_name_is_recorded_as_unnamed(settings: Settings) -> None:
    prepared(settings)
    result = approve(settings, FOLDER, by=None, now=AFTER)
    manifest = read_manifest(result.path)
    assert manifest.approval is not None and manifest.approval.by is None
    assert "someone unnamed" in events(settings, "approved")[0]["detail"]


def test_a_manifest_without_approval_keeps_its_bytes_and_validates(settings: Settings) -> None:
    slot = the_slot(settings)
    assembled = assemble_slot(settings, slot, None)
    assert assembled is not None
    manifest = build_manifest(assembled.rendered, settings.config_hash)
    data = manifest_bytes(manifest)
    assert b'"approval"' not in data
    assert Manifest.model_validate_json(data) == manifest
    assert json.loads(data)["schema_version"] == 1


def _race(settings: Settings, barrier: threading.Barrier, outcomes: list[str]) -> None:
    barrier.wait()
    outcomes.append(approve(settings, FOLDER, by="racer", now=AFTER, durable=False).outcome)


@pytest.mark.parametrize("racers", [2, 8])
def test_approvers_racing_in_threads_publish_once(settings: Settings, racers: int) -> None:
    prepared(settings)
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=_race, args=(settings, barrier, outcomes)) for _ in range(racers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already-published"] * (racers - 1) + ["published"]
    assert len(events(settings, "published")) == 1 and len(published(settings.paths.outbox)) == 1
    assert os.listdir(settings.paths.outbox / ".staging") == []


def test_a_batch_rendered_while_its_slot_was_published_is_not_put_back(
    settings: Settings,
) -> None:
    slot = the_slot(settings)
    assembled = assemble_slot(settings, slot, None)
    assert assembled is not None
    prepared(settings)
    approve(settings, FOLDER, by="Ana", now=AFTER)  # published meanwhile, by an approver
    with pytest.raises(BatchExistsError):
        prepare(assembled.rendered, settings.paths.outbox, settings.config_hash, AFTER)
    assert not pending_path(settings.paths.outbox, FOLDER).exists()
    assert pending_batches(settings.paths.outbox) == []


def test_a_date_folder_of_the_pending_area_that_is_a_link_holds_no_batch(
    settings: Settings,
) -> None:
    prepared(settings)
    outbox = settings.paths.outbox
    day = outbox / PENDING / "2026-12-01"
    moved = outbox.parent / "moved-day"
    os.rename(day, moved)
    day.symlink_to(moved)
    assert read_entry(outbox, FOLDER) is None and pending_batches(outbox) == []
    with pytest.raises(DigestError, match="no batch waiting for approval"):
        approve(settings, FOLDER, by="Ana", now=AFTER)
    with pytest.raises(PublishError, match="a symbolic link, where the slots waiting"):
        expire(outbox, the_slot(settings), LATE, "6h")
    assert not (moved / "daily-0900.state.json").exists()


# Texts of a state file that --by and --reason would refuse: written by hand, or forged.
FORGED_TEXTS = {
    "a line break and ANSI colours": "Mallory\n\x1b[31mRED\x1b[0m",
    "a bidi override": "Mallory\u202eevil",
    "a zero-width joiner": "Mal\u200dlory",
    "a line separator": "Mallory\u2028Bob",
    "a DEL": "Mallory\x7f",
    "a private-use character": "Mallory\ue000",
    "empty": "",
    "only spaces": "   ",
    "spaces around it": " Mallory ",
    "too long": "M" * 101,
}


def _approved_by(sha: str, by: str) -> bytes:
    record = {
        "status": "approved",
        "approved_by": by,
        "approved_at": "2026-12-01T08:00:00Z",
        "approved_manifest_sha256": sha,
    }
    return json.dumps(record).encode()


@pytest.mark.parametrize("case", list(FORGED_TEXTS))
@pytest.mark.parametrize("key", ["approved_by", "reason"])
def test_a_state_file_whose_texts_break_the_text_rules_counts_as_not_approved(
    settings: Settings, case: str, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    slot = prepared(settings)
    outbox = settings.paths.outbox
    entry = read_entry(outbox, FOLDER)
    assert entry is not None
    text = FORGED_TEXTS[case] if case != "too long" or key == "approved_by" else "r" * 701
    data = json.loads(_approved_by(entry.sha256, "Ana"))
    data[key] = text
    if key == "reason":
        data = {"status": "held", "reason": text}
    state_path(outbox, FOLDER).write_text(json.dumps(data), encoding="utf-8")
    assert read_state(outbox, FOLDER) == State()
    assert "the slot counts as not approved" in caplog.text
    (row,) = pending_batches(outbox)
    assert row["status"] == "pending" and row["approved_by"] is None and row["reason"] is None
    assert release(outbox, slot, AFTER) is None
    published_by = approve(settings, FOLDER, by="Ana", now=AFTER)
    assert published_by.outcome == "published"
    assert read_manifest(published_by.path).approval.by == "Ana"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("approved_by", "Ana Editor"),
        ("approved_by", "Zoë Ōkafor-Ng 李"),
        ("approved_by", "M" * 100),
        ("reason", "the figures are disputed"),
        ("reason", "r" * 700),  # an expiry's words quoting a hold's longest reason
    ],
)
def test_a_state_file_of_plain_texts_reads_as_written(
    settings: Settings, key: str, text: str
) -> None:
    prepared(settings)
    outbox = settings.paths.outbox
    entry = read_entry(outbox, FOLDER)
    assert entry is not None
    data = json.loads(_approved_by(entry.sha256, "Ana")) | {key: text}
    state_path(outbox, FOLDER).write_text(json.dumps(data), encoding="utf-8")
    assert getattr(read_state(outbox, FOLDER), key) == text


def test_an_expiry_of_the_longest_hold_reason_reads_back_as_expired(settings: Settings) -> None:
    slot = prepared(settings)
    hold(settings, FOLDER, reason="r" * 500, now=BEFORE)
    expire(settings.paths.outbox, slot, LATE, "6h")
    state = read_state(settings.paths.outbox, FOLDER)
    assert state.status == "expired" and state.reason is not None and "r" * 500 in state.reason
