"""The platform registry: limits, measures and their shortcuts, LinkedIn text, payloads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.factories import ROOT, settings
from support.social import API_FIELDS
from twitter_text.has_invalid_characters import has_invalid_characters

from digest import cli
from digest.channels import PLATFORM_NAMES
from digest.config import load_config
from digest.errors import ConfigError
from digest.platforms import PLATFORMS, limit_for, measure_text
from digest.platforms.base import Post
from digest.platforms.bluesky import post_facets
from digest.platforms.linkedin import AUTHOR_PLACEHOLDER as LINKEDIN_AUTHOR_PLACEHOLDER
from digest.platforms.linkedin import escape_little, little_text, read_little
from digest.platforms.mastodon import mastodon_length
from digest.platforms.x import X
from digest.platforms.x.count import weighted_length
from digest.text import grapheme_count

FAMILY = "👨\u200d👩\u200d👧\u200d👧"  # one grapheme, 25 UTF-8 bytes
DIGEST = Path(sys.executable).parent / "digest"

# Text the way posts are: words, links, tags, mentions, and the characters that count oddly.
PIECES = st.sampled_from(
    [
        "word", "Zürich", "e\u0301", "日本語", "שלום", "مرحبا", FAMILY, "👍🏽", "©", "1️⃣", " ", "\n",
        "(", ")", "_", "@", "#", "#Tag", "@alice@example.social", "https://example.org/a_(b)",
        "example.com", "http://x.co", "\u200d", "\ufeff", ".", "…",
    ]
)  # fmt: skip
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=40).map("".join)


# ---- the registry and limits ----


def test_registry_has_every_platform_with_its_standard_limit() -> None:
    assert tuple(PLATFORMS) == PLATFORM_NAMES  # what `digest measure --platform` offers
    limits = {name: p.limit for name, p in PLATFORMS.items()}
    assert limits == {"x": 280, "bluesky": 300, "mastodon": 500, "linkedin": 3000, "threads": 500}
    assert all(p.name == name for name, p in PLATFORMS.items())
    tags = {name: p.tags for name, p in PLATFORMS.items()}
    assert tags == {
        "x": (1, 2),
        "bluesky": (2, 3),
        "mastodon": (2, 3),
        "linkedin": (1, 3),
        "threads": (0, 0),
    }
    assert [n for n, p in PLATFORMS.items() if not p.threads] == ["linkedin"]


def test_limit_for_uses_config_or_the_standard_limit() -> None:
    config = settings()
    assert limit_for("x", config) == 280
    assert limit_for("mastodon", config) == 500  # set explicitly in config.toml
    premium = config.platforms.x.model_copy(update={"limit": 25_000})
    changed = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"x": premium})}
    )
    assert limit_for("x", changed) == 25_000


@pytest.mark.parametrize(
    ("table", "line", "problem"),
    [
        (
            "bluesky",
            "limit = 330",
            "platforms.bluesky.limit: limit 330 is more than bluesky accepts",
        ),
        ("linkedin", "thread = true", "platforms.linkedin.thread: LinkedIn posts have no threads"),
        ("threads", "max_parts = 1", "platforms.threads.max_parts: Input should be greater"),
    ],
)
def test_config_rejects_limits_and_threads_a_platform_does_not_take(
    tmp_path: Path, table: str, line: str, problem: str
) -> None:
    text = (ROOT / "config.toml").read_text("utf-8")
    text = text.replace(f"[platforms.{table}]\n", f"[platforms.{table}]\n{line}\n")
    (tmp_path / "config.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.toml")
    assert any(f"{key}: {message}".startswith(problem) for key, message in caught.value.problems)


# ---- measures ----


def test_x_counts_urls_as_23_cjk_and_emoji_as_2_after_nfc() -> None:
    x = PLATFORMS["x"]
    assert x.measure("read https://example.org/a/very/long/path/indeed?x=1") == 5 + 23
    assert x.measure("read t.co") == 5 + 23  # a short link counts 23 too
    assert x.measure("日本") == 4
    assert x.measure(FAMILY) == 2
    assert x.measure("©") == 1 and x.measure("©\ufe0f") == 2  # an emoji only with U+FE0F
    assert x.measure("e\u0301") == x.measure("é") == 1


def test_x_fits_needs_a_valid_tweet_within_the_limit() -> None:
    x = PLATFORMS["x"]
    assert x.fits("a" * 280, 280)
    assert not x.fits("a" * 281, 280)
    assert x.fits("a" * 281, 25_000)  # X Premium, set as the platform's limit
    assert not x.fits("", 280)
    assert not x.fits("bad \ufffe char", 280)
    assert x.fits("é" * 280, 280) and not x.fits("é" * 140 + "日" * 71, 280)


def parse_tweet_valid(text: str, options: dict[str, Any], limit: int) -> bool:
    """`parseTweet(text).valid` by the full count: something counted, within the limit, no
    invalid character."""
    length = weighted_length(text, options)
    invalid = has_invalid_characters(unicodedata.normalize("NFC", text))
    return 0 < length <= limit * int(options["scale"]) and not invalid


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=TEXTS, limit=st.integers(1, 300))
def test_x_shortcut_agrees_with_the_full_count(text: str, limit: int) -> None:
    x = X()
    assert x.measure(text) == weighted_length(text, x.options) // 100
    assert x.fits(text, limit) is parse_tweet_valid(text, x.options, limit)
    ascii_text = text.encode("ascii", "ignore").decode()  # the shortcut's own ground
    assert x.measure(ascii_text) == weighted_length(ascii_text, x.options) // 100


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=TEXTS, limit=st.integers(1, 300))
def test_mastodon_fits_agrees_with_its_count(text: str, limit: int) -> None:
    expected = len(text) > 0 and mastodon_length(text) <= limit
    assert PLATFORMS["mastodon"].fits(text, limit) is expected


def test_bluesky_counts_graphemes_and_also_caps_bytes() -> None:
    bluesky = PLATFORMS["bluesky"]
    assert bluesky.measure("a" + FAMILY + "é") == 3
    assert bluesky.fits(FAMILY * 120, 300)  # 3000 bytes exactly
    assert not bluesky.fits(FAMILY * 121, 300)  # 121 graphemes, but 3025 bytes


def test_mastodon_counts_links_23_and_remote_mentions_as_local() -> None:
    mastodon = PLATFORMS["mastodon"]
    assert mastodon.measure("see https://example.org/" + "x" * 100) == 4 + 23
    assert mastodon.measure("see http://x.co") == 4 + 23
    assert mastodon.measure("hi @alice@example.social") == len("hi @alice")
    assert mastodon.measure("https://mastodon.social/@digest") == 23
    assert mastodon.measure(FAMILY + FAMILY) == 2
    assert grapheme_count("नमस्ते") == 3


def test_linkedin_counts_the_escaped_commentary() -> None:
    linkedin = PLATFORMS["linkedin"]
    assert linkedin.measure("a_b (c)") == len(r"a\_b \(c\)")
    assert linkedin.measure("#Tag") == len(r"{hashtag|\#|Tag}")


def test_threads_counts_characters_emoji_as_bytes_and_at_most_five_links() -> None:
    threads = PLATFORMS["threads"]
    assert threads.measure("é") == 1
    assert threads.measure(FAMILY) == 25
    assert threads.fits("é" * 500, 500)
    assert not threads.fits("é" * 501, 500)
    links = " ".join(f"https://example.org/{n}" for n in range(6))
    assert threads.fits(links.rsplit(" ", 1)[0], 500)
    assert not threads.fits(links, 500)
    assert threads.fits("a. b. c. d. e. f. g.", 500)  # full stops are not links


# ---- LinkedIn little text ----


def unescape_little(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


LITTLE = re.compile(r"(?:[^\\|{}@\[\]()<>#*_~]|\\.|\{hashtag\|\\#\|(?:[^\\{}|]|\\.)+\})*", re.S)


@pytest.mark.parametrize(
    "text",
    [
        "f(x) = a_b @home #1 [note] C:\\path",
        "\\\\()_@#[]|{}<>*~",
        "plain text, ünïcode",
        "Talks (day 2) with @ceo_office [draft] #ElSalvador #Bukele_2025 __init__",
    ],
)
def test_little_escaping_round_trips(text: str) -> None:
    escaped = escape_little(text)
    assert unescape_little(escaped) == text
    assert re.fullmatch(r"(?:[^\\|{}@\[\]()<>#*_~]|\\.)*", escaped, re.DOTALL)
    assert read_little(little_text(text)) == text
    assert LITTLE.fullmatch(little_text(text))


@hypothesis_settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("ab (){}[]<>_@#*~|\\\n\u00e9"), max_size=60))
def test_any_text_round_trips_through_little_text(text: str) -> None:
    assert read_little(little_text(text)) == text
    assert LITTLE.fullmatch(little_text(text))


def test_little_text_writes_hashtags_as_templates_and_escapes_the_rest() -> None:
    text = "Talks (day 2) in Zürich_HQ\n#ElSalvador #2025 a#b"
    assert little_text(text) == (
        "Talks \\(day 2\\) in Zürich\\_HQ\n{hashtag|\\#|ElSalvador} \\#2025 a\\#b"
    )


# ---- payloads ----


def post(**fields: Any) -> Post:
    defaults: dict[str, Any] = {"story_id": "s-1", "text": "Hello", "idempotency_key": "k" * 64}
    return Post(**{**defaults, **fields})


def second(**fields: Any) -> Post:
    keys = {"idempotency_key": "2" * 64, "root_key": "1" * 64, "parent_key": "1" * 64}
    return post(part=2, parts=3, **keys, **fields)


def test_payloads_use_each_api_field_names() -> None:
    x = PLATFORMS["x"].payload(post())
    assert x == {"text": "Hello"}
    mastodon = PLATFORMS["mastodon"].payload(post(language="de"))
    assert mastodon == {"status": "Hello", "visibility": "public", "language": "de"}
    threads = PLATFORMS["threads"].payload(post(topic_tag="News"))
    assert threads == {"media_type": "TEXT", "text": "Hello", "topic_tag": "News"}
    linkedin = PLATFORMS["linkedin"].payload(post(text="a (b)"))
    assert linkedin["commentary"] == "a \\(b\\)"
    assert linkedin["author"] == LINKEDIN_AUTHOR_PLACEHOLDER
    assert linkedin["lifecycleState"] == "PUBLISHED" and linkedin["visibility"] == "PUBLIC"
    assert linkedin["distribution"]["feedDistribution"] == "MAIN_FEED"


@pytest.mark.parametrize("name", sorted(API_FIELDS))
def test_payloads_hold_no_field_foreign_to_the_api(name: str) -> None:
    full = {"url": "https://example.org/a", "topic_tag": "News", "account": "example.org"}
    for made in (post(), post(**full), second(), second(**full)):
        body = PLATFORMS[name].payload(made)
        assert set(body) <= API_FIELDS[name], set(body) - API_FIELDS[name]
        keys = [k for k in (made.idempotency_key, made.root_key, made.parent_key) if k]
        assert "idempotency" not in json.dumps(body) and not any(k in str(body) for k in keys)
    assert set(PLATFORMS["x"].payload(second())["reply"]) == {"in_reply_to_tweet_id"}


def test_thread_parts_reply_to_the_part_before() -> None:
    assert PLATFORMS["x"].payload(second())["reply"] == {"in_reply_to_tweet_id": None}
    assert PLATFORMS["mastodon"].payload(second())["in_reply_to_id"] is None
    assert PLATFORMS["threads"].payload(second())["reply_to_id"] is None
    bluesky = PLATFORMS["bluesky"].payload(second())
    assert "reply" not in bluesky["record"]  # the sender writes it, with uri and cid
    first = [PLATFORMS[n].payload(post()) for n in ("x", "mastodon", "threads", "bluesky")]
    assert not any({"reply", "in_reply_to_id", "reply_to_id", "reply_to"} & set(p) for p in first)


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
    url = "https://example.org/a/ü-story?x=1."
    text = f"Zürich {FAMILY} café\n{url}\n#Zürich #Café ##Double ＃Wide and example.com."
    facets = post_facets(text, url)
    raw = text.encode("utf-8")
    sliced = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    # the story link whole (the app would drop its final "."), tags, a bare domain as a link
    assert sliced == [url, "#Zürich", "#Café", "example.com"]
    features = [f["features"][0] for f in facets]
    assert features[0] == {"$type": "app.bsky.richtext.facet#link", "uri": url}
    assert features[1] == {"$type": "app.bsky.richtext.facet#tag", "tag": "Zürich"}
    assert features[3] == {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}
    assert post_facets("ask @alice.bsky.social", None) == []  # mentions need a DID


# ---- digest measure ----


def test_measure_text_uses_the_configured_limit_when_given() -> None:
    assert measure_text("x", "日本 https://example.org/long/path") == {
        "platform": "x",
        "count": 4 + 1 + 23,
        "limit": 280,
        "ok": True,
    }
    config = settings()
    small = config.platforms.mastodon.model_copy(update={"limit": 3})
    changed = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"mastodon": small})}
    )
    assert measure_text("mastodon", "abcd", changed) == {
        "platform": "mastodon",
        "count": 4,
        "limit": 3,
        "ok": False,
    }


def test_digest_measure_prints_json_and_fails_over_the_limit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["measure", "--platform", "threads", "héllo"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "platform": "threads",
        "count": 5,
        "limit": 500,
        "ok": True,
    }
    config = str(ROOT / "config.toml")
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("b" * 301 + "\n"))
    assert cli.main(["measure", "--platform", "bluesky", "-", "--config", config]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {"platform": "bluesky", "count": 301, "limit": 300, "ok": False}


def test_digest_measure_runs_as_a_command() -> None:
    result = subprocess.run(
        [str(DIGEST), "measure", "--platform", "x", "-"],
        input=f"{FAMILY} https://example.org\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"platform": "x", "count": 26, "limit": 280, "ok": True}
    wrong = subprocess.run(
        [str(DIGEST), "measure", "--platform", "myspace", "hi"], capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "invalid choice: 'myspace'" in wrong.stderr


@pytest.mark.parametrize("name", PLATFORM_NAMES)
def test_each_platform_reads_its_text_back_from_its_request(name: str) -> None:
    text = "Tagged (a_b) #Topic @user [x] https://example.org/a_b?c=(d)"
    platform = PLATFORMS[name]
    assert platform.text_of(platform.payload(post(text=text))) == text
    assert platform.label and platform.label.lower().startswith(name[0])
