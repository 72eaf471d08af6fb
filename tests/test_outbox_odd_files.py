"""Odd things in outbox/ are skipped with a warning naming them, never fatal.

Each case plants one odd file beside a published batch, then runs what comes next in real life:
a build, `digest schedule --once` and `digest outbox list` must all still work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from support.factories import project, write_seed

from digest.cli import main
from digest.config import Settings, load_config
from digest.errors import DigestError
from digest.outbox.batches import carried, read_manifest
from digest.outbox.published import published
from digest.pipeline import build
from digest.scheduler.slots import slot_on

EARLIER = "2026-11-27/daily-0900"


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with three seeds; the slot of 2026-11-27 published (it carried story-0001)."""
    settings = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    for number in (1, 2, 3):
        write_seed(settings.paths.seeds, number)
    build(settings, slot_on(settings.schedules[0], date(2026, 11, 27)), durable=False)
    monkeypatch.chdir(tmp_path)
    return settings.paths.outbox


def _write(relative: str, data: bytes | str) -> Callable[[Path], str]:
    def plant(outbox: Path) -> str:
        path = outbox / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return relative

    return plant


def _folder(relative: str) -> Callable[[Path], str]:
    def plant(outbox: Path) -> str:
        (outbox / relative / "email").mkdir(parents=True)
        return relative

    return plant


def _manifest_link(outbox: Path) -> str:
    manifest = outbox / EARLIER / "manifest.json"
    copy = outbox.parent / "elsewhere.json"
    copy.write_bytes(manifest.read_bytes())
    manifest.unlink()
    manifest.symlink_to(copy)
    return f"{EARLIER}/manifest.json"


def _manifest_path(path: str) -> Callable[[Path], str]:
    def plant(outbox: Path) -> str:
        manifest = outbox / EARLIER / "manifest.json"
        data = json.loads(manifest.read_text())
        data["files"][0]["path"] = path
        manifest.write_text(json.dumps(data))
        return f"{EARLIER}/manifest.json"

    return plant


def _event(line: bytes) -> Callable[[Path], str]:
    def plant(outbox: Path) -> str:
        (outbox / ".journal.jsonl").write_bytes(line + b"\n")
        return ".journal.jsonl:1"

    return plant


MANIFEST = f"{EARLIER}/manifest.json"
CASES: dict[str, Callable[[Path], str]] = {
    "a file named like a date": _write("2026-11-30", "not a folder"),
    "a file named like a batch in a day folder": _write("2026-11-26/daily-0900", "x"),
    "a stray file in a day folder": _write("2026-11-26/notes.txt", "x"),
    "a batch folder without a manifest": _folder("2026-11-25/daily-0900"),
    "a manifest that is not JSON": _write(MANIFEST, "{ not json"),
    "a manifest that is of the wrong schema": _write(MANIFEST, '{"schema_version": 2}'),
    "a manifest that is a JSON number": _write(MANIFEST, "5"),
    "a manifest that is not UTF-8": _write(MANIFEST, b'{"batch_id": "\xff"}'),
    "a manifest symlinked": _manifest_link,
    "a manifest listing a path out of the batch": _manifest_path("email/../../secret.txt"),
    "a manifest listing an absolute path": _manifest_path("/etc/passwd"),
    "a journal line that is a number": _event(b"5"),
    "a journal line that is a list": _event(b"[]"),
    "a journal line that is null": _event(b"null"),
    "a journal line that is a string": _event(b'"published"'),
    "a journal event that is not text": _event(b'{"event": 3}'),
    "a journal event without its fields": _event(b'{"event": "published"}'),
    "a journal event with a naive slot": _event(
        json.dumps(
            dict.fromkeys(("at", "schedule", "batch_id", "detail"), "daily")
            | {"event": "published", "slot": "2026-11-29T09:00"}
        ).encode()
    ),
    "a journal line that is not UTF-8": _event(b'{"event": "\xff"}'),
    "a journal line nested too deep": _event(b"[" * 100_000),
    "an awake time without offset": _write(".scheduler.awake", "2026-11-29T09:00:00\n"),
    "an awake time that is not a time": _write(".scheduler.awake", "yesterday\n"),
    "an awake time that is not UTF-8": _write(".scheduler.awake", b"\xff\xfe"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_odd_entries_are_skipped_with_a_warning_naming_them(
    outbox: Path, case: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    named = CASES[case](outbox)
    with caplog.at_level(logging.WARNING):
        assert main(["build", "--slot", "daily@2026-11-28"]) == 0
        assert main(["schedule", "--once"]) == 0
        assert main(["outbox", "list"]) == 0
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(named in message for message in warned), warned
    assert "Traceback" not in capsys.readouterr().err
    assert (outbox / "2026-11-28/daily-0900/manifest.json").is_file()


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("a manifest that is")])
def test_a_damaged_manifest_still_counts_what_its_batch_carried(outbox: Path, case: str) -> None:
    """Its stories/ folder says which stories it carried: the next slot never sends them again."""
    CASES[case](outbox)
    settings = _settings(outbox)
    after = build(settings, slot_on(settings.schedules[0], date(2026, 11, 28)), durable=False)
    assert [s.slug for s in after.stories] == ["story-0002"]
    # Rebuilding the damaged slot itself puts back the story it carried.
    again = slot_on(settings.schedules[0], date(2026, 11, 27))
    rebuilt = build(settings, again, force=True, durable=False)
    assert [s.slug for s in rebuilt.stories] == ["story-0001"]
    assert read_manifest(outbox / EARLIER).stories[0].slug == "story-0001"


def test_a_damaged_manifest_of_a_later_slot_does_not_count(outbox: Path) -> None:
    settings = _settings(outbox)
    _write(MANIFEST, "{ not json")(outbox)
    before = slot_on(settings.schedules[0], date(2026, 11, 27)).utc
    assert carried(outbox, "daily", before) == set()
    assert "story-0001" in carried(outbox, "daily", before.replace(day=28))


def test_an_outbox_that_is_a_file_is_named_in_one_error(tmp_path: Path) -> None:
    (tmp_path / "outbox").write_text("not a folder")
    with pytest.raises(DigestError, match=r"outbox: cannot read the outbox \(Not a directory\)"):
        published(tmp_path / "outbox")


def _settings(outbox: Path) -> Settings:
    return load_config(outbox.parent / "config.toml")
