"""Choose a story's bullets: early, central, non-redundant sentences from every article, compressed.

News puts its facts first, so position weighs most; centrality (how much of the story's
vocabulary a sentence carries) breaks ties and finds the key fact of a later article. A sentence
that repeats a chosen one (word overlap above REDUNDANT) is skipped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import chain
from typing import NamedTuple

from digest.models import Story
from digest.summarize.compress import compress, fit, strip_dateline
from digest.summarize.sentences import split_sentences
from digest.summarize.text import content_set, has_words
from digest.summarize.verbs import is_sentence

REDUNDANT = 0.45  # word overlap (Jaccard) above which two sentences say the same thing
MIN_WORDS = 6  # shorter sentences ("Play was stopped.") rarely make a useful bullet
_NUMBER = re.compile(r"\d")
# Openers that point back at a sentence the reader of a bullet has not seen.
_LEANS_BACK = re.compile(
    r"^(?:But|And|So|Yet|Or|Also|However|Still|Instead|Meanwhile|This|That|These|Those|It|"
    r"They|He|She|His|Her|Their|Its|Such|Then|There)\b"
)
LEANS_BACK = 0.7  # their weight: costs 0.2 ROUGE-1 on CNN, reads much better
# Sentences that are about the reporting, not the news.
_NOT_A_POINT = re.compile(
    r"^(?:Scroll down|Click here|Read more|Watch|Follow|Sign up|CLICK)|could not be reached|"
    r"did not (?:immediately )?respond|declined to comment|contributed to this report|"
    r"not immediately (?:clear|known|available)",
    re.IGNORECASE,
)
# _NOT_A_POINT of ASCII text as string tests on its lower case (the regex is slow: it tries
# each branch at each place). IGNORECASE pairs an ASCII letter only with its other case and
# with letters outside ASCII (ſ, K, ı), which ASCII text does not hold.
_OPENERS = ("scroll down", "click here", "read more", "watch", "follow", "sign up", "click")
_NOT_PHRASES = (  # each holds "not ", tested first
    "could not be reached",
    "did not respond",
    "did not immediately respond",
    "not immediately clear",
    "not immediately known",
    "not immediately available",
)


class Sentence(NamedTuple):
    """One sentence of a story and where it stands (a tuple: quick to make by the hundred)."""

    article: int
    position: int  # within its article
    text: str
    words: frozenset[str]


def sentences_of(story: Story) -> list[Sentence]:
    """Every sentence of every article, with where it stands and its content words."""
    out: list[Sentence] = []
    for a, article in enumerate(story.articles):
        position = 0
        for paragraph in article.paragraphs:
            for text in split_sentences(paragraph):
                out.append(Sentence(a, position, text, content_set(text)))
                position += 1
    return out


def _scores(sentences: list[Sentence], title: frozenset[str]) -> list[float]:
    frequency = Counter(chain.from_iterable(s.words for s in sentences))
    scores = []
    for s in sentences:
        if len(s.words) < 3 or not_a_point(s.text) or s.text.endswith("?"):
            scores.append(-1.0)
            continue
        repeats = sum(map(frequency.__getitem__, s.words)) - len(s.words)
        centrality = repeats / math.sqrt(len(s.words) + 8)
        lead = 3.0 / (1 + s.position) ** 0.8
        facts = 0.2 if has_digit(s.text) else 0.0
        score = lead + 0.12 * centrality + facts + 0.5 * len(s.words & title)
        if not has_words(s.text, MIN_WORDS):
            score *= 0.6
        if s.text[:1] in "\"“'‘":  # a quotation is colour; the facts are usually told plainly
            score *= 0.6
        if s.position and leans_back(s.text):  # "But that ...", "These ...": needs context
            score *= LEANS_BACK
        scores.append(score)
    return scores


def has_digit(text: str) -> bool:
    """`_NUMBER.search(text)`: in ASCII text \\d is 0-9, each found by a quick substring test."""
    if text.isascii():
        return any(map(text.__contains__, "0123456789"))
    return bool(_NUMBER.search(text))


def not_a_point(text: str) -> bool:
    """Whether a sentence is about the reporting, not the news ("... declined to comment")."""
    if not text.isascii():
        return bool(_NOT_A_POINT.search(text))
    lower = text.lower()
    if lower.startswith(_OPENERS) or "declined to comment" in lower:
        return True
    if "not " in lower and any(phrase in lower for phrase in _NOT_PHRASES):
        return True
    return "contributed to this report" in lower


def leans_back(text: str) -> bool:
    """Whether a sentence opens by pointing back at one before it ("But that ...")."""
    return bool(_LEANS_BACK.match(text))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) > REDUNDANT  # the union's size, not the union


def pick(sentences: list[Sentence], title: str, count: int) -> list[Sentence]:
    """Up to `count` sentences in reading order; every article contributes one when it can."""
    scores = _scores(sentences, content_set(title))
    pairs = sorted(zip(scores, sentences, strict=True), key=lambda p: -p[0])
    ranked = [s for score, s in pairs if score >= 0] or [s for _, s in pairs]
    chosen: list[Sentence] = []

    def take(candidate: Sentence) -> None:
        if (
            len(chosen) < count
            and candidate not in chosen
            and not any(_similar(candidate.words, c.words) for c in chosen)
        ):
            chosen.append(candidate)

    best: dict[int, Sentence] = {}  # each article's best sentence, in one pass (not per article)
    for sentence in ranked:
        best.setdefault(sentence.article, sentence)
    for article in sorted(best):
        if len(chosen) == count:
            break
        take(best[article])
    for candidate in ranked:
        if len(chosen) == count:
            break
        take(candidate)
    return sorted(chosen, key=lambda s: (s.article, s.position))


def bullet_text(sentence: Sentence, limit: int) -> str:
    """The sentence compressed, and stopped before a clause only if still over `limit`; the
    whole sentence instead when compression would leave a fragment (no verb, a dangling end)."""
    compressed = fit(compress(sentence.text), limit)
    whole = strip_dateline(sentence.text)
    if is_sentence(compressed) or not is_sentence(whole):
        return compressed
    return fit(whole, limit)
