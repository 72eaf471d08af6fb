"""The email's quick wrapping gives exactly `textwrap.wrap`'s lines."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.render.email.wrap import wrap

_WORDS = st.sampled_from(
    [
        *["a", "ab", "word", "x" * 71, "y" * 72, "z" * 73, "MS-13", "https://example.org/a-b?c=d"],
        *["\xa0", "\u2028", "\u3000", "é", "日本語", "👨\u200d👩\u200d👧", "\t", "\n", "\r\n", ""],
    ]
)
_TEXT = st.one_of(
    st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=40).map(" ".join),
    st.text(max_size=300),
)


@settings(max_examples=1500, deadline=None)
@given(
    text=_TEXT,
    width=st.sampled_from([72, 1, 2, 10, 40, 80]),
    indents=st.sampled_from([("", ""), ("- ", "  "), ("* ", ""), ("", "    ")]),
)
def test_the_lines_are_textwraps(text: str, width: int, indents: tuple[str, str]) -> None:
    first, then = indents
    wanted = textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=then,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert wrap(text, width, first, then) == wanted
