"""Headline and tagline: the seed's own when they fit, else built from its text."""

from __future__ import annotations

from digest.models import Story
from digest.summarize.extract import Sentence
from digest.summarize.text import shorten


def make_headline(story: Story, limit: int) -> tuple[str, str]:
    """(headline, its source): the title, else the lead article's headline, else the title cut."""
    lead = story.articles[0].headline
    for candidate in (story.title, lead) if lead else (story.title,):
        if len(candidate) <= limit:
            return candidate, candidate
    return shorten(story.title, limit), story.title


def make_tagline(story: Story, sentences: list[Sentence], limit: int) -> tuple[str, str]:
    """(tagline, its source): the seed's tagline, else the first sentence, cut at a word."""
    if story.tagline:
        return shorten(story.tagline, limit), story.tagline
    first = sentences[0][2] if sentences else story.title
    return shorten(first, limit), first
