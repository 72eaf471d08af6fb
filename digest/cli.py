"""The `digest` command: parse options, call one library function, print one line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from digest import __version__
from digest.errors import DigestError

OK, FAILED, PARTIAL = 0, 1, 2

EPILOG = """examples:
  digest build                       build today's batch of the first schedule
  digest build --date 2026-11-28 --schedule morning --force
  digest summarize seeds/*.txt       summaries as JSON
  digest validate                    check config.toml and every seed
  digest schema manifest             the JSON Schema of manifest.json
"""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 some seeds rejected, 1 failure)."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
        return status
    except DigestError as error:
        print(f"digest: {error}", file=sys.stderr)
        if args.verbose:
            raise
        return FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Turn news seeds into newsletters and social posts, published to outbox/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    parser.set_defaults(run=lambda _: _help(parser))
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="build one batch into outbox/",
        description="Build and publish one slot's batch. Example: digest build --date 2026-11-28",
    )
    build.add_argument(
        "--date", type=date.fromisoformat, help="the slot's local date (default: today)"
    )
    build.add_argument("--schedule", help="which schedule's slot (default: the first)")
    _common(build)
    build.add_argument("--force", action="store_true", help="replace an already published batch")
    build.add_argument("--json", action="store_true", help="print the result as JSON")
    build.set_defaults(run=_build)

    summarize = commands.add_parser(
        "summarize",
        help="print summaries of seed files as JSON",
        description="Example: digest summarize seeds/*.txt",
    )
    summarize.add_argument("files", nargs="+", type=Path, metavar="FILE")
    summarize.set_defaults(run=_summarize)

    validate = commands.add_parser(
        "validate",
        help="check config.toml and every seed",
        description="List every problem of the config and the seeds. "
        "Example: digest validate --config config.toml",
    )
    _common(validate)
    validate.set_defaults(run=_validate)

    schema = commands.add_parser(
        "schema", help="print a JSON Schema", description="Example: digest schema manifest"
    )
    schema.add_argument("name", choices=["manifest"])
    schema.set_defaults(run=_schema)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return OK


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        help="the config file (default: ./config.toml)",
    )
    parser.add_argument("--seeds", type=Path, help="the seeds folder (default: from config)")


def _build(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.pipeline import build

    settings = load_config(args.config)
    schedule = settings.schedule(args.schedule)
    day = args.date or datetime.now(schedule.zone).date()
    result = build(settings, day=day, seeds=args.seeds, schedule=args.schedule, force=args.force)
    for error in result.rejected:
        print(f"digest: {error}", file=sys.stderr)
    if args.json:
        _print_json(
            {
                "batch": str(result.batch),
                "batch_id": result.slot.batch_id,
                "stories": [s.id for s in result.stories],
                "rejected": [_seed_error(e) for e in result.rejected],
            }
        )
    else:
        print(
            f"published {result.batch}: {len(result.stories)} stories, "
            f"{len(result.rejected)} seeds rejected"
        )
    return PARTIAL if result.rejected else OK


def _summarize(args: argparse.Namespace) -> int:
    from digest.errors import SeedError
    from digest.seeds import read_seed
    from digest.summarize import summarize

    out, status = [], OK
    for path in args.files:
        try:
            story = read_seed(path)
        except SeedError as error:
            print(f"digest: {error}", file=sys.stderr)
            status = PARTIAL
            continue
        out.append({"file": str(path), **summarize(story).model_dump(mode="json")})
    _print_json(out)
    return status


def _validate(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.errors import ConfigError
    from digest.seeds import read_seeds

    problems = 0
    seeds = args.seeds
    try:
        settings = load_config(args.config)
        seeds = seeds or settings.paths.seeds
        max_bytes = settings.seeds.max_bytes
    except ConfigError as config_error:
        print(f"digest: {config_error}", file=sys.stderr)
        problems += len(config_error.problems)
        seeds = seeds or args.config.parent / "seeds"
        max_bytes = 1_000_000
    if not seeds.is_dir():
        print(f"digest: {seeds}: no such seeds folder", file=sys.stderr)
        return FAILED
    stories, errors = read_seeds(seeds, max_bytes)
    for error in errors:
        print(f"digest: {error}", file=sys.stderr)
    problems += len(errors)
    print(f"{len(stories)} seeds ok, {problems} problem(s)")
    return FAILED if problems else OK


def _schema(args: argparse.Namespace) -> int:
    from digest.manifest import manifest_schema

    sys.stdout.write(manifest_schema())
    return OK


def _seed_error(error: Any) -> dict[str, Any]:
    return {"file": str(error.path), "line": error.line, "reason": error.reason}


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
