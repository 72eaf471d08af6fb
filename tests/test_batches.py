"""Consumers of the outbox: list, verify, claim and done; the manifest against its schema."""

from __future__ import annotations

import json
import logging
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from factories import EXAMPLE_SEED, ROOT, project, write_seed

from digest.batches import carried, claim, done, published, read_manifest, status, verify
from digest.config import load_config
from digest.errors import DigestError
from digest.pipeline import build
from digest.slots import slot_on

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
