"""What this process already read of a seeds folder, so that an unchanged file is not read again.

The scheduler builds slot after slot, and the preview page after page, from one folder that only
grows; reading and parsing every seed each time made a build's cost grow with the folder. A seed
is taken from here only while `stat` shows the very file it was read from unchanged: the same
device and inode, size, modification and change time (the change time moves on every write,
rename and chmod, and cannot be set back by hand). A file changed within the clock's resolution
of its read could keep all of those, so a result is kept only once its file has been still for
`SETTLED_NS`; until then it is read again each time. Symbolic links and anything but a plain file
are always read again (a link's target can change without its own `stat` moving).
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from digest.errors import SeedError
from digest.models import Story

SETTLED_NS = 2_000_000_000
Key = tuple[int, int, int, int, int]
Result = Story | SeedError


@dataclass
class SeedMemo:
    """The seeds read from one folder with one size limit: file name -> (stat key, result)."""

    entries: dict[str, tuple[Key, Result]] = field(default_factory=dict)

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
        else:
            self.entries.pop(name, None)

    def keep_only(self, names: set[str]) -> None:
        """Forget the files a listing of the folder no longer shows."""
        for name in self.entries.keys() - names:
            del self.entries[name]


_MEMOS: dict[tuple[str, int], SeedMemo] = {}


def _key(path: str) -> Key | None:
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
