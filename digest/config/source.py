"""The bytes and the TOML document of `config.toml`, each failure a `ConfigError` on `(file)`."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from digest.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000  # config.toml is a few kilobytes; more is the wrong file
_FOLDER = "is a folder, not a file; pass --config path/to/config.toml"


def read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_CONFIG_BYTES, or a `ConfigError` saying why not.

    Opened without blocking, so a FIFO named config.toml is refused instead of waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ConfigError(
            path, [("(file)", "not found; pass --config PATH or create it")]
        ) from None
    except IsADirectoryError:
        raise ConfigError(path, [("(file)", _FOLDER)]) from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(
            path, [("(file)", f"cannot be read ({reason}); check the path")]
        ) from None
    try:
        raw = _read_regular(path, fd)
    finally:
        os.close(fd)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            path, [("(file)", f"is over {MAX_CONFIG_BYTES} bytes; is it config.toml?")]
        )
    return raw


def _read_regular(path: Path, fd: int) -> bytes:
    """Up to MAX_CONFIG_BYTES + 1 bytes of the open `fd`, when it is a regular file."""
    kind = os.fstat(fd).st_mode
    if stat.S_ISDIR(kind):
        raise ConfigError(path, [("(file)", _FOLDER)])
    if not stat.S_ISREG(kind):
        raise ConfigError(path, [("(file)", "is not a regular file (a FIFO, device or socket)")])
    chunks, size = [], 0
    try:
        while size <= MAX_CONFIG_BYTES and (chunk := os.read(fd, MAX_CONFIG_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise ConfigError(path, [("(file)", f"cannot be read ({error.strerror})")]) from None
    return b"".join(chunks)


def parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    """The TOML document of `raw`; undecodable, invalid or absurdly nested text is a ConfigError."""
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = f"not UTF-8 at byte {exc.start} (line {line}); save the file as UTF-8"
        raise ConfigError(path, [("(file)", reason)]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [("(syntax)", f"invalid TOML: {exc}")]) from None
    except RecursionError:
        reason = "arrays or tables are nested too deeply to read; config.toml needs a few levels"
        raise ConfigError(path, [("(syntax)", reason)]) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise ConfigError(path, [("(syntax)", f"invalid TOML: {exc}")]) from None
