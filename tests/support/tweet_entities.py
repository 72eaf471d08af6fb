"""X's other entities as twitter-text finds them: mentions, lists, and its URL validity rule.

A test-only oracle for the conformance data (`extract.yml`, `validate.yml`): the product asks X
only whether a hashtag is one (`digest.platforms.x.hashtags`), and counts URLs with
`digest.platforms.x.count`. Written with Unicode properties where twitter-text lists ranges.
Indices are Python `str` indices (code points); `utf16_index` converts them for X's API.
"""

from __future__ import annotations

import regex
from twitter_text.regexp.latin_accent_chars import latin_accent_chars

from digest.platforms.x.hashtags import Entity

AT_SIGNS = "@＠"
_MENTION_OR_LIST = regex.compile(
    r"(^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
    rf"([{AT_SIGNS}])([a-zA-Z0-9_]{{1,20}})(/[a-zA-Z][a-zA-Z0-9_\-]{{0,24}})?",
    regex.DOTALL,
)
_MENTION_END = regex.compile(rf"[{AT_SIGNS}{latin_accent_chars.pattern}]|://")


def utf16_index(text: str, index: int) -> int:
    """A `str` index of `text` in UTF-16 code units, as X and JavaScript count."""
    return len(text[:index].encode("utf-16-le")) // 2


def extract_mentions_or_lists_with_indices(text: str) -> list[Entity]:
    """@screen_name and @screen_name/list entities, without "@", with their spans."""
    found: list[Entity] = []
    for match in _MENTION_OR_LIST.finditer(text):
        if _MENTION_END.match(text, match.end()):
            continue  # "@user@host", "@alicè", "@http://…" are no mentions
        start = match.start(2)
        found.append({"text": text[start + 1 : match.end()], "indices": (start, match.end())})
    return found


def extract_mentions_with_indices(text: str) -> list[Entity]:
    """@screen_name mentions (not lists), without "@", with their spans."""
    return [e for e in extract_mentions_or_lists_with_indices(text) if "/" not in e["text"]]


def extract_mentions(text: str) -> list[str]:
    """The screen names mentioned in `text`, in order."""
    return [entity["text"] for entity in extract_mentions_with_indices(text)]


def is_valid_username(text: str) -> bool:
    """Whether `text` is exactly one @screen_name."""
    return extract_mentions(text) == [text[1:]] if text else False


def is_valid_list(text: str) -> bool:
    """Whether `text` is exactly one @screen_name/list, with nothing around it."""
    match = _MENTION_OR_LIST.fullmatch(text)
    return bool(match and match.group(1) == "" and match.group(4))


# RFC 3986 pieces, as strict as twitter-text's isValidUrl.
_UNRESERVED = r"[a-zA-Z\u0400-\u04ff0-9\-._~]"
_PCHAR = rf"(?:{_UNRESERVED}|%[0-9a-fA-F]{{2}}|[!$&'()*+,;=]|[:|@])"
_USERINFO = rf"(?:{_UNRESERVED}|%[0-9a-fA-F]{{2}}|[!$&'()*+,;=]|:)*"
_OCTET = r"(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
_IP = rf"(?:{_OCTET}(?:\.{_OCTET}){{3}}|\[[a-fA-F0-9:.]+\])"
_U = r"[^\x00-\x7f]"  # any non-ASCII character counts as a letter in an unencoded domain
_SUBDOMAIN = rf"(?:(?:[a-zA-Z0-9]|{_U})(?:(?:[a-zA-Z0-9_\-]|{_U})*(?:[a-zA-Z0-9]|{_U}))?)"
_LABEL = rf"(?:(?:[a-zA-Z0-9]|{_U})(?:(?:[a-zA-Z0-9\-]|{_U})*(?:[a-zA-Z0-9]|{_U}))?)"
_TLD = rf"(?:(?:[a-zA-Z]|{_U})(?:(?:[a-zA-Z0-9\-]|{_U})*(?:[a-zA-Z0-9]|{_U}))?)"
_AUTHORITY = regex.compile(
    rf"(?:{_USERINFO}@)?(?:{_IP}|(?:{_SUBDOMAIN}\.)*{_LABEL}\.{_TLD})(?::[0-9]{{1,5}})?"
)
_URL_PARTS = regex.compile(r"(?:([^:/?#]+)://)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?", regex.S)
_PATH = regex.compile(rf"(?:/{_PCHAR}*)*")
_QUERY = regex.compile(rf"(?:{_PCHAR}|/|\?)*")


def is_valid_url(url: str, require_protocol: bool = True) -> bool:
    """Whether `url` is a well-formed http(s) URL (unencoded international domains allowed)."""
    parts = _URL_PARTS.fullmatch(url) if url else None
    if not parts:
        return False
    scheme, authority, path, query, fragment = parts.groups()
    if require_protocol and not (scheme and regex.fullmatch(r"(?i)https?", scheme)):
        return False
    return bool(
        _AUTHORITY.fullmatch(authority)
        and _PATH.fullmatch(path)
        and (query is None or _QUERY.fullmatch(query))
        and (fragment is None or _QUERY.fullmatch(fragment))
    )
