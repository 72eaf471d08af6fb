"""Publishing: staged, manifest last, one rename; existing batches are never overwritten."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.factories import make_digest

from digest.errors import BatchExistsError, PublishError
from digest.models import Rendered, RenderedFile
from digest.outbox import publish
from digest.outbox.batches import claim, done, status, verify
from digest.outbox.manifest import Manifest, manifest_schema
from digest.outbox.staging import STAGING


def rendered(text: str = "hello") -> Rendered:
    return Rendered(
        digest=make_digest(channels=("email",)),
        files=(
            RenderedFile(path="email/digest.txt", content=text.encode(), media_type="text/plain"),
            RenderedFile(path="stories/a.json", content=b"{}\n", media_type="application/json"),
        ),
    )


def test_publish_writes_files_and_a_manifest_with_every_checksum(tmp_path: Path) -> None:
    batch = publish(rendered(), tmp_path, "c0ffee")
    assert batch == tmp_path / "2026-11-28" / "morning-0800"
    manifest = Manifest.model_validate_json((batch / "manifest.json").read_bytes())
    assert manifest.batch_id == "morning@2026-11-28T08:00:00Z"
    assert manifest.config_hash == "c0ffee"
    assert manifest.slot.local.isoformat() == "2026-11-28T08:00:00+00:00"
    assert [f.path for f in manifest.files] == ["email/digest.txt", "stories/a.json"]
    for record in manifest.files:
        data = (batch / record.path).read_bytes()
        assert record.sha256 == hashlib.sha256(data).hexdigest() and record.bytes == len(data)
    assert manifest.stories[0].source == "000_5d8e33db419e59d4.txt"
    assert os.listdir(tmp_path / STAGING) == []


def test_publishing_onto_an_existing_batch_is_refused_naming_the_option(tmp_path: Path) -> None:
    publish(rendered("first"), tmp_path, "h")
    with pytest.raises(BatchExistsError, match="pass --force to replace it"):
        publish(rendered("second"), tmp_path, "h")
    assert (tmp_path / "2026-11-28/morning-0800/email/digest.txt").read_text() == "first"


def test_force_replaces_the_batch(tmp_path: Path) -> None:
    publish(rendered("first"), tmp_path, "h")
    batch = publish(rendered("second"), tmp_path, "h", force=True)
    assert (batch / "email/digest.txt").read_text() == "second"
    assert os.listdir(tmp_path / STAGING) == []


def test_a_race_lost_at_the_rename_leaves_the_winner_intact(tmp_path: Path, monkeypatch) -> None:
    """Another publisher renames its batch in between our existence check and our rename."""
    import digest.outbox as outbox

    real_write = outbox._write_batch
    raced = []

    def write_then_lose(staging: Path, r: Rendered, config_hash: str, durable: bool) -> None:
        real_write(staging, r, config_hash, durable)
        if not raced:
            raced.append(True)
            publish(rendered("winner"), tmp_path, "h")

    monkeypatch.setattr(outbox, "_write_batch", write_then_lose)
    with pytest.raises(BatchExistsError):
        publish(rendered("loser"), tmp_path, "h")
    assert (tmp_path / "2026-11-28/morning-0800/email/digest.txt").read_text() == "winner"
    assert os.listdir(tmp_path / STAGING) == []


def test_a_failed_write_leaves_no_batch_and_no_staging(tmp_path: Path, monkeypatch) -> None:
    import digest.outbox as outbox

    calls = {"n": 0}
    real = outbox._write_file

    def fail_second(path: Path, content: bytes, durable: bool = True) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(path, content, durable)

    monkeypatch.setattr(outbox, "_write_file", fail_second)
    with pytest.raises(PublishError, match="No space left on device, ENOSPC"):
        publish(rendered(), tmp_path, "h")
    assert not (tmp_path / "2026-11-28").exists() or not any((tmp_path / "2026-11-28").iterdir())
    assert os.listdir(tmp_path / STAGING) == []


def test_republishing_gives_byte_identical_files(tmp_path: Path) -> None:
    first = publish(rendered(), tmp_path / "a", "h")
    second = publish(rendered(), tmp_path / "b", "h")
    for path in sorted(p for p in first.rglob("*") if p.is_file()):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()


def test_file_paths_cannot_leave_the_batch(tmp_path: Path) -> None:
    bad = Rendered(
        digest=make_digest(channels=("email",)),
        files=(RenderedFile(path="../escape.txt", content=b"x", media_type="text/plain"),),
    )
    with pytest.raises(ValueError, match="leaves the batch folder"):
        publish(bad, tmp_path / "outbox", "h")
    assert not (tmp_path / "outbox" / "escape.txt").exists()


def test_manifest_schema_is_json_schema() -> None:
    schema = json.loads(manifest_schema())
    assert schema["title"] == "Manifest"
    assert {"schema_version", "batch_id", "files", "rejected"} <= set(schema["properties"])


@pytest.mark.parametrize("swap", ["exchange", "two renames"])
def test_a_failed_force_keeps_the_published_batch(tmp_path: Path, monkeypatch, swap: str) -> None:
    import digest.outbox.swap as outbox_swap

    publish(rendered("first"), tmp_path, "h")
    real_rename = os.rename

    def rename(source: Path, destination: Path) -> None:
        if str(source).endswith(".partial"):  # moving the new batch in fails
            raise OSError(5, "Input/output error")
        real_rename(source, destination)

    def exchange(first: Path, second: Path) -> bool:
        raise OSError(5, "Input/output error")

    if swap == "exchange":
        monkeypatch.setattr(outbox_swap, "exchange", exchange)
    else:
        monkeypatch.setattr(outbox_swap, "exchange", lambda first, second: False)
        monkeypatch.setattr(outbox_swap.os, "rename", rename)
    with pytest.raises(PublishError, match="nothing was published"):
        publish(rendered("second"), tmp_path, "h", force=True)
    monkeypatch.undo()
    assert (tmp_path / "2026-11-28/morning-0800/email/digest.txt").read_text() == "first"
    assert os.listdir(tmp_path / STAGING) == []


def test_force_without_an_atomic_exchange_replaces_the_batch_too(
    tmp_path: Path, monkeypatch
) -> None:
    import digest.outbox.swap as outbox_swap

    monkeypatch.setattr(outbox_swap, "exchange", lambda first, second: False)
    publish(rendered("first"), tmp_path, "h")
    batch = publish(rendered("second"), tmp_path, "h", force=True)
    assert (batch / "email/digest.txt").read_text() == "second"
    assert os.listdir(tmp_path / STAGING) == []


def test_force_on_linux_swaps_the_batches_in_one_step(tmp_path: Path, monkeypatch) -> None:
    """With renameat2(RENAME_EXCHANGE) the slot is never empty: no plain rename touches it."""
    import digest.outbox.swap as outbox_swap

    if outbox_swap._renameat2() is None:
        pytest.skip("this system has no renameat2")
    publish(rendered("first"), tmp_path, "h")
    renames: list[str] = []
    real_rename = os.rename
    monkeypatch.setattr(
        outbox_swap.os, "rename", lambda a, b: (renames.append(str(a)), real_rename(a, b))[1]
    )
    batch = publish(rendered("second"), tmp_path, "h", force=True)
    assert renames == []
    assert (batch / "email/digest.txt").read_text() == "second"
    assert os.listdir(tmp_path / STAGING) == []


NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
SWAPS = ["exchange", "two renames"]


def _swap_by(swap: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.outbox.swap as outbox_swap

    if swap == "two renames":
        monkeypatch.setattr(outbox_swap, "exchange", lambda first, second: False)


@pytest.mark.parametrize("swap", SWAPS)
def test_force_carries_the_claims_over_so_a_done_channel_stays_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap: str
) -> None:
    _swap_by(swap, monkeypatch)
    batch = publish(rendered("first"), tmp_path, "h")
    claim(batch, "email", NOW)
    done(batch, "email", NOW)
    records = {name: (batch / "claims" / name).read_bytes() for name in ("email", "email.done")}
    batch = publish(rendered("second"), tmp_path, "h", force=True)
    assert (batch / "email/digest.txt").read_text() == "second"
    assert status(batch, "email") == "done"
    assert {name: (batch / "claims" / name).read_bytes() for name in records} == records
    assert verify(batch) == []
    assert os.listdir(tmp_path / STAGING) == []


@pytest.mark.parametrize("swap", SWAPS)
def test_a_claim_made_while_force_stages_its_batch_is_carried_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap: str
) -> None:
    import digest.outbox as outbox

    _swap_by(swap, monkeypatch)
    batch = publish(rendered("first"), tmp_path, "h")
    real_replace = outbox.replace

    def claimed_just_before_the_swap(staging: Path, target: Path, *args: Any, **kw: Any) -> Any:
        claim(target, "email", NOW)  # a consumer polling the old batch, a moment too early
        return real_replace(staging, target, *args, **kw)

    monkeypatch.setattr(outbox, "replace", claimed_just_before_the_swap)
    batch = publish(rendered("second"), tmp_path, "h", force=True)
    assert (batch / "email/digest.txt").read_text() == "second"
    assert status(batch, "email") == "claimed" and verify(batch) == []
    assert os.listdir(tmp_path / STAGING) == []


DAY_FOLDERS = {
    "a symlink to a folder": lambda day, elsewhere: os.symlink(elsewhere, day),
    "a dangling symlink": lambda day, elsewhere: os.symlink(elsewhere / "none", day),
    "a regular file": lambda day, elsewhere: day.write_text("not a folder"),
}


@pytest.mark.parametrize("force", [False, True], ids=["build", "force"])
@pytest.mark.parametrize("case", list(DAY_FOLDERS))
def test_a_date_folder_that_is_not_a_real_folder_is_refused_naming_it(
    tmp_path: Path, case: str, force: bool
) -> None:
    outbox, elsewhere = tmp_path / "outbox", tmp_path / "elsewhere"
    outbox.mkdir()
    elsewhere.mkdir()
    day = outbox / "2026-11-28"
    DAY_FOLDERS[case](day, elsewhere)
    with pytest.raises(PublishError) as caught:
        publish(rendered(), outbox, "h", force=force)
    message = str(caught.value)
    assert (
        f"{day}:" in message and "a real folder" in message and "nothing was published" in message
    )
    assert os.listdir(elsewhere) == []
    assert not (outbox / STAGING).exists() or os.listdir(outbox / STAGING) == []


def test_a_build_refuses_a_linked_date_folder_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support.factories import project, slot, write_seed

    import digest.pipeline

    config = project(tmp_path, [{"name": "morning", "at": "08:00"}])
    write_seed(tmp_path / "seeds", 1)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "morning-0800").mkdir(parents=True)  # looks like the slot's batch, through it
    (tmp_path / "outbox").mkdir()
    os.symlink(elsewhere, tmp_path / "outbox" / "2026-11-28")

    def not_reached(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered before the outbox was checked")

    monkeypatch.setattr(digest.pipeline, "assemble", not_reached)
    with pytest.raises(PublishError, match="a symbolic link, where the batches of that date"):
        digest.pipeline.build(config, slot(), durable=False)
