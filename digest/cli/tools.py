"""`digest summarize`, `validate`, `schema`, `measure` and `preview`: tools beside the build."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from digest.channels import PLATFORM_NAMES
from digest.cli.common import FAILED, OK, PARTIAL, command, print_json, project_options
from digest.clock import utc_now
from digest.errors import DigestError


def add_commands(commands: Any) -> None:
    """Register `summarize`, `validate`, `schema`, `measure` and `preview` on the main parser."""
    summarize = command(
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

    validate = command(
        commands,
        "validate",
        "check config.toml and every seed",
        "digest validate --config config.toml",
    )
    project_options(validate)
    validate.set_defaults(run=_validate)

    schema = command(commands, "schema", "print a JSON Schema", "digest schema manifest")
    schema.add_argument("name", choices=["manifest"])
    schema.set_defaults(run=_schema)

    measure = command(
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

    preview = command(
        commands,
        "preview",
        "serve a live preview of the email and posts for editors (or --export it)",
        "digest preview --open",
    )
    project_options(preview)
    preview.add_argument(
        "--port", type=port_number, default=8000, help="default 8000; 0 picks a free one"
    )
    preview.add_argument(
        "--host", default="127.0.0.1", help="default 127.0.0.1; another interface is warned about"
    )
    preview.add_argument("--open", action="store_true", help="open the page in a web browser")
    preview.add_argument(
        "--export", type=Path, metavar="DIR", help="write the views as a static folder and exit"
    )
    preview.set_defaults(run=_preview)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 to 65535 (0: any free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number, e.g. 8000") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{port} is out of range; a port is 1 to 65535, or 0 for any free one"
        )
    return port


def _summarize(args: argparse.Namespace) -> int:
    from digest.errors import SeedError
    from digest.summarize.files import summarize_files

    if args.jsonl:
        return _summarize_jsonl(args.jsonl)
    if not args.files:
        raise DigestError("name seed files to summarize, or pass --jsonl FILE")
    out, status = [], OK
    for result in summarize_files(args.files):
        if isinstance(result, SeedError):
            print(f"digest: {result}", file=sys.stderr)
            status = PARTIAL
        else:
            out.append(result)
    print_json(out)
    return status


def _summarize_jsonl(source: str) -> int:
    from digest.errors import SeedError
    from digest.summarize.jsonl import open_lines, summarize_lines

    status = OK
    with open_lines(source) as lines:
        for result in summarize_lines(lines, source):
            if isinstance(result, SeedError):
                print(f"digest: {result}", file=sys.stderr)
                status = PARTIAL
                continue
            try:
                print(json.dumps(result, ensure_ascii=False), flush=True)
            except BrokenPipeError:  # the reader (`| head`) wants no more: stop, quietly
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                break
    return status


def _validate(args: argparse.Namespace) -> int:
    from digest.pipeline import validate

    result = validate(args.config, args.seeds)
    if result.config_error is not None:
        print(f"digest: {result.config_error}", file=sys.stderr)
    if result.missing is not None:
        print(f"digest: {result.missing}", file=sys.stderr)
        return FAILED
    for error in result.errors:
        print(f"digest: {error}", file=sys.stderr)
    for warning in result.warnings:
        print(f"digest: warning: {warning}", file=sys.stderr)
    print(f"{len(result.stories)} seeds ok, {result.problems} problem(s)")
    return FAILED if result.problems else OK


def _schema(args: argparse.Namespace) -> int:
    from digest.outbox.manifest import manifest_schema

    sys.stdout.write(manifest_schema())
    return OK


def _measure(args: argparse.Namespace) -> int:
    from digest.config import load_config
    from digest.platforms import measure_text

    # stdin usually ends with one newline that is no part of the post
    if args.text == "-":
        raw = getattr(sys.stdin, "buffer", None)  # the bytes, so that text not UTF-8 is told
        text = raw.read().decode("utf-8", "surrogateescape") if raw else sys.stdin.read()
        text = text.removesuffix("\n")
    else:
        text = args.text
    if any("\ud800" <= c <= "\udfff" for c in text):  # bytes that are not UTF-8, kept as escapes
        raise DigestError("the text is not UTF-8; pass it as UTF-8 (as every platform reads it)")
    config = args.config or (Path("config.toml") if Path("config.toml").is_file() else None)
    settings = load_config(config) if config else None
    result = measure_text(args.platform, text, settings)
    print(json.dumps(result, ensure_ascii=False))
    return OK if result["ok"] else FAILED


def _preview(args: argparse.Namespace) -> int:
    from digest.preview.export import export_site
    from digest.preview.server import start_server

    if args.export:
        count = export_site(args.config, args.export, utc_now(), seeds=args.seeds)
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
