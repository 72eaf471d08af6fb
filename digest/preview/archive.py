"""The archive beside the preview: where each published batch is on the web, and the site.

Each batch the index lists gets its issue's public URL (`[archive] base_url` and the page the
archive gives it) and, once `digest archive` has written that page into the site folder
(`[paths] site`), a link to it there, served read-only at /archive/<site path>. Only what the
archive writes is served (.html, .xml, .json; no hidden file such as its state), each file
reached through no symbolic link and inside the site folder (`open_inside`).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from digest.archive.issues import read_issue
from digest.config import Settings
from digest.errors import DigestError
from digest.outbox.published import Batch
from digest.outbox.verify import open_inside

MAX_FILE_BYTES = 50_000_000  # far more than any page or feed the archive writes
# What the archive writes, by suffix: nothing else of the site folder is served.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
NOT_YET = "not in the archive yet: run digest archive"


@dataclass(frozen=True)
class ArchiveLink:
    """A batch in the archive: its public URL, its page in the site folder, or why not."""

    url: str | None = None  # where the issue's page is on the web
    page: str | None = None  # its site path, when the site folder holds it
    note: str | None = None  # why there is no page to open (yet)


def archive_link(settings: Settings, site_dir: Path, batch: Batch) -> ArchiveLink:
    """Where `batch` is (or will be) in the archive; a note when it is not there."""
    archive = settings.archive
    if archive.base_url is None:
        return ArchiveLink(note="no archive: set [archive] base_url in config.toml")
    if not archive.archives(batch.schedule):
        return ArchiveLink(note=f"not archived: [archive] schedules leaves out {batch.schedule}")
    try:
        issue = read_issue(batch, settings, archive.base_url)
    except DigestError as error:
        return ArchiveLink(note=f"left out of the archive: {error}")
    if issue is None:
        return ArchiveLink(note="no email, so no page in the archive")
    if not site_has(site_dir, issue.page):
        return ArchiveLink(url=issue.url, note=NOT_YET)
    return ArchiveLink(url=issue.url, page=issue.page)


def site_path(parts: list[str], folder: bool) -> str | None:
    """The site path that /archive/<parts> names (a folder: its index.html), or None when it
    is none the archive writes: a hidden name, or a suffix other than .html, .xml, .json."""
    if folder or not parts:
        parts = [*parts, "index.html"]
    if any(part.startswith(".") or part in ("", "..") or "\\" in part for part in parts):
        return None
    if posixpath.splitext(parts[-1])[1] not in MEDIA_TYPES:
        return None
    return "/".join(parts)


def site_file(site_dir: Path, path: str) -> bytes | None:
    """The bytes of the site file `path`, None when it is missing, not a regular file, too
    large, or reached through a symbolic link."""
    try:
        with os.fdopen(open_inside(site_dir, path), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


def site_has(site_dir: Path, path: str) -> bool:
    """Whether the site folder holds `path` as `site_file` would serve it."""
    try:
        os.close(open_inside(site_dir, path))
    except OSError:
        return False
    return True
