"""Consumers of the outbox: list, verify, claim and done; the manifest against its schema."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import multiprocessing
import os
import posixpath
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from support.factories import EXAMPLE_SEED, ROOT, project, write_seed

from digest.config import load_config
from digest.errors import DigestError
from digest.outbox import batches
from digest.outbox import published as listings
from digest.outbox.batches import carried, claim, done, keep_carried, read_manifest, status, verify
from digest.outbox.manifest import (
    FileRecord,
    Manifest,
    SlotTimes,
    StoryRecord,
    check_batch_path,
    manifest_bytes,
)
from digest.outbox.published import published
from digest.pipeline import build
from digest.scheduler.slots import slot_on

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    settings = project(
        tmp_path,
        [{"name": "daily", "at": "09:00", "timezone": "UTC"}],
        channels=("email", "x", "bluesky"),
    )
    write_seed(settings.paths.seeds, 1)
    result = build(settings, slot_on(settings.schedules[0], NOW.date()))
    assert result.batch is not None
    return result.batch


def test_manifest_validates_against_the_committed_schema(batch: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text())
    manifest = json.loads((batch / "manifest.json").read_text())
    jsonschema.validate(manifest, schema)
    assert manifest["schema_version"] == 1
    manifest["files"][0]["sha256"] = 7
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, schema)


def test_verify_catches_a_flipped_byte(batch: Path) -> None:
    assert verify(batch) == []
    path = batch / "email" / "digest.txt"
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))
    assert verify(batch) == ["email/digest.txt: content does not match its sha256 in the manifest"]


def test_verify_catches_missing_and_extra_files(batch: Path) -> None:
    (batch / "social" / "x.txt").unlink()
    (batch / "stray.txt").write_text("?")
    assert verify(batch) == ["social/x.txt: missing", "stray.txt: not listed in the manifest"]


def test_claim_prints_the_channel_files_and_done_closes_it(batch: Path) -> None:
    files = claim(batch, "x", NOW)
    assert [f["path"] for f in files] == ["social/x.json", "social/x.txt"]
    assert status(batch, "x") == "claimed" and status(batch, "email") == "open"
    with pytest.raises(DigestError, match="already claimed"):
        claim(batch, "x", NOW)
    done(batch, "x", NOW)
    assert status(batch, "x") == "done"
    with pytest.raises(DigestError, match="already done"):
        done(batch, "x", NOW)
    assert verify(batch) == []  # claims live beside the batch's files, not in the manifest


def test_done_needs_a_claim_and_claim_needs_the_channel(batch: Path) -> None:
    with pytest.raises(DigestError, match="not claimed; claim it before"):
        done(batch, "email", NOW)
    with pytest.raises(DigestError, match="carries no 'linkedin' channel"):
        claim(batch, "linkedin", NOW)


def test_a_corrupt_batch_is_not_claimed(batch: Path) -> None:
    (batch / "email" / "digest.html").write_text("tampered")
    with pytest.raises(DigestError, match="failed verification, not claimed"):
        claim(batch, "email", NOW)


def _claimer(batch: str, barrier: Any, wins: Any) -> None:
    barrier.wait()
    try:
        claim(Path(batch), "email", NOW)
        wins.append(1)
    except DigestError:
        pass


def test_two_consumers_racing_for_a_channel_one_wins(tmp_path: Path) -> None:
    settings = project(
        tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}], channels=("email",)
    )
    context = multiprocessing.get_context("fork")
    manager = context.Manager()
    for number in range(30):
        write_seed(settings.paths.seeds, number)
        slot = slot_on(settings.schedules[0], datetime(2026, 1, 1 + number).date())
        result = build(settings, slot, durable=False)
        assert result.batch is not None
        barrier, wins = context.Barrier(2), manager.list()
        racers = [
            context.Process(target=_claimer, args=(str(result.batch), barrier, wins))
            for _ in range(2)
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=60)
        assert len(wins) == 1


def test_each_batch_carries_only_seeds_no_earlier_batch_carried(tmp_path: Path) -> None:
    settings = project(
        tmp_path,
        [
            {"name": "daily", "at": "09:00", "timezone": "UTC"},
            {"name": "other", "at": "10:00", "timezone": "UTC"},
        ],
    )
    schedule = settings.schedules[0]
    for number in range(3):
        write_seed(settings.paths.seeds, number)
    first = build(settings, slot_on(schedule, datetime(2026, 1, 1).date()))
    second = build(settings, slot_on(schedule, datetime(2026, 1, 2).date()))
    assert [s.slug for s in first.stories] == ["story-0000"]
    assert [s.slug for s in second.stories] == ["story-0001"]
    # Another schedule keeps its own history.
    other = build(settings, slot_on(settings.schedules[1], datetime(2026, 1, 2).date()))
    assert [s.slug for s in other.stories] == ["story-0000"]
    assert carried(settings.paths.outbox, "daily", NOW) == {"story-0000", "story-0001"}
    assert [b.schedule for b in published(settings.paths.outbox)] == ["daily", "daily", "other"]


def test_priority_then_date_order_the_stories(tmp_path: Path) -> None:
    settings = project(
        tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC", "max_stories": 3}]
    )
    seeds = settings.paths.seeds
    for number, front in enumerate(
        ["date = 2026-01-01", "date = 2026-01-03", "priority = 5\ndate = 2025-01-01", ""]
    ):
        text = write_seed(seeds, number).read_text()
        (seeds / f"story-{number:04d}.txt").write_text(f"+++\n{front}\n+++\n{text}")
    result = build(settings, slot_on(settings.schedules[0], NOW.date()))
    assert [s.slug for s in result.stories] == ["story-0002", "story-0001", "story-0000"]
    manifest = read_manifest(result.batch)  # type: ignore[arg-type]
    assert [s.slug for s in manifest.stories] == ["story-0002", "story-0001", "story-0000"]


def test_the_configured_bullet_count_reaches_the_batch(tmp_path: Path) -> None:
    project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    config = tmp_path / "config.toml"
    config.write_text(config.read_text() + "[summary]\nmax_bullets = 3\n")
    settings = load_config(config)
    (tmp_path / "seeds" / "example.txt").write_bytes(EXAMPLE_SEED.read_bytes())
    result = build(settings, slot_on(settings.schedules[0], NOW.date()))
    assert result.batch is not None
    record = json.loads((result.batch / "stories" / "example.json").read_text())
    assert len(record["summary"]["bullets"]) == 3  # two articles would otherwise give four


def test_a_story_without_url_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings.paths.seeds, 1)
    with caplog.at_level(logging.WARNING, logger="digest.pipeline"):
        build(settings, slot_on(settings.schedules[0], NOW.date()))
    assert any("story-0001.txt: no url in its front matter" in r.message for r in caplog.records)


HOSTILE_PATHS = {
    "out of the batch": "email/../../secret.txt",
    "absolute": "/etc/passwd",
    "a backslash": "email\\..\\..\\secret.txt",
    "an empty part": "email//digest.txt",
    "a dot part": "./email/digest.txt",
    "a NUL": "email/digest.txt\x00.png",
    "a line break": "email/digest\n.txt",
    "the manifest itself": "manifest.json",
    "under claims": "claims/email",
    "empty": "",
}


@pytest.mark.parametrize("case", list(HOSTILE_PATHS))
def test_a_hostile_manifest_path_is_refused_by_the_model(case: str) -> None:
    with pytest.raises(ValidationError, match="file path"):
        FileRecord(path=HOSTILE_PATHS[case], bytes=1, sha256="0" * 64, media_type="text/plain")


@given(st.text())
def test_every_path_the_model_accepts_stays_inside_the_batch(path: str) -> None:
    try:
        check_batch_path(path)
    except ValueError:
        return
    inside = posixpath.normpath(posixpath.join("/batch", path))
    assert inside.startswith("/batch/") and inside == f"/batch/{path}"
    assert "\\" not in path and path != "manifest.json" and not path.startswith("claims")


def _list_in_manifest(batch: Path, path: str, data: bytes) -> None:
    """Add `path` to the manifest (written as JSON, past the model) with `data`'s checksum."""
    manifest = batch / "manifest.json"
    record = json.loads(manifest.read_text())
    record["files"].append(
        {
            "path": path,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "media_type": "text/plain",
        }
    )
    manifest.write_text(json.dumps(record))


@pytest.mark.parametrize("case", ["out of the batch", "absolute"])
def test_a_hostile_manifest_path_is_refused_by_verify_and_claim(batch: Path, case: str) -> None:
    secret = batch.parent / "secret.txt"  # where email/../../secret.txt leads
    secret.write_bytes(b"the consumer must never be handed this")
    path = HOSTILE_PATHS[case] if case == "out of the batch" else str(secret)
    _list_in_manifest(batch, path, secret.read_bytes())
    with pytest.raises(DigestError, match=r"not a valid manifest: files\.\d+\.path: .*file path"):
        verify(batch)
    with pytest.raises(DigestError, match="not a valid manifest"):
        claim(batch, "email", NOW)
    assert not (batch / "claims" / "email").exists()


def _link_file(batch: Path) -> str:
    target = batch / "social" / "x.txt"
    outside = batch.parent / "x.txt"
    outside.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(outside)
    return "social/x.txt is a symbolic link"


def _link_folder(batch: Path) -> str:
    outside = batch.parent / "social-copy"
    shutil.copytree(batch / "social", outside)
    shutil.rmtree(batch / "social")
    (batch / "social").symlink_to(outside)
    return "social is a symbolic link"


def _link_stray(batch: Path) -> str:
    (batch / "stories" / "extra.json").symlink_to("/etc/hostname")
    return "stories/extra.json: a symbolic link"


def _link_claims(batch: Path) -> str:
    (batch.parent / "claims-elsewhere").mkdir()
    (batch / "claims").symlink_to(batch.parent / "claims-elsewhere")
    return "claims: a symbolic link"


LINKS = {
    "a symlinked file": _link_file,
    "a symlinked folder": _link_folder,
    "a symlink not listed": _link_stray,
    "a symlinked claims folder": _link_claims,
}


@pytest.mark.parametrize("case", list(LINKS))
def test_a_symlink_in_the_batch_fails_verify_and_claim(batch: Path, case: str) -> None:
    expected = LINKS[case](batch)
    problems = verify(batch)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(DigestError, match="failed verification, not claimed"):
        claim(batch, "x", NOW)
    assert status(batch, "x") == "open"


class NoSpace:
    """The `os` module as digest.outbox.batches sees it, with every `name` call failing ENOSPC."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, name: str) -> Any:
        if name == self.name:
            return self.fail
        return getattr(os, name)

    def fail(self, *args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_a_claim_on_a_full_disk_leaves_no_claim(
    batch: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    import digest.outbox.batches as module

    monkeypatch.setattr(module, "os", NoSpace(failing))
    with pytest.raises(
        DigestError,
        match=r"claims/x: could not be written \(No space left on device\); nothing was recorded",
    ):
        claim(batch, "x", NOW)
    monkeypatch.undo()
    assert os.listdir(batch / "claims") == []
    assert status(batch, "x") == "open"
    assert [f["path"] for f in claim(batch, "x", NOW)] == ["social/x.json", "social/x.txt"]
    assert json.loads((batch / "claims" / "x").read_text())["channel"] == "x"


def test_a_symlinked_date_folder_is_skipped_by_published_and_refused_by_claim(
    batch: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`ln -s /elsewhere outbox/<date>`: what lies there is not a batch of this outbox."""
    outbox = tmp_path / "other-outbox"
    outbox.mkdir()
    day = outbox / "2026-12-02"
    os.symlink(batch.parent, day)
    with caplog.at_level(logging.WARNING, logger="digest.outbox"):
        assert published(outbox) == []
    assert f"{day}: skipped, a symbolic link" in caplog.text
    linked = day / batch.name
    assert any("date folder" in problem for problem in verify(linked))
    with pytest.raises(DigestError, match=r"failed verification, not claimed.*symbolic link"):
        claim(linked, "x", NOW)
    assert not (batch / "claims").exists()
    claim(batch, "x", NOW)  # claimed where it really is: done through the link is refused too
    with pytest.raises(DigestError, match=r"date folder is a symbolic link.*nothing recorded"):
        done(linked, "x", NOW)
    assert status(batch, "x") == "claimed"


def _edited(batch: Path, how: str) -> None:
    """The manifest changed under a reader that read it before: its stories renamed."""
    path = batch / "manifest.json"
    before = path.stat()
    text = path.read_text()
    slug = json.loads(text)["stories"][0]["slug"]
    text = text.replace(f'"slug": "{slug}"', f'"slug": "{"x" * len(slug)}"')  # the same size
    assert len(text) == before.st_size
    if how == "in place, times restored":
        time.sleep(0.02)  # past the clock tick of the first write: the change time must move
        path.write_text(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif how == "replaced":
        path.with_name("new.json").write_text(text)
        os.replace(path.with_name("new.json"), path)
    elif how == "a link":
        path.with_name("real.json").write_text(text)
        path.unlink()
        path.symlink_to("real.json")


@pytest.mark.parametrize("how", ["in place, times restored", "replaced", "a link"])
def test_a_manifest_read_before_is_read_again_after_any_change(batch: Path, how: str) -> None:
    first = read_manifest(batch)
    assert read_manifest(batch) is first  # unchanged: known without reading it again
    _edited(batch, how)
    if how == "a link":
        with pytest.raises(DigestError, match="symbolic link"):
            read_manifest(batch)
    else:
        assert read_manifest(batch).stories[0].slug.startswith("xxx")


@pytest.mark.parametrize("code", range(128))
def test_an_ascii_control_in_a_manifest_path_is_refused_and_nothing_else(code: int) -> None:
    """The ASCII fast path of the path check refuses what the category check does."""
    path = f"email/a{chr(code)}b.txt"
    refused = unicodedata.category(chr(code))[0] == "C" or chr(code) == "\\"
    try:
        check_batch_path(path)
    except ValueError:
        assert refused
    else:
        assert not refused


def _fresh_process() -> None:
    """Forget what this process read of manifests and carried indexes, as a new process would."""
    batches._CARRIED.clear()
    batches._MANIFESTS.clear()
    listings._OUTBOXES.clear()


def _history(tmp_path: Path) -> Path:
    """An outbox with three daily batches (one slug each), and the carried index written."""
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    for number in range(4):
        write_seed(settings.paths.seeds, number)
    for day in (1, 2, 3):
        build(settings, slot_on(settings.schedules[0], datetime(2026, 1, day).date()))
    outbox = settings.paths.outbox
    _fresh_process()
    assert carried(outbox, "daily", NOW) == {"story-0000", "story-0001", "story-0002"}
    keep_carried(outbox)
    assert (outbox / ".carried-daily.json").is_file()
    assert not [n for n in os.listdir(outbox) if n.endswith(".tmp")]
    return outbox


def test_the_carried_index_spares_a_fresh_process_the_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = _history(tmp_path)
    _fresh_process()
    read: list[Path] = []
    real = batches.read_manifest
    monkeypatch.setattr(batches, "read_manifest", lambda b: read.append(b) or real(b))
    assert carried(outbox, "daily", NOW) == {"story-0000", "story-0001", "story-0002"}
    assert read == []
    # Before the instant of the second slot: the first batch only, as the manifests say.
    assert carried(outbox, "daily", datetime(2026, 1, 2, 9, tzinfo=UTC)) == {"story-0000"}


def test_a_changed_or_new_manifest_is_read_not_the_index(tmp_path: Path) -> None:
    outbox = _history(tmp_path)
    second = published(outbox, "daily")[1].path
    _edited(second, "replaced")
    _fresh_process()
    assert carried(outbox, "daily", NOW) == {"story-0000", "xxxxxxxxxx", "story-0002"}
    # A damaged manifest: its stories/ folder counts, whatever the index said of it.
    (second / "manifest.json").write_text("{", encoding="utf-8")
    _fresh_process()
    assert carried(outbox, "daily", NOW) == {"story-0000", "story-0001", "story-0002"}


@pytest.mark.parametrize(
    "spoil",
    ["group-writable", "a link", "another schedule", "another outbox", "a bad slug", "truncated"],
)
def test_a_carried_index_that_cannot_be_trusted_is_not_used(tmp_path: Path, spoil: str) -> None:
    outbox = _history(tmp_path)
    index = outbox / ".carried-daily.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    for entry in data["batches"].values():  # a forged index: it says nothing was carried
        entry["slugs"] = ["forged"]
    if spoil == "another schedule":
        data["schedule"] = "other"
    elif spoil == "another outbox":
        data["outbox"] = str(tmp_path / "elsewhere")
    elif spoil == "a bad slug":
        data["batches"][next(iter(data["batches"]))]["slugs"] = ["../x"]
    text = json.dumps(data)
    if spoil == "truncated":
        text = text[: len(text) // 2]
    index.write_text(text, encoding="utf-8")
    if spoil == "group-writable":
        index.chmod(0o620)
    elif spoil == "a link":
        index.rename(outbox / "real.json")
        index.symlink_to("real.json")
    _fresh_process()
    assert carried(outbox, "daily", NOW) == {"story-0000", "story-0001", "story-0002"}


def test_an_index_entry_counts_only_for_its_own_manifest(tmp_path: Path) -> None:
    """An authentic index whose entries' stat keys are no longer the manifests' own (a forged
    slug list under a stale key) is not believed: the manifests are read."""
    outbox = _history(tmp_path)
    index = outbox / ".carried-daily.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    for entry in data["batches"].values():
        entry["slugs"], entry["key"][1] = ["forged"], entry["key"][1] + 1
    index.write_text(json.dumps(data), encoding="utf-8")
    index.chmod(0o600)
    _fresh_process()
    assert carried(outbox, "daily", NOW) == {"story-0000", "story-0001", "story-0002"}
    # And the key test is what stands between: the same forgery under the true keys counts.
    for entry in data["batches"].values():
        entry["key"][1] -= 1
    index.write_text(json.dumps(data), encoding="utf-8")
    _fresh_process()
    assert carried(outbox, "daily", NOW) == {"forged"}


# A warm process does not list again a folder of the outbox that did not change (issue 14); every
# change to the outbox, by this process or another, is seen all the same.

LISTING_SETTLED_NS = 20_000_000


@pytest.fixture
def settling(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Folders count as settled 20 ms after their last change; `settle()` waits that long."""
    monkeypatch.setattr(listings, "SETTLED_NS", LISTING_SETTLED_NS)
    monkeypatch.setattr(listings, "_OUTBOXES", {})
    return lambda: time.sleep(LISTING_SETTLED_NS * 1.5 / 1e9)


def _publish(outbox: Path, day: int, at: str = "0900", schedule: str = "daily") -> Path:
    """A batch of `schedule` at `at` on 2026-01-<day> (its slot that UTC time), published as the
    publisher does: staged whole, then one rename into its date folder."""
    when = datetime(2026, 1, day, int(at[:2]), int(at[2:]), tzinfo=UTC)
    slug = f"s{day}-{at}-{schedule}"
    manifest = Manifest(
        batch_id=f"{schedule}@{when:%Y-%m-%dT%H:%M:%SZ}",
        schedule=schedule,
        slot=SlotTimes(local=when, utc=when),
        generator="digest test",
        config_hash="0" * 64,
        channels=("email",),
        stories=(StoryRecord(id=f"{slug}-0", slug=slug, content_hash="0", source="x"),),
        files=(),
        rejected=(),
    )
    staged = outbox / ".staging" / f"{schedule}-{day}-{at}"
    (staged / "stories").mkdir(parents=True)
    (staged / "manifest.json").write_bytes(manifest_bytes(manifest))
    target = outbox / f"{when:%Y-%m-%d}" / f"{schedule}-{at}"
    target.parent.mkdir(exist_ok=True)
    staged.rename(target)
    return target


def _seen(outbox: Path) -> tuple[list[str], set[str], list[str]]:
    """What this process finds in `outbox`: every batch, what daily's carried, the warnings."""
    with pytest.MonkeyPatch.context() as patch:
        warned: list[str] = []
        patch.setattr(batches.log, "warning", lambda *a: warned.append(a[0] % a[1:]))
        found = [b.path.relative_to(outbox).as_posix() for b in published(outbox)]
        slugs = carried(outbox, "daily", datetime(2027, 1, 1, tzinfo=UTC))
    return found, slugs, warned


def _fresh_seen(outbox: Path) -> tuple[list[str], set[str], list[str]]:
    """What a fresh process finds (nothing remembered), this process's memory put back after."""
    kept = dict(listings._OUTBOXES), dict(batches._CARRIED), dict(batches._MANIFESTS)
    _fresh_process()
    try:
        return _seen(outbox)
    finally:
        for cache, entries in zip(
            (listings._OUTBOXES, batches._CARRIED, batches._MANIFESTS), kept, strict=True
        ):
            cache.clear()
            cache.update(entries)  # type: ignore[attr-defined]


def _count_listings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    listed: list[str] = []
    for name in ("listdir", "scandir"):
        real = getattr(os, name)

        def counting(path: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            listed.append(os.fspath(path))
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, counting)
    return listed


def test_an_unchanged_outbox_is_not_listed_again_and_a_changed_folder_is(
    tmp_path: Path, settling: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = tmp_path / "outbox"
    for day in (1, 2, 3):
        _publish(outbox, day)
    settling()
    first = _seen(outbox)
    listed = _count_listings(monkeypatch)
    assert _seen(outbox) == first
    assert listed == []  # not the outbox, no date folder
    added = _publish(outbox, 2, "1800")  # a second batch in a date folder listed before
    days = ["2026-01-01/daily-0900", "2026-01-02/daily-0900", "2026-01-02/daily-1800"]
    assert _seen(outbox)[0] == [*days, "2026-01-03/daily-0900"]
    # That folder only (the outbox's own entries are the same), by published() and carried():
    # changed just now, it is not trusted unchanged until it has settled.
    assert listed == [str(added.parent)] * 2
    settling()
    listed.clear()
    _seen(outbox), _seen(outbox)
    assert listed == [str(added.parent)]


def test_a_folder_changed_within_the_settling_time_is_listed_every_time(
    tmp_path: Path, settling: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two changes within one tick of the file system's clock can leave a folder's times as they
    were: a folder is trusted unchanged only once it has been still for SETTLED_NS."""
    outbox = tmp_path / "outbox"
    for day in (1, 2):
        _publish(outbox, day)
    monkeypatch.setattr(listings, "SETTLED_NS", 10**18)
    listed = _count_listings(monkeypatch)
    for _ in range(3):
        assert len(published(outbox)) == 2
    folders = [str(outbox), str(outbox / "2026-01-01"), str(outbox / "2026-01-02")]
    assert sorted(listed) == sorted(folders * 3)  # each folder on every call


def _in_another_process(code: str, outbox: Path) -> None:
    subprocess.run([sys.executable, "-c", code, str(outbox)], check=True, timeout=60)


def test_a_batch_another_process_publishes_or_removes_is_seen(
    tmp_path: Path, settling: Callable[[], None]
) -> None:
    outbox = tmp_path / "outbox"
    first = _publish(outbox, 1)
    second = _publish(outbox, 2)
    copy = tmp_path / "copy"
    shutil.copytree(second, copy)
    settling()
    assert _seen(outbox)[1] == {"s1-0900-daily", "s2-0900-daily"}
    # Another process takes the second day's batch away, then puts it back renamed to 0800.
    _in_another_process(
        "import shutil, sys; shutil.rmtree(sys.argv[1] + '/2026-01-02/daily-0900')", outbox
    )
    assert _seen(outbox)[:2] == (["2026-01-01/daily-0900"], {"s1-0900-daily"})
    settling()
    _seen(outbox)  # now settled and remembered empty
    _in_another_process(
        f"import os, sys; os.rename({str(copy)!r}, sys.argv[1] + '/2026-01-02/daily-0800')", outbox
    )
    assert _seen(outbox)[0] == ["2026-01-01/daily-0900", "2026-01-02/daily-0800"]
    settling()
    # And a manifest replaced in a batch folder (its date folder does not change) is read again.
    slugs = _seen(outbox)[1]
    replaced = first / "manifest.json"
    replaced.with_name("new.json").write_text(
        replaced.read_text().replace("s1-0900-daily", "changed"), encoding="utf-8"
    )
    os.replace(replaced.with_name("new.json"), replaced)
    assert _seen(outbox)[1] == slugs - {"s1-0900-daily"} | {"changed"}


# Each step changes the outbox as a publisher, a `--force` rebuild, an operator or an odd tool
# might; after each, what this warm process finds must be what a fresh process finds.
OUTBOX_STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "publish",
                "publish other",
                "remove",
                "rename",
                "move day",
                "rewrite manifest",
                "remove manifest",
                "link batch",
                "odd file",
                "remove day",
                "link day",
                "chmod day",
            ]
        ),
        st.integers(1, 3),
        st.sampled_from(["0900", "1800"]),
        st.booleans(),  # settle after the step: the folders' times then tell the next change
    ),
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=OUTBOX_STEPS)
def test_a_warm_process_finds_what_a_fresh_one_would(
    tmp_path: Path, settling: Callable[[], None], steps: list[tuple[str, int, str, bool]]
) -> None:
    outbox = tmp_path / f"o{len(list(tmp_path.iterdir()))}"
    outbox.mkdir()
    _publish(outbox, 1)
    settling()
    _seen(outbox)
    try:
        for action, day, at, settle in steps:
            _change(outbox, action, day, at)
            assert _seen(outbox) == _fresh_seen(outbox), (action, day, at)
            if settle:
                settling()
                assert _seen(outbox) == _fresh_seen(outbox), (action, day, at)
    finally:  # let pytest remove what a step made unreadable
        for folder in outbox.iterdir():
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o755)


def _change(outbox: Path, action: str, day: int, at: str) -> None:
    folder = outbox / f"2026-01-{day:02d}"
    batch = folder / f"daily-{at}"
    other = folder / f"daily-{'1800' if at == '0900' else '0900'}"
    real_day = folder.is_dir() and not folder.is_symlink()
    real_batch = real_day and batch.is_dir() and not batch.is_symlink()
    taken = os.path.lexists
    if action.startswith("publish"):
        schedule = "other" if action == "publish other" else "daily"
        if (real_day or not taken(folder)) and not taken(folder / f"{schedule}-{at}"):
            _publish(outbox, day, at, schedule)
    elif action == "remove" and real_batch:
        shutil.rmtree(batch)
    elif action == "rename" and real_day and taken(batch) and not taken(other):
        batch.rename(other)
    elif action == "move day" and real_day and taken(batch):
        target = outbox / f"2026-01-{day % 3 + 1:02d}"
        if target.is_dir() and not target.is_symlink() and not taken(target / batch.name):
            batch.rename(target / batch.name)
    elif action == "rewrite manifest" and real_batch and (batch / "manifest.json").is_file():
        path = batch / "manifest.json"
        path.write_text(path.read_text().replace(f"s{day}-", f"r{day}-"), encoding="utf-8")
    elif action == "remove manifest" and real_batch and (batch / "manifest.json").is_file():
        (batch / "manifest.json").unlink()
    elif action == "link batch" and real_day and not taken(batch):
        batch.symlink_to(outbox / "2026-01-01" / "daily-0900")
    elif action == "odd file" and real_day:
        (folder / f"odd-{at}.txt").write_text("?")
    elif action == "remove day" and taken(folder):
        if real_day:
            shutil.rmtree(folder)
        else:
            folder.unlink()
    elif action == "link day" and not taken(folder):
        folder.symlink_to(outbox / "2026-01-01")
    elif action == "chmod day" and real_day:
        folder.chmod(0o300 if folder.stat().st_mode & 0o400 else 0o755)


def test_threads_listing_one_outbox_while_batches_come_and_go_never_fail(
    tmp_path: Path, settling: Callable[[], None]
) -> None:
    """The preview lists the outbox from several threads: they share what it remembers."""
    import threading

    outbox = tmp_path / "outbox"
    for day in range(1, 29):
        _publish(outbox, day)
    settling()
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(30):
                published(outbox, "daily")
        except BaseException as exc:  # any failure fails the test
            failures.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for day in range(1, 29):  # the batches go while the threads list
        shutil.rmtree(outbox / f"2026-01-{day:02d}" / "daily-0900")
    for thread in threads:
        thread.join()
    assert failures == []
    assert published(outbox) == []
