"""Names in cased scripts, counted as whole names: "Ed Balls" and "Balls" are one person.

A name is a run of capitalised words in any cased script (Zürich, São Paulo, Tiếng Việt), with
connectors inside ("Mary Queen of Scots", "Lula da Silva"). A single word counts as a name only
when the story uses it mid-sentence and never writes it in lower case ("Light" beside "light" is
a common word); a demonym used as an adjective ("Jordanian women") is no name. A first name or
surname alone, or a run inside a longer name, is counted under the longest name it belongs to.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

import regex

from digest.summarize.text import FUNCTION_WORDS, STOPWORDS, WORDS_CACHED, near_ascii
from digest.summarize.verbs import VERBS
from digest.summarize.wordlists import CONNECTORS, DEMONYMS, EVALUATIVE, GENERIC, NOT_NAMES

_TOKEN = regex.compile(
    r"\p{Lu}\.(?=\s+\p{Lu})|[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]"
)
# The same tokens of ASCII text (and of `near_ascii` text), with the standard library's faster
# engine: there \p{Lu} is [A-Z], [\p{L}\p{M}\p{N}] is [A-Za-z0-9] and \s (White_Space) is
# [\t\n\v\f\r ]. Possessive quantifiers (nothing after them could make a shorter run match
# instead) save the engine its backtracking points.
ASCII_TOKEN = re.compile(
    r"[A-Z]\.(?=[\t\n\x0b\x0c\r ]+[A-Z])|[A-Za-z0-9]++(?:['’-][A-Za-z0-9]++)*+"
    r"|[^\t\n\x0b\x0c\r A-Za-z0-9]"
)
# Roles before a name: "Industry Secretary Patricia Hewitt" is Patricia Hewitt.
_ROLES = NOT_NAMES | frozenset(
    """
    chancellor cfo ceo coo chairwoman captain coach boss manager director treasurer leader
    spokesman spokeswoman judge mayor commissioner officer inspector sergeant detective
    professor doctor editor founder head attorney prosecutor sheriff
    """.split()
)
_NOT_NOUNS = FUNCTION_WORDS | VERBS
_LEADING = STOPWORDS | NOT_NAMES | DEMONYMS  # a capitalised connector stays: "El Salvador"
_DESCRIBERS = GENERIC | _ROLES | STOPWORDS
_COMMON = NOT_NAMES | DEMONYMS | GENERIC | STOPWORDS | EVALUATIVE
_PRONOUNS = frozenset("i i'm i've i'll i'd i’m i’ve i’ll i’d".split())
_POSSESSIVE = ("'s", "’s")
_ENDS_SENTENCE = frozenset(".!?\"”'’:«»“‘")
_DEMONYM_ENDING = ("ian", "ean", "ese", "ish", "ani", "ari")
_NOT_ALONE = _LEADING | CONNECTORS | EVALUATIVE  # what _clean leaves of a one-word run


@dataclass(frozen=True)
class Name:
    """A name and how often the story mentions it (its parts included)."""

    words: tuple[str, ...]
    count: int


def tokens_of(paragraph: str) -> list[str]:
    """The paragraph's words (with inner apostrophes and hyphens), initials and punctuation."""
    return (ASCII_TOKEN if near_ascii(paragraph) else _TOKEN).findall(paragraph)


def _capitalised(words: set[str]) -> set[str]:
    """The capitalised words among `words` ("I", "I'm" are not): each tested once."""
    return {t for t in words if t[:1].isupper() and t.lower() not in _PRONOUNS}


@lru_cache(maxsize=WORDS_CACHED)
def _name_word(word: str) -> str:
    """A run's word as the name holds it: "Obama's" -> "Obama", "A." -> "A"."""
    return (word[:-2] if word.endswith(_POSSESSIVE) else word).rstrip(".")


def _runs(tokens: list[str], capital: list[bool]) -> list[tuple[tuple[str, ...], bool]]:
    """Each run of capitalised words, and whether it stands mid-sentence."""
    out: list[tuple[tuple[str, ...], bool]] = []
    size, end = len(tokens), 0
    for index in compress(range(size), capital):
        if index < end:
            continue  # inside the run before
        run, end = [tokens[index]], index + 1
        while end < size and not run[-1].endswith(_POSSESSIVE):
            if capital[end]:
                run.append(tokens[end])
                end += 1
            elif end + 1 < size and tokens[end].lower() in CONNECTORS:
                if not capital[end + 1]:
                    break
                run += tokens[end : end + 2]
                end += 2
            else:
                break
        before = tokens[index - 1] if index else ""
        out.append((tuple(map(_name_word, run)), bool(before) and before not in _ENDS_SENTENCE))
    return out


def _clean(
    words: tuple[str, ...], opens: bool, known: set[str], lower_words: set[str]
) -> tuple[str, ...]:
    """A run without what stands before the name in it: a sentence's opening word that the
    story never capitalises mid-sentence ("Broadcaster"), titles, roles and demonyms
    ("Russian President"), and without judgements and trailing initials."""
    if len(words) == 1:  # most runs: the same steps, in one test
        return () if len(words[0]) == 1 or words[0].lower() in _NOT_ALONE else words
    run = list(words)
    if opens and len(run) > 1 and _describes(run, known, lower_words):
        run = run[1:]
    for index in range(len(run) - 1, 0, -1):  # a role followed by a name, not by "of"
        if run[index - 1].lower() in _ROLES and run[index].lower() not in CONNECTORS:
            run = run[index:]
            break
    while run and (run[0].lower() in _LEADING or len(run[0]) == 1 or run[0] in CONNECTORS):
        run = run[1:]
    while run and (run[-1].lower() in CONNECTORS or len(run[-1]) == 1):
        run = run[:-1]
    return tuple(w for w in run if w.lower() not in EVALUATIVE)


def _describes(run: list[str], known: set[str], lower_words: set[str]) -> bool:
    """Whether a sentence's capitalised first word is no part of the name after it
    ("Broadcaster Chris Evans", "Former Chelsea", "Selon Étienne Lefèvre"), judged by the
    story's own use of it: never capitalised mid-sentence, or written in lower case too."""
    word, low = run[0], run[0].lower()
    if low in lower_words or low in _DESCRIBERS:
        return True
    if word in known:
        return False
    return low.endswith(("er", "or", "ist", "ian", "an")) or all(w in known for w in run[1:])


def _common(word: str, lower_words: set[str], adjectival: set[str]) -> bool:
    """Whether a single capitalised word is a common word, a demonym or a title, not a name."""
    low = word.lower()
    if low in _COMMON or len(word) < 3:
        return True
    if word.isupper():
        return False  # an acronym: ISIS, NATO
    return low in lower_words or (low.endswith(_DEMONYM_ENDING) and low in adjectival)


def _adjectival(tokens: list[str], capital: list[bool]) -> set[str]:
    """Capitalised words seen right before a lower-case noun ("Jordanian women")."""
    out = set()
    for index in compress(range(len(tokens) - 1), capital):
        after = tokens[index + 1]
        if not after[:1].islower():
            continue
        low = after.lower()
        if not low.endswith(("ed", "s")) and low not in _NOT_NOUNS:
            out.add(tokens[index].lower())
    return out


def names_of(paragraphs: list[str]) -> list[Name]:
    """The story's names, most mentioned first (ties in alphabetical order)."""
    tokens: list[str] = []  # every paragraph's, each followed by "" (no run or noun goes past it)
    for paragraph in paragraphs:
        tokens += tokens_of(paragraph)
        tokens.append("")
    distinct = set(tokens)
    capitalised = _capitalised(distinct)
    capital = list(map(capitalised.__contains__, tokens))
    runs = _runs(tokens, capital)
    known = {w for words, mid in runs if mid for w in words}  # capitalised mid-sentence
    lower_words = {t for t in distinct if t[:1].islower()}
    raw: Counter[tuple[str, ...]] = Counter()
    inside: set[tuple[str, ...]] = set()
    for found, mid in runs:
        if words := _clean(found, not mid, known, lower_words):
            raw[words] += 1
            if mid:
                inside.add(words)
    adjectival = _adjectival(tokens, capital)
    kept = Counter(
        {
            words: count
            for words, count in raw.items()
            if len(words) > 1
            or (words in inside and not _common(words[0], lower_words, adjectival))
        }
    )
    return _merged(kept)


def _merged(counts: Counter[tuple[str, ...]]) -> list[Name]:
    """Each name counted under the longest name that holds it as its first or last words, or
    as a run inside it ("Mary Queen" in "Mary Queen of Scots")."""
    totals = Counter(counts)
    homes = _homes(counts)
    for words in sorted(counts, key=len):
        if words in homes:
            home = max(homes[words], key=lambda n: (counts[n], -len(n), n))
            totals[home] += totals.pop(words)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [Name(words, count) for words, count in ranked]


def _homes(names: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """For each shorter name that could be part of a longer one, the longer names holding it:
    as a first name or surname (one word: "Bukele" in "Nayib Armando Bukele Ortez" stays
    apart), or as a run of two or more words inside it."""
    out: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for name in names:
        size = len(name)
        parts = {name[:1], name[-1:]} if size > 1 else set()
        parts |= {name[i : i + n] for n in range(2, size) for i in range(size - n + 1)}
        for part in parts:
            out.setdefault(part, []).append(name)
    return out
