"""The `digest` command: parse options, call one library function, print one line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from digest import __version__
from digest.errors import DigestError

OK, FAILED, PARTIAL = 0, 1, 2
PLATFORM_NAMES = ("x", "bluesky", "mastodon", "linkedin", "threads")  # as digest.config has them

EPILOG = """examples:
  digest build                       build today's batch of the first schedule
  digest build --slot morning@2026-11-28 --force
  digest schedule                    run the scheduler until SIGTERM
  digest schedule --once             publish what is due now, then exit (cron, systemd)
  digest outbox list                 the published batches
  digest check 2026-11-28/morning-0800  run the email checks on a published batch
  digest summarize seeds/*.txt       summaries as JSON
  digest validate                    check config.toml and every seed
  digest schema manifest             the JSON Schema of manifest.json
  digest measure --platform x "…"    count a post as X does, against its limit
  digest preview --open              preview the email and posts in a browser, live
"""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 some seeds rejected, 1 failure)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        status: int = args.run(args)
        return status
    except DigestError as error:
        print(f"digest: {error}", file=sys.stderr)
        if args.verbose:
            raise
        return FAILED


def _parser() -> argparse.ArgumentParser:
    from digest import cli_outbox

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

    build = _command(
        commands,
        "build",
        "build one slot's batch into outbox/",
        "digest build --slot morning@2026-11-28",
    )
    build.add_argument("--slot", help="NAME@DATE: that schedule's slot on that local date")
    build.add_argument("--date", type=date.fromisoformat, help="the local date (default: today)")
    build.add_argument("--schedule", help="which schedule (default: the first)")
    common(build)
    build.add_argument("--force", action="store_true", help="replace an already published batch")
    build.add_argument("--json", action="store_true", help="print the result as JSON")
    build.set_defaults(run=_build)

    summarize = _command(
        commands,
        "summarize",
        "print summaries of seed files as JSON",
        "digest summarize seeds/*.txt",
    )
    summarize.add_argument("files", nargs="*", type=Path, metavar="FILE")
    summarize.add_argument(
        "--jsonl", metavar="FILE", help='read {"id", "title"?, "text"} lines (- for stdin)'
    )
    summarize.set_defaults(run=_summarize)

    validate = _command(
        commands,
        "validate",
        "check config.toml and every seed",
        "digest validate --config config.toml",
    )
    common(validate)
    validate.set_defaults(run=_validate)

    schema = _command(commands, "schema", "print a JSON Schema", "digest schema manifest")
    schema.add_argument("name", choices=["manifest"])
    schema.set_defaults(run=_schema)

    measure = _command(
        commands,
        "measure",
        "count a post as a platform counts it; exit 1 when over the limit",
        'digest measure --platform bluesky "Hello 👋" --config config.toml',
    )
    measure.add_argument("--platform", required=True, choices=PLATFORM_NAMES)
    measure.add_argument("text", metavar="TEXT", help="the post; - reads it from stdin")
    measure.add_argument(
        "--config",
        type=Path,
        help="take the limit from this config file (default: ./config.toml when there is one)",
    )
    measure.set_defaults(run=_measure)

    preview = _command(
        commands,
        "preview",
        "serve a live preview of the email and posts for editors (or --export it)",
        "digest preview --open",
    )
    common(preview)
    preview.add_argument("--port", type=int, default=8000, help="default 8000; 0 picks a free one")
    preview.add_argument(
        "--host", default="127.0.0.1", help="default 127.0.0.1; another interface is warned about"
    )
    preview.add_argument("--open", action="store_true", help="open the page in a web browser")
    preview.add_argument(
        "--export", type=Path, metavar="DIR", help="write the views as a static folder and exit"
    )
    preview.set_defaults(run=_preview)

    cli_outbox.add_commands(commands)
    return parser


def _command(commands: Any, name: str, summary: str, example: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. Example: {example}"
    )
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return OK


def common(parser: argparse.ArgumentParser) -> None:
    """The --config and --seeds options."""
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
    from digest.slots import parse_slot

    settings = load_config(args.config)
    name, day = args.schedule, args.date
    if args.slot:
        name, _, when = args.slot.partition("@")
        try:
            day = date.fromisoformat(when)
        except ValueError:
            raise DigestError(f"--slot {args.slot!r}: the valid form is NAME@YYYY-MM-DD") from None
    schedule = settings.schedule(name)
    slot = parse_slot(schedule, day or datetime.now(schedule.zone).date())
    result = build(settings, slot, seeds=args.seeds, force=args.force)
    for error in result.rejected:
        print(f"digest: {error}", file=sys.stderr)
    if args.json:
        print_json(
            {
                "batch": str(result.batch) if result.batch else None,
                "batch_id": result.slot.batch_id,
                "stories": [s.id for s in result.stories],
                "rejected": [_seed_error(e) for e in result.rejected],
            }
        )
    if result.batch is None:
        print(
            f"digest: {slot.batch_id}: no new seeds (earlier batches of {schedule.name!r} "
            "carried them all); nothing published",
            file=sys.stderr,
        )
        return FAILED
    if not args.json:
        print(
            f"published {result.batch}: {len(result.stories)} stories, "
            f"{len(result.rejected)} seeds rejected"
        )
    return PARTIAL if result.rejected else OK


def _summarize(args: argparse.Namespace) -> int:
    from digest.errors import SeedError
    from digest.seeds import read_seed
    from digest.summarize import summarize

    if args.jsonl:
        return _summarize_jsonl(args.jsonl)
    if not args.files:
        raise DigestError("name seed files to summarize, or pass --jsonl FILE")
    out, status = [], OK
    for path in args.files:
        try:
            story = read_seed(path)
        except SeedError as error:
            print(f"digest: {error}", file=sys.stderr)
            status = PARTIAL
            continue
        out.append({"file": str(path), **summarize(story).model_dump(mode="json")})
    print_json(out)
    return status


def _summarize_jsonl(source: str) -> int:
    from digest.summarize.jsonl import summarize_lines

    status = OK
    with sys.stdin if source == "-" else open(source, encoding="utf-8") as lines:
        for result in summarize_lines(lines, source):
            if isinstance(result, dict):
                print(json.dumps(result, ensure_ascii=False), flush=True)
            else:
                print(f"digest: {result}", file=sys.stderr)
                status = PARTIAL
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


def _measure(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.platforms import measure_text

    # stdin usually ends with one newline that is no part of the post
    text = sys.stdin.read().removesuffix("\n") if args.text == "-" else args.text
    config = args.config or (Path("config.toml") if Path("config.toml").is_file() else None)
    settings = load_config(config) if config else None
    result = measure_text(args.platform, text, settings)
    print(json.dumps(result, ensure_ascii=False))
    return OK if result["ok"] else FAILED


def _preview(args: argparse.Namespace) -> int:
    from digest.preview import export_site, start_server

    if args.export:
        count = export_site(args.config, args.export, datetime.now(UTC), seeds=args.seeds)
        print(f"exported {count} files to {args.export}; open {args.export / 'index.html'}")
        return OK
    server = start_server(args.config, host=args.host, port=args.port, seeds=args.seeds)
    print(f"previewing at {server.url} (Ctrl-C to stop)", flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return OK


def _seed_error(error: Any) -> dict[str, Any]:
    return {"file": str(error.path), "line": error.line, "reason": error.reason}


def print_json(value: Any) -> None:
    """Print `value` as indented JSON."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
