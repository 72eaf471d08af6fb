"""Numbered threads: where they split, that each part fits with its number, what never splits."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import regex
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from twitter_text import extract_urls_with_indices

from digest.channels import PLATFORM_NAMES
from digest.platforms import PLATFORMS
from digest.platforms.richtext import detect_facets
from digest.platforms.x.hashtags import extract_hashtags_with_indices
from digest.render.social.thread import (
    GRAPHEME,
    PARAGRAPH,
    SENTENCE,
    WORD,
    Cut,
    Places,
    split_thread,
)

FAMILY = "👨\u200d👩\u200d👧\u200d👧"
URL = "https://example.org/news/2026/11/28/a-rather-long-story-address?utm_source=digest&x=(1)"


def cut_points(text: str) -> list[Cut]:
    """Every place `text` may be split, in order, each with how good a place it is."""
    places = Places(text)
    return sorted([*places.cuts, *places.between_graphemes(0, len(text))], key=lambda c: c.end)


def within(limit: int) -> Callable[[str], bool]:
    return lambda text: len(text) <= limit


def bodies(parts: tuple[str, ...]) -> list[str]:
    """The parts without their numbers, after checking the numbers are 1/n…n/n."""
    total = len(parts)
    out = []
    for number, part in enumerate(parts, 1):
        body, label = part.rsplit("\n\n", 1)
        assert label == f"{number}/{total}"
        out.append(body)
    return out


def test_a_text_that_fits_is_one_post_without_a_number() -> None:
    assert split_thread("short", within(10), 4) == ("short",)


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    text = "First paragraph here.\n\nSecond one, a bit longer.\n\nThird."
    parts = split_thread(text, within(40), 4)
    assert parts is not None
    assert bodies(parts) == ["First paragraph here.", "Second one, a bit longer.\n\nThird."]
    assert all(len(p) <= 40 for p in parts)


def test_a_long_paragraph_splits_at_a_sentence_end_not_an_abbreviation() -> None:
    text = "The U.S. and Mr. Smith agreed on Monday. Talks go on in Geneva next week with many."
    parts = split_thread(text, within(60), 4)
    assert parts is not None
    assert bodies(parts) == [
        "The U.S. and Mr. Smith agreed on Monday.",
        "Talks go on in Geneva next week with many.",
    ]


def test_a_sentence_longer_than_a_part_splits_between_words() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    parts = split_thread(text, within(30), 5)
    assert parts is not None
    assert all(len(p) <= 30 for p in parts)
    assert " ".join(bodies(parts)) == text


def test_a_word_longer_than_a_part_splits_between_graphemes_and_cjk_at_sentence_ends() -> None:
    word = "e\u0301" * 30 + FAMILY * 3
    parts = split_thread(word, within(20), 8)
    assert parts is not None and "".join(bodies(parts)) == word
    assert all(regex.fullmatch(r"\X*", b) and not b.startswith("\u0301") for b in bodies(parts))
    japanese = "今日は晴れです。明日は雨が降るでしょう。週末は曇りです。"
    parts = split_thread(japanese, within(25), 4)
    assert parts is not None
    assert bodies(parts) == ["今日は晴れです。明日は雨が降るでしょう。", "週末は曇りです。"]


def test_links_and_hashtags_are_never_split() -> None:
    text = f"Read {URL} now #VeryLongHashtagForTesting @someone@example.social ok"
    cuts = {c.end for c in cut_points(text)} | {c.start for c in cut_points(text)}
    for atom in (URL, "#VeryLongHashtagForTesting", "@someone@example.social"):
        start = text.index(atom)
        assert not any(start < cut < start + len(atom) for cut in cuts), atom
    parts = split_thread(text, within(len(URL) + 10), 4)
    assert parts is not None and any(URL in p for p in parts)


def test_cut_points_are_ranked() -> None:
    text = "Aa bb. Cc\n\nDd"
    levels = {text[c.end - 1 : c.start + 1]: c.level for c in cut_points(text) if c.level}
    assert levels == {"a b": WORD, ". C": SENTENCE, "c\n\nD": PARAGRAPH}
    assert {c.level for c in cut_points("abc")} == {GRAPHEME}


def test_none_when_it_takes_more_parts_than_allowed_or_a_link_is_longer_than_a_part() -> None:
    text = " ".join(["word"] * 40)
    assert split_thread(text, within(30), 3) is None
    assert split_thread(f"see {URL}", within(40), 5) is None


def test_the_numbers_width_is_reserved_before_splitting() -> None:
    # Four words a part would leave room for "1/9" but make 15 parts, and "15/15" does not fit:
    # so each part leaves room for two digits and holds three words.
    text = " ".join(f"w{n:02d}" for n in range(60))
    parts = split_thread(text, within(20), 25)
    assert parts is not None and len(parts) == 20
    assert all(len(p) <= 20 for p in parts)
    assert parts[-1].endswith(f"{len(parts)}/{len(parts)}")


# ---- anything at all ----

PIECES = st.sampled_from(
    [
        "word", "Zürich", "e\u0301", "日本語。", "שלום", "مرحبا", FAMILY, "👍🏽", " ", "\n", "\n\n",
        "(", ")", "@", "#", "#Tag", "#日本", "@alice@example.social", URL, "example.com/a",
        "https://x.co", "\u200d", ". ", "! ", "…", "U.S. ",
    ]
)  # fmt: skip
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=5)), min_size=1, max_size=60).map("".join)


def unsplittable(text: str) -> list[tuple[int, int]]:
    """Links and hashtags as X and Bluesky find them, and anything after http(s)://."""
    spans = [tuple(u["indices"]) for u in extract_urls_with_indices(text)]
    spans += [e["indices"] for e in extract_hashtags_with_indices(text)]
    spans += [m.span() for m in re.finditer(r"https?://\S+|[#＃]\S+", text)]
    raw = text.encode("utf-8")
    for facet in detect_facets(text):
        start = len(raw[: facet["index"]["byteStart"]].decode("utf-8", "replace"))
        end = len(raw[: facet["index"]["byteEnd"]].decode("utf-8", "replace"))
        spans.append((start, end))
    return [(int(s), int(e)) for s, e in spans]


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, name=st.sampled_from(PLATFORM_NAMES), limit=st.integers(20, 400))
def test_every_part_fits_and_no_split_falls_inside_a_link_tag_or_grapheme(
    text: str, name: str, limit: int
) -> None:
    text = text.strip()
    platform = PLATFORMS[name]
    if not text:
        return
    parts = split_thread(text, lambda t: platform.fits(t, limit), 25)
    if parts is None:
        return  # a link, tag or grapheme longer than a part: the caller posts something shorter
    assert all(platform.fits(p, limit) for p in parts), parts
    if len(parts) == 1:
        assert parts == (text,)
        return
    boundaries = {m.end() for m in regex.finditer(r"\X", text)} | {0}
    atoms = unsplittable(text)
    position = 0
    for body in bodies(parts):
        start = text.index(body, position)
        assert not text[position:start].strip(), "text was lost between parts"
        for index in (start, start + len(body)):
            assert index in boundaries, (body, index)
            assert not any(s < index < e for s, e in atoms), (body, index)
        position = start + len(body)
    assert not text[position:].strip()


@pytest.mark.parametrize("name", PLATFORM_NAMES)
def test_platform_measures_are_used_as_they_count(name: str) -> None:
    platform = PLATFORMS[name]
    text = " ".join([FAMILY] * 50)  # X counts 2 each, Bluesky 1, Threads 25 bytes
    parts = split_thread(text, lambda t: platform.fits(t, 60), 50)
    assert parts is not None
    assert len(parts) > 1 and all(platform.fits(p, 60) for p in parts)
    assert sum(b.count(FAMILY) for b in bodies(parts)) == 50
