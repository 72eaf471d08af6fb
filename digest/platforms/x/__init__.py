"""X: the weighted length the official JS twitter-text computes (`digest.platforms.x.count`).

Each URL counts 23, each emoji (as twemoji-parser 11.0.2 finds them) the default weight, every
other code point the weight of its range, after NFC. Texts with nothing but ASCII and no dot
(no URL, no emoji) are counted without looking for either. A thread's candidate parts are
counted from the weights of the whole text's prefixes (`piecewise`), not each one again.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from digest.platforms.base import PieceFits, Platform, Post, clean_cut
from digest.platforms.x.count import prefix_weights, weighted_length
from digest.platforms.x.hashtags import is_valid_hashtag
from digest.text import nfc

# twitter-text's config "version3" (the one X counts by), copied so that counting does not
# import twitter-text; tests/test_platforms_fast.py checks it against the package.
VERSION3: dict[str, Any] = {
    "version": 3,
    "max_weighted_tweet_length": 280,
    "scale": 100,
    "default_weight": 200,
    "emoji_parsing_enabled": True,
    "transformed_url_length": 23,
    "ranges": [
        {"start": 0, "end": 4351, "weight": 100},
        {"start": 8192, "end": 8205, "weight": 100},
        {"start": 8208, "end": 8223, "weight": 100},
        {"start": 8242, "end": 8247, "weight": 100},
    ],
}
# twitter-text's `invalid_chars` (has_invalid_characters): a post holding one is not valid.
INVALID_CHARACTERS = re.compile("[\ufffe\ufeff\uffff]")


def twitter_config(version: int = 3) -> dict[str, Any]:
    """twitter-text's counting config v1, v2 or v3, complete for `weighted_length`."""
    if version == 3:
        return {**VERSION3, "ranges": [dict(r) for r in VERSION3["ranges"]]}
    from twitter_text.config import config as twitter_configs

    options = dict(twitter_configs[f"version{version}"])
    options.setdefault("emoji_parsing_enabled", False)
    return options


class X(Platform):
    name, limit, tags, unit = "x", 280, (1, 2), "weighted characters"
    label = "X"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or twitter_config(3)
        self._scale = int(self.options["scale"])
        weights = {self._range_weight(code) for code in range(128)}
        self._ascii = weights.pop() if len(weights) == 1 else None

    def _range_weight(self, code: int) -> int:
        ranges = self.options["ranges"]
        hit = (r["weight"] for r in ranges if r["start"] <= code <= r["end"])
        return int(next(hit, self.options["default_weight"]))

    def _scaled(self, text: str) -> int:
        if self._ascii is not None and text.isascii() and "." not in text:
            return len(text) * self._ascii  # no URL without a dot, no emoji in ASCII alone
        return weighted_length(text, self.options)

    def measure(self, text: str) -> int:
        return self._scaled(text) // self._scale

    def fits(self, text: str, limit: int) -> bool:
        # twitter-text's `valid`: something counted, within the limit, no invalid character
        scaled = self._scaled(text)
        return 0 < scaled <= limit * self._scale and not INVALID_CHARACTERS.search(nfc(text))

    def piecewise(self, text: str, limit: int) -> PieceFits | None:
        found = prefix_weights(text, self.options)
        if found is None:
            return None
        totals, inside = found
        invalid = [m.start() for m in INVALID_CHARACTERS.finditer(text)]
        most = limit * self._scale
        tails: dict[str, int | None] = {}  # a tail's weight, None when it holds an invalid one

        def fits(start: int, end: int, tail: str) -> bool | None:
            if not clean_cut(text, inside, start, end, tail):
                return None
            if tail not in tails:
                tails[tail] = None if INVALID_CHARACTERS.search(nfc(tail)) else self._scaled(tail)
            if (extra := tails[tail]) is None:
                return False
            if invalid and bisect.bisect_left(invalid, start) < bisect.bisect_left(invalid, end):
                return False
            return 0 < totals[end] - totals[start] + extra <= most

        return fits

    def accepts_tag(self, tag: str) -> bool:
        return is_valid_hashtag(f"#{tag}")

    def payload(self, post: Post) -> dict[str, Any]:
        # X API v2 (POST /2/tweets): a thread part replies to the part before it, whose id
        # the sender fills in once it has posted that part.
        body: dict[str, Any] = {"text": post.text}
        if post.is_reply:
            body["reply"] = {"in_reply_to_tweet_id": None}
        return body
