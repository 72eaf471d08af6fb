"""Headline and tagline: the seed's own when they fit, else built from its text."""

from __future__ import annotations

import re

from digest.models import Story
from digest.summarize.compress import compress
from digest.summarize.extract import Sentence, leans_back
from digest.summarize.text import shorten

MAX_WORDS = 12
MIN_WORDS = 4
# Headline style leaves out articles, auxiliaries, determiners and adverbs.
_FILLER = frozenset(
    """
    the a an has have had is are was were been being also now just still already even very
    that its his her their our this these those
    """.split()
)
# "Ford, the US car company, has ..." -> "Ford has ...": an appositive after the subject.
_APPOSITIVE = re.compile(r"^([^,]{2,40}), (?:the |a |an )?[^,]{2,50}, (?=[a-z])")
# Words before which a headline can stop and still read whole.
_STOPS = frozenset(
    """
    for from in on at by with after over since during amid as than because while which who
    when where and but into despite following including according
    """.split()
)


def make_headline(story: Story, sentences: list[Sentence], limit: int) -> tuple[str, str]:
    """(headline, its source): the title, else the lead article's headline, else the lead cut."""
    lead = story.articles[0].headline
    for candidate in (story.title, lead):
        if candidate and len(candidate) <= limit:
            return candidate, candidate
    if story.title:
        return title_headline(story.title, limit), story.title
    source = sentences[0].text if sentences else ""
    return headline_from(source, limit), source


def title_headline(title: str, limit: int) -> str:
    """A long title as a headline: its first clause when that fits, else cut at a word."""
    for stop in re.finditer(r"[;:]\s|\s[-–—]\s|,\s", title):
        if stop.start() <= limit and len(title[: stop.start()].split()) >= MIN_WORDS:
            return title[: stop.start()]
    return shorten(title, limit, ellipsis="")


def headline_from(sentence: str, limit: int) -> str:
    """A headline built from a sentence: its key words first, stopped at a phrase boundary.

    Only deletes words: the headline is the sentence's own words, in their order.
    """
    text = _APPOSITIVE.sub(r"\1 ", compress(sentence)).rstrip(".!?\"”’' ")
    split = text.split()
    if len(split) > MIN_WORDS and split[0] in ("The", "A", "An"):
        split = split[1:]  # headline style: "BBC should steer away", not "The BBC ..."
    # A word before a number stays: "nearly 20%" must not become "20%".
    kept = split[:1] + [
        w
        for w, after in zip(split[1:], [*split[2:], ""], strict=True)
        if not _filler(w) or after[:1].isdigit() or after[:1] in "$£€"
    ]
    words: list[str] = []
    for index, word in enumerate(kept):
        if index >= MIN_WORDS and word.lower().strip(",;:") in _STOPS:
            break
        if index >= MAX_WORDS:
            break
        words.append(word)
        if word.endswith((",", ";", ":")) and index + 1 >= MIN_WORDS:
            break
    headline = " ".join(words).rstrip(",;:-–— ")
    if headline.count('"') % 2 or headline.count("“") != headline.count("”"):
        headline = headline.rsplit(" ", 1)[0] if " " in headline else headline.strip('"“”')
    return shorten(headline[:1].upper() + headline[1:], limit, ellipsis="")


def _filler(word: str) -> bool:
    lower = word.lower()
    return lower in _FILLER or (word.islower() and word.endswith("ly") and len(word) > 4)


def make_tagline(
    story: Story, sentences: list[Sentence], used: frozenset[str], limit: int
) -> tuple[str, str]:
    """(tagline, its source): the seed's tagline, else the first sentence no bullet uses.

    Compressed to fit; cut at a word (with an ellipsis) only when compression is not enough.
    """
    fresh = [s.text for s in sentences if s.text not in used and len(s.words) >= 4]
    fresh = [t for t in fresh if not leans_back(t)] + [t for t in fresh if leans_back(t)]
    source = story.tagline or next(iter(fresh), sentences[0].text if sentences else story.title)
    if len(source) <= limit:
        return source, source
    shorter = compress(source)
    if len(shorter) <= limit:
        return shorter, source
    return shorten(shorter, limit), source
