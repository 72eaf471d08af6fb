"""fetch_sources against a local feed server: conditional GETs, dedupe across runs (GUID
rewrites, duplicate GUIDs, tracking parameters), the first fetch's reach, max_items, items
missing fields, hostile titles, article pages on private addresses, and each failure as a clear
result and log line, never an exception, never stopping the other sources."""

from __future__ import annotations

import errno
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.factories import project
from support.feeds import FeedServer, feed, serve_fixture

from digest.config import Settings, load_config
from digest.errors import DigestError
from digest.seeds import read_seed, read_seeds
from digest.sources import fetch_sources
from digest.sources.state import INDEX

feed_server = serve_fixture()
NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
RSS_LINKS = {
    "https://news.harbourcity.example/2026/11/27/ferry-terminal-reopens?utm_source=rss&utm_medium=feed",
    "https://news.harbourcity.example/2026/11/26/library-hours",
    "https://news.harbourcity.example/2026/11/25/podcast-planning",
}


def settings_with(folder: Path, *sources: dict[str, object]) -> Settings:
    """The example project in `folder` with these `[[sources]]`."""
    project(folder, [{"name": "morning", "at": "08:00"}])
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    for source in sources:
        text += "\n[[sources]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in source.items())
    config.write_text(text, encoding="utf-8")
    return load_config(config)


def seeds_in(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "seeds").iterdir() if not p.name.startswith("."))


def test_first_fetch_writes_each_item_as_a_seed_then_304_writes_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"), etag='"v1"')
    settings = settings_with(tmp_path, {"name": "city", "url": feed_server.url("/feed.xml")})
    [first] = fetch_sources(settings, now=NOW)
    assert (first.name, first.status, first.reason, first.fetched_at) == ("city", "ok", "", NOW)
    assert len(first.new) == 3 and all(p.name.startswith("city-") for p in first.new)
    stories, errors = read_seeds(tmp_path / "seeds")
    assert errors == []
    assert {s.url for s in stories} == RSS_LINKS
    ferry = read_seed(next(p for p in first.new if "ferry" in p.name))
    assert ferry.title == "Ferry terminal reopens after £12m refit"
    assert ferry.author == "Priya Natarajan" and "Transport" in ferry.tags
    assert ferry.date == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    text = ferry.text()
    assert "£12m refit" in text and "The new timetable starts" in text and "alert" not in text
    assert (
        '\nguid = "hcc-2026-1127-ferry"'
        in next(p for p in first.new if "ferry" in p.name).read_text()
    )

    [second] = fetch_sources(settings, now=NOW + timedelta(hours=1))
    assert (second.status, second.new) == ("not-modified", ())
    assert feed_server.hits("/feed.xml")[-1].headers.get("If-None-Match") == '"v1"'
    assert len(seeds_in(tmp_path)) == 3


def test_a_feed_that_rewrites_its_guids_duplicates_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"))
    settings = settings_with(tmp_path, {"name": "city", "url": feed_server.url("/feed.xml")})
    assert len(fetch_sources(settings, now=NOW)[0].new) == 3
    feed_server.route("/feed.xml", body=feed("rss2-guids-rewritten.xml"))
    [again] = fetch_sources(settings, now=NOW + timedelta(hours=1))
    assert (again.status, again.new) == ("ok", ())
    assert len(seeds_in(tmp_path)) == 3


def test_one_story_twice_in_a_feed_is_one_seed(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/dupes.xml", body=feed("duplicate-guids.xml"))
    settings = settings_with(tmp_path, {"name": "dupes", "url": feed_server.url("/dupes.xml")})
    [result] = fetch_sources(settings, now=NOW)
    assert len(result.new) == 1
    assert read_seed(result.new[0]).url == "https://dupes.example/council-tax"
    assert fetch_sources(settings, now=NOW + timedelta(hours=1))[0].new == ()


def test_items_missing_link_guid_date_or_title_are_seeds_once(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/sparse.xml", body=feed("missing-fields.xml"))
    settings = settings_with(tmp_path, {"name": "sparse", "url": feed_server.url("/sparse.xml")})
    [result] = fetch_sources(settings, now=NOW)
    stories = [read_seed(path) for path in result.new]
    assert len(stories) == 4
    titles = {s.title for s in stories}
    assert "No title at all: the description is all there is." in titles
    assert all(s.date is None for s in stories)  # none has a date it can be trusted with
    assert fetch_sources(settings, now=NOW + timedelta(days=30))[0].new == ()
    assert len(seeds_in(tmp_path)) == 4


def test_markup_and_scripts_in_titles_become_text(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/h.xml", body=feed("html-titles.xml"))
    settings = settings_with(tmp_path, {"name": "hostile", "url": feed_server.url("/h.xml")})
    [result] = fetch_sources(settings, now=NOW)
    stories = {read_seed(p).url: read_seed(p) for p in result.new}
    assert set(stories) == {None, "https://hostile.example/budget"}  # no javascript: link
    for story in stories.values():
        for text in (story.title, story.text()):
            assert "<" not in text.replace("5 < 6", "") and "alert" not in text
    budget = stories["https://hostile.example/budget"]
    assert "steal" not in budget.text() and budget.text() == "The budget passed."


def test_the_first_fetch_reaches_back_only_since(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"))
    settings = settings_with(
        tmp_path, {"name": "city", "url": feed_server.url("/feed.xml"), "since": "1d"}
    )
    [first] = fetch_sources(settings, now=NOW)
    [ferry] = [read_seed(p).url for p in first.new]  # the 27th's only
    assert ferry is not None and "ferry-terminal" in ferry
    # Later fetches take what is new, whatever its date; what `since` left out stays out.
    assert fetch_sources(settings, now=NOW + timedelta(days=1))[0].new == ()


def test_at_most_max_items_newest_and_the_rest_never_trickle_in(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"))
    settings = settings_with(
        tmp_path, {"name": "city", "url": feed_server.url("/feed.xml"), "max_items": 2}
    )
    [first] = fetch_sources(settings, now=NOW)
    dates = sorted(read_seed(p).date for p in first.new)
    assert dates == [
        datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        datetime(2026, 11, 27, 15, tzinfo=UTC),
    ]
    assert fetch_sources(settings, now=NOW + timedelta(hours=1))[0].new == ()


FAILURES = [
    ({"status": 404, "body": b"gone"}, "404"),
    ({"status": 500, "body": b"oops"}, "500"),
    ({"body": b"this is no XML at all {"}, "not a feed"),
    ({"redirect": "/loop"}, "redirect"),
]


@pytest.mark.parametrize(("route", "words"), FAILURES)
def test_a_failing_source_is_a_result_and_a_log_line_and_the_others_go_on(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    route: dict[str, object],
    words: str,
) -> None:
    feed_server.route("/loop", **route)
    feed_server.route("/feed.xml", body=feed("rss2.xml"))
    bad_url = feed_server.url("/loop")
    settings = settings_with(
        tmp_path,
        {"name": "broken", "url": bad_url},
        {"name": "city", "url": feed_server.url("/feed.xml")},
    )
    with caplog.at_level(logging.WARNING, logger="digest.sources"):
        broken, city = fetch_sources(settings, now=NOW)
    assert (broken.status, broken.new) == ("failed", ())
    assert words in broken.reason.lower()
    assert (city.status, len(city.new)) == ("ok", 3)
    [line] = [r.getMessage() for r in caplog.records if "broken" in r.getMessage()]
    assert bad_url in line and broken.reason in line and "failed" in line
    assert not any(r.exc_info for r in caplog.records)


def test_a_timeout_fails_the_source_alone(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/slow.xml", body=feed("rss2.xml"), delay=5)
    settings = settings_with(
        tmp_path, {"name": "slow", "url": feed_server.url("/slow.xml"), "timeout": 0.5}
    )
    [result] = fetch_sources(settings, now=NOW)
    assert result.status == "failed" and "timeout" in result.reason.lower()


def test_a_seed_the_disk_refuses_fails_the_source_and_loses_nothing(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"), etag='"v1"')
    settings = settings_with(tmp_path, {"name": "city", "url": feed_server.url("/feed.xml")})
    import digest.sources as sources

    real = sources.write_seed
    calls = []

    def full_after_one(folder: Path, name: str, text: str) -> Path:
        calls.append(name)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(folder, name, text)

    monkeypatch.setattr(sources, "write_seed", full_after_one)
    [result] = fetch_sources(settings, now=NOW)
    assert result.status == "failed" and "No space left on device" in result.reason
    assert len(result.new) == 1
    monkeypatch.setattr(sources, "write_seed", real)
    # The validators were not kept, so the next fetch gets the feed again and writes the rest.
    [again] = fetch_sources(settings, now=NOW + timedelta(hours=1))
    assert (again.status, len(again.new)) == ("ok", 2)
    assert "If-None-Match" not in feed_server.hits("/feed.xml")[-1].headers
    assert len(seeds_in(tmp_path)) == 3


def test_an_unknown_source_name_is_an_error_naming_the_known_ones(tmp_path: Path) -> None:
    settings = settings_with(
        tmp_path,
        {"name": "city", "url": "https://a.example/feed"},
        {"name": "port", "url": "https://b.example/feed"},
    )
    with pytest.raises(DigestError, match=r"no source named 'nope'.*city, port"):
        fetch_sources(settings, only="nope", now=NOW)


def test_only_fetches_the_one_source(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"))
    settings = settings_with(
        tmp_path,
        {"name": "never", "url": feed_server.url("/never.xml")},
        {"name": "city", "url": feed_server.url("/feed.xml")},
    )
    assert [r.name for r in fetch_sources(settings, only="city", now=NOW)] == ["city"]
    assert feed_server.hits("/never.xml") == []


def article_feed(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><guid>s-{n}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 10:0{n}:00 +0000</pubDate>"
        f"<description>Feed summary {n}.</description></item>"
        for n, link in enumerate(links)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>A</title>'
    return f"{head}{items}</channel></rss>".encode()


def test_article_pages_on_private_addresses_are_refused_and_the_feed_text_kept(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.route(
        "/article", body=b"<html><body><p>secret</p></body></html>", content_type="text/html"
    )
    links = [feed_server.url("/article"), "http://169.254.169.254/latest/meta-data/"]
    feed_server.route("/a.xml", body=article_feed(links))
    settings = settings_with(
        tmp_path, {"name": "arts", "url": feed_server.url("/a.xml"), "fetch_article": True}
    )
    with caplog.at_level(logging.WARNING, logger="digest.sources"):
        [result] = fetch_sources(settings, now=NOW)
    assert result.status == "ok" and "refused" in result.reason
    assert feed_server.hits("/article") == []
    texts = sorted(read_seed(p).text() for p in result.new)
    assert texts == ["Feed summary 0.", "Feed summary 1."]
    logged = " ".join(r.getMessage() for r in caplog.records)
    for link in links:
        assert link in logged
    assert "refused" in logged and "the feed's text is kept" in logged


def test_the_index_lives_hidden_in_the_seeds_folder(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", body=feed("rss2.xml"))
    settings = settings_with(tmp_path, {"name": "city", "url": feed_server.url("/feed.xml")})
    fetch_sources(settings, now=NOW)
    assert (tmp_path / "seeds" / INDEX).is_file()
    # Without it, the seeds in the folder stand in: nothing is written twice.
    (tmp_path / "seeds" / INDEX).unlink()
    assert fetch_sources(settings, now=NOW + timedelta(hours=1))[0].new == ()
