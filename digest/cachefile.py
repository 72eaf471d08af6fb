"""Files a process keeps for the next one, such as the seeds index and the carried index: read
only when they are this user's own plain files, written whole or not at all.

They are caches: a file that cannot be read or written is logged and left, never an error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def own_file_bytes(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a plain file of this user that no one else may write, of at most
    `limit` bytes; OSError or ValueError otherwise (a link, a FIFO, a device or another's file is
    not read)."""
    fd = os.open(path, _OPEN)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise ValueError("not a plain file of this user")
        if info.st_mode & 0o022 or info.st_size > limit:
            raise ValueError("others may write it, or it is too large")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def write_whole(path: Path, data: bytes, log: logging.Logger, otherwise: str) -> bool:
    """Write `data` to `path` whole or not at all: a temporary file only this user may read,
    renamed over it. False (logged with `otherwise`, what happens instead) when it cannot be."""
    remove_left_behind(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        log.debug("%s: not written (%s); %s", path, exc, otherwise)
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    return True


def remove_left_behind(path: Path) -> None:
    """Remove the temporary files of processes that were killed while writing `path`."""
    prefix = f".{path.name}."
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)


def folder_name(folder: Path) -> str:
    """The absolute name of `folder` as a cache file records it (any bytes kept, as escapes)."""
    return os.fsencode(os.path.abspath(folder)).decode("utf-8", "backslashreplace")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True
