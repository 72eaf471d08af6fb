"""`digest schedule`, `digest check` and `digest outbox`: for schedulers and consumers."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest.channels import CHANNELS
from digest.cli.common import FAILED, OK, clean_os_errors, print_json, project_options
from digest.clock import utc_now
from digest.errors import DigestError

MAX_LIST = 1000  # slots per schedule `--list` prints; more is a typo, and it would run for ages
MAX_INTERVAL = 86400  # a day between wake-ups: slots are at least that far apart


def bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (argparse names the option)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"at least {low}, not {value}")
        if value > high:
            raise argparse.ArgumentTypeError(f"at most {high}, not {value}")
        return value

    return parse


def add_commands(commands: Any) -> None:
    """Register `schedule`, `check` and `outbox` on the main parser."""
    run = commands.add_parser(
        "schedule",
        help="run the scheduler (or --once, or --list)",
        description="Publish every slot of config.toml's schedules, once each. "
        "Example: digest schedule --once",
    )
    project_options(run)
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="publish what is due, then exit")
    mode.add_argument(
        "--list",
        nargs="?",
        type=bounded(1, MAX_LIST),
        const=5,
        metavar="N",
        help=f"print the next N slots of each schedule (default 5, at most {MAX_LIST})",
    )
    run.add_argument(
        "--interval",
        type=bounded(1, MAX_INTERVAL),
        default=20,
        help=f"seconds between wake-ups (default 20, 1 to {MAX_INTERVAL})",
    )
    run.set_defaults(run=clean_os_errors(_schedule))

    check = commands.add_parser(
        "check",
        help="run the email checks on a published batch",
        description="Check a published batch's email against the rules every build enforces: "
        "size, unsubscribe link, HTML, alt text, links, postal address, subject. "
        "Example: digest check 2026-11-28/morning-0800",
    )
    check.add_argument("batch", metavar="BATCH", help="DATE/SLOT under the outbox, or a path")
    check.add_argument("--config", type=Path, default=Path("config.toml"))
    check.add_argument("--outbox", type=Path, help="the outbox folder (default: from config)")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.set_defaults(run=clean_os_errors(_check))

    outbox = commands.add_parser(
        "outbox",
        help="list, verify, claim and mark done published batches",
        description="Tools for consumers of outbox/. Example: digest outbox claim "
        "2026-11-28/morning-0800 --channel email",
    )
    verbs = outbox.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = verbs.add_parser(
        "list", help="the published batches, then the slots waiting for approval (or expired)"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=clean_os_errors(_list))
    verify = verbs.add_parser("verify", help="check every file's sha256 against the manifest")
    verify.set_defaults(run=clean_os_errors(_verify))
    claim = verbs.add_parser("claim", help="claim a channel of a batch (prints its files)")
    claim.set_defaults(run=clean_os_errors(_claim))
    done = verbs.add_parser("done", help="record that a claimed channel was sent")
    done.set_defaults(run=clean_os_errors(_done))
    for verb in (verify, claim, done):
        verb.add_argument("batch", metavar="BATCH", help="DATE/SLOT under the outbox, or a path")
    for verb in (claim, done):
        verb.add_argument("--channel", required=True, choices=CHANNELS)
    for verb in (listing, verify, claim, done):
        verb.add_argument("--config", type=Path, default=Path("config.toml"))
        verb.add_argument("--outbox", type=Path, help="the outbox folder (default: from config)")


def _schedule(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.scheduler import Scheduler, run_once, serve

    settings = load_config(args.config)
    if args.list is not None:
        return _print_next(settings, args.list)
    if args.once:
        run_once(settings, utc_now(), seeds=args.seeds, helper=True)
    else:
        serve(Scheduler(settings, seeds=args.seeds, helper=True), interval=args.interval)
    return OK


def _print_next(settings: Any, count: int) -> int:
    from digest.scheduler.slots import upcoming

    for schedule, slot in upcoming(settings, utc_now(), count):
        local = slot.local.strftime("%Y-%m-%d %a %H:%M %Z")
        print(
            f"{schedule.name}\t{local} ({schedule.timezone})\t"
            f"{slot.utc.strftime('%Y-%m-%dT%H:%MZ')}\t{slot.folder}"
        )
    return OK


def _outbox(args: argparse.Namespace) -> Path:
    if args.outbox:
        return Path(args.outbox)
    from digest.config import load_config

    return load_config(args.config).paths.outbox


def _batch(args: argparse.Namespace, *, consumer: bool = True) -> Path:
    path = Path(args.batch)
    if not path.is_dir():
        path = _outbox(args) / args.batch
    from digest.outbox.batches import refuse_pending
    from digest.outbox.manifest import holds_batch

    if consumer:
        refuse_pending(path, args.batch)
    if not holds_batch(path):
        raise DigestError(f"{args.batch}: no published batch there; see digest outbox list")
    return path


def _check(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.render.email.checks import check_batch

    settings = load_config(args.config)
    args.outbox = args.outbox or settings.paths.outbox
    batch = _batch(args, consumer=False)
    result = check_batch(batch, settings)
    if args.json:
        rows = [{"check": name, "problem": problem} for name, problem in result.failures]
        print_json({"batch": str(batch), "checks": list(result.checks), "failures": rows})
    else:
        for name, problem in result.failures:
            print(f"digest: {batch}: check {name!r} failed: {problem}", file=sys.stderr)
        verdict = f"failed {len(result.failed)} of" if result.failures else "passed all"
        print(f"{batch}: email {verdict} {len(result.checks)} checks")
    return FAILED if result.failures else OK


def _list(args: argparse.Namespace) -> int:
    from digest.outbox.listing import list_batches, pending_batches

    outbox = _outbox(args)
    rows = list_batches(outbox)
    waiting = pending_batches(outbox)
    if args.json:
        print_json([*rows, *waiting])
        return OK
    for row in rows:
        channels = " ".join(f"{c}:{s}" for c, s in row["channels"].items())
        print(f"{row['batch']}\t{row['batch_id']}\t{row['stories']} stories\t{channels}")
    for slot in waiting:
        print(f"{slot['batch']}\t{slot['batch_id']}\t{slot['stories']} stories\t{_status(slot)}")
    print(f"{len(rows)} batches in {outbox}")
    if waiting:
        counts = Counter(slot["status"] for slot in waiting)
        order = ("pending", "approved", "held", "expired")
        shown = ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
        print(f"{len(waiting)} slots in {outbox / '.pending'} (not published): {shown}")
    return OK


def _status(slot: Any) -> str:
    """A slot of the pending area in words: pending, approved (by whom, when), held or expired
    (and why)."""
    status = slot["status"]
    if status == "approved":
        return f"approved by {slot['approved_by'] or 'someone unnamed'} at {slot['approved_at']}"
    if status in ("held", "expired"):
        return f"{status}: {slot['reason']}"
    return "pending approval"


def _verify(args: argparse.Namespace) -> int:
    from digest.outbox.batches import verify

    batch = _batch(args)
    problems = verify(batch)
    for problem in problems:
        print(f"digest: {batch}: {problem}", file=sys.stderr)
    print(f"{batch}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return FAILED if problems else OK


def _claim(args: argparse.Namespace) -> int:
    from digest.outbox.batches import claim

    batch = _batch(args)
    files = claim(batch, args.channel, utc_now())
    print_json({"batch": str(batch), "channel": args.channel, "files": files})
    return OK


def _done(args: argparse.Namespace) -> int:
    from digest.outbox.batches import done

    batch = _batch(args)
    done(batch, args.channel, utc_now())
    print(f"{batch}: {args.channel} done")
    return OK
