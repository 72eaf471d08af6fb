"""Headlines read whole: never cut mid-phrase, on a function word, inside a word or a link."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.factories import BBC_SEEDS, NEWS, make_digest, settings

from digest.models import Story
from digest.render.email.message import subject_line
from digest.seeds import read_seed, story_from_text
from digest.summarize import HEADLINE_MAX, summarize
from digest.summarize.extract import sentences_of
from digest.summarize.headline import by_surname, headline_from
from digest.summarize.text import FUNCTION_WORDS, URL, clip
from digest.summarize.titles import title_headline


def _rows(name: str) -> list[dict[str, str]]:
    lines = (NEWS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def stories() -> list[Story]:
    """The 30 BBC seeds; every news row with its title hidden, and shown; every CNN row with its
    long lead sentence as the title (most are over 70 characters)."""
    out = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))]
    for row in _rows("cnn_highlights.jsonl") + _rows("bbc_titles.jsonl"):
        out.append(story_from_text(row["id"], row["article"]))
        if "title" in row:
            out.append(story_from_text(row["id"], row["article"], row["title"]))
        else:
            lead = sentences_of(out[-1])[0].text
            out.append(story_from_text(row["id"] + "-lead", row["article"], lead))
    return out


STORIES = stories()
_EDGE = "\"'“”‘’()[]{},;:.!?…-–—"


def whole_words(headline: str, source: str) -> bool:
    """Every word of `headline` is a whole word of `source` (the last may be cut before "…")."""
    known = {w.strip(_EDGE) for w in re.split(r"[\s()\[\]]+", source.lower())}
    words = [w.strip(_EDGE) for w in re.split(r"[\s()\[\]]+", headline.lower())]
    if headline.endswith("…") and len(words) == 1:
        return any(k.startswith(words[0]) for k in known)
    return all(w in known or not w for w in words)


def problems(headline: str, source: str) -> list[str]:
    """What is wrong with a headline's ending, length and links."""
    found = []
    last = headline.rstrip("…").split()[-1].strip(_EDGE).lower() if headline.strip() else ""
    if not last:
        found.append("empty")
    elif last in FUNCTION_WORDS:
        found.append(f"ends on the function word {last!r}")
    if len(headline) > HEADLINE_MAX:
        found.append(f"{len(headline)} characters")
    if not whole_words(headline, source):
        found.append("holds a cut word")
    for link in URL.findall(headline):
        if link.rstrip("…") not in source.split() or link.endswith("…"):
            found.append(f"holds a cut link {link!r}")
    return found


def source_of(story: Story) -> str:
    return "\n".join([story.title, story.text()])


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_no_headline_ends_on_a_function_word_a_cut_word_or_a_cut_link(story: Story) -> None:
    headline = summarize(story).headline
    assert problems(headline, source_of(story)) == [], headline


# The title an editor gave, and the shorter phrase of it that a 70-character subject shows.
LONG_TITLES = [
    (
        "Wichita, Kansas, high school students surprise principal with a new car after he lost "
        "his own in a fire",
        "Wichita, Kansas, high school students surprise principal",
    ),
    (
        "Man who climbed a fence last week at a White House event is charged, police say",
        "Man who climbed a fence last week at a White House event is charged",
    ),
    (
        "LONDON (Reuters) - Bank of England holds interest rates at record low amid worries",
        "Bank of England holds interest rates at record low amid worries",
    ),
    (
        "Scientists say the ancient manuscript (found in a cave in 1947) was written by one "
        "scribe | BBC News",
        "Scientists say the ancient manuscript was written by one scribe",
    ),
    (
        "Bukele Offers US Official Proposal to Incarcerate Violent Migrants; More Follows",
        "Bukele Offers US Official Proposal to Incarcerate Violent Migrants",
    ),
    (
        "Council approves the budget for the new riverside park and the playground near the "
        "old mill",
        "Council approves the budget for the new riverside park",
    ),
]


@pytest.mark.parametrize(("title", "expected"), LONG_TITLES)
def test_a_long_title_becomes_a_shorter_phrase_of_it_not_a_cut(title: str, expected: str) -> None:
    assert title_headline(title, HEADLINE_MAX) == expected


def test_a_title_with_no_phrase_to_stop_at_is_cut_at_a_content_word_with_an_ellipsis() -> None:
    title = "Astronomers " + " ".join(["stars"] * 10) + " the " + " ".join(["galaxies"] * 10)
    headline = title_headline(title, HEADLINE_MAX)
    assert headline.endswith("stars…") and len(headline) <= HEADLINE_MAX


@pytest.mark.parametrize(
    "title",
    [
        "https://www.example.com/news/2024/12/01/a-long-article-slug-that-goes-on-and-on-for-ever",
        "www.example.org/" + "x" * 80,
        "example.com/" + "a/" * 40,
    ],
)
def test_a_title_that_is_a_link_is_never_cut_the_lead_sentence_gives_the_headline(
    title: str,
) -> None:
    text = "The council approved the new park budget on Monday. Work starts in May."
    story = story_from_text("link", text, title)
    headline = summarize(story).headline
    assert headline == "Council approved new park budget"
    assert title_headline(title, HEADLINE_MAX) == ""


def test_a_link_inside_a_long_title_stays_whole_or_goes() -> None:
    link = "https://example.com/reports/2024/annual-results-for-the-whole-group"
    title = f"Results are out at {link} for everyone to read"
    headline = title_headline(title, HEADLINE_MAX)
    assert link not in headline or headline.endswith(link)
    assert problems(headline, title) == []


def test_clip_never_ends_on_a_function_word_nor_cuts_a_link() -> None:
    assert clip("one two three of the", 12) == "one two…"
    assert clip("the of and to a an in on at by for with the of", 10) == ""
    assert clip("https://example.com/" + "a" * 80, 70) == ""
    assert clip("x" * 100, 70) == "x" * 69 + "…"


@pytest.mark.parametrize("text", ["Hello.", "Wow", "!!!", "🎉🎉🎉", "x" * 300, "東京", "The"])
def test_one_word_and_odd_articles_get_a_headline(text: str) -> None:
    headline = summarize(story_from_text("odd", text)).headline
    assert 0 < len(headline) <= HEADLINE_MAX


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_headline_from_any_sentence_is_short_and_whole_words(sentence: str) -> None:
    headline = headline_from(sentence, HEADLINE_MAX)
    assert len(headline) <= HEADLINE_MAX
    if headline and not headline.endswith("…"):
        assert whole_words(headline, sentence)


BY_SURNAME = [
    ("Lib Dem leader Charles Kennedy said voters", "Kennedy said", "Mr Kennedy spoke.", 2),
    ("French striker Bafetimbi Gomis is well", "Gomis is well", "Gomis was fine.", 3),
    ("Police arrested John Smith on Monday", "Police arrested Smith", "Smith denied it.", 3),
    ("Prince Charles wrote letters", "Prince Charles wrote", "Charles wrote.", 3),
    ("New York man says phone blew up", "New York man", "It was in New York.", 3),
]


@pytest.mark.parametrize(("sentence", "start", "body", "words"), BY_SURNAME)
def test_a_person_is_named_by_surname_when_the_story_does(
    sentence: str, start: str, body: str, words: int
) -> None:
    assert " ".join(by_surname(sentence.split(), body)[:words]) == start


def test_headline_words_are_all_in_the_lead_sentence_in_order() -> None:
    for story in STORIES:
        if story.title:
            continue
        summary = summarize(story)
        source = summary.sources.headline[0]
        words = re.findall(r"[\w'’%$£€.-]+", summary.headline.rstrip("…").lower())
        assert all(w in source.lower() for w in words), (summary.headline, source)


def _subject(headline: str) -> str:
    digest = make_digest()
    entry = digest.entries[0]
    summary = entry.summary.model_copy(update={"headline": headline})
    entries = (entry.model_copy(update={"summary": summary}), *digest.entries[1:])
    return subject_line(digest.model_copy(update={"entries": entries}), settings())


@pytest.mark.parametrize(
    ("headline", "subject"),
    [
        (
            "Wichita, Kansas, high school students surprise principal with a car he lost in fire",
            "Wichita, Kansas, high school students surprise principal with a car…",
        ),
        (
            "Police say the man who climbed a fence last week at a White House event at a gate",
            "Police say the man who climbed a fence last week at a White House…",
        ),
        (
            "Read it at https://example.com/reports/2024/annual-results-for-the-whole-group-now",
            "Read it…",
        ),
        ("Short enough to need no cut at all", "Short enough to need no cut at all"),
    ],
)
def test_a_subject_is_cut_only_when_unavoidable_at_a_content_word(
    headline: str, subject: str
) -> None:
    assert _subject(headline) == subject
    assert len(subject) <= 70


def test_every_summary_headline_is_a_subject_without_a_cut() -> None:
    for story in STORIES[:60]:
        headline = summarize(story).headline
        assert _subject(headline) == headline or headline.strip() == ""
