"""The preview's watcher thread: file events (watchfiles) or polling, the same generations.

No timings are asserted: each test waits (with a generous bound) for what the watcher must do.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.feeds import FeedServer, serve_fixture
from support.preview import EXAMPLE_SLUG, NOW, make_project, running

from digest.config import load_config
from digest.preview.watcher import MIN_POLL_SECONDS, POLL_ENV, Live, wants_events

BOUND = 10.0  # seconds a test waits at most for the watcher; never a measure of speed
SEED = "000_5d8e33db419e59d4.txt"
MODES = {True: "events", False: "polling"}


@pytest.fixture(params=[True, False], ids=["events", "polling"])
def events(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def started(config: Path, events: bool | None) -> Live:
    live = Live(config, clock=lambda: NOW, interval=0.05, events=events)
    live.start()
    assert live.ready.wait(BOUND)
    return live


@pytest.fixture
def watching(tmp_path: Path, events: bool) -> Iterator[Live]:
    config = make_project(tmp_path, own_templates=True)
    (tmp_path / "outbox").mkdir(exist_ok=True)
    live = started(config, events)
    assert live.mode == MODES[events]
    try:
        yield live
    finally:
        live.stop()


def shows(live: Live, check: Callable[[], bool]) -> bool:
    """Wait, generation by generation, until `check` holds for the current Site."""
    generation = live.generation
    for _ in range(100):
        if check():
            return True
        new = live.wait(generation, BOUND)
        if new == generation:
            return check()
        generation = new
    return False


def looks(live: Live) -> list[bool]:
    """Record what each of the watcher's looks found; wait for one with `looked.wait()`."""
    found: list[bool] = []
    poll = live.poll

    def counted() -> bool:
        changed = poll()
        found.append(changed)
        looked.set()
        return changed

    looked = threading.Event()
    live.poll = counted  # type: ignore[method-assign]
    live.looked = looked  # type: ignore[attr-defined]
    return found


def test_saving_a_seed_bumps_the_generation(watching: Live, tmp_path: Path) -> None:
    seed = tmp_path / "seeds" / SEED
    seed.write_text(seed.read_text(encoding="utf-8").replace("Bukele", "Nayib Bukele"))
    assert watching.wait(0, BOUND) >= 1
    # write_text truncates first: a look between the truncation and the write sees an empty seed
    # (the story left out with an error), and the next look sees the whole file
    assert shows(watching, lambda: "Nayib" in _title(watching, EXAMPLE_SLUG))


def _title(live: Live, slug: str) -> str:
    story = live.site()[0].stories.get(slug)
    return story.title if story is not None else ""


def test_saving_a_template_bumps_the_generation(watching: Live, tmp_path: Path) -> None:
    template = next((tmp_path / "templates").rglob("*.j2"))
    template.write_text(template.read_text(encoding="utf-8") + "\n{# edited #}\n")
    assert watching.wait(0, BOUND) >= 1


def test_saving_config_bumps_the_generation(watching: Live, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    edited = config.read_text(encoding="utf-8").replace("max_stories = 3", "max_stories = 2")
    assert edited != config.read_text(encoding="utf-8")
    staged = tmp_path / ".config.toml.tmp"  # saved as many editors do: a new file renamed over
    staged.write_text(edited, encoding="utf-8")
    os.replace(staged, config)
    assert watching.wait(0, BOUND) >= 1
    assert shows(watching, lambda: watching.site()[0].plans[0].schedule.max_stories == 2)


def test_a_hidden_file_or_a_file_beside_config_bumps_nothing(
    watching: Live, tmp_path: Path
) -> None:
    found = looks(watching)
    (tmp_path / "seeds" / f".{SEED}.swp").write_text("an editor's swap file")
    (tmp_path / "outbox" / ".staging-1").mkdir()
    (tmp_path / "notes.txt").write_text("not a seed")
    os.chmod(tmp_path / "seeds" / SEED, 0o644)  # an event whose fingerprint is the same
    for _ in range(2):  # two looks after the writes: an event batch or a tick
        watching.looked.clear()  # type: ignore[attr-defined]
        assert watching.looked.wait(BOUND)  # type: ignore[attr-defined]
    assert watching.generation == 0 and not any(found)


def test_a_folder_created_after_the_start_is_watched(tmp_path: Path, events: bool) -> None:
    config = make_project(tmp_path)
    seeds = tmp_path / "seeds"
    kept = tmp_path / "kept"
    shutil.move(seeds, kept)
    live = started(config, events)
    try:
        assert live.site()[0].stories == {}
        seeds.mkdir()
        assert live.wait(0, BOUND) >= 1  # the folder itself
        shutil.copy(kept / SEED, seeds / SEED)  # then a seed inside it
        assert shows(live, lambda: EXAMPLE_SLUG in live.site()[0].stories)
        day = tmp_path / "outbox" / "2026-11-28"  # two levels down the outbox
        day.mkdir(parents=True)
        generation = live.generation
        (day / "morning-0800").mkdir()
        assert live.wait(generation, BOUND) > generation
    finally:
        live.stop()


def test_polling_when_watchfiles_cannot_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import watchfiles

    def refused(*paths: object, **options: object) -> Iterator[set[object]]:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")
        yield set()

    monkeypatch.setattr(watchfiles, "watch", refused)
    _polls_and_sees_a_new_seed(tmp_path)


def test_polling_when_watchfiles_is_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # import watchfiles: ImportError
    _polls_and_sees_a_new_seed(tmp_path)


def _polls_and_sees_a_new_seed(tmp_path: Path) -> None:
    live = started(make_project(tmp_path), None)
    try:
        assert live.mode == "polling"
        (tmp_path / "seeds" / "new.txt").write_text("New story\n\nIt happened today.\n")
        assert live.wait(0, BOUND) >= 1
    finally:
        live.stop()


@pytest.mark.parametrize(
    ("value", "wanted"),
    [(None, True), ("", True), ("0", True), ("no", True), ("1", False), ("yes", False)],
)
def test_digest_preview_poll_asks_for_polling(
    value: str | None, wanted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv(POLL_ENV, raising=False)
    else:
        monkeypatch.setenv(POLL_ENV, value)
    assert wants_events() is wanted


def test_the_environment_picks_polling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(POLL_ENV, "1")
    live = started(make_project(tmp_path), None)
    live.stop()
    assert live.mode == "polling"


def test_no_watcher_thread_is_left_after_the_server_stops(tmp_path: Path, events: bool) -> None:
    before = set(threading.enumerate())
    with running(make_project(tmp_path), events=events) as server:
        assert server.live.ready.wait(BOUND) and server.live.mode == MODES[events]
        assert any(t.name == "preview-watcher" for t in threading.enumerate())
    assert set(threading.enumerate()) <= before
    assert server.live.wait(0, BOUND) == 0  # stopped: a waiting client is let go


def test_a_seeds_folder_that_config_moves_to_is_watched(tmp_path: Path, events: bool) -> None:
    config = make_project(tmp_path)
    live = started(config, events)
    try:
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('seeds = "seeds"', 'seeds = "drafts"'), encoding="utf-8")
        assert shows(live, lambda: live.site()[0].seeds_dir == tmp_path / "drafts")
        (tmp_path / "drafts").mkdir()
        shutil.copy(tmp_path / "seeds" / SEED, tmp_path / "drafts" / SEED)
        assert shows(live, lambda: EXAMPLE_SLUG in live.site()[0].stories)
    finally:
        live.stop()


def test_the_polling_fallback_looks_often_while_looking_is_cheap(tmp_path: Path) -> None:
    """Every MIN_POLL_SECONDS while a look takes under POLL_SHARE of that; never past
    `interval`, however long a look takes; never sooner than `interval` when that is shorter."""
    live = Live(make_project(tmp_path), clock=lambda: NOW, interval=0.2, events=False)
    assert live.poll() is False  # the look measures its cost
    for cost, pause in [(0.0, MIN_POLL_SECONDS), (0.001, MIN_POLL_SECONDS), (0.004, 0.08)]:
        live._cost = cost
        assert live.pause() == pytest.approx(pause)
    live._cost = 5.0
    assert live.pause() == 0.2
    live.interval = 0.01
    assert live.pause() == 0.01
    live.stop()


feed_server = serve_fixture()


def test_a_fetch_that_writes_no_seed_still_updates_the_sources_panel(
    tmp_path: Path, events: bool, feed_server: FeedServer
) -> None:
    from digest.sources import fetch_sources

    config = make_project(tmp_path)
    feed_server.route("/broken", status=500)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text + f'[[sources]]\nname = "broken"\nurl = "{feed_server.url("/broken")}"\n',
        encoding="utf-8",
    )
    live = started(config, events)
    try:
        assert live.site()[0].sources[0].status == "never fetched"
        fetch_sources(load_config(config), now=NOW)  # fails: only the hidden state changes
        assert shows(live, lambda: live.site()[0].sources[0].status == "failed")
    finally:
        live.stop()
