"""The platform registry: counting against the platforms' official test data, limits, payloads."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from factories import SHARED, settings
from twitter_text import parse_tweet

from digest.config import PLATFORM_NAMES
from digest.platforms import (
    LINKEDIN_AUTHOR_PLACEHOLDER,
    PLATFORMS,
    Post,
    X,
    bluesky_facets,
    escape_little,
    graphemes,
    limit_for,
    little_text,
    mastodon_length,
    twitter_config,
)

CONFORMANCE = SHARED / "conformance"
FAMILY = "👨\u200d👩\u200d👧\u200d👧"  # one grapheme, 25 UTF-8 bytes


def cases(name: str) -> list[Any]:
    rows = [json.loads(line) for line in (CONFORMANCE / name).read_text("utf-8").splitlines()]
    return [pytest.param(row, id=row.get("id") or row["description"]) for row in rows if row]


# ---- official conformance data ----


@pytest.mark.parametrize("case", cases("twitter_weighted_length.jsonl"))
def test_x_conformance(case: dict[str, Any]) -> None:
    # Every section, each with its own config: `tweets` is the legacy v1 rule (140, weight 1).
    version = int(case["config"].removeprefix("v"))
    options = twitter_config(version)
    x = X(options)
    if case["weightedLength"] is not None:
        assert x.measure(case["text"]) == case["weightedLength"]
    assert x.fits(case["text"], options["max_weighted_tweet_length"]) is case["valid"]
    result = parse_tweet(case["text"], options)
    for field in ("permillage", "validRangeStart", "validRangeEnd"):
        if field in case:
            assert getattr(result, field) == case[field], field
    for field in ("displayRangeStart", "displayRangeEnd"):
        if field in case:
            assert getattr(result, field) == case[field], field


@pytest.mark.parametrize("case", cases("bluesky_grapheme_length.jsonl"))
def test_bluesky_conformance(case: dict[str, Any]) -> None:
    assert PLATFORMS["bluesky"].measure(case["text"]) == case["graphemes"]
    assert len(case["text"].encode("utf-8")) == case["utf8Length"]


@pytest.mark.parametrize("case", cases("mastodon_status_length.jsonl"))
def test_mastodon_conformance(case: dict[str, Any]) -> None:
    length = mastodon_length(case["text"], case["spoiler_text"])
    assert (length <= case["max_chars"]) is case["valid"]
    if not case["spoiler_text"]:
        assert PLATFORMS["mastodon"].fits(case["text"], case["max_chars"]) is case["valid"]


# ---- the registry and limits ----


def test_registry_has_every_platform_with_its_standard_limit() -> None:
    assert tuple(PLATFORMS) == PLATFORM_NAMES
    limits = {name: p.limit for name, p in PLATFORMS.items()}
    assert limits == {"x": 280, "bluesky": 300, "mastodon": 500, "linkedin": 3000, "threads": 500}
    assert all(p.name == name for name, p in PLATFORMS.items())


def test_limit_for_uses_config_or_the_standard_limit() -> None:
    config = settings()
    assert limit_for("x", config) == 280
    assert limit_for("mastodon", config) == 500  # set explicitly in config.toml
    premium = config.platforms.x.model_copy(update={"limit": 25_000})
    changed = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"x": premium})}
    )
    assert limit_for("x", changed) == 25_000


# ---- measures ----


def test_x_counts_urls_as_23_cjk_and_emoji_as_2_after_nfc() -> None:
    x = PLATFORMS["x"]
    assert x.measure("read https://example.org/a/very/long/path/indeed?x=1") == 5 + 23
    assert x.measure("日本") == 4
    assert x.measure(FAMILY) == 2
    assert x.measure("e\u0301") == x.measure("é") == 1


def test_x_fits_needs_a_valid_tweet_within_the_limit() -> None:
    x = PLATFORMS["x"]
    assert x.fits("a" * 280, 280)
    assert not x.fits("a" * 281, 280)
    assert x.fits("a" * 281, 25_000)  # X Premium, set as the platform's limit
    assert not x.fits("", 280)
    assert not x.fits("bad \ufffe char", 280)


def test_bluesky_counts_graphemes_and_also_caps_bytes() -> None:
    bluesky = PLATFORMS["bluesky"]
    assert bluesky.measure("a" + FAMILY + "é") == 3
    assert bluesky.fits(FAMILY * 120, 300)  # 3000 bytes exactly
    assert not bluesky.fits(FAMILY * 121, 300)  # 121 graphemes, but 3025 bytes


def test_mastodon_counts_links_23_and_remote_mentions_as_local() -> None:
    mastodon = PLATFORMS["mastodon"]
    assert mastodon.measure("see https://example.org/" + "x" * 100) == 4 + 23
    assert mastodon.measure("hi @alice@example.social") == len("hi @alice")
    assert mastodon.measure("https://mastodon.social/@digest") == 23
    assert mastodon.measure(FAMILY + FAMILY) == 2
    assert graphemes("नमस्ते") == 3


def test_linkedin_counts_the_escaped_commentary() -> None:
    linkedin = PLATFORMS["linkedin"]
    assert linkedin.measure("a_b (c)") == len(r"a\_b \(c\)")
    assert linkedin.measure("#Tag") == len(r"{hashtag|\#|Tag}")


def test_threads_counts_utf8_bytes() -> None:
    threads = PLATFORMS["threads"]
    assert threads.measure("é") == 2
    assert threads.measure(FAMILY) == 25
    assert threads.fits("é" * 250, 500)
    assert not threads.fits("é" * 251, 500)


# ---- LinkedIn little text ----


def unescape_little(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize(
    "text", ["f(x) = a_b @home #1 [note] C:\\path", "\\\\()_@#[]|{}<>*~", "plain text, ünïcode"]
)
def test_little_escaping_is_reversible(text: str) -> None:
    escaped = escape_little(text)
    assert unescape_little(escaped) == text
    assert re.fullmatch(r"(?:[^\\|{}@\[\]()<>#*_~]|\\.)*", escaped, re.DOTALL)


def test_little_text_writes_hashtags_as_templates_and_escapes_the_rest() -> None:
    text = "Talks (day 2) in Zürich_HQ\n#ElSalvador #2025 a#b"
    assert little_text(text) == (
        "Talks \\(day 2\\) in Zürich\\_HQ\n{hashtag|\\#|ElSalvador} \\#2025 a\\#b"
    )


# ---- payloads ----


def post(**fields: Any) -> Post:
    defaults: dict[str, Any] = {"story_id": "s-1", "text": "Hello", "idempotency_key": "k" * 64}
    return Post(**{**defaults, **fields})


def test_payloads_use_each_api_field_names() -> None:
    x = PLATFORMS["x"].payload(post())
    assert x == {"text": "Hello", "idempotency_key": "k" * 64}
    mastodon = PLATFORMS["mastodon"].payload(post(language="de"))
    assert mastodon["status"] == "Hello" and mastodon["language"] == "de"
    assert mastodon["visibility"] == "public" and mastodon["in_reply_to_id"] is None
    threads = PLATFORMS["threads"].payload(post(topic_tag="News"))
    assert threads["media_type"] == "TEXT" and threads["topic_tag"] == "News"
    assert threads["reply_to_id"] is None
    linkedin = PLATFORMS["linkedin"].payload(post(text="a (b)"))
    assert linkedin["commentary"] == "a \\(b\\)"
    assert linkedin["author"] == LINKEDIN_AUTHOR_PLACEHOLDER
    assert linkedin["lifecycleState"] == "PUBLISHED" and linkedin["visibility"] == "PUBLIC"
    assert linkedin["distribution"]["feedDistribution"] == "MAIN_FEED"


def test_bluesky_payload_is_a_create_record_input_with_embed_for_a_link() -> None:
    url = "https://example.org/ü"
    payload = PLATFORMS["bluesky"].payload(
        post(text=f"Hi {url}", url=url, title="T", description="D", account="example.org")
    )
    assert payload["collection"] == "app.bsky.feed.post" and payload["repo"] == "example.org"
    record = payload["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["langs"] == ["en"]
    assert record["embed"]["external"] == {"uri": url, "title": "T", "description": "D"}
    assert "embed" not in PLATFORMS["bluesky"].payload(post())["record"]


def test_bluesky_facets_slice_the_url_and_tags_by_utf8_bytes() -> None:
    url = "https://example.org/a/ü-story?x=1"
    text = f"Zürich {FAMILY} café\n{url}\n#Zürich #Café #NotMine"
    facets = bluesky_facets(text, url, ("Zürich", "Café"))
    raw = text.encode("utf-8")
    sliced = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert sliced == [url, "#Zürich", "#Café"]
    assert facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": url}]
    assert facets[1]["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "Zürich"}]
