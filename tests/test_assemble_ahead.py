"""A catch-up on two cores (`digest.assemble.helper`) publishes, byte for byte, what one core
publishes: in every post mode, with editors' edits, with a story whose summary fails, with a
template saved between slots and with a helper that dies.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.factories import BBC_SEEDS, THEME, project

import digest.assemble
from digest import assemble
from digest.ahead import ENV, Ahead
from digest.config import Settings, load_config
from digest.models import Story
from digest.scheduler import run_once

EDITS = 'headline = "An editor wrote this headline"\n[bullets]\n1 = "An editor\'s point."\n'
CORES = len(os.sched_getaffinity(0))  # this machine's, before any test pretends otherwise
ALL = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the fourth of four slots due (07:00 UTC each)
SCHEDULE = {"name": "morning", "at": "08:00", "max_stories": 4, "catch_up": "3d 3h"}
MODES = {
    "posts and summaries": {},
    "threads": {"x": "thread", "bluesky": "thread", "mastodon": "thread", "threads": "thread"},
    "summaries": {"x": "summary", "bluesky": "summary", "linkedin": "summary"},
    "roundup": {"roundup": "true"},
}


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers allowed, as on any machine of two cores or more (CI's has two)."""
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})


def _project(folder: Path, modes: dict[str, str], own_templates: bool = False) -> Settings:
    folder.mkdir()
    project(folder, [SCHEDULE], ALL)
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    for name, mode in modes.items():
        if name == "roundup":
            text = text.replace("roundup = false", f"roundup = {mode}", 1)
            continue
        head, _, rest = text.partition(f"[platforms.{name}]\n")
        block, _, tail = rest.partition("\n[")
        block = re.sub(r'(?m)^mode = "\w+".*\n?', "", block)
        text = f'{head}[platforms.{name}]\nmode = "{mode}"\n{block}\n[{tail}'
    if own_templates:
        shutil.copytree(THEME, folder / "templates")
        text = re.sub(r'(?m)^templates = ".*"$', 'templates = "templates"', text)
    config.write_text(text, encoding="utf-8")
    for seed in sorted(BBC_SEEDS.glob("*.txt"))[:18]:
        shutil.copy(seed, folder / "seeds" / seed.name)
    settings = load_config(config)
    for name, mode in modes.items():
        assert name == "roundup" or settings.platforms.mode_of(name) == mode
    return settings


def _published(outbox: Path) -> dict[str, bytes]:
    """Every file of every batch (the outbox's own hidden files hold inode numbers and pids)."""
    return {
        path.relative_to(outbox).as_posix(): path.read_bytes()
        for path in sorted(outbox.glob("2026-*/**/*"))
        if path.is_file()
    }


def _helpers(monkeypatch: pytest.MonkeyPatch) -> list[Ahead]:
    """The helpers the scheduler starts, kept for the test to look at after they are closed."""
    started: list[Ahead] = []
    real = digest.assemble.helper

    def kept(settings: Settings, *, lookahead: bool = False) -> Ahead:
        ahead = real(settings, lookahead=lookahead)
        started.append(ahead)
        return ahead

    monkeypatch.setattr(assemble, "helper", kept)
    return started


def _both(tmp_path: Path, modes: dict[str, str]) -> tuple[Settings, Settings]:
    return _project(tmp_path / "one", modes), _project(tmp_path / "two", modes)


@pytest.mark.parametrize("modes", list(MODES.values()), ids=list(MODES))
def test_a_catch_up_on_two_cores_publishes_what_one_core_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, modes: dict[str, str]
) -> None:
    alone, shared = _both(tmp_path, modes)
    started = _helpers(monkeypatch)
    run_once(alone, NOW)
    assert started == []  # the library starts no helper unless asked
    run_once(shared, NOW, helper=True)
    one, two = _published(alone.paths.outbox), _published(shared.paths.outbox)
    assert len({tuple(name.split("/")[:2]) for name in one}) == 4  # four batches each
    assert two == one
    [ahead] = started
    assert not ahead.alive and len(ahead.ready) >= 4  # it did work that the batches took


def test_edited_stories_get_posts_of_their_edited_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, shared = _both(tmp_path, MODES["threads"])
    for settings in (alone, shared):  # stories of each slot, first and last (the helper's)
        seeds = sorted(settings.paths.seeds.glob("*.txt"))
        for seed in (seeds[0], seeds[3], seeds[5], seeds[11]):
            seed.with_name(seed.stem + ".edits.toml").write_text(EDITS, encoding="utf-8")
    started = _helpers(monkeypatch)
    run_once(alone, NOW)
    run_once(shared, NOW, helper=True)
    one, two = _published(alone.paths.outbox), _published(shared.paths.outbox)
    assert two == one
    posts = b"".join(v for k, v in two.items() if k.endswith("/social/x.txt"))
    assert posts.count(b"An editor wrote this headline") == 4
    assert started[0].ready  # the helper worked, and its unedited posts were not taken


def test_a_story_whose_summary_fails_is_left_out_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alone, shared = _both(tmp_path, {})
    broken = sorted(alone.paths.seeds.glob("*.txt"))[1].name
    real = digest.assemble.summarize

    def summarize(story: Story, max_bullets: int = 5) -> Any:
        if story.source == broken:
            raise ValueError("odd text")
        return real(story, max_bullets)

    monkeypatch.setattr(assemble, "summarize", summarize)  # before the helper is forked
    run_once(alone, NOW)
    run_once(shared, NOW, helper=True)
    one, two = _published(alone.paths.outbox), _published(shared.paths.outbox)
    assert two == one
    assert broken.encode() in b"".join(v for k, v in two.items() if k.endswith("manifest.json"))


def _save_template(settings: Settings) -> None:
    template = settings.paths.templates / "social" / "x.txt.j2"
    template.write_text("Saved: " + template.read_text(encoding="utf-8"), "utf-8")
    os.utime(template, ns=(1, 10**18))  # a new mtime, whatever the clock's grain


def _after_first_batch(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Save the X template once the first batch is rendered and checked."""
    real, done = assemble.check_rendered, []

    def checked(rendered: Any, config: Settings) -> None:
        real(rendered, config)
        if not done:
            done.append(1)
            _save_template(settings)

    monkeypatch.setattr(assemble, "check_rendered", checked)


def _after_second_ask(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Save the X template in the second batch, once its candidates were asked of the helper
    (the posts it composed for them are then of the template before)."""
    real, asked = Ahead.want, []

    def want(self: Ahead, *args: Any) -> None:
        real(self, *args)
        asked.append(1)
        if len(asked) == 2:
            _save_template(settings)

    monkeypatch.setattr(Ahead, "want", want)


@pytest.mark.parametrize("save", [_after_first_batch, _after_second_ask])
def test_a_template_saved_during_a_catch_up_reaches_every_post_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, save: Any
) -> None:
    alone = _project(tmp_path / "one", {}, own_templates=True)
    shared = _project(tmp_path / "two", {}, own_templates=True)
    with monkeypatch.context() as patch:
        _after_first_batch(patch, alone)
        run_once(alone, NOW)
    started = _helpers(monkeypatch)
    save(monkeypatch, shared)
    run_once(shared, NOW, helper=True)
    one, two = _published(alone.paths.outbox), _published(shared.paths.outbox)
    assert two == one
    x_posts = [v for k, v in sorted(two.items()) if k.endswith("/social/x.txt")]
    assert [b"Saved: " in posts for posts in x_posts] == [False, True, True, True]
    assert started[0].ready


def test_a_helper_that_dies_mid_catch_up_changes_nothing_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, shared = _both(tmp_path, MODES["threads"])
    want = Ahead.want

    def want_then_die(self: Ahead, *args: Any) -> None:
        want(self, *args)
        if self._pid is not None and len(self._asked) > 4:  # killed in the second slot
            os.kill(self._pid, 9)

    monkeypatch.setattr(Ahead, "want", want_then_die)
    run_once(alone, NOW)
    run_once(shared, NOW, helper=True)
    assert _published(shared.paths.outbox) == _published(alone.paths.outbox)


def test_digest_build_on_two_cores_writes_what_it_writes_on_one(tmp_path: Path) -> None:
    """The command itself (a process of its own, where the helper starts), with and without
    DIGEST_AHEAD=0."""
    folders = []
    for name, value in (("one", "0"), ("two", "")):
        settings = _project(tmp_path / name, MODES["threads"])
        folder = settings.paths.seeds.parent
        env = {**os.environ, ENV: value}
        command = [str(Path(sys.executable).parent / "digest"), "-v", "build"]
        done = subprocess.run(
            [*command, "--date", "2026-11-28"], cwd=folder, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert ("works ahead" in done.stderr) == (value != "0" and CORES >= 2), done.stderr
        folders.append(settings.paths.outbox)
    one, two = (_published(outbox) for outbox in folders)
    assert len(one) > 10 and two == one
