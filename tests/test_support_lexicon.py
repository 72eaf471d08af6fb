"""The Lexicon validator, on the Bluesky lexicons in tests/data/conformance/bluesky/."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support.factories import LEXICONS_DIR
from support.lexicon import Lexicons, load_lexicons

LEXICONS = load_lexicons(LEXICONS_DIR)
TEXT = "Hello #Tag https://example.org/ü"
RECORD: dict[str, Any] = {
    "$type": "app.bsky.feed.post",
    "text": TEXT,
    "createdAt": "2026-11-28T08:00:00.000Z",
    "langs": ["en", "pt-BR"],
    "facets": [
        {
            "index": {"byteStart": 6, "byteEnd": 10},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Tag"}],
        },
        {
            "index": {"byteStart": 11, "byteEnd": 33},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/ü"}],
        },
    ],
    "embed": {
        "$type": "app.bsky.embed.external",
        "external": {"uri": "https://example.org/ü", "title": "T", "description": ""},
    },
}


def changed(path: str, value: Any) -> dict[str, Any]:
    """RECORD with the value at a dotted path replaced (or removed, for ...)."""
    record = copy.deepcopy(RECORD)
    *parents, last = path.split(".")
    node: Any = record
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[last]
    else:
        node[int(last) if isinstance(node, list) else last] = value
    return record


def test_the_vendored_lexicons_load() -> None:
    assert {"app.bsky.feed.post", "app.bsky.richtext.facet", "app.bsky.embed.external"} <= set(
        LEXICONS.docs
    )


def test_a_good_post_record_is_valid_even_strictly() -> None:
    assert LEXICONS.validate_record(RECORD, strict=True) == []


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("text", ..., "$.text: required"),
        ("createdAt", ..., "$.createdAt: required"),
        ("text", "x" * 301, "$.text: 301 graphemes, more than maxGraphemes 300"),
        (
            "text",
            "👨\u200d👩\u200d👧\u200d👧" * 121,
            "$.text: 3025 bytes, more than maxLength 3000",
        ),
        ("text", 7, "$.text: must be a string"),
        ("createdAt", "28/11/2026", "$.createdAt: '28/11/2026' is not a valid datetime"),
        ("langs", ["en", "de", "fr", "it"], "$.langs: 4 items, more than maxLength 3"),
        ("langs", ["not a tag"], "$.langs[0]: 'not a tag' is not a valid language"),
        ("facets.0.index.byteStart", -1, "$.facets[0].index.byteStart: -1 is outside 0..None"),
        ("facets.0.index.byteEnd", "10", "$.facets[0].index.byteEnd: must be an integer"),
        ("facets.0.features.0.tag", "t" * 65, "$.facets[0].features[0].tag: 65 graphemes"),
        ("facets.1.features.0.uri", "not a uri", "$.facets[1].features[0].uri: 'not a uri'"),
        ("facets.1.features.0", {"uri": "https://a.org"}, "$.facets[1].features[0]: a union"),
        ("facets.1.features.0.$type", "app.bsky.richtext.facet#bold", "is not one of"),
        ("embed.external.title", ..., "$.embed.external.title: required"),
        ("embed.$type", "app.bsky.embed.images", "app.bsky.embed.images, which no loaded"),
        ("$type", "app.bsky.feed.like", "refers to app.bsky.feed.like"),
        ("reply", None, "$.reply: may not be null"),
        ("reply", {"root": {"uri": "at://x", "cid": "bafyreib2rxk3rybk"}}, "$.reply.parent"),
    ],
)
def test_each_violation_is_named_with_its_path(path: str, value: Any, problem: str) -> None:
    problems = LEXICONS.validate_record(changed(path, value))
    assert any(p.startswith(problem) or problem in p for p in problems), problems


def test_unknown_fields_are_allowed_unless_strict() -> None:
    record = changed("mood", "sunny")
    assert LEXICONS.validate_record(record) == []
    assert LEXICONS.validate_record(record, strict=True) == ["$.mood: not in the lexicon"]


def test_a_create_record_input_is_checked_with_its_record() -> None:
    body = {"repo": "example.org", "collection": "app.bsky.feed.post", "record": RECORD}
    assert LEXICONS.validate_input("com.atproto.repo.createRecord", body) == []
    assert LEXICONS.validate_input("com.atproto.repo.createRecord", {"record": {}}) == [
        "$.repo: required",
        "$.collection: required",
    ]
    assert Lexicons([]).validate_record(RECORD) == [
        "$: refers to app.bsky.feed.post, which no loaded lexicon defines"
    ]
