"""JSON files as the project writes them: indented by 2, UTF-8 as it is, a newline at the end.

`json_file(value)` is exactly `(json.dumps(value, indent=2, ensure_ascii=False) + "\\n").encode()`,
the same bytes or the same exception, but written by orjson in C: with an indent the standard
library writes JSON in pure Python, a few milliseconds for a batch's posts. orjson writes what
`json.dumps` writes for the values these files hold (str, int, bool, None, lists, tuples and
dicts with str keys, in the same key order, with the same escapes for `"`, `\\` and the control
characters, everything else as it is); for anything else (a float, a subclass, an int beyond
64 bits, a lone surrogate, a non-str key, a cycle, nesting past 255) `json.dumps` writes it.
tests/test_jsonfile.py holds both to the same bytes over arbitrary values.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_SCALARS = frozenset({str, int, bool, type(None)})


def json_file(value: Any, *, sort_keys: bool = False) -> bytes:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)` writes
    it, plus a newline, in UTF-8."""
    option = orjson.OPT_INDENT_2 | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        written = orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        written = None  # an int past 64 bits, a lone surrogate, a non-str key, a cycle...
    if written is None or not _plain(value):
        text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=sort_keys)
        return (text + "\n").encode()
    return written + b"\n"


def _plain(value: Any) -> bool:
    """Whether `value` holds only what orjson writes as `json.dumps` does: exact str, int,
    bool and None, in exact lists, tuples and dicts with str keys (no float: `1e-05`, `NaN`)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, inner in item.items():
                if type(key) is not str:
                    return False
                stack.append(inner)
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind not in _SCALARS:
            return False
    return True
