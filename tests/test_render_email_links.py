"""`safe_url`'s quick test for ASCII links refuses exactly what the per-character test refuses;
an ESP's merge tags are written raw only when they are the preset's own; the web version's link."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from support.esp import WEB, WEB_LINK, esp, with_email
from support.factories import settings, slot

from digest.config.email_links import ESPS, tag_of
from digest.render.email.links import _IGNORED, _unprintable, safe_url, web_link, written_link

EVERY_TAG = [
    (preset, role, tag)
    for preset, esp_ in ESPS.items()
    for role in ("unsubscribe", "preferences")
    for tag in getattr(esp_, role)
]


@pytest.mark.parametrize("code", range(128))
def test_an_ascii_character_is_refused_alike_both_ways(code: int) -> None:
    char = chr(code)
    slow = char.isspace() or unicodedata.category(char) in ("Cc", "Cf")
    assert bool(_IGNORED.search(char)) == slow == _unprintable(char)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("https://example.org/a b", None),
        ("https://example.org/a\x7f", None),
        ("https://example.org/\u200b", None),
        ("https://example.org/\xa0x", None),
        ("https://example.org/é", "https://example.org/%C3%A9"),
        (" https://example.org/ ", "https://example.org/"),
    ],
)
def test_links_with_spaces_or_controls_are_dropped(url: str, safe: str | None) -> None:
    assert safe_url(url) == safe


@pytest.mark.parametrize("preset", list(ESPS))
def test_only_the_presets_own_tags_are_written_raw(preset: str) -> None:
    email = esp(preset).email
    for tag in (*ESPS[preset].unsubscribe, *ESPS[preset].preferences):
        written = written_link(tag, email)
        assert isinstance(written, Markup) and written == tag
    for other, theirs in ESPS.items():
        for tag in (*theirs.unsubscribe, *theirs.preferences):
            if other != preset:
                assert written_link(tag, email) is None  # no URL either: dropped, never raw


def test_with_merge_tags_none_no_tag_is_written() -> None:
    email = esp("none").email
    assert all(written_link(tag, email) is None for _, _, tag in EVERY_TAG)
    assert written_link("https://example.org/u", email) == "https://example.org/u"
    assert not isinstance(written_link("https://example.org/u", email), Markup)


@given(st.text(max_size=40))
def test_no_other_text_is_ever_written_raw(value: str) -> None:
    written = written_link(value, esp("sendgrid").email)
    assert written is None or not isinstance(written, Markup) or tag_of(value, "sendgrid")


@pytest.mark.parametrize(
    ("pattern", "when", "link"),
    [
        (WEB, "2026-11-28T08:00", WEB_LINK),
        (WEB, "2027-01-02T19:30", "https://example.org/archive/2027-01-02/morning-1930/"),
        (
            "https://example.org/{schedule}/{date}/",
            "2026-03-29T01:30",
            "https://example.org/morning/2026-03-29/",
        ),
    ],
)
def test_the_web_link_is_the_batch_folder(pattern: str, when: str, link: str) -> None:
    assert web_link(with_email(web_url=pattern).email, slot(when=when)) == link
    assert web_link(settings().email, slot(when=when)) is None
