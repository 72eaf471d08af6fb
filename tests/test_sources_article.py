"""Article pages for `fetch_article` sources: extracted with trafilatura from the bytes fetched,
used only when longer than the feed's text, refused on private addresses unless allowed, and on
any failure the feed's own text kept with the reason logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from support.feeds import FeedServer, serve_fixture

from digest.config.sources import Source
from digest.sources.article import ArticleError, extract, fetch_page, with_article
from digest.sources.feed import FeedItem

feed_server = serve_fixture()

PARAGRAPHS = [
    "The North Quay ferry terminal reopened on Friday after an eight-month refit that added "
    "step-free access to every berth and a new waiting hall facing the harbour.",
    "Council leader Maria Okafor said the work would cut boarding times by a third, and that "
    "the old ticket office would become a café run by a local social enterprise.",
    "The new timetable starts on 1 December, with an extra early sailing on weekdays and a "
    "late return on Fridays and Saturdays through the winter months.",
]
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Ferry terminal reopens | Harbour City Council</title>
<meta property="og:title" content="Ferry terminal reopens after refit">
<meta property="og:image" content="/img/terminal.jpg">
<meta property="article:published_time" content="2026-11-27T15:00:00+00:00">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/contact">Contact</a></nav>
<main><article><h1>Ferry terminal reopens after refit</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
<script>track()</script>
</article></main>
<footer><p>© Harbour City Council. All rights reserved.</p></footer>
</body></html>""".encode()


def source(**fields: object) -> Source:
    values = {"name": "city", "url": "https://news.example.org/feed", "fetch_article": True}
    return Source.model_validate(values | fields)


def item(link: str | None, **fields: object) -> FeedItem:
    values: dict[str, object] = {
        "guid": "g",
        "link": link,
        "title": "Ferry terminal reopens",
        "html": "",
        "text": "",
        "date": None,
        "author": None,
        "tags": (),
        "image": None,
        "image_alt": None,
    }
    return FeedItem(**(values | fields))  # type: ignore[arg-type]


def test_extract_finds_the_main_text_title_date_and_image() -> None:
    page = extract(PAGE, "https://news.example.org/2026/11/27/ferry")
    assert page.text.split("\n") == PARAGRAPHS
    assert "track()" not in page.text and "Contact" not in page.text
    assert page.title == "Ferry terminal reopens after refit"
    assert page.date == datetime(2026, 11, 27, tzinfo=UTC)
    assert page.image == "https://news.example.org/img/terminal.jpg"


@pytest.mark.parametrize(
    "html",
    [b"", b"<html><body></body></html>", b"\x00\x01\x02 binary"],
)
def test_a_page_without_an_article_is_an_article_error(html: bytes) -> None:
    with pytest.raises(ArticleError):
        extract(html, "https://news.example.org/x")


def test_the_article_replaces_a_short_feed_summary(feed_server: FeedServer) -> None:
    feed_server.route("/ferry", body=PAGE, content_type="text/html; charset=utf-8")
    news = item(feed_server.url("/ferry"))
    better, text, why = with_article(news, source(allow_private=True), "A short summary.")
    assert (text.split("\n"), why) == (PARAGRAPHS, "")
    assert better.title == "Ferry terminal reopens"  # the feed's own title stays
    assert better.date == datetime(2026, 11, 27, tzinfo=UTC)  # the feed had none
    assert better.image is not None and better.image.endswith("/img/terminal.jpg")


def test_a_feed_text_longer_than_the_page_is_kept(feed_server: FeedServer) -> None:
    feed_server.route("/ferry", body=PAGE, content_type="text/html")
    long_text = "\n".join(PARAGRAPHS * 3)
    news = item(feed_server.url("/ferry"))
    assert with_article(news, source(allow_private=True), long_text) == (news, long_text, "")


@pytest.mark.parametrize(
    ("route", "allow_private", "words"),
    [
        ({"status": 404, "body": b"gone"}, True, "404"),
        ({"body": b"%PDF-1.7", "content_type": "application/pdf"}, True, "not an html page"),
        ({"body": b"<html><body></body></html>", "content_type": "text/html"}, True, "no article"),
        ({"body": PAGE, "content_type": "text/html"}, False, "refused"),
    ],
)
def test_on_any_failure_the_feed_text_is_kept_and_the_reason_logged(
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    route: dict[str, object],
    allow_private: bool,
    words: str,
) -> None:
    feed_server.route("/page", **route)
    link = feed_server.url("/page")
    news = item(link)
    with caplog.at_level(logging.WARNING, logger="digest.sources"):
        kept, text, why = with_article(news, source(allow_private=allow_private), "Summary.")
    assert (kept, text) == (news, "Summary.") and words in why.lower()
    [line] = [r.getMessage() for r in caplog.records if r.name == "digest.sources"]
    assert "city" in line and link in line and why in line and "feed's text is kept" in line
    if not allow_private:
        assert feed_server.hits("/page") == []  # refused before connecting


@pytest.mark.parametrize(
    "link",
    ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/admin", "http://[::1]/x"],
)
def test_internal_addresses_are_never_fetched(link: str) -> None:
    _, text, why = with_article(item(link), source(), "Summary.")
    assert text == "Summary." and "refused" in why


def test_an_item_without_a_link_keeps_its_text() -> None:
    news = item(None)
    assert with_article(news, source(), "Summary.") == (
        news,
        "Summary.",
        "no link to fetch the article from",
    )


def test_fetch_page_follows_the_source_limits(feed_server: FeedServer) -> None:
    feed_server.route("/big", body=PAGE + b" " * 20_000, content_type="text/html")
    with pytest.raises(Exception, match="over") as caught:
        fetch_page(feed_server.url("/big"), source(allow_private=True, max_bytes=5_000))
    assert "reason" in dir(caught.value)
