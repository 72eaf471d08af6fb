"""Hashtags in every script: a story's tags, its most mentioned names and its main topic.

Letters are kept as written after NFC (#CrèmeBrûlée, #SãoPaulo, #TiếngViệt, #東京); words are
joined in CamelCase only where the script has case. Never a loaded adjective (#ViolentMigrants),
a demonym (#Jordanian), a word the story also writes in lower case (#Light, #Market), a first
name or a piece of a longer name alone (#Guy for John Guy, #MaryQueen for Mary Queen of Scots),
a piece of a link (#Https) or a tag that loses characters ("C#" is not #C).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import compress

import regex

from digest.models import Story
from digest.summarize.names import Name, names_of
from digest.summarize.text import (
    FUNCTION_WORDS,
    STOPWORDS,
    URL,
    WORDS_CACHED,
    capitalise,
    near_ascii,
)
from digest.summarize.uncased import uncased_topics
from digest.summarize.wordlists import DEMONYMS, EVALUATIVE, GENERIC, NOT_NAMES
from digest.text import nfc

MAX_HASHTAGS = 5
MAX_TAG = 40  # characters; a longer "name" is a phrase, not a tag
_TAG = regex.compile(r"[\p{L}\p{M}\p{N}_\u200c\u200d]+")
_TAG_WORDS = regex.compile(r"[\s_-]+")
_ACRONYM = regex.compile(r"(?<=^(?:\p{Lu}\.)+\p{Lu}?)\.$|(?<=^(?:\p{Lu}\.)*\p{Lu})\.(?=\p{Lu})")
_HAS_LETTER = regex.compile(r"\p{L}")
_DATELINE = regex.compile(r"\((?:CNN|AP|AFP|Reuters|EW|WIRED)\)")  # "Moscow (CNN)The ..."
# What no hashtag may be made of: links, addresses, handles, and words with # or + in them.
_NOT_TEXT = regex.compile(
    rf"{URL.pattern}|\S+@\S+\.\w+|@\w+|[\p{{L}}\p{{N}}]*[#+]+[\p{{L}}\p{{N}}#+]*",
    regex.I,
)
# Every match of _NOT_TEXT holds "/", "@", "#", "+" or "www." and no space, so only the
# space-free chunks holding one of them need the full pattern (which is slow on a whole paragraph).
_MAYBE_NOT_TEXT = regex.compile(r"[/@#+]|www\.", regex.I)
_CHUNK_NOT_TEXT = regex.compile(r"(?<!\S)\S*(?:[/@#+]|(?i:www\.))\S*")
# The same chunks of ASCII (and `near_ascii`) text, with the standard library's engine: there \s
# (White_Space) is [\t\n\v\f\r ] (re's \s would also take \x1c-\x1f).
ASCII_CHUNK_NOT_TEXT = re.compile(
    r"(?<![^\t\n\x0b\x0c\r ])[^\t\n\x0b\x0c\r ]*(?:[/@#+]|(?i:www\.))[^\t\n\x0b\x0c\r ]*"
)
_WORDS = regex.compile(r"[\p{L}\p{M}\p{N}'’-]+|\S")
# _WORDS of ASCII (and `near_ascii`) text, faster.
ASCII_WORDS = re.compile(r"[A-Za-z0-9'’-]+|[^\t\n\x0b\x0c\r ]")
_LOWER = regex.compile(r"\p{Ll}[\p{Ll}\p{M}-]{4,}")  # a lower-case word of five letters or more
_DETERMINERS = frozenset(
    "the a an this that its his her their our your my le la les un une des du o os as um uma "
    "el los las una der die das ein eine il lo gli".split()
)
_NOT_TOPICS = STOPWORDS | FUNCTION_WORDS | NOT_NAMES | GENERIC | EVALUATIVE | DEMONYMS


def camel_case(phrase: str) -> str:
    """`"el salvador"` -> `"ElSalvador"`, `"tiếng việt"` -> `"TiếngViệt"`; a word that has a
    capital already keeps its own ("iPhone", "TimeWarner"); uncased scripts stay as written."""
    words = _TAG.findall(nfc(phrase))
    return "".join(w if any(c.isupper() for c in w) else capitalise(w) for w in words)


def story_text(story: Story) -> list[str]:
    """The story's paragraphs in NFC, with links, addresses and "C#"-like words blanked."""
    return [_plain(p) for article in story.articles for p in article.paragraphs]


def _plain(paragraph: str) -> str:
    text = nfc(paragraph)
    if "(" in text:
        text = _DATELINE.sub(" . ", text)
    if near_ascii(text):
        if maybe_not_text(text):
            text = ASCII_CHUNK_NOT_TEXT.sub(_blank_not_text, text)
    elif _MAYBE_NOT_TEXT.search(text):
        text = _CHUNK_NOT_TEXT.sub(_blank_not_text, text)
    return text


def maybe_not_text(text: str) -> bool:
    """`_MAYBE_NOT_TEXT.search` of `near_ascii` text, as string tests."""
    return "/" in text or "@" in text or "#" in text or "+" in text or "www." in text.lower()


def _blank_not_text(chunk: regex.Match[str] | re.Match[str]) -> str:
    return str(_NOT_TEXT.sub(" ", chunk.group()))


def _from_tag(tag: str) -> str:
    """A front-matter tag as a hashtag, or "" when writing it as one would change it."""
    tag = nfc(tag).strip()
    words = [_ACRONYM.sub("", w) for w in _TAG_WORDS.split(tag) if w]
    while words and (words[0].lower() in STOPWORDS or words[0].lower() in NOT_NAMES):
        words = words[1:]
    words = [w for w in words if w.lower() not in EVALUATIVE]
    if len(words) == 1 and words[0].lower() in DEMONYMS | GENERIC:
        return ""
    if not all(_TAG.fullmatch(w) for w in words):
        return ""  # "C#", "C++", "AT&T", "Node.js": the tag would lose what it says
    return camel_case(" ".join(words))


def _topic(paragraphs: list[str]) -> str | None:
    """The most repeated lower-case noun, when it is repeated enough to be the subject."""
    raw: Counter[str] = Counter()
    nouns: set[str] = set()
    for paragraph in paragraphs:
        if near_ascii(paragraph):  # then no word but an ASCII one can be a lower-case word
            tokens = ["", *ASCII_WORDS.findall(paragraph), ""]
            lower = {word for word in set(tokens) if ascii_lower_word(word)}
        else:
            tokens = ["", *_WORDS.findall(paragraph), ""]
            lower = {word for word in set(tokens) if _lower_word(word)}
        found = list(compress(range(len(tokens)), map(lower.__contains__, tokens)))
        raw.update([tokens[index] for index in found])
        for index in found:
            if tokens[index] not in nouns and (
                _heads(tokens[index + 1]) or _determiner(tokens[index - 1])
            ):
                nouns.add(tokens[index])
    counts: dict[str, int] = {}
    for word, count in raw.items():  # "talks" counts for "talk" when the story has both
        single = word.removesuffix("s")
        key = single if single in raw else word
        counts[key] = counts.get(key, 0) + count
        if word in nouns:
            nouns.add(key)
    ranked = sorted(
        ((w, n) for w, n in counts.items() if n >= 3 and w in nouns and _could_be_topic(w)),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[0][0] if ranked else None


@lru_cache(maxsize=WORDS_CACHED)
def _lower_word(word: str) -> bool:
    return bool(_LOWER.fullmatch(word))


def ascii_lower_word(word: str) -> bool:
    """`_lower_word` of an ASCII (or `near_ascii`) word, without the regex: [a-z][a-z-]{4,}."""
    return len(word) > 4 and word[0] != "-" and word.islower() and word.replace("-", "").isalpha()


@lru_cache(maxsize=WORDS_CACHED)
def _heads(after: str) -> bool:
    """Whether a word before `after` ends its phrase (so may be a noun)."""
    return not after[:1].isalpha() or after.lower() in STOPWORDS


@lru_cache(maxsize=WORDS_CACHED)
def _determiner(before: str) -> bool:
    return before.lower() in _DETERMINERS


def _could_be_topic(word: str) -> bool:
    return word not in _NOT_TOPICS and not word.endswith(("ly", "ed", "ing", "ive", "ous", "ful"))


def _valid(tag: str) -> bool:
    return bool(_TAG.fullmatch(tag)) and bool(_HAS_LETTER.search(tag)) and len(tag) <= MAX_TAG


def make_hashtags(story: Story) -> tuple[str, ...]:
    """1-5 hashtags (without '#'): front-matter tags, names mentioned twice or more, the topic,
    then topics of scripts without case (Japanese, Arabic, Thai, ...)."""
    paragraphs = story_text(story)
    ranked: list[Name] = names_of(paragraphs)
    names = [camel_case(" ".join(n.words)) for n in ranked if n.count >= 2]
    topic = _topic(paragraphs)
    tags = [_from_tag(t) for t in story.tags]
    tags += names[:3] + ([camel_case(topic)] if topic else []) + names[3:]
    tags += uncased_topics(paragraphs)
    if not any(_valid(t) for t in tags):
        tags += [camel_case(" ".join(n.words)) for n in ranked[:1]]
    unique: list[str] = []
    for tag in tags:
        folded = tag.casefold()
        if not _valid(tag) or any(folded in u.casefold() or u.casefold() in folded for u in unique):
            continue
        unique.append(tag)
    return tuple(unique[:MAX_HASHTAGS])
