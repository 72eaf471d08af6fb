"""The archive's index pages: every issue newest first, `per_page` a page, for the whole archive
(index.html, page/2/index.html ...) and for each schedule (schedules/<name>/index.html ...).

Rendered from the theme's `archive/index.html.j2` and `archive/index.css.j2` (a project's
templates/archive/ overrides either). Every text of a batch is data, escaped by Jinja; links
between the site's pages are relative, so a copy of the site browses from disk too. The page's
one <style> is allowed by its sha256 in the CSP meta that opens <head>; no script, ever.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from digest.archive.links import relative
from digest.archive.model import Issue
from digest.config.archive import page_url
from digest.config.brand import Brand
from digest.errors import RenderError
from digest.render.email.context import date_label
from digest.render.templates import html_env, text_env
from digest.text import one_line, visible

PAGE = "archive/index.html.j2"
STYLE = "archive/index.css.j2"
FEEDS = (  # (file, media type, label) of the feeds beside every index
    ("feed.xml", "application/atom+xml", "Atom feed"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_ORIGIN = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?")  # what a CSP source's host may be
_HEAD = re.compile(r"<head\b[^>]*>\s*<meta http-equiv=\"Content-Security-Policy\"", re.IGNORECASE)


@dataclass(frozen=True)
class SiteInfo:
    """What every index page says of the archive as a whole."""

    title: str
    description: str
    base_url: str  # where the site is served, ending with /
    lang: str
    schedules: tuple[str, ...]  # the archived schedules, each with pages of its own
    brand: Brand
    per_page: int = 20
    subscribe_url: str | None = None


def index_pages(
    issues: Sequence[Issue], info: SiteInfo, templates: Path, *, schedule: str | None
) -> dict[str, bytes]:
    """Site-relative path → page: the index of every issue (`schedule` None) or of one
    schedule's, newest first, `info.per_page` a page; no issues still give one page."""
    chosen = sorted(
        (i for i in issues if schedule is None or i.schedule == schedule),
        key=lambda i: (i.utc, i.batch_id),
        reverse=True,
    )
    per = info.per_page
    chunks = [chosen[at : at + per] for at in range(0, len(chosen), per)] or [[]]
    prefix = "" if schedule is None else f"schedules/{schedule}/"
    paths = [index_path(prefix, number) for number in range(1, len(chunks) + 1)]
    style = _render(_css_env(templates), STYLE, _style_context(info.brand))
    csp = index_csp(style, info.brand.font_url)
    pages = {}
    for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), start=1):
        context = _page_context(info, schedule, path, chunk, len(chosen)) | {
            "csp": Markup(csp),  # quotes kept as they are: nothing in it needs escaping
            "style": Markup(style),  # config values only (see index.css.j2); hashed as is
            "pager": _pager(path, paths, number),
        }
        html = _render(_page_env(templates), PAGE, context)
        _check(html, style)
        pages[path] = html.encode("utf-8")
    return pages


def index_path(prefix: str, number: int) -> str:
    """The file of index page `number` (from 1) under `prefix` ("" or schedules/<name>/)."""
    return f"{prefix}index.html" if number == 1 else f"{prefix}page/{number}/index.html"


def index_csp(style: str, font_url: str | None) -> str:
    """The index pages' policy: nothing but their own stylesheet (by hash), the brand's web
    font stylesheet, fonts, and https images; no script, no form, no base."""
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    styles = f"'sha256-{digest}'"
    if font_url is not None:
        parts = urlsplit(font_url)
        if not _ORIGIN.fullmatch(parts.netloc):
            raise RenderError(f"[brand] font_url {font_url!r} has a host no CSP can name")
        styles += f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; img-src https: data:; style-src {styles}; font-src https: data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _page_context(
    info: SiteInfo, schedule: str | None, path: str, issues: Sequence[Issue], total: int
) -> dict[str, Any]:
    """What the page template sees: plain data, every batch text cleaned to one line."""
    brand, prefix = info.brand, "" if schedule is None else f"schedules/{schedule}/"
    number = 1 if path == f"{prefix}index.html" else int(path.split("/")[-2])
    page_title = info.title if schedule is None else f"{info.title}: {schedule}"
    many = len(info.schedules) > 1
    own = _feeds(path, prefix, page_title)
    every = _feeds(path, "", info.title) if schedule is not None else []
    tabs = [(None, "All issues", "index.html")] + [
        (name, name, f"schedules/{name}/index.html") for name in info.schedules
    ]
    return {
        "lang": info.lang,
        "title": info.title,
        "site_name": brand.name,
        "description": info.description,
        "page_title": page_title + (f" (page {number})" if number > 1 else ""),
        "kicker": "Newsletter archive" if schedule is None else f"{schedule} issues",
        "canonical": page_url(info.base_url, path),
        "font_url": brand.font_url,
        "logo": {"url": brand.logo_url, "width": brand.logo_width} if brand.logo_url else None,
        "website": brand.website,
        "subscribe_url": info.subscribe_url,
        "home": relative(path, "index.html"),
        "total": total,
        "feeds": own,
        "all_feeds": every,
        "alternates": own + every,
        "tabs": [
            {"label": label, "href": relative(path, href), "current": name == schedule}
            for name, label, href in tabs
        ]
        if many
        else [],
        "entries": [
            _entry(issue, path, info, show_schedule=many and not schedule) for issue in issues
        ],
    }


def _entry(issue: Issue, path: str, info: SiteInfo, *, show_schedule: bool) -> dict[str, Any]:
    """One issue in the list: its date, subject, the lead's tagline and the headlines."""
    headlines = [_plain(story.headline) for story in issue.stories]
    subject = _plain(issue.subject) or (headlines[0] if headlines else "") or info.title
    lead_shown = bool(headlines) and headlines[0] == subject
    listed = [h for h in (headlines[1:] if lead_shown else headlines) if h]
    tagline = _plain(issue.stories[0].tagline) if issue.stories else ""
    own = f"schedules/{issue.schedule}/index.html"
    return {
        "href": relative(path, issue.page),
        "subject": subject,
        "tagline": tagline,
        "headlines": listed,
        "lead_shown": lead_shown,
        "date": date_label(issue.local),
        "datetime": issue.local.isoformat(),
        "lang": issue.lang if issue.lang != info.lang else None,
        "schedule": {"label": issue.schedule, "href": relative(path, own)}
        if show_schedule and issue.schedule in info.schedules
        else None,
    }


def _feeds(path: str, prefix: str, title: str) -> list[dict[str, str]]:
    """The feeds in the folder `prefix` ("" or schedules/<name>/), linked from `path`."""
    return [
        {
            "type": kind,
            "label": label,
            "title": f"{title} ({label})",
            "href": relative(path, prefix + name),
        }
        for name, kind, label in FEEDS
    ]


def _pager(path: str, paths: Sequence[str], number: int) -> dict[str, Any]:
    """Links to the newer and the older page (None at either end), and where this one is."""
    newer = relative(path, paths[number - 2]) if number > 1 else None
    older = relative(path, paths[number]) if number < len(paths) else None
    return {"page": number, "pages": len(paths), "newer": newer, "older": older}


def _style_context(brand: Brand) -> dict[str, Any]:
    return {"brand": brand, "heading_font": brand.heading_font_family or brand.font_family}


def _plain(text: str) -> str:
    """A batch's text on one line, without invisible or bidi-control characters."""
    return one_line(visible(text))


@cache
def _page_env(templates: Path) -> Environment:
    """The theme's HTML environment (autoescaped, strict), with block tags on lines of their own."""
    return html_env(templates).overlay(trim_blocks=True, lstrip_blocks=True, cache_size=100)


@cache
def _css_env(templates: Path) -> Environment:
    """Unescaped, for the stylesheet: HTML escaping would turn a font's quotes into entities."""
    return text_env(templates)


def _render(env: Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except TemplateSyntaxError as error:
        where = f"{error.name or name}:{error.lineno}" if error.lineno else name
        raise RenderError(f"templates/{where}: {error.message}") from error
    except TemplateError as error:
        raise RenderError(f"templates/{name}: {error}") from error


def _check(html: str, style: str) -> None:
    """Refuse a page (an overriding template's) that the CSP would break or that runs code."""
    if not _HEAD.search(html):
        raise RenderError(
            f"templates/{PAGE}: the Content-Security-Policy <meta> must be the first element of "
            "<head>, as in the theme's copy"
        )
    if any(found != style for found in _STYLE.findall(html)):
        raise RenderError(
            f"templates/{PAGE}: an inline <style> other than {{{{ style }}}} written as is; the "
            f"page's CSP allows only that one: put the CSS in templates/{STYLE}"
        )
    if re.search(r"<script\b", html, re.IGNORECASE):
        raise RenderError(f"templates/{PAGE}: archive pages run no script; remove the <script>")
