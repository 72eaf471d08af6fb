"""Approve, hold and publish the batches waiting in `outbox/.pending` (digest.outbox.pending).

An approval names the sha256 of the pending manifest.json it approves. The batch is published
(by the publisher's staging and its one rename, which refuses a slot already published, so of
two racing approvers one publishes) only while its pending manifest is still that one, and only
from its slot time until its `catch_up` ends: a rebuild that changes the batch withdraws the
approval, and a slot past its catch-up is `expired`, never published later. The published
manifest is the pending one with an `approval` of who, when and that sha256.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from digest.config import Settings
from digest.config.values import parse_duration
from digest.errors import BatchExistsError, DigestError, PublishError
from digest.models import Rendered, RenderedFile, Slot
from digest.outbox import is_published, journal, place
from digest.outbox.batches import read_manifest
from digest.outbox.published import published
from digest.outbox.manifest import Approval, build_manifest, manifest_bytes
from digest.outbox.pending import (
    MAX_NAME,
    MAX_REASON,
    PENDING,
    STATE,
    Entry,
    State,
    area,
    clean_text,
    entries,
    folders,
    locked,
    manifest_sha256,
    pending_path,
    read_entry,
    read_files,
    read_state,
    remove,
    state_path,
    write_state,
)

log = logging.getLogger("digest.outbox")
_FOLDER = re.compile(r"(?:^|/)(?P<folder>\d{4}-\d{2}-\d{2}/[a-z0-9][a-z0-9-]*-\d{4})/?$")
Outcome = Literal["approved", "published", "already-published", "held"]


@dataclass(frozen=True)
class ApprovalResult:
    """What `approve` or `hold` did to a slot: `approved` (published at its time), `published`
    (its time had come), `already-published` (nothing to do), or `held`."""

    outcome: Outcome
    batch: str  # DATE/SLOT, as in outbox/ once published
    batch_id: str
    path: Path  # the published batch, or the pending one
    manifest_sha256: str
    by: str | None = None
    at: datetime | None = None
    reason: str | None = None


def approve(
    settings: Settings,
    batch: str,
    *,
    by: str | None,
    now: datetime,
    manifest_sha256: str | None = None,
    durable: bool = True,
) -> ApprovalResult:
    """Approve the pending batch `batch` (`DATE/SLOT` or its batch id): published at once when
    its slot time has passed (within catch_up), else at its time by the scheduler.

    `manifest_sha256`, when given, is the manifest the approver looked at: a batch rebuilt since
    is refused rather than approved unseen. DigestError when there is no such pending batch, it
    expired, or it is past its catch-up (then it is expired here).
    """
    outbox = settings.paths.outbox
    who = None if by is None else clean_text(by, "--by", MAX_NAME)
    folder = find(outbox, batch)
    if not is_published(outbox, folder):
        _waiting(outbox, folder, batch)  # nothing to lock for: no pending area made for it
    with locked(outbox):
        done = _published_result(outbox, folder)
        if done is not None:
            return done
        entry = _waiting(outbox, folder, batch)
        state = _open_state(settings, entry, now)
        _as_seen(entry, manifest_sha256)
        if not approves(state, entry):
            state = _record_approval(outbox, entry, who, now)
        result = ApprovalResult(
            "approved",
            folder,
            entry.slot.batch_id,
            entry.path,
            entry.sha256,
            by=state.approved_by,
            at=state.approved_at,
        )
        if now < entry.slot.utc:
            return result
        try:
            path = _release(outbox, entry, state, now, durable)
        except BatchExistsError:  # published meanwhile by a build that took no lock
            return _published_result(outbox, folder) or result
        return replace(result, outcome="published", path=path)


def hold(settings: Settings, batch: str, *, reason: str, now: datetime) -> ApprovalResult:
    """Keep the pending batch `batch` out: never published while held (an approval after the
    hold lifts it, within the slot's catch-up). DigestError when it is published or expired."""
    outbox = settings.paths.outbox
    why = clean_text(reason, "--reason", MAX_REASON)
    folder = find(outbox, batch)
    if not is_published(outbox, folder):
        _waiting(outbox, folder, batch)  # nothing to lock for: no pending area made for it
    with locked(outbox):
        if is_published(outbox, folder):
            raise DigestError(
                f"{folder}: already published, too late to hold; tell the consumers of "
                f"{outbox / folder} (see digest outbox list)"
            )
        entry = _waiting(outbox, folder, batch)
        _open_state(settings, entry, now)
        write_state(outbox, folder, State(status="held", reason=why))
        journal.record(outbox, now, "held", entry.slot, why)
    return ApprovalResult(
        "held", folder, entry.slot.batch_id, entry.path, entry.sha256, reason=why, at=now
    )


def find(outbox: Path, batch: str) -> str:
    """The slot folder `DATE/SLOT` that `batch` names: `DATE/SLOT` itself (or a path ending in
    it), or a batch id (`morning@2026-12-01T08:00:00Z`) of a pending or published batch."""
    match = _FOLDER.search(batch.replace("\\", "/"))
    if match:
        return match["folder"]
    if "@" in batch:
        for entry in entries(outbox):
            if entry.manifest.batch_id == batch:
                return entry.folder
        for found in published(outbox, batch.partition("@")[0]):
            try:
                if read_manifest(found.path).batch_id == batch:
                    return f"{found.day}/{found.path.name}"
            except DigestError:
                continue
    raise DigestError(
        f"{batch}: no batch waiting for approval by that name; name it as DATE/SLOT "
        "(2026-12-01/morning-0800) or by its batch id, as digest outbox list shows them"
    )


def prepare(
    rendered: Rendered, outbox: Path, config_hash: str, now: datetime, *, durable: bool = True
) -> bool:
    """Put `rendered` in the pending area when it differs from the batch waiting there (a new
    seed, an edit, another config); True when it did. A changed batch withdraws its approval
    (journaled `withdrawn`); a hold stays. Journals `prepared`. BatchExistsError when the slot
    was published meanwhile (by an approver, while this batch was being rendered)."""
    slot = rendered.digest.slot
    manifest = build_manifest(rendered, config_hash)
    sha = manifest_sha256(manifest_bytes(manifest))
    with locked(outbox):
        if is_published(outbox, slot.folder):
            raise BatchExistsError(outbox / slot.folder)
        try:
            entry = read_entry(outbox, slot.folder)
        except DigestError as exc:
            log.warning("%s; it is prepared again", exc)
            entry = None
        if entry is not None and entry.sha256 == sha and _intact(entry):
            return False
        replacing = os.path.lexists(pending_path(outbox, slot.folder))
        pending = area(outbox, create=True)
        path = place(
            rendered.files,
            manifest,
            outbox,
            slot.folder,
            area=pending,
            force=replacing,
            durable=durable,
        )
        state = read_state(outbox, slot.folder)
        if state.status == "approved" and state.approved_manifest_sha256 != sha:
            _withdraw(outbox, slot, state, now)
        stories = len(manifest.stories)
        journal.record(
            outbox, now, "prepared", slot, f"{path}: {stories} stories, manifest sha256 {sha}"
        )
    return True


def withdraw(outbox: Path, slot: Slot, now: datetime) -> None:
    """The slot has no batch any more (every story went out in an earlier one): its pending
    batch is taken away, and an approval of it withdrawn."""
    with locked(outbox):
        if not pending_path(outbox, slot.folder).exists():
            return
        state = read_state(outbox, slot.folder)
        if state.status == "approved":
            _withdraw(outbox, slot, state, now, "the slot has no new story any more")
        remove(outbox, slot.folder, state=state.status != "held")


def release(outbox: Path, slot: Slot, now: datetime, *, durable: bool = True) -> Path | None:
    """Publish the slot's pending batch when it is approved as it is now; None when it is not
    (pending, held, or changed since its approval). For the scheduler, at the slot time."""
    with locked(outbox):
        entry = read_entry(outbox, slot.folder)
        if entry is None:
            return None
        state = read_state(outbox, slot.folder)
        if state.status == "approved" and not approves(state, entry):
            _withdraw(outbox, slot, state, now)
            return None
        if not approves(state, entry):
            return None
        return _release(outbox, entry, state, now, durable)


def tidy_published(outbox: Path, now: datetime) -> list[str]:
    """Take away the pending copies of slots that are published already, with their state
    files; the folders (`DATE/SLOT`) tidied, for the scheduler's wake-up.

    An approval's publish that stopped (a kill, a power cut) between its rename and its journal
    line leaves the slot published and its pending copy beside it: the journal gets its
    `published` line here, once (not when it has one for the batch already), then the copy goes.
    A copy left by `digest build --without-approval` goes the same way.
    """
    tidied = []
    for folder in _pending_folders(outbox):
        try:
            if not is_published(outbox, folder):
                continue
        except PublishError:  # a date folder that is a link or a file holds no batch
            continue
        with locked(outbox):
            try:
                entry = read_entry(outbox, folder)
            except DigestError:
                entry = None  # unreadable: nothing to journal it by, removed all the same
            if entry is not None and not _journaled_published(outbox, entry.slot.batch_id):
                detail = f"{outbox / folder} (found published at a later wake-up)"
                journal.record(outbox, now, "published", entry.slot, detail)
            remove(outbox, folder, state=True)
        log.info("%s: published already; its pending copy was removed", folder)
        tidied.append(folder)
    return tidied


def _pending_folders(outbox: Path) -> list[str]:
    """The slots the pending area holds a batch or a state file of."""
    found = set(folders(outbox))
    for state in sorted((outbox / PENDING).glob(f"*/*{STATE}")):
        folder = f"{state.parent.name}/{state.name.removesuffix(STATE)}"
        if _FOLDER.fullmatch(folder) and state == state_path(outbox, folder):
            found.add(folder)
    return sorted(found)


def _journaled_published(outbox: Path, batch_id: str) -> bool:
    return any(
        e["event"] == "published" and e["batch_id"] == batch_id for e in journal.read(outbox)
    )


def expire(outbox: Path, slot: Slot, now: datetime, catch_up: str) -> str:
    """Record that the slot was not approved within catch_up of its time (journaled `expired`,
    its state file says so): it is never published later. Returns the reason."""
    with locked(outbox):
        return _expire(outbox, slot, now, catch_up)


def expiry_reason(state: State, catch_up: str, prepared: bool = True) -> str:
    """Why a slot expired, in words: not approved, or held, within catch_up of its time."""
    window = f"within catch_up ({catch_up}) of its time"
    if state.status == "expired" and state.reason:
        return state.reason
    if state.status == "held":
        return f"held ({state.reason}) and not approved {window}"
    if state.status == "approved":
        return f"approved, but not published {window} (no scheduler ran at its time)"
    if not prepared:
        return f"not prepared and approved {window} (no scheduler ran before it)"
    return f"not approved {window}"


def approves(state: State, entry: Entry) -> bool:
    """Whether `state` approves the pending batch as it is now (its manifest's very sha256)."""
    return (
        state.status == "approved"
        and state.approved_at is not None
        and state.approved_manifest_sha256 == entry.sha256
    )


def deadline(settings: Settings, slot: Slot) -> datetime:
    """The last instant the slot may be published: its time plus its schedule's catch_up."""
    return slot.utc + parse_duration(settings.schedule(slot.schedule).catch_up)


def _as_seen(entry: Entry, seen: str | None) -> None:
    """Refuse to approve a batch rebuilt since the approver looked at it (the sha256 `seen`)."""
    if seen is not None and seen != entry.sha256:
        raise DigestError(
            f"{entry.slot.batch_id}: the pending batch changed since it was looked at "
            f"(manifest sha256 {entry.sha256[:12]}, not {seen[:12]}); look at it again and "
            "approve what it is now"
        )


def _record_approval(outbox: Path, entry: Entry, who: str | None, now: datetime) -> State:
    state = State(
        status="approved", approved_by=who, approved_at=now, approved_manifest_sha256=entry.sha256
    )
    write_state(outbox, entry.folder, state)
    detail = f"by {who or 'someone unnamed'}; manifest sha256 {entry.sha256}"
    journal.record(outbox, now, "approved", entry.slot, detail)
    return state


def _waiting(outbox: Path, folder: str, batch: str) -> Entry:
    entry = read_entry(outbox, folder)
    if entry is None:
        raise DigestError(
            f"{batch}: no batch waiting for approval at {outbox / '.pending' / folder}; the "
            'scheduler prepares a slot of a schedule with approval = "required" its `prepare` '
            "time before the slot (see digest outbox list)"
        )
    return entry


def _open_state(settings: Settings, entry: Entry, now: datetime) -> State:
    """The slot's state while it may still be approved or held; DigestError once it expired
    (and it is expired here when its catch-up is over)."""
    outbox = settings.paths.outbox
    state = read_state(outbox, entry.folder)
    if state.status != "expired" and now > deadline(settings, entry.slot):
        _expire(outbox, entry.slot, now, settings.schedule(entry.slot.schedule).catch_up)
        state = read_state(outbox, entry.folder)
    if state.status == "expired":
        raise DigestError(
            f"{entry.slot.batch_id}: expired ({state.reason}); it is never published now. To "
            f"send its stories, let the next slot carry them, or build this one by hand: digest "
            f"build --slot {entry.slot.schedule}@{entry.slot.day.isoformat()}"
        )
    return state


def _expire(outbox: Path, slot: Slot, now: datetime, catch_up: str) -> str:
    state = read_state(outbox, slot.folder)
    prepared = pending_path(outbox, slot.folder).exists()
    reason = expiry_reason(state, catch_up, prepared)
    if state.status != "expired":
        if prepared:
            expired = state.model_copy(update={"status": "expired", "reason": reason})
            write_state(outbox, slot.folder, expired)
        journal.record(outbox, now, "expired", slot, reason)
    return reason


def _published_result(outbox: Path, folder: str) -> ApprovalResult | None:
    if not is_published(outbox, folder):
        return None
    manifest = read_manifest(outbox / folder)
    approval = manifest.approval
    sha = approval.manifest_sha256 if approval else ""
    by, at = (approval.by, approval.at) if approval else (None, None)
    return ApprovalResult(
        "already-published", folder, manifest.batch_id, outbox / folder, sha, by, at
    )


def _release(outbox: Path, entry: Entry, state: State, now: datetime, durable: bool) -> Path:
    """Publish the approved pending batch, its manifest carrying the approval; BatchExistsError
    when the slot is published already (the rename refuses it)."""
    assert state.approved_at is not None
    files = [RenderedFile(path=p, content=c, media_type=m) for p, c, m in read_files(entry)]
    approval = Approval(by=state.approved_by, at=state.approved_at, manifest_sha256=entry.sha256)
    manifest = entry.manifest.model_copy(update={"approval": approval})
    path = place(files, manifest, outbox, entry.folder, durable=durable)
    journal.record(outbox, now, "published", entry.slot, str(path))
    try:
        remove(outbox, entry.folder, state=True)
    except OSError as exc:  # published all the same; what is left is ignored and cleaned later
        log.warning("published %s, but %s was not removed (%s)", path, entry.path, exc.strerror)
    return path


def _withdraw(
    outbox: Path, slot: Slot, state: State, now: datetime, why: str = "the batch changed"
) -> None:
    write_state(outbox, slot.folder, State())
    detail = (
        f"{why} after its approval by {state.approved_by or 'someone unnamed'} at "
        f"{state.approved_at.isoformat() if state.approved_at else '?'}; approve it again"
    )
    log.info("%s: approval withdrawn: %s", slot.batch_id, detail)
    journal.record(outbox, now, "withdrawn", slot, detail)


def _intact(entry: Entry) -> bool:
    """Whether every file of the pending batch is still the one its manifest lists."""
    try:
        read_files(entry)
    except DigestError as exc:
        log.warning("%s; it is prepared again", exc)
        return False
    return True
