"""`digest fetch`: turn the `[[sources]]` feeds of config.toml into seed files.

The fetching code (httpx, feedparser, trafilatura) is imported inside the command, so that
`digest --help` stays instant."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from digest.cli.common import FAILED, OK, clean_os_errors, command, print_json, project_options


def add_commands(commands: Any) -> None:
    """Register `fetch` on the main parser."""
    fetch = command(
        commands,
        "fetch",
        "fetch the [[sources]] feeds of config.toml and write each new item as a seed",
        "digest fetch --source city-news",
    )
    project_options(fetch)
    fetch.add_argument("--source", metavar="NAME", help="fetch only this source (default: all)")
    fetch.add_argument("--json", action="store_true", help="print the results as JSON")
    fetch.set_defaults(run=clean_os_errors(_fetch))


def _fetch(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.sources import fetch_sources

    settings = load_config(args.config)
    if not settings.sources:
        print(
            f"digest: {args.config}: no [[sources]] to fetch; add one (see the README's "
            "'Sources' section)",
            file=sys.stderr,
        )
        return FAILED
    results = fetch_sources(settings, only=args.source, seeds=args.seeds)
    if args.json:
        print_json(
            [
                {
                    "name": r.name,
                    "status": r.status,
                    "reason": r.reason,
                    "new": [str(path) for path in r.new],
                    "fetched_at": r.fetched_at.isoformat(),
                }
                for r in results
            ]
        )
    else:
        for r in results:
            why = f": {r.reason}" if r.reason else ""
            print(f"{r.name}: {r.status}, {len(r.new)} new{why}")
    return FAILED if any(r.status == "failed" for r in results) else OK
