"""What no issue page holds, whatever the markup of the email it is made from: nothing that runs,
refreshes or loads a frame, and no link of another scheme than http, https or mailto.

The archive makes pages only of emails that pass digest's own checks (`batch_checks`); this is
the second wall, for markup those checks did not foresee. `scrub` drops, and repeats until a
pass drops nothing (each pass removes characters, so the passes end):

- every script element: from `<script` followed by a space, `/` or `>` (in any case) to its
  `</script...>`, or to the end;
- the start tag of every element that runs or loads something: frames, objects, embeds,
  `<base>`, SVG's animations and handlers; every `<meta>` with an http-equiv of refresh or
  set-cookie, and every `<meta>` declaring a charset (the page declares its own);
- from every other start tag: each `on...` handler, `srcdoc`, each URL attribute (href, src,
  action, formaction, data, poster, background, xlink:href, srcset ...) whose URL has another
  scheme than http, https or mailto (a relative URL stays), and a style that runs code.

A start tag is read at *every* `<` followed by a letter, as a browser's tokenizer reads one
from there (the HTML standard's tag states: a name up to a space, `/` or `>`; attributes whose
names may start with `=` or a quote; values quoted, or unquoted up to a space or `>`; `/`
between attributes ignored; no tag at all without its `>`). So a tag in a comment, in Outlook's
conditional comment, inside another tag's attribute value, is held to the rules like any other,
and whatever state a browser is in when it meets one, it reads no attribute there that this
reading did not. Once a pass finds nothing, no start tag a browser can read from the page
carries a handler or such a URL, and no script element can start anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

from digest.render.email.links import scheme_of

_SPACE = "\\t\\n\\f\\r "
_NAME = rf"[^{_SPACE}/>][^{_SPACE}/>=]*+"
_VALUE = rf"(?>\"[^\"]*\"|'[^']*'|[^{_SPACE}>\"'][^{_SPACE}>]*+|)"
_ATTRIBUTE = rf"{_NAME}(?:[{_SPACE}]*+=[{_SPACE}]*+{_VALUE})?+"
# One start tag, read as a browser's tokenizer reads it from its `<` (possessive: no second
# reading of what it took, as the tokenizer has none).
TAG = re.compile(rf"<([A-Za-z][^{_SPACE}/>]*+)((?:[{_SPACE}/]*+{_ATTRIBUTE})*+)[{_SPACE}/]*+>")
_EACH = re.compile(rf"[{_SPACE}/]*+({_NAME})(?:[{_SPACE}]*+=[{_SPACE}]*+({_VALUE}))?+")
_OPEN = re.compile(r"<(?=[A-Za-z])")
_SCRIPT = re.compile(
    rf"<script[{_SPACE}/>].*?(?:</script(?=[{_SPACE}/>])[^>]*>|\Z)", re.IGNORECASE | re.DOTALL
)
# Elements whose start tag is dropped: they run, frame or load something, or animate a link.
DROPPED = frozenset(
    "iframe frame frameset object embed applet base portal animate set animatemotion "
    "animatetransform animatecolor handler listener".split()
)
URL_ATTRIBUTES = frozenset(
    "href src action formaction background poster lowsrc dynsrc cite longdesc codebase data "
    "classid archive profile manifest icon usemap ping srcset imagesrcset xml:base".split()
)
_LISTS = {"srcset": ",", "imagesrcset": ",", "ping": " ", "archive": " ,"}
LINK_SCHEMES = (None, "http", "https", "mailto")  # None: a relative link
_CSS_CODE = ("javascript:", "vbscript:", "expression(", "behavior:", "-moz-binding")
_LEADING = re.compile(r"^[\s\x00-\x20=\"'`]+")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)


def scrub(html: str) -> str:
    """`html` without script, handlers, refreshes, frames and links of other schemes (see the
    module's docstring); as it is when it has none."""
    while True:
        spans = sorted(_unwanted(html), key=lambda span: (span[0], -span[1]))
        if not spans:
            return html
        out, position = [], 0
        for start, end in spans:
            if start >= position:  # the longest span from each start; those inside it go too
                out.append(html[position:start])
                position = end
        out.append(html[position:])
        html = "".join(out)


def start_tags(html: str) -> Iterator[re.Match[str]]:
    """Every start tag a browser could read in `html`, wherever it starts (see the module)."""
    for opening in _OPEN.finditer(html):
        tag = TAG.match(html, opening.start())
        if tag is not None:
            yield tag


def attributes(tag: re.Match[str]) -> Iterator[tuple[str, str, str, int, int]]:
    """Each attribute of a start tag: its name (lower-case), its value (entities decoded; ""
    when it has none) and as written (unquoted), and where it starts and ends in the page."""
    text, position, end = tag.string, tag.start(2), tag.end(2)
    while position < end:
        found = _EACH.match(text, position, end)
        if found is None:
            break
        raw = found[2] or ""
        raw = raw[1:-1] if raw[:1] in ("'", '"') else raw
        yield found[1].lower(), unescape(raw), raw, found.start(1), found.end()
        position = found.end()


def _unwanted(html: str) -> Iterator[tuple[int, int]]:
    """The spans of `html` a pass drops."""
    for script in _SCRIPT.finditer(html):
        yield script.start(), script.end()
    for tag in start_tags(html):
        name = tag[1].lower()
        found = list(attributes(tag))
        if name in DROPPED or name == "script" or (name == "meta" and _meta(found)):
            yield tag.start(), tag.end()
            continue
        for attribute, value, raw, start, end in found:
            if _runs(attribute, value, raw):
                yield start, end


def _meta(found: list[tuple[str, str, str, int, int]]) -> bool:
    """Whether a <meta> refreshes, sets a cookie or declares a charset."""
    for name, value, *_ in found:
        if name == "charset":
            return True
        if name == "http-equiv" and value.strip().lower() in (
            "refresh",
            "set-cookie",
            "content-type",
        ):
            return True
    return False


def _runs(name: str, value: str, raw: str) -> bool:
    """Whether an attribute runs code or leads out of http, https and mailto. Its name is read
    past any leading mark (`=onclick`, `"onclick`), so that no reader finds a handler in it."""
    bare = name.lstrip("\"'=<`")
    if bare.startswith("on") or bare == "srcdoc":
        return True
    if bare in URL_ATTRIBUTES or bare.endswith(":href"):
        return any(scheme_of(url) not in LINK_SCHEMES for url in _urls(bare, value, raw))
    if bare == "style":
        squeezed = re.sub(r"[\s\x00-\x1f\\]+", "", _CSS_COMMENT.sub("", value)).lower()
        return any(code in squeezed for code in _CSS_CODE)
    return False


def _urls(name: str, value: str, raw: str) -> list[str]:
    """The URLs an attribute value holds: itself, or each of a list (srcset's, ping's), as
    decoded and as written, and past any leading `=`, quote or space (a reader that takes
    `href==x` for `href=x`, as Python's html.parser does, finds no other scheme there)."""
    found = []
    for text in (value, raw):
        found += [text, _LEADING.sub("", text)]
        for separator in _LISTS.get(name, ""):
            found += [piece.split()[0] for piece in text.split(separator) if piece.split()]
    return found
