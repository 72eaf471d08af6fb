"""Numbered threads: a text too long for one post, split where a reader would pause.

Parts end at a paragraph break if one is in reach, else a line break, a sentence end, a space,
and only for a word longer than a whole part between two graphemes; never inside a URL, a
hashtag, a mention or a grapheme. Each part ends with its number (`2/3`), whose widest form is
reserved before splitting, so numbering never pushes a part over the limit.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from typing import NamedTuple

import regex

from digest.platforms.base import PieceFits
from digest.platforms.richtext import link_spans
from digest.platforms.x.count import extract_urls_with_indices
from digest.text import grapheme_count, graphemes

SEPARATOR = "\n\n"  # between a part's text and its number
PARAGRAPH, LINE, SENTENCE, WORD, GRAPHEME = 4, 3, 2, 1, 0
# Links, hashtags, mentions and cashtags, however the platforms would find them.
_ATOM = regex.compile(r"[hH][tT][tT][pP][sS]?://\S+|[#＃@＠]\S+|\$[A-Za-z]\S*")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = ".!?…。！？"
_CLOSING = "\"'”’)]»」』"
_ENDINGS = _SENTENCE_END + _CLOSING  # what the word before a SENTENCE break can end with
_ABBREVIATION = re.compile(
    r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Gov|Sen|Rep|No|vs|etc|e\.g|i\.e)\."
)


class Cut(NamedTuple):
    """A place to split: the part before ends at `end`, the next part starts at `start`."""

    end: int
    start: int
    level: int


def split_thread(
    text: str,
    fits: Callable[[str], bool],
    max_parts: int,
    piecewise: Callable[[str], PieceFits | None] | None = None,
) -> tuple[str, ...] | None:
    """`text` itself when it fits, else parts ending `1/n`…`n/n` that each fit.

    None when it takes more than `max_parts` parts, or a link or tag is longer than a part.
    `piecewise(text)` is the platform's `Platform.piecewise` for the limit `fits` checks: with
    it, a part is measured from counts of the whole text where they add up.
    """
    if fits(text):
        return (text,)
    places = Places(text)
    by_piece = piecewise(text) if piecewise else None
    digits = 1
    while True:
        chunks = _pack(places, _reserving(text, fits, by_piece, digits), max_parts)
        if chunks is None:
            return None
        if len(str(len(chunks))) <= digits:
            break
        digits += 1  # ten parts or more: reserve two digits and split again
    total = len(chunks)
    return tuple(f"{chunk}{SEPARATOR}{n}/{total}" for n, chunk in enumerate(chunks, 1))


def _reserving(
    text: str, fits: Callable[[str], bool], by_piece: PieceFits | None, digits: int
) -> Callable[[int, int], bool]:
    """Whether `text[start:end]`, stripped, fits as a part that still gets its number, as wide
    as `digits` allow: from the whole text's counts when they can say, else measured."""
    widest = f"{SEPARATOR}{'9' * digits}/{'9' * digits}"

    def part_fits(start: int, end: int) -> bool:
        if by_piece and start < end and not (text[start].isspace() or text[end - 1].isspace()):
            answer = by_piece(start, end, widest)
            if answer is not None:
                return answer
        return fits(text[start:end].strip() + widest)

    return part_fits


class Places:
    """Where a text may be split: its breaks (word or better) at once, grapheme cuts on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.boundaries = grapheme_ends(text)
        self.atoms = atom_spans(text)
        self.inside = {i for start, end in self.atoms for i in range(start + 1, end)}
        bounds, inside, size = self.boundaries, self.inside, len(text)
        cuts, word = [], 0  # word: where the word before the next space starts
        for space in _SPACE.finditer(text):
            start, end = space.span()
            if (  # self.allowed(start) and self.allowed(end), spelt out: this runs per space
                start
                and end < size
                and start in bounds
                and end in bounds
                and start not in inside
                and end not in inside
            ):
                if end - start == 1 and text[start] == " " and text[start - 1] not in _ENDINGS:
                    cuts.append(Cut(start, end, WORD))  # what _level says, the common case
                else:
                    cuts.append(Cut(start, end, _level(text, word, start, space.group())))
            word = end
        cuts += [  # CJK sentences end without a space
            Cut(m.end(), m.end(), SENTENCE)
            for m in re.finditer(r"[。！？](?=\S)", text)
            if self.allowed(m.end())
        ]
        self.cuts = sorted(cuts, key=lambda c: c.end)
        self.ends = [c.end for c in self.cuts]

    def allowed(self, index: int) -> bool:
        """Whether `index` is between graphemes, inside the text, and outside links and tags."""
        return 0 < index < len(self.text) and index in self.boundaries and index not in self.inside

    def after(self, start: int) -> list[Cut]:
        """The breaks after `start`."""
        return self.cuts[bisect.bisect_right(self.ends, start) :]

    def between_graphemes(self, start: int, end: int) -> list[Cut]:
        """Cuts inside the words between `start` and `end`, for a word longer than a part."""
        text = self.text
        return [
            Cut(index, index, GRAPHEME)
            for index in sorted(i for i in self.boundaries if start < i < end)
            if self.allowed(index) and not (text[index - 1].isspace() or text[index].isspace())
        ]


def atom_spans(text: str) -> list[tuple[int, int]]:
    """Spans never split: links (as X or Bluesky find them, or anything after http://), tags,
    mentions."""
    spans = sorted(
        [m.span() for m in _ATOM.finditer(text)]
        + [tuple(e["indices"]) for e in extract_urls_with_indices(text)]
        + link_spans(text)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def grapheme_ends(text: str) -> set[int] | range:
    """The index after each grapheme of `text`: every index past 0 when no two code points
    join (as many graphemes as code points)."""
    if grapheme_count(text) == len(text):
        return range(1, len(text) + 1)
    return set(itertools.accumulate(map(len, graphemes(text))))


def _level(text: str, word: int, end: int, space: str) -> int:
    """How good a break the `space` at `end` is; the word before it starts at `word` (after the
    space before, or 0), so nothing before it is read."""
    if space.count("\n") >= 2:
        return PARAGRAPH
    if "\n" in space:
        return LINE
    close = end  # the word without the quotes and brackets that close it
    while close > word and text[close - 1] in _CLOSING:
        close -= 1
    ends = close > word and text[close - 1] in _SENTENCE_END
    if ends and not _ABBREVIATION.fullmatch(text, word, close):
        return SENTENCE
    return WORD


def _pack(places: Places, fits: Callable[[int, int], bool], max_parts: int) -> list[str] | None:
    """Fill parts greedily, each ending at the best break within reach; `fits(start, end)`
    says whether `text[start:end]` fits as a part."""
    text, start = places.text, 0
    chunks: list[str] = []
    while not fits(start, len(text)):
        if len(chunks) + 1 >= max_parts:
            return None
        options = places.after(start)
        reach = _furthest(start, options, fits)
        if reach >= 0:
            cut = _preferred(options[: reach + 1], start)
            if cut is not options[reach] and not fits(start, cut.end):
                cut = options[reach]
        else:  # the next word is longer than a part: cut it between graphemes
            word_end = options[0].end if options else len(text)
            options = places.between_graphemes(start, word_end)
            reach = _furthest(start, options, fits)
            if reach < 0:
                return None  # the next link, tag or grapheme alone does not fit
            cut = options[reach]
        chunks.append(text[start : cut.end].strip())
        start = cut.start
    rest = text[start:].strip()
    return [*chunks, rest] if rest else chunks


def _furthest(start: int, options: list[Cut], fits: Callable[[int, int], bool]) -> int:
    """The index of the last option whose part fits (binary search: longer never fits better)."""
    low, high, best = 0, len(options) - 1, -1
    while low <= high:
        middle = (low + high) // 2
        if fits(start, options[middle].end):
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


def _preferred(options: list[Cut], start: int) -> Cut:
    """The last cut of the best level past a third of reach, else the last one.

    A part may end early at a better break, but not so early that it is a stub.
    """
    third = start + (options[-1].end - start) // 3
    for level in (PARAGRAPH, LINE, SENTENCE):
        good = [c for c in options if c.level >= level and c.end >= third]
        if good:
            return good[-1]
    return options[-1]
