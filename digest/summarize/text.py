"""Small text helpers shared by the summarizer's parts."""

from __future__ import annotations

import re
from functools import cache

STOPWORDS = frozenset(
    """
    a an the and or but if of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no
    nor not only own same so than too very can will just should now is are was were be been
    being have has had having do does did doing would could it its it's he she they them
    their his her we our you your i me my this that these those which who whom what as also
    said says while who's s t
    """.split()
)

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def content_words(text: str) -> list[str]:
    """Content words, lower-cased and lightly stemmed ("talks" and "talk" match)."""
    return [stem for word in WORD.findall(text) if (stem := _stem(word))]


@cache
def _stem(word: str) -> str:
    """The word's comparable form, or "" for a stopword."""
    lower = word.lower().removesuffix("'s").removesuffix("’s")
    if lower in STOPWORDS:
        return ""
    if len(lower) > 4 and lower.endswith("s") and not lower.endswith("ss"):
        return lower[:-1]
    return lower


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut at a word boundary to fit `limit` characters (ellipsis included when cut)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text[: room + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else text[:room]
    return cut.rstrip(" ,;:-–—") + ellipsis
