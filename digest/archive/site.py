"""Writing the archive's site folder: each file whole, only when its bytes change, under a lock.

A file is staged in `<site>/.digest-staging/` (inside the site folder, so on its file system),
fsynced, renamed to its place, and its folder fsynced: a reader (a web server, rsync) sees the
old bytes or the new ones, never part of a file. No temporary file ever appears beside the
site's own files: a run that is killed leaves them in the staging folder only, which the next run
empties. Every top-level name starting with `.digest` is the archive's own (its state, its lock,
its journal, its staging); a deploy leaves them out (`rsync --exclude='/.digest-*'`).

The out folder must be a real folder (not a link, not a file), either empty or the archive's own
(holding its state or its lock), so `digest archive --out ~` never overwrites a home folder's
index.html. Folders inside it must be real folders too: no write or removal goes through a link.
Only files the archive wrote are ever removed: those its state names with their sha256, and
those a killed run was about to write (its journal, `digest.archive.journal`, appended and
fsynced before each rename), while they still hold those bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from digest.archive.journal import Journal, fsync_folder
from digest.archive.state import STATE, path_problem
from digest.errors import DigestError

log = logging.getLogger("digest.archive")
LOCK = ".digest-archive.lock"
STAGING = ".digest-staging"
LOCK_WAIT = 600.0  # seconds a run waits for another one (the scheduler's, a manual one)
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class SiteError(DigestError):
    """The site folder, or something in it, is not what the archive may write into."""


def check_path(path: str) -> str:
    """`path` when it is a site-relative file path the archive may write or remove: no empty,
    `.` or `..` part, not absolute, not in the archive's own `.digest` names (but its state)."""
    problem = path_problem(path)
    if problem is not None:
        raise SiteError(f"{path!r}: {problem}")
    return path


class Site:
    """One run's hold on a site folder: locked, staged inside, each file renamed whole.

    Use `open_site(out)`; `written`, `removed` and `unchanged` say what the run did."""

    def __init__(self, root: Path, lock_fd: int) -> None:
        self.root = root
        self._lock_fd = lock_fd
        self._journal = Journal(root)
        self._staging = root / STAGING
        self._folders: set[str] = {""}  # site-relative folders known to be real ones
        self._count = 0
        self.written: list[str] = []
        self.removed: list[str] = []
        self.unchanged = 0

    def current(self, path: str) -> bytes | None:
        """The bytes of the site file `path`; None when it is missing or not a plain file."""
        if not self._real_folder(_folder_of(check_path(path)), create=False):
            return None
        try:
            fd = os.open(self.root / path, _READ)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            with os.fdopen(os.dup(fd), "rb") as handle:
                return handle.read()
        finally:
            os.close(fd)

    def sha256(self, path: str) -> str | None:
        """The sha256 of the site file `path`, None when there is none."""
        data = self.current(path)
        return None if data is None else hashlib.sha256(data).hexdigest()

    def keep(self, path: str) -> None:
        """Count the site file `path` as unchanged: the caller knows it holds what it should."""
        check_path(path)
        self.unchanged += 1

    def put(self, path: str, data: bytes) -> bool:
        """Make the site file `path` hold `data`: False when it already does, else written whole
        (in the journal first, but the state; staged, fsynced, renamed, its folder fsynced)."""
        if self.current(path) == data:
            self.unchanged += 1
            return False
        folder = _folder_of(path)
        self._real_folder(folder, create=True)
        target = self.root / path
        if os.path.isdir(target) and not os.path.islink(target):
            raise SiteError(f"{target}: a folder stands where the archive writes a file; move it")
        if path != STATE:
            self._journal.add(path, hashlib.sha256(data).hexdigest())
        self._count += 1
        temporary = self._staging / f"{os.getpid()}-{self._count}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        fsync_folder(self.root / folder)
        self.written.append(path)
        return True

    def remove(self, path: str, *sha256: str) -> bool:
        """Remove the site file `path` when it still holds the bytes of one `sha256` (what the
        archive wrote there), and the folders that leaves empty; False (logged) otherwise."""
        check_path(path)
        found = self.sha256(path)
        if found is None:
            return False
        if found not in sha256:
            log.warning(
                "%s: changed since the archive wrote it; left in place (remove it yourself if "
                "it should go)",
                self.root / path,
            )
            return False
        os.unlink(self.root / path)
        folder = _folder_of(path)
        fsync_folder(self.root / folder)
        while folder:
            try:
                os.rmdir(self.root / folder)
            except OSError:  # not empty: kept
                break
            self._folders.discard(folder)
            folder = _folder_of(folder)
            fsync_folder(self.root / folder)
        self.removed.append(path)
        return True

    def _real_folder(self, folder: str, *, create: bool) -> bool:
        """Whether the site folder `folder` and each above it is a real folder (made when
        `create`); SiteError when a link or a file stands in the way of a write."""
        if folder in self._folders:
            return True
        parent = _folder_of(folder)
        if not self._real_folder(parent, create=create):
            return False
        path = self.root / folder
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            if not create:
                return False
            os.mkdir(path, 0o755)
            fsync_folder(self.root / parent)
            mode = stat.S_IFDIR
        if not stat.S_ISDIR(mode):
            if not create:
                return False
            what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
            raise SiteError(
                f"{path}: {what}, where the archive writes a folder of the site; nothing is "
                "written through it: move it away and run again"
            )
        self._folders.add(folder)
        return True

    def finish(self) -> None:
        """End a complete run, once its state is written: the journal goes."""
        self._journal.remove()

    def close(self) -> None:
        """Remove the (empty) staging folder and let the lock go (the journal stays, unless
        `finish` removed it: a run that did not finish leaves it for the next)."""
        self._journal.close()
        with contextlib.suppress(OSError):
            os.rmdir(self._staging)
        os.close(self._lock_fd)


@contextlib.contextmanager
def open_site(out: Path) -> Iterator[Site]:
    """Hold the site folder `out` for one run: checked (see the module), locked (waiting up to
    LOCK_WAIT for another run), its staging folder emptied of what a killed run left."""
    _check_root(out)
    fd = _lock(out)
    try:
        _clean_staging(out / STAGING)
        site = Site(out, fd)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield site
    finally:
        site.close()


def _check_root(out: Path) -> None:
    try:
        mode = os.lstat(out).st_mode
    except FileNotFoundError:
        out.mkdir(parents=True, exist_ok=True)  # or another run just made it
        return
    if stat.S_ISLNK(mode):
        raise SiteError(
            f"{out}: a symbolic link; the archive writes into a real folder only. Point "
            "[paths] site (or --out) at the folder itself"
        )
    if not stat.S_ISDIR(mode):
        raise SiteError(f"{out}: not a folder; point [paths] site (or --out) at a folder")
    names = os.listdir(out)
    if names and STATE not in names and LOCK not in names:
        raise SiteError(
            f"{out}: holds files digest archive did not write ({', '.join(sorted(names)[:3])}"
            f"{', ...' if len(names) > 3 else ''}); give the archive an empty folder of its own "
            "([paths] site or --out)"
        )


def _lock(out: Path) -> int:
    """The site's lock, held: flock on `.digest-archive.lock`, so two runs never interleave."""
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    deadline = time.monotonic() + LOCK_WAIT
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise SiteError(
                    f"{out / LOCK}: another digest archive is still building this site after "
                    f"{LOCK_WAIT:g} s; let it finish (or stop it) and run again"
                ) from None
            if not waiting:
                log.info("%s: waiting for another digest archive to finish", out)
                waiting = True
            time.sleep(0.05)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _clean_staging(staging: Path) -> None:
    """Empty (or make) the staging folder; what is in it was left by a killed run."""
    try:
        mode = os.lstat(staging).st_mode
    except FileNotFoundError:
        os.mkdir(staging, 0o700)
        return
    if not stat.S_ISDIR(mode):
        raise SiteError(
            f"{staging}: not a folder, where the archive stages its files; move it away and "
            "run again"
        )
    with os.scandir(staging) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)


def _folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""
