"""Waking the preview's watcher on file-system events (watchfiles: inotify, FSEvents, ...).

The events only say when to look: what changed is still decided by the watcher's fingerprint,
which is taken again after every batch of events and on a slow tick, so an event that changes
nothing (an editor's swap file, a folder touched) bumps nothing and a lost event is found late,
never missed. Each folder whose entries the fingerprint lists is watched on its own (not
recursively), with the parent of every watched path, so a file replaced by a rename (how many
editors save) and a folder created after the start are seen; when that set of folders changes,
the watch starts again over the new set.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

TICK_MS = 1_000  # a look without any event: a filesystem that sends none, a slot that passed
STEP_MS = 3  # how long a save may stay quiet before its events are handed over
DEBOUNCE_MS = 150  # the longest a stream of events is grouped before the watcher looks


class EventsUnavailable(Exception):
    """Events cannot be used here (no watchfiles, no inotify, ...): the watcher polls instead."""


def folders(paths: Iterable[tuple[Path, int]]) -> frozenset[str]:
    """The folders to watch so that every change the fingerprint sees raises an event.

    A folder looked into (depth > 0) and its non-hidden subfolders down to its depth; the parent
    of every watched path (its creation, removal or replacement); for a path that does not exist
    yet, its nearest existing ancestor.
    """
    out: set[str] = set()
    for path, depth in paths:
        name = os.fspath(path)
        out.add(_existing(os.path.dirname(name)))
        _add(name, depth, out)
    return frozenset(out)


def _existing(name: str) -> str:
    while not os.path.isdir(name) and os.path.dirname(name) != name:
        name = os.path.dirname(name)
    return name


def _add(name: str, depth: int, out: set[str]) -> None:
    try:
        info = os.stat(name)
    except OSError:
        return
    if not stat.S_ISDIR(info.st_mode) or depth <= 0:
        return
    out.add(name)
    try:
        with os.scandir(name) as entries:
            inside = [e.path for e in entries if not e.name.startswith(".") and _is_dir(e)]
    except OSError:
        return
    for sub in inside:
        _add(sub, depth - 1, out)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class Relevant:
    """A watchfiles filter: a change to a watched path, inside one, or on the way to one.

    Hidden names below a watched folder (an editor's swap file, the outbox's staging folder)
    and other files next to config.toml (a README) are left out.
    """

    def __init__(self, paths: Iterable[tuple[Path, int]]) -> None:
        self.roots = tuple(os.fspath(path) for path, _ in paths)

    def __call__(self, change: object, path: str) -> bool:
        for root in self.roots:
            if path == root or root.startswith(path + os.sep):
                return True
            if path.startswith(root + os.sep):
                below = path[len(root) + 1 :].split(os.sep)
                return not any(part.startswith(".") for part in below)
        return False


def watch(
    paths: Callable[[], list[tuple[Path, int]]],
    look: Callable[[], None],
    stop: threading.Event,
    armed: Callable[[], None] = lambda: None,
) -> None:
    """Call `look` after every batch of relevant events and every tick, until `stop` is set.

    `paths` gives the watched paths as they are now (they move with config.toml). `armed` is
    called once the first watch stands. Raises EventsUnavailable when watchfiles is missing or
    cannot watch these folders (no inotify left, a filesystem it refuses); before `armed`, so the
    caller can poll instead.
    """
    try:
        from watchfiles import watch as watch_files
    except ImportError as error:
        raise EventsUnavailable(f"watchfiles is not installed ({error})") from None
    # It logs "1 change detected" at INFO on every save: noise in the editor's terminal.
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    first = True
    while not stop.is_set():
        now = paths()
        watched = folders(now)
        changes = watch_files(
            *sorted(watched),
            watch_filter=Relevant(now),
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=stop,
            rust_timeout=TICK_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            recursive=False,
        )
        try:
            try:
                next(changes)  # the watch stands once its first answer (or tick) comes
            except StopIteration:
                return
            except Exception as error:  # OSError, RuntimeError: what notify raises at start
                if first:
                    raise EventsUnavailable(f"cannot watch for file events: {error}") from None
                raise
            if first:
                first = False
                armed()
            look()  # what changed while the watch was being set up
            for _ in changes:
                look()
                again = paths()
                if again != now or folders(again) != watched:
                    break  # a folder came or went, or config.toml moved a path: watch anew
        finally:
            changes.close()
