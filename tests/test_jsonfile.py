"""json_file writes exactly what `json.dumps(indent=2, ensure_ascii=False) + "\\n"` encodes to."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.jsonfile import json_file


def reference(value: Any, sort_keys: bool = False) -> bytes:
    """What the call sites wrote before json_file."""
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys) + "\n").encode()


def outcome(write: Any, value: Any, sort_keys: bool) -> tuple[str, Any]:
    """The bytes written, or the exception's type and message."""
    try:
        return ("bytes", write(value, sort_keys=sort_keys))
    except Exception as error:
        return (type(error).__name__, str(error))


class Colour(enum.IntEnum):
    RED = 1


class Label(str):
    pass


# Escaped characters, controls, separators, surrogates, non-characters, astral and combining.
EDGES = (
    '\x00\x1f\x7f\x80"\\/\b\f\n\r\t\u2028\u2029\ud800\udfff\ufeff\ufffe\uffff'
    "\U00010000\U0001f600\U0010ffffé\u0301"
)
# Every code point, with the edges weighted in.
CHARACTERS = st.one_of(
    st.characters(codec=None, categories=None),
    st.sampled_from(EDGES),
)
TEXT = st.text(CHARACTERS, max_size=12)
INTEGERS = st.one_of(
    st.integers(),
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**40]),
)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    INTEGERS,
    TEXT,
    FLOATS,
    st.sampled_from([Colour.RED, Label("label")]),
)
KEYS = st.one_of(TEXT, TEXT, INTEGERS, st.booleans(), st.none(), FLOATS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(TEXT, inner, max_size=5),
        st.dictionaries(KEYS, inner, max_size=4),
        st.dictionaries(TEXT, inner, max_size=3).map(OrderedDict),
    ),
    max_leaves=30,
)
# What the call sites hold: str keys, no floats (the fast path's own ground).
PLAIN = st.recursive(
    st.one_of(st.none(), st.booleans(), INTEGERS, TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None)
@given(VALUES, st.booleans())
def test_json_file_is_json_dumps_on_any_value(value: Any, sort_keys: bool) -> None:
    assert outcome(json_file, value, sort_keys) == outcome(reference, value, sort_keys)


@settings(max_examples=600, deadline=None)
@given(PLAIN, st.booleans())
def test_json_file_is_json_dumps_on_plain_values(value: Any, sort_keys: bool) -> None:
    assert outcome(json_file, value, sort_keys) == outcome(reference, value, sort_keys)


def test_keys_sort_by_code_point() -> None:
    value = {"\U00010000": 1, "\uffff": 2, "\ue000": 3, "é": 4, "a": 5, "Z": 6, "": 7, "ab": 8}
    assert json_file(value, sort_keys=True) == reference(value, sort_keys=True)


def test_edges() -> None:
    for value in (
        [],
        {},
        [[]],
        {"a": {}},
        [{"a": []}, [{}]],
        "".join(map(chr, range(0x80))),
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        [1e-05, 1e16, 0.1, -0.0, float("nan"), float("inf")],
        {1: "a", "1": "b"},
        2**64,
    ):
        assert json_file(value) == reference(value)


def test_refuses_what_json_dumps_refuses() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    deep: list[Any] = []
    for _ in range(300):  # deeper than orjson goes: json.dumps writes it
        deep = [deep]
    assert json_file(deep) == reference(deep)
    for value in (cycle, "\ud800", {"a": object()}, {"a": 1, 2: 3}):
        for sort_keys in (False, True):
            assert outcome(json_file, value, sort_keys) == outcome(reference, value, sort_keys)
