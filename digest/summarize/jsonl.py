"""`digest summarize --jsonl`: one summary per input line, in order, in constant memory."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from digest.errors import DigestError, SeedError
from digest.models import Story
from digest.seeds import story_from_text
from digest.summarize import summarize
from digest.summarize.files import shown_path

MAX_LINE_BYTES = 10_000_000  # one story; longer lines are refused, not read into memory
_SURROGATE = re.compile("[\ud800-\udfff]")


@contextmanager
def open_lines(source: str) -> Iterator[Iterator[bytes | None]]:
    """The lines of the file `source` (`-`: stdin) as bytes, None for a line over the cap.

    A file that cannot be opened or read is a `DigestError` naming it; a pipe is fine.
    """
    try:
        stream: IO[bytes] = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    except OSError as error:
        raise DigestError(f"{shown_path(source)}: cannot read it ({error.strerror})") from None
    try:
        yield _bounded(stream, source)
    finally:
        if source != "-":
            stream.close()


def _bounded(stream: IO[bytes], source: str) -> Iterator[bytes | None]:
    try:
        while line := stream.readline(MAX_LINE_BYTES + 1):
            if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
                yield line
                continue
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the long line, a chunk at a time
            yield None
    except OSError as error:  # EISDIR on the first read of a folder, EIO later
        raise DigestError(f"{shown_path(source)}: cannot read it ({error.strerror})") from None


def summarize_lines(
    lines: Iterable[bytes | str | None], source: str = "-"
) -> Iterator[dict[str, Any] | SeedError]:
    """For each line `{"id", "title"?, "text"}` (`article` is accepted for `text`), its summary
    `{"id", "headline", "tagline", "bullets", "hashtags"}`, or a SeedError naming the line."""
    for number, line in enumerate(lines, start=1):
        try:
            text = _decoded(line, number)
            if not text.strip():
                continue
            ident, story = _story(text)
        except (ValueError, RecursionError, DigestError) as error:
            yield SeedError(shown_path(source), number, _reason(error))
            continue
        yield _summary(ident, story, shown_path(source), number)


def _summary(ident: str | int, story: Story, path: str, number: int) -> dict[str, Any] | SeedError:
    """The summary of a line's story, or a SeedError that says the fault is digest's."""
    try:
        summary = summarize(story)
    except Exception as error:  # a summarizer bug on one line must not stop the others
        return SeedError(
            path,
            number,
            f"digest failed to summarize this line ({type(error).__name__}: {error}); the line "
            "is valid: this is a bug in digest, please report it with the line",
        )
    return {
        "id": ident,
        "headline": summary.headline,
        "tagline": summary.tagline,
        "bullets": list(summary.bullets),
        "hashtags": list(summary.hashtags),
    }


def _decoded(line: bytes | str | None, number: int) -> str:
    if line is None:
        raise ValueError(f"longer than {MAX_LINE_BYTES} bytes; one line holds one story")
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"not UTF-8 at byte {error.start} of the line; save the file as UTF-8"
            ) from None
    return line.removeprefix("\ufeff") if number == 1 else line


def _reason(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply to read; each line is one flat object"
    return error.reason if isinstance(error, SeedError) else str(error)


def _story(line: str) -> tuple[str | int, Story]:
    """The line's id and story; ValueError saying what is wrong with the line."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg}); each line is one object") from None
    if not isinstance(row, dict):
        raise ValueError('each line is an object like {"id": "a1", "text": "..."}')
    ident, title = row.get("id"), row.get("title")
    text = row.get("text", row.get("article"))
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        raise ValueError('"id" is missing or not a string')
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" (or "article") is missing or empty')
    if title is not None and not isinstance(title, str):
        raise ValueError('"title" must be a string')
    if any(_SURROGATE.search(v) for v in (str(ident), text, title or "")):
        raise ValueError("holds a lone surrogate escape (\\ud800-\\udfff), which is no character")
    return ident, story_from_text(str(ident), text, title)
