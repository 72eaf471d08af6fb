"""Grounding: every number and capitalised name a summary shows must appear in its seed."""

from __future__ import annotations

import re

from digest.models import Story, Summary

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_TOKEN = re.compile(r"[\w'’-]+")
_EDGE = "'’-"  # stripped from a token's ends
_EDGES = ("'", "’", "-")
LOOKS = 8  # places a word is looked at in the seed before its tokens are all listed instead


def source_text(story: Story) -> str:
    """Everything a summary may draw on: title, tagline, article headlines and paragraphs."""
    parts = [story.title, story.tagline or ""]
    for article in story.articles:
        parts += [article.headline or "", *article.paragraphs]
    return "\n".join(parts)


def _tokens(text: str) -> list[str]:
    return [t.strip(_EDGE) for t in _TOKEN.findall(text)]


class Source:
    """A seed's text, asked whether it holds a number or a word as `_NUMBER` and `_tokens` find
    them. A summary asks about a few dozen words: each is looked up where `str.find` finds it,
    and the seed's tokens are listed only for a word that a few such looks cannot settle."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._numbers: set[str] | None = None
        self._words: set[str] | None = None
        self._lowered: set[str] | None = None

    def has_number(self, number: str) -> bool:
        """Whether `number` (a `_NUMBER` match) is one of the text's `_NUMBER` matches."""
        text, at = self.text, self.text.find(number)
        for _ in range(LOOKS):
            if at < 0:
                return False
            end = at + len(number)
            # A match starts where no digit (or digit and separator) comes before: that would
            # have begun it earlier; it ends where no digit (or separator and digit) follows.
            if not (
                (at and text[at - 1].isdecimal())
                or (at > 1 and text[at - 1] in ".,:" and text[at - 2].isdecimal())
                or text[end : end + 1].isdecimal()
                or (text[end : end + 1] in (".", ",", ":") and text[end + 1 : end + 2].isdecimal())
            ):
                return True
            at = text.find(number, at + 1)
        if self._numbers is None:
            self._numbers = set(_NUMBER.findall(text))
        return number in self._numbers

    def has_word(self, word: str) -> bool:
        """Whether `word` (a token of `_tokens`, not "") is one of the text's."""
        text, at, size = self.text, self.text.find(word), len(word)
        unsure = False  # a place with one of '’- beside it: the token there may be longer
        for _ in range(LOOKS):
            if at < 0:
                return unsure and word in self.words()
            # The token holding this place is the word when no character of a token is beside it.
            before, after = text[at - 1] if at else "", text[at + size : at + size + 1]
            if before in _EDGES or after in _EDGES:
                unsure = True
            elif not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                return True
            at = text.find(word, at + 1)
        return word in self.words()

    def has_lower(self, lower: str) -> bool:
        """Whether some token of the text, lower-cased, is `lower`."""
        if self._lowered is None:
            self._lowered = {w.lower() for w in self.words()}
        return lower in self._lowered

    def words(self) -> set[str]:
        """Every token of the text (as `_tokens` gives them)."""
        if self._words is None:
            self._words = {t.strip(_EDGE) for t in set(_TOKEN.findall(self.text))}
        return self._words


def ungrounded(story: Story, summary: Summary) -> list[str]:
    """Numbers and names in the headline, tagline and bullets that the seed does not contain."""
    seed = Source(source_text(story))
    problems = []
    for field, text in (
        ("headline", summary.headline),
        ("tagline", summary.tagline),
        *(("bullet", b) for b in summary.bullets),
    ):
        for number in _NUMBER.findall(text):
            if not seed.has_number(number):
                problems.append(f"{field}: number {number!r} is not in the seed")
        for index, word in enumerate(_tokens(text)):
            if not word[:1].isupper():
                continue
            # The first word may have been capitalised after a deletion: compare it loosely.
            seen = seed.has_word(word) or (index == 0 and seed.has_lower(word.lower()))
            if not seen:
                problems.append(f"{field}: name {word!r} is not in the seed")
    return problems
