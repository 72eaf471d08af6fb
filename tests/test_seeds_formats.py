"""The seed formats' small helpers, held to the slower code they replaced."""

from __future__ import annotations

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from digest.seeds.formats import clean

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def test_whitespace_is_what_the_regex_reads_as_whitespace() -> None:
    """`str.split` and `\\s` agree on every code point, so `clean` may use either."""
    regex_spaces = re.compile(r"\s")
    assert [chr(c) for c in range(sys.maxunicode + 1) if regex_spaces.match(chr(c))] == SPACES


@given(st.text(st.sampled_from([*SPACES, "a", "é", "語", "\u200b", "\ufeff", "-"]), max_size=40))
def test_clean_is_the_regex_it_replaced(text: str) -> None:
    assert clean(text) == re.sub(r"\s+", " ", text).strip()


@given(st.text())
def test_clean_is_the_regex_it_replaced_on_any_text(text: str) -> None:
    assert clean(text) == re.sub(r"\s+", " ", text).strip()
