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
from digest.sources.state import INDEX, load_status

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


def rss(*items: tuple[str | None, str | None, str, str]) -> bytes:
    """An RSS 2.0 feed of (guid, link, title, description) items, dated an hour apart."""
    parts = []
    for n, (guid, link, title, text) in enumerate(items):
        date = (NOW - timedelta(hours=n + 1)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        parts.append(
            "<item>"
            + (f'<guid isPermaLink="false">{guid}</guid>' if guid else "")
            + (f"<link>{link}</link>" if link else "")
            + f"<title>{title}</title><description>{text}</description>"
            + f"<pubDate>{date}</pubDate></item>"
        )
    body = "".join(parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://news.example.org/</link>{body}</channel></rss>"
    ).encode()


HOMEPAGE_ITEMS = [
    ("n1", "https://news.example.org/", "Bins collected Monday", "Bins go out on Monday."),
    ("n2", "https://news.example.org/", "Pool reopens", "The pool reopens at nine."),
    ("n3", "https://news.example.org/?utm_source=x", "Market day", "Stalls from eight."),
    ("n4", "https://news.example.org/press.php?ref=4", "Mayor visits", "The mayor visited."),
    ("n5", "https://news.example.org/press.php?ref=5", "Budget set", "The budget was set."),
]


def test_distinct_stories_sharing_a_link_each_arrive(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.route("/feed.xml", body=rss(*HOMEPAGE_ITEMS))
    settings = settings_with(tmp_path, {"name": "news", "url": feed_server.url("/feed.xml")})
    [first] = fetch_sources(settings, now=NOW)
    assert (len(first.new), first.reason) == (5, "")
    # A recurring notice: same title and text, a new GUID and page, the earlier one still there.
    notice = ("n6", "https://news.example.org/bins-2", *HOMEPAGE_ITEMS[0][2:])
    feed_server.route("/feed.xml", body=rss(notice, *HOMEPAGE_ITEMS))
    with caplog.at_level(logging.INFO, logger="digest.sources"):
        [second] = fetch_sources(settings, now=NOW + timedelta(hours=1))
    assert (len(second.new), second.reason) == (1, "")
    assert "duplicate" not in caplog.text  # the 5 known by their GUIDs: nothing to say
    assert len(seeds_in(tmp_path)) == 6


# (the second fetch's feed, after HOMEPAGE_ITEMS[:2], how many new, how many duplicates)
SECOND_FETCHES = [
    # The GUIDs rewritten, links and text kept: nothing new.
    ([("x1", *HOMEPAGE_ITEMS[0][1:]), ("x2", *HOMEPAGE_ITEMS[1][1:])], 0, 2),
    # One story twice in the feed under two GUIDs (same link and text).
    ([*HOMEPAGE_ITEMS[:2], ("x3", *HOMEPAGE_ITEMS[3][1:]), HOMEPAGE_ITEMS[3]], 1, 1),
    # One GUID twice in the feed.
    ([*HOMEPAGE_ITEMS[:2], HOMEPAGE_ITEMS[4], ("n5", "https://b.example/", "B", "b")], 1, 1),
    # Without GUIDs: by link, then by text.
    ([*HOMEPAGE_ITEMS[:2], (None, "https://a.example/1", "B", "b"), (None, None, "A", "a")], 2, 0),
    ([*HOMEPAGE_ITEMS[:2], (None, "https://a.example/1", "A", "a"), (None, None, "A", "a")], 1, 1),
    ([*HOMEPAGE_ITEMS[:2], (None, "https://a.example/1", "A", "a")] * 2, 1, 1),
]


@pytest.mark.parametrize(("items", "written", "duplicates"), SECOND_FETCHES)
def test_each_duplicate_left_out_is_logged_and_counted(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    items: list[tuple[str | None, str | None, str, str]],
    written: int,
    duplicates: int,
) -> None:
    feed_server.route("/feed.xml", body=rss(*HOMEPAGE_ITEMS[:2]))
    settings = settings_with(tmp_path, {"name": "news", "url": feed_server.url("/feed.xml")})
    assert len(fetch_sources(settings, now=NOW)[0].new) == 2
    feed_server.route("/feed.xml", body=rss(*items))
    with caplog.at_level(logging.INFO, logger="digest.sources"):
        [second] = fetch_sources(settings, now=NOW + timedelta(hours=1))
    assert len(second.new) == written
    logged = [r for r in caplog.records if "left out as a duplicate" in r.getMessage()]
    assert len(logged) == duplicates and all("news" in r.getMessage() for r in logged)
    noted = f"{duplicates} duplicate{'s' if duplicates != 1 else ''} left out"
    assert (noted in second.reason) is (duplicates > 0)
    # Recorded: the next fetch of the same feed has nothing new and nothing to say.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="digest.sources"):
        [third] = fetch_sources(settings, now=NOW + timedelta(hours=2))
    assert (third.new, third.reason) == ((), "")
    assert "duplicate" not in caplog.text


def test_items_past_max_items_are_in_the_reason(tmp_path: Path, feed_server: FeedServer) -> None:
    items = [(f"g{n}", f"https://a.example/{n}", f"Story {n}", f"Text {n}") for n in range(30)]
    feed_server.route("/feed.xml", body=rss(*items))
    settings = settings_with(
        tmp_path,
        {"name": "big", "url": feed_server.url("/feed.xml"), "max_items": 20, "since": "30d"},
    )
    [result] = fetch_sources(settings, now=NOW)
    assert len(result.new) == 20 and result.reason == "10 older items left out (max_items = 20)"
    assert load_status(tmp_path / "seeds")[0].reason == result.reason


def test_a_large_feed_never_wipes_another_sources_memory(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.sources as sources
    import digest.sources.state as state

    monkeypatch.setattr(state, "MAX_ITEMS", 40)  # a small cap stands in for 5,000
    monkeypatch.setattr(sources, "MAX_SKIPPED", 30)
    feed_server.route("/small.xml", body=rss(*HOMEPAGE_ITEMS))
    large = [(f"g{n}", f"https://big.example/{n}", f"S {n}", f"T {n}") for n in range(200)]
    feed_server.route("/large.xml", body=rss(*large))
    small = {"name": "small", "url": feed_server.url("/small.xml")}
    settings = settings_with(
        tmp_path, small, {"name": "large", "url": feed_server.url("/large.xml"), "max_items": 5}
    )
    first = fetch_sources(settings, now=NOW)
    assert [len(r.new) for r in first] == [5, 5]
    saved = json.loads((tmp_path / "seeds" / INDEX).read_text())["items"]
    assert sum(item["source"] == "large" for item in saved) <= 40
    assert sum(item["source"] == "small" for item in saved) == 5
    # Even with the index gone, the small source's seeds keep its stories from coming back.
    (tmp_path / "seeds" / INDEX).unlink()
    [again] = fetch_sources(settings, only="small", now=NOW + timedelta(hours=1))
    assert again.new == ()


# What an item passes through, made to raise for the item titled "Pool reopens" only.
BREAKERS = [
    ("item_keys", 3, ValueError("Invalid IPv6 URL")),
    ("html_to_paragraphs", 0, AssertionError("unexpected '<![' markup")),
    ("seed_text", 0, OverflowError("date value out of range")),
    ("seed_parts", 0, RecursionError("maximum recursion depth exceeded")),
]


@pytest.mark.parametrize(("name", "arg", "error"), BREAKERS)
def test_one_bad_item_is_left_out_and_the_others_written(
    tmp_path: Path,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    name: str,
    arg: int,
    error: Exception,
) -> None:
    import digest.sources as sources

    real = getattr(sources, name)

    def broken(*args: object) -> object:
        value = args[arg]
        title = value if isinstance(value, str) else getattr(value, "title", "")
        if "pool" in str(title).lower():
            raise error
        return real(*args)

    monkeypatch.setattr(sources, name, broken)
    feed_server.route("/feed.xml", body=rss(*HOMEPAGE_ITEMS), etag='"v1"')
    settings = settings_with(tmp_path, {"name": "news", "url": feed_server.url("/feed.xml")})
    with caplog.at_level(logging.INFO, logger="digest.sources"):
        [result] = fetch_sources(settings, now=NOW)
    assert (result.status, len(result.new)) == ("ok", 4)
    assert f"1 not written: unexpected error: {type(error).__name__}" in result.reason
    [line] = [r.getMessage() for r in caplog.records if "item left out" in r.getMessage()]
    assert "news" in line and "Pool reopens" in line and str(error) in line
    assert "Pool" not in " ".join(read_seed(p).title for p in result.new)
