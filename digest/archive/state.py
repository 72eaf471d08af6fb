"""The archive's memory of its last run (`.digest-archive.json` in the site folder): which
batch each issue page was rendered from, with what, and the sha256 of every file it wrote.

It is a cache, never trusted over the files: a page is left as it is only when the state says
it was rendered from the same batch with the same settings *and* the file on disk still has the
bytes the state recorded. A state that is missing, garbled, of another version or naming a path
the archive could not have written (`../../etc/passwd`, its own lock) is logged and treated as
empty: every page is rendered again and compared with what is on disk. It also says which files
the archive wrote, so that only those are ever removed.

    {"schema": 1, "key": "<sha256 of the generator and settings>",
     "pages": {"2026-12-01/morning-0800": {"batch_id": "...", "fingerprint": "...",
                                           "page": "2026-12-01/morning-0800/index.html"}},
     "files": {"index.html": "<sha256>", ...}}
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from digest.cachefile import own_file_bytes
from digest.jsonfile import json_file

log = logging.getLogger("digest.archive")
STATE = ".digest-archive.json"
SCHEMA = 1
MAX_STATE = 64 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PageRecord:
    """What one issue page was rendered from."""

    batch_id: str
    fingerprint: str  # the batch's Issue.fingerprint
    page: str  # its site-relative file


@dataclass(frozen=True)
class State:
    """The archive's record of its last run; `State()` when there is none to believe."""

    key: str = ""  # what issue pages were rendered with (see digest.archive.render_key)
    pages: dict[str, PageRecord] = field(default_factory=dict)  # batch folder -> its page
    files: dict[str, str] = field(default_factory=dict)  # site path -> sha256 of its bytes


def path_problem(path: str) -> str | None:
    """Why `path` is no site-relative file path the archive may write or remove (an empty, `.`
    or `..` part, absolute, a backslash or NUL, one of the archive's own `.digest` names but its
    state), or None when it is one."""
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in path or "\0" in path:
        return "not a path inside the site"
    if parts[0].startswith(".digest") and path != STATE:
        return "a name the archive keeps for its own files"
    return None


def read_state(out: Path) -> State:
    """The state in the site folder `out`; an empty State (logged) when it cannot be believed."""
    path = out / STATE
    try:
        data = orjson.loads(own_file_bytes(path, MAX_STATE))
        return _state(data)
    except FileNotFoundError:
        return State()
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning(
            "%s: not the archive's state (%s); every page is rendered again and compared "
            "with the files on disk",
            path,
            getattr(exc, "strerror", None) or exc,
        )
        return State()


def state_bytes(state: State) -> bytes:
    """The state as its file holds it: sorted keys, so the same run writes the same bytes."""
    pages = {
        folder: {"batch_id": r.batch_id, "fingerprint": r.fingerprint, "page": r.page}
        for folder, r in state.pages.items()
    }
    value = {"schema": SCHEMA, "key": state.key, "pages": pages, "files": state.files}
    return json_file(value, sort_keys=True)


def _state(data: Any) -> State:
    """`data` read from the file as a State; ValueError naming what is wrong."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"not schema {SCHEMA}")
    key, pages, files = data.get("key"), data.get("pages"), data.get("files")
    if not isinstance(key, str) or not isinstance(pages, dict) or not isinstance(files, dict):
        raise ValueError("no key, pages or files")
    records = {}
    for folder, entry in pages.items():
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(name), str) for name in ("batch_id", "fingerprint", "page")
        ):
            raise ValueError(f"page {folder!r} is not a record")
        if _not_a_file(entry["page"]):
            raise ValueError(f"page {folder!r}: {entry['page']!r} is no file of the site")
        records[folder] = PageRecord(entry["batch_id"], entry["fingerprint"], entry["page"])
    for path, digest in files.items():
        if _not_a_file(path):
            raise ValueError(f"{path!r} is no file of the site")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise ValueError(f"file {path!r} has no sha256")
    return State(key, records, dict(files))


def _not_a_file(path: str) -> bool:
    """Whether `path` is no site file the archive writes (the state itself is none either)."""
    return path == STATE or path_problem(path) is not None
