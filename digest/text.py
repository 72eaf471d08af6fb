"""Seed text as readers should get it, and the Unicode helpers every stage shares.

`graphemes` splits a text into what a reader sees as characters (extended grapheme clusters),
`nfc` composes it the way posts are sent, `one_line` and `without_controls` keep control
characters out of a line.

What readers cannot see, or what reorders what they see, goes: posts, the email body and the
subject all pass through `visible`. It drops bidi embeddings, overrides, isolates and marks (a
"Trojan Source" headline), zero-width spaces, word joiners, BOMs, soft hyphens, Hangul fillers,
lone tag characters and every other format character, but keeps those that are part of how a
language or an emoji is written: a zero width joiner inside an emoji sequence
(👨‍👩‍👧, 🏳️‍🌈), a joiner or non-joiner between letters of a script that uses them
(Persian می‌خواهم, Hindi क्‍ष), a combining grapheme joiner that keeps two combining marks apart
(Hebrew points), variation selectors, emoji tag sequences (the flag of Scotland) and the visible
prepended marks of Arabic numbers.
"""

from __future__ import annotations

import re
import unicodedata

import regex

ZWNJ, ZWJ, CGJ = "\u200c", "\u200d", "\u034f"
# Embeddings, overrides and isolates reorder the text around them; refused wherever text lands.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CANDIDATE = regex.compile(
    r"(?P<flag>\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F)"  # an emoji tag sequence, kept whole
    r"|[\p{Cf}\p{Default_Ignorable_Code_Point}]"
)
# Default-ignorable, yet how a script is written: variation selectors (emoji, CJK, Mongolian),
# and format characters that are visible (Arabic number signs) or structure a script (Egyptian
# hieroglyph controls).
_KEPT = regex.compile(
    r"[\uFE00-\uFE0F\U000E0100-\U000E01EF\u180B-\u180D\u180F"
    r"\p{Prepended_Concatenation_Mark}\U00013430-\U0001345F]"
)
# Scripts whose spelling uses ZWNJ/ZWJ between letters: Arabic-script languages (Persian, Urdu,
# Kurdish), Syriac, N'Ko, Mongolian, and the Brahmic scripts of South and South-East Asia.
_JOINING = regex.compile(
    r"[\p{sc=Arabic}\p{sc=Syriac}\p{sc=Nko}\p{sc=Mongolian}\p{sc=Devanagari}\p{sc=Bengali}"
    r"\p{sc=Gurmukhi}\p{sc=Gujarati}\p{sc=Oriya}\p{sc=Tamil}\p{sc=Telugu}\p{sc=Kannada}"
    r"\p{sc=Malayalam}\p{sc=Sinhala}\p{sc=Myanmar}\p{sc=Khmer}\p{sc=Tibetan}]"
)
_LETTER = regex.compile(r"[\p{L}\p{M}]")
_MARK = regex.compile(r"\p{M}")
_EMOJI_BEFORE_ZWJ = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\U000E007F]")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")
# Categories Cc, Cs, Zl and Zp and the two non-characters MRML cannot parse: each a space.
_BIDI_ANY = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # marks too
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff]")
_GRAPHEME = regex.compile(r"\X")
# A code point of any other Grapheme_Cluster_Break value than Other, Control or LF: only these
# can join their neighbours into a cluster (CR LF, marks, joiners, Hangul, Prepend, flags), so
# a text without one has as many clusters as code points.
_JOINS = regex.compile(r"[^\p{GCB=Other}\p{GCB=Control}\p{GCB=LF}]")


def visible(text: str) -> str:
    """`text` without invisible and bidi-control characters, keeping those a script needs."""
    return str(_CANDIDATE.sub(_keep_or_drop, text))


def hidden_characters(text: str) -> list[str]:
    """The characters of `text` that `visible` drops, in order."""
    return [str(m.group()) for m in _CANDIDATE.finditer(text) if not _keep_or_drop(m)]


def _keep_or_drop(match: regex.Match[str]) -> str:
    found = str(match.group())
    if match.group("flag") or _KEPT.fullmatch(found):
        return found
    if found in (ZWJ, ZWNJ) and _needed(match.string, match.start(), found):
        return found
    if found == CGJ and _between_marks(match.string, match.start()):
        return found
    return ""


def _between_marks(text: str, at: int) -> bool:
    """Whether the grapheme joiner at `at` follows a letter or mark and precedes a mark: there it
    keeps canonical ordering from moving the marks (Unicode 3.13, "CGJ"). Anywhere else it does
    nothing a reader could see."""
    before = text[at - 1] if at > 0 else CGJ
    after = text[at + 1] if at + 1 < len(text) else CGJ
    return CGJ not in (before, after) and bool(_LETTER.fullmatch(before) and _MARK.fullmatch(after))


def _needed(text: str, at: int, joiner: str) -> bool:
    """Whether the joiner at `at` joins an emoji sequence or two letters of a joining script."""
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    if not before or not after:
        return False
    if joiner == ZWJ and _EMOJI_BEFORE_ZWJ.fullmatch(before) and _EMOJI.fullmatch(after):
        return True
    in_script = bool(_JOINING.fullmatch(before)) or bool(_JOINING.fullmatch(after))
    return in_script and bool(_LETTER.fullmatch(before)) and bool(_LETTER.fullmatch(after))


def without_controls(text: str) -> str:
    """`text` as written, less its bidi controls and marks, each control character a space:
    for seed sentences quoted as they are (the sources of a summary)."""
    return _UNSAFE.sub(" ", _BIDI_ANY.sub("", text))


def one_line(value: str) -> str:
    """`value` on one line, without the control characters that break MJML or a header."""
    return " ".join(_UNSAFE.sub(" ", value).split())


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text`, in order: what a reader sees as characters."""
    clusters: list[str] = _GRAPHEME.findall(text)
    return clusters


def grapheme_count(text: str) -> int:
    """How many extended grapheme clusters `text` holds, as Bluesky and Mastodon count."""
    if not _JOINS.search(text):
        return len(text)
    return len(_GRAPHEME.findall(text))


def nfc(text: str) -> str:
    """`text` in Unicode normalisation form C (composed), the form posts are written in."""
    return unicodedata.normalize("NFC", text)
