"""Grounding: every number and capitalised name a summary shows must appear in its seed."""

from __future__ import annotations

import re

from digest.models import Story, Summary

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_TOKEN = re.compile(r"[\w'’-]+")


def source_text(story: Story) -> str:
    """Everything a summary may draw on: title, tagline, article headlines and paragraphs."""
    parts = [story.title, story.tagline or ""]
    for article in story.articles:
        parts += [article.headline or "", *article.paragraphs]
    return "\n".join(parts)


def _tokens(text: str) -> list[str]:
    return [t.strip("'’-") for t in _TOKEN.findall(text)]


def ungrounded(story: Story, summary: Summary) -> list[str]:
    """Numbers and names in the headline, tagline and bullets that the seed does not contain."""
    source = source_text(story)
    known_numbers = set(_NUMBER.findall(source))
    known_words = {t.strip("'’-") for t in set(_TOKEN.findall(source))}
    lowered = {w.lower() for w in known_words}
    problems = []
    for field, text in (
        ("headline", summary.headline),
        ("tagline", summary.tagline),
        *(("bullet", b) for b in summary.bullets),
    ):
        for number in _NUMBER.findall(text):
            if number not in known_numbers:
                problems.append(f"{field}: number {number!r} is not in the seed")
        for index, word in enumerate(_tokens(text)):
            if not word[:1].isupper():
                continue
            # The first word may have been capitalised after a deletion: compare it loosely.
            seen = word.lower() in lowered if index == 0 else word in known_words
            if not seen:
                problems.append(f"{field}: name {word!r} is not in the seed")
    return problems
