"""Mastodon: StatusLengthValidator's count, and the `POST /api/v1/statuses` form."""

from __future__ import annotations

import re
from typing import Any

from digest.platforms.base import Platform, Post
from digest.platforms.linkscan import scan
from digest.text import grapheme_count

URL_WEIGHT = 23  # what Mastodon counts for any link
MAX_DOMAIN = 253  # longer "domains" are not mentions, so Mastodon counts them in full
# Mastodon's Account::MENTION_RE: @user or @user@domain, not after "=", "/" or a word character.
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(\w+(?:[.-]+\w+)*))?", re.IGNORECASE
)
_MENTION_END = re.compile(  # twitter-text's end_mention_match: an at sign, a latin accent, "://"
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u1e00-\u1eff]|://"
)


def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """Mastodon's StatusLengthValidator: links count 23, `@user@domain` counts `@user`."""
    spans = [(start, end, "x" * URL_WEIGHT) for start, end in link_spans(text)]
    for match in _MENTION.finditer(text):
        domain = match.group(2)
        if _MENTION_END.match(text, match.end()) or (domain and len(domain) > MAX_DOMAIN):
            continue
        spans.append((match.start(), match.end(), "@" + match.group(1)))
    out, position = [], 0
    for start, end, replacement in sorted(spans):
        if start >= position:  # twitter-text drops entities overlapping an earlier one
            out += [text[position:start], replacement]
            position = end
    return grapheme_count(spoiler_text + "".join(out) + text[position:])


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
