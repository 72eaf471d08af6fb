"""The Jinja environments every renderer uses. Seed text is only ever passed as data.

Templates are looked up in the project's templates folder first, then in the default theme that
ships inside the package (`digest/theme/`): a project overrides any single file by writing its
own copy at the same relative path (`digest templates copy NAME`).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.loaders import split_template_path

THEME = Path(__file__).resolve().parent.parent / "theme"


def search_path(templates: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the project's folder, then the theme."""
    return [templates, THEME]


def theme_names() -> list[str]:
    """Every template of the default theme, as the renderers name it (`email/digest.mjml.j2`)."""
    return sorted(path.relative_to(THEME).as_posix() for path in THEME.rglob("*.j2"))


def find_template(templates: Path, name: str) -> Path | None:
    """The file the renderers load for `name`: the first of search_path() that has it."""
    for folder in search_path(templates):
        # os.path.isfile is the test jinja's FileSystemLoader makes, so the answers agree.
        if (folder / name).is_file():
            return folder / name
    return None


def stamp(templates: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file of the project's templates folder with its mtime and size: what changes when
    any template is saved (the theme's ship with the package)."""
    found = []
    for folder, _, names in os.walk(templates):
        for name in names:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            found.append((os.path.relpath(path, templates), info.st_mtime_ns, info.st_size))
    return tuple(sorted(found))


class ThemeLoader(FileSystemLoader):
    """The search path's loader, whose cached templates also go stale when an override appears.

    Jinja keeps a compiled template while its own file is unchanged; a long-running process (the
    preview) must also drop the packaged one once the project gains a file of the same name.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        pieces = split_template_path(template)
        earlier = []
        for folder in self.searchpath:
            candidate = posixpath.join(folder, *pieces)
            if os.path.normpath(candidate) == filename:
                break
            earlier.append(candidate)

        def still_chosen() -> bool:
            return uptodate() and not any(os.path.isfile(path) for path in earlier)

        return source, filename, still_chosen


@cache
def html_env(templates: Path) -> Environment:
    """For markup (`.mjml.j2`): everything is HTML-escaped unless a template says otherwise."""
    return Environment(
        loader=ThemeLoader(search_path(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


@cache
def text_env(templates: Path) -> Environment:
    """For plain text and posts (`.txt.j2`): no markup, so HTML escaping would corrupt the text.

    Seed text still never becomes template source; it is only passed in as variables.
    """
    return Environment(
        loader=ThemeLoader(search_path(templates)),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
