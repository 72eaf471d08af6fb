"""The extractive summarizer: limits, sources, coverage of every article, and determinism."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import BBC_SEEDS, example_story

from digest.models import Article
from digest.seeds import read_seed
from digest.summarize import BULLET_MAX, HEADLINE_MAX, TAGLINE_MAX, summarize
from digest.summarize.hashtags import camel_case
from digest.summarize.sentences import split_sentences
from digest.summarize.text import shorten

ALL_SEEDS = [example_story()] + [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith went to Washington. He left.", ["Mr. Smith went to Washington.", "He left."]),
        ("It rose 2.5% on Feb. 3. Shares fell.", ["It rose 2.5% on Feb. 3.", "Shares fell."]),
        ("J. K. Rowling wrote it. She is No. 2.", ["J. K. Rowling wrote it.", "She is No. 2."]),
        ('He said "No." Then he left.', ['He said "No."', "Then he left."]),
        ("The U.S. Secretary spoke. Really?", ["The U.S. Secretary spoke.", "Really?"]),
        ("Is it? Yes! (It is.) Done.", ["Is it?", "Yes!", "(It is.)", "Done."]),
        ("No terminal punctuation", ["No terminal punctuation"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("short", 10) == "short"
    cut = shorten("one two three four five", 12)
    assert cut == "one two…" and len(cut) <= 12


def test_camel_case() -> None:
    assert camel_case("el salvador") == "ElSalvador"
    assert camel_case("TimeWarner") == "TimeWarner"


@pytest.mark.parametrize("story", ALL_SEEDS, ids=lambda s: s.slug)
def test_limits_and_sources_on_every_seed(story) -> None:
    summary = summarize(story)
    assert 0 < len(summary.headline) <= HEADLINE_MAX
    assert 0 < len(summary.tagline) <= TAGLINE_MAX
    assert 3 <= len(summary.bullets) <= 5
    assert all(len(b) <= BULLET_MAX for b in summary.bullets)
    assert 1 <= len(summary.hashtags) <= 5
    assert all(re.fullmatch(r"[A-Za-z0-9]+", h) for h in summary.hashtags)
    text = story.text()
    assert len(summary.sources.bullets) == len(summary.bullets)
    for bullet, (source,) in zip(summary.bullets, summary.sources.bullets, strict=True):
        assert source in text
        assert source.startswith(bullet.removesuffix("…"))


def test_every_article_contributes_a_bullet() -> None:
    summary = summarize(example_story())
    story = example_story()
    for article in story.articles:
        body = " ".join(article.paragraphs)
        assert any(src in body for (src,) in summary.sources.bullets), article.label


def test_no_two_bullets_repeat_each_other() -> None:
    article = Article(
        label="Main",
        headline=None,
        line=1,
        paragraphs=(
            "The council approved the new park budget on Monday.",
            "On Monday the council approved the new park budget.",
            "Residents welcomed the decision.",
            "Work starts in spring.",
            "The park will have a playground.",
        ),
    )
    story = example_story().model_copy(update={"articles": (article,), "tagline": None})
    bullets = summarize(story).bullets
    assert sum("council approved" in b for b in bullets) == 1


def test_seed_headline_and_tagline_are_used_when_they_fit(tmp_path: Path) -> None:
    story = example_story()
    summary = summarize(story)
    assert summary.headline == "Bukele US Plan on Migrants"
    assert summary.sources.tagline == (story.tagline,)


def test_long_title_falls_back_and_is_never_cut_mid_word() -> None:
    title = "A very long title " * 10
    story = example_story().model_copy(update={"title": title.strip()})
    headline = summarize(story).headline
    assert len(headline) <= HEADLINE_MAX
    assert headline == story.articles[0].headline or headline.endswith("…")


def test_summaries_are_deterministic() -> None:
    story = example_story()
    assert summarize(story) == summarize(story)
