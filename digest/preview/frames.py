"""The email as the preview's iframe shows it: the real `digest.html`, with its colour scheme set.

An iframe follows the editor's own system scheme, so the light and dark frames fix it: the
email's own `prefers-color-scheme` styles are switched on (dark) or off (light), and its
`color-scheme` becomes that one scheme. Nothing else of the email changes. For an export the
frames also stop loading remote images and stylesheets, so the folder makes no request at all.
"""

from __future__ import annotations

import re
from html import escape

SCHEMES = ("light", "dark")
_ALWAYS, _NEVER = "(min-width: 0px)", "(max-width: -1px)"
_PREFERS = re.compile(r"\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)", re.IGNORECASE)
_COLOR_SCHEME = re.compile(r"(color-scheme\s*:\s*)light\s+dark", re.IGNORECASE)
_META = re.compile(r"""(<meta\s+name=["']color-scheme["']\s+content=["'])light dark""", re.I)
_REMOTE_ATTR = re.compile(r"""(\s(?:src|background)\s*=\s*)(["'])(?:https?:)?//[^"']*\2""", re.I)
_SRCSET = re.compile(r"""\ssrcset\s*=\s*(["'])[^"']*\1""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(?:https?:)?//[^"')]*\1\s*\)""", re.IGNORECASE)
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//[^;]*;""", re.IGNORECASE)
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
# Where a policy goes: just inside <head>, else inside <html>, else after the doctype.
_OPENINGS = [
    re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE),
    re.compile(r"<html(?:\s[^>]*)?>", re.IGNORECASE),
    re.compile(r"<!doctype[^>]*>", re.IGNORECASE),
]


def force_scheme(html: str, scheme: str) -> str:
    """`html` as a reader whose mail client is set to `scheme` ("light" or "dark") sees it."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme {scheme!r}: use light or dark")

    def query(match: re.Match[str]) -> str:
        return _ALWAYS if match.group(1).lower() == scheme else _NEVER

    html = _PREFERS.sub(query, html)
    html = _COLOR_SCHEME.sub(lambda m: m.group(1) + scheme, html)
    return _META.sub(lambda m: m.group(1) + scheme, html)


def offline(html: str, placeholder: str) -> tuple[str, int]:
    """`html` with every remote image shown as `placeholder` and remote stylesheets dropped.

    Returns the new HTML and how many remote references it replaced.
    """
    count = 0

    def image(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        quote = match.group(2)
        return f"{match.group(1)}{quote}{placeholder}{quote}"

    def css(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f'url("{placeholder}")'

    def drop(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return ""

    html = _REMOTE_ATTR.sub(image, html)
    html = _SRCSET.sub(drop, html)
    html = _IMPORT.sub(drop, html)
    html = _CSS_URL.sub(css, html)
    html = _LINK.sub(drop, html)
    return html, count


def with_csp(html: str, policy: str) -> str:
    """`html` with a `<meta>` Content-Security-Policy before anything the policy is to cover."""
    content = escape(policy, quote=False).replace('"', "&quot;")  # its ' stay as they are
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    for opening in _OPENINGS:
        match = opening.search(html)
        if match:
            return html[: match.end()] + meta + html[match.end() :]
    return meta + html
