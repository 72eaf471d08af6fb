"""The archive's feeds and sitemap: the newest issues as Atom 1.0 (RFC 4287) and JSON Feed 1.1,
each with its full content, and the site's pages as a sitemaps.org 0.9 list.

Every text from a batch is data: Atom and the sitemap are written by ElementTree, the entries'
HTML by its HTML serializer, JSON Feed by `json`; nothing is pasted into markup. XML 1.0 cannot
carry most C0 controls or a lone surrogate, so each text is put on one line without the control
characters first (`digest.text.one_line`), the same in all three formats. Nothing reads the clock:
a feed is as new as its newest issue, so the same issues give the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from digest import __version__
from digest.archive.model import Issue, StoryEntry
from digest.jsonfile import json_file
from digest.text import one_line
from digest.urls import normalize_url

FEED_ITEMS = 50  # the newest issues a feed carries
SITEMAP_MAX = 50_000  # URLs one sitemap may list (sitemaps.org)

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED = "https://jsonfeed.org/version/1.1"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# RFC 4287's atomLanguageTag (what xml:lang may hold); JSON Feed takes the same tags.
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# A feed without issues is as old as the Unix epoch: a fixed date, never the time of the run.
_NO_ISSUE = datetime(1970, 1, 1, tzinfo=UTC)
# RFC 4151's characters of a tag's specific part (pchar, "/" and "?"), besides unreserved.
_TAG_SAFE = "!$&'()*+,;=:@/?"


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says of itself: its name, the page it describes and its own URL."""

    title: str
    description: str
    site_url: str  # the HTML page the feed belongs to (rel=alternate, home_page_url)
    feed_url: str  # this feed's own absolute URL (rel=self, feed_url); also the Atom feed's id
    author: str
    lang: str


def entry_html(issue: Issue) -> str:
    """An issue's full content as an HTML fragment: per story its headline (a link to the story
    when it has a web URL), tagline and bullets; every text escaped, no style, no script."""
    parts = []
    for story in issue.stories:
        parts.extend(_story_html(story))
    return "\n".join(ET.tostring(part, encoding="unicode", method="html") for part in parts)


def _story_html(story: StoryEntry) -> list[ET.Element]:
    heading = ET.Element("h2")
    url = _story_link(story.url)
    if url is None:
        heading.text = one_line(story.headline)
    else:
        ET.SubElement(heading, "a", href=url).text = one_line(story.headline)
    parts = [heading]
    if one_line(story.tagline):
        tagline = ET.Element("p")
        tagline.text = one_line(story.tagline)
        parts.append(tagline)
    bullets = [one_line(b) for b in story.bullets if one_line(b)]
    if bullets:
        points = ET.Element("ul")
        for bullet in bullets:
            ET.SubElement(points, "li").text = bullet
        parts.append(points)
    return parts


def atom_feed(info: FeedInfo, issues: Sequence[Issue]) -> bytes:
    """The newest FEED_ITEMS of `issues` (given newest first) as an Atom 1.0 feed document."""
    host = _host(info)
    shown = list(issues[:FEED_ITEMS])
    feed = ET.Element("feed", {"xmlns": ATOM, **_lang(info.lang)})
    _text(feed, "id", one_line(info.feed_url))
    _text(feed, "title", one_line(info.title))
    if one_line(info.description):
        _text(feed, "subtitle", one_line(info.description))
    _text(feed, "updated", _instant(_newest(shown)))
    author = ET.SubElement(feed, "author")
    _text(author, "name", one_line(info.author) or one_line(info.title))
    _link(feed, "self", "application/atom+xml", info.feed_url)
    _link(feed, "alternate", "text/html", info.site_url)
    _text(feed, "generator", "digest").set("version", __version__)
    for issue in shown:
        entry = ET.SubElement(feed, "entry", _lang(issue.lang))
        _text(entry, "id", entry_id(host, issue))
        _text(entry, "title", one_line(issue.subject))
        _text(entry, "published", _instant(issue.utc))
        _text(entry, "updated", _instant(issue.utc))
        _link(entry, "alternate", "text/html", issue.url)
        summary = _summary(issue)
        if summary:
            _text(entry, "summary", summary)
        _text(entry, "content", entry_html(issue)).set("type", "html")
    return _xml(feed)


def json_feed(info: FeedInfo, issues: Sequence[Issue]) -> bytes:
    """The newest FEED_ITEMS of `issues` (given newest first) as a JSON Feed 1.1 document."""
    _host(info)
    feed: dict[str, object] = {
        "version": JSON_FEED,
        "title": one_line(info.title),
        "home_page_url": one_line(info.site_url),
        "feed_url": one_line(info.feed_url),
    }
    if one_line(info.description):
        feed["description"] = one_line(info.description)
    if _LANGUAGE.fullmatch(info.lang):
        feed["language"] = info.lang
    feed["authors"] = [{"name": one_line(info.author) or one_line(info.title)}]
    feed["items"] = [_item(issue) for issue in issues[:FEED_ITEMS]]
    return json_file(feed)


def _item(issue: Issue) -> dict[str, str]:
    item = {
        "id": issue.batch_id,
        "url": one_line(issue.url),
        "title": one_line(issue.subject),
        "content_html": entry_html(issue),
    }
    summary = _summary(issue)
    if summary:
        item["summary"] = summary
    item["date_published"] = _instant(issue.utc)
    if _LANGUAGE.fullmatch(issue.lang):
        item["language"] = issue.lang
    return item


def sitemap(urls: Sequence[tuple[str, datetime | None]]) -> bytes:
    """A sitemaps.org 0.9 urlset of `urls` (absolute http(s) URL, last change or None), in the
    order given, each URL once. ValueError when there is none or more than SITEMAP_MAX, or when
    one is not an absolute http(s) URL: no valid sitemap holds them."""
    seen: set[str] = set()
    urlset = ET.Element("urlset", xmlns=SITEMAP)
    for url, changed in urls:
        if _web_url(url) != url:
            raise ValueError(f"a sitemap lists absolute http(s) URLs, not {url[:80]!r}")
        if url in seen:
            continue
        seen.add(url)
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = url
        if changed is not None:
            ET.SubElement(entry, "lastmod").text = _instant(changed)
    if not 1 <= len(seen) <= SITEMAP_MAX:
        raise ValueError(f"a sitemap lists 1 to {SITEMAP_MAX} URLs, not {len(seen)}")
    return _xml(urlset)


def entry_id(host: str, issue: Issue) -> str:
    """The issue's Atom id: a tag URI (RFC 4151) of the site's host, its year and its batch id."""
    return f"tag:{host},{_utc(issue.utc).year:04d}:{quote(issue.batch_id, safe=_TAG_SAFE)}"


def _host(info: FeedInfo) -> str:
    """The host of the site the feed belongs to; ValueError unless both URLs are absolute."""
    for url in (info.site_url, info.feed_url):
        if _web_url(url) != url:
            raise ValueError(f"a feed's URLs are absolute http(s) URLs, not {url[:80]!r}")
    return (urlsplit(info.site_url).hostname or "").rstrip(".")


def _story_link(url: str | None) -> str | None:
    """A story's URL as the seeds' links are written (an ASCII http(s) URI of a public host),
    or None when it is no such link: a headline then has no link."""
    if url is None:
        return None
    try:
        return normalize_url(url)
    except ValueError:
        return None


def _web_url(url: str | None) -> str | None:
    """`url` on one line when it is an absolute http(s) URL with a host, else None."""
    if url is None:
        return None
    line = one_line(url)
    try:
        parts = urlsplit(line)
    except ValueError:  # e.g. an unclosed [ in the host
        return None
    return line if parts.scheme in ("http", "https") and parts.hostname else None


def _summary(issue: Issue) -> str:
    return one_line(issue.stories[0].tagline) if issue.stories else ""


def _newest(issues: Sequence[Issue]) -> datetime:
    return max((_utc(issue.utc) for issue in issues), default=_NO_ISSUE)


def _utc(instant: datetime) -> datetime:
    """`instant` in UTC; a naive one is taken as UTC, never as the machine's local time."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _instant(instant: datetime) -> str:
    """RFC 3339 in UTC to the second, e.g. 2026-12-01T08:00:00Z."""
    return _utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lang(lang: str) -> dict[str, str]:
    return {_XML_LANG: lang} if _LANGUAGE.fullmatch(lang) else {}


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = text
    return element


def _link(parent: ET.Element, rel: str, media_type: str, href: str) -> None:
    ET.SubElement(parent, "link", rel=rel, type=media_type, href=one_line(href))


def _xml(root: ET.Element) -> bytes:
    """`root` as an indented UTF-8 XML document, newline-ended. Its elements are unqualified
    and the root carries its format's namespace as a plain xmlns attribute: ElementTree's own
    default_namespace refuses the unqualified attributes (href, rel) both formats have."""
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"
