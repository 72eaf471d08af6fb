"""`digest schedule`, `digest check` and `digest outbox`: for schedulers and consumers."""

from __future__ import annotations

import argparse
import errno
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest.channels import CHANNELS
from digest.clock import utc_now
from digest.errors import DigestError

OK, FAILED = 0, 1  # as digest.cli has them (importing it here would be circular)
MAX_LIST = 1000  # slots per schedule `--list` prints; more is a typo, and it would run for ages
MAX_INTERVAL = 86400  # a day between wake-ups: slots are at least that far apart
log = logging.getLogger("digest.outbox")
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
    from digest.cli import common

    run = commands.add_parser(
        "schedule",
        help="run the scheduler (or --once, or --list)",
        description="Publish every slot of config.toml's schedules, once each. "
        "Example: digest schedule --once",
    )
    common(run)
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
    listing = verbs.add_parser("list", help="the published batches")
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
    from digest.scheduler import Scheduler, serve

    settings = load_config(args.config)
    if args.list is not None:
        return _print_next(settings, args.list)
    scheduler = Scheduler(settings, seeds=args.seeds)
    if args.once:
        scheduler.start()
        scheduler.run_due(utc_now())
        scheduler.close()
        return OK
    serve(scheduler, interval=args.interval)
    return OK


def _print_next(settings: Any, count: int) -> int:
    from digest.scheduler.slots import next_slots

    now = utc_now()
    for schedule in settings.schedules:
        for slot in next_slots(schedule, now, count):
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


def _batch(args: argparse.Namespace) -> Path:
    path = Path(args.batch)
    if not path.is_dir():
        path = _outbox(args) / args.batch
    if not (path / "manifest.json").is_file():
        raise DigestError(f"{args.batch}: no published batch there; see digest outbox list")
    return path


def _check(args: argparse.Namespace) -> int:
    from digest.cli import print_json
    from digest.config import load_config
    from digest.render.email.checks import CHECKS, FILES, check_email, read_email

    settings = load_config(args.config)
    args.outbox = args.outbox or settings.paths.outbox
    batch = _batch(args)
    missing = [path for path in FILES if not (batch / path).is_file()]
    if missing:
        raise DigestError(f"{batch}: no {missing[0]}; this batch has no email to check")
    failures = check_email(read_email(*((batch / path).read_bytes() for path in FILES)), settings)
    if args.json:
        rows = [{"check": name, "problem": problem} for name, problem in failures]
        print_json({"batch": str(batch), "checks": list(CHECKS), "failures": rows})
    else:
        for name, problem in failures:
            print(f"digest: {batch}: check {name!r} failed: {problem}", file=sys.stderr)
        failed = len({name for name, _ in failures})
        verdict = f"failed {failed} of" if failures else "passed all"
        print(f"{batch}: email {verdict} {len(CHECKS)} checks")
    return FAILED if failures else OK


def _list(args: argparse.Namespace) -> int:
    from digest.cli import print_json
    from digest.outbox.batches import published, read_manifest, status

    outbox = _outbox(args)
    rows: list[dict[str, Any]] = []
    for batch in published(outbox):
        try:
            manifest = read_manifest(batch.path)
        except DigestError as exc:  # one damaged batch never hides the others
            log.warning("%s; skipped", exc)
            continue
        rows.append(
            {
                "batch": batch.path.relative_to(outbox).as_posix(),
                "batch_id": manifest.batch_id,
                "stories": len(manifest.stories),
                "rejected": len(manifest.rejected),
                "channels": {c: status(batch.path, c) for c in manifest.channels},
            }
        )
    if args.json:
        print_json(rows)
        return OK
    for row in rows:
        channels = " ".join(f"{c}:{s}" for c, s in row["channels"].items())
        print(f"{row['batch']}\t{row['batch_id']}\t{row['stories']} stories\t{channels}")
    print(f"{len(rows)} batches in {outbox}")
    return OK


def _verify(args: argparse.Namespace) -> int:
    from digest.outbox.batches import verify

    batch = _batch(args)
    problems = verify(batch)
    for problem in problems:
        print(f"digest: {batch}: {problem}", file=sys.stderr)
    print(f"{batch}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return FAILED if problems else OK


def _claim(args: argparse.Namespace) -> int:
    from digest.cli import print_json
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
