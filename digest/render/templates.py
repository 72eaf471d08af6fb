"""The Jinja environments every renderer uses. Seed text is only ever passed as data."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined


@cache
def html_env(templates: Path) -> Environment:
    """For markup (`.mjml.j2`): everything is HTML-escaped unless a template says otherwise."""
    return Environment(
        loader=FileSystemLoader(templates),
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
        loader=FileSystemLoader(templates),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
