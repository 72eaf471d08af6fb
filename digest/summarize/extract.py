"""Choose a story's bullets: central, early, non-redundant sentences from every article."""

from __future__ import annotations

import math
from collections import Counter

from digest.models import Story
from digest.summarize.sentences import split_sentences
from digest.summarize.text import shorten, words

# (article index, position in article, sentence)
Sentence = tuple[int, int, str]

REDUNDANT = 0.5  # word overlap (Jaccard) above which two sentences say the same thing
MIN_BULLETS = 3


def sentences_of(story: Story) -> list[Sentence]:
    """Every sentence of every article, with where it stands."""
    out: list[Sentence] = []
    for a, article in enumerate(story.articles):
        position = 0
        for paragraph in article.paragraphs:
            for sentence in split_sentences(paragraph):
                out.append((a, position, sentence))
                position += 1
    return out


def _score(sentence: Sentence, frequency: Counter[str], title: set[str]) -> float:
    _, position, text = sentence
    tokens = set(words(text))
    if not tokens:
        return 0.0
    centrality = sum(frequency[t] for t in tokens) / math.sqrt(len(tokens) + 4)
    lead = 2.0 / (1 + position)
    title_overlap = len(tokens & title)
    too_long = 0.5 if len(text) > 200 else 1.0
    return (centrality / 10 + lead + title_overlap) * too_long


def _similar(a: str, b: str) -> bool:
    left, right = set(words(a)), set(words(b))
    if not left or not right:
        return False
    return len(left & right) / len(left | right) > REDUNDANT


def pick_bullets(
    sentences: list[Sentence], title: str, count: int, limit: int
) -> list[tuple[str, str]]:
    """Up to `count` (bullet, source sentence) pairs in reading order, each article contributing."""
    frequency = Counter(t for _, _, s in sentences for t in set(words(s)))
    title_words = set(words(title))
    ranked = sorted(sentences, key=lambda s: -_score(s, frequency, title_words))
    chosen: list[Sentence] = []
    # Each article's best sentence first, so no article goes unheard; then the best of the rest.
    for a in sorted({s[0] for s in sentences}):
        best = next(s for s in ranked if s[0] == a)
        if len(chosen) < count and not any(_similar(best[2], c[2]) for c in chosen):
            chosen.append(best)
    for sentence in ranked:
        if len(chosen) >= count:
            break
        if sentence not in chosen and not any(_similar(sentence[2], c[2]) for c in chosen):
            chosen.append(sentence)
    chosen.sort(key=lambda s: (s[0], s[1]))
    return [(shorten(text, limit), text) for _, _, text in chosen]
