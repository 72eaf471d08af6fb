"""An editor's overrides of a story's summary: the edits file beside its seed, read and written.

`seeds/<stem>.edits.toml` sits beside `seeds/<stem>.txt` (or .md, .json) and replaces what the
summarizer wrote; every key is optional:

    by = "Ana Editor"            # who edited
    at = 2026-12-01T09:00:00Z    # when (the preview writes both)
    headline = "..."             # replaces the generated headline
    tagline = "..."
    hashtags = ["Transport", "London"]
    drop = false                 # true: the story is left out of batches until false or removed
    rank = 1                     # stories with a rank go first in the next slot, lowest first
    [bullets]                    # replaces bullet N (1 is the first) of the generated bullets
    2 = "..."

Reading (`read_edits`) refuses what the file alone shows is wrong (see `edits_values`), each
problem with its line; what needs the summary (lengths, whether bullet N exists) is checked by
`digest.summarize.edits`. Writing (`set_edit`) changes one key with tomlkit, so a file written
by hand keeps its comments and layout, and replaces the file whole.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from digest.errors import SeedError
from digest.seeds.edits_values import (
    KEYS,
    Problem,
    check,
    check_bullets,
    key_line,
    scan_key_lines,
    unknown_key,
)
from digest.seeds.files import read_bounded

EDITS_SUFFIX = ".edits.toml"
EDITS_MAX_BYTES = 64 * 1024
FORMAT = 'see "Editing a story" in the README'


@dataclass(frozen=True)
class Edits:
    """One story's overrides; `file` is relative to the seeds folder, `lines` gives the line of
    each key (`headline`, `bullets`, `bullets.2`, ...) for messages."""

    headline: str | None = None
    tagline: str | None = None
    bullets: Mapping[int, str] = field(default_factory=dict)
    hashtags: tuple[str, ...] | None = None
    drop: bool = False
    rank: int | None = None
    by: str | None = None
    at: datetime | None = None
    file: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        """The parts of the summary these edits replace: headline, tagline, bullets.N, hashtags."""
        found = [key for key in ("headline", "tagline") if getattr(self, key) is not None]
        found += [f"bullets.{number}" for number in sorted(self.bullets)]
        return (*found, "hashtags") if self.hashtags is not None else tuple(found)

    def line(self, key: str) -> int:
        """The line of `key` in the file (of its table, when the key has no line of its own)."""
        return key_line(self.lines, key)


class EditsError(SeedError):
    """An edits file with problems: the first is this error's line and reason; `problems` holds
    every one of them, in line order."""

    def __init__(self, file: str, problems: Sequence[tuple[int, str]]) -> None:
        ordered = sorted(problems, key=lambda problem: problem[0])
        self.problems = tuple(SeedError(file, line, reason) for line, reason in ordered)
        line, reason = ordered[0]
        if len(ordered) > 1:
            reason += f" (and {len(ordered) - 1} more in this file: digest validate lists them)"
        super().__init__(file, line, reason)


def edits_path(seeds_dir: Path, source: str) -> Path:
    """The edits file of the seed `source` (relative to `seeds_dir`): same stem, beside it."""
    return seeds_dir / edits_name(source)


@lru_cache(maxsize=8192)
def edits_name(source: str) -> str:
    """The edits file of the seed `source`, relative to the seeds folder (`a.txt` ->
    `a.edits.toml`); ValueError for a name outside the folder.

    String work, not pathlib's (ten times slower): a build asks for every unsent story's.
    """
    folder, _, name = source.rpartition("/")
    if source.startswith("/") or ".." in source.split("/") or not name:
        raise ValueError(f"{source!r}: not the name of a seed inside the seeds folder")
    dot = name.rfind(".")  # the stem as pathlib's: "a.b.txt" -> "a.b", ".x" -> ".x"
    stem = name[:dot] if 0 < dot < len(name) - 1 else name
    return f"{folder}/{stem}{EDITS_SUFFIX}" if folder else stem + EDITS_SUFFIX


def seed_stem(name: str) -> str | None:
    """The stem of the seed an edits file named `name` belongs to; None for another file."""
    stem = name.removesuffix(EDITS_SUFFIX)
    return stem if stem != name and stem and not name.startswith(".") else None


def read_edits(seeds_dir: Path, source: str, *, max_bytes: int = EDITS_MAX_BYTES) -> Edits | None:
    """The overrides of the seed `source`, or None when it has no edits file (one `lstat`).

    Raises `EditsError` (a `SeedError` naming the file and line) for a file that cannot be read
    or says what it may not; the message says what to write instead.
    """
    file = edits_name(source)
    try:
        info = os.lstat(os.path.join(seeds_dir, file))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise EditsError(
            file, [(1, f"cannot read: {exc.strerror}; check its permissions")]
        ) from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise EditsError(file, [(1, "not a plain file; an edits file is a TOML text file")])
    if info.st_size > max_bytes:
        reason = f"file is {info.st_size} bytes, over the {max_bytes}-byte cap of an edits file"
        raise EditsError(file, [(1, f"{reason}; it needs only the keys it changes")])
    return parse_edits(_read_text(seeds_dir, seeds_dir / file, file, max_bytes), file)


def _read_text(seeds_dir: Path, path: Path, file: str, max_bytes: int) -> str:
    """The text of the edits file `path` (a regular file, or a link to one inside the seeds
    folder); raises `EditsError`."""
    try:
        data = read_bounded(path, seeds_dir.resolve(), max_bytes)
    except SeedError as error:
        raise EditsError(file, [(error.line, error.reason)]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EditsError(file, [(line, "invalid UTF-8; save the file as UTF-8")]) from None
    return text.removeprefix("\ufeff")


def parse_edits(text: str, file: str) -> Edits:
    """The `Edits` that `text`, the TOML of the edits file `file`, says; raises `EditsError`."""
    data = _load(text, file)
    try:
        return _checked(text, data, file)
    except (RecursionError, MemoryError):  # values nested deeper than the checks can walk
        raise EditsError(file, [(1, f"{_TOO_DEEP}; {FORMAT}")]) from None


def _checked(text: str, data: dict[str, object], file: str) -> Edits:
    """The `Edits` that `data`, read from `text`, says; raises `EditsError`."""
    lines = scan_key_lines(text)
    problems: list[tuple[int, str]] = []
    values: dict[str, object] = {}
    for key, value in data.items():
        if key not in KEYS:
            problems.append((key_line(lines, key), unknown_key(key)))
            continue
        checked = check(key, value)
        if isinstance(checked, Problem):
            problems.append((key_line(lines, key), f"{key}: {checked.reason}"))
        else:
            values[key] = checked
    values["bullets"] = check_bullets(data.get("bullets", {}), lines, problems)
    if problems:
        raise EditsError(file, problems)
    return Edits(**values, file=file, lines=lines)  # type: ignore[arg-type]


def set_edit(
    seeds_dir: Path,
    source: str,
    field: str,
    value: str | list[str] | int | bool | None,
    *,
    by: str | None,
    now: datetime,
    check: Callable[[Edits], object] | None = None,
) -> Edits:
    """Set one override of the seed `source` and return the file's edits as they now read.

    `field` is headline, tagline, bullets.N, hashtags, drop or rank; `value` None removes its
    override, and a file left with none is removed. `by` (None: unknown) and `now` (aware) sign
    the file. The rest of the file (its keys, comments, layout) stays as it was. Nothing is
    written when the result would not read back (`EditsError`, naming the file and line) or
    when `check` (say, `apply_edits` against the story's summary) raises. ValueError for an
    unknown field or a value of the wrong type; `EditsError` when the file cannot be written.
    """
    from digest.seeds import edits_write

    path = edits_path(seeds_dir, source)
    file = edits_name(source)
    with edits_write.locked(path):
        current = None
        if os.path.lexists(path):
            current = _read_text(seeds_dir, path, file, EDITS_MAX_BYTES)
            _load(current, file)  # a file that is not TOML is named with its line, as read
        try:
            text = edits_write.changed_text(current, source, field, value, by=by, now=now)
        except edits_write.ParseError as exc:  # TOML that tomllib reads and tomlkit does not
            raise EditsError(
                file, [(exc.line, f"tomlkit cannot edit it ({exc}); {FORMAT}")]
            ) from None
        edits = Edits(file=file) if text is None else parse_edits(text, file)
        if check is not None:
            check(edits)
        try:
            if text is None:
                edits_write.remove(path)
            else:
                edits_write.write_whole(path, text)
        except OSError as exc:
            reason = f"cannot write: {exc.strerror or exc}; check that the seeds folder is writable"
            raise EditsError(file, [(1, reason)]) from None
        return edits


def _load(text: str, file: str) -> dict[str, object]:
    """The TOML of `text`; any failure to read it (not TOML, nested too deeply, a number too
    long, out of memory) is an `EditsError` naming `file`, so only its story is left out."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, _, where = str(exc).partition(" (at line ")
        line = int(where.split(",")[0]) if where[:1].isdigit() else 1
        raise EditsError(file, [(line, f"not valid TOML: {message}; {FORMAT}")]) from None
    except (RecursionError, MemoryError):
        raise EditsError(file, [(1, f"{_TOO_DEEP}; {FORMAT}")]) from None
    except ValueError:  # Python refuses to read an integer of more than 4300 digits
        reason = f"not valid TOML: a number too long to read; {FORMAT}"
        raise EditsError(file, [(1, reason)]) from None


_TOO_DEEP = "nested too deeply to read; an edits file holds a few plain keys"


class Sidecars:
    """The edits files of one seeds folder, each read at most once: a build asks for the same
    story when it selects the slot's stories and again when it summarizes them.

    The folder is listed once, on the first question; only a story whose edits file the listing
    shows is looked at further, so stories without one cost no system call at all (a seed in a
    subfolder, which the listing does not show, costs one `lstat`).
    """

    def __init__(self, seeds_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self._read: dict[str, Edits | SeedError | None] = {}
        self._listed: frozenset[str] | None = None
        self._tried = False

    def of(self, source: str) -> Edits | None:
        """`read_edits` of the seed `source`; raises its `EditsError` each time it is asked."""
        if source not in self._read:
            try:
                self._read[source] = self._look(source)
            except SeedError as error:
                self._read[source] = error
        found = self._read[source]
        if isinstance(found, SeedError):
            raise found
        return found

    def none_for(self, sources: Iterable[str]) -> bool:
        """Whether none of the seeds `sources` can have an edits file: the folder's listing
        shows none, and none of them is in a subfolder (which it does not show)."""
        listed = self._listing()
        return listed is not None and not listed and not any("/" in s for s in sources)

    def _look(self, source: str) -> Edits | None:
        listed = self._listing()
        if listed is not None and "/" not in source and edits_name(source) not in listed:
            return None
        return read_edits(self.seeds_dir, source)

    def _listing(self) -> frozenset[str] | None:
        """The edits files the folder holds, listed once; None when it cannot be listed."""
        if not self._tried:
            self._tried = True
            with contextlib.suppress(OSError):  # names alone: listdir is the cheapest listing
                names = os.listdir(self.seeds_dir)
                self._listed = frozenset(n for n in names if n.endswith(EDITS_SUFFIX))
        return self._listed


def sidecar_names(seeds_dir: Path) -> list[str]:
    """The edits files in `seeds_dir`, by name, sorted (hidden files left out)."""
    with os.scandir(seeds_dir) as listing:
        return sorted(entry.name for entry in listing if seed_stem(entry.name))
