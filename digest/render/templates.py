"""The Jinja environments every renderer uses. Seed text is only ever passed as data.

Templates are looked up in the project's templates folder first, then in the default theme that
ships inside the package (`digest/theme/`): a project overrides any single file by writing its
own copy at the same relative path (`digest templates copy NAME`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

THEME = Path(__file__).resolve().parent.parent / "theme"


def search_path(templates: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the project's folder, then the theme."""
    return [templates, THEME]


@cache
def html_env(templates: Path) -> Environment:
    """For markup (`.mjml.j2`): everything is HTML-escaped unless a template says otherwise."""
    return Environment(
        loader=FileSystemLoader(search_path(templates)),
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
        loader=FileSystemLoader(search_path(templates)),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
