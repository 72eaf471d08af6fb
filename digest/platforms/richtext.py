"""Bluesky rich text: the facets the official client detects (`RichText.detectFacets`).

Mentions, links, hashtags and cashtags, with UTF-8 byte ranges. Mentions need the handle's DID,
which only the network knows: pass `resolve` to get mention facets, or none are made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

from digest.platforms.tlds import TOP_LEVEL_DOMAINS

LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"
TAG_MAX = 64  # characters (UTF-16 code units) after the "#"

# JavaScript's \s, which the official regexes use; Python's differs at the edges.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_LEAD = rf"(?:^|[{JS_SPACE}]|\()"
_MENTION = regex.compile(
    # an ASCII word boundary ends the handle, as JavaScript's \b does
    rf"{_LEAD}@([a-zA-Z0-9.-]+)(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))"
)
_URL = regex.compile(
    rf"{_LEAD}((?:[hH][tT][tT][pP][sS]?://[^{JS_SPACE}]+)"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{JS_SPACE}]*)",
    regex.MULTILINE,
)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"  # end a tag; never start one
_TAG = regex.compile(
    rf"(?:^|[{JS_SPACE}])[#＃]((?!\ufe0f)[^{JS_SPACE}{_INVISIBLE}]*"
    rf"[^0-9{JS_SPACE}\p{{P}}{_INVISIBLE}]+[^{JS_SPACE}{_INVISIBLE}]*)?"
)
_CASHTAG = regex.compile(
    rf"{_LEAD}\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=[{JS_SPACE}]|$|[.,;:!?)\"'\u2019])"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")


def top_level_domains() -> frozenset[str]:
    """The IANA top-level domains, from the lists twitter-text-parser ships (copied)."""
    return TOP_LEVEL_DOMAINS


def is_valid_domain(domain: str) -> bool:
    """Whether `domain` ends in a known top-level domain (case-sensitive, as the client checks)."""
    head, dot, tld = domain.rpartition(".")
    return bool(head and dot) and tld in top_level_domains()


def _utf8(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    index = {"byteStart": _utf8(text, start), "byteEnd": _utf8(text, end)}
    return {"index": index, "features": [feature]}


def detect_facets(
    text: str, resolve: Callable[[str], str | None] | None = None
) -> list[dict[str, Any]]:
    """The facets of `text` in byte order; an earlier kind wins where two overlap."""
    found = [*_links(text), *_mentions(text, resolve), *_tags(text), *_cashtags(text)]
    kept: list[tuple[int, int, dict[str, str]]] = []
    for start, end, feature in found:  # links, mentions, tags, cashtags: in priority order
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, feature))
    return [_facet(text, s, e, feature) for s, e, feature in sorted(kept, key=lambda k: k[0])]


Found = list[tuple[int, int, dict[str, str]]]


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the Bluesky app would make links of `text`, as `str` index spans."""
    return [(start, end) for start, end, _ in _links(text)]


def _mentions(text: str, resolve: Callable[[str], str | None] | None) -> Found:
    found: Found = []
    for match in _MENTION.finditer(text):
        handle = match.group(1)
        if resolve is None or not (is_valid_domain(handle) or handle.endswith(".test")):
            continue
        did = resolve(handle)
        if did:
            found.append((match.start(1) - 1, match.end(1), {"$type": MENTION, "did": did}))
    return found


def _links(text: str) -> Found:
    found: Found = []
    for match in _URL.finditer(text):
        uri, start, end = match.group(1), match.start(1), match.end(1)
        if not uri.startswith("http"):
            domain = match.group("domain")
            if not domain or not is_valid_domain(domain):
                continue
            uri = f"https://{uri}"
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append((start, end, {"$type": LINK, "uri": uri}))
    return found


def _tags(text: str) -> Found:
    found: Found = []
    for match in _TAG.finditer(text):
        tag = match.group(1)
        if not tag:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", tag)
        if not tag or len(tag.encode("utf-16-le")) // 2 > TAG_MAX:
            continue
        start = match.start(1) - 1  # the "#" or "＃"
        found.append((start, start + 1 + len(tag), {"$type": TAG, "tag": tag}))
    return found


def _cashtags(text: str) -> Found:
    found: Found = []
    for match in _CASHTAG.finditer(text):
        start = match.start(1) - 1
        found.append((start, match.end(1), {"$type": TAG, "tag": "$" + match.group(1).upper()}))
    return found
