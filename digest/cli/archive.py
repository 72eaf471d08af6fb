"""`digest archive`: bring the public archive (a static site of every published issue) up to date.

The archive's code (the templates, the feeds' XML) is imported inside the command, so that
`digest --help` stays instant."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from digest.cli.common import OK, PARTIAL, clean_os_errors, command, print_json


def add_commands(commands: Any) -> None:
    """Register `archive` on the main parser."""
    archive = command(
        commands,
        "archive",
        "build the public archive of the published issues: a static site in [paths] site",
        "digest archive --out public/",
    )
    archive.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        help="the config file (default: ./config.toml)",
    )
    archive.add_argument(
        "--out", type=Path, metavar="DIR", help="the site folder (default: [paths] site)"
    )
    archive.add_argument("--json", action="store_true", help="print the result as JSON")
    archive.set_defaults(run=clean_os_errors(_archive))


def _archive(args: argparse.Namespace) -> int:
    from digest.archive import build_archive
    from digest.config import load_config
    from digest.errors import ConfigError

    settings = load_config(args.config)
    try:
        result = build_archive(settings, args.out.absolute() if args.out else None)
    except ConfigError as error:  # a key the archive needs (base_url): named in this file
        raise ConfigError(args.config, error.problems) from None
    # Each skipped batch is already a warning on stderr, naming it, why, and what to do.
    if args.json:
        print_json(
            {
                "out": str(result.out),
                "issues": result.issues,
                "written": list(result.written),
                "unchanged": result.unchanged,
                "removed": list(result.removed),
                "skipped": [{"folder": s.folder, "reason": s.reason} for s in result.skipped],
            }
        )
    else:
        print(
            f"archived {result.issues} issues into {shown(result.out)}: "
            f"{len(result.written)} written, {result.unchanged} unchanged, "
            f"{len(result.removed)} removed, {len(result.skipped)} skipped"
        )
    return PARTIAL if result.skipped else OK


def shown(folder: Path) -> str:
    """`folder` as a person reads it: relative to the current folder when inside it, with a /."""
    try:
        name = folder.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        name = str(folder)
    return f"{name}/" if name != "." else "./"
