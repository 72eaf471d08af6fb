"""Checking a published batch against its manifest, never following a symbolic link."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from digest.outbox.manifest import FileRecord, Manifest

CLAIMS = "claims"
_CHUNK = 1 << 20


def verify_files(batch: Path, manifest: Manifest) -> list[str]:
    """Every problem of `batch`: missing, linked or altered files, and anything not listed."""
    if os.path.islink(batch):
        return [f"{batch}: the batch folder is a symbolic link; batches hold real folders only"]
    if os.path.islink(batch.parent):
        return [
            f"{batch.parent}: the date folder is a symbolic link, so this is no batch of the "
            "outbox; batches are published in real folders only"
        ]
    problems = [p for record in manifest.files if (p := _check_record(batch, record))]
    listed = {record.path for record in manifest.files} | {"manifest.json"}
    folders = {parent for path in listed for parent in _parents(path)}
    for rel, mode in _entries(batch):
        if rel in listed or (rel in folders and stat.S_ISDIR(mode)):
            continue  # checked above, as a listed file or the folder of one
        if stat.S_ISLNK(mode):
            problems.append(f"{rel}: a symbolic link; a batch holds regular files only")
        elif rel == CLAIMS:
            if not stat.S_ISDIR(mode):
                problems.append(f"{rel}: not a folder; consumers record their claims in it")
        elif not stat.S_ISREG(mode):
            problems.append(f"{rel}: not a regular file or folder")
        elif not rel.startswith(f"{CLAIMS}/"):
            problems.append(f"{rel}: not listed in the manifest")
    return problems


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def _entries(batch: Path, prefix: str = "") -> list[tuple[str, int]]:
    """Every entry under `batch` with its lstat mode; symbolic links are listed, not entered."""
    out = []
    with os.scandir(batch) as listing:
        for entry in sorted(listing, key=lambda e: e.name):
            rel = f"{prefix}{entry.name}"
            mode = entry.stat(follow_symlinks=False).st_mode
            out.append((rel, mode))
            if stat.S_ISDIR(mode) and rel != CLAIMS:
                out += _entries(Path(entry.path), f"{rel}/")
    return out


def _check_record(batch: Path, record: FileRecord) -> str | None:
    """What is wrong with one listed file, or None."""
    try:
        fd = open_inside(batch, record.path)
    except FileNotFoundError:
        return f"{record.path}: missing"
    except OSError as exc:
        return f"{record.path}: {exc.strerror}"
    try:
        digest, size = hashlib.sha256(), 0
        # One byte more than the manifest says is enough to know the size is wrong.
        while size <= record.bytes and (chunk := os.read(fd, _CHUNK)):
            digest.update(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size != record.bytes or digest.hexdigest() != record.sha256:
        return f"{record.path}: content does not match its sha256 in the manifest"
    return None


def open_inside(batch: Path, rel: str) -> int:
    """A read-only fd of the regular file `rel` in `batch`, reached through no symbolic link.

    OSError (with a strerror saying what is wrong) when a part of the path is missing, a link,
    or not a folder, or when the file is not a regular file.
    """
    parts = rel.split("/")
    fd = os.open(batch, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, part in enumerate(parts):
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
            if depth < len(parts) - 1:
                flags |= os.O_DIRECTORY
            _refuse_links(fd, "/".join(parts[: depth + 1]), part, depth < len(parts) - 1)
            following = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = following
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _refuse_links(parent: int, shown: str, name: str, folder: bool) -> None:
    """Name what stands at `name` when it is a symbolic link or a file where a folder must be."""
    try:
        mode = os.lstat(name, dir_fd=parent).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(2, f"{shown} is missing") from None
    if stat.S_ISLNK(mode):
        raise OSError(0, f"{shown} is a symbolic link; a batch holds regular files only")
    if folder and not stat.S_ISDIR(mode):
        raise FileNotFoundError(2, f"{shown} is not a folder")
