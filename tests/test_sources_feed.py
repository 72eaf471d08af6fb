"""parse_feed: every format into FeedItems, charsets as declared or sniffed, entities inert,
hostile titles as plain text, sparse items, and what is not a feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.feeds import feed

from digest.sources.feed import FeedError, FeedItem, parse_feed, plain

URL = "https://feeds.example/news/feed.xml"


def _parse(name: str, url: str = URL) -> tuple[str, list[FeedItem]]:
    return parse_feed(feed(name), url)


def test_rss2_with_content_encoded_media_and_enclosures() -> None:
    title, items = _parse("rss2.xml")
    assert title == "Harbour City Council News"
    ferry, library, podcast = items
    assert ferry.guid == "hcc-2026-1127-ferry"
    assert ferry.link == (
        "https://news.harbourcity.example/2026/11/27/ferry-terminal-reopens"
        "?utm_source=rss&utm_medium=feed"
    )
    assert ferry.title == "Ferry terminal reopens after £12m refit"
    assert "<strong>£12m</strong>" in ferry.html  # content:encoded, not the description
    assert "alert" not in ferry.html  # feedparser's sanitiser drops the script
    assert ferry.date == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert ferry.author == "Priya Natarajan"
    assert ferry.tags == ("Transport", "Waterfront")
    assert ferry.image == "https://news.harbourcity.example/img/terminal-large.jpg"  # media:content
    assert library.image == "https://news.harbourcity.example/img/library.png"  # image enclosure
    assert library.author == "Tom Reyes"  # "email (Name)"
    assert (
        library.guid == library.link == "https://news.harbourcity.example/2026/11/26/library-hours"
    )
    assert podcast.image == "https://news.harbourcity.example/img/podcast-thumb.jpg"  # not the mp3
    assert podcast.guid == "hcc-2026-1125-podcast"  # as written, not resolved against the feed
    assert podcast.date == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_rewritten_guids_keep_everything_else() -> None:
    _, before = _parse("rss2.xml")
    _, after = _parse("rss2-guids-rewritten.xml")
    assert [i.guid for i in after] == [f"urn:uuid:7f1c2d8e-000{n}" for n in (1, 2, 3)]
    for old, new in zip(before, after, strict=True):
        assert (old.link, old.title, old.html) == (new.link, new.title, new.html)


def test_atom_with_xml_base_and_relative_links() -> None:
    title, (otters, flood) = _parse("atom.xml")
    assert title == "River Lab: news"
    assert otters.link == "https://blog.riverlab.example/news/2026/otters-return"
    assert otters.title == "Otters return to the upper Wye"  # type="html": tags stripped
    assert 'href="https://blog.riverlab.example/data/otters.csv"' in otters.html
    assert otters.image == "https://blog.riverlab.example/news/img/otter-cover.jpg"
    assert otters.date == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # published, +01:00
    assert (otters.author, otters.tags) == ("Dr Hana Sato", ("wildlife", "Rivers"))
    assert flood.link == "https://blog.riverlab.example/archive/flood-model"  # the entry's base
    assert 'href="https://blog.riverlab.example/code/flood"' in flood.html  # xhtml content
    assert flood.date == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)  # updated only


def test_a_relative_atom_link_without_a_base_resolves_against_the_feed_url() -> None:
    body = feed("atom.xml").replace(b' xml:base="https://blog.riverlab.example/news/"', b"")
    _, items = parse_feed(body, "https://mirror.example/lab/feed.atom")
    assert items[0].link == "https://mirror.example/lab/2026/otters-return"


def test_json_feed_1_1() -> None:
    title, (route9, fares, survey) = _parse(
        "jsonfeed.json", "https://transit.greenvalley.example/feed.json"
    )
    assert title == "Green Valley Transit updates"
    assert route9 == FeedItem(
        guid="gvt-2026-0412",
        link="https://transit.greenvalley.example/news/route-9-electric",
        title="Route 9 goes fully electric",
        html=(
            "<p>All 22 buses on Route 9 are now battery electric.</p>"
            "<p>Riders will notice quieter rides from Monday.</p>"
        ),
        text="",
        date=datetime(2026, 11, 27, 19, 5, tzinfo=UTC),
        author="Lena Park",
        tags=("buses", "climate"),
        image="https://transit.greenvalley.example/img/route9.jpg",
        image_alt=None,
    )
    assert fares.link == "https://transit.greenvalley.example/news/fare-freeze"  # relative url
    assert fares.text.startswith("The board voted 7-2") and fares.html == ""
    assert survey.link == "https://paper.greenvalley.example/story/transit-survey"  # external_url
    assert survey.date is None


@pytest.mark.parametrize("content_type", ["application/feed+json", "application/json", ""])
def test_json_feed_is_found_by_type_or_by_its_first_byte(content_type: str) -> None:
    _, items = parse_feed(feed("jsonfeed.json"), URL, content_type)
    assert len(items) == 3


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"title": "no version", "items": []}', "JSON without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "a JSON Feed without items"),
        (b"{not json", "invalid JSON"),
        (b"[1, 2]", "JSON without a JSON Feed version"),
        (b"[" * 100_000, "invalid JSON"),
    ],
)
def test_broken_json_feeds(body: bytes, says: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, URL, "application/feed+json")
    assert caught.value.reason.startswith("not a feed: ")
    assert says in caught.value.reason


def test_json_feed_fields_of_the_wrong_type_are_left_out() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": 7, "title": ["x"],'
        b' "url": 5, "tags": "news", "authors": "me", "date_published": "yesterday"}, "junk"]}'
    )
    (item,) = parse_feed(body, URL)[1]
    assert (item.guid, item.title, item.link, item.tags, item.author, item.date) == (
        "7",
        "",
        None,
        (),
        None,
        None,
    )


@pytest.mark.parametrize(
    ("name", "title", "item_title"),
    [
        ("rss1.rdf", "St Anne's Parish notices", "Summer fete raises £3,200"),
        ("rss091.xml", "Village Newsletter", "New bus shelter on Mill Lane"),
    ],
)
def test_rss_1_and_0_91(name: str, title: str, item_title: str) -> None:
    got_title, (item,) = _parse(name)
    assert (got_title, item.title) == (title, item_title)
    assert item.link is not None and item.link.startswith("http")


def test_rss1_dublin_core_date_author_subject() -> None:
    (item,) = _parse("rss1.rdf")[1]
    assert item.date == datetime(2026, 7, 12, 16, 0, tzinfo=UTC)
    assert (item.author, item.tags) == ("Revd J. Mills", ("community",))


@pytest.mark.parametrize(
    ("name", "title", "body"),
    [
        ("windows-1252.xml", "“Smart quotes” — and €5 coffee", "Naïve café owners’ … plan."),
        (
            "windows-1252-as-utf8.xml",
            "“Smart quotes” — and €5 coffee",
            "Naïve café owners’ … plan.",
        ),
        ("iso-8859-1.xml", "Crème brûlée for £5", "Señor Götzé ½ price."),
        ("utf-16.xml", "東京 — “quotes” and 🚌 buses", "Naïve café owners’ … plan."),
    ],
)
def test_charsets_declared_misdeclared_and_sniffed(name: str, title: str, body: str) -> None:
    feed_title, (item,) = _parse(name)
    assert feed_title.startswith("Café Society")
    assert (item.title, item.html) == (title, body)


def test_the_http_charset_is_honoured() -> None:
    body = feed("windows-1252.xml").replace(b'encoding="windows-1252"', b"")
    (item,) = parse_feed(body, URL, "application/xml; charset=windows-1252")[1]
    assert item.title == "“Smart quotes” — and €5 coffee"


def test_billion_laughs_stays_inert() -> None:
    title, items = _parse("billion-laughs.xml")
    assert title == "Laughs"
    for item in items:
        assert "lollol" not in item.title + item.html + item.text
        assert len(item.title) + len(item.html) < 1000


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731", encoding="utf-8")
    body = feed("external-entity.xml").replace(b"SECRET_URL", secret.as_uri().encode())
    title, items = parse_feed(body, URL)
    assert items
    for item in items:
        assert "TOP-SECRET" not in repr(item)
    assert "TOP-SECRET" not in title


def test_html_and_scripts_in_titles_are_plain_text() -> None:
    title, (budget, tom) = _parse("html-titles.xml")
    assert title == "Hostile feed"
    assert budget.title == "Budget approved & signed"  # the script's text is dropped too
    assert "<" not in budget.title and "alert" not in budget.title
    assert "steal" not in budget.html and "onclick" not in budget.html
    assert tom.title == "Tom & Jerry 5 < 6"  # a literal < survives as text
    assert tom.link is None  # javascript: is no link


def test_items_without_link_guid_date_or_title() -> None:
    _, (bare, untitled, bad_date, permalink) = _parse("missing-fields.xml")
    assert (bare.guid, bare.link, bare.date) == (None, None, None)
    assert bare.title == "No link, no guid, no date"
    assert untitled.title == "" and untitled.guid == "sparse-2"
    assert untitled.html.startswith("No title at all")
    assert (bad_date.date, bad_date.link) == (None, "https://sparse.example/bad-date")
    assert permalink.link == permalink.guid == "https://sparse.example/from-guid"


def test_a_permalink_guid_that_is_no_url_makes_no_link() -> None:
    body = feed("missing-fields.xml").replace(
        b"<guid>https://sparse.example/from-guid</guid>", b"<guid>item-44</guid>"
    )
    item = parse_feed(body, URL)[1][3]
    assert (item.guid, item.link) == ("item-44", None)


def test_duplicate_guids_are_kept_for_the_dedupe_to_decide() -> None:
    _, items = _parse("duplicate-guids.xml")
    assert [i.guid for i in items] == ["dupe-1", "dupe-1", "dupe-2"]


def test_a_feed_with_no_items() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, URL) == ("Quiet", [])


@pytest.mark.parametrize(
    "body",
    [
        feed("not-a-feed.xml"),
        b"",
        b"<html><body><p>Just a web page</p></body></html>",
        b"\x00\x01\x02 binary",
        b"<?xml version='1.0'?><note><to>Tove</to></note>",
    ],
)
def test_what_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, URL)
    assert caught.value.reason.startswith("not a feed: ")


@given(st.text(max_size=200))
def test_plain_never_leaves_markup(text: str) -> None:
    out = plain(f"<b>{text}</b><script>{text}</script>")
    assert "<b>" not in out and "<script>" not in out
    assert out == out.strip() and "\n" not in out


def _rss(item: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>T</title><link>https://e.org/</link><item>{item}</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("item", "alt"),
    [
        # The content's own <img> of the item's image gives its alt (relative src resolved).
        (
            '<title>A</title><link>https://e.org/a</link><enclosure url="https://e.org/i.jpg" '
            'type="image/jpeg" length="1"/><description>&lt;img src="/i.jpg" alt="The quay"&gt;'
            "</description>",
            "The quay",
        ),
        # Another picture's alt is not this one's.
        (
            '<title>A</title><link>https://e.org/a</link><enclosure url="https://e.org/i.jpg" '
            'type="image/jpeg" length="1"/><description>&lt;img src="/other.jpg" alt="No"&gt;'
            "</description>",
            None,
        ),
        # No alt, or markup in it: plain text or none.
        (
            '<title>A</title><enclosure url="https://e.org/i.jpg" type="image/png" length="1"/>'
            '<description>&lt;img src="https://e.org/i.jpg" alt=""&gt;</description>',
            None,
        ),
    ],
)
def test_an_images_alt_comes_from_the_items_own_img(item: str, alt: str | None) -> None:
    _, [found] = parse_feed(_rss(item), "https://e.org/feed")
    assert found.image == "https://e.org/i.jpg"
    assert found.image_alt == alt


def test_a_json_feed_items_image_alt_comes_from_its_content_html() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "T",
            "items": [
                {
                    "id": "1",
                    "url": "https://e.org/1",
                    "image": "https://e.org/p.jpg",
                    "content_html": '<p><img src="p.jpg" alt="A ferry at dusk"></p>',
                }
            ],
        }
    ).encode()
    _, [found] = parse_feed(body, "https://e.org/feed.json", "application/feed+json")
    assert found.image_alt == "A ferry at dusk"
