"""`digest approve` and `digest hold`: an editor's word on a batch waiting in outbox/.pending.

For schedules with `approval = "required"`. The outbox's code is imported inside the commands,
so that `digest --help` stays instant."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any

from digest.cli.common import OK, clean_os_errors, command, print_json
from digest.clock import utc_now

_BATCH = "DATE/SLOT (2026-12-01/morning-0800) or the batch id, as digest outbox list shows it"


def add_commands(commands: Any) -> None:
    """Register `approve` and `hold` on the main parser."""
    approve = command(
        commands,
        "approve",
        "approve a batch waiting for approval: published at its slot time, or now if that "
        "has passed (within catch_up)",
        "digest approve 2026-12-01/morning-0800 --by 'Ana Editor'",
    )
    approve.add_argument("batch", metavar="BATCH", help=_BATCH)
    approve.add_argument(
        "--by", metavar="NAME", help="who approves (default: the login name), kept in the manifest"
    )
    approve.add_argument(
        "--manifest-sha256",
        metavar="SHA",
        type=_sha256,
        help="approve only if the pending manifest.json is still this one (the batch you looked "
        "at; digest outbox list --json shows it)",
    )
    approve.set_defaults(run=clean_os_errors(_approve))
    hold = command(
        commands,
        "hold",
        "keep a batch waiting for approval from being published (approve it later to lift it)",
        "digest hold 2026-12-01/morning-0800 --reason 'the figures are disputed'",
    )
    hold.add_argument("batch", metavar="BATCH", help=_BATCH)
    hold.add_argument("--reason", required=True, help="why, for the journal and the list")
    hold.set_defaults(run=clean_os_errors(_hold))
    for verb in (approve, hold):
        verb.add_argument(
            "--config",
            type=Path,
            default=Path("config.toml"),
            help="the config file (default: ./config.toml)",
        )
        verb.add_argument("--json", action="store_true", help="print the result as JSON")


def _approve(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.scheduler.approval import approve_current

    by = args.by if args.by is not None else _login()
    settings = load_config(args.config)
    result = approve_current(
        settings, args.batch, by=by, now=utc_now(), manifest_sha256=args.manifest_sha256
    )
    if result.outcome == "published" and settings.archive.enabled:
        from digest.archive import after_publish

        after_publish(settings)  # logs a failure; the batch is published either way
    if args.json:
        print_json(_as_json(result))
    elif result.outcome == "approved":
        local = result.at.isoformat() if result.at else "?"
        print(
            f"approved {result.batch_id} ({result.batch}), by {result.by or 'someone unnamed'} "
            f"at {local}: it is published at its slot time"
        )
    elif result.outcome == "published":
        print(f"published {result.path}: approved by {result.by or 'someone unnamed'}")
    else:
        who = f", approved by {result.by}" if result.by else ""
        print(f"{result.path}: already published{who}; nothing to do")
    return OK


def _hold(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.outbox.approval import hold

    result = hold(load_config(args.config), args.batch, reason=args.reason, now=utc_now())
    if args.json:
        print_json(_as_json(result))
    else:
        print(f"held {result.batch_id} ({result.batch}): {result.reason}; it is not published")
    return OK


def _sha256(value: str) -> str:
    """A manifest's sha256 as `--manifest-sha256` takes it: 64 hex digits, lowercased."""
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value.lower()):
        raise argparse.ArgumentTypeError(f"{value[:80]!r}: write the 64 hex digits of a sha256")
    return value.lower()


def _login() -> str | None:
    """The login name, as the approver's name when --by is not given; None when unknown."""
    try:
        return getpass.getuser() or None
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry
        return None


def _as_json(result: Any) -> dict[str, Any]:
    return {
        "outcome": result.outcome,
        "batch": result.batch,
        "batch_id": result.batch_id,
        "path": str(result.path),
        "manifest_sha256": result.manifest_sha256,
        "by": result.by,
        "at": result.at.isoformat() if result.at else None,
        "reason": result.reason,
    }
