"""Parse a fetched feed (RSS 0.9x/1.0/2.0 and Atom 1.0 with feedparser, JSON Feed 1.x with json)
into plain `FeedItem`s: absolute links, aware UTC dates, titles as plain text.

feedparser 6.0 reads no JSON Feed, so JSON Feed is read here. XML entity expansion stays inert:
expat refuses a billion laughs, feedparser's loose fallback keeps no DOCTYPE entity that is not
a plain string, and no external entity (file or URL) is ever read.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape as html_escape
from html import unescape
from html.parser import HTMLParser
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from digest.errors import DigestError

MAX_TITLE = 500


class FeedError(DigestError):
    """A body that is not a feed digest can read; `reason` is short, for logs and the journal."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed, in the feed's order.

    `title` is plain text: tags stripped (a script's or style's content dropped), entities
    decoded, whitespace collapsed; "" when the item has none. `html` is the item's fullest
    HTML (content:encoded, Atom content, JSON content_html, else the summary) as the feed gave
    it after feedparser's sanitising: still HTML, for seedfile.html_to_paragraphs. `link` and
    `image` are absolute http(s) URLs or None (a javascript: or relative-to-nothing link is
    dropped).
    """

    guid: str | None
    link: str | None
    title: str
    html: str
    text: str
    date: datetime | None
    author: str | None
    tags: tuple[str, ...]
    image: str | None
    image_alt: str | None


class _Text(HTMLParser):
    """HTML to its text, without the content of script and style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


_Reader = TypeVar("_Reader", bound=HTMLParser)
_MARKED = re.compile(r"<!\[(?!CDATA\[)")  # a marked section html.parser cannot read, but CDATA


def read_markup(make: Callable[[], _Reader], html: str) -> _Reader:
    """A parser from `make` fed `html`, whatever it holds. A `<![` that opens no marked section
    html.parser knows (`<![ x`, `<![if`) makes it raise (Python 3.11: AssertionError): in a
    feed's HTML that is text, so it is written `&lt;![`; markup it still cannot read is taken as
    text, its tags dropped, by a fresh parser."""
    parser = make()
    try:
        parser.feed(_MARKED.sub("&lt;![", html))
        parser.close()
    except (AssertionError, AttributeError, ValueError):  # html.parser's own failures
        parser = make()
        parser.feed(html_escape(unescape(re.sub(r"<[^>]*>?", " ", html)), quote=False))
        parser.close()
    return parser


def plain(html: str) -> str:
    """`html` (or text holding stray markup) as one line of plain text."""
    parser = read_markup(_Text, html)
    text = unescape("".join(parser.parts))
    return re.sub(r"\s+", " ", text).strip()[:MAX_TITLE]


def _web(url: object, base: str) -> str | None:
    """`url` made absolute against `base`, when it is an http(s) link with a host."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        absolute = urljoin(base, url.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # `http://[news.example.org/`: a bracketed host no URL can have
        return None
    return absolute


def parse_feed(body: bytes, url: str, content_type: str = "") -> tuple[str, list[FeedItem]]:
    """The feed's title and its items in feed order; FeedError when `body` is no feed."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if "json" in content_type.lower() or head == b"{":
        return _json_feed(body, url)
    return _xml_feed(body, url, content_type)


def _xml_feed(body: bytes, url: str, content_type: str) -> tuple[str, list[FeedItem]]:
    import feedparser  # heavy (sgmllib, sanitizer): only when a feed is parsed

    # No content-location: feedparser would resolve a permalink GUID against the feed's URL
    # (and change it when the feed moves); links and images are made absolute here instead.
    headers = {"content-type": content_type} if content_type else {}
    result = feedparser.parse(body, response_headers=headers, resolve_relative_uris=True)
    items = [_xml_item(entry, url) for entry in result.entries]
    items = [i for i in items if i.title or i.link or i.html.strip() or i.text.strip()]
    if not items and (result.get("bozo") or not result.get("version")):
        reason = result.get("bozo_exception") or "no RSS, Atom or JSON Feed found"
        raise FeedError(f"not a feed: {reason}")
    return plain(str(result.feed.get("title", ""))), items


def _xml_item(entry: Any, base: str) -> FeedItem:
    guid = entry.get("id") or None
    link = entry.get("link")
    if entry.get("guidislink") and link == guid and not _absolute(link):
        link = None  # a permalink GUID that is no URL: no link at all, not one made up
    link = _web(link, base)
    html, text = _xml_content(entry)
    image, alt = _xml_image(entry, link or base)
    alt = alt or _alt_in(html, image, link or base)
    author = _author(entry)
    tags = tuple(plain(str(t.get("label") or t.get("term") or "")) for t in entry.get("tags", []))
    return FeedItem(
        guid=str(guid) if guid else None,
        link=link,
        title=plain(str(entry.get("title", ""))),
        html=html,
        text=text,
        date=_xml_date(entry),
        author=plain(str(author)) if author else None,
        tags=tuple(t for t in tags if t),
        image=image,
        image_alt=alt,
    )


def _absolute(url: object) -> bool:
    return isinstance(url, str) and urlsplit(url.strip()).scheme in ("http", "https")


def _author(entry: Any) -> str | None:
    """The author's name; RSS writes `email (Name)`, and a bare email is no name."""
    raw = str(entry.get("author") or "").strip()
    named = re.fullmatch(r"\S+@\S+\s*\((.+)\)", raw)
    if named:
        return named.group(1)
    if raw and not re.fullmatch(r"\S+@\S+", raw):
        return raw
    detail = entry.get("author_detail") or {}
    name = detail.get("name")
    return name if isinstance(name, str) and name.strip() and "@" not in name else None


def _xml_content(entry: Any) -> tuple[str, str]:
    """(html, text): the fullest content, HTML or plain, else the summary."""
    for content in entry.get("content", []):
        value = str(content.get("value", ""))
        if value.strip() and "html" in str(content.get("type", "")):
            return value, ""
    for content in entry.get("content", []):
        if str(content.get("value", "")).strip():
            return "", str(content["value"])
    return str(entry.get("summary", "")), ""


def _xml_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key)  # the raw key: feedparser's own get warns of a fallback
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _xml_image(entry: Any, base: str) -> tuple[str | None, str | None]:
    """The item's image: an image enclosure, then media:content, then media:thumbnail."""
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/"):
            found = _web(enclosure.get("href"), base)
            if found:
                return found, None
    alt = plain(str(entry.get("media_description") or "")) or None
    for media in entry.get("media_content", []):
        is_image = media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
        found = _web(media.get("url"), base) if is_image else None
        if found:
            return found, alt
    for thumbnail in entry.get("media_thumbnail", []):
        found = _web(thumbnail.get("url"), base)
        if found:
            return found, alt
    return None, None


class _Images(HTMLParser):
    """Every `<img>` of an HTML fragment: its src and alt."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.found.append((values.get("src") or "", values.get("alt") or ""))


def _alt_in(html: str, image: str | None, base: str) -> str | None:
    """The alt text the item's own content gives `image` (feedparser keeps no media:description
    inside media:content, and enclosures and JSON Feed have none), or None."""
    if image is None or not html:
        return None
    for src, alt in read_markup(_Images, html).found:
        if alt.strip() and _web(src, base) == image:
            return plain(alt) or None
    return None


def _json_feed(body: bytes, url: str) -> tuple[str, list[FeedItem]]:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FeedError(f"not a feed: invalid JSON ({exc})") from None
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/1"):
        raise FeedError("not a feed: JSON without a JSON Feed version")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed: a JSON Feed without items")
    base = url
    return plain(str(data.get("title", ""))), [
        _json_item(item, base) for item in items if isinstance(item, dict)
    ]


def _string(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _json_item(item: dict[str, Any], base: str) -> FeedItem:
    raw_id = item.get("id")
    guid = str(raw_id) if isinstance(raw_id, str | int) and str(raw_id) else None
    link = _web(item.get("url"), base) or _web(item.get("external_url"), base)
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    names = (
        [a.get("name") for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    )
    author = next((n for n in names if isinstance(n, str) and n.strip()), None)
    tags = item["tags"] if isinstance(item.get("tags"), list) else []
    image = _web(item.get("image"), link or base) or _web(item.get("banner_image"), link or base)
    return FeedItem(
        guid=guid,
        link=link,
        title=plain(_string(item, "title")),
        html=_string(item, "content_html") or _string(item, "summary"),
        text=_string(item, "content_text"),
        date=_json_date(_string(item, "date_published") or _string(item, "date_modified")),
        author=plain(author) if author else None,
        tags=tuple(plain(t) for t in tags if isinstance(t, str) and plain(t)),
        image=image,
        image_alt=_alt_in(_string(item, "content_html"), image, link or base),
    )


def _json_date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # 9999-12-31T23:59:59-05:00 is past the last instant
        return None
