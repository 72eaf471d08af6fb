"""One key of an edits file changed with tomlkit, and the file replaced whole.

tomlkit keeps what a person wrote (comments, order, quoting, blank lines), so an editor's
hand-written notes survive the preview's writes. Imported only when writing: tomlkit takes
longer to import than a build without edits files spends on them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import Table

from digest.cachefile import remove_left_behind
from digest.seeds.edits_values import BULLET_KEY

__all__ = ["ParseError"]  # set_edit catches it by this module's name
OVERRIDES = ("headline", "tagline", "hashtags", "drop", "rank", "bullets")
FIELDS = ("headline", "tagline", "hashtags", "drop", "rank", "bullets.N")
HEADER = (
    "Edits of {source}: digest uses what this file says instead of what it generated.",
    'headline = "..."         replaces the headline (at most 70 characters)',
    'tagline = "..."          replaces the tagline (at most 120 characters)',
    'hashtags = ["A", "B"]    replaces the hashtags (each one word, without #)',
    "drop = true              leaves the story out of batches until false or removed",
    "rank = 1                 puts the story first in the next slot (lowest rank first)",
    "[bullets]",
    '2 = "..."                replaces bullet 2 (1 is the first; at most 200 characters)',
    'Remove a key to get the generated text back; see "Editing a story" in the README.',
)
Value = str | list[str] | tuple[str, ...] | int | bool | None

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One writer at a time for `path` in this process (the preview's request threads)."""
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(os.path.abspath(path), threading.Lock())
    with lock:
        yield


def changed_text(
    current: str | None, source: str, field: str, value: Value, *, by: str | None, now: datetime
) -> str | None:
    """The text of the edits file after `field` is set to `value` (None: its override
    removed), signed `by` at `now`; None when no override is left. ValueError for a field that
    is not one of `FIELDS` or a value of the wrong type."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    checked = _checked_type(field, value)
    doc = tomlkit.parse(current) if current is not None else _new_document(source)
    for key, new in (("by", by), ("at", now.astimezone(UTC).replace(microsecond=0))):
        if new is None:
            doc.pop(key, None)
        else:
            doc[key] = new
    _change(doc, field, checked)
    return tomlkit.dumps(doc) if any(key in doc for key in OVERRIDES) else None


def _new_document(source: str) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    for line in HEADER:
        doc.add(tomlkit.comment(line.format(source=source)))
    doc.add(tomlkit.nl())
    return doc


_TYPES: dict[str, type | tuple[type, ...]] = {
    "headline": str,
    "tagline": str,
    "bullets": str,
    "hashtags": (list, tuple),
    "drop": bool,
    "rank": int,
}


def _checked_type(field: str, value: Value) -> Value:
    name, dot, number = field.partition(".")
    if name not in _TYPES or (name == "bullets") != bool(dot):
        raise ValueError(f"{field!r}: not a field of an edits file; the fields are {FIELDS}")
    if dot and not BULLET_KEY.fullmatch(number):
        raise ValueError(f"{field!r}: a bullet is bullets.N, N its number (1 is the first)")
    if value is None:
        return None
    wrong_int = name == "rank" and isinstance(value, bool)
    if not isinstance(value, _TYPES[name]) or wrong_int:
        raise ValueError(f"{field}: {type(value).__name__} is not a value it takes")
    if isinstance(value, list | tuple):
        if not all(isinstance(tag, str) for tag in value):
            raise ValueError(f"{field}: a list of text only")
        return list(value)
    return value


def _change(doc: tomlkit.TOMLDocument, field: str, value: Value) -> None:
    name, _, number = field.partition(".")
    if name != "bullets":
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = value
        return
    bullets = doc.get("bullets")
    if value is None:
        if isinstance(bullets, dict):
            bullets.pop(number, None)
            if not bullets:
                doc.pop("bullets")
        return
    if not isinstance(bullets, dict):  # none yet, or a value no bullets could be read from
        doc.pop("bullets", None)
        table: Table = tomlkit.table()
        doc["bullets"] = table
        bullets = doc["bullets"]
    bullets[number] = value


def write_whole(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8), whole or not at all; the file keeps its mode.
    Raises OSError, leaving `path` as it was."""
    remove_left_behind(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(path.parent)


def remove(path: Path) -> None:
    """Remove `path` (an edits file left with nothing to override), if it is there."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot fsync a folder
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
