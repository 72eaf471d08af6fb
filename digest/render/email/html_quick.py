"""Read email HTML into a `HtmlFacts`: a clean page's facts in the same pass as its tokens.

A built email has no structural error, unquoted attribute, image without alt or active
content: each of those is reported with its line, and only the full reading (`html_facts`)
knows lines. So this reading keeps no positions but the links' byte offsets, reads the tokens
as `html_scan.scan` does (its expression, its attributes, its raw text) and judges each as it
comes, without keeping it, and gives up (None) at the first token that `scan` does not read or
that would be a problem; the caller then reads the page fully and reports it. When it answers,
its facts are the full reading's (tests/test_render_email_html_scan.py holds it to `scan` and
html.parser's rules on built and edited emails).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

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
from digest.render.email.html_scan import RAW_TEXT, TOKEN, attributes, raw_text_end, scan

_Attributes = tuple[tuple[str, str | None], ...]
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_PRESENTATION = re.compile(r'\srole="presentation"')


def parse_html(html: str) -> HtmlFacts:
    """Parse `html` (MJML output) into a `HtmlFacts`, noting every structural error on the way.

    The markup MJML writes is read in one regular-expression pass, and a clean page's facts
    taken as it goes (`quick_facts`); a page with a problem is read into tokens (`html_scan`)
    and has html.parser's rules replayed on them, to report it by line; any other markup is
    read by html.parser. All three give the same facts (tests/test_render_email_html_scan.py).
    """
    quick = quick_facts(html)
    if quick is not None:
        return quick
    tokens = scan(html)
    if tokens is None:
        return parse_html_slowly(html)
    return replay_facts(html, tokens)


def quick_facts(html: str) -> HtmlFacts | None:
    """The facts of `html`, or None when `scan` does not read it or the page has any problem."""
    page = HtmlFacts()
    stack: list[str] = []
    chunks: list[str] = []
    hidden = 0  # open elements whose text is no page text (head, style, script, title)
    seen_doctype = started = False
    ascii_only = html.isascii()
    byte = byte_at = 0
    position, size = 0, len(html)
    while position < size:
        for found in TOKEN.finditer(html, position):  # as `scan` reads them
            start, end = found.span()
            if start != position:
                return None
            kind = found.lastgroup
            if kind == "close":  # a start tag
                name, raw, closed = found.group("start", "attrs", "close")
                tag = name.lower()
                if not started or (tag == "html" and not seen_doctype):
                    if not seen_doctype:
                        return None
                    started = True
                attrs, clean = _start_tag(tag, raw)
                if not clean or (closed and tag not in VOID):
                    return None
                if not closed and tag not in VOID:
                    stack.append(tag)
                    hidden += tag in _SKIP_TEXT
                if tag == "a":
                    href = _value(attrs, "href")
                    if href is not None:
                        if not ascii_only:
                            byte += len(html[byte_at:position].encode())
                            byte_at = position
                        page.links.append((href.strip(), byte if not ascii_only else position))
                elif not _noted(page, tag, attrs):
                    return None
                if tag in RAW_TEXT:  # its text is hidden: the element is open
                    stop = raw_text_end(html, tag, bool(closed), end)
                    if stop is None:
                        return None
                    position = stop
                    break
            elif kind == "end":
                tag = found["end"].lower()
                if not stack or stack[-1] != tag:
                    return None  # a void element closed, or a tag closed out of order
                stack.pop()
                hidden -= tag in _SKIP_TEXT
            elif kind == "text":
                if not hidden:
                    text = found["text"]
                    chunks.append(unescape(text) if "&" in text else text)
            elif kind == "comment":
                comment = found["comment"]
                if comment.startswith("[if"):
                    conditional = _conditional(comment)
                    if conditional is None:
                        return None
                    page.layout_tables += conditional[0]
                    page.outlook_links.extend(conditional[1])
            elif found["decl"].lower() == "doctype html" and not started:
                seen_doctype = started = True
            else:
                started = True
            position = end
        else:
            break
    if position < size or any(tag not in ("html", "body", "head") for tag in stack):
        return None
    page.text = "".join(chunks)
    return page


def _noted(page: HtmlFacts, tag: str, attrs: _Attributes) -> bool:
    """Note what a start tag other than `<a>` tells; False for an image without alt."""
    if tag == "img":
        if _value(attrs, "alt") is None:
            return False
        page.sources.append((_value(attrs, "src") or "").strip())
    elif tag == "table":
        page.layout_tables += _value(attrs, "role") != "presentation"
    elif tag == "html":
        page.lang = _value(attrs, "lang") or None
    elif tag in _HEADINGS:
        page.headings.append(_HEADINGS[tag])
    return True


def _value(attrs: _Attributes, name: str) -> str | None:
    for found, value in attrs:
        if found == name:
            return value
    return None


@lru_cache(maxsize=4096)
def _start_tag(tag: str, raw: str) -> tuple[_Attributes, bool]:
    """A start tag's attributes, read from their text `raw` as `scan` reads them, and whether
    the tag holds no active content and no repeated attribute (MJML repeats its tags: each is
    read and judged once)."""
    attrs = attributes(raw)
    if tag in _ACTIVE_TAGS:
        return attrs, False
    if len(attrs) > 1 and len({name for name, _ in attrs}) < len(attrs):
        return attrs, False
    return attrs, all(_inert(tag, name, value) for name, value in attrs)


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
