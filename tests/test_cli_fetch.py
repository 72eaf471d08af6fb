"""`digest fetch` as a user runs it: one line per source, --json, exit 1 naming a failed source
(never a traceback), and `digest fetch` then `digest build` publishing the feed's newest items."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from support.factories import project, run_digest
from support.feeds import FeedServer, serve_fixture

feed_server = serve_fixture()


def make_project(folder: Path, *sources: dict[str, object], max_stories: int = 1) -> Path:
    """A temp project (one daily email schedule) with these `[[sources]]`."""
    schedule = {"name": "morning", "at": "08:00", "max_stories": max_stories}
    project(folder, [schedule], channels=("email",))
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    for source in sources:
        text += "\n[[sources]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in source.items())
    config.write_text(text, encoding="utf-8")
    return folder


def recent_feed(now: datetime, count: int) -> tuple[bytes, list[str]]:
    """An RSS feed of `count` items an hour apart, newest first; and their links, newest first."""
    links = [f"https://news.example.org/2026/story-{n}" for n in range(count)]
    items = "".join(
        f"<item><title>Harbour story number {n}</title><link>{link}</link><guid>story-{n}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(hours=n + 1))}</pubDate>"
        f"<description>&lt;p&gt;The council approved plan {n} for the harbour on Tuesday. "
        f"Work on part {n} starts in spring and ends in the autumn.&lt;/p&gt;</description></item>"
        for n, link in enumerate(links)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Harbour news</title><link>https://news.example.org/</link>{items}</channel></rss>"
    )
    return body.encode(), links


def test_fetch_then_build_publishes_the_feeds_newest_items_with_their_links(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    now = datetime.now(UTC)
    body, links = recent_feed(now, 4)
    feed_server.route("/feed.xml", body=body, etag='"v1"')
    folder = make_project(
        tmp_path, {"name": "harbour", "url": feed_server.url("/feed.xml")}, max_stories=2
    )

    fetched = run_digest("fetch", cwd=folder)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == "harbour: ok, 4 new\n"
    assert "Traceback" not in fetched.stderr

    day = now.date().isoformat()
    built = run_digest("build", "--date", day, "--json", cwd=folder)
    assert built.returncode == 0, built.stderr
    result = json.loads(built.stdout)
    batch = Path(result["batch"])
    assert [s.split("-harbour-story-number-")[1][:1] for s in result["stories"]] == ["0", "1"]
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    assert [s["source"] for s in manifest["stories"]] == [
        "harbour-harbour-story-number-0.txt",
        "harbour-harbour-story-number-1.txt",
    ]
    text = (batch / "email" / "digest.txt").read_text(encoding="utf-8")
    for link in links[:2]:
        assert link in text
    for link in links[2:]:
        assert link not in text

    again = run_digest("fetch", "--json", cwd=folder)
    assert again.returncode == 0, again.stderr
    [entry] = json.loads(again.stdout)
    assert (entry["name"], entry["status"], entry["new"]) == ("harbour", "not-modified", [])


def test_a_failed_source_exits_1_naming_it_and_its_reason_without_a_traceback(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/gone.xml", status=404, body=b"gone")
    feed_server.route("/feed.xml", body=recent_feed(datetime.now(UTC), 3)[0])
    gone = feed_server.url("/gone.xml")
    folder = make_project(
        tmp_path,
        {"name": "gone", "url": gone},
        {"name": "city", "url": feed_server.url("/feed.xml")},
    )
    result = run_digest("fetch", cwd=folder)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("gone: failed, 0 new: ") and "404" in lines[0]
    assert lines[1] == "city: ok, 3 new"
    assert f"source gone ({gone}): failed: " in result.stderr
    assert "Traceback" not in result.stderr
    assert "HTTP Request:" not in result.stderr  # httpx's own line per request: only with -v
    verbose = run_digest("-v", "fetch", "--source", "city", cwd=folder)
    assert "HTTP Request:" in verbose.stderr


def test_json_lists_each_source_with_its_new_seeds(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", body=recent_feed(datetime.now(UTC), 3)[0])
    folder = make_project(tmp_path, {"name": "city", "url": feed_server.url("/feed.xml")})
    result = run_digest("fetch", "--json", "--source", "city", cwd=folder)
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)
    assert (entry["name"], entry["status"], entry["reason"]) == ("city", "ok", "")
    assert len(entry["new"]) == 3 and all(Path(p).is_file() for p in entry["new"])
    assert datetime.fromisoformat(entry["fetched_at"]).tzinfo is not None


def test_seeds_option_is_where_the_seeds_go(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", body=recent_feed(datetime.now(UTC), 3)[0])
    folder = make_project(tmp_path, {"name": "city", "url": feed_server.url("/feed.xml")})
    result = run_digest("fetch", "--seeds", "elsewhere", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert len(list((folder / "elsewhere").glob("city-*.txt"))) == 3
    assert list((folder / "seeds").glob("city-*.txt")) == []


def test_an_unknown_source_is_one_line_naming_the_known_ones(tmp_path: Path) -> None:
    folder = make_project(tmp_path, {"name": "city", "url": "https://news.example.org/feed"})
    result = run_digest("fetch", "--source", "nope", cwd=folder)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "digest: no source named 'nope' in config.toml; known sources: city"
    )


def test_a_config_without_sources_says_what_to_add(tmp_path: Path) -> None:
    folder = make_project(tmp_path)
    result = run_digest("fetch", cwd=folder)
    assert result.returncode == 1
    assert "no [[sources]] to fetch" in result.stderr and result.stdout == ""
