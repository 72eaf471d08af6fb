"""Reading the outbox as a consumer does: published batches, their manifests, claims per channel."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from digest.errors import DigestError
from digest.manifest import Manifest

CLAIMS = "claims"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLDER = re.compile(r"^(?P<schedule>[a-z0-9][a-z0-9-]*)-(?P<at>\d{4})$")


@dataclass(frozen=True)
class Batch:
    """A published batch folder and what its name says."""

    path: Path
    day: str
    schedule: str
    at: str


def published(outbox: Path, schedule: str | None = None) -> list[Batch]:
    """Every published batch (folders holding a manifest), oldest first."""
    out = []
    root = os.fspath(outbox)
    days = sorted(d for d in os.listdir(root) if _DAY.match(d)) if outbox.is_dir() else []
    for day in days:
        for name in sorted(os.listdir(os.path.join(root, day))):
            match = _FOLDER.match(name)
            if not match or (schedule and match.group("schedule") != schedule):
                continue
            if os.path.isfile(os.path.join(root, day, name, "manifest.json")):
                out.append(Batch(outbox / day / name, day, match.group("schedule"), match["at"]))
    return out


_MANIFESTS: dict[tuple[Path, int, int], Manifest] = {}


def read_manifest(batch: Path) -> Manifest:
    """The batch's manifest, validated (cached per file identity: published files never change)."""
    path = batch / "manifest.json"
    try:
        stat = path.stat()
        key = (path, stat.st_ino, stat.st_mtime_ns)
        if key not in _MANIFESTS:
            _MANIFESTS[key] = Manifest.model_validate_json(path.read_bytes())
        return _MANIFESTS[key]
    except FileNotFoundError:
        raise DigestError(f"{batch}: no manifest.json; not a published batch") from None
    except ValidationError as exc:
        raise DigestError(f"{path}: not a valid manifest: {exc.errors()[0]['msg']}") from None


def carried(outbox: Path, schedule: str, before: datetime) -> set[str]:
    """Slugs of the stories that batches of `schedule` before the instant `before` carried."""
    slugs: set[str] = set()
    for batch in published(outbox, schedule):
        manifest = read_manifest(batch.path)
        if manifest.slot.utc.astimezone(UTC) < before:
            slugs.update(story.slug for story in manifest.stories)
    return slugs


def verify(batch: Path) -> list[str]:
    """Every problem of a published batch: missing files, size or sha256 mismatches, extras."""
    manifest = read_manifest(batch)
    problems = []
    for record in manifest.files:
        path = batch / record.path
        if not path.is_file():
            problems.append(f"{record.path}: missing")
            continue
        data = path.read_bytes()
        if len(data) != record.bytes or hashlib.sha256(data).hexdigest() != record.sha256:
            problems.append(f"{record.path}: content does not match its sha256 in the manifest")
    listed = {record.path for record in manifest.files} | {"manifest.json"}
    for path in sorted(batch.rglob("*")):
        rel = path.relative_to(batch).as_posix()
        if path.is_file() and rel not in listed and not rel.startswith(f"{CLAIMS}/"):
            problems.append(f"{rel}: not listed in the manifest")
    return problems


def channel_files(manifest: Manifest, channel: str) -> list[dict[str, object]]:
    """The files a sender of `channel` needs, with their sha256."""
    prefix = "email/" if channel == "email" else f"social/{channel}."
    return [f.model_dump() for f in manifest.files if f.path.startswith(prefix)]


def claim(batch: Path, channel: str, now: datetime) -> list[dict[str, object]]:
    """Claim `channel` of `batch` for this consumer (O_EXCL: of two racing consumers one wins)."""
    manifest = read_manifest(batch)
    if channel not in manifest.channels:
        raise DigestError(f"{batch}: carries no {channel!r} channel; it has {manifest.channels}")
    problems = verify(batch)
    if problems:
        raise DigestError(f"{batch}: failed verification, not claimed: {problems[0]}")
    (batch / CLAIMS).mkdir(exist_ok=True)
    record = {"channel": channel, "pid": os.getpid(), "at": now.isoformat()}
    _create(batch / CLAIMS / channel, record, f"{channel} of {batch} is already claimed")
    return channel_files(manifest, channel)


def done(batch: Path, channel: str, now: datetime) -> None:
    """Record that `channel` of `batch` was sent; only after a claim, and only once."""
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
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise DigestError(taken) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
