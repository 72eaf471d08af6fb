"""Reading the outbox as a consumer does: published batches, their manifests, claims per channel."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from digest.clock import sane
from digest.errors import DigestError
from digest.outbox.manifest import Manifest, holds_batch
from digest.outbox.verify import CLAIMS, verify_files

log = logging.getLogger("digest.outbox")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLDER = re.compile(r"^(?P<schedule>[a-z0-9][a-z0-9-]*)-(?P<at>\d{4})$")
_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")
# A manifest is far smaller; reading a bigger file is not worth the memory.
MAX_MANIFEST = 64 << 20


@dataclass(frozen=True)
class Batch:
    """A published batch folder and what its name says."""

    path: Path
    day: str
    schedule: str
    at: str


def published(outbox: Path, schedule: str | None = None) -> list[Batch]:
    """Every published batch (see `digest.outbox.is_published`: each date folder a real one,
    each batch `holds_batch`), oldest first; odd entries are skipped with a warning."""
    try:
        names = os.listdir(outbox)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise DigestError(
            f"{outbox}: cannot read the outbox ({exc.strerror}); it must be a readable folder "
            "(set [paths] outbox in config.toml or pass --outbox)"
        ) from None
    out = []
    for day in sorted(n for n in names if _DAY.match(n)):
        folder = os.path.join(outbox, day)
        if os.path.islink(folder):
            log.warning(
                "%s: skipped, a symbolic link; batches are published in real date folders of "
                "the outbox only",
                outbox / day,
            )
            continue
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            log.warning("%s: skipped, not a folder of batches (%s)", outbox / day, exc.strerror)
            continue
        for entry in entries:
            match = _FOLDER.match(entry.name)
            if match and schedule and match["schedule"] != schedule:
                continue
            if _is_batch(outbox, day, entry, match is not None):
                path = outbox / day / entry.name
                out.append(Batch(path, day, match["schedule"], match["at"]))  # type: ignore[index]
    return out


def _is_batch(outbox: Path, day: str, entry: os.DirEntry[str], named: bool) -> bool:
    """Whether the entry `<day>/<name>` is a published batch; a warning names anything else."""
    if not named:
        problem = "not named like a batch (<schedule>-<HHMM>)"
    elif holds_batch(entry.path):
        return True
    elif entry.is_symlink() or not entry.is_dir():
        problem = "not a folder"
    else:
        problem = "no manifest.json, so not a published batch"
    log.warning("%s: skipped, %s", outbox / day / entry.name, problem)
    return False


_MANIFESTS: dict[tuple[str, int, int, int, int], Manifest] = {}


def read_manifest(batch: Path) -> Manifest:
    """The batch's manifest, validated (cached per file identity: published files never change).

    A manifest this process read before is known by `lstat` alone (a plain file of the same
    inode, size, modification and change time); any other is opened, without following a link.
    """
    name = os.path.join(batch, "manifest.json")
    try:
        info = os.lstat(name)
    except OSError:
        pass
    else:
        known = _MANIFESTS.get(_identity(name, info))
        if known is not None and stat.S_ISREG(info.st_mode):
            return known
    path = batch / "manifest.json"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise DigestError(f"{batch}: no manifest.json; not a published batch") from None
    except OSError as exc:
        reason = "a symbolic link" if os.path.islink(path) else exc.strerror
        raise DigestError(f"{path}: cannot read the manifest ({reason})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST:
            raise DigestError(f"{path}: not a valid manifest: not a regular file of at most 64 MB")
        key = _identity(str(path), info)
        if key not in _MANIFESTS:
            with os.fdopen(os.dup(fd), "rb") as handle:
                _MANIFESTS[key] = Manifest.model_validate_json(handle.read())
        return _MANIFESTS[key]
    except OSError as exc:
        raise DigestError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise DigestError(
            f"{path}: not a valid manifest: {where + ': ' if where else ''}{error['msg']}"
        ) from None
    finally:
        os.close(fd)


def _identity(path: str, info: os.stat_result) -> tuple[str, int, int, int, int]:
    return (path, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def carried(outbox: Path, schedule: str, before: datetime) -> set[str]:
    """Slugs of the stories that batches of `schedule` before the instant `before` carried.

    A batch whose manifest cannot be read is skipped with a warning; its `stories/` folder still
    counts (see `_carried_by_damaged`), so a damaged manifest never sends a story twice.
    """
    slugs: set[str] = set()
    for batch in published(outbox, schedule):
        try:
            manifest = read_manifest(batch.path)
            slot = _slot_instant(batch.path, manifest)
        except DigestError as exc:
            slugs |= _carried_by_damaged(batch, before, exc)
            continue
        if slot < before:
            slugs.update(story.slug for story in manifest.stories)
    return slugs


def _slot_instant(batch: Path, manifest: Manifest) -> datetime:
    """The manifest's slot.utc as a UTC instant; DigestError when it cannot be one (overflow)."""
    utc = sane(manifest.slot.utc)
    if utc is None:
        raise DigestError(
            f"{batch / 'manifest.json'}: not a valid manifest: slot.utc "
            f"{manifest.slot.utc.isoformat()} is not an aware time in the years digest schedules"
        )
    return utc


def _carried_by_damaged(batch: Batch, before: datetime, problem: DigestError) -> set[str]:
    """The slugs a batch with a damaged manifest carried, from its `stories/<slug>.json` names.

    Only its folder name says when it was: a local date and time. A schedule's slots are a day
    apart and UTC offsets stay within 12 hours, so 12 hours before `before` divides its earlier
    slots from the slot of `before` itself (which a --force rebuild of the damaged batch builds).
    """
    try:
        local = datetime.strptime(f"{batch.day} {batch.at}", "%Y-%m-%d %H%M")
    except ValueError:
        local = datetime.min
    if local.replace(tzinfo=UTC) > before - timedelta(hours=12):
        log.warning("%s; skipped (a slot after this one)", problem)
        return set()
    try:
        with os.scandir(batch.path / "stories") as listing:
            names = [e.name for e in listing if e.is_file(follow_symlinks=False)]
    except OSError:
        names = []
    slugs = {n[: -len(".json")] for n in names if n.endswith(".json")}
    slugs = {slug for slug in slugs if _SLUG.match(slug)}
    log.warning(
        "%s; skipped, but the %d stories of its stories/ folder count as carried. Restore the "
        "manifest, or rebuild that slot with digest build --force",
        problem,
        len(slugs),
    )
    return slugs


def verify(batch: Path) -> list[str]:
    """Every problem of a published batch: missing, linked or altered files, and extras."""
    return verify_files(batch, read_manifest(batch))


def channel_files(manifest: Manifest, channel: str) -> list[dict[str, object]]:
    """The files a sender of `channel` needs, with their sha256."""
    prefix = "email/" if channel == "email" else f"social/{channel}."
    return [f.model_dump() for f in manifest.files if f.path.startswith(prefix)]


def claim(batch: Path, channel: str, now: datetime) -> list[dict[str, object]]:
    """Claim `channel` of `batch` for this consumer; of two racing consumers exactly one wins.

    Refuses a batch that fails verification, so the paths it returns are the manifest's own:
    relative, inside the batch, reached through no symbolic link.
    """
    manifest = read_manifest(batch)
    if channel not in manifest.channels:
        raise DigestError(f"{batch}: carries no {channel!r} channel; it has {manifest.channels}")
    problems = verify(batch)
    if problems:
        raise DigestError(f"{batch}: failed verification, not claimed: {problems[0]}")
    record = {"channel": channel, "pid": os.getpid(), "at": now.isoformat()}
    _create(batch / CLAIMS / channel, record, f"{channel} of {batch} is already claimed")
    return channel_files(manifest, channel)


def done(batch: Path, channel: str, now: datetime) -> None:
    """Record that `channel` of `batch` was sent; only after a claim, and only once."""
    if os.path.islink(batch) or os.path.islink(batch.parent):
        raise DigestError(
            f"{batch}: the batch or its date folder is a symbolic link, so this is no batch of "
            "the outbox; nothing recorded. Name the batch where it really is"
        )
    if not (batch / CLAIMS / channel).is_file():
        raise DigestError(f"{channel} of {batch} is not claimed; claim it before marking it done")
    record = {"channel": channel, "pid": os.getpid(), "at": now.isoformat()}
    _create(batch / CLAIMS / f"{channel}.done", record, f"{channel} of {batch} is already done")


def status(batch: Path, channel: str) -> str:
    """`open`, `claimed` or `done`."""
    if (batch / CLAIMS / f"{channel}.done").exists():
        return "done"
    return "claimed" if (batch / CLAIMS / channel).exists() else "open"


def _create(path: Path, record: dict[str, object], taken: str) -> None:
    """Create `path` holding `record`, complete or not at all, and only if it does not exist."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    data = memoryview((json.dumps(record) + "\n").encode())
    try:
        path.parent.mkdir(exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        # link() never replaces: of two racing consumers exactly one makes `path`.
        _link_new(temporary, path, taken)
    except OSError as exc:
        raise DigestError(
            f"{path}: could not be written ({exc.strerror}); nothing was recorded. "
            "Free disk space or fix the folder's permissions, then run the command again"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _link_new(source: Path, path: Path, taken: str) -> None:
    try:
        os.link(source, path)
    except FileExistsError:
        raise DigestError(taken) from None
