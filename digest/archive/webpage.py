"""An issue's web page: the email's own HTML, changed only where a web page must differ.

Every change is an edit of an exact span of the published HTML, so everything else (MJML's
markup, Outlook's conditional comments) stays byte for byte what readers got by email:

- `<head>` opens with the page's CSP (no script, no form, no base, styles and images as an
  email has them), then its charset, `noindex` when `[archive] noindex`, the canonical URL and
  the Atom feed;
- the way out the theme marks (`<!--digest:way-out-->...<!--/digest:way-out-->`, the
  unsubscribe and preferences links) becomes a Subscribe link (`[archive] subscribe_url`) or
  nothing, the marked "View in browser" (`<!--digest:web-link-->...`) an "All issues" link,
  and what only an email reader needs (`<!--digest:email-only-->...`: why they get it, "You
  receive this digest because you subscribed at ...") nothing;
- whatever a template did not mark: every `<a>` whose href is a way out of the issue, an
  email service's merge tag or its web link is removed, and such an href of any other tag
  (Outlook's VML buttons) too;
- outside `<style>`, template syntax (`{{`, `*|`, `<%` ...) split by a space only where the
  email split it (built under a `[email] merge_tags` preset, it holds none but its service's
  tags): an email built without one keeps its text as written, as the index and feeds do;
- nothing that runs, refreshes or loads a frame, no link of another scheme than http, https
  or mailto, wherever it hides (`digest.archive.scrub`, repeated until it finds nothing), and
  before the CSP only the doctype and the `<html>` tag: anything else before `<head>` goes.

An email without a marked web link (no `[email] web_url`, or a template without the marks)
gets its "All issues" link in a line of its own atop the body, so every page leads back to the
index. A template without the marks still loses its way out (the fallback above) but gains no
Subscribe link: only the marks say where one belongs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from digest.archive.batch_checks import MERGE_TAGS
from digest.archive.model import Issue
from digest.archive.scrub import TAG, scrub
from digest.config.archive import Archive
from digest.config.email_links import TEMPLATE_OPENER, inert

SUBSCRIBE = "Subscribe"
ALL_ISSUES = "All issues"
_QUOTED = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_TAG = re.compile(rf"<([A-Za-z][A-Za-z0-9:-]*)({_QUOTED})>")
_ATTRIBUTE = re.compile(
    r"""(\s+|(?<=["']))([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
)
# The end of an <a>, or the edge of the comment it is in (Outlook's): nothing past it is its.
_END_A = re.compile(r"</a\s*>|<!--|-->", re.I)
_MARKED = {
    name: re.compile(rf"<!--digest:{name}-->(.*?)<!--/digest:{name}-->", re.S)
    for name in ("way-out", "web-link", "email-only")
}
_BODY = re.compile(rf"<body(?=[\s>/]){_QUOTED}>", re.I)
_DOCTYPE = re.compile(r"<!doctype[^>]*>", re.I)
_DOCTYPE_AT_START = re.compile(r"(?:\s*<!doctype[^>]*>)?", re.I)
_STYLE = re.compile(r"<style(?=[\s>/]).*?</style\s*>", re.I | re.S)
_ORIGIN = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")


def web_version(
    issue: Issue,
    archive: Archive,
    *,
    index_href: str,
    feed_href: str,
    font_origin: str | None,
    nav_color: str | None = None,
) -> bytes:
    """The page of `issue` (UTF-8): its email's HTML made a web page (see the module's
    docstring). `index_href` and `feed_href` are relative to the page; `font_origin` is the
    https origin of the brand's web-font stylesheet, or None; `nav_color` (#rrggbb) the colour
    of an "All issues" line the page gains when its email marks no web link."""
    html = issue.email_html
    if not _MARKED["web-link"].search(html):
        html = _with_nav(html, index_href, nav_color)
    subscribe = archive.subscribe_url
    html = _MARKED["way-out"].sub(
        lambda m: _relinked(m.group(1), subscribe, SUBSCRIBE) if subscribe else "", html
    )
    html = _MARKED["web-link"].sub(lambda m: _relinked(m.group(1), index_href, ALL_ISSUES), html)
    html = _MARKED["email-only"].sub("", html)
    gone = issue.way_out | MERGE_TAGS | ({issue.web_link} if issue.web_link else set())
    html = _without_links(html, lambda href: href in gone)
    if not _keeps_templates(issue.email_html):
        html = _outside_styles(html, inert)
    html = scrub(html)  # last: nothing it drops can come back, and it drops what joins made
    head = _head(issue, archive, feed_href=feed_href, font_origin=font_origin)
    return _with_head(html, head).encode("utf-8")


def csp(font_origin: str | None) -> str:
    """The issue page's Content-Security-Policy: nothing runs; images and inline styles as the
    email has them, and the brand's web-font stylesheet from `font_origin`."""
    if font_origin is not None and not _ORIGIN.fullmatch(font_origin):
        raise ValueError(f"{font_origin!r} is not an https origin (https://host[:port])")
    styles = "'unsafe-inline'" + (f" {font_origin}" if font_origin else "")
    return (
        f"default-src 'none'; img-src https: data:; style-src {styles}; font-src https: data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _head(issue: Issue, archive: Archive, *, feed_href: str, font_origin: str | None) -> str:
    """What the page's <head> starts with: the CSP first, then the charset and the links."""
    parts = [
        f'<meta http-equiv="Content-Security-Policy" content="{_escape(csp(font_origin))}">',
        '<meta charset="utf-8">',
    ]
    if archive.noindex:
        parts.append('<meta name="robots" content="noindex">')
    parts.append(f'<link rel="canonical" href="{_escape(issue.url)}">')
    title = f' title="{_escape(archive.title)}"' if archive.title else ""
    parts.append(
        f'<link rel="alternate" type="application/atom+xml" href="{_escape(feed_href)}"{title}>'
    )
    return "".join(parts)


def _with_nav(html: str, index_href: str, color: str | None) -> str:
    """`html` with a centred "All issues" line first in its <body> (or first of all)."""
    shade = f"color:{color};" if color and re.fullmatch(r"#[0-9a-fA-F]{6}", color) else ""
    line = (
        f'<div class="dm-footer" style="margin:0 auto;max-width:600px;padding:8px 24px;'
        f'text-align:center;font-size:12px;line-height:1.5;{shade}">'
        f'<a href="{_escape(index_href)}" style="{shade}text-decoration:underline;">'
        f"{ALL_ISSUES}</a></div>"
    )
    body = _BODY.search(html)
    at = body.end() if body else 0
    return f"{html[:at]}{line}{html[at:]}"


def _with_head(html: str, head: str) -> str:
    """`html` (scrubbed) with `head` first in its <head> (one made when it has none): before
    it, only the doctype and the <html> tag, as the email wrote them; anything else there, which
    a browser would read before the CSP, is dropped."""
    found = _first_tag(html, "head")
    if found is not None:
        before, opened, rest = html[: found.start()], found.group(), html[found.end() :]
        root = _first_tag(before, "html")
    else:
        root = _first_tag(html, "html")
        leading = _DOCTYPE_AT_START.match(html)
        at = root.end() if root else leading.end() if leading else 0
        before, opened, rest = html[:at], "<head>", html[at:]
        head += "</head>"
    doctype = _DOCTYPE.search(before[: root.start()] if root else before)
    kept = (doctype.group() if doctype else "") + (root.group() if root else "")
    return f"{kept}{opened}{head}{rest}"


def _first_tag(html: str, name: str) -> re.Match[str] | None:
    """The first start tag `name` a browser could read in `html`."""
    for opening in re.finditer(rf"<(?={name}[\t\n\f\r />])", html, re.IGNORECASE):
        tag = TAG.match(html, opening.start())
        if tag is not None and tag[1].lower() == name:
            return tag
    return None


def _keeps_templates(email_html: str) -> bool:
    """Whether the email kept template syntax in its text (built under `merge_tags = "none"`):
    any outside <style> but an email service's own tags, as hrefs."""
    text = _STYLE.sub("", email_html)
    for tag in MERGE_TAGS:
        text = text.replace(f'"{tag}"', "")
    return TEMPLATE_OPENER.search(text) is not None


def _escape(text: str) -> str:
    """`text` for a double-quoted attribute value (its `'` kept, as in a CSP)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _relinked(span: str, href: str, label: str) -> str:
    """A link to `href` reading `label`, dressed as the first <a> of `span` (its style)."""
    for found in _TAG.finditer(span):
        if found.group(1).lower() == "a":
            kept = _ATTRIBUTE.sub(lambda a: "" if _drops(a, {"href"}) else a.group(), found[2])
            return f'<a href="{_escape(href)}"{kept}>{_escape(label)}</a>'
    return f'<a href="{_escape(href)}">{_escape(label)}</a>'


def _without_links(html: str, gone: Callable[[str], bool]) -> str:
    """`html` without the <a> elements whose href is `gone`, and in every other tag (VML,
    inside Outlook's conditional comments too) without such an href."""
    out, position = [], 0
    for found in _TAG.finditer(html):
        if found.start() < position:
            continue  # inside an <a> already removed
        if found[1].lower() == "a" and any(gone(_value(a)) for a in _hrefs(found[2])):
            end = _END_A.search(html, found.end())
            closed = end is not None and end.group().lower().startswith("</a")
            out.append(html[position : found.start()])
            position = end.end() if end is not None and closed else found.end()
            continue
        kept = _ATTRIBUTE.sub(lambda a: "" if _unwanted(a, gone) else a.group(), found[2])
        if kept != found[2]:
            out.append(f"{html[position : found.start()]}<{found[1]}{kept}>")
            position = found.end()
    out.append(html[position:])
    return "".join(out)


def _hrefs(attributes: str) -> list[re.Match[str]]:
    return [a for a in _ATTRIBUTE.finditer(attributes) if a[2].lower() == "href"]


def _unwanted(attribute: re.Match[str], gone: Callable[[str], bool]) -> bool:
    """An href that is `gone` (the rest is `scrub`'s)."""
    return attribute[2].lower() == "href" and gone(_value(attribute))


def _drops(attribute: re.Match[str], names: set[str]) -> bool:
    name = attribute[2].lower()
    return name in names or name.startswith("on")


def _value(attribute: re.Match[str]) -> str:
    raw = attribute[3] or ""
    if raw[:1] in ("'", '"'):
        raw = raw[1:-1]
    return unescape(raw).strip()


def _outside_styles(html: str, change: Callable[[str], str]) -> str:
    """`html` with `change` applied to everything but its <style> elements."""
    out, position = [], 0
    for style in _STYLE.finditer(html):
        out += [change(html[position : style.start()]), style.group()]
        position = style.end()
    out.append(change(html[position:]))
    return "".join(out)
