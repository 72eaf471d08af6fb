"""`outbox/.staging/`: where publishers write, and how what dead ones left behind is cleaned.

Every entry a publisher makes is named `<batch id>.<pid>-<token>.<kind>`: first the `.lock`, an
flock it holds for as long as it writes, then `.partial` (the batch being written) and, for a
`--force` without an atomic exchange, `.replaced` and `.target` (see digest.outbox.swap). Cleaning
takes a base name's lock without waiting: taken, its publisher is gone (whatever process its pid
names now) and its entries are removed or repaired; refused, a publisher is at work. Nothing of
any other name is ever removed, and `.staging` itself must be a real folder, never a link.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
import stat
from pathlib import Path

from digest.errors import PublishError
from digest.outbox.swap import repair

STAGING = ".staging"
log = logging.getLogger("digest.outbox")
_ENTRY = re.compile(
    r"^(?P<base>[a-z0-9][a-z0-9-]*_\d+-\d{2}-\d{2}T\d{6}Z\.\d+-[0-9a-f]{8})"
    r"\.(?P<kind>partial|replaced|target|lock)$"
)
# A `.replaced` batch needs its `.target` marker to find its slot; the lock goes last of all.
_ORDER = {"partial": 0, "replaced": 1, "target": 2, "lock": 3}


class StagingError(PublishError):
    """Something other than a real folder stands at `outbox/.staging`."""


def find_staging(outbox: Path) -> Path | None:
    """`outbox/.staging` when it is a real folder, None when there is nothing there.

    StagingError when a symbolic link, a file or anything else stands there: cleaning through a
    link would empty whatever folder it points to.
    """
    root = outbox / STAGING
    try:
        mode = os.lstat(root).st_mode
    except (FileNotFoundError, NotADirectoryError):  # no outbox folder yet, or a file there
        return None
    if stat.S_ISDIR(mode):
        return root
    what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
    what = "a regular file" if stat.S_ISREG(mode) else what
    raise StagingError(
        f"{root}: {what}, where digest stages its batches in a folder of its own; nothing was "
        "published and nothing there was removed. Check what it is, move it away (digest makes "
        "the folder anew) and run again"
    )


def make_staging(outbox: Path) -> Path:
    """`outbox/.staging`, made when missing; StagingError when it is not a real folder."""
    outbox.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(outbox / STAGING)
    root = find_staging(outbox)
    if root is None:  # removed by someone in between
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(outbox / STAGING))
    return root


def hold(root: Path, base: str) -> int:
    """Take the lock of the staging entries named `base`; it is held until `release`."""
    path = root / f"{base}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # only a cleaner can hold it, and only for a moment
            if _same_file(fd, path):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # a cleaner took this file for a dead one's and removed it: lock a new one


def release(root: Path, base: str, fd: int) -> None:
    """Remove the lock of `base`, then let go of it; the publisher's other entries are gone."""
    with contextlib.suppress(OSError):
        os.unlink(root / f"{base}.lock")
    os.close(fd)


def clean_stale(outbox: Path) -> list[Path]:
    """Repair what dead publishers left in staging; returns the paths it removed or restored.

    A half-written batch is removed; the old batch of a `--force` replacement stopped between its
    two renames is put back in its slot. Anything not named like a publisher's entry is left
    alone with a warning. Run at start-up by the scheduler and by every build.
    """
    try:
        root = find_staging(outbox)
        if root is None:
            return []
        names = sorted(os.listdir(root))
    except OSError as exc:
        where = outbox / STAGING
        log.warning("could not look for stale staging folders in %s: %s", where, exc.strerror)
        return []
    groups: dict[str, list[str]] = {}
    for name in names:
        match = _ENTRY.match(name)
        if match is None:
            log.warning(
                "%s: left alone, not named like digest's own staging (<batch id>.<pid>-<token>"
                ".partial and the like); remove it yourself if nothing needs it",
                root / name,
            )
        else:
            groups.setdefault(match["base"], []).append(match["kind"])
    cleaned: list[Path] = []
    for base, kinds in groups.items():
        cleaned += _clean(outbox, root, base, kinds)
    return cleaned


def _clean(outbox: Path, root: Path, base: str, kinds: list[str]) -> list[Path]:
    """The entries of one publisher, removed or repaired when it is gone; [] while it runs."""
    lock = root / f"{base}.lock"
    gone, fd = _owner_gone(lock)
    if not gone:
        return []
    cleaned = []
    try:
        for kind in sorted(kinds, key=_ORDER.__getitem__):
            path = root / f"{base}.{kind}"
            if kind == "lock" and fd is not None and not _same_file(fd, lock):
                continue  # its owner finished and removed it meanwhile
            try:
                if kind == "replaced":
                    repair(outbox, path)
                elif os.path.lexists(path):
                    shown = _remove(path)
                    if kind != "lock":
                        log.warning(
                            "removed stale staging %s %s (a publish that did not finish)",
                            shown,
                            path,
                        )
                else:
                    continue
            except OSError as exc:
                log.warning("could not clean stale staging entry %s: %s", path, exc.strerror)
                continue
            cleaned.append(path)
    finally:
        if fd is not None:
            os.close(fd)
    return cleaned


def _owner_gone(lock: Path) -> tuple[bool, int | None]:
    """Whether the publisher of `lock` is gone, and the lock, now ours, when there is one."""
    try:
        # Non-blocking: a FIFO named like a lock must not hang the clean-up.
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        # Missing: publishers lock before they make anything, so no lock means no publisher.
        # A link or worse: no publisher holds it either.
        return True, None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held (EWOULDBLOCK): a live publisher
        os.close(fd)
        return False, None
    return True, fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def _remove(path: Path) -> str:
    """Remove `path` itself, never what a link there points to."""
    if stat.S_ISDIR(os.lstat(path).st_mode):
        shutil.rmtree(path)
        return "folder"
    path.unlink(missing_ok=True)
    return "file"
