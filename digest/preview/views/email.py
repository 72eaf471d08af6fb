"""The email view: subject, preheader, the plain text, and the results of the email checks."""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from typing import Any

from digest.config import Settings
from digest.render.email.checks import CHECKS, FILES, MAX_HTML_BYTES, check_email, read_email

CLIP_BYTES = 102 * 1024  # where Gmail clips a message
# The first thing in the body, or in MRML's wrapper <div> right inside it: a hidden <div>.
_PREHEADER = re.compile(
    r"<body[^>]*>\s*(?:<div[^>]*>\s*)?<div[^>]*display:\s*none[^>]*>(.*?)</div>", re.S | re.I
)
_PAD = "\u034f\u00a0\u200b\u200c\u200d\u2060\ufeff "


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.found.append({"src": values.get("src"), "alt": values.get("alt")})


def images(html: str) -> list[dict[str, str | None]]:
    """Every <img> of the email with its src and alt (None when it has no alt)."""
    reader = _Images()
    reader.feed(html)
    reader.close()
    return reader.found


def preheader(html: str) -> str:
    """The hidden preview text at the top of the email's body (the theme's preheader partial,
    or the <div> an <mj-preview> gives), without its padding."""
    match = _PREHEADER.search(html)
    if not match:
        return ""
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
    return text.strip().rstrip(_PAD).strip()


def email_view(files: dict[str, bytes], settings: Settings) -> dict[str, Any] | None:
    """What the email page shows, or None when the sample has no email."""
    if not all(path in files for path in FILES):
        return None
    html, text, eml = (files[path] for path in FILES)
    mail = read_email(html, text, eml)
    failures = check_email(mail, settings)
    checks = [{"name": name, "problems": [p for n, p in failures if n == name]} for name in CHECKS]
    message = mail.message
    source = html.decode("utf-8", errors="replace")
    links = [href for href, _ in mail.page.links]
    return {
        "subject": str(message.get("Subject", "")).strip() if message else "",
        "sender": str(message.get("From", "")) if message else "",
        "to": str(message.get("To", "")) if message else "",
        "preheader": preheader(source),
        "text": mail.text,
        "size": len(html),
        "size_kb": f"{len(html) / 1024:.1f}",
        "max_bytes": MAX_HTML_BYTES,
        "clip_bytes": CLIP_BYTES,
        "checks": checks,
        "failed": sum(1 for check in checks if check["problems"]),
        "images": images(source),
        "links": sorted(set(links), key=links.index),
    }
