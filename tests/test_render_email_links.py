"""`safe_url`'s quick test for ASCII links refuses exactly what the per-character test refuses."""

from __future__ import annotations

import unicodedata

import pytest

from digest.render.email.links import _IGNORED, _unprintable, safe_url


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
