"""Mastodon: StatusLengthValidator's count, and the `POST /api/v1/statuses` form."""

from __future__ import annotations

import itertools
import re
from typing import Any

import regex

from digest.platforms.base import PieceFits, Platform, Post, clean_cut
from digest.platforms.linkscan import scan
from digest.text import grapheme_count

URL_WEIGHT = 23  # what Mastodon counts for any link
MAX_DOMAIN = 253  # longer "domains" are not mentions, so Mastodon counts them in full
# Mastodon's Account::MENTION_RE: @user or @user@domain, not after "=", "/" or a word character.
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(\w+(?:[.-]+\w+)*))?", re.IGNORECASE
)
# A code point that may join its neighbours into one grapheme (as digest.text counts them).
_JOINS = regex.compile(r"[^\p{GCB=Other}\p{GCB=Control}\p{GCB=LF}]")
_MENTION_END = re.compile(  # twitter-text's end_mention_match: an at sign, a latin accent, "://"
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u1e00-\u1eff]|://"
)


def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """Mastodon's StatusLengthValidator: links count 23, `@user@domain` counts `@user`."""
    out, position = [], 0
    for start, end, replacement in _entities(text):
        out += [text[position:start], replacement]
        position = end
    return grapheme_count(spoiler_text + "".join(out) + text[position:])


def _entities(text: str) -> list[tuple[int, int, str]]:
    """The links and mentions Mastodon counts otherwise, in order, with what each counts as."""
    spans = [(start, end, "x" * URL_WEIGHT) for start, end in link_spans(text)]
    for match in _MENTION.finditer(text):
        domain = match.group(2)
        if _MENTION_END.match(text, match.end()) or (domain and len(domain) > MAX_DOMAIN):
            continue
        spans.append((match.start(), match.end(), "@" + match.group(1)))
    kept, position = [], 0
    for start, end, replacement in sorted(spans):
        if start >= position:  # twitter-text drops entities overlapping an earlier one
            kept.append((start, end, replacement))
            position = end
    return kept


def prefix_lengths(text: str) -> tuple[list[int], set[int]] | None:
    """`mastodon_length` of every prefix of `text` (index i: of `text[:i]`), and the indices
    inside a link or mention; None when `text` holds a character that may join another into
    one grapheme (then graphemes are not code points, here or once links are replaced).

    `mastodon_length(text[a:b])` is `totals[b] - totals[a]` when neither is inside and each is
    an end of `text` or beside a space or line break: no link or mention crosses either, and
    one after either is found as at the start of a text.
    """
    if _JOINS.search(text):
        return None
    lengths = [1] * len(text)
    inside: set[int] = set()
    for start, end, replacement in _entities(text):
        lengths[start:end] = [len(replacement)] + [0] * (end - start - 1)
        inside.update(range(start + 1, end))
    return [0, *itertools.accumulate(lengths)], inside


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the links are that Mastodon counts 23: twitter-text's (the Python port's) URLs
    with a protocol, asked of the port only when `linkscan` cannot say."""
    spans = scan(text, protocol_only=True)
    if spans is None:
        from twitter_text import extract_urls_with_indices

        found = extract_urls_with_indices(text, False)
        spans = [(e["indices"][0], e["indices"][1]) for e in found]
    return spans


class Mastodon(Platform):
    name, limit, tags = "mastodon", 500, (2, 3)
    label = "Mastodon"

    def text_of(self, request: dict[str, Any]) -> str:
        return str(request["status"])

    def measure(self, text: str) -> int:
        return mastodon_length(text)

    def fits(self, text: str, limit: int) -> bool:
        # Graphemes never outnumber code points, remote mentions count shorter than written,
        # and a link (always with "://") counts 23 at most more: a cheap bound comes first.
        if not text:
            return False
        bound = len(text) + URL_WEIGHT * text.count("://")
        return bound <= limit or mastodon_length(text) <= limit

    def piecewise(self, text: str, limit: int) -> PieceFits | None:
        found = prefix_lengths(text)
        if found is None:
            return None
        totals, inside = found
        tails: dict[str, int] = {}

        def fits(start: int, end: int, tail: str) -> bool | None:
            if not clean_cut(text, inside, start, end, tail):
                return None
            if tail not in tails:
                tails[tail] = mastodon_length(tail)
            return (start < end or bool(tail)) and totals[end] - totals[start] + tails[
                tail
            ] <= limit

        return fits

    def payload(self, post: Post) -> dict[str, Any]:
        # The envelope's `idempotency_key` goes in the request's Idempotency-Key header.
        body: dict[str, Any] = {
            "status": post.text,
            "visibility": "public",
            "language": post.language,
        }
        if post.is_reply:  # the id of the status before, once the sender has posted it
            body["in_reply_to_id"] = None
        return body
