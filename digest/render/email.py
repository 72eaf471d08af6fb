"""Render a Digest as an email: MJML compiled to HTML, a written plain text, and a `.eml`."""

from __future__ import annotations

import hashlib
import re
import textwrap
import unicodedata
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import mjml
from jinja2 import Environment, TemplateError

from digest.config import Settings, Utm
from digest.errors import RenderError
from digest.models import Digest, Entry, RenderedFile
from digest.render.templates import html_env, text_env

MAX_HTML_BYTES = 100_000  # Gmail clips messages at ~102 KB
WIDTH = 72  # plain-text line width
SCHEMES = ("http", "https", "mailto")
_UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
# Bidi controls could reorder a subject line; Cc/Zl/Zp could split a header.
_BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def render_email(digest: Digest, settings: Settings) -> tuple[RenderedFile, ...]:
    """The email of a digest: `email/digest.html`, `email/digest.txt` and `email/digest.eml`."""
    html = render_html(digest, settings)
    text = render_text(digest, settings)
    eml = build_eml(digest, settings, text=text, html=html)
    return (
        RenderedFile(path="email/digest.html", content=html.encode(), media_type="text/html"),
        RenderedFile(path="email/digest.txt", content=text.encode(), media_type="text/plain"),
        RenderedFile(path="email/digest.eml", content=eml, media_type="message/rfc822"),
    )


def render_mjml(digest: Digest, settings: Settings) -> str:
    """The digest as MJML source, before compiling."""
    env = html_env(settings.paths.templates)
    return _render(env, "email/digest.mjml.j2", _context(digest, settings))


def render_html(digest: Digest, settings: Settings) -> str:
    """The digest as email HTML, compiled from MJML; raises `RenderError` past 100 KB."""
    source = render_mjml(digest, settings)
    try:
        html = str(mjml.mjml2html(source, fonts={})).rstrip("\n") + "\n"
    except Exception as exc:  # mjml-python raises plain exceptions with MRML's message
        raise RenderError(f"email/digest.mjml.j2: MJML did not compile: {exc}") from exc
    size = len(html.encode())
    if size > MAX_HTML_BYTES:
        raise RenderError(
            f"email/digest.html is {size} bytes; Gmail clips email over ~102 KB, "
            "so lower max_stories for this schedule or shorten the templates"
        )
    return html


def render_text(digest: Digest, settings: Settings) -> str:
    """The digest as a written plain-text email, wrapped at 72 columns."""
    context = _context(digest, settings)
    stories = [context["lead"], *context["others"]]
    context["stories"] = [_text_story(story, first=i == 0) for i, story in enumerate(stories)]
    context["footer_lines"] = textwrap.wrap(settings.brand.footer, WIDTH)
    context["address_lines"] = textwrap.wrap(settings.brand.postal_address, WIDTH)
    return _render(text_env(settings.paths.templates), "email/digest.txt.j2", context)


def build_eml(digest: Digest, settings: Settings, *, text: str, html: str) -> bytes:
    """A multipart/alternative message (text first), deterministic for a given batch."""
    email, key = settings.email, _batch_key(digest)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = email.from_
    msg["To"] = email.to
    msg["Subject"] = clean_header(_entries(digest)[0].summary.headline)
    msg["Date"] = format_datetime(digest.slot.local)
    msg["Message-ID"] = f"<{key[:32]}@{email.list_id}>"
    msg["List-Id"] = f"{_phrase(settings.brand.name)} <{email.list_id}>"
    msg["List-Unsubscribe"] = f"<{email.unsubscribe_url}>, <{email.unsubscribe_mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # EmailMessage picks a random boundary; one derived from the batch keeps re-runs identical.
    msg.set_boundary(f"=_digest_{key[32:56]}")
    return msg.as_bytes()


def safe_url(url: str | None) -> str | None:
    """`url` when it is an http, https or mailto link, else None (javascript:, data:, relative)."""
    url = (url or "").strip()
    if not url or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not (parts.path if scheme == "mailto" else parts.hostname):
        return None
    return url


def with_utm(url: str, utm: Utm, schedule: str) -> str:
    """An http(s) `url` with the configured UTM parameters; its other parameters are kept as is."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in _UTM_KEYS]
    campaign = utm.campaign.replace("{schedule}", schedule)
    tags = urlencode({"utm_source": utm.source, "utm_medium": utm.medium, "utm_campaign": campaign})
    return urlunsplit(parts._replace(query="&".join([*kept, tags])))


def clean_header(value: str) -> str:
    """`value` on one line: control, line-separator and bidi characters become spaces."""
    return _one_line(value, drop=_BIDI)


def _one_line(value: str, drop: frozenset[str] = frozenset()) -> str:
    """`value` on one line, without the control characters that break MJML or a header."""
    spaced = "".join(" " if _unsafe(c) or c in drop else c for c in value)
    return " ".join(spaced.split())


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in "\ufffe\uffff"


def _phrase(name: str) -> str:
    """A display name for a header, quoted when it holds characters outside an RFC 5322 atom."""
    name = clean_header(name)
    if not name.isascii():  # encoded words (RFC 2047) may not sit inside quotes: drop specials
        return " ".join(re.sub(r'[()<>\[\]:;@\\,."]', " ", name).split())
    if re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _batch_key(digest: Digest) -> str:
    return hashlib.sha256(digest.slot.batch_id.encode()).hexdigest()


def _entries(digest: Digest) -> tuple[Entry, ...]:
    if not digest.entries:
        raise RenderError(f"{digest.slot.batch_id}: the digest has no stories to email")
    return digest.entries


def _context(digest: Digest, settings: Settings) -> dict[str, Any]:
    """What both templates see: brand, links, the lead story and the others, all plain data."""
    entries, brand = _entries(digest), settings.brand
    stories = [_story(entry, settings, digest.slot.schedule) for entry in entries]
    language = entries[0].story.language
    return {
        "brand": brand,
        "logo_url": safe_url(brand.logo_url),
        "website": safe_url(brand.website),
        "lang": language if _LANG.fullmatch(language) else "en",
        "date": _date_label(digest.slot.local),
        "lead": stories[0],
        "others": stories[1:],
        "unsubscribe_url": safe_url(settings.email.unsubscribe_url),
        "preferences_url": safe_url(settings.email.preferences_url),
    }


def _story(entry: Entry, settings: Settings, schedule: str) -> dict[str, Any]:
    url, image = safe_url(entry.story.url), safe_url(entry.story.image)
    summary = entry.summary
    return {
        "headline": _one_line(summary.headline),
        "tagline": _one_line(summary.tagline),
        "bullets": tuple(_one_line(b) for b in summary.bullets if _one_line(b)),
        "url": with_utm(url, settings.email.utm, schedule) if url else None,
        "image": image if image and not image.lower().startswith("mailto:") else None,
        "image_alt": _one_line(entry.story.image_alt or summary.headline),
    }


def _text_story(story: dict[str, Any], *, first: bool) -> dict[str, Any]:
    """A story with its tagline and bullets wrapped for plain text and a rule for its headline."""
    # Never break inside a word: numbers like MS-13 and long URLs stay whole.
    wrap = textwrap.TextWrapper(WIDTH, break_long_words=False, break_on_hyphens=False)
    bullet = textwrap.TextWrapper(
        WIDTH,
        initial_indent="- ",
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return {
        **story,
        "rule": ("=" if first else "-") * min(len(story["headline"]), WIDTH),
        "tagline_lines": wrap.wrap(story["tagline"]),
        "bullet_lines": [line for b in story["bullets"] for line in bullet.wrap(b)],
    }


def _date_label(local: datetime) -> str:
    """`Saturday 28 November 2026`, independent of the process locale."""
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def _render(env: Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except TemplateError as exc:
        raise RenderError(f"templates/{name}: {exc}") from exc
