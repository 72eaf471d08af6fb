"""A batch's files, read as its manifest lists them, never from outside the batch: a published
one (`read_batch`) or one waiting for approval in outbox/.pending (`read_pending`, each file
checked against its sha256, so the page shows what approving it approves)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from digest.errors import DigestError
from digest.models import Story, Summary
from digest.outbox.batches import read_manifest
from digest.outbox.manifest import Manifest
from digest.outbox.pending import read_entry, read_files
from digest.preview.model import Item, Sample, Subject

MAX_FILE_BYTES = 10_000_000  # more than any batch file the pipeline writes


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every symlink followed, is a file inside `folder` (also followed)."""
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(root + os.sep) and os.path.isfile(real)


def read_batch(subject: Subject, batch: Path, outbox: Path, stories: Iterable[Story]) -> Sample:
    """The files of a published batch and its stories' summaries, joined to today's seeds."""
    if not os.path.realpath(batch).startswith(os.path.realpath(outbox) + os.sep):
        raise DigestError(f"{batch}: the batch folder leads outside the outbox; not shown")
    manifest = read_manifest(batch)
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    for listed in manifest.files:
        path = batch / listed.path
        if not inside(path, batch) or path.stat().st_size > MAX_FILE_BYTES:
            skipped.append(listed.path)
            continue
        files[listed.path] = path.read_bytes()
    problem = None
    if skipped:
        problem = f"not shown (missing, outside the batch, or too large): {', '.join(skipped)}"
    items = items_of(manifest, files, stories)
    return Sample(subject, batch_id=manifest.batch_id, files=files, items=items, problem=problem)


def read_pending(subject: Subject, outbox: Path, stories: Iterable[Story]) -> Sample:
    """The batch of `subject` (kind "pending", key DATE/SLOT) waiting in outbox/.pending, every
    file as its manifest's sha256 says; DigestError when none waits there or a file differs."""
    entry = read_entry(outbox, subject.key)
    if entry is None:
        raise DigestError(f"{subject.key}: no batch waits for approval there now")
    files = {path: content for path, content, _ in read_files(entry)}
    items = items_of(entry.manifest, files, stories)
    return Sample(
        subject,
        batch_id=entry.manifest.batch_id,
        files=files,
        items=items,
        manifest_sha256=entry.sha256,
    )


def items_of(
    manifest: Manifest, files: dict[str, bytes], stories: Iterable[Story]
) -> tuple[Item, ...]:
    """The batch's stories with their summaries as its files hold them, joined to today's seeds
    by content hash (None where the seed has changed or gone)."""
    by_hash = {story.content_hash: story for story in stories}
    items = []
    for record in manifest.stories:
        summary = _summary(files.get(f"stories/{record.slug}.json"))
        if summary is not None:
            items.append(Item(summary, by_hash.get(record.content_hash), record.source))
    return tuple(items)


def _summary(data: bytes | None) -> Summary | None:
    if data is None:
        return None
    try:
        return Summary.model_validate(json.loads(data)["summary"])
    except (ValueError, KeyError, TypeError, ValidationError):
        return None
