"""The pipeline's pieces that build, the preview and validate share: gather, unsent, prepare."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import project, slot, write_seed

from digest.errors import DigestError
from digest.pipeline import build, gather, prepare, unsent, validate


def _front(seeds: Path, number: int, front: str) -> None:
    path = write_seed(seeds, number)
    path.write_text(f"+++\n{front}\n+++\n" + path.read_text("utf-8"), encoding="utf-8")


def test_gather_keeps_the_first_story_of_a_slug_and_names_the_other(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "morning", "at": "08:00"}])
    seeds = tmp_path / "seeds"
    write_seed(seeds, 1)
    (seeds / "story_0001.md").write_text("# Another story\n\nIt happened.\n", encoding="utf-8")
    (seeds / "empty.txt").write_bytes(b"")
    stories, errors = gather(seeds, settings)
    assert [s.source for s in stories] == ["story-0001.txt"]
    assert [(e.path.name, e.line) for e in errors] == [("empty.txt", 1), ("story_0001.md", 1)]
    assert "same slug as story-0001.txt; rename one of the two files" in errors[1].reason


def test_gather_without_settings_reads_with_the_default_limit(tmp_path: Path) -> None:
    write_seed(tmp_path, 1)
    stories, errors = gather(tmp_path, None)
    assert [s.slug for s in stories] == ["story-0001"] and errors == []


def test_gather_names_a_missing_seeds_folder_and_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match=r"nowhere: no such seeds folder; pass --seeds DIR"):
        gather(tmp_path / "nowhere", None)


def test_unsent_orders_by_priority_then_newest_then_file_name(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "morning", "at": "08:00"}])
    seeds = tmp_path / "seeds"
    _front(seeds, 1, "date = 2026-01-01")
    _front(seeds, 2, "date = 2026-01-03")
    _front(seeds, 3, "priority = 5\ndate = 2025-01-01")
    write_seed(seeds, 4)  # no date: after every dated story
    write_seed(seeds, 5)
    stories, _ = gather(seeds, settings)
    order = [s.slug[-1] for s in unsent(stories, tmp_path / "outbox", slot())]
    assert order == ["3", "2", "1", "4", "5"]


def test_unsent_leaves_out_what_an_earlier_batch_carried(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "morning", "at": "08:00", "max_stories": 2}])
    for number in (1, 2, 3):
        write_seed(tmp_path / "seeds", number)
    build(settings, slot(when="2026-11-28T08:00"), durable=False)
    stories, _ = gather(tmp_path / "seeds", settings)
    later = unsent(stories, tmp_path / "outbox", slot(when="2026-11-29T08:00"))
    assert [s.slug for s in later] == ["story-0003"]
    # The slot itself, rebuilt (--force), does not count its own batch as earlier.
    again = unsent(stories, tmp_path / "outbox", slot(when="2026-11-28T08:00"))
    assert len(again) == 3


def test_prepare_is_the_batch_build_publishes(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "morning", "at": "08:00", "max_stories": 2}])
    for number in (1, 2, 3):
        write_seed(tmp_path / "seeds", number)
    stories, errors = gather(tmp_path / "seeds", settings)
    prepared = prepare(settings, slot(), stories, errors, tmp_path / "outbox")
    assert prepared is not None
    result = build(settings, slot(), durable=False)
    assert result.batch is not None
    chosen = tuple(entry.story for entry in prepared.rendered.digest.entries)
    assert chosen == result.stories
    for file in prepared.rendered.files:
        if file.path != "manifest.json":
            assert (result.batch / file.path).read_bytes() == file.content, file.path


def test_prepare_is_none_when_every_story_was_carried(tmp_path: Path) -> None:
    settings = project(tmp_path, [{"name": "morning", "at": "08:00"}])
    write_seed(tmp_path / "seeds", 1)
    build(settings, slot(when="2026-11-28T08:00"), durable=False)
    stories, errors = gather(tmp_path / "seeds", settings)
    later = slot(when="2026-11-29T08:00")
    assert prepare(settings, later, stories, errors, tmp_path / "outbox") is None
    assert build(settings, later, durable=False).batch is None


def test_validate_counts_config_problems_and_every_rejected_seed(tmp_path: Path) -> None:
    project(tmp_path, [{"name": "morning", "at": "08:00"}])
    config = tmp_path / "config.toml"
    write_seed(tmp_path / "seeds", 1)
    assert validate(config).problems == 0
    (tmp_path / "seeds" / "empty.txt").write_bytes(b"")
    (tmp_path / "seeds" / "story_0001.md").write_text("# Again\n\nSame slug.\n", encoding="utf-8")
    config.write_text(config.read_text().replace('at = "08:00"', 'at = "8"'), encoding="utf-8")
    result = validate(config)
    assert result.config_error is not None and result.missing is None
    assert [s.source for s in result.stories] == ["story-0001.txt"]
    assert [e.path.name for e in result.errors] == ["empty.txt", "story_0001.md"]
    assert result.problems == len(result.config_error.problems) + 2


def test_validate_names_a_missing_seeds_folder(tmp_path: Path) -> None:
    project(tmp_path, [{"name": "morning", "at": "08:00"}])
    result = validate(tmp_path / "config.toml", tmp_path / "nowhere")
    assert result.missing is not None and "nowhere: no such seeds folder" in str(result.missing)
    assert result.config_error is None and result.stories == ()
