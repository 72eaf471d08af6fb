"""What a run is about to write (`.digest-archive.journal` in the site folder), so that a run
killed before its state knows no file it wrote.

The state (`digest.archive.state`) is written last: a run killed before that leaves files the
state does not name, which no later run would ever remove (after `per_page` shrinks, say, the
index pages past the new last one). So before each file is renamed into place, its path and
the sha256 of the bytes it is about to hold are appended here and fsynced. A later run counts
them as the archive's, as it does the files its state names; a complete run writes its state,
then removes the journal.

One JSON array a line: `["page/6/index.html", "<sha256>"]`. A line that is not one (the last
line of a machine that lost power while writing it), or names a path the archive never writes,
is left out: a cache again, never trusted over the files.
"""

from __future__ import annotations

import errno
import logging
import os
import re
from pathlib import Path

import orjson

from digest.archive.state import STATE, State, path_problem
from digest.cachefile import own_file_bytes

log = logging.getLogger("digest.archive")
JOURNAL = ".digest-archive.journal"
MAX_JOURNAL = 64 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_APPEND = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


def read_journal(out: Path) -> dict[str, frozenset[str]]:
    """Each site path the journal in `out` names, with the sha256s it was about to hold;
    empty when there is none (or it cannot be believed: logged)."""
    path = out / JOURNAL
    try:
        data = own_file_bytes(path, MAX_JOURNAL)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning(
            "%s: not the archive's journal (%s); files a killed run wrote may stay",
            path,
            getattr(exc, "strerror", None) or exc,
        )
        return {}
    found: dict[str, set[str]] = {}
    for line in data.splitlines():
        entry = _entry(line)
        if entry is not None:
            found.setdefault(entry[0], set()).add(entry[1])
    return {name: frozenset(shas) for name, shas in found.items()}


def owned(state: State, journal: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Every site file the archive wrote, by what the state and the journal say: its path and
    the sha256s of the bytes it may hold (a file holding other bytes is someone else's)."""
    found = {name: {sha} for name, sha in state.files.items()}
    for name, shas in journal.items():
        found.setdefault(name, set()).update(shas)
    return {name: frozenset(shas) for name, shas in found.items()}


def _entry(line: bytes) -> tuple[str, str] | None:
    try:
        value = orjson.loads(line)
    except ValueError:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        return None
    name, sha = value
    if name == STATE or path_problem(name) is not None or not _SHA256.match(sha):
        return None
    return name, sha


class Journal:
    """The journal of one run, opened (and made, its folder fsynced) at the first `add`."""

    def __init__(self, root: Path) -> None:
        self._path = root / JOURNAL
        self._fd: int | None = None

    def add(self, path: str, sha256: str) -> None:
        """Record, durably, that the site file `path` is about to hold the bytes of `sha256`."""
        fd = self._open()
        os.write(fd, orjson.dumps([path, sha256]) + b"\n")
        os.fsync(fd)

    def remove(self) -> None:
        """Remove the journal: the state now names every file the archive holds."""
        self.close()
        try:
            os.unlink(self._path)
        except FileNotFoundError:
            return
        fsync_folder(self._path.parent)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            made = not os.path.lexists(self._path)
            fd = os.open(self._path, _APPEND, 0o644)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":  # a line cut short by a crash
                os.write(fd, b"\n")
            if made:
                fsync_folder(self._path.parent)
            self._fd = fd
        return self._fd


def fsync_folder(folder: Path) -> None:
    """Make the entries of `folder` (a file renamed, made or removed in it) durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # a file system without folder fsync
            raise
    finally:
        os.close(fd)
