"""Where a thread may split, found the fast way, equals the first way of finding it."""

from __future__ import annotations

import bisect
import itertools
import re
import sys

from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from digest.render.social.thread import (
    _ABBREVIATION,
    _CLOSING,
    _SENTENCE_END,
    LINE,
    PARAGRAPH,
    SENTENCE,
    WORD,
    Places,
    atom_spans,
    grapheme_ends,
)
from digest.text import graphemes

SPACES = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
PIECES = [
    *"abcXYZ019.!?…。！？\"'”’)]»」』([",
    *SPACES,
    "\n\n",
    "Dr.",
    "U.S.",
    "e.g.",
    "etc.",
    "https://example.com/a",
    "http://x.com/a(b)c",
    "example.org",
    "#tag",
    "@user",
    "$CASH",
    "\u0301",  # a combining mark: joins what is before it, a space too
    "\u0600",  # a prepended mark: joins what is after it
    "\u200d",
    "👨\u200d👩",
    "🇫🇷",
    "e\u0301",
    "한",
    "\u1100\u1161",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
FUZZ = hypothesis_settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def reference_level(text: str, end: int, space: str) -> int:
    """The break's level as first written: reading the whole text before it."""
    if space.count("\n") >= 2:
        return PARAGRAPH
    if "\n" in space:
        return LINE
    before = text[:end].rstrip(_CLOSING)
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    if before.endswith(tuple(_SENTENCE_END)) and not _ABBREVIATION.fullmatch(word):
        return SENTENCE
    return WORD


def reference_cuts(text: str) -> list[tuple[int, int, int]]:
    boundaries = set(itertools.accumulate(map(len, graphemes(text))))
    atoms = atom_spans(text)
    starts = [s for s, _ in atoms]

    def allowed(index: int) -> bool:
        if index not in boundaries or not 0 < index < len(text):
            return False
        number = bisect.bisect_right(starts, index) - 1
        return number < 0 or not atoms[number][0] < index < atoms[number][1]

    return [
        (space.start(), space.end(), reference_level(text, space.start(), space.group()))
        for space in re.finditer(r"\s+", text)
        if allowed(space.start()) and allowed(space.end())
    ]


def test_a_regex_space_is_a_str_space() -> None:
    # the word before a space is what str.split would find only if both agree on spaces
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert re.findall(r"\s", every) == SPACES


@FUZZ
@given(TEXTS)
@example(" \u0301a b")
@example("Dr. Who. U.S.) x")
def test_cuts_and_grapheme_ends_equal_the_reference(text: str) -> None:
    assert set(grapheme_ends(text)) == set(itertools.accumulate(map(len, graphemes(text))))
    places = Places(text)
    spaces = [(c.end, c.start, c.level) for c in places.cuts if c.end != c.start]
    assert spaces == reference_cuts(text)
    atoms = atom_spans(text)
    for index in range(len(text) + 1):
        assert places.allowed(index) == (index in places.boundaries and allowed(text, atoms, index))


def allowed(text: str, atoms: list[tuple[int, int]], index: int) -> bool:
    """Inside the text and outside every link and tag, as first written (by bisection)."""
    number = bisect.bisect_right([s for s, _ in atoms], index) - 1
    inside = number >= 0 and atoms[number][0] < index < atoms[number][1]
    return 0 < index < len(text) and not inside
