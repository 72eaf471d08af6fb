"""Read compiled email HTML back into what the checks look at, a `HtmlFacts`, reporting each
problem with its line: by html.parser, or by its rules replayed on `html_scan`'s tokens."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import cast

from digest.render.email.html_scan import Token
from digest.render.email.links import scheme_of

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_ACTIVE_TAGS = frozenset("script iframe object embed form input base frame frameset".split())
_ATTR = re.compile(r"""\s+([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_TAG = re.compile(r"<([A-Za-z][\w:-]*)((?:\s+[^<>]*?)?)/?>")
_SKIP_TEXT = frozenset(("head", "style", "script", "title"))
_URL_ATTRIBUTES = frozenset(
    "href src action formaction background poster lowsrc dynsrc cite longdesc codebase data "
    "xlink:href ping manifest icon usemap srcset imagesrcset".split()
)
_HEADING = re.compile(r"h[1-6]")
_SCRIPT_SCHEMES = frozenset(("javascript", "vbscript", "livescript", "mocha"))


@dataclass
class HtmlFacts:
    """What an email's HTML holds, as the checks need it."""

    errors: list[str] = field(default_factory=list)
    unquoted: list[tuple[int, str]] = field(default_factory=list)
    images_without_alt: list[tuple[int, str]] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, byte offset of <a>)
    outlook_links: list[str] = field(default_factory=list)  # hrefs only Outlook reads (VML)
    sources: list[str] = field(default_factory=list)  # every <img src>
    active: list[str] = field(default_factory=list)  # scripts, event handlers, javascript:
    lang: str | None = None
    layout_tables: int = 0
    headings: list[int] = field(default_factory=list)
    text: str = ""


def replay_facts(html: str, tokens: list[Token]) -> HtmlFacts:
    """The facts of `html` from `html_scan`'s tokens of it, every rule run as html.parser's
    reader runs them, at the positions html.parser would give."""
    return _Scanned(html).replay(tokens)


def parse_html_slowly(html: str) -> HtmlFacts:
    """`parse_html` by `html.parser` alone, whatever the markup."""
    reader = _Reader(html)
    reader.feed(html)
    reader.close()
    return reader.done()


class _Reader(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlFacts()
        self.stack: list[tuple[str, int]] = []
        self.seen_doctype = False
        self.started = False
        self.chunks: list[str] = []
        # Byte offset of each line's start: getpos() counts lines by "\n" and columns in characters.
        self.lines = html.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line.encode()) + 1)

    def done(self) -> HtmlFacts:
        for tag, line in reversed(self.stack):
            if tag not in ("html", "body", "head"):
                self.page.errors.append(f"<{tag}> opened on line {line} is never closed")
        self.page.text = "".join(self.chunks)
        return self.page

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + len(self.lines[line - 1][:column].encode())

    def handle_decl(self, decl: str) -> None:
        if decl.lower() == "doctype html" and not self.started:
            self.seen_doctype = True
        self.started = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, self.get_starttag_text() or "")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, self.get_starttag_text() or "")
        if tag not in VOID:  # HTML ignores the slash: `<div/>` opens a div that never closes
            self.page.errors.append(f"line {self.getpos()[0]}: <{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            self.page.errors.append(f"line {line}: </{tag}> closes a void element")
        elif self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
        elif any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack[-1][0] != tag:
                unclosed, at = self.stack.pop()
                self.page.errors.append(f"line {line}: </{tag}> closes <{unclosed}> of line {at}")
            self.stack.pop()
        else:
            self.page.errors.append(f"line {line}: </{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        if not any(tag in _SKIP_TEXT for tag, _ in self.stack):
            self.chunks.append(data)

    def handle_comment(self, data: str) -> None:
        # Outlook reads the markup inside conditional comments: its tags are held to the same
        # rules, and their links (the VML button's) are checked as links.
        if data.startswith("[if"):
            for tag, raw, attrs in conditional_tags(data):
                self._attributes(tag, raw)
                if tag == "table" and not re.search(r'\srole="presentation"', raw):
                    self.page.layout_tables += 1
                self._active(tag, attrs, self.getpos()[0])
                href = dict(attrs).get("href")
                if href is not None:
                    self.page.outlook_links.append(href.strip())

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], raw: str) -> None:
        if not self.started or (tag == "html" and not self.seen_doctype):
            if not self.seen_doctype:
                self.page.errors.append("the document does not start with <!doctype html>")
            self.started = self.seen_doctype = True
        self._attributes(tag, raw)
        values = dict(attrs)
        line = self.getpos()[0]
        if tag == "html":
            self.page.lang = values.get("lang") or None
        elif tag == "a" and values.get("href") is not None:
            self.page.links.append(((values["href"] or "").strip(), self._offset()))
        elif tag == "img":
            self.page.sources.append((values.get("src") or "").strip())
            if values.get("alt") is None:
                self.page.images_without_alt.append((line, values.get("src") or ""))
        elif tag == "table" and values.get("role") != "presentation":
            self.page.layout_tables += 1
        elif _HEADING.fullmatch(tag):
            self.page.headings.append(int(tag[1]))
        self._active(tag, attrs, line)

    def _attributes(self, tag: str, raw: str) -> None:
        """Unquoted and repeated attributes of one raw start tag."""
        line, names = self.getpos()[0], []
        for match in _ATTR.finditer(raw[len(tag) + 1 :].rstrip("/>")):
            name, value = match.group(1).lower(), match.group(2)
            if value is not None and value[0] not in "\"'":
                self.page.unquoted.append((line, f"{name}={value} in <{tag}>"))
            if name in names:
                self.page.errors.append(f"line {line}: <{tag}> repeats the attribute {name}")
            names.append(name)

    def _active(self, tag: str, attrs: list[tuple[str, str | None]], line: int) -> None:
        if tag in _ACTIVE_TAGS:
            self.page.active.append(f"line {line}: a <{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.page.active.append(f"line {line}: an event handler {name} on <{tag}>")
            elif _runs_code(tag, name, value or ""):
                self.page.active.append(f"line {line}: {name}={value!r} on <{tag}> runs code")


class _Scanned(_Reader):
    """The reader's rules fed with `scan`'s tokens, at the positions html.parser would give."""

    def __init__(self, html: str) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)
        self.page = HtmlFacts()
        self.stack = []
        self.seen_doctype = self.started = False
        self.chunks = []
        self.html, self.at, self.line, self.column, self.raw = html, 0, 1, 0, ""
        self.byte, self.byte_at = 0, 0
        self.attrs: list[tuple[str, str | None]] = []

    def replay(self, tokens: list[Token]) -> HtmlFacts:
        html = self.html
        for kind, position, value, extra in tokens:
            newlines = html.count("\n", self.at, position)
            if newlines:
                self.line += newlines
                self.column = position - html.rindex("\n", self.at, position) - 1
            else:
                self.column += position - self.at
            self.at = position
            if kind == "text":
                self.handle_data(value)
            elif kind == "start" or kind == "startend":
                found, self.raw = cast(tuple[tuple[tuple[str, str | None], ...], str], extra)
                self.attrs = attrs = list(found)
                if kind == "start":
                    self.handle_starttag(value, attrs)
                else:
                    self.handle_startendtag(value, attrs)
            elif kind == "end":
                self.handle_endtag(value)
            elif kind == "comment":
                self.handle_comment(value)
            else:
                self.handle_decl(value)
        return self.done()

    def getpos(self) -> tuple[int, int]:
        return self.line, self.column

    def _attributes(self, tag: str, raw: str) -> None:
        if raw is not self.raw:  # a tag inside a conditional comment
            super()._attributes(tag, raw)
            return
        # `scan` takes only quoted values: of the rules, only a repeated name can be broken.
        names = [name for name, _ in self.attrs]
        if len(set(names)) < len(names):
            super()._attributes(tag, raw)

    def get_starttag_text(self) -> str:
        return self.raw

    def _offset(self) -> int:
        self.byte += len(self.html[self.byte_at : self.at].encode())
        self.byte_at = self.at
        return self.byte


def conditional_tags(data: str) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """The start tags inside a conditional comment's text: each tag's name, its raw text, and
    its attributes with their values' entities decoded, as html.parser gives them."""
    found = []
    for match in _TAG.finditer(data):
        tag, raw = match.group(1).lower(), match.group(0)
        attrs: list[tuple[str, str | None]] = []
        for attribute in _ATTR.finditer(raw[len(tag) + 1 :].rstrip("/>")):
            value = attribute.group(2)
            if value is not None:
                value = html_lib.unescape(value[1:-1] if value[0] in "\"'" else value)
            attrs.append((attribute.group(1).lower(), value))
        found.append((tag, raw, attrs))
    return found


def _runs_code(tag: str, name: str, value: str) -> bool:
    """Whether an attribute value (entities already decoded) would run script or CSS code.

    A link runs code by its scheme, as a browser parses it, not by the text in its query; only
    styles are searched for `expression(` and `javascript:` (old IE ran both in CSS).
    """
    if name in _URL_ATTRIBUTES:
        candidates = [value]
        if name in ("srcset", "imagesrcset"):
            candidates = [c.split()[0] for c in value.split(",") if c.split()]
        return any(scheme_of(c) in _SCRIPT_SCHEMES for c in candidates)
    if tag == "meta" and name == "content":  # <meta http-equiv="refresh" content="0;url=...">
        target = re.search(r"url\s*=\s*['\"]?(.*)", value, re.IGNORECASE | re.DOTALL)
        return target is not None and scheme_of(target.group(1)) in _SCRIPT_SCHEMES
    if name == "style":
        squeezed = re.sub(r"[\s\x00-\x1f\\]+", "", value).lower()
        return "javascript:" in squeezed or "expression(" in squeezed or "vbscript:" in squeezed
    return False
