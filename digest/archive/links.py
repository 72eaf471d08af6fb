"""Links between the archive's own files: relative, so a copy of the site browses from disk too."""

from __future__ import annotations

import posixpath
from urllib.parse import quote


def relative(from_page: str, to_path: str) -> str:
    """The relative URL from the site file `from_page` to the site path `to_path`, both
    site-relative (`2026-12-01/morning-0800/index.html`, `feed.xml`, `schedules/morning/`).

    A file is linked as itself (`../../index.html`: a browser reading from disk opens no
    folder's index), a folder (ending with /) as a folder. Each part is percent-encoded, so no
    part reads as a scheme, query or fragment.
    """
    for path in (from_page, to_path):
        parts = path.split("/")
        if path.startswith("/") or "" in parts[:-1] or any(p in (".", "..") for p in parts):
            raise ValueError(f"{path!r} is not a path inside the site")
    folder = posixpath.dirname(from_page) or "."
    target = to_path.rstrip("/") or "."
    link = posixpath.relpath(target, folder)
    if to_path.endswith("/") or not to_path:
        link = "./" if link == "." else link + "/"
    return quote(link, safe="/")
