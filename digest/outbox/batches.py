"""Reading the outbox as a consumer does: published batches, their manifests, claims per channel."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from digest.cachefile import folder_name, own_file_bytes, write_whole
from digest.clock import sane
from digest.errors import DigestError
from digest.outbox.manifest import Manifest, manifest_problem
from digest.outbox.pending import PENDING
from digest.outbox.published import BATCH_FOLDER, DAY, Batch, found_batches
from digest.outbox.verify import CLAIMS, verify_files

log = logging.getLogger("digest.outbox")
_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")
# A manifest is far smaller; reading a bigger file is not worth the memory.
MAX_MANIFEST = 64 << 20


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
        raise DigestError(f"{path}: {manifest_problem(exc)}") from None
    finally:
        os.close(fd)


def _identity(path: str, info: os.stat_result) -> tuple[str, int, int, int, int]:
    return (path, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def carried(outbox: Path, schedule: str, before: datetime) -> set[str]:
    """Slugs of the stories that batches of `schedule` before the instant `before` carried.

    A batch whose manifest cannot be read is skipped with a warning; its `stories/` folder still
    counts (see `_carried_by_damaged`), so a damaged manifest never sends a story twice. What a
    manifest says is taken from the schedule's carried index (see `CarriedIndex`) while `lstat`
    shows the very file it was read from.
    """
    index = CarriedIndex.of(outbox, schedule)
    slugs: set[str] = set()
    seen: set[str] = set()
    for batch, name, info in found_batches(outbox, schedule):
        seen.add(name)
        before_key = _key_of(info)  # taken as it was found to hold a manifest: before reading
        known = index.lookup(name, before_key)
        if known is None:
            try:
                manifest = read_manifest(batch.path)
                slot = _slot_instant(batch.path, manifest)
            except DigestError as exc:
                slugs |= _carried_by_damaged(batch, before, exc)
                continue
            known = (slot, tuple(story.slug for story in manifest.stories))
            if before_key is not None and before_key == _manifest_key(batch.path):
                index.remember(name, before_key, known)
        if known[0] < before:
            slugs.update(known[1])
    index.keep_only(seen)
    return slugs


ManifestKey = tuple[int, int, int, int, int]
CARRIED = ".carried-{schedule}.json"  # in the outbox, one per schedule (hidden: no batch)
MAX_CARRIED = 64 << 20


def _manifest_key(batch: Path) -> ManifestKey | None:
    """The stat key of the batch's manifest when it is a plain file (not a link), else None."""
    try:
        info = os.lstat(os.path.join(batch, "manifest.json"))
    except OSError:
        return None
    return _key_of(info)


def _key_of(info: os.stat_result) -> ManifestKey | None:
    """The stat key of a manifest from its `lstat`: None unless a plain file."""
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass
class CarriedIndex:
    """What the manifests of one schedule's batches say: "<day>/<folder>" -> (the manifest's
    stat key, its slot instant, its stories' slugs).

    `carried` reads every earlier manifest of the schedule at every build; a fresh process
    (`digest schedule --once` from cron) would parse hundreds of them. So the scheduler keeps
    this in the outbox (`CARRIED`, see `keep_carried`), and the next process starts from it. It
    is only a cache, never believed over the manifests: an entry counts only while `lstat` shows
    the very manifest it was read from (the same device and inode, size, modification and change
    time: the change time moves on every write and rename and cannot be set back), so a changed
    or new manifest is read again; the file is used only when it is a plain file of this user
    that no one else may write, of at most MAX_CARRIED bytes, naming its own outbox and schedule;
    it is written whole (a temporary file renamed over it) or not at all.
    """

    entries: dict[str, tuple[ManifestKey, tuple[datetime, tuple[str, ...]]]] = field(
        default_factory=dict
    )
    changed: bool = False
    loaded: bool = False

    @classmethod
    def of(cls, outbox: Path, schedule: str) -> CarriedIndex:
        """This process's index of `schedule` in `outbox`, started from its file once."""
        key = (os.path.abspath(outbox), schedule)
        index = _CARRIED.setdefault(key, cls())
        if not index.loaded:
            index.loaded = True
            index._load(outbox, schedule)
        return index

    def lookup(self, name: str, key: ManifestKey | None) -> tuple[datetime, tuple[str, ...]] | None:
        """The slot and slugs of the batch `name` when its manifest, whose stat key is now
        `key`, is still the file they were read from."""
        known = self.entries.get(name)
        if known is None or key is None or known[0] != key:
            return None
        return known[1]

    def remember(
        self, name: str, key: ManifestKey, known: tuple[datetime, tuple[str, ...]]
    ) -> None:
        if self.entries.get(name) != (key, known):
            self.entries[name] = (key, known)
            self.changed = True

    def keep_only(self, names: set[str]) -> None:
        """Forget the batches the outbox no longer lists."""
        for name in self.entries.keys() - names:
            self.entries.pop(name, None)
            self.changed = True

    def _load(self, outbox: Path, schedule: str) -> None:
        path = _carried_path(outbox, schedule)
        if path is None:
            return
        try:
            data = json.loads(own_file_bytes(path, MAX_CARRIED))
            entries = _parse_carried(data, folder_name(outbox), schedule)
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError, OverflowError) as exc:
            log.debug("%s: not used (%s); it is rewritten", path, exc)
            return
        for name, entry in entries.items():
            self.entries.setdefault(name, entry)

    def save(self, outbox: Path, schedule: str) -> None:
        """Write the index to its file when it changed: whole or not at all."""
        path = _carried_path(outbox, schedule)
        if not self.changed or path is None:
            return
        batches = {
            name: {"key": list(key), "utc": slot.isoformat(), "slugs": list(slugs)}
            for name, (key, (slot, slugs)) in sorted(self.entries.items())
        }
        data = {"version": 1, "outbox": folder_name(outbox), "schedule": schedule}
        text = json.dumps(data | {"batches": batches}, ensure_ascii=False)
        written = write_whole(path, text.encode(), log, "the next process reads the manifests")
        if not written:
            return
        self.changed = False


_CARRIED: dict[tuple[str, str], CarriedIndex] = {}


def keep_carried(outbox: Path) -> None:
    """Write the carried index of every schedule of `outbox` this process read and changed, for
    the next process; never raising (it is a cache)."""
    for (folder, schedule), index in list(_CARRIED.items()):
        if folder == os.path.abspath(outbox):
            index.save(outbox, schedule)


def _carried_path(outbox: Path, schedule: str) -> Path | None:
    if not BATCH_FOLDER.match(f"{schedule}-0000"):
        return None  # a name no batch folder can have: nothing to index
    return outbox / CARRIED.format(schedule=schedule)


def _parse_carried(
    data: object, outbox: str, schedule: str
) -> dict[str, tuple[ManifestKey, tuple[datetime, tuple[str, ...]]]]:
    """The entries of a carried index's JSON; ValueError (or TypeError, KeyError) when it is not
    one, or is the index of another outbox or schedule."""
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("not a carried index of this version")
    if (data.get("outbox"), data.get("schedule")) != (outbox, schedule):
        raise ValueError("the index of another outbox or schedule")
    out = {}
    for name, entry in data["batches"].items():
        day, _, folder = name.partition("/")
        match = BATCH_FOLDER.match(folder)
        if not (DAY.match(day) and match and match["schedule"] == schedule):
            raise ValueError(f"{name!r} names no batch of this schedule")
        key = tuple(entry["key"])
        if len(key) != 5 or not all(type(part) is int for part in key):
            raise ValueError(f"{name}: a bad stat key")
        slot = sane(datetime.fromisoformat(entry["utc"]))
        slugs = tuple(entry["slugs"])
        if slot is None or not all(isinstance(s, str) and _SLUG.match(s) for s in slugs):
            raise ValueError(f"{name}: a bad slot or slug")
        out[name] = (key, (slot, slugs))
    return out


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
    refuse_pending(batch)
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
    refuse_pending(batch)
    if os.path.islink(batch) or os.path.islink(batch.parent):
        raise DigestError(
            f"{batch}: the batch or its date folder is a symbolic link, so this is no batch of "
            "the outbox; nothing recorded. Name the batch where it really is"
        )
    if not (batch / CLAIMS / channel).is_file():
        raise DigestError(f"{channel} of {batch} is not claimed; claim it before marking it done")
    record = {"channel": channel, "pid": os.getpid(), "at": now.isoformat()}
    _create(batch / CLAIMS / f"{channel}.done", record, f"{channel} of {batch} is already done")


def refuse_pending(batch: Path, shown: object = None) -> None:
    """DigestError when `batch` (as named, or where its links lead) is in `outbox/.pending`: a
    slot waiting for approval is no published batch, and no consumer may take it."""
    named = (Path(os.path.abspath(batch)).parts, Path(os.path.realpath(batch)).parts)
    if any(PENDING in parts for parts in named):
        raise DigestError(
            f"{shown or batch}: a batch waiting for approval in outbox/{PENDING}, not a "
            "published one; consumers take published batches only (see digest outbox list; "
            "digest approve publishes it)"
        )


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
