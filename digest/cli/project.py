"""`digest init` and `digest templates list|copy`: start a project, and take over its templates."""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path
from typing import Any

from digest.cli.common import OK, clean_os_errors, command, print_json


def add_commands(commands: Any) -> None:
    """Register `init` and `templates` on the main parser."""
    init = command(
        commands,
        "init",
        "start a new project: config.toml, seeds/ with an example seed, outbox/ and a README",
        "digest init my-digest && cd my-digest && digest build",
    )
    init.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the project folder, created if missing (default: the current folder)",
    )
    init.add_argument("--force", action="store_true", help="overwrite files that already exist")
    init.set_defaults(run=clean_os_errors(_init))

    templates = command(
        commands,
        "templates",
        "show where each template comes from, or copy the default theme's to edit them",
        "digest templates copy email/partials/footer.mjml.j2",
    )
    verbs = templates.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = command(
        verbs,
        "list",
        "every template, and whether the project or the package provides it",
        "digest templates list --json",
    )
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(run=clean_os_errors(_list))
    copy = command(
        verbs,
        "copy",
        "copy the default theme's templates into the project's templates folder to edit them",
        "digest templates copy email/partials/footer.mjml.j2 social",
    )
    copy.add_argument("names", nargs="+", metavar="NAME", help="a template, or a folder of them")
    copy.add_argument("--force", action="store_true", help="overwrite the project's own copies")
    copy.set_defaults(run=clean_os_errors(_copy))
    for verb in (listing, copy):
        verb.add_argument(
            "--config", type=Path, help="the config file (default: ./config.toml if there is one)"
        )
        verb.add_argument(
            "--templates",
            type=Path,
            metavar="DIR",
            help="the project's templates folder (default: [paths] templates, else ./templates)",
        )


def _init(args: argparse.Namespace) -> int:
    from digest.project import init_project

    written = init_project(args.folder, force=args.force)
    names = ", ".join(path.relative_to(args.folder).as_posix() for path in written)
    print(f"wrote a new project in {args.folder}: {names}")
    here = os.path.abspath(args.folder) == os.getcwd()
    first = "digest validate" if here else f"cd {shlex.quote(str(args.folder))}"
    print("next:", first, "digest build", "digest preview --open", sep="\n  ")
    return OK


def _list(args: argparse.Namespace) -> int:
    from digest.project import list_templates, templates_folder

    rows = list_templates(templates_folder(args.templates, args.config))
    if args.json:
        print_json([{**row._asdict(), "path": str(row.path)} for row in rows])
        return OK
    width = max(len(row.name) for row in rows)
    for row in rows:
        note = "" if row.in_theme else "  (no packaged default: used where a template includes it)"
        print(f"{row.name:<{width}}  {row.source:<7}  {row.path}{note}")
    return OK


def _copy(args: argparse.Namespace) -> int:
    from digest.project import copy_templates, templates_folder

    folder = templates_folder(args.templates, args.config)
    for path in copy_templates(args.names, folder, force=args.force):
        print(f"copied {path}")
    return OK
