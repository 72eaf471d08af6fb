"""What this process already read of a seeds folder, so that an unchanged file is not read again.

The scheduler builds slot after slot, and the preview page after page, from one folder that only
grows; reading and parsing every seed each time made a build's cost grow with the folder. A seed
is taken from here only while `stat` shows the very file it was read from unchanged: the same
device and inode, size, modification and change time (the change time moves on every write,
rename and chmod, and cannot be set back by hand). A file changed within the clock's resolution
of its read could keep all of those, so a result is kept only once its file has been still for
`SETTLED_NS`; until then it is read again each time. Symbolic links and anything but a plain file
are always read again (a link's target can change without its own `stat` moving).

A build also keeps the memo in the outbox (`INDEX`, see `load` and `save`), so that the next
process (`digest schedule --once` from cron, `digest build`) starts from it instead of reading
every seed ever written. The index is only a cache: an entry counts only under the same stat key,
a damaged or foreign index is ignored and rewritten, and nothing is lost when it cannot be
written. Whoever can write the outbox's hidden files could forge an entry, as they could replace
a published batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from digest.errors import SeedError
from digest.models import Story

log = logging.getLogger("digest.seeds")
SETTLED_NS = 2_000_000_000
INDEX = ".seeds-index.json"  # in the outbox, beside the journal
MAX_INDEX = 1 << 30
Key = tuple[int, int, int, int, int]
Result = Story | SeedError


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    story: Story | None = None
    error: tuple[str, int, str] | None = None  # a SeedError's path, line and reason


class _Index(BaseModel):
    """What `INDEX` holds: the memo of one seeds folder read with one size limit."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    folder: str
    max_bytes: int
    entries: dict[str, _Entry]


@dataclass
class SeedMemo:
    """The seeds read from one folder with one size limit: file name -> (stat key, result)."""

    entries: dict[str, tuple[Key, Result]] = field(default_factory=dict)
    changed: bool = False  # since it was loaded or saved
    loaded: bool = False

    @classmethod
    def of(cls, folder: Path, max_bytes: int) -> SeedMemo:
        """The memo of `folder` read with `max_bytes`."""
        return _MEMOS.setdefault((os.path.abspath(folder), max_bytes), cls())

    def lookup(self, path: str) -> tuple[Key | None, Result | None]:
        """The stat key of the file at `path` (None unless a plain file), taken before it is
        read, and what it read as when it is still the same settled file as then."""
        key = _key(path)
        known = self.entries.get(os.path.basename(path))
        if key is None or known is None or known[0] != key:
            return key, None
        return key, known[1]

    def remember(self, path: str, key: Key | None, result: Result) -> None:
        """Keep what the file at `path` read as, under the key `lookup` took before reading,
        once that file has settled."""
        name = os.path.basename(path)
        if key is not None and time.time_ns() - max(key[3], key[4]) > SETTLED_NS:
            self.entries[name] = (key, result)
            self.changed = True
        elif self.entries.pop(name, None) is not None:
            self.changed = True

    def keep_only(self, names: set[str]) -> None:
        """Forget the files a listing of the folder no longer shows."""
        for name in self.entries.keys() - names:
            del self.entries[name]
            self.changed = True

    def load(self, index: Path, folder: Path, max_bytes: int) -> None:
        """Start from the index file `index` once per process, when it is the memo of `folder`
        and `max_bytes`; any problem with it only means starting empty."""
        if self.loaded:
            return
        self.loaded = True
        try:
            with open(index, "rb") as handle:
                data = handle.read(MAX_INDEX + 1)
            saved = _Index.model_validate_json(data) if len(data) <= MAX_INDEX else None
        except FileNotFoundError:
            return
        except (OSError, ValueError, ValidationError) as exc:
            log.debug("%s: not used (%s); it is rewritten", index, exc)
            return
        if saved is None or (saved.folder, saved.max_bytes) != (_name(folder), max_bytes):
            return
        for name, entry in saved.entries.items():
            result: Result | None = entry.story and _as_read(entry.story)
            if entry.error is not None:
                result = SeedError(*entry.error)
            if result is not None and name not in self.entries:
                self.entries[name] = (entry.key, result)

    def save(self, index: Path, folder: Path, max_bytes: int) -> None:
        """Write the memo to `index` when it changed: whole (a temporary file renamed over it)
        or not at all; only into an outbox folder that exists."""
        if not self.changed or not index.parent.is_dir():
            return
        entries = {
            name: _Entry(key=key, story=result)
            if isinstance(result, Story)
            else _Entry(key=key, error=(str(result.path), result.line, result.reason))
            for name, (key, result) in sorted(self.entries.items())
        }
        data = _Index(folder=_name(folder), max_bytes=max_bytes, entries=entries)
        _remove_left_behind(index)
        temporary = index.with_name(f".{index.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            temporary.write_bytes(data.model_dump_json().encode())
            os.replace(temporary, index)
        except OSError as exc:
            log.debug("%s: not written (%s); the next process reads the seeds", index, exc)
            with contextlib.suppress(OSError):
                temporary.unlink()
            return
        self.changed = False


_MEMOS: dict[tuple[str, int], SeedMemo] = {}


def _remove_left_behind(index: Path) -> None:
    """Remove the temporary index files of processes that were killed while writing one."""
    prefix = f".{index.name}."
    try:
        names = [n for n in os.listdir(index.parent) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(index.parent / name)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def _as_read(story: Story) -> Story:
    """`story` as reading its seed made it: a time's zone as the `datetime.timezone` of its
    offset (JSON brings it back as pydantic's own kind, which names itself otherwise)."""
    when = story.date
    if not isinstance(when, dt.datetime) or when.tzinfo is None:
        return story
    offset = when.utcoffset()
    zone = dt.UTC if not offset else dt.timezone(offset)
    return story.model_copy(update={"date": when.replace(tzinfo=zone)})


def _name(folder: Path) -> str:
    return os.fsencode(os.path.abspath(folder)).decode("utf-8", "backslashreplace")


def _key(path: str) -> Key | None:
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
