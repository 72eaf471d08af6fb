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
    MAX_ITEMS,
    Memory,
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
    "https://news.example.org/story?fbclid=abc&gclid=1&mc_cid=2&mc_eid=3&ref_src=home",
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
    "https://news.example.org/story?ref=4",  # a site's own parameter (press.php?ref=4)
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


def keys(guid: str | None, link: str | None, title: str, text: str) -> tuple[str, ...]:
    return item_keys("city", guid, link, title, text)


EARLIER = keys("g1", "https://a.example/s", "Title", "Body")
HOME = "https://a.example/"
# (the item, the GUID keys of the feed being read, whether it duplicates EARLIER)
MATCHES = [
    # Its GUID known: the same item, edited or moved.
    (keys("g1", "https://a.example/t", "Edited", "Edited body"), {"guid:city:g1"}, True),
    # A GUID rewrite: new GUID, same link and text, the old GUID gone from the feed.
    (keys("NEW", "https://a.example/s", "Title", "Body"), {"guid:city:NEW"}, True),
    # Same link, or same text, as an item whose GUID the feed no longer carries.
    (keys("NEW", "https://a.example/s", "Other", "Other body"), {"guid:city:NEW"}, True),
    (keys("NEW", "https://b.example/x", "Title", "Body"), {"guid:city:NEW"}, True),
    # One story under two GUIDs (same link and text) while both are in the feed.
    (keys("g2", "https://a.example/s", "Title", "Body"), {"guid:city:g1", "guid:city:g2"}, True),
    # Same link, other text, the earlier item still in the feed: another story on that page.
    (keys("g2", "https://a.example/s", "New", "News"), {"guid:city:g1", "guid:city:g2"}, False),
    # Same title and text (a recurring notice), another link, the earlier one still there.
    (keys("g2", "https://a.example/n2", "Title", "Body"), {"guid:city:g1", "guid:city:g2"}, False),
    # Without a GUID: by link, else by text.
    (keys(None, "https://a.example/s?utm_source=x", "Other", "Other"), {"guid:city:g1"}, True),
    (keys(None, "https://a.example/other", "Title", "Body"), {"guid:city:g1"}, False),
    (keys(None, None, "Title", "Body"), {"guid:city:g1"}, True),
    (keys(None, None, "Title", "Other body"), {"guid:city:g1"}, False),
    # Nothing in common.
    (keys("g3", "https://a.example/z", "Z", "Zed"), {"guid:city:g1"}, False),
]


@pytest.mark.parametrize(("item", "current", "duplicate"), MATCHES)
def test_which_item_duplicates_an_earlier_one_of_its_source(
    tmp_path: Path, item: tuple[str, ...], current: set[str], duplicate: bool
) -> None:
    index = SourcesIndex.load(tmp_path)
    index.remember("city", "city-title.txt", EARLIER, NOW)
    index.save()
    again = SourcesIndex.load(tmp_path)
    assert (again.duplicate("city", item, current) is not None) is duplicate
    # Another source's items are never its duplicates, by GUID, link or text.
    assert again.duplicate("other", item, current) is None
    assert "city-title.txt" in again.file_names()


def test_distinct_stories_sharing_a_homepage_link_are_no_duplicates() -> None:
    memory = Memory()
    feed = [keys(f"g{n}", HOME, f"Story {n}", f"Text {n}") for n in range(5)]
    current = {item[0] for item in feed}
    for item in feed:
        assert memory.match(item, current) is None
        memory.add(item)
    assert all(memory.match(item, current) == "same GUID" for item in feed)


def test_a_no_guid_earlier_item_is_one_the_feed_rewrote() -> None:
    memory = Memory()
    memory.add(keys(None, HOME + "s", "T", "Body"))  # the feed gave no GUIDs, now it does
    why = memory.match(keys("g1", HOME + "s", "T", "Edited"), {"guid:city:g1"})
    assert why is not None and "rewritten" in why


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
    assert index.duplicate("city", ('guid:city:hcc-"1"',), set()) == "same GUID"
    assert index.duplicate("city", ("link:a.example/s",), set()) == "same link"
    assert index.file_names() == {"city-title.txt"}
    assert index.sources == {}


def test_each_source_keeps_its_own_newest_items(tmp_path: Path) -> None:
    index = SourcesIndex.load(tmp_path)
    small = item_keys("small", "s1", HOME + "s1", "S", "One")
    index.remember("small", "small-one.txt", small, NOW)
    for n in range(MAX_ITEMS + 50):  # a large feed's many items, after the small one's
        index.remember("large", "", (f"guid:large:{n}",), NOW)
    index.save()
    again = SourcesIndex.load(tmp_path)
    assert again.duplicate("small", small, set()) == "same GUID"  # never evicted for another's
    assert again.duplicate("large", ("guid:large:49",), set()) is None  # the oldest evicted
    assert again.duplicate("large", (f"guid:large:{MAX_ITEMS + 49}",), set()) == "same GUID"
    assert sum(item.source == "large" for item in again.items) == MAX_ITEMS


@pytest.mark.parametrize("index_state", ["kept", "emptied", "missing"])
def test_the_seeds_in_the_folder_always_count(tmp_path: Path, index_state: str) -> None:
    index = SourcesIndex.load(tmp_path)
    index.state("city", "https://a.example/feed").status = "ok"
    if index_state != "emptied":
        index.remember("city", "city-other.txt", keys("g9", HOME + "o", "O", "Other"), NOW)
    index.save()
    if index_state == "missing":
        (tmp_path / INDEX).unlink()
    (tmp_path / "city-title.txt").write_text(SEED)  # a seed the index does not (or no longer) know
    again = SourcesIndex.load(tmp_path)
    assert again.duplicate("city", keys('hcc-"1"', None, "", ""), set()) == "same GUID"
    assert again.duplicate("city", keys(None, "https://a.example/s", "", ""), set()) is not None
    assert "city-title.txt" in again.file_names()
    assert (again.duplicate("city", keys("g9", None, "", ""), set()) is not None) is (
        index_state == "kept"  # an item only the index knew (no seed in the folder)
    )
    # Recovered keys are the folder's, not saved in the index.
    again.save()
    saved = json.loads((tmp_path / INDEX).read_text())
    assert all(item["file"] != "city-title.txt" for item in saved["items"])
