"""Which folders the preview's event watch covers, which events count, and the watch loop."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from digest.preview.events import EventsUnavailable, Relevant, folders, watch

BOUND = 10.0  # seconds a test waits at most; never a measure of speed


def tree(root: Path) -> list[tuple[Path, int]]:
    for name in ("seeds", "templates/email/parts", "outbox/2026-11-28/morning-0800", "outbox/.s"):
        (root / name).mkdir(parents=True)
    (root / "config.toml").write_text("")
    (root / "seeds" / "a.txt").write_text("")
    return [
        (root / "config.toml", 0),
        (root / "seeds", 1),
        (root / "templates", 8),
        (root / "outbox", 2),
        (root / "later" / "deeper" / "seeds", 1),
    ]


def test_the_folders_whose_entries_count_and_the_parents(tmp_path: Path) -> None:
    paths = tree(tmp_path)
    names = {os.path.relpath(name, tmp_path) for name in folders(paths)}
    # The slot folder's entries and the hidden staging folder do not count; a missing path is
    # watched from its nearest existing ancestor (the project root here).
    assert names == {
        ".",
        "seeds",
        "templates",
        "templates/email",
        "templates/email/parts",
        "outbox",
        "outbox/2026-11-28",
    }
    (tmp_path / "later").mkdir()
    assert str(tmp_path / "later") in folders(paths)


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("config.toml", True),
        ("README.md", False),  # beside config.toml
        (".config.toml.swp", False),
        ("seeds", True),
        ("seeds/a.txt", True),
        ("seeds/.a.txt.swp", False),
        ("seeds/4913", True),  # vim's probe file: an event, and the fingerprint decides
        ("outbox/.staging-x/manifest.json", False),
        ("outbox/2026-11-28/morning-0800", True),
        ("later", True),  # on the way to a watched path that does not exist yet
        ("later/deeper", True),
        ("later/other", False),
        ("elsewhere/seeds", False),
    ],
)
def test_which_events_count(tmp_path: Path, name: str, counts: bool) -> None:
    relevant = Relevant(tree(tmp_path))
    assert relevant(None, str(tmp_path / name)) is counts


def test_the_watch_looks_on_a_change_and_ends_on_stop(tmp_path: Path) -> None:
    paths = tree(tmp_path)
    stop, armed, looked = threading.Event(), threading.Event(), threading.Event()
    thread = threading.Thread(target=watch, args=(lambda: paths, looked.set, stop, armed.set))
    thread.start()
    try:
        assert armed.wait(BOUND)
        looked.clear()
        (tmp_path / "seeds" / "b.txt").write_text("a new seed")
        assert looked.wait(BOUND)
    finally:
        stop.set()
        thread.join(BOUND)
    assert not thread.is_alive()


def test_a_watch_that_cannot_start_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import watchfiles

    def refused(*paths: object, **options: object) -> object:
        raise RuntimeError("Error creating watcher: Too many open files (os error 24)")
        yield set()

    monkeypatch.setattr(watchfiles, "watch", refused)
    with pytest.raises(EventsUnavailable, match="cannot watch for file events: Error creating"):
        watch(lambda: tree(tmp_path), lambda: None, threading.Event())
