"""Social composition: each platform's mode, the digest-wide roundup thread, stable keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.factories import (
    BBC_SEEDS,
    LEXICONS_DIR,
    ROOT,
    make_digest,
    project,
    settings,
    slot,
    write_seed,
)
from support.lexicon import load_lexicons
from support.social import API_FIELDS, configured, envelopes, post_text

from digest.channels import PLATFORM_NAMES
from digest.config import Settings, load_config
from digest.errors import ConfigError
from digest.models import Digest
from digest.pipeline import build
from digest.platforms import PLATFORMS, limit_for
from digest.render.social import render_social
from digest.render.social.common import idempotency_key
from digest.seeds import read_seed

LEXICONS = load_lexicons(LEXICONS_DIR)
MODES = {name: ("post", "summary", "thread") for name in PLATFORM_NAMES}
MODES["linkedin"] = ("post", "summary")


def bbc(count: int = 5) -> Digest:
    stories = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:count]]
    urls = [f"https://example.org/news/{s.slug}" for s in stories]
    return make_digest(
        [s.model_copy(update={"url": u}) for s, u in zip(stories, urls, strict=True)]
    )


def items_of(digest: Digest, config: Settings, name: str) -> list[dict[str, Any]]:
    files = {f.path: f for f in render_social(digest, config)}
    return envelopes(files, name)


def roundup_config() -> Settings:
    config = settings()
    return config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"roundup": True})}
    )


def assert_api_bodies_within_limits(
    name: str, items: list[dict[str, Any]], config: Settings
) -> None:
    platform, limit = PLATFORMS[name], limit_for(name, config)
    for item in items:
        request = item["request"]
        assert set(request) <= API_FIELDS[name], set(request) - API_FIELDS[name]
        assert platform.fits(post_text(name, request), limit)
        if name == "bluesky":
            assert LEXICONS.validate_input("com.atproto.repo.createRecord", request, True) == []
        if item["part"] > 1:
            assert set(item["reply_to"]) == {"root", "parent"}


# ---- modes ----


def test_x_and_bluesky_post_each_story_as_one_post_of_title_link_and_tags_by_default() -> None:
    digest = bbc()
    for name in ("x", "bluesky"):
        assert settings().platforms.mode_of(name) == "post"
        items = items_of(digest, settings(), name)
        assert len(items) == len(digest.entries)  # one post per story, no thread
        for item, entry in zip(items, digest.entries, strict=True):
            text = post_text(name, item["request"])
            assert "• " not in text and not text.endswith(f"1/{item['parts']}")
            assert text.split("\n\n")[0] == entry.story.title  # the whole title, not cut at 70
            assert str(entry.story.url) in text and "#" in text
            assert entry.summary.tagline not in text


@pytest.mark.parametrize(("name", "mode"), [(n, m) for n in PLATFORM_NAMES for m in MODES[n]])
def test_each_mode_on_each_platform_is_within_limits_and_exactly_the_api_body(
    name: str, mode: str
) -> None:
    digest = bbc()
    config = configured(settings(), **{name: {"mode": mode, "limit": None}})
    items = items_of(digest, config, name)
    assert_api_bodies_within_limits(name, items, config)
    texts = [post_text(name, i["request"]) for i in items]
    stories = {i["story_id"] for i in items}
    assert stories == {e.story.id for e in digest.entries}
    for text, item in zip(texts, items, strict=True):  # a thread's parts are numbered
        assert (item["parts"] > 1) is text.endswith(f"\n\n{item['part']}/{item['parts']}")
    if mode != "thread":
        assert len(items) == len(digest.entries) and all(i["parts"] == 1 for i in items)
    elif name in ("x", "bluesky"):
        assert len(items) > len(digest.entries)  # these stories are longer than one post
    assert any("• " in t for t in texts) is (mode != "post")


def test_config_validates_mode_and_roundup_with_dotted_keys(tmp_path: Path) -> None:
    text = (ROOT / "config.toml").read_text("utf-8")
    bad = text.replace(
        'mode = "post"                                      #', 'mode = "tweet" #', 1
    )
    bad = bad.replace("roundup = false", 'roundup = "sometimes"')
    bad = bad.replace("[platforms.linkedin]\n", '[platforms.linkedin]\nmode = "thread"\n')
    bad = bad.replace("[platforms.threads]\n", "[platforms.threads]\nthread = true\n")
    bad = bad.replace(
        'url = "https://www.threads.net/@exampledigest"\nmode = "summary"',
        'url = "https://www.threads.net/@exampledigest"\nmode = "post"',
    )
    (tmp_path / "config.toml").write_text(bad, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.toml")
    problems = dict(caught.value.problems)
    assert set(problems) >= {
        "platforms.x.mode",
        "platforms.roundup",
        "platforms.linkedin.mode",
        "platforms.threads.thread",
    }
    assert "'post', 'summary' or 'thread'" in problems["platforms.x.mode"]
    assert "LinkedIn posts have no threads" in problems["platforms.linkedin.mode"]
    assert "disagree" in problems["platforms.threads.thread"]


# ---- the roundup ----


@pytest.mark.parametrize("name", PLATFORM_NAMES)
def test_the_roundup_is_one_numbered_thread_for_the_digest(name: str) -> None:
    digest, config = bbc(), roundup_config()
    items = items_of(digest, config, name)
    assert_api_bodies_within_limits(name, items, config)
    texts = [post_text(name, i["request"]) for i in items]
    opening = "The Morning Digest, 28 November: 5 stories"
    assert texts[0].startswith(opening)
    batch = digest.slot.batch_id
    if name == "linkedin":  # no threads: one post with every story that fits
        (item,) = items
        assert item["idempotency_key"] == idempotency_key(batch, "roundup", name, 1)
        assert all(e.story.title in texts[0] for e in digest.entries)
        return
    assert len(items) == len(digest.entries) + 1
    slugs = ["roundup"] + [e.story.slug for e in digest.entries]
    keys = [idempotency_key(batch, s, name, n) for n, s in enumerate(slugs, 1)]
    assert [i["idempotency_key"] for i in items] == keys
    assert [i["story_id"] for i in items] == ["roundup"] + [e.story.id for e in digest.entries]
    for number, (item, text) in enumerate(zip(items, texts, strict=True), 1):
        assert text.endswith(f"\n\n{number}/{len(items)}") and item["parts"] == len(items)
        if number > 1:
            entry = digest.entries[number - 2]
            assert text.startswith(entry.story.title) and str(entry.story.url) in text
            assert item["reply_to"] == {"root": keys[0], "parent": keys[number - 2]}


def test_a_roundup_part_too_long_is_shortened_never_cutting_the_link() -> None:
    digest = bbc(30)
    config = configured(roundup_config(), x={"limit": 60}, bluesky={"limit": 60})
    for name in ("x", "bluesky"):
        for item in items_of(digest, config, name):
            assert PLATFORMS[name].fits(post_text(name, item["request"]), 60)


# ---- keys ----


def test_keys_stay_the_same_when_a_story_is_edited_and_its_slot_rebuilt(tmp_path: Path) -> None:
    channels = ("x", "bluesky", "mastodon", "linkedin", "threads")
    config = project(tmp_path, [{"name": "morning", "at": "08:00"}], channels)
    seed = write_seed(tmp_path / "seeds", 1)
    when = slot("morning", "2026-11-28T08:00")

    def keys() -> dict[str, list[str]]:
        social = next((tmp_path / "outbox").glob("*/morning-0800")) / "social"
        return {
            name: [i["idempotency_key"] for i in json.loads((social / f"{name}.json").read_text())]
            for name in channels
        }

    build(config, when, durable=False)
    before = keys()
    seed.write_text(seed.read_text("utf-8").replace("welcomed it", "cheered it"), "utf-8")
    build(config, when, force=True, durable=False)
    assert keys() == before and all(before.values())
