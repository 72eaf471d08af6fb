"""Which batches the outbox holds: `published`, with what this process listed of its folders
kept while their `lstat` shows them unchanged (so a build's cost hardly grows with history)."""

from __future__ import annotations

import logging
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from digest.errors import DigestError

log = logging.getLogger("digest.outbox")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # a date folder's name
BATCH_FOLDER = re.compile(r"^(?P<schedule>[a-z0-9][a-z0-9-]*)-(?P<at>\d{4})$")  # a batch's


@dataclass(frozen=True)
class Batch:
    """A published batch folder and what its name says."""

    path: Path
    day: str
    schedule: str
    at: str


def published(outbox: Path, schedule: str | None = None) -> list[Batch]:
    """Every published batch (see `digest.outbox.is_published`: each date folder a real one,
    each batch `holds_batch`), oldest first; odd entries are skipped with a warning.

    A folder this process listed before is not listed again while `lstat` shows it unchanged
    (see `_Outbox`), so a build's cost hardly grows with the history: one `lstat` of each date
    folder and of each batch's manifest, which is looked at every time.
    """
    return [batch for batch, _, _ in found_batches(outbox, schedule)]


DirKey = tuple[int, int, int, int, int]
SETTLED_NS = 2_000_000_000


@dataclass(frozen=True)
class _Listed:
    """An entry of a date folder as its listing showed it: a batch's folder when `batch` and
    `folder` (then a batch when its manifest is there), else why it is none."""

    shown: Path  # as warnings name it
    batch: Batch | None  # named like a batch
    folder: bool  # a real folder (not a link), so its manifest.json may make it a batch
    name: str  # "<day>/<folder>", as the carried index names it
    manifest: str


@dataclass
class _Outbox:
    """What this process last listed of one outbox (as its callers spell it): its date folders'
    names, and each date folder's entries, each under the stat key of the folder listed.

    A folder's modification and change times move whenever an entry is added to it, removed or
    renamed (the change time cannot be set back), so a folder whose `lstat` still shows the key
    it was listed under holds the same entries: it is not listed again. A key is trusted only
    once its folder has been still for `SETTLED_NS` (two changes within one tick of the file
    system's clock may leave the same times); the inode and link count are in it too (a batch
    folder added or removed changes its date folder's links). What lies inside a batch folder
    is no entry of its date folder: each batch's manifest is looked at (`lstat`) on every call.
    """

    days: tuple[DirKey, tuple[tuple[str, str], ...]] | None = None  # one attribute: threads
    folders: dict[str, tuple[DirKey, tuple[_Listed, ...]]] = field(default_factory=dict)


_OUTBOXES: dict[str, _Outbox] = {}


def found_batches(outbox: Path, schedule: str | None) -> list[tuple[Batch, str, os.stat_result]]:
    """`published`, each batch with its name in the carried index and its manifest's `lstat`
    (taken in this call, when it was found to hold a manifest)."""
    known = _OUTBOXES.setdefault(os.fspath(outbox), _Outbox())
    out = []
    for day, folder in _days(outbox, known):
        for entry in _day_listing(outbox, day, folder, known):
            batch = entry.batch
            if batch is None:
                log.warning("%s: skipped, not named like a batch (<schedule>-<HHMM>)", entry.shown)
            elif schedule and batch.schedule != schedule:
                continue
            elif not entry.folder:
                log.warning("%s: skipped, not a folder", entry.shown)
            elif (info := _manifest_info(entry.manifest)) is not None:
                out.append((batch, entry.name, info))
            else:
                log.warning("%s: skipped, no manifest.json, so not a published batch", entry.shown)
    return out


def _manifest_info(manifest: str) -> os.stat_result | None:
    """The `lstat` of a batch's manifest.json when it marks a batch (`holds_batch`: a plain
    file, or a link to one), else None."""
    try:
        info = os.lstat(manifest)
    except OSError:
        return None
    if stat.S_ISREG(info.st_mode) or (stat.S_ISLNK(info.st_mode) and os.path.isfile(manifest)):
        return info
    return None


def _days(outbox: Path, known: _Outbox) -> tuple[tuple[str, str], ...]:
    """The outbox's date folders, sorted, each as its name and path; listed again only when
    the outbox changed."""
    key, cached = _folder_key(os.stat, outbox), known.days
    if key is not None and cached is not None and cached[0] == key:
        return cached[1]
    try:
        names = os.listdir(outbox)
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise DigestError(
            f"{outbox}: cannot read the outbox ({exc.strerror}); it must be a readable folder "
            "(set [paths] outbox in config.toml or pass --outbox)"
        ) from None
    days = tuple((n, os.path.join(outbox, n)) for n in sorted(names) if DAY.match(n))
    for gone in known.folders.keys() - {day for day, _ in days}:
        known.folders.pop(gone, None)
    known.days = (key, days) if key is not None and _settled(key) else None
    return days


def _day_listing(outbox: Path, day: str, folder: str, known: _Outbox) -> tuple[_Listed, ...]:
    """The entries of the date folder `day` (at `folder`), sorted by name; none (with a
    warning) when it is a link or no folder. Listed again only when it changed."""
    key = _folder_key(os.lstat, folder)
    if key is None and os.path.islink(folder):
        log.warning(
            "%s: skipped, a symbolic link; batches are published in real date folders of "
            "the outbox only",
            outbox / day,
        )
        return ()
    cached = known.folders.get(day)
    if key is not None and cached is not None and cached[0] == key:
        return cached[1]
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        log.warning("%s: skipped, not a folder of batches (%s)", outbox / day, exc.strerror)
        return ()
    listed = tuple(_listed(outbox, day, entry) for entry in entries)
    if key is not None and _settled(key):
        known.folders[day] = (key, listed)
    else:
        known.folders.pop(day, None)
    return listed


def _listed(outbox: Path, day: str, entry: os.DirEntry[str]) -> _Listed:
    shown = outbox / day / entry.name
    match = BATCH_FOLDER.match(entry.name)
    batch = Batch(shown, day, match["schedule"], match["at"]) if match else None
    folder = not entry.is_symlink() and entry.is_dir(follow_symlinks=False)
    manifest = os.path.join(entry.path, "manifest.json")
    return _Listed(shown, batch, folder, f"{day}/{entry.name}", manifest)


def _folder_key(look: Callable[[str | Path], os.stat_result], folder: str | Path) -> DirKey | None:
    """The stat key of `folder` when `look` (os.stat or os.lstat) shows a folder, else None."""
    try:
        info = look(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_nlink, info.st_mtime_ns, info.st_ctime_ns)


def _settled(key: DirKey) -> bool:
    """Whether the folder of `key` has been still long enough for its times to tell a change."""
    return time.time_ns() - max(key[3:]) > SETTLED_NS
