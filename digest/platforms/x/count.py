"""X's weighted length as the official JS twitter-text (3.1.0) computes it, on any text.

The Python port (twitter-text-parser) differs from the JS library in three ways, each worked
around here with a test in tests/test_platforms_x_count.py:
- line endings: the port turns CRLF and CR into LF before counting (`"a\\r\\nb"` is 3); the JS
  library counts what it is given (4). X's API itself stores CRLF as LF, so posts are written
  with LF only (`digest.render.social` normalises them) and both counts agree on what is sent;
- bare domains: the port validates a domain with Python's IDNA 2003 codec, which refuses a
  label mixing right-to-left and Latin letters or holding emoji tag characters, so
  `"مرحباexample.com"` has no URL (16 where X says 28). The JS library only checks that each
  label's punycode is 1-63 characters long (`idna.toAscii`), as `_valid_domain` does here;
- emoji: the port counts `©`, `®`, minimally-qualified sequences and Emoji 12 additions as one
  emoji each; the JS library finds only twemoji-parser 11.0.2's (`digest.platforms.x.emoji`).

twitter-text's URL pattern is imported (~400 ms) and run only for a text whose URLs
`digest.platforms.linkscan` cannot decide on its own.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from functools import cache
from typing import Any, TypedDict

from digest.platforms.linkscan import scan
from digest.platforms.x.emoji import emoji_spans
from digest.text import nfc

DEFAULT_PROTOCOL = "https://"
MAX_URL_LENGTH = 4096  # in UTF-16 code units, as JavaScript counts
MAX_TCO_SLUG_LENGTH = 40
MAX_LABEL = 63  # a DNS label's most characters, punycode-encoded


class UrlEntity(TypedDict):
    url: str
    indices: list[int]  # code points, [start, end)


def _punycode(label: str) -> str:
    """The ASCII form of one label, as the JS `punycode.toASCII` writes it."""
    label = _code_points(label)
    if all(ord(c) <= 0x7E for c in label):
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


def _valid_domain(domain: str) -> bool:
    """twitter-text JS `idna.toAscii`: no bare non-ASCII after "xn--", labels 1-63 long."""
    from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain

    if domain[:4].lower() == "xn--" and not valid_ascii_domain.search(domain):
        return False
    return all(1 <= len(_punycode(label)) <= MAX_LABEL for label in domain.split("."))


def _valid_url(url: str, protocol: str, domain: str) -> bool:
    return _valid_domain(domain) and len(protocol) + len(url) <= MAX_URL_LENGTH  # UTF-16 units


def _js_string(text: str) -> str:
    """`text` as JavaScript holds it: each astral character as its two UTF-16 surrogates.

    The JS library's patterns run over UTF-16 code units, so a surrogate can stand alone: the
    high one as the character before a domain, the low one inside it ("@🤏-example.com" holds
    the URL "-example.com"). Running the same patterns over this form finds what JS finds.
    """
    if text.isascii() or max(text) < "\U00010000":
        return text
    return "".join(c if c < "\U00010000" else _pair(c) for c in text)


def _pair(char: str) -> str:
    code = ord(char) - 0x10000
    return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))


def _code_points(units: str) -> str:
    """Surrogate pairs joined again (a lone surrogate stays as it is)."""
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def extract_urls_with_indices(text: str, without_protocol: bool = True) -> list[UrlEntity]:
    """The URLs X finds in `text`, with their code point spans (JS `extractUrlsWithIndices`)."""
    if without_protocol and (spans := scan(text)) is not None:
        return [{"url": text[start:end], "indices": [start, end]} for start, end in spans]
    return reference_urls(text, without_protocol)


def reference_urls(text: str, without_protocol: bool = True) -> list[UrlEntity]:
    """`extract_urls_with_indices` by twitter-text's own pattern, always."""
    units = _js_string(text)
    found = _extract(units, without_protocol)
    if units is text:
        return found
    point = _unit_to_point(text)
    return [
        {"url": _code_points(u["url"]), "indices": [point(u["indices"][0]), point(u["indices"][1])]}
        for u in found
    ]


def _unit_to_point(text: str) -> Callable[[int], int]:
    """A UTF-16 offset of `text` as a code point offset (inside a pair: the pair's end)."""
    starts = _point_to_unit(text)
    return lambda unit: bisect.bisect_left(starts, unit)


def _extract(text: str, without_protocol: bool) -> list[UrlEntity]:
    if not text or ("." not in text if without_protocol else ":" not in text):
        return []
    from twitter_text.regexp.extract_url import extract_url
    from twitter_text.regexp.invalid_url_without_protocol_preceding_chars import (
        invalid_url_without_protocol_preceding_chars,
    )
    from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain
    from twitter_text.regexp.valid_tco_url import valid_tco_url

    urls: list[UrlEntity] = []
    for match in extract_url.finditer(text):
        _, before, url, protocol, domain, _, path, _ = match.groups()
        end = match.end()
        start = end - len(url)
        if not _valid_url(url, protocol or DEFAULT_PROTOCOL, domain):
            continue
        if protocol:
            tco = valid_tco_url.search(url)
            if tco:
                if tco.group(1) and len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                url, end = tco.group(0), start + len(tco.group(0))
            urls.append({"url": url, "indices": [start, end]})
            continue
        if not without_protocol or invalid_url_without_protocol_preceding_chars.search(before):
            continue
        found: list[UrlEntity] = []
        ascii_end = 0
        for ascii_domain in (m.group() for m in valid_ascii_domain.finditer(domain)):
            # JS finds where it is with indexOf: its first place from the last end on
            ascii_start = domain.find(ascii_domain, ascii_end)
            ascii_end = ascii_start + len(ascii_domain)
            found.append({"url": ascii_domain, "indices": [start + ascii_start, start + ascii_end]})
        if not found:
            continue  # no ASCII-only domain: no URL at all
        if path:  # the last domain takes the path and query with it
            found[-1]["url"] = url.replace(domain, found[-1]["url"], 1)
            found[-1]["indices"][1] = end
        urls += found
    return urls


def weighted_length(text: str, options: dict[str, Any]) -> int:
    """`parseTweet(text).weightedLength`, scaled, by the JS library's own walk over UTF-16 units.

    A URL found at a unit counts the URL length and skips as many units as the URL's text is
    long; an emoji counts the default weight; any other character (a surrogate pair once) the
    weight of its range, looked up, as JS does, by the unit `charAt` gives.
    """
    text = nfc(text)
    units = _js_string(text)
    url_weight = int(options["transformed_url_length"]) * int(options["scale"])
    entities = {start: (size, url_weight) for start, size in reversed(_url_units(text, units))}
    if options.get("emoji_parsing_enabled") and not text.isascii():
        default = int(options["default_weight"])
        spans = emoji_spans(text)
        if units is not text:  # else every code point is one unit
            unit_of = _point_to_unit(text)
            spans = [(unit_of[start], unit_of[end]) for start, end in spans]
        for start, end in spans:
            entities.setdefault(start, (end - start, default))
    ranges = tuple((r["start"], r["end"], r["weight"]) for r in options["ranges"])
    weight = _weigher(ranges, int(options["default_weight"]))
    if units is text:  # no surrogates: sum the stretches between entities
        stretch = _stretcher(ranges, int(options["default_weight"]))
        total, index = 0, 0
        for start in sorted(entities):
            if start >= index:  # else inside a URL or emoji already counted, never visited
                total += stretch(text[index:start]) + entities[start][1]
                index = start + entities[start][0]
        return total + stretch(text[index:])
    total, index, size = 0, 0, len(units)
    while index < size:
        entity = entities.get(index)
        if entity:
            total += entity[1]
            index += entity[0]
            continue
        if "\ud800" <= units[index] <= "\udbff" and index + 1 < size:
            index += "\udc00" <= units[index + 1] <= "\udfff"  # a pair: weighed by its second
        total += weight(units[index])
        index += 1
    return total


def prefix_weights(text: str, options: dict[str, Any]) -> tuple[list[int], set[int]] | None:
    """`weighted_length` of every prefix of `text` (index i: of `text[:i]`), and the indices
    inside a URL or emoji, where no prefix ends that X counts alone; None for a text not in
    NFC or with an astral character (the JS walk over UTF-16 units is another count).

    `weighted_length(text[a:b])` is `totals[b] - totals[a]` when neither is inside and each
    is an end of `text` or beside a space or line break: no URL or emoji crosses either, and
    one after either is found as at the start of a text (`digest.platforms.linkscan`).
    """
    if nfc(text) != text or _js_string(text) is not text:
        return None
    ranges = tuple((r["start"], r["end"], r["weight"]) for r in options["ranges"])
    default = int(options["default_weight"])
    weights = list(map(_weigher(ranges, default), text))
    url_weight = int(options["transformed_url_length"]) * int(options["scale"])
    entities = {start: (size, url_weight) for start, size in reversed(_url_units(text, text))}
    if options.get("emoji_parsing_enabled") and not text.isascii():
        for start, end in emoji_spans(text):
            entities.setdefault(start, (end - start, default))
    inside: set[int] = set()
    index = 0
    for start in sorted(entities):
        if start >= index:  # as weighted_length: an entity inside a counted one is not counted
            size, weight = entities[start]
            weights[start : start + size] = [weight] + [0] * (size - 1)
            inside.update(range(start + 1, start + size))
            index = start + size
    return [0, *itertools.accumulate(weights)], inside


def _url_units(text: str, units: str) -> list[tuple[int, int]]:
    """(start, length) in UTF-16 units of each URL in `text` (`units` is its JS form)."""
    spans = scan(text)
    if spans is None:
        return [(u["indices"][0], len(u["url"])) for u in _extract(units, True)]
    if units is text:
        return [(start, end - start) for start, end in spans]
    unit_of = _point_to_unit(text)  # the URLs scan finds are ASCII: as long in units
    return [(unit_of[start], end - start) for start, end in spans]


def _point_to_unit(text: str) -> list[int]:
    return [0, *itertools.accumulate(2 if c >= "\U00010000" else 1 for c in text)]


@cache
def _weigher(version: tuple[tuple[int, int, int], ...], default: int) -> Callable[[str], int]:
    @cache
    def weight(char: str) -> int:
        code = ord(char)
        return next((w for start, end, w in version if start <= code <= end), default)

    return weight


@cache
def _stretcher(version: tuple[tuple[int, int, int], ...], default: int) -> Callable[[str], int]:
    """The weight of a stretch of BMP text: its length at the ranges' weight, plus what the
    characters outside every range weigh more (one regex, not a call per character)."""
    weights = {w for _, _, w in version}
    if len(weights) != 1 or any(end > 0xFFFF for _, end, _ in version):
        weight = _weigher(version, default)
        return lambda stretch: sum(map(weight, stretch))
    (light,) = weights
    inside = "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end, _ in version)
    heavy = re.compile(f"[^{inside}]")
    return lambda stretch: len(stretch) * light + (default - light) * len(heavy.findall(stretch))
