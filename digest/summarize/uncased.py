"""Topics in scripts without case (Japanese, Chinese, Arabic, Hebrew, Thai, Hindi, ...).

Without capitals there are no names to find, so the words the story repeats stand in: runs of
kanji or katakana (two or more characters), and space-separated words of other uncased scripts
(three or more letters, not grammar words). Kept exactly as written.
"""

from __future__ import annotations

from collections import Counter

import regex

from digest.summarize.wordlists import UNCASED_STOPWORDS

MAX_UNCASED = 2
# Whole runs only: a longer run is a phrase, and a piece of it would be a cut word.
_CJK = regex.compile(
    r"(?<!\p{Han})\p{Han}{2,6}(?!\p{Han})|(?<![\p{Katakana}ー])[\p{Katakana}ー]{2,12}"
    r"(?![\p{Katakana}ー])|(?<!\p{Hangul})\p{Hangul}{2,8}(?!\p{Hangul})"
)
_WORD = regex.compile(
    r"(?<![\p{L}\p{M}\u200c\u200d])[\p{Lo}\p{M}\u200c\u200d]{3,24}(?![\p{L}\p{M}])"
)
_ANY_UNCASED = regex.compile(r"\p{Lo}")
_CJK_LETTER = regex.compile(r"[\p{Han}\p{Katakana}\p{Hiragana}\p{Hangul}]")


def _uncased(word: str) -> bool:
    return not any(c.isupper() or c.islower() for c in word) and not _CJK_LETTER.search(word)


def uncased_topics(paragraphs: list[str]) -> list[str]:
    """Up to two repeated words of uncased scripts, most repeated first, then first seen.

    A kanji run is counted wherever it occurs ("東京" in "東京都" too): Japanese and Chinese
    write no spaces, so the run is the smallest unit a cut cannot break.
    """
    text = "\n".join(paragraphs)
    if text.isascii() or not _ANY_UNCASED.search(text):  # no ASCII letter is uncased
        return []
    counts: Counter[str] = Counter()
    for match in _CJK.finditer(text):
        counts[match.group()] = text.count(match.group())
    for match in _WORD.finditer(text):
        word = match.group()
        if _uncased(word) and word not in UNCASED_STOPWORDS:
            counts[word] += 1
    ranked = sorted(
        (w for w, n in counts.items() if n >= 2), key=lambda w: (-counts[w], text.find(w))
    )
    return ranked[:MAX_UNCASED]
