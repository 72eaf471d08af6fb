"""Pages never show where the project sits on the editor's disk: the pattern that finds the
project's folders in a message, and the warnings a stage logs while the Site reads it."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class _Collect(logging.Handler):
    def __init__(self, into: list[str], scrub: Callable[[str], str]) -> None:
        super().__init__(logging.WARNING)
        self.into, self.scrub = into, scrub

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(self.scrub(record.getMessage()))


@contextmanager
def warnings_of(name: str, into: list[str], scrub: Callable[[str], str]) -> Iterator[None]:
    """The warnings `name` logs meanwhile (a damaged batch skipped, say), shown on the page."""
    handler = _Collect(into, scrub)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def folder_pattern(root: Path, *paths: Path) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern matching `root` and each of `paths` (as given, and with symlinks followed) as
    whole paths, and what each match is shown as: its path relative to `root`."""
    shown: dict[str, str] = {}
    for spelling in (os.fspath(root), os.path.realpath(root)):
        if len(spelling) > 1:
            shown.setdefault(spelling + "/", "")  # root/x is shown as x
    for path in (root, *paths):
        relative = Path(os.path.relpath(path, root)).as_posix()
        for spelling in (os.fspath(path), os.path.realpath(path)):
            if len(spelling) > 1:
                shown.setdefault(spelling, relative)
    names = sorted(shown, key=len, reverse=True)  # the longest (most specific) first
    whole = r"(?=$|[/\s'\":;,)\]>]|\.(?:\s|$))"  # not followed by more of a name
    alternatives = "|".join(re.escape(n) + ("" if n.endswith("/") else whole) for n in names)
    return re.compile(alternatives), shown
