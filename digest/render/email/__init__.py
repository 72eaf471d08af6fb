"""Render a Digest as an email: MJML compiled to HTML, a written plain text, and a `.eml`.

The parts live beside this module: `context` (what the templates see), `links` (which links
are written, with UTM tags), `message` (the `.eml`), `readback` (the `.eml` as its readers parse
it), `mime` (the `.eml`'s two parts, written as `email` writes them), `wrap` (plain-text lines),
`html_scan`, `html_quick` and `html_facts` (the compiled HTML read back once), `eml_parts`,
`checks` and `header_checks` (the rules every built email must pass).
"""

from __future__ import annotations

import os
import traceback
import unicodedata
from pathlib import Path
from typing import Any

import regex
from jinja2 import Environment, FileSystemLoader, TemplateError, TemplateSyntaxError

from digest.config import Settings
from digest.errors import RenderError
from digest.models import Digest, RenderedFile
from digest.render.email.context import context
from digest.render.email.message import build_eml
from digest.render.email.wrap import wrap
from digest.render.templates import html_env, text_env

WIDTH = 72  # plain-text line width
# What MRML escapes in attribute values: Rust's `char::escape_debug` set, grapheme extenders and
# what Rust does not call printable. Python's older Unicode data adds the characters assigned
# since then, which an older Rust may not know either.
_MANGLED = regex.compile(
    r"(?V1)[[\p{Grapheme_Extend}\p{Cf}\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}"
    r"\p{Default_Ignorable_Code_Point}]--[\x00-\x7f]]"
)
_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
# Where MJML source holds attribute text: every tag (autoescaped data never holds `<` or `>`),
# and the title, which MRML copies into an `aria-label`.
_IN_ATTRIBUTES = regex.compile(r"<mj-title\b[^>]*>[^<]*</mj-title>|<[^<>]*>")


def render_email(digest: Digest, settings: Settings) -> tuple[RenderedFile, ...]:
    """The email of a digest: `email/digest.html`, `email/digest.txt` and `email/digest.eml`."""
    data = context(digest, settings)  # once, so each dropped link is warned about once
    html = compile_mjml(_mjml(data, settings))
    text = _text(dict(data), settings)  # `_text` adds keys: it gets its own copy
    eml = build_eml(digest, settings, text=text, html=html)
    return (
        RenderedFile(path="email/digest.html", content=html.encode(), media_type="text/html"),
        RenderedFile(path="email/digest.txt", content=text.encode(), media_type="text/plain"),
        RenderedFile(path="email/digest.eml", content=eml, media_type="message/rfc822"),
    )


def render_mjml(digest: Digest, settings: Settings) -> str:
    """The digest as MJML source, before compiling."""
    return _mjml(context(digest, settings), settings)


def render_html(digest: Digest, settings: Settings) -> str:
    """The digest as email HTML, compiled from MJML (its size is checked by `checks`)."""
    return compile_mjml(render_mjml(digest, settings))


def compile_mjml(source: str) -> str:
    """MJML source as HTML, with MRML; no default web fonts (the brand names its own)."""
    import mjml  # here, not at the top: importing `digest.render` does not load MRML

    try:
        return str(mjml.mjml2html(_char_refs(source), fonts={})).rstrip("\n") + "\n"
    except Exception as exc:  # mjml-python raises plain exceptions with MRML's message
        raise RenderError(f"email/digest.mjml.j2: MJML did not compile: {exc}") from exc


def _char_refs(source: str) -> str:
    """`source` with each character MRML would mangle in an attribute written as a reference.

    MRML writes a combining mark, a joiner, a variation selector or any other character Rust
    does not call printable, inside an attribute (`alt`, `title`, the `aria-label` it makes of
    `mj-title`), as a literal `\\u{200d}`. As `&#x200d;` it reaches the HTML intact. Text
    between tags is written as it is, so it keeps its size.
    """
    return str(_IN_ATTRIBUTES.sub(lambda tag: _NON_ASCII.sub(_char_ref, tag.group()), source))


def _char_ref(match: regex.Match[str]) -> str:
    char = str(match.group())
    if _MANGLED.match(char) or unicodedata.category(char) in ("Cn", "Co"):
        return f"&#x{ord(char):x};"
    return char


def render_text(digest: Digest, settings: Settings) -> str:
    """The digest as a written plain-text email, wrapped at 72 columns, every link written out."""
    return _text(context(digest, settings), settings)


def _mjml(data: dict[str, Any], settings: Settings) -> str:
    """The MJML source from a template context."""
    env = html_env(settings.paths.templates)
    return _render(env, "email/digest.mjml.j2", data)


def _text(data: dict[str, Any], settings: Settings) -> str:
    """The plain text from a template context, which it extends with the text-only keys."""
    stories = [data["lead"], *data["others"]]
    data["stories"] = [_text_story(story, first=i == 0) for i, story in enumerate(stories)]
    data["follow_lines"] = [
        line for item in data["follow"] for line in _link_lines(item["title"], item["url"])
    ]
    data["footer_lines"] = _wrap(data["footer"])
    data["address_lines"] = _wrap(data["postal_address"])
    data["unsubscribe_lines"] = _link_lines("Unsubscribe", data["unsubscribe_url"])
    data["preferences_lines"] = _link_lines("Manage preferences", data["preferences_url"])
    data["web_lines"] = _link_lines("View in browser", data["web_url"])
    data["rule"] = "-" * WIDTH
    return _render(text_env(settings.paths.templates), "email/digest.txt.j2", data)


def _text_story(story: dict[str, Any], *, first: bool) -> dict[str, Any]:
    """A story's lines for plain text: headline with a rule under it, tagline, bullets, link."""
    headline = _wrap(story["headline"])
    return {
        "headline_lines": headline,
        "rule": ("=" if first else "-") * max(map(len, headline)),
        "tagline_lines": _wrap(story["tagline"]),
        "bullet_lines": [line for b in story["bullets"] for line in wrap(b, WIDTH, "- ", "  ")],
        "link_lines": _link_lines("Read more", story["url"]),
    }


def _wrap(text: str) -> list[str]:
    # Never break inside a word: numbers like MS-13 and long URLs stay whole.
    return wrap(text, WIDTH) or [""]


def _link_lines(label: str, url: str | None) -> list[str]:
    """`Label: URL` on one line when it fits in 72 columns, else the URL alone on the next."""
    if not url:
        return []
    line = f"{label}: {url}"
    return [line] if len(line) <= WIDTH else [f"{label}:", url]


def _render(env: Environment, name: str, data: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(data)
    except TemplateSyntaxError as exc:  # names the template it is in, which may be an include
        where = exc.name or name
        line = f":{exc.lineno}" if exc.lineno else ""
        raise RenderError(f"templates/{where}{line}: {exc.message}") from exc
    except TemplateError as exc:
        found = _template_line(env, exc)
        shown = f"templates/{found[0]}:{found[1]}" if found else f"templates/{name}"
        raise RenderError(f"{shown}: {exc}") from exc


def _template_line(env: Environment, exc: BaseException) -> tuple[str, int] | None:
    """The innermost template (its name) and line that `exc` was raised from, if jinja says."""
    loader = env.loader
    if not isinstance(loader, FileSystemLoader):
        return None
    folders = [os.path.abspath(folder) for folder in loader.searchpath]
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = os.path.abspath(frame.f_code.co_filename)
        for folder in folders:
            if filename.startswith(folder + os.sep):
                found = (Path(os.path.relpath(filename, folder)).as_posix(), line)
    return found
