"""A fast rule-based sentence splitter for news text."""

from __future__ import annotations

import re

# Words that end with a period without ending a sentence (compared lower-case, without the dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt no nos vs etc inc ltd co corp gov sen rep gen col lt sgt
    capt cmdr adm maj rev hon jan feb mar apr jun jul aug sep sept oct nov dec fig approx
    dept est ft ave blvd rd univ assn bros op vol pp
    """.split()
)

# A candidate end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_END = re.compile(r"""[.!?…]+['"”’)\]]*(?=\s+)""")
_NEXT_START = re.compile(r"""\s+['"“‘(\[]*[A-Z0-9]""")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences, keeping each sentence's own characters."""
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if not _NEXT_START.match(text, end) or _is_abbreviation(text, match.start(), match.group()):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_abbreviation(text: str, dot: int, punctuation: str) -> bool:
    if punctuation != ".":
        return False
    before = text[:dot]
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", before)
    if not word:
        return False
    token = word.group(1)
    if token.lower().rstrip(".") in ABBREVIATIONS:
        return True
    # Initials and dotted abbreviations: "J. K. Rowling", "U.S.", "a.m."
    return bool((len(token) == 1 and token.isupper()) or _INITIALS.search(before + "."))
