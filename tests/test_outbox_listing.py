"""The rows of `digest outbox list`: every published batch, its counts and each channel's state."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from support.factories import project, write_seed

from digest.outbox.batches import claim, done
from digest.outbox.listing import list_batches
from digest.pipeline import build
from digest.scheduler.slots import slot_on

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    """An outbox with two published batches of one daily schedule, a story each."""
    settings = project(
        tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}], channels=("email", "x")
    )
    write_seed(settings.paths.seeds, 1)
    write_seed(settings.paths.seeds, 2)
    for day in (date(2026, 11, 28), date(2026, 11, 29)):
        assert build(settings, slot_on(settings.schedules[0], day)).batch is not None
    return settings.paths.outbox


def test_a_row_per_batch_oldest_first(outbox: Path) -> None:
    assert list_batches(outbox) == [
        {
            "batch": f"2026-11-{day}/daily-0900",
            "batch_id": f"daily@2026-11-{day}T09:00:00Z",
            "stories": 1,
            "rejected": 0,
            "channels": {"email": "open", "x": "open"},
        }
        for day in (28, 29)
    ]


def test_rows_show_claimed_and_done_channels(outbox: Path) -> None:
    first = outbox / "2026-11-28" / "daily-0900"
    claim(first, "email", NOW)
    claim(first, "x", NOW)
    done(first, "x", NOW)
    assert list_batches(outbox)[0]["channels"] == {"email": "claimed", "x": "done"}
    assert list_batches(outbox)[1]["channels"] == {"email": "open", "x": "open"}


def test_a_damaged_manifest_is_left_out_with_a_warning(
    outbox: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest = outbox / "2026-11-28" / "daily-0900" / "manifest.json"
    manifest.write_text("{")
    with caplog.at_level(logging.WARNING, logger="digest.outbox"):
        rows = list_batches(outbox)
    assert [row["batch"] for row in rows] == ["2026-11-29/daily-0900"]
    assert any(
        f"{manifest}: not a valid manifest" in r.message and r.message.endswith("; skipped")
        for r in caplog.records
    )


def test_an_outbox_that_is_not_there_has_no_rows(tmp_path: Path) -> None:
    assert list_batches(tmp_path / "outbox") == []
    (tmp_path / "outbox" / "2026-11-28" / "notes").mkdir(parents=True)
    assert list_batches(tmp_path / "outbox") == []
