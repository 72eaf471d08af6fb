"""The links twitter-text would find in a text, decided without twitter-text where that is sure.

twitter-text's URL pattern is slow to import (~400 ms) and to run (pure-Python regex over the
whole text). Most posts hold nothing that could be a URL but the story link, alone between
spaces or line breaks, so `scan` answers for them and says None (ask twitter-text) otherwise:
- no URL can match across a space or line break (neither is a domain, path or query character),
  and one after either starts as it would at the start of the text;
- every URL's domain ends in "." and a top-level domain (or punycode "xn--") followed by no
  letter, digit, "@", "+" or "-": a word whose every "." is followed by something else (a space,
  a digit, a run of ASCII letters that is no TLD) holds no URL;
- a word that is exactly `http(s)://host/path` (ASCII host labels, a known TLD, path characters
  that are both twitter-text's path characters and path endings, or "." inside) is one URL,
  the whole word, as both the JS library and the Python port find it;
- a word that is a bare `host` or `host/path` of that kind (`_BARE`), in news text's punctuation,
  is one URL, the host and path without that punctuation (see `_bare`).
tests/test_platforms_fast.py checks `scan` against the reference on adversarial text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from digest.platforms.tlds import TOP_LEVEL_DOMAINS

_ASCII_TLDS = frozenset(t for t in TOP_LEVEL_DOMAINS if t.isascii())
_DOTTED = re.compile(r"[^ \n]*\.[^ \n]*")  # the words (between spaces and line breaks) with a dot
_AFTER_DOT = re.compile(r"\.([A-Za-z0-9-]*)(?=(.?))", re.DOTALL)  # every dot, even in ".."
_CLEAN = re.compile(
    r"https?://((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}))"
    r"(?:/(?:[A-Za-z0-9_/.~-]*[A-Za-z0-9_/-])?)?"
)
_DOMAIN_BEFORE = re.compile(r"[A-Za-z0-9._-]+\Z")
# A bare domain with an optional path, in the punctuation news puts around it: an opening
# bracket and a quote, then a possessive "'s" (ASCII only without a path: a path takes it) and
# closing marks, none of them a letter, digit, path ending or query ending.
_BARE = re.compile(
    r"[(\[]?(?P<quote>[\"'\u201c\u2018]?)"
    r"(?P<url>(?P<host>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63}))"
    r"(?P<path>/(?:[A-Za-z0-9_/.~-]*[A-Za-z0-9_/-])?)?)"
    r"(?(path)(?:\u2019s)?|(?:['\u2019]s)?)"
    r"[)\]\"'\u201d\u2019.,;:!?\u2026]*"
)
MAX_CLEAN = 2000  # far inside twitter-text's 4096 for a whole URL
MAX_HOST = 253

Spans = list[tuple[int, int]]


@lru_cache(maxsize=8192)
def _word(word: str, protocol_only: bool) -> tuple[tuple[int, int], ...] | None:
    """The URL spans inside one word (no space or line break in it), or None: undecided."""
    clean = _CLEAN.fullmatch(word)
    if clean and len(word) <= MAX_CLEAN:
        host, tld = clean.group(1), clean.group(2).lower()
        if (
            tld in _ASCII_TLDS
            and len(host) <= MAX_HOST
            and "xn--" not in host.lower()
            and host.lower() != "t.co"
        ):
            return ((0, len(word)),)
    if protocol_only and "://" not in word:
        return ()  # the port's protocol-only search keeps no URL without "http(s)://"
    bare = _bare(word)
    if bare:
        return (bare,)
    for match in _AFTER_DOT.finditer(word):
        run, after = match.group(1), match.group(2)
        lowered = run.lower()
        if lowered.startswith("xn--") or (not after.isascii() and _letter(after)):
            return None  # punycode (no lookahead), or a TLD that may go on in other letters
        tld = lowered in _ASCII_TLDS and after not in ("@", "+")  # (there its lookahead refuses)
        if tld and not _after_at_sign(word, match.start()):
            return None
    return ()


def _bare(word: str) -> tuple[int, int] | None:
    """The span of the one URL in a `_BARE` word, or None (not such a word, or not sure).

    twitter-text finds that URL and nothing else in the word. Before the host, "(" "[" and "'"
    are punctuation: no domain starts at them, and each may come before a URL without protocol.
    A quote '"' "“" "‘" is a domain letter: after a space or bracket the domain starts at it
    (at the start of a text the quote comes before it), and the ASCII part kept is the host all
    the same; only the label length check sees the quote, so the first label must pass it in
    either reading (1-63 characters as punycode). After the host, nothing is a letter, digit,
    "@", "+" or "-" (the TLD ends there), and the closing marks hold no letter but a possessive's
    "s", so no domain goes on past them or starts in them; nor a port digit, path ending or
    query ending, so the path and query end where `_BARE`'s do (an ASCII "'s" after a path is
    taken into it: refused there).
    """
    match = _BARE.fullmatch(word)
    if not match or len(word) > MAX_CLEAN:
        return None
    host, quote = match.group("host").lower(), match.group("quote")
    if match.group("tld").lower() not in _ASCII_TLDS or len(host) > MAX_HOST or "xn--" in host:
        return None
    first = quote.replace("'", "") + host.split(".", 1)[0]  # "'" is punctuation, no letter
    if len(first if first.isascii() else "xn--" + first.encode("punycode").decode()) > 63:
        return None
    return match.span("url")


def _after_at_sign(word: str, dot: int) -> bool:
    """Whether the ASCII domain characters before `dot` follow an "@" (an e-mail address): no
    URL starts after "@", and one starting after "." "-" or "_" inside has no protocol, which
    twitter-text refuses after those."""
    stretch = _DOMAIN_BEFORE.search(word, 0, dot)
    return bool(stretch and stretch.start() > 0 and word[stretch.start() - 1] == "@")


def _letter(char: str) -> bool:
    """A letter or mark: what a non-ASCII TLD (or a case-folding of ASCII) is made of."""
    return unicodedata.category(char)[0] in "LM"


def scan(text: str, protocol_only: bool = False) -> Spans | None:
    """The `str` spans of the URLs in `text` as twitter-text finds them, in order; None when
    only twitter-text can say. `protocol_only`: only URLs with `http(s)://` (Mastodon's count)."""
    spans: Spans = []
    for match in _DOTTED.finditer(text):
        found = _word(match.group(), protocol_only)
        if found is None:
            return None
        start = match.start()
        spans += [(start + s, start + e) for s, e in found]
    return spans
