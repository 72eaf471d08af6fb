"""`[[sources]]` in config.toml: defaults, every field checked with its dotted key, and
`fetch_before` on a schedule."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support.factories import ROOT

from digest.config import load_config
from digest.config.sources import Source
from digest.errors import ConfigError

EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")


def _with(tmp_path: Path, *blocks: str, schedule_line: str = "") -> Path:
    text = EXAMPLE
    if schedule_line:
        text = text.replace("fetch_before = true", schedule_line, 1)
    text = text.replace("[paths]", "".join(blocks) + "[paths]", 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _source(*lines: str, name: str = "newsroom", url: str = "https://example.org/feed.xml") -> str:
    head = [f'name = "{name}"'] if name else []
    head += [f'url = "{url}"'] if url else []
    return "[[sources]]\n" + "".join(f"{line}\n" for line in [*head, *lines])


def test_the_example_has_no_source_and_fetches_before_each_slot() -> None:
    settings = load_config(ROOT / "config.toml")
    assert settings.sources == []
    assert all(s.fetch_before for s in settings.schedules)


def test_the_example_documents_every_source_key_in_its_commented_block() -> None:
    block = EXAMPLE[EXAMPLE.index("# [[sources]]") : EXAMPLE.index("[paths]")]
    for key in Source.model_fields:
        assert f"# {key} = " in block, key


def test_the_commented_block_uncommented_is_a_valid_source(tmp_path: Path) -> None:
    block = EXAMPLE[EXAMPLE.index("# [[sources]]") : EXAMPLE.index("[paths]")]
    uncommented = "".join(line.removeprefix("# ") + "\n" for line in block.splitlines())
    settings = load_config(_with(tmp_path, uncommented))
    (source,) = settings.sources
    assert source == Source(
        name="newsroom", url="https://www.example.org/news/feed.xml", tags=["news"], language="en"
    )


def test_defaults(tmp_path: Path) -> None:
    (source,) = load_config(_with(tmp_path, _source())).sources
    assert (source.tags, source.priority, source.max_items, source.since) == ([], 0, 20, "7d")
    assert (source.fetch_article, source.language, source.allow_private) == (False, None, False)
    assert (source.timeout, source.max_bytes) == (10.0, 5_000_000)
    assert source.reach == timedelta(days=7)


def test_every_field_set(tmp_path: Path) -> None:
    lines = (
        'tags = ["transport", "city hall"]',
        "priority = -3",
        "max_items = 200",
        'since = "1d 12h"',
        "fetch_article = true",
        'language = "pt-BR"',
        "allow_private = true",
        "timeout = 0.5",
        "max_bytes = 1000",
    )
    (source,) = load_config(_with(tmp_path, _source(*lines, url="http://10.0.0.5:8080/f"))).sources
    assert source.url == "http://10.0.0.5:8080/f"  # an intranet feed is the admin's choice
    assert source.tags == ["transport", "city hall"]
    assert (source.priority, source.max_items, source.reach) == (-3, 200, timedelta(hours=36))
    assert (source.fetch_article, source.language, source.allow_private) == (True, "pt-BR", True)
    assert (source.timeout, source.max_bytes) == (0.5, 1000)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/feed.xml",
        "http://example.org/feed",
        "https://news.example.co.uk:8443/rss?format=xml&lang=en",
        "http://127.0.0.1:8000/feed.xml",
        "http://[::1]:8000/feed.xml",
        "HTTPS://Example.org/feed",
    ],
)
def test_feed_urls_accepted(tmp_path: Path, url: str) -> None:
    (source,) = load_config(_with(tmp_path, _source(url=url))).sources
    assert source.url == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.org/feed.xml", "is not a feed URL"),
        ("file:///etc/passwd", "is not a feed URL"),
        ("javascript:alert(1)", "is not a feed URL"),
        ("feed://example.org/rss", "is not a feed URL"),
        ("example.org/feed.xml", "is not a feed URL"),
        ("https:example.org/feed", "is not a feed URL"),
        ("https:///feed.xml", "has no host name"),
        ("https://./feed.xml", "has no host name"),
        ("https://exa_mple.org/feed", "has no host name"),
        ("https://user:secret@example.org/feed", "user name or password"),
        ("https://example.org:99999/feed", "is not an http(s):// URL"),
        ("https://example.org/a feed", "cannot carry as is"),
        ("https://exämple.org/feed", "punycode"),
    ],
)
def test_feed_urls_refused_with_the_key(tmp_path: Path, url: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_with(tmp_path, _source(url=url)))
    assert "sources[0].url" in str(caught.value)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("line", "key", "says"),
    [
        ('name = "News Room"', "sources[0].name", "lowercase letters, digits and dashes"),
        ('name = "-news"', "sources[0].name", "lowercase letters"),
        ('name = ""', "sources[0].name", "lowercase letters"),
        (f'name = "{"a" * 41}"', "sources[0].name", "lowercase letters"),
        ("max_items = 0", "sources[0].max_items", "greater than or equal to 1"),
        ("max_items = 201", "sources[0].max_items", "less than or equal to 200"),
        ('since = "forever"', "sources[0].since", "is not a duration"),
        ('since = "400d"', "sources[0].since", "longer than 366 days"),
        ("timeout = 0", "sources[0].timeout", "greater than 0"),
        ("timeout = 301", "sources[0].timeout", "less than or equal to 300"),
        ("max_bytes = 10", "sources[0].max_bytes", "greater than or equal to 1000"),
        ("max_bytes = 1000000000", "sources[0].max_bytes", "less than or equal to 100000000"),
        ("priority = 10000000000", "sources[0].priority", "less than or equal to"),
        ('language = "English"', "sources[0].language", "is not a language tag"),
        ('tags = "news"', "sources[0].tags", "valid list"),
        ('tags = [""]', "sources[0].tags[0]", "is not a tag"),
        ('tags = ["a\\nb"]', "sources[0].tags[0]", "is not a tag"),
        ("fetch_article = 5", "sources[0].fetch_article", "valid boolean"),
        ("refresh = 5", "sources[0].refresh", "unknown key"),
    ],
)
def test_each_field_checked_with_its_key(tmp_path: Path, line: str, key: str, says: str) -> None:
    block = _source(line, name="") if line.startswith("name =") else _source(line)
    with pytest.raises(ConfigError) as caught:
        load_config(_with(tmp_path, block))
    message = str(caught.value)
    assert key in message, message
    assert says in message, message


@pytest.mark.parametrize("missing", ["name", "url"])
def test_name_and_url_are_required(tmp_path: Path, missing: str) -> None:
    block = _source(**{missing: ""})  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as caught:
        load_config(_with(tmp_path, block))
    assert f"sources[0].{missing}" in str(caught.value)
    assert "required key is missing" in str(caught.value)


def test_source_names_unique(tmp_path: Path) -> None:
    blocks = (_source(), _source(url="https://other.example/rss"), _source(name="other"))
    with pytest.raises(ConfigError) as caught:
        load_config(_with(tmp_path, *blocks))
    assert "sources[1].name" in str(caught.value)
    assert "source names must be unique; repeated: newsroom" in str(caught.value)
    assert "sources[2]" not in str(caught.value)


def test_every_problem_of_several_sources_at_once(tmp_path: Path) -> None:
    blocks = (_source("max_items = 0"), _source(name="b", url="gopher://x"))
    with pytest.raises(ConfigError) as caught:
        load_config(_with(tmp_path, *blocks))
    assert "sources[0].max_items" in str(caught.value)
    assert "sources[1].url" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "expected"), [("fetch_before = false", False), ("# (left out)", True)]
)
def test_fetch_before(tmp_path: Path, line: str, expected: bool) -> None:
    settings = load_config(_with(tmp_path, schedule_line=line))
    assert settings.schedules[0].fetch_before is expected


def test_fetch_before_must_be_a_boolean(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_with(tmp_path, schedule_line="fetch_before = 5"))
    assert "schedules[0].fetch_before" in str(caught.value)
