"""Hashtags from a story's tags, its most mentioned names and its main topic, in CamelCase.

Never a loaded adjective (`#ViolentMigrants`), a nationality adjective (`#Salvadoran`), a
weekday or month, or a tag contained in another (`#Salvador` beside `#ElSalvador`).
"""

from __future__ import annotations

import re
from collections import Counter

from digest.models import Story
from digest.summarize.text import STOPWORDS

MAX_HASHTAGS = 5
# Runs of capitalised words ("El Salvador", "Marco Rubio"), allowing "de" inside a name.
_NAME = re.compile(r"\b[A-Z][a-zA-Z]+(?:\s+(?:de\s+|del\s+|la\s+)?[A-Z][a-zA-Z]+)*")
_LOWER = re.compile(r"\b[a-z][a-z-]{4,}\b")

_WORDLISTS = {
    # Capitalised by the calendar, by grammar, or a title before a name.
    "not_names": """
        monday tuesday wednesday thursday friday saturday sunday january february march april
        may june july august september october november december mr mrs ms dr sir lord lady
        president minister secretary chairman chief prime senator governor king queen prince
        """,
    # Nationality and group adjectives: they describe, they are not the topic.
    "demonyms": """
        american british english scottish welsh irish french german italian spanish portuguese
        dutch belgian swiss austrian swedish norwegian danish finnish polish russian ukrainian
        greek turkish israeli palestinian iranian iraqi syrian egyptian saudi afghan pakistani
        indian chinese japanese korean vietnamese thai indonesian australian canadian mexican
        brazilian argentine argentinian colombian venezuelan cuban salvadoran guatemalan
        honduran nicaraguan african nigerian kenyan european asian arab muslim christian
        jewish catholic latin western eastern northern southern
        """,
    # Evaluative adjectives: a hashtag names a subject, it does not judge it.
    "evaluative": """
        violent dangerous notorious shocking brutal horrific horrible terrible evil great best
        worst amazing awful controversial radical extreme crazy disgusting heroic tragic
        disastrous outrageous incredible stunning massive huge illegal corrupt
        """,
    # Common words that are never the topic of a story.
    "generic": """
        people years year times months weeks first second third other there these those would
        could should about after before where while which their being according including
        called percent million billion number group groups place world country countries
        government official officials president company companies state states added
        """,
}
NOT_NAMES, DEMONYMS, EVALUATIVE, GENERIC = (
    frozenset(_WORDLISTS[key].split()) for key in ("not_names", "demonyms", "evaluative", "generic")
)

_NOT_TAGS = DEMONYMS | EVALUATIVE
_NOT_TOPICS = STOPWORDS | GENERIC | EVALUATIVE | DEMONYMS


def camel_case(phrase: str) -> str:
    """`"el salvador"` -> `"ElSalvador"`; keeps inner capitals such as `"TimeWarner"`."""
    parts = re.findall(r"[A-Za-z0-9]+", phrase)
    return "".join(p[:1].upper() + p[1:] for p in parts)


def _clean_name(name: str) -> str:
    words = name.split()
    while words and (words[0].lower() in STOPWORDS or words[0].lower() in NOT_NAMES):
        words = words[1:]
    if len(words) == 1 and words[0].lower() in _NOT_TAGS:
        return ""
    return " ".join(w for w in words if w.lower() not in EVALUATIVE)


def _names(story: Story) -> Counter[str]:
    """Names by mentions; a word seen capitalised only at the start of sentences is no name."""
    raw: Counter[str] = Counter()
    inside: set[str] = set()  # names also seen in the middle of a sentence
    for paragraph in _paragraphs(story):
        for match in _NAME.finditer(paragraph):
            raw[match.group()] += 1
            before = paragraph[: match.start()].rstrip()
            if before and before[-1] not in ".!?\"”'’:":
                inside.add(match.group())
    counts: Counter[str] = Counter()
    for name, count in raw.items():  # clean each distinct run once
        cleaned = _clean_name(name)
        if len(cleaned) > 2 and (name in inside or " " in cleaned):
            counts[cleaned] += count
    return counts


def _paragraphs(story: Story) -> list[str]:
    return [p for article in story.articles for p in article.paragraphs]


def _topic(story: Story) -> str | None:
    """The most repeated plain noun-like word, when it is repeated enough to be the subject."""
    raw = Counter(w for p in _paragraphs(story) for w in _LOWER.findall(p))
    ranked = sorted(
        ((w, n) for w, n in raw.items() if n >= 3 and _could_be_topic(w)),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[0][0] if ranked else None


def _could_be_topic(word: str) -> bool:
    return word not in _NOT_TOPICS and not word.endswith(("ly", "ed", "ing", "ive", "ous", "ful"))


def make_hashtags(story: Story) -> tuple[str, ...]:
    """1-5 hashtags (without '#'): front-matter tags, names mentioned twice or more, the topic."""
    tags = [camel_case(_clean_name(t.title()) or t) for t in story.tags]
    ranked = sorted(_names(story).items(), key=lambda item: (-item[1], item[0]))
    names = [camel_case(name) for name, count in ranked if count >= 2]
    topic = _topic(story)
    tags += names[:3] + ([camel_case(topic)] if topic else []) + names[3:]
    if not tags:
        tags = [camel_case(name) for name, _ in ranked[:1]]
    unique: list[str] = []
    for tag in tags:
        if not tag or any(tag.lower() in u.lower() or u.lower() in tag.lower() for u in unique):
            continue
        unique.append(tag)
    return tuple(unique[:MAX_HASHTAGS])
