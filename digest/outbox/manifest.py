"""The manifest of a published batch: what it holds, and the checksum of every file."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError

from digest import __version__
from digest.jsonfile import json_file
from digest.models import Frozen, RejectedSeed, Rendered

SCHEMA_VERSION: Literal[1] = 1


def holds_batch(folder: Path | str) -> bool:
    """Whether `folder` is a whole batch: a real folder, not a link, holding its manifest.json.

    Publishing writes the manifest last and puts the folder in place with one rename, so a folder
    with a manifest is complete and one without is no batch, whatever else it holds. A manifest
    that is itself a link still marks a batch, a damaged one: reading it refuses the link, and the
    stories its stories/ folder holds still count as carried (see batches.carried).
    """
    return not os.path.islink(folder) and os.path.isfile(os.path.join(folder, "manifest.json"))


class SlotTimes(Frozen):
    local: datetime
    utc: datetime


class StoryRecord(Frozen):
    id: str
    slug: str
    content_hash: str
    source: str


def check_batch_path(path: str) -> str:
    """`path` if it names a file inside a batch folder; ValueError saying why not."""
    parts = path.split("/")
    if not path or path.startswith("/"):
        problem = "must be a relative path inside the batch folder"
    elif "\\" in path:
        problem = "must use / between folders, not a backslash"
    elif not (path.isascii() and path.isprintable()) and any(
        unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in path
    ):  # of ASCII, only the controls are category C
        problem = "must not hold control or format characters"
    elif any(part in ("", ".", "..") for part in parts):
        problem = "must not hold empty, '.' or '..' parts"
    elif path == "manifest.json" or parts[0] == "claims":
        problem = "must not name the manifest or the claims folder"
    else:
        return path
    raise ValueError(f"file path {path!r} {problem}")


BatchPath = Annotated[
    str,
    AfterValidator(check_batch_path),
    Field(
        description="Relative POSIX path inside the batch folder: no leading '/', no '.', '..' "
        "or empty parts, no backslash or control characters, never manifest.json or claims/."
    ),
]


class FileRecord(Frozen):
    path: BatchPath
    bytes: int
    sha256: str
    media_type: str


class Approval(Frozen):
    # Who approved a batch of a schedule with `approval = "required"`, when, and the sha256 of
    # the manifest.json they approved (this manifest without its `approval`, as manifest_bytes
    # writes it). A comment, not a docstring: pydantic would publish a docstring in the schema.

    by: str | None
    at: datetime
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(Frozen):
    """`manifest.json`, written last into a batch folder; consumers trust it."""

    schema_version: Literal[1] = SCHEMA_VERSION
    batch_id: str
    schedule: str
    slot: SlotTimes
    generator: str
    config_hash: str
    channels: tuple[str, ...]
    stories: tuple[StoryRecord, ...]
    files: tuple[FileRecord, ...]
    rejected: tuple[RejectedSeed, ...]
    approval: Approval | None = None  # only in batches that waited for approval


def build_manifest(rendered: Rendered, config_hash: str) -> Manifest:
    """The manifest of `rendered`: files sorted by path, each with its size and sha256."""
    digest = rendered.digest
    return Manifest(
        batch_id=digest.slot.batch_id,
        schedule=digest.slot.schedule,
        slot=SlotTimes(local=digest.slot.local, utc=digest.slot.utc),
        generator=f"digest {__version__}",
        config_hash=config_hash,
        channels=digest.channels,
        stories=tuple(
            StoryRecord(
                id=e.story.id,
                slug=e.story.slug,
                content_hash=e.story.content_hash,
                source=e.story.source,
            )
            for e in digest.entries
        ),
        files=tuple(
            FileRecord(
                path=f.path,
                bytes=len(f.content),
                sha256=hashlib.sha256(f.content).hexdigest(),
                media_type=f.media_type,
            )
            for f in sorted(rendered.files, key=lambda f: f.path)
        ),
        rejected=digest.rejected,
    )


def manifest_problem(error: ValidationError) -> str:
    """Why a manifest's bytes are no `Manifest`, said once: "not a valid manifest: <key>: <why>"."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"not a valid manifest: {where + ': ' if where else ''}{first['msg']}"


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as stable, human-readable JSON; a batch that needed no approval has no
    `approval` key (its bytes are those of the manifests before approval existed)."""
    data = manifest.model_dump(mode="json")
    if manifest.approval is None:
        del data["approval"]
    return json_file(data)


def manifest_schema() -> str:
    """The manifest's JSON Schema, for consumers."""
    return json.dumps(Manifest.model_json_schema(), indent=2, sort_keys=True) + "\n"
