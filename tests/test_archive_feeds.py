"""The archive's feeds and sitemap (digest.archive.feeds) against their published schemas.

Atom: `xmllint --relaxng` with RFC 4287's RELAX NG schema (tests/data/archive/atom.rng) plus the
two rules the schema carries as Schematron annotations, then feedparser (and digest's own feed
reader) read back the same entries. JSON Feed: SchemaStore's and jsonfeed-schema's JSON Schemas
for version 1.1, formats checked. Sitemap: sitemaps.org's XSD (`xmllint --schema`).

xmllint is Debian's libxml2-utils: without it the schema tests skip, and fail under
DIGEST_REQUIRE_XMLLINT=1, which CI (.ci/run) sets after installing it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest
from feedparser.html import _cp1252 as CP1252  # how feedparser reads C1 controls
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from support.archive import project_with_batches

from digest import __version__
from digest.archive.feeds import (
    FEED_ITEMS,
    SITEMAP_MAX,
    FeedInfo,
    atom_feed,
    entry_html,
    entry_id,
    json_feed,
    sitemap,
)
from digest.archive.issues import read_issues
from digest.archive.model import Issue, StoryEntry
from digest.sources.feed import parse_feed
from digest.text import one_line

SCHEMAS = Path(__file__).parent / "data" / "archive"
A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE = "https://example.org/archive/"
INFO = FeedInfo(
    title="The Morning Digest",
    description="Every issue, as it went out",
    site_url=BASE,
    feed_url=BASE + "feed.xml",
    author="Newsroom",
    lang="en",
)
FIRST = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


# --- factories -------------------------------------------------------------------------------


def story(n: int = 1, **fields: Any) -> StoryEntry:
    values: dict[str, Any] = {
        "slug": f"story-{n:04d}",
        "headline": f"Story number {n}",
        "tagline": f"What story {n} is about.",
        "bullets": (f"First point of {n}.", f"Second point of {n}."),
        "url": f"https://news.example.com/{n}",
    }
    values.update(fields)
    return StoryEntry(**values)


def issue(n: int = 0, *, schedule: str = "morning", **fields: Any) -> Issue:
    """The n-th issue of `schedule`, a day after the (n-1)-th, with two stories."""
    utc = FIRST + timedelta(days=n)
    folder = f"{utc:%Y-%m-%d}/{schedule}-0800"
    values: dict[str, Any] = {
        "batch_id": f"{schedule}@{utc:%Y-%m-%dT%H:%M:%SZ}",
        "schedule": schedule,
        "folder": folder,
        "local": utc.astimezone(timezone(timedelta(hours=1))),
        "utc": utc,
        "subject": f"Digest {utc:%d %B %Y}",
        "lang": "en",
        "stories": (story(2 * n + 1), story(2 * n + 2)),
        "email_html": "<html lang='en'><body>the email</body></html>",
        "way_out": frozenset({"https://example.org/unsubscribe"}),
        "web_link": f"{BASE}{folder}/",
        "page": f"{folder}/index.html",
        "url": f"{BASE}{folder}/",
        "fingerprint": "0" * 64,
    }
    values.update(fields)
    return Issue(**values)


def newest_first(count: int) -> list[Issue]:
    return [issue(n) for n in reversed(range(count))]


# --- validators ------------------------------------------------------------------------------


def xmllint() -> str:
    """The xmllint command, or a skip (a failure under DIGEST_REQUIRE_XMLLINT=1, as in CI)."""
    found = shutil.which("xmllint")
    if found:
        return found
    if os.environ.get("DIGEST_REQUIRE_XMLLINT") == "1":
        pytest.fail("xmllint is not installed; install it (apt-get install -y libxml2-utils)")
    pytest.skip("xmllint is not installed (CI installs libxml2-utils, DIGEST_REQUIRE_XMLLINT=1)")


def lint(document: bytes, *schema: str) -> subprocess.CompletedProcess[str]:
    """xmllint's verdict on `document` (read from stdin) with `schema` (its options)."""
    return subprocess.run(
        [xmllint(), "--noout", "--nonet", *schema, "-"],
        input=document.decode("utf-8"),
        capture_output=True,
        text=True,
        check=False,
    )


def assert_atom(document: bytes) -> ET.Element:
    """`document` is an RFC 4287 feed: the RELAX NG schema and its two Schematron rules."""
    verdict = lint(document, "--relaxng", str(SCHEMAS / "atom.rng"))
    assert verdict.returncode == 0, verdict.stderr
    root = ET.fromstring(document)
    entries = root.findall(f"{A}entry")
    # atom:feed must have an atom:author unless all of its atom:entry children have one.
    assert root.find(f"{A}author") is not None or all(
        e.find(f"{A}author") is not None for e in entries
    )
    # atom:entry must have a link with rel 'alternate' (or no rel), or an atom:content.
    for entry in entries:
        links = entry.findall(f"{A}link")
        alternate = any(link.get("rel", "alternate") == "alternate" for link in links)
        assert alternate or entry.find(f"{A}content") is not None
    return root


def assert_sitemap(document: bytes) -> None:
    verdict = lint(document, "--schema", str(SCHEMAS / "sitemap.xsd"))
    assert verdict.returncode == 0, verdict.stderr


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


# SchemaStore's feed.json refers to its version 1 schema as feed-1#/..., served beside it.
_REGISTRY = Registry().with_resource(
    "https://json.schemastore.org/feed-1",
    Resource.from_contents(_schema("schemastore-feed-1.json"), default_specification=DRAFT4),
)
JSON_SCHEMAS = {
    "schemastore": Draft4Validator(
        _schema("schemastore-feed.json"), registry=_REGISTRY, format_checker=FormatChecker()
    ),
    "jsonfeed-schema": Draft7Validator(
        _schema("jsonfeed-schema-v1.1.json"), format_checker=FormatChecker()
    ),
}


def json_errors(document: dict[str, Any]) -> dict[str, list[str]]:
    found = {name: [e.message for e in v.iter_errors(document)] for name, v in JSON_SCHEMAS.items()}
    return {name: errors for name, errors in found.items() if errors}


def assert_json_feed(document: bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(document)
    assert json_errors(parsed) == {}
    return parsed


def parsed_atom(document: bytes) -> Any:
    result = feedparser.parse(document)
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "atom10"
    return result


# --- Atom ------------------------------------------------------------------------------------

FEEDS = {
    "no issue yet": [],
    "one issue": [issue(0)],
    "a week": newest_first(7),
    "more than a feed holds": newest_first(FEED_ITEMS + 7),
    "a story without a link, tagline or bullets": [
        issue(0, stories=(story(1, url=None, tagline="", bullets=()),))
    ],
    "an issue without stories": [issue(0, stories=())],
    "languages, one no tag": [issue(1, lang="de-CH"), issue(0, lang="not a tag!")],
    "two schedules": [issue(1, schedule="evening"), issue(1), issue(0, schedule="evening")],
}


@pytest.mark.parametrize("issues", list(FEEDS.values()), ids=list(FEEDS))
def test_atom_feed_validates_against_rfc_4287(issues: list[Issue]) -> None:
    root = assert_atom(atom_feed(INFO, issues))
    assert len(root.findall(f"{A}entry")) == min(len(issues), FEED_ITEMS)


# Each way a feed can break RFC 4287: the validator must refuse it, or a pass proves nothing.
BROKEN = {
    "no feed id": lambda feed: feed.remove(feed.find(f"{A}id")),
    "no updated": lambda feed: feed.remove(feed.find(f"{A}updated")),
    "a date that is none": lambda feed: setattr(feed.find(f"{A}updated"), "text", "yesterday"),
    "an unknown text type": lambda feed: feed.find(f"{A}title").set("type", "markdown"),
    "two titles": lambda feed: ET.SubElement(feed, f"{A}title").set("type", "text"),
    "an entry without id": lambda feed: feed.find(f"{A}entry").remove(
        feed.find(f"{A}entry").find(f"{A}id")
    ),
    "a link without href": lambda feed: feed.find(f"{A}link").attrib.pop("href"),
    "a bad language tag": lambda feed: feed.set(XML_LANG, "en_GB"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_the_atom_schema_refuses_broken_feeds(case: str) -> None:
    feed = ET.fromstring(atom_feed(INFO, [issue(0)]))
    BROKEN[case](feed)
    verdict = lint(ET.tostring(feed, encoding="utf-8"), "--relaxng", str(SCHEMAS / "atom.rng"))
    assert verdict.returncode != 0, f"{case}: the schema accepted it"


def test_atom_feed_says_what_it_is() -> None:
    issues = newest_first(3)
    result = parsed_atom(atom_feed(INFO, issues))
    feed = result.feed
    assert feed.id == INFO.feed_url
    assert feed.title == INFO.title
    assert feed.subtitle == INFO.description
    assert feed.language == "en"
    assert feed.author == INFO.author
    assert {(link.rel, link.type, link.href) for link in feed.links} == {
        ("self", "application/atom+xml", INFO.feed_url),
        ("alternate", "text/html", INFO.site_url),
    }
    assert (feed.generator, feed.generator_detail.version) == ("digest", __version__)
    assert feed.updated == "2026-12-03T08:00:00Z"  # the newest issue's time, not the clock's


def test_atom_entries_parse_back_to_the_issues() -> None:
    issues = newest_first(4)
    result = parsed_atom(atom_feed(INFO, issues))
    assert len(result.entries) == len(issues)
    for entry, sent in zip(result.entries, issues, strict=True):
        assert entry.id == f"tag:example.org,2026:{sent.batch_id}"
        assert entry.title == sent.subject
        assert entry.link == sent.url
        assert [(link.rel, link.href) for link in entry.links] == [("alternate", sent.url)]
        assert entry.published == entry.updated == f"{sent.utc:%Y-%m-%dT%H:%M:%SZ}"
        assert entry.published_parsed[:6] == sent.utc.timetuple()[:6]
        assert entry.summary == sent.stories[0].tagline
        (content,) = entry.content
        assert (content.type, content.value) == ("text/html", entry_html(sent))


def test_the_feeds_take_the_newest_feed_items_in_order() -> None:
    issues = newest_first(FEED_ITEMS + 10)
    ids = [i.batch_id for i in issues[:FEED_ITEMS]]
    atom = parsed_atom(atom_feed(INFO, issues))
    assert [e.id.split(":", 2)[2] for e in atom.entries] == ids
    assert [item["id"] for item in assert_json_feed(json_feed(INFO, issues))["items"]] == ids
    assert atom.feed.updated == f"{issues[0].utc:%Y-%m-%dT%H:%M:%SZ}"


def test_a_feed_without_issues_is_valid_and_dated_by_no_clock() -> None:
    atom = atom_feed(INFO, [])
    root = assert_atom(atom)
    assert root.find(f"{A}updated").text == "1970-01-01T00:00:00Z"
    assert parsed_atom(atom).entries == []
    assert assert_json_feed(json_feed(INFO, []))["items"] == []


def test_updated_is_the_newest_issue_whatever_the_order() -> None:
    issues = [issue(2), issue(5), issue(1)]
    root = ET.fromstring(atom_feed(INFO, issues))
    assert root.find(f"{A}updated").text == f"{issue(5).utc:%Y-%m-%dT%H:%M:%SZ}"


def test_times_are_utc_whatever_offset_or_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """An aware time at any offset is written in UTC; a naive one is taken as UTC, never as
    the machine's local time (here New York's)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        utc = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
        same = [
            issue(0, utc=utc),
            issue(0, utc=utc.astimezone(timezone(timedelta(hours=-5)))),
            issue(0, utc=utc.replace(tzinfo=None)),
        ]
        written = {write(INFO, [i]) for i in same for write in (atom_feed, json_feed)}
    finally:
        monkeypatch.undo()
        time.tzset()
    assert len(written) == 2
    assert all(b"2026-12-01T07:30:00Z" in feed for feed in written)


ENTRY_IDS = {
    "the batch id under the host and the year": (
        issue(0),
        BASE,
        "tag:example.org,2026:morning@2026-12-01T08:00:00Z",
    ),
    "the UTC year, not the local one": (
        issue(
            0,
            utc=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
            local=datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
            batch_id="late@2026-12-31T23:30Z",
        ),
        BASE,
        "tag:example.org,2026:late@2026-12-31T23:30Z",
    ),
    "no port, no path, host lower-cased": (
        issue(0),
        "https://News.Example.ORG:8443/a/b/",
        "tag:news.example.org,2026:morning@2026-12-01T08:00:00Z",
    ),
    "characters a tag cannot hold are percent-encoded": (
        issue(0, batch_id="mañana weekly@2026-12-01T08:00:00Z"),
        BASE,
        "tag:example.org,2026:ma%C3%B1ana%20weekly@2026-12-01T08:00:00Z",
    ),
}


@pytest.mark.parametrize(
    ("sent", "site", "expected"), list(ENTRY_IDS.values()), ids=list(ENTRY_IDS)
)
def test_entry_ids_are_tag_uris_of_the_batch_id(sent: Issue, site: str, expected: str) -> None:
    info = replace(INFO, site_url=site)
    root = assert_atom(atom_feed(info, [sent]))
    assert root.find(f"{A}entry/{A}id").text == expected
    host = expected.split(":")[1].split(",")[0]
    assert entry_id(host, sent) == expected


def test_entry_ids_stay_when_the_issue_changes() -> None:
    """A rebuilt batch (new subject, stories, page) is the same entry: its id is its batch id."""
    before = issue(0)
    after = issue(0, subject="Corrected", stories=(story(9),), url=BASE + "x/", fingerprint="1")
    ids = [
        ET.fromstring(atom_feed(INFO, [i])).find(f"{A}entry/{A}id").text for i in (before, after)
    ]
    assert ids[0] == ids[1]
    assert [assert_json_feed(json_feed(INFO, [i]))["items"][0]["id"] for i in (before, after)] == [
        before.batch_id
    ] * 2


def test_languages_are_written_only_as_tags() -> None:
    issues = [issue(1, lang="ar"), issue(0, lang="en_US")]
    root = assert_atom(atom_feed(replace(INFO, lang=""), issues))
    assert XML_LANG not in root.attrib
    assert [e.get(XML_LANG) for e in root.findall(f"{A}entry")] == ["ar", None]
    parsed = assert_json_feed(json_feed(replace(INFO, lang=""), issues))
    assert "language" not in parsed
    assert [item.get("language") for item in parsed["items"]] == ["ar", None]


def test_an_empty_author_is_the_feed_title_and_an_empty_description_no_subtitle() -> None:
    info = replace(INFO, author=" ", description="")
    root = assert_atom(atom_feed(info, [issue(0)]))
    assert root.find(f"{A}author/{A}name").text == INFO.title
    assert root.find(f"{A}subtitle") is None
    parsed = assert_json_feed(json_feed(info, [issue(0)]))
    assert parsed["authors"] == [{"name": INFO.title}]
    assert "description" not in parsed


@pytest.mark.parametrize("field", ["site_url", "feed_url"], ids=["site_url", "feed_url"])
@pytest.mark.parametrize(
    "url", ["feed.xml", "/archive/feed.xml", "ftp://example.org/feed.xml", "https://", ""]
)
def test_a_feed_needs_absolute_urls(field: str, url: str) -> None:
    info = replace(INFO, **{field: url})
    for write in (atom_feed, json_feed):
        with pytest.raises(ValueError, match="absolute http"):
            write(info, [issue(0)])


# --- the entries' HTML -----------------------------------------------------------------------


class Tags(HTMLParser):
    """The tags, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(fragment: str) -> Tags:
    tags = Tags()
    tags.feed(fragment)
    tags.close()
    return tags


def test_entry_html_holds_every_story_in_order() -> None:
    sent = issue(0, stories=(story(1), story(2, url=None), story(3, tagline="", bullets=())))
    tags = read(entry_html(sent))
    assert tags.tags == ["h2", "a", "p", "ul", "li", "li", "h2", "p", "ul", "li", "li", "h2", "a"]
    assert tags.attributes == [
        ("href", "https://news.example.com/1"),
        ("href", "https://news.example.com/3"),
    ]
    assert [text for text in tags.text if text.strip()] == [
        "Story number 1", "What story 1 is about.", "First point of 1.", "Second point of 1.",
        "Story number 2", "What story 2 is about.", "First point of 2.", "Second point of 2.",
        "Story number 3",
    ]  # fmt: skip


LINKS = {
    "https": ("https://news.example.com/a?b=1&c=2", "https://news.example.com/a?b=1&c=2"),
    "http": ("http://news.example.com/", "http://news.example.com/"),
    "none": (None, None),
    "javascript": ("javascript:alert(1)", None),
    "data": ("data:text/html,<script>alert(1)</script>", None),
    "relative": ("/stories/1", None),
    "no host": ("https:///path", None),
    "mailto": ("mailto:editor@example.org", None),
    "quotes and brackets": ('https://x.example/"><script>', "https://x.example/%22%3E%3Cscript%3E"),
    "an IRI": (
        "https://Bücher.example/ข่าว",
        "https://xn--bcher-kva.example/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7",
    ),
    "a private host": ("https://10.0.0.1/story", None),
    "a bidi control": ("https://news.example.com/\u202etxt.exe", None),
    "a host no DNS name can be": ("HTTP://<", None),
}


@pytest.mark.parametrize(("url", "href"), list(LINKS.values()), ids=list(LINKS))
def test_a_headline_links_only_to_a_web_url(url: str | None, href: str | None) -> None:
    tags = read(entry_html(issue(0, stories=(story(1, url=url),))))
    assert tags.attributes == ([] if href is None else [("href", href)])
    assert "script" not in tags.tags


def test_entry_html_escapes_every_text() -> None:
    evil = '<script>alert("x")</script><style>*{}</style><img src=x onerror=alert(1)> &amp; ]]>'
    sent = issue(0, stories=(story(1, headline=evil, tagline=evil, bullets=(evil, evil)),))
    tags = read(entry_html(sent))
    assert set(tags.tags) == {"h2", "a", "p", "ul", "li"}
    assert [t for t in tags.text if t.strip()] == [evil] * 4


# --- JSON Feed -------------------------------------------------------------------------------


@pytest.mark.parametrize("issues", list(FEEDS.values()), ids=list(FEEDS))
def test_json_feed_validates_against_its_published_schemas(issues: list[Issue]) -> None:
    parsed = assert_json_feed(json_feed(INFO, issues))
    assert len(parsed["items"]) == min(len(issues), FEED_ITEMS)


BROKEN_JSON = {
    "no version": lambda feed: feed.pop("version"),
    "version 2": lambda feed: feed.update(version="https://jsonfeed.org/version/2"),
    "no title": lambda feed: feed.pop("title"),
    "a feed_url that is no URL": lambda feed: feed.update(feed_url="not a url"),
    "an item without id": lambda feed: feed["items"][0].pop("id"),
    "an item without content": lambda feed: feed["items"][0].pop("content_html"),
    "a date that is none": lambda feed: feed["items"][0].update(date_published="yesterday"),
    "an unknown key": lambda feed: feed["items"][0].update(body="x"),
}


@pytest.mark.parametrize("case", list(BROKEN_JSON))
def test_the_json_schemas_refuse_broken_feeds(case: str) -> None:
    feed = json.loads(json_feed(INFO, [issue(0)]))
    BROKEN_JSON[case](feed)
    assert json_errors(feed), f"{case}: every schema accepted it"


def test_json_feed_carries_the_issues() -> None:
    issues = newest_first(3)
    parsed = assert_json_feed(json_feed(INFO, issues))
    assert {k: v for k, v in parsed.items() if k != "items"} == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": INFO.title,
        "home_page_url": INFO.site_url,
        "feed_url": INFO.feed_url,
        "description": INFO.description,
        "language": "en",
        "authors": [{"name": INFO.author}],
    }
    assert parsed["items"] == [
        {
            "id": sent.batch_id,
            "url": sent.url,
            "title": sent.subject,
            "content_html": entry_html(sent),
            "summary": sent.stories[0].tagline,
            "date_published": f"{sent.utc:%Y-%m-%dT%H:%M:%SZ}",
            "language": "en",
        }
        for sent in issues
    ]


def test_json_feed_is_the_projects_json_file() -> None:
    written = json_feed(INFO, [issue(0)])
    assert (
        written == (json.dumps(json.loads(written), indent=2, ensure_ascii=False) + "\n").encode()
    )


def test_both_feeds_read_back_as_the_same_items() -> None:
    """digest's own feed reader (digest fetch) reads the same items from either feed."""
    issues = newest_first(3)
    _, atom = parse_feed(atom_feed(INFO, issues), INFO.feed_url, "application/atom+xml")
    _, json_items = parse_feed(json_feed(INFO, issues), INFO.feed_url, "application/feed+json")
    assert [replace(item, guid=None) for item in atom] == [
        replace(item, guid=None) for item in json_items
    ]
    assert [(item.link, item.title, item.date) for item in atom] == [
        (sent.url, sent.subject, sent.utc) for sent in issues
    ]


# --- sitemap ---------------------------------------------------------------------------------

SITEMAPS = {
    "the index only": [(BASE, None)],
    "pages and issues": [
        (BASE, FIRST + timedelta(days=2)),
        (BASE + "page/2/", FIRST),
        (BASE + "schedules/morning/", FIRST + timedelta(days=2)),
        (BASE + "2026-12-01/morning-0800/", FIRST),
        (BASE + "2026-12-02/morning-0800/", datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    ],
    "a query with & and an IRI path": [
        (BASE + "issue/?a=1&b=2", None),
        (BASE + "%C3%A9t%C3%A9/", FIRST),
    ],
}


@pytest.mark.parametrize("urls", list(SITEMAPS.values()), ids=list(SITEMAPS))
def test_sitemap_validates_against_sitemaps_org(urls: list[tuple[str, datetime | None]]) -> None:
    written = sitemap(urls)
    assert_sitemap(written)
    root = ET.fromstring(written)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    listed = [(u.findtext(f"{ns}loc"), u.findtext(f"{ns}lastmod")) for u in root]
    assert listed == [
        (url, None if when is None else f"{when:%Y-%m-%dT%H:%M:%SZ}") for url, when in urls
    ]


def test_sitemap_lists_each_url_once_in_the_order_given() -> None:
    written = sitemap([(BASE + "b/", None), (BASE, FIRST), (BASE + "b/", FIRST)])
    assert_sitemap(written)
    assert written.count(b"<loc>") == 2
    assert written.index(b"/b/</loc>") < written.index(b"archive/</loc>")


@pytest.mark.parametrize(
    ("urls", "phrase"),
    [
        ([], "1 to 50000 URLs, not 0"),
        ([("page/2/", None)], "absolute http"),
        ([("javascript:alert(1)", None)], "absolute http"),
        ([(BASE + "\n", None)], "absolute http"),
    ],
    ids=["none", "relative", "javascript", "a control character"],
)
def test_sitemap_refuses_what_no_sitemap_holds(
    urls: list[tuple[str, datetime | None]], phrase: str
) -> None:
    with pytest.raises(ValueError, match=phrase):
        sitemap(urls)


def test_sitemap_refuses_more_urls_than_one_sitemap_holds() -> None:
    urls = [(f"{BASE}{n}/", None) for n in range(SITEMAP_MAX + 1)]
    with pytest.raises(ValueError, match="not 50001"):
        sitemap(urls)
    assert_sitemap(sitemap(urls[:SITEMAP_MAX]))


def test_the_sitemap_schema_refuses_a_broken_sitemap() -> None:
    written = sitemap([(BASE, FIRST)])
    for broken in (
        written.replace(b"2026-12-01T08:00:00Z", b"yesterday"),
        written.replace(BASE.encode(), b"https://x"),  # under the XSD's 12 characters
        written.replace(b"<url>", b"<page>").replace(b"</url>", b"</page>"),
    ):
        assert lint(broken, "--schema", str(SCHEMAS / "sitemap.xsd")).returncode != 0


# --- determinism -----------------------------------------------------------------------------


def test_the_same_issues_give_the_same_bytes() -> None:
    """Built twice from equal (not identical) values: nothing depends on the run."""
    for write in (atom_feed, json_feed):
        assert write(INFO, newest_first(5)) == write(replace(INFO), newest_first(5))
    pages = [(BASE, FIRST), (BASE + "2026-12-01/morning-0800/", None)]
    assert sitemap(pages) == sitemap(list(pages))


# --- hostile text ----------------------------------------------------------------------------

# Markup, entities, CDATA ends, C0 and C1 controls, lone surrogates, non-characters, line and
# bidi controls, RTL scripts, astral emoji (a ZWJ sequence among them), template syntax.
# fmt: off
PIECES = [
    "<", ">", "&", "&amp;", "]]>", "<![CDATA[", '"', "'", "<script>alert(1)</script>",
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\ufffe",
    "\u2028", "\u202e", "\u200f", "مرحبا بالعالم", "שלום", "😀", "👩🏽‍💻", "𝕏",
    "\r\n", "\t", " ", "{{ 7*7 }}", "*|UNSUB|*",
]
# fmt: on
HOSTILE = st.one_of(
    st.text(),  # every code point but lone surrogates
    st.text(st.characters(categories=["Cc", "Cs", "Co", "Zl", "Zp"])),
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
)
HOSTILE_URL = st.one_of(
    st.none(),
    HOSTILE,
    st.builds(lambda path: "https://news.example.com/" + path, HOSTILE),
)


@st.composite
def hostile_issue(draw: st.DrawFn, n: int) -> Issue:
    stories = draw(
        st.lists(
            st.builds(
                StoryEntry,
                slug=st.just(f"story-{n}"),
                headline=HOSTILE,
                tagline=HOSTILE,
                bullets=st.lists(HOSTILE, max_size=3).map(tuple),
                url=HOSTILE_URL,
            ),
            max_size=3,
        )
    )
    return issue(n, subject=draw(HOSTILE), stories=tuple(stories), lang=draw(HOSTILE))


def as_feedparser_reads(text: str) -> str:
    """`text` as feedparser 6 gives it back from a UTF-8 feed: text that is all Latin-1 and
    makes UTF-8 bytes it takes for a common mistake and decodes again (`Â¡` reads `¡`), and C1
    controls it maps to windows-1252's characters (feedparser/mixin.py, pop). The feed holds
    the text as written: the JSON Feed and the validators read it so."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(CP1252)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 3000), max_size=3, unique=True).flatmap(
        lambda days: st.tuples(*(hostile_issue(n) for n in sorted(days, reverse=True)))
    ),
    st.builds(
        FeedInfo, HOSTILE, HOSTILE, st.just(BASE), st.just(BASE + "feed.xml"), HOSTILE, HOSTILE
    ),
)
def test_hostile_text_stays_text_in_every_format(issues: tuple[Issue, ...], info: FeedInfo) -> None:
    """Whatever a batch's texts hold, both feeds validate and read back to the same texts on
    one line, without the characters XML cannot carry; entries hold no script or style."""
    atom = atom_feed(info, issues)
    root = assert_atom(atom)
    # The feed holds each text as written (an XML reader's view); feedparser's, as it reads it.
    assert root.findtext(f"{A}title") == one_line(info.title)
    titles = [entry.findtext(f"{A}title") for entry in root.iter(f"{A}entry")]
    assert titles == [one_line(sent.subject) for sent in issues]
    result = parsed_atom(atom)
    assert result.feed.title == as_feedparser_reads(one_line(info.title))
    parsed = assert_json_feed(json_feed(info, issues))
    assert parsed["title"] == one_line(info.title)
    for entry, item, sent in zip(result.entries, parsed["items"], issues, strict=True):
        assert item["title"] == one_line(sent.subject)
        assert entry.title == as_feedparser_reads(item["title"])
        fragment = entry_html(sent)
        assert item["content_html"] == fragment
        assert entry.content[0].value == as_feedparser_reads(fragment)
        tags = read(fragment)
        assert set(tags.tags) <= {"h2", "a", "p", "ul", "li"}
        assert all(one_line(s.headline) in tags.text for s in sent.stories if one_line(s.headline))


def test_very_long_text_is_written_whole() -> None:
    long = "word " * 40_000 + "😀" * 10_000
    sent = issue(0, subject=long, stories=(story(1, headline=long, bullets=(long,) * 5),))
    result = parsed_atom(atom_feed(INFO, [sent]))
    assert_atom(atom_feed(INFO, [sent]))
    assert result.entries[0].title == one_line(long)
    assert assert_json_feed(json_feed(INFO, [sent]))["items"][0]["title"] == one_line(long)


# --- from real batches -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> list[Issue]:
    """The issues read_issues finds in an outbox the real pipeline published: two schedules,
    three days, story titles of markup, entities, a CDATA end, RTL and astral emoji."""
    settings = project_with_batches(
        tmp_path_factory.mktemp("archive"),
        days=3,
        schedules=("morning", "evening"),
        titles=[
            "Fish & <b>chips</b> ]]> rise",
            "שלום עולם: a headline in Hebrew",
            "Rockets 🚀 and 👩🏽‍💻 coders",
            "Quotes \"double\" and 'single'",
        ]
        + [f"Story number {n}" for n in range(5, 13)],
    )
    issues, skipped = read_issues(settings)
    assert (len(issues), skipped) == (6, [])
    return issues


def test_real_issues_make_valid_feeds_that_read_back(published: list[Issue]) -> None:
    info = replace(INFO, site_url=BASE, feed_url=BASE + "feed.xml")
    result = parsed_atom(atom_feed(info, published))
    assert_atom(atom_feed(info, published))
    parsed = assert_json_feed(json_feed(replace(info, feed_url=BASE + "feed.json"), published))
    for entry, item, sent in zip(result.entries, parsed["items"], published, strict=True):
        assert entry.id == f"tag:example.org,2026:{sent.batch_id}"
        assert item["id"] == sent.batch_id
        assert entry.title == item["title"] == sent.subject
        assert entry.link == item["url"] == sent.url
        assert entry.published == item["date_published"] == f"{sent.utc:%Y-%m-%dT%H:%M:%SZ}"
        assert entry.content[0].value == item["content_html"] == entry_html(sent)
        tags = read(entry_html(sent))
        assert [h for h in tags.text if h in {s.headline for s in sent.stories}] == [
            s.headline for s in sent.stories
        ]


def test_the_sitemap_of_real_issues_validates(published: list[Issue]) -> None:
    pages = [(BASE, max(i.utc for i in published))] + [(i.url, i.utc) for i in published]
    assert_sitemap(sitemap(pages))
