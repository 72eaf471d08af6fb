"""A part measured from the counts of its whole text fits exactly when measuring it says it fits.

`Platform.piecewise` answers for spans of words of one text; the reference is `fits` on the
span's own text, on adversarial text: links and e-mail addresses beside spaces and line breaks,
emoji, characters NFC composes, astral characters, X's invalid characters, other spaces.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from digest.platforms import PLATFORMS
from digest.render.social.thread import split_thread

WORDS = [
    *"abcXYZ019.,:/-_@#$()",
    "word",
    "said.",
    "U.S.",
    "example.com",
    "news.example.org/a-b",
    "https://news.example.org/story-1",
    "http://x.com/a(b)",
    "https://t.co/abc",
    "t.co/x",
    "tips@cnn.com",
    "@user@mastodon.social",
    "#Tag",
    "$TSLA",
    "“quoted”",
    "•",
    "—",
    "é",
    "e\u0301",
    "\u0301",
    "Å",
    "日本語。",
    "©",
    "👍",
    "👍🏽",
    "👨\u200d👩",
    "1\ufe0f\u20e3",
    "🇫🇷",
    "𝐀",
    "\ufeff",
    "\ufffe",
    "\u200d",
    "ᄀ",
    "ᅡ",
    "xn--p1ai.com",
    "مرحباexample.com",
]
JOINING = {"e\u0301", "\u0301", "👍🏽", "👨\u200d👩", "1\ufe0f\u20e3", "🇫🇷", "\u200d", "ᄀ", "ᅡ"}
SPACES = [" ", " ", " ", "\n", "\n\n", "  ", "\t", "\u00a0", "\u3000", "\r\n", " \n "]
TEXTS = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), max_size=25).map(
    lambda pairs: "".join(w + s for w, s in pairs).strip()
)
TAILS = st.sampled_from(["", "\n\n9/9", "\n\n99/99", " x", "\n\ufeff", "\n\n9/9 example.com"])
FUZZ = hypothesis_settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
THREADED = sorted(name for name, p in PLATFORMS.items() if p.threads)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Every span of whole words: no space at either end, each end beside a space or the end."""
    starts = [
        i for i in range(len(text)) if not text[i].isspace() and (i == 0 or text[i - 1].isspace())
    ]
    ends = [
        i
        for i in range(1, len(text) + 1)
        if not text[i - 1].isspace() and (i == len(text) or text[i].isspace())
    ]
    return [(a, b) for a in starts for b in ends if a < b]


@FUZZ
@given(TEXTS, st.sampled_from(THREADED), st.integers(1, 200), TAILS)
@example("a example.com b", "x", 30, "\n\n9/9")
@example("é e\u0301 𝐀", "x", 30, "")
@example("\ufeff a", "x", 30, "")
def test_piecewise_fits_as_measuring_the_part(text: str, name: str, limit: int, tail: str) -> None:
    platform = PLATFORMS[name]
    fits = platform.piecewise(text, limit)
    if fits is None:
        return
    for start, end in word_spans(text):
        answer = fits(start, end, tail)
        if answer is not None:
            assert answer == platform.fits(text[start:end] + tail, limit), (start, end)


@FUZZ
@given(TEXTS, st.sampled_from(THREADED), st.integers(20, 160), st.integers(2, 12))
def test_split_thread_is_the_same_with_piecewise_counts(
    text: str, name: str, limit: int, parts: int
) -> None:
    platform = PLATFORMS[name]

    def fits(t: str) -> bool:
        return platform.fits(t, limit)

    measured = split_thread(text, fits, parts)
    assert split_thread(text, fits, parts, lambda t: platform.piecewise(t, limit)) == measured


# Without characters that join graphemes (where every platform can answer), with many links.
PLAIN_WORDS = [w for w in WORDS if w not in JOINING] + [
    "one.com",
    "two.org",
    "three.net",
    "four.io",
    "five.de",
    "six.fr",
    "https://seven.com/a",
    "eight.co.uk",
]
PLAIN_TEXTS = st.lists(
    st.tuples(st.sampled_from(PLAIN_WORDS), st.sampled_from([" ", " ", "\n", "\n\n", "\t"])),
    max_size=30,
).map(lambda pairs: "".join(w + s for w, s in pairs).strip())


@FUZZ
@given(PLAIN_TEXTS, st.sampled_from(THREADED), TAILS)
def test_piecewise_fits_at_the_limit_of_each_part(text: str, name: str, tail: str) -> None:
    platform = PLATFORMS[name]
    for start, end in word_spans(text):
        part = text[start:end] + tail
        size = platform.measure(part)
        for limit in (size - 1, size, size + 1):
            fits = platform.piecewise(text, limit)
            answer = fits(start, end, tail) if fits else None
            if answer is not None:
                assert answer == platform.fits(part, limit), (start, end, limit)
