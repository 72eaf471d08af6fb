"""The `digest` command: parse options, call one library function, print one line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date
from typing import Any

from digest import __version__
from digest.cli import approve, archive, fetch, outbox, project, tools
from digest.cli.common import FAILED, INTERRUPTED, OK, PARTIAL, command, print_json, project_options
from digest.clock import utc_now
from digest.errors import DigestError

EPILOG = """examples:
  digest init my-digest              start a new project in ./my-digest
  digest build                       build today's batch of the first schedule
  digest build --slot morning@2026-11-28 --force
  digest schedule                    run the scheduler until SIGTERM
  digest schedule --once             publish what is due now, then exit (cron, systemd)
  digest fetch                       write each new item of the [[sources]] feeds as a seed
  digest outbox list                 the published batches (and those waiting for approval)
  digest approve 2026-12-01/morning-0800 --by Ana   publish a batch waiting for approval
  digest hold 2026-12-01/morning-0800 --reason "…"  keep it out
  digest archive                     the public archive of the published issues, in site/
  digest check 2026-11-28/morning-0800  run the email checks on a published batch
  digest summarize seeds/*.txt       summaries as JSON
  digest validate                    check config.toml and every seed
  digest schema manifest             the JSON Schema of manifest.json
  digest measure --platform x "…"    count a post as X does, against its limit
  digest preview --open              preview the email and posts in a browser, live
  digest templates list              where each template comes from (project or package)
"""


# Libraries that log each request or each page they could not read: digest says what failed,
# naming the source (`-v` shows them all).
_QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "trafilatura": logging.CRITICAL}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 some seeds rejected, 1 failure)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:  # the libraries' own lines read like digest's: their reasons are ours
        for name, level in _QUIET.items():
            logging.getLogger(name).setLevel(level)
    try:
        status: int = args.run(args)
        return status
    except BrokenPipeError:  # `digest ... | head` closed our output: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except DigestError as error:
        print(f"digest: {error}", file=sys.stderr)
        if args.verbose:
            raise
        return FAILED
    except KeyboardInterrupt:  # Ctrl-C: a batch is published whole or not at all, never half
        if args.verbose:
            raise
        print("digest: interrupted", file=sys.stderr)
        return INTERRUPTED


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

    build = command(
        commands,
        "build",
        "build one slot's batch into outbox/",
        "digest build --slot morning@2026-11-28",
    )
    build.add_argument("--slot", help="NAME@DATE: that schedule's slot on that local date")
    build.add_argument("--date", type=date.fromisoformat, help="the local date (default: today)")
    build.add_argument("--schedule", help="which schedule (default: the first)")
    project_options(build)
    build.add_argument("--force", action="store_true", help="replace an already published batch")
    build.add_argument("--json", action="store_true", help="print the result as JSON")
    build.add_argument(
        "--without-approval",
        action="store_true",
        help='publish a slot of an approval = "required" schedule now, bypassing approval',
    )
    build.set_defaults(run=_build)

    fetch.add_commands(commands)
    tools.add_commands(commands)
    outbox.add_commands(commands)
    approve.add_commands(commands)
    archive.add_commands(commands)
    project.add_commands(commands)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return OK


def _build(args: argparse.Namespace) -> int:
    from digest.assemble import helper
    from digest.config import load_config
    from digest.pipeline import build
    from digest.scheduler.slots import chosen_slot

    settings = load_config(args.config)
    slot = chosen_slot(settings, utc_now(), named=args.slot, schedule=args.schedule, day=args.date)
    schedule = settings.schedule(slot.schedule)
    if schedule.approval == "required" and not args.without_approval:
        print(
            f"digest: {slot.batch_id}: schedule {slot.schedule!r} needs approval: the scheduler "
            f"prepares it into outbox/.pending from `prepare` ({schedule.prepare}) before its "
            "time and `digest approve` publishes it; `digest build --without-approval` builds "
            "and publishes it now, bypassing approval",
            file=sys.stderr,
        )
        return FAILED
    with helper(settings) as ahead:  # the stories' work on both cores, where there are two
        result = build(settings, slot, seeds=args.seeds, force=args.force, ahead=ahead)
    for error in result.rejected:
        print(f"digest: {error}", file=sys.stderr)
    for story in result.deferred:
        print(
            f"digest: {story.source}: put off to the next slot, as the batch failed with it "
            f"beside the others: {result.deferred_why}",
            file=sys.stderr,
        )
    if args.json:
        print_json(
            {
                "batch": str(result.batch) if result.batch else None,
                "batch_id": result.slot.batch_id,
                "stories": [s.id for s in result.stories],
                "rejected": [_seed_error(e) for e in result.rejected],
                "deferred": [s.source for s in result.deferred],
            }
        )
    if result.batch is None:
        print(
            f"digest: {slot.batch_id}: no new seeds (earlier batches of {slot.schedule!r} "
            "carried them all); nothing published",
            file=sys.stderr,
        )
        return FAILED
    if not args.json:
        print(
            f"published {result.batch}: {len(result.stories)} stories, "
            f"{len(result.rejected)} seeds rejected"
        )
    if settings.archive.enabled:  # a failure is logged; the batch stays published either way
        from digest.archive import after_publish

        after_publish(settings)
    return PARTIAL if result.rejected else OK


def _seed_error(error: Any) -> dict[str, Any]:
    return {"file": str(error.path), "line": error.line, "reason": error.reason}


if __name__ == "__main__":
    sys.exit(main())
