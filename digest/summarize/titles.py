"""A long title made into a headline by choosing a shorter phrase of it, not by cutting it.

In order: the site's name after a bar ("... | BBC News"), a dateline ("LONDON (Reuters) -"),
parentheticals, a trailing attribution (", police say"), then the longest leading clause that
fits, then the longest phrase that stops before a preposition or conjunction. Only when none of
these fits is the title cut at a word, never on a function word, with "…". A link is never cut.
"""

from __future__ import annotations

import re

from digest.summarize.compress import DATELINE, PARENTHETICAL
from digest.summarize.text import FUNCTION_WORDS, bare, clip, is_url, trim_end

MIN_WORDS = 3  # a shorter phrase rarely says what the story is
_SITE = re.compile(r"\s+[|•]\s+[^|•]{1,60}$")
_SOURCE = re.compile(r"\s+[-–—]\s+(?:[A-Z][\w.&']*\s?){1,4}$")  # "... - BBC News"
_BRACKETS = re.compile(r"\s*\[[^\[\]]{1,80}\]\s*")
_SAY = r"(?:say|says|said|claim|claims|reports?|warns?|insists?)"
_ATTRIBUTION = re.compile(
    rf",?\s+(?:according to [^,;:]{{1,50}}|{_SAY}\s+[^,;:]{{1,40}}|(?:[\w'’.-]+\s+){{1,4}}{_SAY})"
    r"[.!?]?$"
)
_CLAUSE_END = re.compile(r"[;:]\s|\s[-–—]\s|,\s")
# Words before which a title can stop and still say its news (its trailing phrase goes).
_PHRASE_STOP = FUNCTION_WORDS - {"a", "an", "the", "not", "no", "very", "also", "just"}


def is_link(title: str) -> bool:
    """Whether the whole title is a link (a cut would leave a broken one)."""
    return len(title.split()) == 1 and is_url(title)


def title_headline(title: str, limit: int) -> str:
    """`title` within `limit`: compressed, or a leading clause or phrase of it, else cut with
    "…" ("" when the title is a link or opens with one too long to keep)."""
    title = " ".join(title.split())
    if is_link(title):
        return ""
    for shorter in _compressions(title):
        if len(shorter) <= limit and shorter != title:
            return shorter
    text = _compressions(title)[-1]
    return _leading_clause(text, limit) or _leading_phrase(text, limit) or clip(text, limit)


def _compressions(title: str) -> list[str]:
    """The title after each removal in turn, keeping only removals that leave enough."""
    out, text = [title], title
    for pattern, replacement in (
        (_SITE, ""),
        (_SOURCE, ""),
        (DATELINE, ""),
        (PARENTHETICAL, " "),
        (_BRACKETS, " "),
        (_ATTRIBUTION, ""),
    ):
        shorter = " ".join(pattern.sub(replacement, text, count=1).split()).strip(" ,;:-–—")
        if shorter != text and len(shorter.split()) >= MIN_WORDS and _ends_well(shorter):
            text = shorter
            out.append(text)
    return out


def _ends_well(text: str) -> bool:
    words = text.split()
    return bool(words) and bare(words[-1]) not in FUNCTION_WORDS


def _leading_clause(text: str, limit: int) -> str:
    """The longest run of whole clauses from the start that fits, or ""."""
    stops = [m.start() for m in _CLAUSE_END.finditer(text) if m.start() <= limit]
    for stop in reversed(stops):
        words = trim_end(text[:stop].split())
        if len(words) >= MIN_WORDS + 1 and len(_join(words)) <= limit:
            return _join(words)
    return ""


def _leading_phrase(text: str, limit: int) -> str:
    """The longest start of `text` that fits and stops before a preposition or conjunction."""
    words = text.split()
    best: list[str] = []
    for index in range(MIN_WORDS + 1, len(words)):
        head = words[:index]
        if len(" ".join(head)) > limit:
            break
        if bare(words[index]) in _PHRASE_STOP:
            best = trim_end(head)
    return _join(best) if len(best) > MIN_WORDS else ""


def _join(words: list[str]) -> str:
    return " ".join(words).rstrip(",;:-–— ")
