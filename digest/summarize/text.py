"""Small text helpers shared by the summarizer's parts."""

from __future__ import annotations

import re
from functools import cache

from digest.text import graphemes

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

WORDS_CACHED = 1 << 16  # per-word facts kept (a word's stem, whether it can be a verb, ...)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
# Characters outside ASCII that news writes among ASCII (£5, "—", ’) and that are no letter, mark,
# digit or white space: text of ASCII and these tokenises, with the standard library's engine
# and ASCII classes, as the regex module's Unicode classes do (’ joins words: the patterns say so).
NEAR_ASCII_EXTRA = "£€¥¢©®°•·–—‐‑‒―‘’‚“”„…′″‹›«»§¶†‡‰™×÷±"
_NEAR_ASCII = re.compile(f"[\x00-\x7f{NEAR_ASCII_EXTRA}]*")


def near_ascii(text: str) -> bool:
    """Whether `text` is ASCII and `NEAR_ASCII_EXTRA` only."""
    return text.isascii() or bool(_NEAR_ASCII.fullmatch(text))


def content_words(text: str) -> list[str]:
    """Content words, lower-cased and lightly stemmed ("talks" and "talk" match)."""
    return list(filter(None, map(_stem, WORD.findall(text))))  # a stopword's stem is ""


def content_set(text: str) -> frozenset[str]:
    """`frozenset(content_words(text))`, built in one step."""
    return frozenset(filter(None, map(_stem, WORD.findall(text))))


@cache
def _stem(word: str) -> str:
    """The word's comparable form, or "" for a stopword."""
    lower = word.lower().removesuffix("'s").removesuffix("’s")
    if lower in STOPWORDS:
        return ""
    if len(lower) > 4 and lower.endswith("s") and not lower.endswith("ss"):
        return lower[:-1]
    return lower


def capitalise(text: str) -> str:
    """`text` with its first letter upper-case, when that letter has one case pair ("µ" stays)."""
    first = text[:1]
    upper = first.upper()
    return upper + text[1:] if len(upper) == 1 and upper.lower() == first else text


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


# Words a headline or bullet cannot end on: it would read as cut off ("... principal with").
# Particles that end a phrasal verb ("blew up", "plays down", "sold off") and prepositions that
# are also adverbs ("than ever before", "ever since") are not among them.
FUNCTION_WORDS = frozenset(
    """
    a an the this that these those his her its their our my your whose which who whom what
    of to in on at by for with from into onto over about during until till than
    as like via per amid amidst among between through against without within despite toward
    towards upon across along around behind beyond near unlike including according such
    and or but nor so yet if because while although though whether unless whereas nor
    is are was were be been being am has have had do does did will would shall should can
    could may might must not no very also just both either neither each every any some
    """.split()
)
_WORD_EDGE = "\"'“”‘’()[]{},;:.!?…-–—"
URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", re.I)
_BARE_DOMAIN = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}\.?", re.I)


def bare(word: str) -> str:
    """`word` without the punctuation around it, lower-cased: `"With,"` -> `"with"`."""
    return word.strip(_WORD_EDGE).lower()


def is_url(token: str) -> bool:
    """Whether `token` is a link or a bare domain, which a cut would break."""
    token = token.strip("\"'“”‘’()[]<>,;")
    return bool(URL.fullmatch(token) or _BARE_DOMAIN.fullmatch(token))


def trim_end(words: list[str]) -> list[str]:
    """`words` without the function words and dangling punctuation at their end."""
    words = list(words)
    while words and (not bare(words[-1]) or bare(words[-1]) in FUNCTION_WORDS):
        words.pop()
    return words


def ends_cleanly(text: str) -> bool:
    """Whether `text` ends on a content word (not "with", "the", "such", ...)."""
    words = text.rstrip(".!?…\"'”’) ").rsplit(None, 1)  # the last word, without splitting all
    last = bare(words[-1]) if words else ""
    return bool(last) and last not in FUNCTION_WORDS


def has_words(text: str, count: int) -> bool:
    """Whether `text` holds `count` (1 or more) words or more, without splitting all of it."""
    return len(text.split(None, count - 1)) >= count


def clip(text: str, limit: int) -> str:
    """`text` within `limit`: whole words ending on a content word, then "…" when cut.

    "" when no such cut exists (only function words fit, or the text opens with a link too long
    to keep: a link is never cut); a first word longer than the limit is cut between graphemes.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    words: list[str] = []
    for word in text.split():
        if len(" ".join([*words, word])) + 1 > limit:
            break
        words.append(word)
    if words:
        kept = trim_end(words)
        return " ".join(kept).rstrip(",;:-–— ") + "…" if kept else ""
    first = text.split()[0]
    if is_url(first):
        return ""
    head = ""
    for cluster in graphemes(first):
        if len(head) + len(cluster) + 1 > limit:
            break
        head += cluster
    return head + "…" if head else ""
