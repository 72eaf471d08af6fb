"""Social render: files per platform, every post within its limit, facets, keys, goldens."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from factories import BBC_SEEDS, SHARED, example_story, make_digest, settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from digest.config import PLATFORM_NAMES, Settings
from digest.models import Digest, Entry, RenderedFile
from digest.platforms import PLATFORMS, limit_for
from digest.render.social import Parts, fit, hashtags, idempotency_key, render_social
from digest.seeds import read_seed

LEXICONS = SHARED / "conformance" / "bluesky"
TEXT_KEY = {"x": "text", "mastodon": "status", "linkedin": "commentary", "threads": "text"}
URL = "https://example.org/a/ü-story?x=1"


def files_of(digest: Digest, config: Settings | None = None) -> dict[str, RenderedFile]:
    return {f.path: f for f in render_social(digest, config or settings())}


def payloads(files: dict[str, RenderedFile], name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(files[f"social/{name}.json"].content)
    return data


def post_text(name: str, payload: dict[str, Any]) -> str:
    return str(payload["record"]["text"] if name == "bluesky" else payload[TEXT_KEY[name]])


def with_limits(**limits: int) -> Settings:
    config = settings()
    sections = {
        name: getattr(config.platforms, name).model_copy(update={"limit": limit})
        for name, limit in limits.items()
    }
    return config.model_copy(update={"platforms": config.platforms.model_copy(update=sections)})


def unicode_digest() -> Digest:
    """A story with a link and non-ASCII headline, tagline and hashtags."""
    digest = make_digest([example_story().model_copy(update={"url": URL})])
    entry = digest.entries[0]
    summary = entry.summary.model_copy(
        update={
            "headline": "Zürich café talks 👨\u200d👩\u200d👧 — naïve plans",
            "tagline": "Ministers in Zu\u0308rich discuss migrants; 日本語 also.",
            "hashtags": ("Zürich", "Café", "ElSalvador"),
        }
    )
    return digest.model_copy(update={"entries": (Entry(story=entry.story, summary=summary),)})


@pytest.fixture(scope="module")
def bbc_digest() -> Digest:
    stories = [read_seed(path) for path in sorted(BBC_SEEDS.glob("*.txt"))]
    assert len(stories) == 30
    urls = [f"https://example.org/news/{s.slug}?utm_source=x&ref=(a_b)" for s in stories]
    return make_digest(
        [s.model_copy(update={"url": u}) for s, u in zip(stories, urls, strict=True)]
    )


# ---- files ----


def test_two_files_per_enabled_platform_in_the_digests_channels() -> None:
    files = files_of(make_digest())
    assert sorted(files) == sorted(
        f"social/{name}.{ext}" for name in PLATFORM_NAMES for ext in ("json", "txt")
    )
    only_two = files_of(make_digest(channels=("email", "x", "threads")))
    assert {path.split(".")[0] for path in only_two} == {"social/threads", "social/x"}
    config = settings()
    off = config.platforms.x.model_copy(update={"enabled": False})
    disabled = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"x": off})}
    )
    assert "social/x.json" not in files_of(make_digest(), disabled)


def test_json_is_sorted_indented_utf8_with_one_payload_per_story_in_order(
    bbc_digest: Digest,
) -> None:
    files = files_of(bbc_digest)
    raw = files["social/mastodon.json"].content.decode()
    data = json.loads(raw)
    assert raw == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert len(data) == 30
    batch = bbc_digest.slot.batch_id
    in_order = [idempotency_key(batch, e.story.id, "mastodon") for e in bbc_digest.entries]
    assert [p["idempotency_key"] for p in data] == in_order
    assert files["social/x.json"].media_type == "application/json"
    assert files["social/x.txt"].media_type.startswith("text/plain")


# ---- limits ----


def assert_within_limits(files: dict[str, RenderedFile], config: Settings) -> int:
    count = 0
    for name, platform in PLATFORMS.items():
        limit = limit_for(name, config)
        for payload in payloads(files, name):
            text = post_text(name, payload)
            if name == "linkedin":  # the commentary is already escaped: its length is the count
                assert len(text) <= limit, text
            else:
                assert platform.measure(text) <= limit, (name, text)
                assert platform.fits(text, limit), (name, text)
            assert unicodedata.normalize("NFC", text) == text
            count += 1
    return count


def test_every_post_of_the_example_digest_is_within_limits() -> None:
    assert assert_within_limits(files_of(make_digest()), settings()) == 5


def test_every_post_of_all_bbc_seeds_is_within_limits(bbc_digest: Digest) -> None:
    assert assert_within_limits(files_of(bbc_digest), settings()) == 150


@pytest.mark.parametrize("limit", [24, 40, 60, 90, 130])
def test_small_configured_limits_still_hold(bbc_digest: Digest, limit: int) -> None:
    config = with_limits(**{name: limit for name in PLATFORM_NAMES})
    assert assert_within_limits(files_of(bbc_digest, config), config) == 150


def test_shortening_drops_hashtags_before_touching_the_tagline() -> None:
    digest = make_digest()
    full = payloads(files_of(digest), "x")[0]["text"]
    config = with_limits(x=PLATFORMS["x"].measure(full) - 1)
    shorter = payloads(files_of(digest, config), "x")[0]["text"]
    assert shorter.startswith(full.rsplit("#", 1)[0].rstrip())  # headline, tagline intact
    assert shorter.count("#") == full.count("#") - 1


def test_shortening_cuts_the_tagline_at_a_word_boundary_before_the_headline() -> None:
    summary = make_digest().entries[0].summary
    parts = Parts(summary.headline, "one two three four five six", None, ("Tag",))
    budget = len(summary.headline) + len("\n\none two three…")
    fitted = fit(parts, lambda p: len(f"{p.headline}\n\n{p.tagline}") <= budget)
    assert fitted == Parts(summary.headline, "one two three…", None, ())


def test_hashtag_counts_per_platform() -> None:
    tags = ("ElSalvador", "El_Salvador", "elsalvador", "2025", "Bukele", "US-Plan", "Rubio", "Más")
    assert hashtags(tags, 2) == ("ElSalvador", "El_Salvador")
    assert hashtags(tags, 9) == ("ElSalvador", "El_Salvador", "Bukele", "Rubio", "Más")
    files = files_of(make_digest())
    expected = {"x": 2, "bluesky": 3, "mastodon": 3, "linkedin": 3, "threads": 0}
    for name, count in expected.items():
        text = post_text(name, payloads(files, name)[0])
        assert text.count("#") == count, name
    assert payloads(files, "threads")[0]["topic_tag"] == "ElSalvador"


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headline=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=90),
    tagline=st.text(max_size=200),
    limit=st.integers(min_value=30, max_value=320),
    name=st.sampled_from(PLATFORM_NAMES),
)
def test_fit_always_ends_within_the_limit(
    headline: str, tagline: str, limit: int, name: str
) -> None:
    platform = PLATFORMS[name]
    parts = Parts(headline.strip() or "x", tagline, URL, ("Alpha", "Beta"))

    def text(p: Parts) -> str:
        lines = [p.headline, p.tagline, p.url or "", " ".join("#" + t for t in p.hashtags)]
        return unicodedata.normalize("NFC", "\n\n".join(line for line in lines if line))

    assert platform.measure(text(fit(parts, lambda p: platform.fits(text(p), limit)))) <= limit


# ---- Bluesky ----


def test_bluesky_facets_slice_exactly_their_url_and_tags() -> None:
    record = payloads(files_of(unicode_digest()), "bluesky")[0]["record"]
    raw = record["text"].encode("utf-8")
    seen = []
    for facet in record["facets"]:
        piece = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        (feature,) = facet["features"]
        if feature["$type"] == "app.bsky.richtext.facet#link":
            assert piece == feature["uri"] == URL
        else:
            assert feature["$type"] == "app.bsky.richtext.facet#tag"
            assert piece == "#" + feature["tag"]
        seen.append(piece)
    assert seen == [URL, "#Zürich", "#Café", "#ElSalvador"]
    assert "Zürich café" in record["text"] and "Zürich discuss" in record["text"]  # NFC


def test_bluesky_record_follows_the_lexicon() -> None:
    lexicon = json.loads((LEXICONS / "post.json").read_text("utf-8"))["defs"]["main"]["record"]
    external = json.loads((LEXICONS / "external.json").read_text("utf-8"))["defs"]["external"]
    for item in payloads(files_of(unicode_digest()), "bluesky"):
        assert set(item) <= {"idempotency_key", "collection", "record", "repo"}
        record = item["record"]
        assert set(lexicon["required"]) <= set(record)
        assert set(record) - {"$type"} <= set(lexicon["properties"])
        assert record["createdAt"] == "2026-11-28T08:00:00.000Z"
        assert 1 <= len(record["langs"]) <= 3
        card = record["embed"]["external"]
        assert record["embed"]["$type"] == "app.bsky.embed.external"
        assert set(external["required"]) <= set(card) <= set(external["properties"])
        for facet in record["facets"]:
            assert 0 <= facet["index"]["byteStart"] < facet["index"]["byteEnd"]


def test_a_story_without_url_has_no_link_facet_or_embed() -> None:
    record = payloads(files_of(make_digest()), "bluesky")[0]["record"]
    assert "embed" not in record
    assert all("#tag" in f["features"][0]["$type"] for f in record["facets"])
    assert "http" not in payloads(files_of(make_digest()), "x")[0]["text"]


# ---- keys, determinism, the consumer's check ----


def test_idempotency_keys_are_unique_and_deterministic(bbc_digest: Digest) -> None:
    files = files_of(bbc_digest)
    keys = [p["idempotency_key"] for name in PLATFORM_NAMES for p in payloads(files, name)]
    assert len(keys) == len(set(keys)) == 150
    story = bbc_digest.entries[0].story.id
    expected = f"{bbc_digest.slot.batch_id}|{story}|x|1"
    assert (
        payloads(files, "x")[0]["idempotency_key"] == hashlib.sha256(expected.encode()).hexdigest()
    )
    assert files_of(bbc_digest) == files


def test_output_passes_the_consumers_check_batch(tmp_path: Path, bbc_digest: Digest) -> None:
    spec = importlib.util.spec_from_file_location(
        "check_batch", SHARED / "tools" / "check_batch.py"
    )
    assert spec and spec.loader
    check_batch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_batch)
    for rendered in render_social(bbc_digest, settings()):
        path = tmp_path / rendered.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered.content)
    check_batch.check_social(tmp_path)
    assert check_batch.problems == []


# ---- what editors read ----


@pytest.mark.parametrize("name", PLATFORM_NAMES)
def test_editor_text_matches_golden(name: str, golden: Any) -> None:
    golden(f"social/{name}.txt", files_of(make_digest())[f"social/{name}.txt"].content.decode())


def test_editor_text_shows_each_post_and_its_count(bbc_digest: Digest) -> None:
    files = files_of(bbc_digest)
    text = files["social/linkedin.txt"].content.decode()
    first = payloads(files, "x")[0]["text"]
    assert text.count("--- post ") == 30 and "--- post 30 of 30 ·" in text
    assert first.split("\n")[0] in files["social/x.txt"].content.decode()
    assert "\\(" not in text  # editors read the text, not the escaped commentary
