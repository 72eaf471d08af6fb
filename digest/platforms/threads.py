"""Threads: characters with emoji as their UTF-8 bytes, five unique links, one topic tag.

Meta's posts documentation (developers.facebook.com/documentation/threads/posts, Limitations):
"Text posts are limited to 500 characters. Emojis are counted as the number of UTF-8 bytes."
It does not say what a character is; a code point is the reading that never counts less than
a reader sees (a grapheme of several code points counts each), so every code point counts one,
except that an emoji, the whole sequence (ZWJ family, flag, keycap, skin tone, tag sequence),
counts its UTF-8 bytes. Emoji here are the grapheme clusters holding an Extended_Pictographic
code point, a regional indicator or the keycap mark; a text-style `©` counts its 2 bytes too,
the larger reading. Links (Meta's text attachments page): "All unique URLs found in the text
field are counted as links", at most five. The topic tag: 1-50 characters, no "." or "&".
"""

from __future__ import annotations

import itertools
from typing import Any

import regex

from digest.platforms.base import PieceFits, Platform, Post, clean_cut
from digest.platforms.x.count import extract_urls_with_indices
from digest.text import graphemes

MAX_LINKS = 5
TOPIC_TAG_MAX = 50
_MAYBE_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{RI}\u20e3]")
# A code point that may join its neighbours into one grapheme (as digest.text counts them).
_JOINS = regex.compile(r"[^\p{GCB=Other}\p{GCB=Control}\p{GCB=LF}]")


def threads_length(text: str) -> int:
    """Code points, with each emoji sequence counted as its UTF-8 bytes."""
    if text.isascii() or not _MAYBE_EMOJI.search(text):
        return len(text)
    total = 0
    for cluster in graphemes(text):
        emoji = _MAYBE_EMOJI.search(cluster)
        total += len(cluster.encode("utf-8")) if emoji else len(cluster)
    return total


def prefix_lengths(text: str) -> list[int] | None:
    """`threads_length` of every prefix of `text` (index i: of `text[:i]`); None when `text`
    holds a character that may join another into one grapheme (then a cluster is no longer
    one code point). `threads_length(text[a:b])` is `totals[b] - totals[a]`: with no joins,
    every grapheme is one code point, an emoji one of them."""
    if _JOINS.search(text):
        return None
    lengths = [1] * len(text)
    for match in _MAYBE_EMOJI.finditer(text):
        lengths[match.start()] = len(match.group().encode("utf-8"))
    return [0, *itertools.accumulate(lengths)]


def unique_links(text: str) -> int:
    """How many different URLs `text` holds, as Threads counts links."""
    return len({u["url"] for u in extract_urls_with_indices(text)})


def valid_topic_tag(tag: str) -> bool:
    """Threads' topic tag rule: 1-50 characters, without "." or "&"."""
    return 1 <= len(tag) <= TOPIC_TAG_MAX and not ({".", "&"} & set(tag))


class Threads(Platform):
    name, limit, unit = "threads", 500, "characters (emoji as UTF-8 bytes)"
    label, topic_tag = "Threads", True

    def measure(self, text: str) -> int:
        return threads_length(text)

    def fits(self, text: str, limit: int) -> bool:
        if not text or self.measure(text) > limit:
            return False
        return text.count(".") <= MAX_LINKS or unique_links(text) <= MAX_LINKS

    def piecewise(self, text: str, limit: int) -> PieceFits | None:
        totals = prefix_lengths(text)
        if totals is None:
            return None
        urls = extract_urls_with_indices(text)  # no URL crosses a space or line break
        inside = {i for u in urls for i in range(u["indices"][0] + 1, u["indices"][1])}
        tails: dict[str, tuple[int, set[str]]] = {}

        def fits(start: int, end: int, tail: str) -> bool | None:
            if not clean_cut(text, inside, start, end, tail):
                return None
            if tail not in tails:
                tails[tail] = (
                    threads_length(tail),
                    {u["url"] for u in extract_urls_with_indices(tail)},
                )
            length, links = tails[tail]
            if not (start < end or tail) or totals[end] - totals[start] + length > limit:
                return False
            if text.count(".", start, end) + tail.count(".") <= MAX_LINKS:
                return True
            found = {u["url"] for u in urls if start <= u["indices"][0] and u["indices"][1] <= end}
            return len(found | links) <= MAX_LINKS

        return fits

    def accepts_tag(self, tag: str) -> bool:
        return valid_topic_tag(tag)

    def payload(self, post: Post) -> dict[str, Any]:
        # POST /{user-id}/threads; a part after the first replies to the one before it.
        body: dict[str, Any] = {"media_type": "TEXT", "text": post.text}
        if post.topic_tag:
            body["topic_tag"] = post.topic_tag
        if post.is_reply:
            body["reply_to_id"] = None
        return body
