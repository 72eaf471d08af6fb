"""Plain-text wrapping as `textwrap.wrap` does it for the email (never inside a word), made
quick for text that is words with one space between them.

`textwrap` splits on ASCII whitespace, turns each into a space, and fits words greedily; with
`break_long_words` and `break_on_hyphens` off, that is: a word goes on the line if the line and
a space and the word fit in the width, else it starts the next line (alone, if it is longer
than the width). Text that is not words with single spaces (tabs, line breaks, runs of spaces,
a leading or trailing space, a "word" of only Unicode spaces, which textwrap drops at a line's
end) goes to `textwrap` itself. Both give the same lines (tests/test_render_email_wrap.py).
"""

from __future__ import annotations

import re
import textwrap

# What textwrap treats apart: its own whitespace but the single space, and runs of spaces.
_NOT_SIMPLE = re.compile(r"[\t\n\x0b\x0c\r]|  |^ | $")


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """`textwrap.wrap(text, width, initial_indent=..., subsequent_indent=...,
    break_long_words=False, break_on_hyphens=False)`."""
    words = text.split(" ")
    if _NOT_SIMPLE.search(text) or not all(word.strip() for word in words):
        return textwrap.wrap(
            text,
            width,
            initial_indent=initial_indent,
            subsequent_indent=subsequent_indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    if not text:
        return []
    lines: list[str] = []
    line, room = [words[0]], width - len(initial_indent) - len(words[0])
    for word in words[1:]:
        if len(word) < room:  # a space and the word fit
            line.append(word)
            room -= len(word) + 1
        else:
            lines.append((subsequent_indent if lines else initial_indent) + " ".join(line))
            line, room = [word], width - len(subsequent_indent) - len(word)
    lines.append((subsequent_indent if lines else initial_indent) + " ".join(line))
    return lines
