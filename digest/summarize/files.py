"""`digest summarize FILE...`: each seed file's summary, in order, or the error saying why not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from digest.errors import SeedError
from digest.seeds import read_seed
from digest.summarize import summarize


def shown_path(path: Path | str) -> str:
    """`path` as printable text: bytes that are not UTF-8 in a file name become escapes."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def summarize_files(paths: Iterable[Path]) -> Iterator[dict[str, Any] | SeedError]:
    """`{"file", headline, tagline, bullets, ...}` for each seed file, or its `SeedError`."""
    for path in paths:
        try:
            story = read_seed(path)
        except SeedError as error:
            yield error
            continue
        except OSError as error:  # a seed reader that missed a case still gives one clean line
            yield SeedError(Path(shown_path(path)), 1, f"cannot be read ({error.strerror})")
            continue
        yield {"file": shown_path(path), **summarize(story).model_dump(mode="json")}
