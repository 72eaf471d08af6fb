"""What this process already read of a seeds folder, so that an unchanged file is not read again.

The scheduler builds slot after slot, and the preview page after page, from one folder that only
grows; reading and parsing every seed each time made a build's cost grow with the folder. A seed
is taken from here only while `stat` shows the very file it was read from unchanged: the same
device and inode, size, modification and change time (the change time moves on every write,
rename and chmod, and cannot be set back by hand). A file changed within the clock's resolution
of its read could keep all of those, so a result is kept only once its file has been still for
`SETTLED_NS`; until then it is read again each time. Symbolic links and anything but a plain file
are always read again (a link's target can change without its own `stat` moving).

A build also keeps the memo in the seeds folder itself (`INDEX`, a hidden file, see `load` and
`save`), so that the next process (`digest schedule --once` from cron, `digest build`) starts
from it instead of reading every seed ever written. It lives there, not in the outbox, because
whoever can write the seeds folder can already say what the stories are; the outbox is written
by consumers too (their claims). The index is only a cache: it is used only when it is a plain
file of this user that no one else may write, an entry counts only under its file's current
stat key and only when it names that file as reading it would, and a damaged or foreign index is
ignored and rewritten. Nothing is lost when it cannot be written.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from digest.cachefile import folder_name, own_file_bytes, write_whole
from digest.errors import SeedError
from digest.models import Story
from digest.seeds.files import printable

log = logging.getLogger("digest.seeds")
SETTLED_NS = 2_000_000_000
INDEX = ".digest-index.json"  # in the seeds folder (hidden: never read as a seed)
MAX_INDEX = 256 << 20
Key = tuple[int, int, int, int, int]
Result = Story | SeedError
Known = Story | tuple[int, str]  # a story, or a seed error's line and reason


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    story: Story | None = None
    error: tuple[int, str] | None = None  # a SeedError's line and reason (its path is the file)


class _Index(BaseModel):
    """What `INDEX` holds: the memo of one seeds folder read with one size limit."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    folder: str
    max_bytes: int
    entries: dict[str, _Entry]


@dataclass
class SeedMemo:
    """The seeds read from one folder with one size limit: file name -> (stat key, result)."""

    entries: dict[str, tuple[Key, Known]] = field(default_factory=dict)
    errors: dict[str, SeedError] = field(default_factory=dict)  # by path: each built once
    changed: bool = False  # since it was loaded or saved
    loaded: bool = False

    @classmethod
    def of(cls, folder: Path, max_bytes: int) -> SeedMemo:
        """The memo of `folder` read with `max_bytes`."""
        return _MEMOS.setdefault((os.path.abspath(folder), max_bytes), cls())

    def lookup(self, name: str, key: Key | None, where: str) -> Result | None:
        """What the file `name` read as, when its stat key is still `key` (`key_at`, taken
        before it is read) and that is a settled plain file's; `where` is the folder as the
        caller spells it, ending with a separator (a kept error names the file so). It is the
        very object kept: a `SeedError` is built once per path."""
        known = self.entries.get(name)
        if key is None or known is None or known[0] != key:
            return None
        if isinstance(known[1], Story):
            return known[1]
        return self._error(where + name, known[1])

    def _error(self, path: str, known: tuple[int, str]) -> SeedError:
        """The `SeedError` of the file at `path`, as kept, built once per spelling of it."""
        built = self.errors.get(path)
        if built is None or (built.line, built.reason) != known:
            built = SeedError(printable(path), *known)
            self.errors[path] = built
        return built

    def remember(self, path: str, key: Key | None, result: Result) -> None:
        """Keep what the file at `path` read as, under the key `lookup` took before reading,
        once that file has settled."""
        name = os.path.basename(path)
        known: Known | None = result if isinstance(result, Story) else None
        if isinstance(result, SeedError) and str(result.path) == printable(path):
            known = (result.line, result.reason)  # an error about another path is not kept
        if known is not None and key is not None and time.time_ns() - max(key[3:]) > SETTLED_NS:
            self.entries[name] = (key, known)
            self.changed = True
        elif self.entries.pop(name, None) is not None:
            self.changed = True

    def keep_only(self, names: set[str]) -> None:
        """Forget the files a listing of the folder no longer shows."""
        for name in self.entries.keys() - names:  # pop: the preview reads from several threads
            self.entries.pop(name, None)
            self.changed = True
        for path in list(self.errors):  # a copy first: another thread may add one meanwhile
            if os.path.basename(path) not in names:
                self.errors.pop(path, None)

    def load(
        self, index: Path, folder: Path, max_bytes: int, accept: Callable[[str, Story], bool]
    ) -> None:
        """Start from the index file `index` once per process, when it is the memo of `folder`
        and `max_bytes`, taking the stories `accept` finds to be what their file names would
        read as; any problem with it only means starting empty."""
        if self.loaded:
            return
        self.loaded = True
        try:
            saved = _Index.model_validate_json(own_file_bytes(index, MAX_INDEX))
        except FileNotFoundError:
            return
        except (OSError, ValueError, ValidationError) as exc:
            log.debug("%s: not used (%s); it is rewritten", index, exc)
            return
        if (saved.folder, saved.max_bytes) != (folder_name(folder), max_bytes):
            return
        for name, entry in saved.entries.items():
            known: Known | None = entry.error
            if entry.story is not None and accept(name, entry.story):
                known = _as_read(entry.story)
            if known is not None and name not in self.entries:
                self.entries[name] = (entry.key, known)

    def save(self, index: Path, folder: Path, max_bytes: int) -> None:
        """Write the memo to `index` when it changed: whole (a temporary file, this user's only,
        renamed over it) or not at all."""
        if not self.changed:
            return
        entries = {
            name: _Entry(key=key, story=known)
            if isinstance(known, Story)
            else _Entry(key=key, error=known)
            for name, (key, known) in sorted(self.entries.items())
        }
        data = _Index(folder=folder_name(folder), max_bytes=max_bytes, entries=entries)
        written = write_whole(
            index, data.model_dump_json().encode(), log, "the next process reads the seeds"
        )
        if not written:
            return
        self.changed = False


_MEMOS: dict[tuple[str, int], SeedMemo] = {}


def _as_read(story: Story) -> Story:
    """`story` as reading its seed made it: a time's zone as the `datetime.timezone` of its
    offset (JSON brings it back as pydantic's own kind, which names itself otherwise)."""
    when = story.date
    if not isinstance(when, dt.datetime) or when.tzinfo is None:
        return story
    offset = when.utcoffset()
    zone = dt.UTC if not offset else dt.timezone(offset)
    return story.model_copy(update={"date": when.replace(tzinfo=zone)})


def key_at(folder: int, name: str) -> Key | None:
    """The stat key of the file `name` in the folder open as `folder` (its `lstat`, one system
    call with no path to walk), or None unless it is a plain file."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
