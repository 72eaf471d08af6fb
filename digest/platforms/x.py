"""X: twitter-text's weighted length, computed without its parser when no emoji can be present.

twitter-text-parser costs ~1-3 ms a call, mostly in its emoji regex. Its count is: each URL 23,
each emoji sequence the default weight, every other code point the weight of its range. A text
with no character that can belong to an emoji (Unicode's Emoji and Emoji_Component properties,
which cover every code point of twitter-text's emoji list) has no emoji sequence, so its count
is a plain sum; only other texts go to the parser. The conformance cases and a property test
hold the two to the same answers.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import regex
from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.config import config as twitter_configs
from twitter_text.has_invalid_characters import has_invalid_characters

from digest.platforms.base import Platform, Post
from digest.platforms.tweet_entities import is_valid_hashtag

_MAYBE_EMOJI = regex.compile(r"(?![\x00-\x7f])[\p{Emoji}\p{Emoji_Component}]")


def twitter_config(version: int = 3) -> dict[str, Any]:
    """twitter-text's counting config v1, v2 or v3, complete for `parse_tweet`."""
    options = dict(twitter_configs[f"version{version}"])
    options.setdefault("emoji_parsing_enabled", False)
    return options


def normalize(text: str) -> str:
    """The text as twitter-text counts it: NFC, with CRLF and CR as LF."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


class X(Platform):
    name, limit, tags, unit = "x", 280, (1, 2), "weighted characters"
    label = "X"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or twitter_config(3)
        self._scale = int(self.options["scale"])
        self._url = int(self.options["transformed_url_length"]) * self._scale
        self._default = int(self.options["default_weight"])
        self._ranges = [(r["start"], r["end"], r["weight"]) for r in self.options["ranges"]]
        self._weights: dict[int, int] = {}
        ascii_weights = {self._weight(code) for code in range(128)}
        self._ascii = ascii_weights.pop() if len(ascii_weights) == 1 else None

    def _weight(self, code: int) -> int:
        weight = self._weights.get(code)
        if weight is None:
            ranges = self._ranges
            weight = next((w for start, end, w in ranges if start <= code <= end), self._default)
            self._weights[code] = weight
        return weight

    def _count(self, text: str) -> int | None:
        """The scaled weighted length of normalized `text`, or None when it may hold an emoji."""
        if self.options.get("emoji_parsing_enabled") and _MAYBE_EMOJI.search(text):
            return None
        total, position = 0, 0
        for entity in extract_urls_with_indices(text):
            start, end = entity["indices"]
            total += self._sum(text[position:start]) + self._url
            position = end
        return total + self._sum(text[position:])

    def _sum(self, piece: str) -> int:
        if piece.isascii() and self._ascii is not None:  # news text, mostly: one weight for all
            return len(piece) * self._ascii
        weight = self._weight
        return sum(weight(code) for code in map(ord, piece))

    def measure(self, text: str) -> int:
        text = normalize(text)
        count = self._count(text)
        if count is None:
            return int(parse_tweet(text, self.options).weightedLength)
        return count // self._scale

    def fits(self, text: str, limit: int) -> bool:
        text = normalize(text)
        if not text or has_invalid_characters(text):
            return False
        count = self._count(text)
        if count is None:
            options = {**self.options, "max_weighted_tweet_length": limit}
            return bool(parse_tweet(text, options).valid)
        return count // self._scale <= limit

    def accepts_tag(self, tag: str) -> bool:
        return is_valid_hashtag(f"#{tag}")

    def payload(self, post: Post) -> dict[str, Any]:
        # X API v2 (POST /2/tweets): a thread part replies to the part before it, whose id
        # the sender fills in once it has posted that part.
        body: dict[str, Any] = {"text": post.text}
        if post.is_reply:
            body["reply"] = {"in_reply_to_tweet_id": None}
        return body
