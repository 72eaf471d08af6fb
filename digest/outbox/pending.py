"""`outbox/.pending/`: the batches of schedules with `approval = "required"`, waiting for it.

```
outbox/.pending/
  .lock                            held while a batch or a state here changes
  2026-12-01/
    morning-0800/                  the batch as it will be published: same files, same manifest
    morning-0800.state.json        {"status": "pending" | "approved" | "held" | "expired",
                                    "approved_by", "approved_at", "approved_manifest_sha256",
                                    "reason"}
```

A batch is put here by the publisher's own staging and one rename (`digest.outbox.place`), and
replaced the same way when a rebuild gives another manifest; a state file is written whole (a
temporary file, fsynced, renamed over it). No state file means `pending`, and so does a state file
that cannot be read: nothing here is ever taken for an approval it does not plainly record.
Consumers never look here: `published()` lists date folders only, and `digest outbox` refuses a
batch in this folder. The approval itself is `digest.outbox.approval`'s.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from digest.errors import DigestError, PublishError
from digest.models import Frozen, Slot
from digest.outbox.manifest import Manifest
from digest.outbox.verify import open_inside

log = logging.getLogger("digest.outbox")
PENDING = ".pending"
LOCK = ".lock"
STATE = ".state.json"
Status = Literal["pending", "approved", "held", "expired"]
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLOT = re.compile(r"^(?P<schedule>[a-z0-9][a-z0-9-]*)-(?P<at>\d{4})$")
_MAX_STATE = 64 << 10
MAX_NAME, MAX_REASON = 100, 500  # characters of an approver's name, of a hold's reason
# An expiry's reason quotes a hold's in a sentence (see digest.outbox.approval.expiry_reason).
_MAX_STATE_REASON = MAX_REASON + 200
_MAX_MANIFEST = 64 << 20


class State(Frozen):
    """A pending slot's approval, as its `<slot>.state.json` records it."""

    status: Status = "pending"
    approved_by: str | None = None
    approved_at: datetime | None = None
    approved_manifest_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    reason: str | None = None

    @field_validator("approved_by")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        """The approver's name as `--by` takes it (see `clean_text`); else not a state file."""
        return None if value is None else _plain(value, "approved_by", MAX_NAME)

    @field_validator("reason")
    @classmethod
    def _plain_reason(cls, value: str | None) -> str | None:
        """A hold's or an expiry's reason as `--reason` takes it; else not a state file."""
        return None if value is None else _plain(value, "reason", _MAX_STATE_REASON)

    @model_validator(mode="after")
    def _approval_recorded(self) -> State:
        """An approval names when it was given and the manifest it approved."""
        if self.status == "approved" and (
            self.approved_at is None or self.approved_manifest_sha256 is None
        ):
            raise ValueError("an approval without approved_at or approved_manifest_sha256")
        return self


@dataclass(frozen=True)
class Entry:
    """A batch of the pending area, read and checked: its folder (`DATE/SLOT`), its slot, its
    manifest and the sha256 of its manifest.json's bytes."""

    folder: str
    path: Path
    slot: Slot
    manifest: Manifest
    sha256: str


def area(outbox: Path, *, create: bool = False) -> Path:
    """`outbox/.pending`, made when `create`; PublishError when it is not a real folder (a
    link there would put pending batches, and their approvals, somewhere else)."""
    root = outbox / PENDING
    if create:
        outbox.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            root.mkdir()
    try:
        mode = os.lstat(root).st_mode
    except FileNotFoundError:
        return root
    if not stat.S_ISDIR(mode):
        what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
        raise PublishError(
            f"{root}: {what}, where the batches waiting for approval belong; nothing was "
            "changed. Move it away (digest makes the folder anew) and run again"
        )
    return root


def pending_path(outbox: Path, folder: str) -> Path:
    """Where the batch of the slot folder `DATE/SLOT` waits for approval."""
    return outbox / PENDING / folder


def state_path(outbox: Path, folder: str) -> Path:
    """The state file of the slot folder `DATE/SLOT`: `.pending/DATE/SLOT.state.json`."""
    return outbox / PENDING / f"{folder}{STATE}"


@contextlib.contextmanager
def locked(outbox: Path) -> Iterator[None]:
    """Hold `.pending/.lock` (an flock: every process and thread waits its turn) while a batch
    or a state of the pending area is read and changed as one step."""
    fd = os.open(area(outbox, create=True) / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read_state(outbox: Path, folder: str) -> State:
    """The slot's state; `pending` when there is no state file, or one that cannot be read
    (logged): an approval counts only when its file plainly records it."""
    path = state_path(outbox, folder)
    try:
        data = _read_plain(path, _MAX_STATE)
    except FileNotFoundError:
        return State()
    except OSError as exc:
        log.warning("%s: not read (%s); the slot counts as not approved", path, exc.strerror)
        return State()
    try:
        return State.model_validate_json(data)
    except ValidationError as exc:
        log.warning("%s: not a state file (%s); the slot counts as not approved", path, exc)
        return State()


def write_state(outbox: Path, folder: str, state: State) -> None:
    """Write the slot's state whole: a temporary file, fsynced, renamed over the old one."""
    path = state_path(outbox, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.islink(path.parent) or os.path.islink(path.parent.parent):
        raise PublishError(
            f"{path.parent}: a symbolic link, where the slots waiting for approval belong; "
            "nothing was changed. Move it away and run again"
        )
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    data = memoryview(state.model_dump_json(indent=2).encode() + b"\n")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        try:
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    _fsync_dir(path.parent)


def read_entry(outbox: Path, folder: str) -> Entry | None:
    """The pending batch of `DATE/SLOT`, or None when none waits there; DigestError when what
    waits there is no batch of that slot (a damaged or foreign manifest)."""
    path = pending_path(outbox, folder)
    day, _, name = folder.partition("/")
    named = _SLOT.match(name)
    linked = os.path.islink(path) or os.path.islink(path.parent)
    if not (_DAY.match(day) and named) or linked or not path.is_dir():
        return None
    manifest_file = path / "manifest.json"
    try:
        data = _read_plain(manifest_file, _MAX_MANIFEST)
        manifest = Manifest.model_validate_json(data)
        slot = Slot(
            schedule=manifest.schedule,
            day=date.fromisoformat(day),
            at=named["at"],
            local=manifest.slot.local,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValidationError is a ValueError
        raise DigestError(f"{manifest_file}: not a pending batch's manifest ({exc})") from None
    if slot.folder != folder or slot.batch_id != manifest.batch_id:
        raise DigestError(
            f"{manifest_file}: its manifest is the batch {manifest.batch_id}, not the one of "
            f"{folder}; remove {path} and let the scheduler prepare the slot again"
        )
    return Entry(folder=folder, path=path, slot=slot, manifest=manifest, sha256=_sha(data))


def entries(outbox: Path) -> list[Entry]:
    """Every batch of the pending area, oldest first; one that cannot be read is logged and
    left out."""
    found = []
    for folder in folders(outbox):
        try:
            entry = read_entry(outbox, folder)
        except DigestError as exc:
            log.warning("%s; skipped", exc)
            continue
        if entry is not None:
            found.append(entry)
    return found


def folders(outbox: Path) -> list[str]:
    """The `DATE/SLOT` of every folder in the pending area, sorted (links and odd names not)."""
    root = outbox / PENDING
    out = []
    try:
        days = sorted(n for n in os.listdir(root) if _DAY.match(n))
    except (FileNotFoundError, NotADirectoryError):
        return []
    for day in days:
        if os.path.islink(root / day):
            continue
        try:
            with os.scandir(root / day) as listing:
                names = [e.name for e in listing if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        out += [f"{day}/{name}" for name in sorted(names) if _SLOT.match(name)]
    return out


def read_files(entry: Entry) -> list[tuple[str, bytes, str]]:
    """Every file of the pending batch as (path, bytes, media type), each checked against its
    manifest (reached through no link, its size and sha256 the manifest's); DigestError when
    one is not what the manifest says, so that nothing but what was approved is published."""
    out = []
    for record in entry.manifest.files:
        try:
            fd = open_inside(entry.path, record.path)
        except OSError as exc:
            raise DigestError(f"{entry.path}: {record.path}: {exc.strerror}") from None
        try:
            with os.fdopen(os.dup(fd), "rb") as handle:
                content = handle.read(record.bytes + 1)
        finally:
            os.close(fd)
        if len(content) != record.bytes or _sha(content) != record.sha256:
            raise DigestError(
                f"{entry.path}: {record.path} does not match its sha256 in the manifest; "
                "nothing was published. The scheduler prepares the batch again at its next "
                "wake-up; approve it then"
            )
        out.append((record.path, content, record.media_type))
    return out


def remove(outbox: Path, folder: str, *, state: bool) -> None:
    """Take the pending batch of `DATE/SLOT` away (renamed aside in one step, then deleted),
    and its state file too when `state`."""
    path = pending_path(outbox, folder)
    if path.is_dir() and not path.is_symlink():
        aside = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.gone")
        os.rename(path, aside)
        shutil.rmtree(aside, ignore_errors=True)
    if state:
        state_path(outbox, folder).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the date folder, once empty
        path.parent.rmdir()


def clean_text(value: str, what: str, limit: int) -> str:
    """`value` stripped, when it is 1 to `limit` characters with no control or format
    character (it goes into the journal, the state file and the manifest); else DigestError."""
    text = value.strip()
    if not text:
        raise DigestError(f"{what} is empty; write a few words")
    if len(text) > limit:
        raise DigestError(f"{what} is {len(text)} characters long; write at most {limit}")
    if any(unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in text):
        raise DigestError(f"{what} holds a control character; write plain text on one line")
    return text


def _plain(value: str, what: str, limit: int) -> str:
    """`value` when `clean_text` would keep it as it is; ValueError otherwise (a state file
    written by hand, or forged, whose text would reach the terminal, the journal, the manifest)."""
    try:
        text = clean_text(value, what, limit)
    except DigestError as error:
        raise ValueError(str(error)) from None
    if text != value:
        raise ValueError(f"{what} has spaces around it")
    return value


def manifest_sha256(data: bytes) -> str:
    """The sha256 an approval records: that of the manifest.json bytes."""
    return _sha(data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_plain(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, never through a link; OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError(0, f"not a regular file of at most {limit} bytes")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
