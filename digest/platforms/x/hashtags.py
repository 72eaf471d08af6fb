"""X's hashtags as twitter-text finds them (`extract.yml`, `validate.yml`), for `X.accepts_tag`.

Written with Unicode properties where twitter-text lists ranges; URLs are found by
`digest.platforms.x.count`, as the JS library finds them. Indices are Python `str` indices
(code points).
"""

from __future__ import annotations

from typing import TypedDict

import regex

from digest.platforms.x.count import extract_urls_with_indices


class Entity(TypedDict):
    text: str  # what was found, without its sign
    indices: tuple[int, int]


HASH_SIGNS = "#＃"
# Characters twitter-text allows inside a hashtag besides letters, marks and digits.
_SPECIAL = "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b"
_SPECIAL += "\u0f0c\u00b7"
_ALPHA = r"\p{L}\p{M}"
_ALNUM = rf"\p{{L}}\p{{M}}\p{{Nd}}{_SPECIAL}"
_HASHTAG = regex.compile(
    # a hashtag starts the text or follows a character that is not part of a word (or "&"),
    # is not a keycap ("#️⃣"), and holds at least one letter or mark
    rf"(^|\ufe0e|\ufe0f|(?![{_ALNUM}&]).)([{HASH_SIGNS}])(?![\ufe0f\u20e3])"
    rf"([{_ALNUM}]*[{_ALPHA}][{_ALNUM}]*)",
    regex.DOTALL,
)
_HASHTAG_END = regex.compile(rf"[{HASH_SIGNS}]|://")


def _without_overlaps(entities: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """twitter-text's removeOverlappingEntities: in start order, drop one that overlaps the last."""
    kept: list[tuple[int, int, str]] = []
    for entity in sorted(entities, key=lambda e: e[0]):
        if not kept or entity[0] >= kept[-1][1]:
            kept.append(entity)
    return kept


def extract_hashtags_with_indices(text: str) -> list[Entity]:
    """Hashtags (without "#") and the span of each with its sign; none inside a URL."""
    found: list[tuple[int, int, str]] = []
    for match in _HASHTAG.finditer(text):
        if _HASHTAG_END.match(text, match.end()):
            continue  # "#tag#more" or "#http://…" is no hashtag
        start = match.start(2)
        found.append((start, match.end(), "#"))
    if found:
        urls = [(u["indices"][0], u["indices"][1], "url") for u in extract_urls_with_indices(text)]
        found = [e for e in _without_overlaps(found + urls) if e[2] == "#"]
    return [{"text": text[start + 1 : end], "indices": (start, end)} for start, end, _ in found]


def extract_hashtags(text: str) -> list[str]:
    """The hashtags of `text`, without "#", in order."""
    return [entity["text"] for entity in extract_hashtags_with_indices(text)]


def is_valid_hashtag(text: str) -> bool:
    """Whether `text` is exactly one hashtag, sign included."""
    return extract_hashtags(text) == [text[1:]] if text else False
