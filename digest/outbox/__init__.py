"""Publish a rendered batch atomically: staged, fsynced, manifest last, one rename."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

from digest.errors import BatchExistsError, PublishError
from digest.models import Rendered, RenderedFile
from digest.outbox import flush
from digest.outbox.manifest import Manifest, build_manifest, holds_batch, manifest_bytes
from digest.outbox.staging import hold, make_staging, release
from digest.outbox.swap import replace
from digest.outbox.verify import CLAIMS

log = logging.getLogger("digest.outbox")
# A claim record is one short JSON line; anything far bigger is not one.
_MAX_CLAIM = 64 << 10


def batch_path(outbox: Path, folder: str) -> Path:
    """Where the batch of a slot folder (`<date>/<name>-<HHMM>`) is published."""
    return outbox / folder


def is_published(outbox: Path, folder: str) -> bool:
    """Whether the slot folder (`<date>/<name>-<HHMM>`) holds a published batch.

    The one answer for the build, the scheduler, the preview and the outbox's list: a batch is
    published by one rename of a staged folder whose manifest was written last, so the slot is
    published exactly when a real folder with a manifest.json stands there (`holds_batch`).
    Anything else there (an empty folder, a file, a link) is no batch; `refuse_taken` (which a
    build asks before rendering, and `publish` again) refuses to put one over it. `PublishError`
    when the date folder is a link or a file, where nothing may be published.
    """
    target = batch_path(outbox, folder)
    _day_folder(target.parent, create=False)
    return holds_batch(target)


def publish(
    rendered: Rendered,
    outbox: Path,
    config_hash: str,
    *,
    force: bool = False,
    durable: bool = True,
) -> Path:
    """Write `rendered` as `outbox/<date>/<slot>/`; a reader sees the whole batch or nothing.

    Refuses (BatchExistsError) when the slot is already published, unless `force` replaces it;
    the replacement keeps the consumers' `claims/` of the batch it replaces. Refuses
    (PublishError) when something that is no batch stands at the slot, unless `force` replaces it.
    `durable=False` skips fsync: only for benchmarks and throwaway outboxes.
    """
    for file in rendered.files:  # refused before the manifest, whose model refuses it too
        _refuse_leaving(os.sep + "batch", file.path)
    manifest = build_manifest(rendered, config_hash)
    folder = rendered.digest.slot.folder
    return place(rendered.files, manifest, outbox, folder, force=force, durable=durable)


def place(
    files: Sequence[RenderedFile],
    manifest: Manifest,
    outbox: Path,
    folder: str,
    *,
    area: Path | None = None,
    force: bool = False,
    durable: bool = True,
) -> Path:
    """Write `files`, then `manifest`, as the batch `<area>/<folder>/` with one rename.

    `area` is the outbox itself (the default: publishing) or the folder beside the batches where
    batches wait for approval (`outbox/.pending`, see digest.outbox.pending); either way the batch
    is staged in `outbox/.staging`, on the same file system. The refusals are `publish`'s.
    """
    root = outbox if area is None else area
    target = batch_path(root, folder)
    # pid and a random token: two publishers (processes or threads) never share a staging folder.
    base = f"{_safe(manifest.batch_id)}.{os.getpid()}-{secrets.token_hex(4)}"
    try:
        _day_folder(target.parent, create=False)
        if not force:
            refuse_taken(root, folder)
        staging_root = make_staging(outbox)
        lock = hold(staging_root, base)
    except OSError as exc:
        raise _failed(target, exc) from exc
    staging = staging_root / f"{base}.partial"
    try:
        _write_batch(staging, files, manifest_bytes(manifest), durable)
        _day_folder(target.parent, create=True)
        if force and target.exists():
            _carry_claims(target, staging, durable)
            replace(staging, target, outbox, durable, lambda old: _carry_late(old, target))
        else:
            _rename_exclusive(staging, target)
    except OSError as exc:
        raise _failed(target, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        release(staging_root, base, lock)
    if durable:
        _fsync_parent(target)
    return target


def refuse_taken(outbox: Path, folder: str) -> None:
    """BatchExistsError when the slot is published; PublishError when anything else is there.

    `build` asks before it reads a seed, and `publish` again before it writes (a race)."""
    target = batch_path(outbox, folder)
    if is_published(outbox, folder):
        raise BatchExistsError(target)
    if os.path.lexists(target):
        if target.is_symlink():
            what = "a symbolic link"
        elif target.is_dir():
            what = "a folder without manifest.json"
        else:
            what = "a file"
        raise PublishError(
            f"{target}: {what}, not a published batch, stands where the batch of this slot "
            "belongs; nothing was published. Move it away and run again (or build with --force "
            "to put the batch in its place)"
        )


def _failed(target: Path, exc: OSError) -> PublishError:
    name = errno.errorcode.get(exc.errno or 0, "error")
    return PublishError(
        f"{target}: could not publish ({exc.strerror or exc}, {name}); nothing was "
        "published. Fix the cause (disk space, permissions) and run again."
    )


def _day_folder(day: Path, *, create: bool) -> None:
    """Refuse a date folder that is not a real folder: a link there would publish elsewhere."""
    if create:
        with contextlib.suppress(FileExistsError):
            day.mkdir()
    try:
        mode = os.lstat(day).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
        raise PublishError(
            f"{day}: {what}, where the batches of that date belong; nothing was published. "
            "Batches are published in a real folder only: move it away and run again"
        )


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


def _safe(batch_id: str) -> str:
    return batch_id.replace(":", "").replace("@", "_")


def _write_batch(
    staging: Path, files: Sequence[RenderedFile], manifest: bytes, durable: bool
) -> None:
    """Every file of the batch written and made durable, then the manifest, then its folder.

    Where `syncfs` reports errors, the files are written first and made durable by one call for
    them all (see digest.outbox.flush); elsewhere each is fsynced as it is written.
    """
    staging.mkdir()
    together = durable and flush.available()
    # Opened before any file is written: `syncfs` reports every failed write since then.
    fd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY) if together else None
    try:
        paths, folders = _write_files(staging, files, durable and not together)
        if fd is not None and not flush.sync_filesystem(fd):
            _fsync_files(paths)
    finally:
        if fd is not None:
            os.close(fd)
    if durable:
        for folder in sorted(folders, reverse=True):
            _fsync_dir(folder)
    # The manifest last: a batch folder with a manifest is a complete one (see holds_batch).
    _write_file(staging / "manifest.json", manifest, durable)
    if durable:
        _fsync_dir(staging)


def _write_files(
    staging: Path, files: Sequence[RenderedFile], durable: bool
) -> tuple[list[Path], set[Path]]:
    """Write every one of `files` in `staging`; the files and the folders holding them."""
    real = os.path.realpath(staging)
    folders, paths = {staging}, []
    for file in files:
        path = staging / file.path
        _refuse_leaving(real, file.path)
        folder = path.parent
        if folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            while folder not in folders:
                folders.add(folder)
                folder = folder.parent
        _write_file(path, file.content, durable)
        paths.append(path)
    return paths, folders


def _refuse_leaving(root: str, path: str) -> None:
    """ValueError when `path` leads out of the folder `root`.

    Lexical, as good as resolving: every folder in a staging folder is one made there, no link."""
    joined = os.path.normpath(os.path.join(root, path))
    if joined != root and not joined.startswith(root + os.sep):
        raise ValueError(f"file path {path!r} leaves the batch folder")


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


def _fsync_files(paths: list[Path]) -> None:
    """fsync each of `paths`, written a moment ago, where `syncfs` turned out to be refused.

    Each is reopened (never through a link): on Linux, where this runs, a writeback error that
    no descriptor has seen yet is reported to the first fsync of any descriptor (errseq).
    """
    for path in paths:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
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


def _carry_claims(source: Path, batch: Path, durable: bool) -> None:
    """Copy the consumers' claims of the published `source` into the staged `batch`, fsynced.

    The manifest never lists claims, so the batch still verifies; a channel claimed or done stays
    so, and no sender polling for open channels sends it again.
    """
    records = _claim_records(source)
    if not records:
        return
    folder = batch / CLAIMS
    folder.mkdir()
    for name, data in records.items():
        _write_file(folder / name, data, durable)
    if durable:
        _fsync_dir(folder)
        _fsync_dir(batch)


def _carry_late(old: Path, target: Path) -> None:
    """Claims made on the old batch while the new one was staged, added to it (never over one)."""
    try:
        late = {n: d for n, d in _claim_records(old).items() if not (target / CLAIMS / n).exists()}
        for name, data in late.items():
            temporary = target / CLAIMS / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
            (target / CLAIMS).mkdir(exist_ok=True)
            _write_file(temporary, data)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target / CLAIMS / name)  # a claim is complete or absent
            os.unlink(temporary)
        if late:
            _fsync_dir(target / CLAIMS)
    except OSError as exc:  # the new batch is published; only these claims are missing
        log.warning(
            "published %s, but the claims made meanwhile on the batch it replaced were not "
            "carried over (%s): check %s before a sender sends them again",
            target,
            exc.strerror,
            target / CLAIMS,
        )


def _claim_records(batch: Path) -> dict[str, bytes]:
    """The claim files of `batch`, name to content; never through a symbolic link."""
    folder = batch / CLAIMS
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("%s: claims not carried over, not a real folder (%s)", folder, exc.strerror)
        return {}
    try:
        # A name starting with a dot is a claim still being written: it is not one yet.
        names = sorted(n for n in os.listdir(fd) if not n.startswith("."))
        records = {name: _read_claim(fd, name) for name in names}
    finally:
        os.close(fd)
    for name in [n for n, data in records.items() if data is None]:
        log.warning("%s: not carried over, not a claim record", folder / name)
    return {name: data for name, data in records.items() if data is not None}


def _read_claim(folder: int, name: str) -> bytes | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_CLAIM:
            return None
        return os.read(fd, _MAX_CLAIM + 1)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
