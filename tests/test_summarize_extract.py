"""Bullets are sentences: compression keeps a main clause with its verb, nothing dangles."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.factories import BBC_SEEDS, NEWS, example_story

from digest.models import Story
from digest.seeds import read_seed, story_from_text
from digest.summarize import BULLET_MAX, summarize
from digest.summarize.compress import compress, fit, strip_dateline
from digest.summarize.extract import Sentence, bullet_text
from digest.summarize.text import FUNCTION_WORDS, bare
from digest.summarize.verbs import has_verb, is_sentence


def every_story() -> list[Story]:
    """The example seed, the 30 BBC seeds and the 80 news rows (titles hidden)."""
    out = [example_story()] + [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))]
    for name in ("cnn_highlights.jsonl", "bbc_titles.jsonl"):
        for line in (NEWS / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.append(story_from_text(row["id"], row["article"]))
    return out


STORIES = every_story()


def last_word(text: str) -> str:
    return bare(text.rstrip(".!?…\"'”’) ").split()[-1]) if text.strip(".!?… ") else ""


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_no_bullet_ends_on_a_function_word_and_each_keeps_its_verb(story: Story) -> None:
    summary = summarize(story)
    for bullet, (source,) in zip(summary.bullets, summary.sources.bullets, strict=True):
        assert last_word(bullet) not in FUNCTION_WORDS, bullet
        assert last_word(bullet), bullet
        if has_verb(strip_dateline(source)):
            assert has_verb(bullet), (bullet, source)


# Sentences whose compression once left a fragment, and what the bullet must not be.
FRAGMENTS = [
    (
        "Ed Balls, ex-chief economic adviser to the Treasury, said there would be no spending "
        "spree before polling day.",
        "Ed Balls, ex-chief economic adviser to the Treasury.",
    ),
    (
        "Jack Law, chief executive of Alcohol Focus Scotland, said Jack McConnell's comment was "
        '"ill-advised".',
        "Jack Law, chief executive of Alcohol Focus Scotland.",
    ),
    (
        "Currently, says Dr Paniccia, telecommunications equipment that amplifies the laser light "
        "that travels down fibre optic cables is very expensive because of the exotic materials, "
        "such as gallium arsenide, used to make it.",
        "Currently, says Dr Paniccia, telecommunications equipment that amplifies the laser light "
        "that travels down fibre optic cables is very expensive because of the exotic materials, "
        "such.",
    ),
    (
        "New figures indicate that about 11 million people have signed up for health insurance "
        "during this latest sign-up period of Obamacare, of which a large share are young people "
        "who will pay less than they feared.",
        "New figures indicate that about 11 million people have signed up for health insurance "
        "during this latest sign-up period of Obamacare, of.",
    ),
]


@pytest.mark.parametrize(("sentence", "fragment"), FRAGMENTS)
def test_a_compression_that_would_leave_a_fragment_keeps_the_sentence(
    sentence: str, fragment: str
) -> None:
    bullet = bullet_text(Sentence(0, 0, sentence, frozenset()), BULLET_MAX)
    assert bullet != fragment
    assert is_sentence(bullet), bullet
    assert len(bullet) <= BULLET_MAX


@pytest.mark.parametrize(
    ("clause", "kept"),
    [
        (", who redefined the art of preaching,", "Craddock died Friday in Blue Ridge, Georgia."),
        (", police said", "The man was arrested in Sumoto on Monday."),
    ],
)
def test_a_deletion_that_leaves_a_sentence_is_still_made(clause: str, kept: str) -> None:
    if clause.startswith(", who"):
        sentence = kept.replace("Craddock", "Craddock" + clause, 1)
    else:
        sentence = kept.rstrip(".") + clause + "."
    assert compress(sentence) == kept


def test_fit_never_stops_on_a_dangling_word() -> None:
    text = (
        "The equipment is very expensive because of the exotic materials, such as gallium "
        "arsenide and indium phosphide, used to make it, and that is why the laboratory has "
        "spent years looking for a cheaper way to do it in silicon."
    )
    for limit in range(60, 200, 7):
        cut = fit(text, limit)
        assert len(cut) <= limit
        assert last_word(cut) not in FUNCTION_WORDS, cut


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from("the a of such as cat sat on mat said , and was".split()), max_size=60)
)
def test_fit_of_any_word_string_ends_on_a_content_word_or_keeps_the_text(words: list[str]) -> None:
    text = " ".join(words)
    cut = fit(text, 40)
    assert len(cut) <= 40
    # Where the room holds a content word at all, the cut ends on one (the, the, the... cannot).
    room = text[:39].split()[:-1] if len(text) > 40 else text.split()
    if cut != text and cut and any(w.strip(",") and w not in FUNCTION_WORDS for w in room):
        assert last_word(cut) not in FUNCTION_WORDS, cut
