"""A story that fails alone is left out, with file:line: reason, and the rest is published."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import factories
from support.factories import example_story, project, slot, write_seed

import digest.assemble
from digest import assemble
from digest.config import Settings
from digest.errors import DigestError, EmailCheckError
from digest.models import Story, Summary
from digest.pipeline import build
from digest.render.email import checks as email_checks
from digest.render.email.checks import Email

ALL = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")


def _project(tmp_path: Path, max_stories: int = 3, seeds: int = 3) -> Settings:
    schedule = {"name": "morning", "at": "08:00", "max_stories": max_stories, "catch_up": "7d"}
    config = project(tmp_path, [schedule], ALL)
    for number in range(1, seeds + 1):
        write_seed(tmp_path / "seeds", number)
    return config


def _manifest(batch: Path | None) -> dict[str, object]:
    assert batch is not None
    result: dict[str, object] = json.loads((batch / "manifest.json").read_text("utf-8"))
    return result


def _sources(batch: Path | None) -> list[str]:
    return [str(s["source"]) for s in _manifest(batch)["stories"]]  # type: ignore[attr-defined]


def _fail_check_for(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """An extra email check that fails whenever `marker` is in the email's text."""

    def marked(mail: Email, settings: Settings) -> list[str]:
        return [f"holds {marker!r}"] if marker in mail.text else []

    monkeypatch.setitem(email_checks.CHECKS, "test-marker", marked)


def test_a_story_whose_email_fails_a_check_is_left_out_and_the_rest_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    _fail_check_for(monkeypatch, "Town 2")
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0001.txt", "story-0003.txt"]
    [error] = result.rejected
    assert (error.path.name, error.line) == ("story-0002.txt", 1)
    assert "test-marker" in error.reason and "left out" in error.reason
    rejected = _manifest(result.batch)["rejected"]
    assert rejected == [{"file": "story-0002.txt", "line": 1, "reason": error.reason}]


def test_the_next_unsent_story_takes_the_place_of_one_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, max_stories=2, seeds=4)
    _fail_check_for(monkeypatch, "Town 1")
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0002.txt", "story-0003.txt"]
    assert [e.path.name for e in result.rejected] == ["story-0001.txt"]


def test_a_story_whose_summary_raises_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    real = digest.assemble.summarize

    def flaky(story: Story, max_bullets: int = 5):  # type: ignore[no-untyped-def]
        if story.slug == "story-0003":
            raise IndexError("list index out of range")
        return real(story, max_bullets)

    monkeypatch.setattr(digest.assemble, "summarize", flaky)
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0001.txt", "story-0002.txt"]
    [error] = result.rejected
    assert error.path.name == "story-0003.txt"
    assert "its summary failed (IndexError: list index out of range)" in error.reason


def _inventing(monkeypatch: pytest.MonkeyPatch, slug: str, bullet: str) -> None:
    """A summarizer that adds `bullet`, which no seed says, to the summary of story `slug`."""
    real = digest.assemble.summarize

    def inventing(story: Story, max_bullets: int = 5) -> Summary:
        summary = real(story, max_bullets)
        if story.slug != slug:
            return summary
        return summary.model_copy(update={"bullets": (*summary.bullets[:-1], bullet)})

    monkeypatch.setattr(digest.assemble, "summarize", inventing)


def test_a_story_whose_summary_invents_a_name_is_left_out_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    _inventing(monkeypatch, "story-0002", "The mayor, Zorblax, said so.")
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0001.txt", "story-0003.txt"]
    [error] = result.rejected
    assert (error.path.name, error.line) == ("story-0002.txt", 1)
    assert "its summary shows what the seed does not say" in error.reason
    assert "bullet: name 'Zorblax' is not in the seed" in error.reason
    rejected = _manifest(result.batch)["rejected"]
    assert rejected == [{"file": "story-0002.txt", "line": 1, "reason": error.reason}]


def test_a_story_whose_summary_invents_a_number_gives_its_place_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, max_stories=2, seeds=3)
    _inventing(monkeypatch, "story-0001", "It will cost 4,500 pounds.")
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0002.txt", "story-0003.txt"]
    [error] = result.rejected
    assert error.path.name == "story-0001.txt"
    assert "bullet: number '4,500' is not in the seed" in error.reason


def test_every_summary_ungrounded_stops_the_batch_with_the_reasons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, seeds=1)
    _inventing(monkeypatch, "story-0001", "Zorblax paid 99 pounds.")
    with pytest.raises(DigestError, match=r"every story was left out \(1 rejected\)"):
        build(config, slot(), durable=False)
    assert not (tmp_path / "outbox" / "2026-11-28").exists()


def test_the_summaries_of_the_example_and_bbc_seeds_are_grounded(tmp_path: Path) -> None:
    import shutil

    from support.factories import BBC_SEEDS, EXAMPLE_SEED

    config = _project(tmp_path, max_stories=5, seeds=0)
    shutil.copy(EXAMPLE_SEED, tmp_path / "seeds")
    for path in sorted(BBC_SEEDS.iterdir())[:4]:
        shutil.copy(path, tmp_path / "seeds")
    result = build(config, slot(), durable=False)
    assert result.rejected == () and len(result.stories) == 5


def test_a_story_whose_posts_cannot_be_rendered_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest.render import social

    config = _project(tmp_path)
    real = social.compose_posts

    def broken(entry, name, digest_, settings, *rest):  # type: ignore[no-untyped-def]
        if entry.story.slug == "story-0001" and name == "bluesky":
            raise KeyError("facet")
        return real(entry, name, digest_, settings, *rest)

    monkeypatch.setattr(social, "compose_posts", broken)
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0002.txt", "story-0003.txt"]
    assert "it cannot be rendered (KeyError: 'facet')" in result.rejected[0].reason


def test_a_left_out_story_does_not_block_the_slots_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, max_stories=5, seeds=2)
    _fail_check_for(monkeypatch, "Town 1")
    days = [slot(when=f"2026-11-{day}T08:00") for day in (28, 29, 30)]
    first = build(config, days[0], durable=False)
    assert _sources(first.batch) == ["story-0002.txt"]
    write_seed(tmp_path / "seeds", 3)
    second = build(config, days[1], durable=False)
    assert _sources(second.batch) == ["story-0003.txt"]
    assert [e.path.name for e in second.rejected] == ["story-0001.txt"]
    # Nothing new and the bad story alone: nothing to publish, and the check that says why.
    with pytest.raises(DigestError, match="check 'test-marker' failed"):
        build(config, days[2], durable=False)


def test_a_check_every_story_fails_stops_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    _fail_check_for(monkeypatch, "council")
    with pytest.raises(DigestError, match="nothing was published: check 'test-marker' failed"):
        build(config, slot(), durable=False)
    assert not (tmp_path / "outbox" / "2026-11-28").exists()


def _crowded(monkeypatch: pytest.MonkeyPatch, most: int) -> None:
    """An extra email check that fails when the email holds more than `most` stories."""

    def crowded(mail: Email, settings: Settings) -> list[str]:
        towns = set(re.findall(r"Town \d+", mail.text))
        return [f"too big with {len(towns)} stories"] if len(towns) > most else []

    monkeypatch.setitem(email_checks.CHECKS, "test-size", crowded)


def test_stories_that_pass_alone_but_not_together_wait_for_the_next_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, max_stories=3, seeds=4)
    _crowded(monkeypatch, most=2)
    first = build(config, slot(when="2026-11-28T08:00"), durable=False)
    assert _sources(first.batch) == ["story-0001.txt", "story-0002.txt"]
    assert [s.source for s in first.deferred] == ["story-0003.txt"]
    assert first.rejected == () and "too big with 3 stories" in first.deferred_why
    second = build(config, slot(when="2026-11-29T08:00"), durable=False)
    assert _sources(second.batch) == ["story-0003.txt", "story-0004.txt"]
    assert second.deferred == ()


def test_a_story_too_big_for_any_batch_is_the_batch_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path)
    _crowded(monkeypatch, most=0)
    failed = r"nothing was published: check 'test-size' failed: too big"
    with pytest.raises(EmailCheckError, match=failed):
        build(config, slot(), durable=False)
    assert not (tmp_path / "outbox" / "2026-11-28").exists()


def test_any_number_of_failing_stories_ahead_of_a_good_one_leaves_it_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, max_stories=1, seeds=40)
    _fail_check_for(monkeypatch, "park")  # every seed but the last says "park"
    last = tmp_path / "seeds" / "story-0040.txt"
    last.write_text(last.read_text("utf-8").replace("park", "pier"), encoding="utf-8")
    result = build(config, slot(), durable=False)
    assert _sources(result.batch) == ["story-0040.txt"]
    assert len(result.rejected) == 39


def test_the_cli_lists_a_left_out_story_as_file_line_reason_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    _project(tmp_path)
    _fail_check_for(monkeypatch, "Town 2")
    code = main(
        ["build", "--config", str(tmp_path / "config.toml"), "--slot", "morning@2026-11-28"]
    )
    out = capsys.readouterr()
    assert code == 2, out.err
    assert "story-0002.txt:1: left out of the batch: its email fails the check 'test-marker'" in (
        out.err
    )
    assert "2 stories, 1 seeds rejected" in out.out


def test_the_cli_names_a_story_put_off_to_the_next_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    _project(tmp_path)
    _crowded(monkeypatch, most=2)
    code = main(
        ["build", "--config", str(tmp_path / "config.toml"), "--slot", "morning@2026-11-28"]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "story-0003.txt: put off to the next slot" in out.err and "too big" in out.err
    assert "2 stories, 0 seeds rejected" in out.out


def test_a_story_met_again_is_not_summarized_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview re-renders after every save: the stories that did not change keep their
    summaries; a changed story (another Story) is summarized afresh."""
    calls: list[str] = []
    real = assemble.summarize

    def counting(story: Story, max_bullets: int = 5) -> Summary:
        calls.append(story.slug)
        return real(story, max_bullets)

    monkeypatch.setattr(assemble, "summarize", counting)
    story = example_story()
    settings = factories.settings()
    first = assemble._entry(story, settings, [])
    again = assemble._entry(story, settings, [])
    assert first == again and calls == [story.slug]
    changed = story.model_copy(update={"title": "Another title"})
    assemble._entry(changed, settings, [])
    assert calls == [story.slug, story.slug]
