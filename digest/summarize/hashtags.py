"""Hashtags from a story's tags and its most mentioned proper nouns, in CamelCase."""

from __future__ import annotations

import re
from collections import Counter

from digest.models import Story
from digest.summarize.text import STOPWORDS

# Capitalised only by grammar or the calendar: never a topic.
_NOT_TOPICS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    """.split()
)

MAX_HASHTAGS = 5
# Runs of capitalised words ("El Salvador", "Marco Rubio"), allowing "de" inside a name.
_NAME = re.compile(r"\b[A-Z][a-zA-Z]+(?:\s+(?:de\s+|del\s+|la\s+)?[A-Z][a-zA-Z]+)*")


def camel_case(phrase: str) -> str:
    """`"el salvador"` -> `"ElSalvador"`; keeps inner capitals such as `"TimeWarner"`."""
    parts = re.findall(r"[A-Za-z0-9]+", phrase)
    return "".join(p[:1].upper() + p[1:] for p in parts)


def _names(story: Story) -> Counter[str]:
    counts: Counter[str] = Counter()
    for article in story.articles:
        for paragraph in article.paragraphs:
            for match in _NAME.finditer(paragraph):
                name = match.group()
                words = name.split()
                while words and words[0].lower() in STOPWORDS:
                    words = words[1:]
                if words and len(" ".join(words)) > 2 and name.lower() not in _NOT_TOPICS:
                    counts[" ".join(words)] += 1
    return counts


def make_hashtags(story: Story) -> tuple[str, ...]:
    """1-5 hashtags (without '#'): front-matter tags first, then names mentioned twice or more."""
    tags = [camel_case(t) for t in story.tags]
    ranked = sorted(_names(story).items(), key=lambda item: (-item[1], item[0]))
    tags += [camel_case(name) for name, count in ranked if count >= 2]
    if not tags:
        tags = [camel_case(name) for name, _ in ranked[:1]]
    unique: list[str] = []
    for tag in tags:
        if not tag or any(tag.lower() in u.lower() or u.lower() in tag.lower() for u in unique):
            continue
        unique.append(tag)
    return tuple(unique[:MAX_HASHTAGS])
