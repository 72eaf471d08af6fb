"""One regular-expression pass over email HTML, for the markup MJML writes: tokens or None.

`html.parser` reads any markup, a character at a time; the compiled emails use a small part of
HTML (double- or single-quoted attributes, plain comments, one doctype, style blocks without
`<`). `scan` reads exactly that part, token by token, as `html.parser` reads it: the same tag
and attribute names (lower-cased), the same decoded values and text, the same positions. Any
other markup (an unquoted value, `<` in text, a script, a processing instruction) makes it
answer None, and the caller reads the page with `html.parser` instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

_WS = "[ \\t\\n\\r\\f]"
TOKEN = re.compile(
    rf"""
    (?P<text>[^<]+)
  | <!--(?P<comment>(?!-?>)[^-]*(?:-(?!-)[^-]*)*)-->
  | <!(?P<decl>[dD][oO][cC][tT][yY][pP][eE][^<>]*)>
  | </(?P<end>[a-zA-Z][a-zA-Z0-9:-]*){_WS}*>
  | <(?P<start>[a-zA-Z][a-zA-Z0-9:-]*)
     (?P<attrs>(?:{_WS}+[^\s"'<>/=]+(?:="[^"<>]*"|='[^'<>]*')?)*)
     {_WS}*(?P<close>/?)>
    """,
    re.VERBOSE,
)
_ATTRIBUTE = re.compile(rf"""{_WS}+([^\s"'<>/=]+)(?:=("[^"<>]*"|'[^'<>]*'))?""")
# Elements whose content html.parser reads as raw text (or some Python version may); of them,
# `style` (its text raw) and `title` (its text decoded) are read here, when they hold no `<`.
RAW_TEXT = frozenset(
    "script style textarea title xmp iframe noembed noframes noscript plaintext".split()
)
_TEXT_ONLY = frozenset(("style", "title"))

# (kind, start, a, b): ("text", pos, decoded, None), ("comment", pos, data, None),
# ("decl", pos, decl, None), ("end", pos, tag, None), ("start" or "startend", pos, tag,
# (attributes, raw start tag)).
Token = tuple[str, int, str, object]


def scan(html: str) -> list[Token] | None:
    """The tokens of `html` in order, or None when it holds markup outside what is read here."""
    tokens: list[Token] = []
    append = tokens.append
    position, size = 0, len(html)
    while position < size:
        # Token after token from `position`, each where the last ended (a gap is markup that
        # is not read here); a raw-text element's text is taken whole, and the tokens go on
        # after it.
        for found in TOKEN.finditer(html, position):
            start, end = found.span()
            if start != position:
                return None
            kind = found.lastgroup  # a start tag's last group is its `close`
            if kind == "close":
                name, raw, closed = found.group("start", "attrs", "close")
                tag = name.lower()
                kind = "startend" if closed else "start"
                append((kind, position, tag, (attributes(raw), found[0])))
                if tag in RAW_TEXT:
                    stop = raw_text_end(html, tag, bool(closed), end)
                    if stop is None:
                        return None
                    if stop > end:
                        text = html[end:stop]
                        decoded = unescape(text) if tag != "style" and "&" in text else text
                        append(("text", end, decoded, None))
                    position = stop
                    break
            elif kind == "end":  # lower-cased, as html.parser names it
                append(("end", position, found["end"].lower(), None))
            elif kind == "text":
                text = found["text"]
                append(("text", position, unescape(text) if "&" in text else text, None))
            else:
                append((str(kind), position, str(found[str(kind)]), None))
            position = end
        else:
            break
    return tokens if position >= size else None


def raw_text_end(html: str, tag: str, closed: bool, end: int) -> int | None:
    """Where the text of a raw-text element (`RAW_TEXT`) whose start tag ends at `end` ends,
    at its end tag; None when it is not read here: not `style` or `title`, written `<tag/>`,
    with no end tag, or with a `<` in its text."""
    if tag not in _TEXT_ONLY or closed:
        return None
    stop = html.find(f"</{tag}>", end)
    if stop < 0 or "<" in html[end:stop]:
        return None
    return stop


@lru_cache(maxsize=4096)
def attributes(raw: str) -> tuple[tuple[str, str | None], ...]:
    """The (lower-cased name, decoded value) pairs of a start tag's attribute text, as
    html.parser gives them (MJML writes the same attributes again and again: each is read once)."""
    return tuple(
        (a[1].lower(), None if a[2] is None else unescape(a[2][1:-1]))
        for a in _ATTRIBUTE.finditer(raw)
    )
