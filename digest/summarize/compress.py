"""Sentence compression by deletion only: what is left is the seed's own words, in its order.

Drops datelines ("LONDON (CNN) --"), parentheticals, attributions ("..., police said."), short
leading clauses without numbers ("In a statement, ..."), non-restrictive relative clauses
(", which ..., ") and trailing participle clauses (", sparking ..."). Numbers, dates and names
are never cut inside; a deletion that would leave too little is not made.
"""

from __future__ import annotations

import re

from digest.summarize.text import capitalise, clip, ends_cleanly, has_words, shorten
from digest.summarize.verbs import has_verb, is_sentence

DATELINE = re.compile(
    r"^(?:[A-Z][\w.' -]{0,40}(?:, [A-Z][\w.' -]{0,30})?\s*)?\((?:CNN|AP|Reuters|AFP|WIRED|EW)"
    r"\)\s*(?:--\s*)?|^[A-Z][A-Z .,'-]{2,40} --\s+|^By \.?\s*[A-Z][\w .'-]{0,40}\.\s+"
)
PARENTHETICAL = re.compile(r"\s*\([^()]{1,120}\)\s*")
_SAY = r"(?:said|says|told|added|reported|announced|explained|noted|wrote|stated|confirmed)"
_TRAILING_SAY = re.compile(
    rf",\s+(?:(?:[A-Za-z'’.-]+\s+){{0,5}}{_SAY}(?:\s+[^,;:]{{0,60}})?|according to [^,;:]{{1,60}})"
    r"(?=[.!?][\"”’']?$)"
)
# Only a generic speaker goes: "Police said ...", never "Gomis said ..." (the speaker is news).
_LEADING_SAY = re.compile(
    r"^(?:(?:The |A |Local |State |Federal |Some |Many )?(?:police|officials?|authorities|"
    r"reports?|witnesses|experts|analysts|sources|investigators|prosecutors|researchers|"
    r"scientists|he|she|they|it|we)\s+)"
    rf"{_SAY}\s+(?:on \w+\s+)?(?:that\s+)?(?=\S)",
    re.IGNORECASE,
)
_LEADING_CLAUSE = re.compile(
    r"^(?:In|On|At|After|Before|As|While|When|Since|During|Despite|Following|According to|"
    r"Meanwhile|However|But|And|Also|Still|Yet|Instead|Indeed|Earlier|Later|Now|Then|Separately|"
    r"Under|With|For|By|From|Amid|Last|This|Overall|In addition|Speaking)\b[^,;:\d]{0,70},\s+"
)
_RELATIVE = re.compile(r",\s+(?:which|who|whose|where)\s[^,;:()]{3,90},\s+")
_TRAILING_PARTICIPLE = re.compile(r",\s+(?:[a-z]+ing)\b[^,;:]{0,120}(?=[.!?][\"”’']?$)")
# In a long sentence, a trailing subordinate clause is detail a bullet can do without.
_TRAILING_CLAUSE = re.compile(
    r",\s+(?:despite|according to|as|while|after|although|though|even though|potentially|"
    r"including|where|when|which|because|since|amid|with|but|prompting|leaving|making)\b"
    r"[^;:]*?(?=[.!?][\"”’']?$)"
)
LONG = 20  # words: a sentence longer than this loses its trailing clause
_SPACES = re.compile(r"\s+([,.;:!?])|\s{2,}")
_SPACE_BEFORE = re.compile(r" [,.;:!?]")
MIN_KEEP = 0.35  # never keep less than this share of a sentence's characters


def compress(sentence: str) -> str:
    """`sentence` with its removable parts removed; unchanged when nothing safe can go."""
    text = strip_dateline(sentence)
    whole = is_sentence(text)  # then every deletion must leave a sentence: a verb, no dangling end
    tidy = ""  # a text _tidy leaves as it is: a step that removes nothing from it changes nothing
    for pattern, replacement in (
        (PARENTHETICAL if "(" in text else None, " "),
        (_TRAILING_SAY, ""),
        (_RELATIVE, " "),
        (_TRAILING_PARTICIPLE, ""),
        (_LEADING_CLAUSE, ""),
        (_LEADING_SAY, ""),
    ):
        cut, removed = pattern.subn(replacement, text, count=1) if pattern else (text, 0)
        if not removed and text == tidy:
            continue
        shorter = _tidy(cut)
        if not removed and shorter == text:
            tidy = text
            continue
        enough = len(shorter) >= MIN_KEEP * len(sentence) and has_words(shorter, 4)
        if enough and (is_sentence(shorter) or not whole):
            text = shorter
    if has_words(text, LONG + 1):
        cut, removed = _TRAILING_CLAUSE.subn("", text, count=1)
        shorter = _tidy(cut) if removed or text != tidy else text
        if shorter != text and has_words(shorter, 8) and (is_sentence(shorter) or not whole):
            text = shorter
    return capitalise(text)


def strip_dateline(sentence: str) -> str:
    """`sentence` without its dateline ("LONDON (CNN) --")."""
    found = DATELINE.match(sentence)  # every branch opens with "^": one place to try
    return (sentence[found.end() :] if found else sentence).strip()


def _tidy(text: str) -> str:
    # _SPACES only matches a space before punctuation or a run of two or more spaces (or any
    # other white space): text already spaced by single " " with no " ," needs no scan.
    if not single_spaced(text) or _SPACE_BEFORE.search(text):
        text = _SPACES.sub(lambda m: m.group(1) or " ", text)
    return text.strip().lstrip(",;: ")


def single_spaced(text: str) -> bool:
    """`text == " ".join(text.split())`, mostly without splitting: every white space character
    but " " is unprintable, so printable text is single-spaced when no "  " or end space."""
    if text.isprintable():
        return "  " not in text and text[:1] != " " and text[-1:] != " "
    return text == " ".join(text.split())


# Where a too-long sentence can stop and still be a sentence: before a relative or
# subordinate clause, or failing that before a prepositional phrase.
_CLAUSE = re.compile(r"\s(?:who|which|where|while|as|after|because|although|but)\s|,\s(?=but\s)")
_PHRASE = re.compile(r"\s(?:from|to|in|into|with|for|at|on|by|of|over|under|during|amid)\s")


def fit(text: str, limit: int) -> str:
    """`text` within `limit` characters: stopped before a clause or a phrase when that keeps
    most of it and a sentence (a verb, a content word last), else cut at a word with "…"."""
    if len(text) <= limit:
        return text
    for boundary in (_CLAUSE, _PHRASE):
        for stop in reversed([m.start() for m in boundary.finditer(text, 0, limit)]):
            head = text[:stop].rstrip(" ,;:")
            if stop >= limit // 2 and ends_cleanly(head) and has_verb(head):
                return head + "."
    return clip(text, limit) or shorten(text, limit)
