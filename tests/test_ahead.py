"""The helper process: what it sends is what was asked, skipped work is skipped, and any way
it can fail (its work raising, its death, no fork allowed) only leaves the work to the build.

No timings are asserted: a test waits (with a generous bound) for what the helper must send.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from support.factories import BBC_SEEDS

from digest.ahead import ENV, Ahead, wanted
from digest.models import Story
from digest.seeds import read_seed

BOUND = 10.0  # seconds a test waits at most for the helper; never a measure of speed
STORIES = [read_seed(path) for path in sorted(BBC_SEEDS.glob("*.txt"))[:6]]


def _title(story: Story, context: Any) -> str:
    return f"{context}:{story.title}"


def _sent(ahead: Ahead, stories: list[Story], context: Any) -> dict[str, Any]:
    """Wait until the helper has sent a result for every story of `stories` (or the bound)."""
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        ahead._drain()
        if all((s, context) in ahead.ready for s in stories):
            break
        time.sleep(0.01)
    return {s.slug: ahead.ready.get((s, context)) for s in stories}


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers allowed, as on any machine of two cores or more (CI's has two)."""
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert wanted()


def test_what_the_helper_sends_is_its_work_on_what_was_asked() -> None:
    with Ahead(_title) as ahead:
        assert ahead.alive
        ahead.want(STORIES, 3, "ctx")
        found = _sent(ahead, STORIES[:3], "ctx")
        assert found == {s.slug: f"ctx:{s.title}" for s in STORIES[:3]}
        assert all((s, "ctx") not in ahead.ready for s in STORIES[3:])  # never asked
        assert ahead.take(STORIES[0], "ctx") == f"ctx:{STORIES[0].title}"
        assert ahead.take(STORIES[0], "other") is None  # another context is other work


def test_with_lookahead_twice_as_many_are_asked_for() -> None:
    with Ahead(_title, lookahead=True) as ahead:
        ahead.want(STORIES, 3, 1)
        assert len(_sent(ahead, STORIES, 1)) == 6 and len(ahead.ready) == 6


def test_what_was_asked_already_is_not_asked_again() -> None:
    with Ahead(_title) as ahead:
        ahead.want(STORIES, 2, 1)
        ahead.want(STORIES, 3, 1)  # the first two again, and one more
        assert ahead._asked == {n: (s, 1) for n, s in enumerate(STORIES[:3])}


def _logged(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def test_a_story_the_build_took_is_skipped_by_the_helper(tmp_path: Path) -> None:
    go, log = tmp_path / "go", tmp_path / "done.txt"

    def work(story: Story, context: Any) -> str:
        while not go.exists():  # the first story it takes waits for the test
            time.sleep(0.01)
        with log.open("a", encoding="utf-8") as out:
            out.write(story.slug + "\n")
        return story.slug

    with Ahead(work) as ahead:
        ahead.want(STORIES, 4, None)  # worked from the last one back: 3, 2, 1, 0
        assert ahead.take(STORIES[0], None) is None  # the build does it: the helper skips it
        assert ahead.take(STORIES[1], None) is None
        go.touch()
        _sent(ahead, STORIES[2:4], None)
    assert sorted(_logged(log)) == sorted(s.slug for s in STORIES[2:4])


def test_a_story_whose_work_fails_gets_nothing_and_the_others_theirs() -> None:
    broken = STORIES[1]

    def work(story: Story, context: Any) -> str:
        if story == broken:
            raise ValueError("odd text")
        return story.slug

    with Ahead(work) as ahead:
        ahead.want(STORIES, 3, None)
        _sent(ahead, [STORIES[0], STORIES[2]], None)
        assert ahead.take(broken, None) is None
        assert ahead.take(STORIES[0], None) == STORIES[0].slug
        assert ahead.alive


def test_a_helper_that_dies_leaves_the_work_to_the_build() -> None:
    ahead = Ahead(_title)
    assert ahead._pid is not None
    os.kill(ahead._pid, 9)
    os.waitpid(ahead._pid, 0)
    ahead.want(STORIES, 3, 1)  # sent into a closed pipe, or lost: never raised
    for _ in range(3):
        assert ahead.take(STORIES[0], 1) is None
    assert not ahead.alive
    ahead.close()  # and closing again is harmless


def test_close_ends_the_helper_process() -> None:
    ahead = Ahead(_title)
    pid = ahead._pid
    assert pid is not None and Path(f"/proc/{pid}").exists()
    ahead.close()
    assert not Path(f"/proc/{pid}").exists() and not ahead.alive
    assert ahead.take(STORIES[0], 1) is None


def test_no_helper_with_digest_ahead_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "0")
    with Ahead(_title) as ahead:
        assert not ahead.alive
        ahead.want(STORIES, 3, 1)
        assert ahead.take(STORIES[0], 1) is None


def test_no_helper_on_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    with Ahead(_title) as ahead:
        assert not ahead.alive


def test_no_helper_in_a_process_with_other_threads() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Ahead(_title) as ahead:
            assert not ahead.alive  # a fork would copy this thread only
    finally:
        stop.set()
        other.join()
