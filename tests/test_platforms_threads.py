"""Threads counts as Meta documents: 500 characters, emoji as UTF-8 bytes, five unique links.

Meta's posts page (developers.facebook.com/documentation/threads/posts, Limitations): "Text
posts are limited to 500 characters. Emojis are counted as the number of UTF-8 bytes." Its text
attachments page: "All unique URLs found in the text field are counted as links", at most five.
"""

from __future__ import annotations

import pytest
from support.factories import make_digest, settings

from digest.models import Entry
from digest.platforms import PLATFORMS
from digest.platforms.threads import threads_length, unique_links, valid_topic_tag
from digest.render.social import compose_posts
from digest.render.social.compose import topic_tag

THREADS = PLATFORMS["threads"]
FAMILY = "👨\u200d👩\u200d👧\u200d👧"  # one emoji of 7 code points, 25 UTF-8 bytes

# (text, count): characters one each, each emoji sequence its UTF-8 bytes.
TABLE = [
    ("مرحبا بالعالم", 13),  # Arabic: 13 characters (26 bytes)
    ("你好，世界", 5),  # Chinese: 5 characters (15 bytes)
    ("สวัสดีชาวโลก", 12),  # Thai: 12 code points, combining vowels included (36 bytes)
    ("Zürich", 6),
    ("e\u0301", 2),  # a letter and its accent: two characters
    ("😀", 4),
    (FAMILY, 25),
    ("🇫🇷", 8),  # a flag: two regional indicators, 4 bytes each
    ("1\ufe0f\u20e3", 7),  # a keycap: 1 + 3 + 3 bytes
    ("👍🏽", 8),
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 28),  # Scotland
    ("Hi 😀!", 8),
]


@pytest.mark.parametrize(("text", "count"), TABLE)
def test_characters_count_one_and_emoji_their_utf8_bytes(text: str, count: int) -> None:
    assert threads_length(text) == THREADS.measure(text) == count


def test_metas_limit_of_500_characters() -> None:
    assert THREADS.fits("a" * 500, 500) and not THREADS.fits("a" * 501, 500)
    assert THREADS.fits("ب" * 500, 500)  # 1000 bytes, 500 characters: Arabic keeps its room
    assert THREADS.fits("中" * 500, 500) and not THREADS.fits("中" * 501, 500)
    assert THREADS.fits("😀" * 125, 500) and not THREADS.fits("😀" * 125 + "a", 500)


def test_links_are_counted_as_unique_urls_at_most_five() -> None:
    # Meta's examples: www.instagram.com and www.threads.com in the text are two links
    assert unique_links("www.instagram.com and www.threads.com") == 2
    assert unique_links("www.facebook.com www.facebook.com") == 1
    six = " ".join(f"https://example.org/{n}" for n in range(6))
    assert not THREADS.fits(six, 500) and THREADS.fits(six.rsplit(" ", 1)[0], 500)
    assert THREADS.fits(" ".join(["https://example.org/same"] * 8), 500)  # one unique link


@pytest.mark.parametrize(
    ("tag", "valid"),
    [("ElSalvador", True), ("東京", True), ("القاهرة", True), ("กรุงเทพ", True),
     ("a" * 50, True), ("a" * 51, False), ("U.S", False), ("R&B", False), ("", False)],
)  # fmt: skip
def test_topic_tag_rule(tag: str, valid: bool) -> None:
    assert valid_topic_tag(tag) is valid and THREADS.accepts_tag(tag) is valid


@pytest.mark.parametrize("tag", ["東京", "القاهرة", "กรุงเทพ", "नमस्ते", "TiếngViệt"])
def test_one_topic_tag_where_a_tag_exists_in_any_script(tag: str) -> None:
    assert topic_tag(("R&B", tag, "Other"), THREADS.accepts_tag) == tag
    digest = make_digest()
    entry = digest.entries[0]
    summary = entry.summary.model_copy(update={"hashtags": (tag,)})
    posts = compose_posts(Entry(story=entry.story, summary=summary), "threads", digest, settings())
    assert posts[0].topic_tag == tag and all(p.topic_tag is None for p in posts[1:])


def test_an_arabic_post_keeps_the_key_points_mastodon_keeps() -> None:
    digest = make_digest()
    entry = digest.entries[0]
    arabic = "وقال الوزير إن الحكومة ستواصل العمل مع الشركاء الدوليين في هذا الملف المهم"
    summary = entry.summary.model_copy(
        update={"headline": "عنوان", "tagline": arabic, "bullets": (arabic,) * 4}
    )
    # No link: the key points alone must fill Threads' 500 characters past 500 bytes.
    update = {"title": "عنوان الخبر", "language": "ar", "url": None}
    story = entry.story.model_copy(update=update)
    one = Entry(story=story, summary=summary)
    (post,) = compose_posts(one, "threads", digest, settings())
    (toot,) = compose_posts(one, "mastodon", digest, settings())
    assert post.text.count("• ") == toot.text.count("• ") >= 3
    assert len(post.text.encode()) > 500 >= THREADS.measure(post.text)


def test_editors_read_the_unit_threads_counts() -> None:
    assert THREADS.unit == "characters (emoji as UTF-8 bytes)"
