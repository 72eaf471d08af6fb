"""Read email HTML into a `HtmlFacts`: a clean page's facts straight from `html_scan`'s tokens.

A built email has no structural error, unquoted attribute, image without alt or active
content: each of those is reported with its line, and only the full reading (`html_facts`)
knows lines. So this reading keeps no positions but the links' byte offsets, and gives up
(None) at the first token that would be a problem; the caller then reads the page fully and
reports it. When it answers, its facts are the full reading's (tests/
test_render_email_html_scan.py holds both to html.parser's on built and edited emails).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import cast

from digest.render.email.html_facts import (
    _ACTIVE_TAGS,
    _ATTR,
    _SKIP_TEXT,
    VOID,
    HtmlFacts,
    _runs_code,
    conditional_tags,
    parse_html_slowly,
    replay_facts,
)
from digest.render.email.html_scan import Token, scan

_Attributes = tuple[tuple[str, str | None], ...]
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_PRESENTATION = re.compile(r'\srole="presentation"')


def parse_html(html: str) -> HtmlFacts:
    """Parse `html` (MJML output) into a `HtmlFacts`, noting every structural error on the way.

    The markup MJML writes is read in one regular-expression pass (`html_scan`), and a clean
    page's facts taken straight from its tokens; a page with a problem has html.parser's rules
    replayed on the tokens, to report it by line; any other markup is read by html.parser.
    All three give the same facts (tests/test_render_email_html_scan.py).
    """
    tokens = scan(html)
    if tokens is None:
        return parse_html_slowly(html)
    return quick_facts(html, tokens) or replay_facts(html, tokens)


def quick_facts(html: str, tokens: list[Token]) -> HtmlFacts | None:
    """The facts of `html` read from its `tokens`, or None when the page has any problem."""
    page = HtmlFacts()
    stack: list[str] = []
    chunks: list[str] = []
    hidden = 0  # open elements whose text is no page text (head, style, script, title)
    seen_doctype = started = False
    ascii_only = html.isascii()
    byte = byte_at = 0
    for kind, position, value, extra in tokens:
        if kind == "text":
            if not hidden:
                chunks.append(value)
        elif kind == "start" or kind == "startend":
            if not started or (value == "html" and not seen_doctype):
                if not seen_doctype:
                    return None
                started = True
            attrs = cast(tuple[_Attributes, str], extra)[0]
            if not _clean_start(value, attrs):
                return None
            if kind == "startend":
                if value not in VOID:
                    return None
            elif value not in VOID:
                stack.append(value)
                hidden += value in _SKIP_TEXT
            if value == "a":
                href = _value(attrs, "href")
                if href is not None:
                    if not ascii_only:
                        byte += len(html[byte_at:position].encode())
                        byte_at = position
                    page.links.append((href.strip(), byte if not ascii_only else position))
            elif value == "img":
                src, alt = _value(attrs, "src"), _value(attrs, "alt")
                if alt is None:
                    return None
                page.sources.append((src or "").strip())
            elif value == "table":
                page.layout_tables += _value(attrs, "role") != "presentation"
            elif value == "html":
                page.lang = _value(attrs, "lang") or None
            elif value in _HEADINGS:
                page.headings.append(_HEADINGS[value])
        elif kind == "end":
            if not stack or stack[-1] != value:
                return None  # a void element closed, or a tag closed out of order
            stack.pop()
            hidden -= value in _SKIP_TEXT
        elif kind == "comment":
            if value.startswith("[if"):
                conditional = _conditional(value)
                if conditional is None:
                    return None
                page.layout_tables += conditional[0]
                page.outlook_links.extend(conditional[1])
        elif value.lower() == "doctype html" and not started:  # a declaration
            seen_doctype = started = True
        else:
            started = True
    if any(tag not in ("html", "body", "head") for tag in stack):
        return None
    page.text = "".join(chunks)
    return page


def _value(attrs: _Attributes, name: str) -> str | None:
    for found, value in attrs:
        if found == name:
            return value
    return None


@lru_cache(maxsize=4096)
def _clean_start(tag: str, attrs: _Attributes) -> bool:
    """Whether a start tag holds no active content and no repeated attribute (MJML repeats its
    tags: each is judged once)."""
    if tag in _ACTIVE_TAGS:
        return False
    if len(attrs) > 1 and len({name for name, _ in attrs}) < len(attrs):
        return False
    return all(_inert(tag, name, value) for name, value in attrs)


def _inert(tag: str, name: str, value: str | None) -> bool:
    """Whether an attribute runs no code."""
    return not name.startswith("on") and not _runs_code(tag, name, value or "")


@lru_cache(maxsize=1024)
def _conditional(data: str) -> tuple[int, tuple[str, ...]] | None:
    """The layout tables and links of an Outlook conditional comment, None if a tag in it has
    an unquoted or a repeated attribute or runs code (MJML writes the same few comments again
    and again)."""
    tables, links = 0, []
    for tag, raw, attrs in conditional_tags(data):
        names = [name for name, _ in attrs]
        if len(set(names)) < len(names) or tag in _ACTIVE_TAGS:
            return None
        quoted = _ATTR.finditer(raw[len(tag) + 1 :].rstrip("/>"))
        if any(m.group(2) is not None and m.group(2)[0] not in "\"'" for m in quoted):
            return None
        if not all(_inert(tag, name, value) for name, value in attrs):
            return None
        if tag == "table" and not _PRESENTATION.search(raw):
            tables += 1
        href = dict(attrs).get("href")
        if href is not None:
            links.append(href.strip())
    return tables, tuple(links)
