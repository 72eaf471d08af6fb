"""Posts carry no bidi controls and no invisible characters; emoji and scripts keep their joiners.

The text of every post is built from the summary in one place (`compose.story_parts`), which
cleans it once with `visible`; the email body and subject use the same cleaner. Both are
imported where a test uses them, so that each test fails on its own against code without them.
"""

from __future__ import annotations

import json

import pytest
import regex
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.factories import make_digest, settings

from digest.channels import PLATFORM_NAMES
from digest.models import Digest, Entry
from digest.render.social import compose_posts, envelope, render_social

FAMILY = "👨\u200d👩\u200d👧"  # one grapheme: three people joined by ZWJ
RAINBOW = "🏳\ufe0f\u200d🌈"
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
PERSIAN = "می\u200cخواهم"  # "I want", spelled with a ZWNJ
HINDI = "क्\u200dष"  # half form: virama + ZWJ
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u200b\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c\u2061\u3164\U000e0041\U000e0001"
FORBIDDEN = frozenset(BIDI + INVISIBLE)
DIGEST = make_digest()
CONFIG = settings()


def with_text(digest: Digest, **changes: object) -> Digest:
    entry = digest.entries[0]
    summary = entry.summary.model_copy(update=changes)
    story = entry.story  # posts open with the story's title: it carries the headline's text
    if "headline" in changes:
        story = story.model_copy(update={"title": changes["headline"]})
    return digest.model_copy(update={"entries": (Entry(story=story, summary=summary),)})


def all_post_text(digest: Digest) -> list[str]:
    """Every text field of every post's request, for each platform, as JSON would carry it."""
    found = []
    for file in render_social(digest, CONFIG):
        if file.path.endswith(".json"):
            found.append(json.dumps(json.loads(file.content), ensure_ascii=False))
    return found


@pytest.mark.parametrize("char", sorted(FORBIDDEN), ids=lambda c: f"U+{ord(c):04X}")
def test_a_forbidden_character_never_reaches_a_post(char: str) -> None:
    digest = with_text(
        DIGEST,
        headline=f"Bukele{char} plan{char}",
        tagline=f"{char}The US and El Salvador{char} talk.",
        bullets=(f"Talks{char} go on.", f"a{char}b"),
        hashtags=(f"El{char}Salvador", "Bukele"),
    )
    for text in all_post_text(digest):
        assert char not in text


@pytest.mark.parametrize(
    "kept", [FAMILY, RAINBOW, SCOTLAND, PERSIAN, HINDI, "👩🏽\u200d💻", "1\ufe0f\u20e3", "\u0600١"]
)
def test_joiners_an_emoji_or_a_script_needs_stay(kept: str) -> None:
    from digest.text import visible

    assert visible(kept) == kept
    digest = with_text(DIGEST, headline=f"News {kept} today", tagline=f"{kept}\u200b says")
    texts = all_post_text(digest)
    assert all(kept in text for text in texts)
    assert all("\u200b" not in text for text in texts)


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("a\u200db", "ab"),  # ZWJ between Latin letters joins nothing
        ("\u200dمی", "می"),  # a joiner at the start
        ("👨\u200d", "👨"),  # a joiner with nothing after it
        ("x\U000e0067\U000e007fy", "xy"),  # tag characters outside an emoji tag sequence
        ("Bud\u00adget", "Budget"),
        ("\u202eevil\u202c txt", "evil txt"),
    ],
)
def test_stray_joiners_and_tags_go(text: str, clean: str) -> None:
    from digest.text import visible

    assert visible(text) == clean


def test_a_title_of_only_invisible_characters_posts_the_summary_headline() -> None:
    entry = DIGEST.entries[0]
    story = entry.story.model_copy(update={"title": "\u200b\u2060\u202e"})
    digest = DIGEST.model_copy(update={"entries": (Entry(story=story, summary=entry.summary),)})
    posts = compose_posts(digest.entries[0], "mastodon", digest, CONFIG)
    assert posts[0].text.startswith(entry.summary.headline)
    assert posts[0].title == entry.summary.headline


SPRINKLE = st.sampled_from(sorted(FORBIDDEN))
WORD = st.one_of(
    st.sampled_from([FAMILY, RAINBOW, PERSIAN, HINDI, "Zürich", "news", " ", ". ", "日本"]),
    st.text(max_size=5),
)
TEXT = st.lists(st.one_of(WORD, SPRINKLE), min_size=1, max_size=25).map("".join)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headline=TEXT,
    tagline=TEXT,
    bullets=st.lists(TEXT, max_size=4),
    tags=st.lists(TEXT, max_size=3),
    name=st.sampled_from(PLATFORM_NAMES),
)
def test_no_post_ever_holds_a_forbidden_character_and_families_stay_whole(
    headline: str, tagline: str, bullets: list[str], tags: list[str], name: str
) -> None:
    headline = f"{headline} {FAMILY} end"
    digest = with_text(
        DIGEST, headline=headline, tagline=tagline, bullets=tuple(bullets), hashtags=tuple(tags)
    )
    posts = compose_posts(digest.entries[0], name, digest, CONFIG)
    for post in posts:
        request = json.dumps(envelope(name, post), ensure_ascii=False)
        assert not FORBIDDEN & set(request), request
        assert not FORBIDDEN & set(post.text + post.title + post.description)
    # Every emoji family is one grapheme before and after: never split into three people.
    from digest.render.social.compose import post_text

    assert families(post_text(headline)) == headline.count(FAMILY) >= 1
    for post in posts:
        assert families(post.text) == post.text.count(FAMILY)


def families(text: str) -> int:
    """The emoji families that sit whole inside one grapheme of `text`."""
    return sum(cluster.count(FAMILY) for cluster in regex.findall(r"\X", text))


# U+034F COMBINING GRAPHEME JOINER keeps two marks from being reordered (Hebrew points, a mark
# that must not merge with the next): it stays only there, in a run of combining marks.
@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Head\u034fline", "Headline"),
        ("\u034fParis", "Paris"),
        ("Paris\u034f", "Paris"),
        ("Paris \u034f news", "Paris  news"),
        ("a\u034f\u034fb", "ab"),
        ("\u034f\u0301x", "\u0301x"),  # nothing before it to keep apart
        ("a\u0301\u034f\u0300", "a\u0301\u034f\u0300"),  # keeps the marks in their order
        ("\u05d1\u05b8\u034f\u05b7", "\u05d1\u05b8\u034f\u05b7"),  # Hebrew: qamats, CGJ, patah
        ("e\u034f\u0301", "e\u034f\u0301"),  # the mark is not composed into é
    ],
)
def test_a_grapheme_joiner_stays_only_between_marks(text: str, clean: str) -> None:
    from digest.text import visible

    assert visible(text) == clean


def test_a_lone_grapheme_joiner_never_reaches_a_post() -> None:
    digest = with_text(DIGEST, headline="Bukele\u034f plan", tagline="The US\u034f talks.")
    for text in all_post_text(digest):
        assert "\u034f" not in text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Digest \u00ad", ["\u00ad"]),
        ("a\u200bb\u2060c", ["\u200b", "\u2060"]),
        (f"{PERSIAN} {FAMILY} \u0600١", []),
        ("\u202ex", ["\u202e"]),
    ],
)
def test_hidden_characters_are_those_visible_drops(text: str, hidden: list[str]) -> None:
    from digest.text import hidden_characters

    assert hidden_characters(text) == hidden


# ---- the title a post opens with ----

LONG_TITLES = [
    "Wichita, Kansas, high school students surprise principal with a gift they spent months "
    "planning after the school's fence was damaged in a storm last week at a game " * 3,
    "https://example.org/" + "a-very-long-path/" * 30,
    "Talks on #ClimateAction " + "and the many, many other things the summit will discuss " * 8,
    "東京で大規模な祭りが開催され、多くの観光客が訪れた。" * 20,
]


def first_lines(digest: Digest, name: str) -> list[tuple[str, str, str]]:
    """(title, summary headline, first line) of each story's first post on `name`."""
    out = []
    for entry in digest.entries:
        (first, *_) = compose_posts(entry, name, digest, CONFIG)
        out.append((entry.story.title, entry.summary.headline, first.text.split("\n")[0]))
    return out


def assert_whole_or_cut_well(title: str, headline: str, line: str) -> None:
    from digest.render.social.compose import FUNCTION_WORDS

    title = " ".join(title.split())
    if line == title:
        return
    if regex.fullmatch(r"https?://\S+", title) and line == headline:
        return  # a title that is one link longer than a post gives way to the headline
    assert line.endswith("…"), line
    kept = line[:-1]
    assert title.startswith(kept), (title, line)
    if " " in title and " " in kept:  # cut between words, never inside one
        assert title[len(kept) :][:1] in (" ", ",", ";", ":", ".", "-", "–", "—"), (title, line)
        last = kept.split()[-1].strip("\"'“”‘’()").casefold()
        assert last not in FUNCTION_WORDS, line
    for url in regex.findall(r"https?://\S+", title):
        assert url in line or url[:8] not in line  # a link is whole or absent


@pytest.mark.parametrize("name", PLATFORM_NAMES)
def test_posts_open_with_the_whole_title_or_a_clean_cut(name: str) -> None:
    from support.factories import BBC_SEEDS

    from digest.seeds import read_seed

    stories = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))]
    base = stories[0]
    stories += [
        base.model_copy(update={"title": t, "slug": f"long-{n}", "id": f"long-{n}-0"})
        for n, t in enumerate(LONG_TITLES)
    ]
    lines = first_lines(make_digest(stories), name)
    whole = 0
    for title, headline, line in lines:
        assert_whole_or_cut_well(title, headline, line)
        whole += line == " ".join(title.split())
    assert whole >= 30  # every BBC title fits whole on every platform


@pytest.mark.parametrize("name", PLATFORM_NAMES)
@pytest.mark.parametrize("edited", [True, False])
def test_an_editors_headline_opens_every_post_and_a_generated_one_gives_way_to_the_title(
    name: str, edited: bool
) -> None:
    entry = DIGEST.entries[0]
    headline = "Editor's own words for the lead"
    marks = ("headline",) if edited else ()
    summary = entry.summary.model_copy(update={"headline": headline, "edited": marks})
    digest = DIGEST.model_copy(update={"entries": (Entry(story=entry.story, summary=summary),)})
    posts = compose_posts(digest.entries[0], name, digest, CONFIG)
    opening = headline if edited else entry.story.title
    assert posts[0].text.replace("\\", "").startswith(opening), posts[0].text
