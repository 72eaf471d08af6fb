"""What a hostile or broken feed sends never stops a fetch: markup html.parser cannot read, links
no URL can have, dates past the last instant, a 304 to a request that named no version, and a
public feed's server pointing digest at a private address."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.factories import project
from support.feeds import FeedServer, feed, serve_fixture

import digest.sources as sources
from digest.config import Settings, load_config
from digest.sources import fetch_sources
from digest.sources.feed import _json_date, _web, parse_feed, plain
from digest.sources.seedfile import html_to_paragraphs

feed_server = serve_fixture()
NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
MARKUP = ["<![ x", "a <![ b", "<![if mso]>x<![endif]>", "<![CDATA[q]]>", "<!", "<![", "<p>", "]]>"]


def settings_with(folder: Path, **source: object) -> Settings:
    project(folder, [{"name": "morning", "at": "08:00"}])
    config = folder / "config.toml"
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in source.items())
    config.write_text(config.read_text(encoding="utf-8") + "\n[[sources]]\n" + lines)
    return load_config(config)


@pytest.mark.parametrize("html", MARKUP)
def test_markup_html_parser_cannot_read_is_text(html: str) -> None:
    assert "<p>" not in plain(f"Title {html} end")
    assert plain(f"Title {html} end").startswith("Title")
    assert all("<p>" not in p for p in html_to_paragraphs(f"<p>one {html}</p><p>two</p>"))


@given(st.text(alphabet=st.sampled_from(list("<![]>-/ aZ&;#x!")), max_size=60) | st.text())
def test_any_markup_reads_as_text_without_raising(html: str) -> None:
    plain(html)
    html_to_paragraphs(html)


@pytest.mark.parametrize(
    "url", ["http://[news.example.org/typo", "http://[::1", "https://[x]:99999/", "http://[x"]
)
def test_a_link_no_url_can_have_is_no_link(url: str) -> None:
    assert _web(url, "https://news.example.org/") is None


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00", "not a date", ""]
)
def test_a_date_past_the_last_instant_is_no_date(value: str) -> None:
    assert _json_date(value) is None


def test_a_json_feed_with_broken_items_keeps_its_good_ones() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "T",
            "items": [
                {"id": "1", "url": "http://[::1", "title": "a <![ b", "content_text": "x"},
                {"id": "2", "date_published": "9999-12-31T23:59:59-05:00", "title": "Two"},
                {"id": "3", "url": "https://e.org/3", "title": "Three", "content_text": "y"},
            ],
        }
    ).encode()
    _, items = parse_feed(body, "https://e.org/feed.json", "application/feed+json")
    assert [(i.guid, i.link, i.date) for i in items] == [
        ("1", None, None),
        ("2", None, None),
        ("3", "https://e.org/3", None),
    ]


def test_a_304_to_a_request_that_named_no_version_is_a_failure(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/always-304", status=304)
    settings = settings_with(tmp_path, name="stuck", url=feed_server.url("/always-304"))
    [result] = fetch_sources(settings, now=NOW)
    assert result.status == "failed" and "named no earlier version" in result.reason


def test_a_public_feeds_server_cannot_send_digest_to_a_private_address(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture server is on 127.0.0.1; seen as a public feed host, reaching it (say, by a
    redirect from a public server) is refused; as an intranet feed's host it is fetched."""
    feed_server.route("/rss", body=feed("rss2.xml"))
    settings = settings_with(tmp_path, name="city", url=feed_server.url("/rss"))
    monkeypatch.setattr(sources, "private_host", lambda url: False)
    [refused] = fetch_sources(settings, now=NOW)
    assert refused.status == "failed" and "is a private address" in refused.reason
    monkeypatch.undo()
    [fetched] = fetch_sources(settings, now=NOW)
    assert fetched.status == "ok" and len(fetched.new) == 3


@pytest.mark.parametrize(
    ("url", "private"),
    [
        ("http://127.0.0.1:8080/feed", True),
        ("https://[::1]/feed", True),
        ("http://10.1.2.3/feed", True),
        ("https://203.0.113.5/feed", True),  # documentation: not public
        ("https://8.8.8.8/feed", False),
        ("https://host.invalid/feed", False),  # does not resolve: not an intranet feed
        ("http://[x/feed", False),
    ],
)
def test_only_a_feed_whose_own_host_is_private_may_reach_private_addresses(
    url: str, private: bool
) -> None:
    from digest.sources.connect import private_host

    assert private_host(url) is private
