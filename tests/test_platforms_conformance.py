"""Every case of the platforms' official test data in tests/data/conformance/*.jsonl passes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from support import tweet_entities as entities
from support.factories import CONFORMANCE
from twitter_text import extract_urls, extract_urls_with_indices, parse_tweet

from digest.platforms import PLATFORMS
from digest.platforms.mastodon import mastodon_length
from digest.platforms.richtext import detect_facets
from digest.platforms.x import X, twitter_config
from digest.platforms.x import hashtags as x_hashtags

CASES = {  # file: number of cases, as tests/data/README.md lists them
    "twitter_weighted_length.jsonl": 52,
    "twitter_validate_entities.jsonl": 45,
    "twitter_extract_hashtags_urls.jsonl": 210,
    "bluesky_detect_facets.jsonl": 97,
    "bluesky_grapheme_length.jsonl": 15,
    "mastodon_status_length.jsonl": 10,
}


def rows(name: str) -> list[dict[str, Any]]:
    lines = (CONFORMANCE / name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def cases(name: str) -> list[Any]:
    return [pytest.param(row, id=row.get("id") or row["description"]) for row in rows(name)]


def test_every_conformance_file_is_tested_with_all_its_cases() -> None:
    assert sorted(p.name for p in CONFORMANCE.glob("*.jsonl")) == sorted(CASES)
    assert {name: len(rows(name)) for name in CASES} == CASES


def utf16(text: str, span: tuple[int, int] | list[int]) -> list[int]:
    return [entities.utf16_index(text, span[0]), entities.utf16_index(text, span[1])]


# ---- X ----


@pytest.mark.parametrize("case", cases("twitter_weighted_length.jsonl"))
def test_x_weighted_length(case: dict[str, Any]) -> None:
    # Every section with its own config: `tweets` is the legacy v1 rule (140, weight 1).
    options = twitter_config(int(case["config"].removeprefix("v")))
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


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "usernames": entities.is_valid_username,
    "lists": entities.is_valid_list,
    "hashtags": x_hashtags.is_valid_hashtag,
    "urls": entities.is_valid_url,
    "urls_without_protocol": lambda url: entities.is_valid_url(url, require_protocol=False),
}


@pytest.mark.parametrize("case", cases("twitter_validate_entities.jsonl"))
def test_x_entity_validity(case: dict[str, Any]) -> None:
    assert VALIDATORS[case["section"]](case["text"]) is case["valid"]


def extracted(section: str, text: str) -> list[Any]:
    if section in ("hashtags", "hashtags_from_astral"):
        return x_hashtags.extract_hashtags(text)
    if section == "hashtags_with_indices":
        found = x_hashtags.extract_hashtags_with_indices(text)
        return [{"hashtag": e["text"], "indices": utf16(text, e["indices"])} for e in found]
    if section == "mentions":
        return entities.extract_mentions(text)
    if section == "mentions_with_indices":
        found = entities.extract_mentions_with_indices(text)
        return [{"screen_name": e["text"], "indices": utf16(text, e["indices"])} for e in found]
    if section in ("urls", "tco_urls_with_params"):
        return list(extract_urls(text))
    assert section in ("urls_with_indices", "urls_with_directional_markers")
    urls = extract_urls_with_indices(text)
    return [{"url": u["url"], "indices": utf16(text, u["indices"])} for u in urls]


@pytest.mark.parametrize("case", cases("twitter_extract_hashtags_urls.jsonl"))
def test_x_extraction(case: dict[str, Any]) -> None:
    assert extracted(case["section"], case["text"]) == case["expected"]


# ---- Bluesky ----


@pytest.mark.parametrize("case", cases("bluesky_grapheme_length.jsonl"))
def test_bluesky_graphemes(case: dict[str, Any]) -> None:
    assert PLATFORMS["bluesky"].measure(case["text"]) == case["graphemes"]
    assert len(case["text"].encode("utf-8")) == case["utf8Length"]


def resolve(handle: str) -> str:
    return f"did:fake:{handle}"  # what the reference test's mocked resolveHandle answers


@pytest.mark.parametrize("case", cases("bluesky_detect_facets.jsonl"))
def test_bluesky_facet_detection(case: dict[str, Any]) -> None:
    text = case["text"]
    raw = text.encode("utf-8")
    assert len(raw) == case["utf8Length"]
    facets = detect_facets(text, resolve)
    if case["kind"] == "segments":
        got = []
        for facet in facets:
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            (feature,) = facet["features"]
            kind = feature["$type"].removeprefix("app.bsky.richtext.facet#")
            value = feature.get("did") or feature.get("uri") or feature.get("tag")
            piece = raw[start:end].decode("utf-8")
            got.append(
                {"byteStart": start, "byteEnd": end, "type": kind, "value": value, "text": piece}
            )
        assert got == case["expectedFacets"]
    else:
        assert [f["features"][0]["tag"] for f in facets] == case["expectedTags"]
        assert [f["index"] for f in facets] == case["expectedIndices"]


# ---- Mastodon ----


@pytest.mark.parametrize("case", cases("mastodon_status_length.jsonl"))
def test_mastodon_status_length(case: dict[str, Any]) -> None:
    length = mastodon_length(case["text"], case["spoiler_text"])
    assert (length <= case["max_chars"]) is case["valid"]
    if not case["spoiler_text"]:
        assert PLATFORMS["mastodon"].fits(case["text"], case["max_chars"]) is case["valid"]
