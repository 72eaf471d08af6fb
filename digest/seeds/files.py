"""Reading one seed file's bytes, bounded and typed: a regular file inside the seeds folder, or a
`SeedError` naming it.

A seeds folder is a place anything can land in (a FIFO named `x.txt`, a link to `/dev/zero`, a
link loop, a file name in another encoding), and none of it may hang, exhaust memory or crash the
build: files are checked with `stat` before opening (opening a device can have effects), opened
without blocking and without following links, checked again on the open descriptor, and read up to
`max_bytes + 1` bytes.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

from digest.errors import SeedError

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symlink",
}
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
_CHUNK = 1 << 16
_HIDDEN = ("Cc", "Cf", "Zl", "Zp")
_JOINERS = ("\u200c", "\u200d")


def printable(text: str) -> str:
    """`text` safe to print and to write as UTF-8: undecodable bytes, control, bidi and invisible
    characters backslash-escaped (`bad\\xff.txt`, `a\\nb.txt`, `\\u202egpj.txt`)."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file name decoding produces
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(
        char.encode("unicode_escape").decode("ascii") if _hidden(char) else char for char in text
    )


def _hidden(char: str) -> bool:
    """Control characters, line separators and format characters (bidi controls that make
    `\u202egpj.txt` show as `txt.jpg`, zero-width spaces), but the joiners a script or an
    emoji is written with (Persian ZWNJ, the ZWJ of 👨‍👩‍👧)."""
    return unicodedata.category(char) in _HIDDEN and char not in _JOINERS


def check_name(path: Path) -> None:
    """Refuse a file name that is not UTF-8 or holds control, bidi or invisible characters,
    naming it escaped."""
    shown = printable(path.name)
    if shown == path.name:
        return
    if any("\udc80" <= char <= "\udcff" for char in path.name):
        what = "is not valid UTF-8"
    elif any(unicodedata.category(char) == "Cc" for char in path.name):
        what = "holds control characters"
    else:
        what = "holds invisible or bidi-control characters"
    raise SeedError(
        Path(printable(str(path))),
        1,
        f"the file name {what} (shown escaped: {shown}); rename it with plain UTF-8 characters",
    )


def read_bounded(path: Path, root: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file `path` (a symlink only to a file inside `root`), at most
    `max_bytes`; raises `SeedError` for anything else."""
    target = _target(path, root)
    try:
        _require_regular(path, os.stat(target, follow_symlinks=False))
        fd = os.open(target, _FLAGS)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        # Checked again on the descriptor: the name may have been swapped since the stat.
        info = os.fstat(fd)
        _require_regular(path, info)
        if info.st_size > max_bytes:
            raise SeedError(
                path,
                1,
                f"file is {info.st_size} bytes, over the {max_bytes}-byte cap; "
                "split it or raise [seeds] max_bytes in config.toml",
            )
        data = _read_at_most(fd, max_bytes + 1)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise SeedError(path, 1, f"file is over the {max_bytes}-byte cap (it grew while read)")
    return data


def _target(path: Path, root: Path) -> Path:
    """`path`, or the file its symlink resolves to, which must lie inside `root`."""
    try:
        if not path.is_symlink():
            return path
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise SeedError(
            path, 1, "symlink leads to nothing (a dangling link); fix or remove it"
        ) from None
    except RuntimeError:  # Python 3.11 reports a loop this way; later versions as OSError ELOOP
        raise SeedError(
            path, 1, "symlink loop (the link leads back to itself); remove it"
        ) from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if not target.is_relative_to(root):
        raise SeedError(
            path,
            1,
            f"symlink leads outside the seeds folder (to {printable(str(target))}); "
            "copy the file into the folder instead",
        )
    return target


def _require_regular(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a plain file")
        raise SeedError(
            path,
            1,
            f"not a regular file (it is {kind}); a seed is a text file: move it out of the seeds "
            "folder or rename it without the .txt/.md/.json suffix",
        )


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _unreadable(path: Path, exc: OSError) -> SeedError:
    reason = exc.strerror or exc.__class__.__name__
    return SeedError(path, 1, f"cannot read: {reason}; check the file and its permissions")
