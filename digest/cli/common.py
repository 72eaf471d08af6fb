"""What every `digest` command shares: exit statuses, how a command is added, common options,
JSON output and one clean line for an OSError. Light on purpose: `digest --help` imports it."""

from __future__ import annotations

import argparse
import errno
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest.errors import DigestError

OK, FAILED, PARTIAL = 0, 1, 2  # done; failed; done, but some seeds were rejected
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)
Command = Callable[[argparse.Namespace], int]
_ADVICE = {
    errno.ENOTDIR: "a file stands where a folder must be; move it away or pick another path",
    errno.EEXIST: "a file stands where a folder must be; move it away or pick another path",
    errno.EISDIR: "a folder stands where a file must be; move it away",
    errno.ENOENT: "it does not exist; check the path (and [paths] outbox in config.toml)",
    errno.EACCES: "permission denied; run as a user who may write there, or fix its permissions",
    errno.EPERM: "not permitted; run as a user who may write there, or fix its permissions",
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EROFS: "the file system is read-only; pick a writable outbox",
}


def command(commands: Any, name: str, summary: str, example: str) -> argparse.ArgumentParser:
    """Add the subcommand `name`; its help is `summary` and its description ends in `example`."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. Example: {example}"
    )
    return parser


def project_options(parser: argparse.ArgumentParser) -> None:
    """The --config and --seeds options."""
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        help="the config file (default: ./config.toml)",
    )
    parser.add_argument("--seeds", type=Path, help="the seeds folder (default: from config)")


def print_json(value: Any) -> None:
    """Print `value` as indented JSON."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


def clean_os_errors(run: Command) -> Command:
    """Turn an OSError of `run` into one DigestError line naming the path and what to do."""

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except OSError as exc:
            where = exc.filename if exc.filename is not None else "digest"
            advice = _ADVICE.get(exc.errno or 0, "fix the cause and run again")
            raise DigestError(f"{where}: {exc.strerror or exc}; {advice}") from exc

    return wrapped
