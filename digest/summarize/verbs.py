"""A cheap, offline test of whether a phrase still holds a finite verb (is a sentence).

No tagger: a verb candidate is an auxiliary or a common verb from a closed list, or a
lower-case word ending in "-ed", or in "-s" right after a name or a noun ("Ford plans ...",
"profits rise" does not count, "the firm says" does). Good enough to tell "Ed Balls, adviser to
the Treasury." (no verb left) from "Ed Balls said the plan was sound."
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from digest.summarize.text import FUNCTION_WORDS, WORDS_CACHED, bare, ends_cleanly

VERBS = frozenset(
    """
    is are was were be been am has have had do does did will would shall should can could may
    might must says said say told tells tell make makes made take takes took get gets got go goes
    went come comes came give gives gave find finds found show shows know knows knew think
    thinks thought see sees saw want wants use uses become becomes became leave leaves left
    keep keeps kept begin begins began run runs ran hold holds held bring brings brought stand
    stands stood lose loses lost pay pays paid meet meets met put puts win wins won mean means
    meant set sets seem seems feel feels felt hear hears heard let lets rise rises rose fall
    falls fell grow grows grew cut cuts hit hits face faces plan plans need needs hope hopes
    agree agrees fail fails remain remains sit sits sat lead leads led build builds built
    spend spends spent sell sells sold buy buys bought send sends sent die dies died kill kills
    save saves call calls calls try tries tried
    it's he's she's that's there's what's who's here's let's
    """.split()
)
_ED = re.compile(r"^[a-z][a-z-]{1,}ed$")
_OPENING_CONTRACTIONS = frozenset(
    "it's he's she's that's there's what's who's here's let's".split()
    + "it’s he’s she’s that’s there’s what’s who’s".split()
)
_CONTRACTED = re.compile(r"n[’']t$|[’'](?:re|ve|d|ll)$")
_S = re.compile(r"^[a-z][a-z-]{2,}[^su']s$")


def verb_positions(words: list[str]) -> list[int]:
    """Indices of the words in `words` that could be a finite verb."""
    return [i for i, word in enumerate(words) if _verb_like(word, words[i - 1] if i else "")]


def _verb_like(word: str, before: str) -> bool:
    kind = _kind(word)
    return kind is True or (kind is None and bool(before) and not _function_word(before))


@lru_cache(maxsize=WORDS_CACHED)
def _kind(word: str) -> bool | None:
    """True: a verb candidate; False: not one; None: one after a name or a noun (the "-s"
    rule: "Ford plans", not "the plans")."""
    plain = bare(word)
    if not word[:1].islower():
        # Verbs are lower case in running text ("Blacks", "Reads" are names), but "It's".
        return bool(_CONTRACTED.search(plain)) or plain in _OPENING_CONTRACTIONS
    if plain in VERBS or _ED.match(plain) or _CONTRACTED.search(plain):
        return True
    return None if _S.match(plain) else False


@lru_cache(maxsize=WORDS_CACHED)
def _function_word(word: str) -> bool:
    return bare(word) in FUNCTION_WORDS


@cache
def has_verb(text: str) -> bool:
    """Whether `text` holds at least one verb candidate."""
    before = ""
    for word in text.split():
        if _verb_like(word, before):
            return True
        before = word
    return False


def is_sentence(text: str) -> bool:
    """Whether `text` still reads as a sentence: a verb kept, a content word last."""
    return has_verb(text) and ends_cleanly(text)
