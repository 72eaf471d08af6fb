"""The sources index of a seeds folder: dedupe keys (GUID, canonical link, content), the
per-source status, and what stands in for the index when it is missing or not to be trusted."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.sources.state import (
    INDEX,
    SourcesIndex,
    canonical_link,
    content_hash,
    item_keys,
    load_status,
)

NOW = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)

SAME_PAGE = [
    "https://news.example.org/story",
    "http://news.example.org/story",
    "https://NEWS.Example.org/story/",
    "https://www.news.example.org/story",
    "https://news.example.org:443/story#comments",
    "https://news.example.org/story?utm_source=rss&utm_medium=feed",
    "https://news.example.org/story?fbclid=abc&gclid=1&mc_cid=2&mc_eid=3&ref=home",
    "https://news.example.org/story?UTM_CAMPAIGN=x&msclkid=y",
    "  https://news.example.org/story  ",
]


@pytest.mark.parametrize("link", SAME_PAGE)
def test_links_to_one_page_share_a_canonical_link(link: str) -> None:
    assert canonical_link(link) == "news.example.org/story"


OTHER_PAGES = [
    "https://news.example.org/story?id=2",
    "https://news.example.org/story-2",
    "https://news.example.org:8443/story",
    "https://other.example.org/story",
    "https://news.example.org/Story",
]


@pytest.mark.parametrize("link", OTHER_PAGES)
def test_other_pages_keep_their_own_canonical_link(link: str) -> None:
    assert canonical_link(link) != "news.example.org/story"


def test_kept_query_parameters_keep_their_order() -> None:
    link = "https://a.example/s?b=2&utm_source=x&a=1"
    assert canonical_link(link) == "a.example/s?b=2&a=1"


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "mailto:a@b.example", "/relative", "", "https://[::1", "http:///x"],
)
def test_what_is_no_web_link_has_no_canonical_link(link: str) -> None:
    assert canonical_link(link) is None


def test_content_hash_ignores_case_and_whitespace_only() -> None:
    one = content_hash("Budget passed", "The council voted.\nIt passed.")
    assert one == content_hash("BUDGET  passed", " the council voted. it  passed. ")
    assert one != content_hash("Budget passed", "The council voted. It failed.")
    assert one != content_hash("Budget delayed", "The council voted.\nIt passed.")


def test_item_keys() -> None:
    keys = item_keys("city", "g1", "https://a.example/s?utm_source=x", "T", "Body")
    assert keys == ("guid:city:g1", "link:a.example/s", f"hash:{content_hash('T', 'Body')}")
    assert item_keys("other", "g1", None, "T", "")[0] == "guid:other:g1"
    # With no guid, link or text, the title is what is left to know the item by.
    assert item_keys("city", None, None, "Only a title", "") == (
        f"hash:{content_hash('Only a title', '')}",
    )
    assert item_keys("city", "g", None, "Only a title", "") == ("guid:city:g",)


def test_an_item_is_seen_by_any_one_of_its_keys(tmp_path: Path) -> None:
    index = SourcesIndex.load(tmp_path)
    first = item_keys("city", "g1", "https://a.example/s", "Title", "Body")
    index.remember("city", "city-title.txt", first, NOW)
    index.save()
    again = SourcesIndex.load(tmp_path)
    # A GUID rewrite: new GUID, same link and text.
    assert again.seen(item_keys("city", "NEW-GUID", "https://a.example/s", "Title", "Body"))
    # Same GUID, new link and text (an edited story).
    assert again.seen(item_keys("city", "g1", "https://a.example/t", "Edited", "Edited body"))
    # Same text under a new GUID and link (a moved story).
    assert again.seen(item_keys("city", "g9", "https://b.example/x", "Title", "Body"))
    # The same GUID in another source is another item.
    assert not again.seen(item_keys("other", "g1", "https://c.example/", "New", "New body"))
    assert "city-title.txt" in again.file_names()


def test_status_round_trips_and_a_new_url_forgets_the_validators(tmp_path: Path) -> None:
    index = SourcesIndex.load(tmp_path)
    state = index.state("city", "https://a.example/feed")
    state.etag, state.last_modified = '"v1"', "Fri, 27 Nov 2026 16:30:00 GMT"
    state.fetched_at, state.status, state.new_items, state.first_ok = NOW, "ok", 3, NOW
    failed = index.state("broken", "https://b.example/feed")
    failed.fetched_at, failed.status, failed.reason = NOW, "failed", "HTTP 500"
    assert index.save()
    again = SourcesIndex.load(tmp_path)
    assert again.state("city", "https://a.example/feed").etag == '"v1"'
    assert again.state("city", "https://a.example/feed").first_ok == NOW
    moved = again.state("city", "https://a.example/new-feed")
    assert (moved.etag, moved.last_modified, moved.first_ok) == (None, None, None)
    statuses = load_status(tmp_path)
    assert [(s.name, s.status, s.reason, s.new_items) for s in statuses] == [
        ("broken", "failed", "HTTP 500", 0),
        ("city", "ok", "", 3),
    ]
    assert statuses[1].url == "https://a.example/feed" and statuses[1].fetched_at == NOW


def test_load_status_of_a_folder_never_fetched_is_empty(tmp_path: Path) -> None:
    assert load_status(tmp_path) == []


def test_the_index_file_is_private_and_hidden_from_the_seed_reader(tmp_path: Path) -> None:
    index = SourcesIndex.load(tmp_path)
    index.state("city", "https://a.example/feed").status = "ok"
    index.save()
    path = tmp_path / INDEX
    assert INDEX.startswith(".") and path.stat().st_mode & 0o077 == 0


SEED = """+++
# source = "city"
# guid = "hcc-\\"1\\""
url = "https://a.example/s"
+++
Title
**Primary Article:**
Body.
"""


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_text("{not json"),
        lambda p: p.write_text(json.dumps({"version": 99, "sources": {}, "items": []})),
        lambda p: p.write_text(json.dumps({"version": 1, "sources": [], "items": 3})),
        lambda p: p.write_text(json.dumps({"version": 1, "sources": {}, "items": [{"x": 1}]})),
        lambda p: (p.write_text("{}"), p.chmod(0o666)),  # others may write it: not trusted
        None,  # missing
    ],
)
def test_a_damaged_or_missing_index_falls_back_to_the_seeds_in_the_folder(
    tmp_path: Path, damage
) -> None:
    (tmp_path / "city-title.txt").write_text(SEED)
    (tmp_path / "hand-written.txt").write_text("Title\nBody.\n")
    os.mkfifo(tmp_path / "a-fifo.txt")  # never opened for reading
    if damage is not None:
        damage(tmp_path / INDEX)
    index = SourcesIndex.load(tmp_path)
    assert index.seen(('guid:city:hcc-"1"',))
    assert index.seen(("link:a.example/s",))
    assert index.file_names() == {"city-title.txt"}
    assert index.sources == {}
