"""Headline and tagline: the seed's own when they fit, else built from its text."""

from __future__ import annotations

import re

from digest.models import Story
from digest.summarize.compress import compress
from digest.summarize.extract import Sentence, leans_back
from digest.summarize.text import FUNCTION_WORDS, bare, capitalise, clip, shorten, trim_end
from digest.summarize.titles import title_headline
from digest.summarize.verbs import has_verb

MAX_WORDS = 12
MIN_WORDS = 4
# Headline style leaves out articles, auxiliaries, determiners and adverbs.
_FILLER = frozenset(
    """
    the a an has have had is are was were been being also now just still already even very
    that its his her their our this these those
    """.split()
)
# "Ford, the US car company, has ..." -> "Ford has ...": an appositive after the subject.
_APPOSITIVE = re.compile(r"^([^,]{2,40}), (?:the |a |an )?[^,]{2,50}, (?=[a-z])")
# Words before which a headline can stop and still read whole.
_STOPS = frozenset(
    """
    for from in on at by with after over since during amid as than because while which who
    when where and but into despite following including according
    """.split()
)


def make_headline(story: Story, sentences: list[Sentence], limit: int) -> tuple[str, str]:
    """(headline, its source): the title, else the lead article's headline, else a shorter
    phrase of the title, else one built from the lead sentence. Never a cut link."""
    lead = story.articles[0].headline if story.articles else None
    for candidate in (story.title, lead):
        if candidate and len(candidate) <= limit:
            return candidate, candidate
    for candidate in (story.title, lead):
        if candidate and (shorter := title_headline(candidate, limit)):
            return shorter, candidate
    body = story.text()
    for sentence in sentences:
        if built := headline_from(sentence.text, limit, body):
            return built, sentence.text
    source = story.title or (sentences[0].text if sentences else "") or story.slug
    return clip(source, limit) or story.slug[:limit], source


def headline_from(sentence: str, limit: int, body: str = "") -> str:
    """A headline built from a sentence: its key words first, stopped at a phrase boundary,
    never on a function word; "" when nothing is left.

    Only deletes words: the headline is the sentence's own words, in their order.
    """
    text = _APPOSITIVE.sub(r"\1 ", compress(sentence)).rstrip(".!?\"”’' ")
    split = by_surname(text.split(), body)
    if len(split) > MIN_WORDS and split[0] in ("The", "A", "An"):
        split = split[1:]  # headline style: "BBC should steer away", not "The BBC ..."
    # A word before a number stays: "nearly 20%" must not become "20%".
    kept = split[:1] + [
        w
        for w, after in zip(split[1:], [*split[2:], ""], strict=False)
        if not _filler(w) or after[:1].isdigit() or after[:1] in "$£€" or _props(after)
    ]
    words: list[str] = []
    for index, word in enumerate(kept):
        if index >= MIN_WORDS and word.lower().strip(",;:") in _STOPS:
            break
        if index >= MAX_WORDS or len(" ".join([*words, word])) > limit:
            break
        words.append(word)
        if word.endswith((",", ";", ":")) and index + 1 >= MIN_WORDS:
            break
    words = _balanced(words)
    headline = _END_PUNCTUATION.sub(r"\1", " ".join(trim_end(words)))
    return clip(capitalise(headline), limit)


# A name as news prints it: "Gordon", "Kilroy-Silk", "McDonald", "O'Sullivan", "LaShawn".
_NAME_WORD = re.compile(r"[A-Z](?:'[A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?")
# Titles before a name are not given names: "Prince Charles" stays whole.
_TITLES = frozenset(
    """
    mr mrs ms dr sir lord lady dame president minister secretary chairman chief prime senator sen
    governor gov king queen prince princess judge pope rev father saint st general gen
    """.split()
)
_POSSESSIVE = re.compile(r"(?:'s|’s|[,;:])$")


def by_surname(words: list[str], body: str) -> list[str]:
    """Headline style: "Lib Dem leader Charles Kennedy said" -> "Kennedy said", where the story
    itself calls the person by the surname alone; a descriptor before the first name goes."""
    out: list[str] = []
    index, named = 0, False
    while index < len(words):
        run = _name_run(words, index)
        surname = _POSSESSIVE.sub("", words[index + run - 1]) if run else ""
        if run and _known_by(surname, words[index + run - 2], body, index == 0, words[index]):
            if not named and out and len(out) <= 5 and _descriptor(out):
                out = []
            named = True
            out.append(words[index + run - 1])
            index += run
            continue
        out.append(words[index])
        index += 1
    return out


def _name_run(words: list[str], start: int) -> int:
    """How many name words (2-4) start at `start`, the last one possibly possessive."""
    end = start
    while end < len(words) and end - start < 4:
        word = words[end]
        if not _NAME_WORD.fullmatch(_POSSESSIVE.sub("", word)):
            break
        end += 1
        if _POSSESSIVE.search(word):
            break
    given = [w for w in words[start : end - 1] if w.lower().rstrip(".") not in _TITLES]
    return end - start if given else 0


def _known_by(surname: str, before: str, body: str, opens: bool, first: str) -> bool:
    """Whether `body` names `surname` alone (not right after `before`), and a run that opens the
    sentence is a name elsewhere too (not "Former Conservative ...")."""
    if re.search(rf"\b{re.escape(surname.lower())}\b", body):
        return False  # a common noun in this story ("Indiana Veterans Hospital")
    alone = re.search(rf"(?<!{re.escape(before)} )\b{re.escape(surname)}\b", body)
    return bool(alone) and (not opens or bool(re.search(rf"[\w,] {re.escape(first)}\b", body)))


def _descriptor(words: list[str]) -> bool:
    """Whether `words` only describe the name that follows ("French striker", "Ex-BBC host")."""
    text = " ".join(words)
    plain = not any(bare(w) in FUNCTION_WORDS for w in words)
    return plain and not has_verb(text) and not re.search(r"[\d,;:\"“”]", text)


_END_PUNCTUATION = re.compile(r"[\s,;:–—-]+([\"”’']?)$")


def _balanced(words: list[str]) -> list[str]:
    """`words` without a quotation they open but do not close: a quotation that opens the
    headline loses its mark, one that opens later is left out."""
    for end in range(len(words), 0, -1):
        text = " ".join(words[:end])
        closed = text.count('"') % 2 == 0 and text.count("“") == text.count("”")
        if closed and (end in (len(words), 1) or not words[0].startswith(('"', "“"))):
            return words[:end]
    if words and words[0].startswith(('"', "“")):
        return [words[0].lstrip('"“'), *words[1:]]
    return words[:1]


def _props(after: str) -> bool:
    """Whether a filler word must stay for the next one to read: "they have until", "those who"."""
    return bare(after) in {"until", "no", "who", "whom"}


def _filler(word: str) -> bool:
    lower = word.lower()
    return lower in _FILLER or (word.islower() and word.endswith("ly") and len(word) > 4)


def make_tagline(
    story: Story, sentences: list[Sentence], used: frozenset[str], limit: int
) -> tuple[str, str]:
    """(tagline, its source): the seed's tagline, else the first sentence no bullet uses.

    Compressed to fit; cut at a word (with an ellipsis) only when compression is not enough.
    """
    fresh = [s.text for s in sentences if s.text not in used and len(s.words) >= 4]
    fresh = [t for t in fresh if not leans_back(t)] + [t for t in fresh if leans_back(t)]
    source = story.tagline or next(iter(fresh), sentences[0].text if sentences else story.title)
    if len(source) <= limit:
        return source, source
    shorter = compress(source)
    if len(shorter) <= limit:
        return shorter, source
    return shorten(shorter, limit), source
