"""X counting equals the official JS twitter-text, case by case where the Python port differs.

Expected values were computed by twitter-text 3.1.0 (npm, with twemoji-parser 11.0.2) under
Node, outside the repository, and are committed here as data: the tests need no Node.
"""

from __future__ import annotations

import pytest
from twitter_text import extract_urls, parse_tweet

from digest.platforms import PLATFORMS
from digest.platforms.x.count import extract_urls_with_indices

FLAG = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # England: tag sequence

# (text, weightedLength, valid at 280, URLs) as twitter-text 3.1.0 (JS) answers.
JS = [
    ("a\r\nb", 4, True, []),
    ("a\rb", 3, True, []),
    ("a\nb", 3, True, []),
    ("a\r\n\r\nb", 6, True, []),
    ("\r\n\r\n\r\n", 6, True, []),
    ("©", 1, True, []),
    ("®", 1, True, []),
    ("©\ufe0f", 2, True, []),
    ("®\ufe0f", 2, True, []),
    ("™", 2, True, []),
    ("™\ufe0f", 2, True, []),
    ("© 2025 BBC", 10, True, []),
    ("‼", 2, True, []),
    ("♟\ufe0f", 2, True, []),
    ("שלוםexample.com", 27, True, ["example.com"]),
    ("مرحباexample.com", 28, True, ["example.com"]),
    ("مرحبا example.com", 29, True, ["example.com"]),
    ("Привет example.com", 30, True, ["example.com"]),
    ("Приветexample.com", 29, True, ["example.com"]),
    (FLAG + "example.com", 25, True, ["example.com"]),
    (FLAG + " example.com", 26, True, ["example.com"]),
    ("👍example.com", 25, True, ["example.com"]),
    ("日本語example.com", 29, True, ["example.com"]),
    ("ไทยexample.com", 26, True, ["example.com"]),
    ("@🤏-example.com", 26, True, ["-example.com"]),
    ("example.com1\ufe0f\u20e3🇫🇷\u200dexample.com/", 42, True, ["example.com/"]),
    ("-example.com", 12, True, []),
    ("_example.com", 12, True, []),
    ("xn--p1ai.com", 23, True, ["xn--p1ai.com"]),
    ("пример.рф", 9, True, []),
    ("https://пример.рф/путь", 23, True, ["https://пример.рф/путь"]),
    ("👱\u200d♂", 5, True, []),
    ("👱\u200d♂\ufe0f", 2, True, []),
    ("🤏", 2, True, []),
    ("🤏🏽", 4, True, []),
    ("🥲", 2, True, []),
    ("❤\ufe0f\u200d🔥", 5, True, []),
    ("👁\ufe0f\u200d🗨\ufe0f", 5, True, []),
    ("👁\u200d🗨", 2, True, []),
    ("#\u20e3", 2, True, []),
    ("#\ufe0f\u20e3", 2, True, []),
    ("1\ufe0f\u20e3", 2, True, []),
    ("⌚", 2, True, []),
    ("⌚\ufe0f", 2, True, []),
    ("🇫🇷", 2, True, []),
    ("🇺🇳🇺", 4, True, []),
    ("👨\u200d👩\u200d👧\u200d👧", 2, True, []),
    ("👍🏽", 2, True, []),
    ("\ufeffhello", 7, False, []),
    ("a\u202eb", 4, True, []),
    ("", 0, False, []),
    (" ", 1, True, []),
    ("e\u0301", 1, True, []),
    ("é" * 281, 281, False, []),
    ("https://t.co/" + "a" * 41, 54, True, []),
    ("https://t.co/abc", 23, True, ["https://t.co/abc"]),
    ("read https://example.org/a_(b) now", 32, True, ["https://example.org/a_(b)"]),
]


@pytest.mark.parametrize(("text", "length", "valid", "urls"), JS, ids=[repr(c[0])[:40] for c in JS])
def test_x_counts_as_the_js_twitter_text(
    text: str, length: int, valid: bool, urls: list[str]
) -> None:
    x = PLATFORMS["x"]
    assert x.measure(text) == length
    assert x.fits(text, 280) is valid
    assert [u["url"] for u in extract_urls_with_indices(text)] == urls
    for url in extract_urls_with_indices(text):  # spans are code points of `text`
        start, end = url["indices"]
        assert 0 <= start < end <= len(text)


def port_differs(text: str) -> bool:
    row = next(r for r in JS if r[0] == text)
    return (parse_tweet(text).weightedLength, extract_urls(text)) != (row[1], row[3])


def test_crlf_counts_two_as_in_js_not_one_as_in_the_port() -> None:
    assert port_differs("a\r\nb") and PLATFORMS["x"].measure("a\r\nb") == 4


def test_copyright_and_registered_count_one_unless_followed_by_fe0f() -> None:
    for text in ("©", "®", "© 2025 BBC"):
        assert port_differs(text)
    assert PLATFORMS["x"].measure("©\ufe0f®\ufe0f") == 4


@pytest.mark.parametrize("before", ["שלום", "مرحبا", FLAG, "@🤏-"])
def test_a_bare_domain_after_rtl_letters_or_an_emoji_tag_sequence_is_a_url(before: str) -> None:
    text = next(r[0] for r in JS if r[0].startswith(before) and "example.com" in r[0])
    assert port_differs(text)
    assert extract_urls_with_indices(text)[-1]["url"].endswith("example.com")


@pytest.mark.parametrize("text", ["👱\u200d♂", "🤏🏽", "👁\ufe0f\u200d🗨\ufe0f", "⌚\ufe0f"])
def test_emoji_are_those_twemoji_parser_11_finds(text: str) -> None:
    assert port_differs(text)
