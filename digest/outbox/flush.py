"""One `syncfs` for the files of a batch, where it is as strong as an fsync of each.

Linux's `syncfs(fd)` writes back every dirty file of the file system holding `fd` and commits
its journal once, where an fsync per file commits once per file: under load on a shared disk,
tens of commits per batch against one. Since Linux 5.8 it reports a writeback error of that file
system that happened after `fd` was opened (the superblock's errseq), as fsync does for a file;
before that it reported none, so it is used only from 5.8 on (elsewhere publishing fsyncs each
file). The caller opens `fd` before it writes the files, so no error of theirs goes unseen.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import sys
from collections.abc import Callable

# A system call filter (seccomp) answers ENOSYS or EPERM for a call it does not allow.
_UNSUPPORTED = {errno.ENOSYS, errno.EPERM}


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux") or _kernel() < (5, 8):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError, TypeError):  # no such libc function on this system
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def _kernel() -> tuple[int, int]:
    """The running Linux kernel's (major, minor); (0, 0) when it cannot be read."""
    numbers = os.uname().release.split("-", 1)[0].split(".")
    try:
        return int(numbers[0]), int(numbers[1])
    except (IndexError, ValueError):
        return 0, 0


def available() -> bool:
    """Whether this system has a `syncfs` that reports write errors (Linux 5.8 and later)."""
    return _syncfs() is not None


def sync_filesystem(fd: int) -> bool:
    """Make every file written on `fd`'s file system since `fd` was opened durable.

    False when this system has no such call that reports errors, or refuses it (the caller then
    fsyncs each file); an OSError when the file system reports a failed write.
    """
    function = _syncfs()
    if function is None:
        return False
    if function(fd) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code))
