"""`--force`: put a new batch where one is published so that a kill at any instant leaves one.

On Linux the two folders are swapped with one `renameat2(RENAME_EXCHANGE)`: the slot holds the old
batch until the swap and the new one after it, and the old one, now under the staging folder's
`.partial` name, is removed like any stale staging folder. Elsewhere (or on a file system without
the flag) the old batch is moved aside to `<id>.<token>.replaced` and the new one moved in; a
`<id>.<token>.target` marker, written before the first rename, names the slot, so that start-up
puts a `.replaced` batch back when a kill came between the two renames.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import logging
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from digest.outbox.manifest import holds_batch

log = logging.getLogger("digest.outbox")
AT_FDCWD = -100
RENAME_EXCHANGE = 2
# What a marker may name: a slot folder of the outbox, `<date>/<schedule>-<HHMM>`.
_SLOT_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}/[a-z0-9][a-z0-9-]*-\d{4}$")
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # no such libc function on this system
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing folders in one atomic step; False when this system cannot."""
    function = _renameat2()
    if function is None:
        return False
    a, b = os.fsencode(first), os.fsencode(second)
    if function(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), os.fspath(first), None, os.fspath(second))


def replace(
    staging: Path, target: Path, outbox: Path, durable: bool, carry: Callable[[Path], None]
) -> None:
    """Publish the batch in `staging` at `target` in place of the batch published there.

    `carry(old)` runs once the new batch is in place, while the old one still exists.
    """
    if exchange(staging, target):
        carry(staging)
        return  # `staging` now holds the old batch; the publisher (or start-up) removes it
    old, marker = staging.with_suffix(".replaced"), staging.with_suffix(".target")
    _write_marker(marker, target.relative_to(outbox).as_posix(), durable)
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)  # put the published batch back: a failed --force loses nothing
        marker.unlink()
        raise
    carry(old)
    shutil.rmtree(old, ignore_errors=True)  # what is left, start-up removes
    marker.unlink()  # last: until the old batch is gone, the marker says where it belongs


def _write_marker(path: Path, folder: str, durable: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, folder.encode() + b"\n")
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    if durable:
        _fsync_folder(path.parent)


def _fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def repair(outbox: Path, replaced: Path) -> str:
    """A dead publisher's `.replaced` batch: put it back if its slot is empty, else remove it."""
    marker = replaced.with_suffix(".target")
    target = _marked_target(outbox, marker)
    if target is not None and not os.path.lexists(target) and holds_batch(replaced):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(replaced, target)
        _fsync_folder(target.parent)
        log.warning(
            "restored %s from %s: a --force replacement was stopped half way", target, replaced
        )
        outcome = "restored"
    else:
        _discard(replaced)
        log.warning("removed %s: the batch a finished --force replacement left behind", replaced)
        outcome = "removed"
    marker.unlink(missing_ok=True)
    return outcome


def _discard(path: Path) -> None:
    """Remove `path` itself: a folder with what it holds, a link or file alone, never its target."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _marked_target(outbox: Path, marker: Path) -> Path | None:
    try:
        folder = marker.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return outbox / folder if _SLOT_FOLDER.match(folder) else None
