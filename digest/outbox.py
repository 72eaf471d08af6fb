"""Publish a rendered batch atomically: staged, fsynced, manifest last, one rename."""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
from pathlib import Path

from digest.errors import BatchExistsError, PublishError
from digest.manifest import build_manifest, manifest_bytes
from digest.models import Rendered
from digest.outbox_swap import repair, replace

STAGING = ".staging"
log = logging.getLogger("digest.outbox")
_STAGED = re.compile(r"\.(?P<pid>\d+)-[0-9a-f]+\.(?P<kind>partial|replaced|target)$")


def batch_path(outbox: Path, folder: str) -> Path:
    """Where the batch of a slot folder (`<date>/<name>-<HHMM>`) is published."""
    return outbox / folder


def publish(
    rendered: Rendered,
    outbox: Path,
    config_hash: str,
    *,
    force: bool = False,
    durable: bool = True,
) -> Path:
    """Write `rendered` as `outbox/<date>/<slot>/`; a reader sees the whole batch or nothing.

    Refuses (BatchExistsError) when the slot is already published, unless `force` replaces it.
    `durable=False` skips fsync: only for benchmarks and throwaway outboxes.
    """
    slot = rendered.digest.slot
    target = batch_path(outbox, slot.folder)
    if target.exists() and not force:
        raise BatchExistsError(target)
    # pid and a random token: two publishers (processes or threads) never share a staging folder.
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    staging = outbox / STAGING / f"{_safe(slot.batch_id)}.{token}.partial"
    try:
        _write_batch(staging, rendered, config_hash, durable)
        target.parent.mkdir(parents=True, exist_ok=True)
        if force and target.exists():
            replace(staging, target, outbox, durable)
        else:
            _rename_exclusive(staging, target)
    except OSError as exc:
        name = errno.errorcode.get(exc.errno or 0, "error")
        raise PublishError(
            f"{target}: could not publish ({exc.strerror or exc}, {name}); nothing was "
            "published. Fix the cause (disk space, permissions) and run again."
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if durable:
        _fsync_parent(target)
    return target


def _fsync_parent(target: Path) -> None:
    """Make the rename durable; the batch is complete and visible whatever happens here."""
    try:
        _fsync_dir(target.parent)
    except OSError as exc:
        log.warning(
            "published %s, but fsync of %s failed (%s): it may not survive a power loss",
            target,
            target.parent,
            exc.strerror,
        )


def clean_stale(outbox: Path) -> list[Path]:
    """Repair what dead publishers left in staging; returns the paths it removed or restored.

    A half-written batch is removed; the old batch of a `--force` replacement stopped between its
    two renames is put back in its slot. Run at start-up by the scheduler and by every build.
    """
    staging = outbox / STAGING
    try:
        entries = sorted(staging.iterdir()) if staging.is_dir() else []
    except OSError as exc:
        log.warning("could not look for stale staging folders in %s: %s", staging, exc.strerror)
        return []
    # Markers last: a `.replaced` batch needs its marker to find its slot.
    entries.sort(key=lambda path: path.suffix == ".target")
    cleaned = []
    for path in entries:
        match = _STAGED.search(path.name)
        if match and _alive(int(match.group("pid"))):
            continue
        try:
            if match and match["kind"] == "replaced":
                repair(outbox, path)
            elif os.path.lexists(path):
                kind = _remove(path)
                log.warning(
                    "removed stale staging %s %s (a publish that did not finish)", kind, path
                )
        except OSError as exc:
            log.warning("could not clean stale staging entry %s: %s", path, exc.strerror)
            continue
        cleaned.append(path)
    return cleaned


def _remove(path: Path) -> str:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
        return "folder"
    path.unlink(missing_ok=True)
    return "file"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _safe(batch_id: str) -> str:
    return batch_id.replace(":", "").replace("@", "_")


def _write_batch(staging: Path, rendered: Rendered, config_hash: str, durable: bool) -> None:
    staging.mkdir(parents=True)
    folders = {staging}
    for file in rendered.files:
        path = staging / file.path
        if not path.resolve().is_relative_to(staging.resolve()):
            raise ValueError(f"file path {file.path!r} leaves the batch folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        folders.add(path.parent)
        _write_file(path, file.content, durable)
    manifest = manifest_bytes(build_manifest(rendered, config_hash))
    if durable:
        for folder in sorted(folders, reverse=True):
            _fsync_dir(folder)
    # The manifest last: a batch folder with a manifest is a complete one.
    _write_file(staging / "manifest.json", manifest, durable)
    if durable:
        _fsync_dir(staging)


def _write_file(path: Path, content: bytes, durable: bool = True) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rename_exclusive(staging: Path, target: Path) -> None:
    """Rename into place; a non-empty target (someone else's batch) makes rename fail."""
    try:
        os.rename(staging, target)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise BatchExistsError(target) from None
        raise
