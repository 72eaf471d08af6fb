"""A published batch's files, read as its manifest lists them, never from outside the batch."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from digest.errors import DigestError
from digest.models import Story, Summary
from digest.outbox.batches import read_manifest
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
    by_hash = {story.content_hash: story for story in stories}
    items = []
    for record in manifest.stories:
        summary = _summary(files.get(f"stories/{record.slug}.json"))
        if summary is not None:
            items.append(Item(summary, by_hash.get(record.content_hash), record.source))
    problem = None
    if skipped:
        problem = f"not shown (missing, outside the batch, or too large): {', '.join(skipped)}"
    return Sample(
        subject, batch_id=manifest.batch_id, files=files, items=tuple(items), problem=problem
    )


def _summary(data: bytes | None) -> Summary | None:
    if data is None:
        return None
    try:
        return Summary.model_validate(json.loads(data)["summary"])
    except (ValueError, KeyError, TypeError, ValidationError):
        return None
