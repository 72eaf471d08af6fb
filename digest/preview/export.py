"""`digest preview --export DIR`: the preview's views as a static folder, for reviewers.

The same pages the server answers with, written to files with relative links: the folder opens
from file:// with no server, and loads nothing from the network (remote images in the email
become placeholders; every page and frame carries a <meta> CSP that allows nothing remote). A
page that cannot be built (a damaged batch file) is written as a page that says why.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

from digest.errors import DigestError
from digest.preview.pages import failure, respond, site_paths
from digest.preview.site import Site
from digest.seeds.files import printable

log = logging.getLogger(__name__)

MARKER = ".digest-preview-export"


def export_site(config: Path, folder: Path, now: datetime, seeds: Path | None = None) -> int:
    """Write every view of the project into `folder`; returns how many files were written.

    `folder` must be new, empty, or an earlier export (which is replaced). Raises `DigestError`
    naming the path when the folder cannot be made or written (a file in the way, a full disk).
    """
    site = Site(config, now, seeds)
    if site.problem is not None:
        raise site.problem
    folder = Path(folder)
    try:
        _prepare(folder)
        return _write(site, folder)
    except OSError as exc:
        where = printable(str(exc.filename if exc.filename is not None else folder))
        raise DigestError(
            f"{where}: cannot export there ({exc.strerror or exc}); pick a folder you can write "
            "to, e.g. --export review"
        ) from None


def _write(site: Site, folder: Path) -> int:
    count = 0
    for path in site_paths(site):
        try:
            response = respond(site, path, live=False)
        except Exception:  # the rest of the export is still worth having
            log.exception("preview export: %s failed", path)
            response = failure(path, 0, live=False)
        if response.status == 404:
            continue  # the email frames of a sample without an email; its page says why
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.body)
        count += 1
    return count


def _prepare(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise DigestError(f"{folder}: not a folder; pick a new or empty folder to export into")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise DigestError(
                f"{folder}: not empty and not an earlier export; pick a new or empty folder"
            )
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("written by digest preview --export; replaced by the next one\n")
