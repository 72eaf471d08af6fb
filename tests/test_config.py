"""config.toml -> Settings: the example validates, and every error kind names its dotted key."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import ROOT

from digest.config import load_config
from digest.config.values import parse_duration
from digest.errors import ConfigError

EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return dict(caught.value.problems)


def test_example_config_is_complete_and_valid() -> None:
    settings = load_config(ROOT / "config.toml")
    assert settings.brand.name and settings.brand.postal_address
    assert settings.email.unsubscribe_url.startswith("https://")
    assert settings.platforms.enabled() == ("x", "bluesky", "mastodon", "linkedin", "threads")
    assert settings.schedules[0].name == "morning"
    assert len(settings.config_hash) == 64


def test_settings_are_frozen() -> None:
    settings = load_config(ROOT / "config.toml")
    with pytest.raises(ValueError, match="frozen"):
        settings.brand.name = "x"  # type: ignore[misc]


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, EXAMPLE))
    assert settings.paths.seeds == tmp_path / "seeds"
    assert settings.paths.outbox == tmp_path / "outbox"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found; pass --config"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    assert "line 2" in problems(tmp_path, "[brand]\nname = \n")["(syntax)"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[brand]\nname = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_unknown_key(tmp_path: Path) -> None:
    found = problems(tmp_path, EXAMPLE.replace("[brand]\n", "[brand]\ncolour = 'red'\n"))
    assert found == {
        "brand.colour": "unknown key; check its spelling against the commented config.toml"
    }


def test_missing_key(tmp_path: Path) -> None:
    text = "\n".join(x for x in EXAMPLE.splitlines() if not x.startswith("postal_address"))
    assert problems(tmp_path, text) == {"brand.postal_address": "required key is missing"}


def test_wrong_type(tmp_path: Path) -> None:
    found = problems(tmp_path, EXAMPLE.replace("max_stories = 5", 'max_stories = "five"'))
    assert "valid integer" in found["schedules[0].max_stories"]


@pytest.mark.parametrize(
    ("old", "new", "key", "phrase"),
    [
        ('primary_color = "#1a5fb4"', 'primary_color = "blue"', "brand.primary_color", "#rrggbb"),
        (
            'unsubscribe_url = "https://example.org/unsubscribe"',
            'unsubscribe_url = "http://example.org/u"',
            "email.unsubscribe_url",
            "https://",
        ),
        (
            'unsubscribe_mailto = "mailto:',
            'unsubscribe_mailto = "',
            "email.unsubscribe_mailto",
            "mailto:",
        ),
        (
            'from = "The Morning Digest <digest@example.org>"',
            'from = "nobody"',
            "email.from",
            "email address",
        ),
        ('at = "08:00"', 'at = "8am"', "schedules[0].at", "HH:MM"),
        (
            'timezone = "Europe/London"',
            'timezone = "Mars/Olympus"',
            "schedules[0].timezone",
            "IANA",
        ),
        ('days = "daily"', 'days = "sometimes"', "schedules[0].days", "weekdays"),
        ('days = "daily"', 'days = ["mon", "funday"]', "schedules[0].days", "mon, tue"),
        ('catch_up = "6h"', 'catch_up = "soon"', "schedules[0].catch_up", "6h, 90m"),
        ('name = "morning"', 'name = "Morning Run"', "schedules[0].name", "lowercase letters"),
        ("max_stories = 5", "max_stories = 0", "schedules[0].max_stories", "greater than"),
        ("limit = 500", "limit = -1", "platforms.mastodon.limit", "greater than"),
    ],
)
def test_invalid_values(tmp_path: Path, old: str, new: str, key: str, phrase: str) -> None:
    assert old in EXAMPLE
    found = problems(tmp_path, EXAMPLE.replace(old, new, 1))
    assert phrase in found[key], found


def test_invalid_channel(tmp_path: Path) -> None:
    found = problems(tmp_path, EXAMPLE.replace('channels = ["email", ', 'channels = ["fax", '))
    assert "schedules[0].channels[0]" in found


def test_duplicate_schedule_names(tmp_path: Path) -> None:
    second = EXAMPLE[EXAMPLE.index("[[schedules]]") : EXAMPLE.index("[paths]")]
    found = problems(tmp_path, EXAMPLE.replace("[paths]", second + "\n[paths]"))
    assert "repeated: morning" in found["schedules[1].name"]


def test_digest_computes_config_hash_itself(tmp_path: Path) -> None:
    assert "config_hash" in problems(tmp_path, 'config_hash = "x"\n' + EXAMPLE)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        EXAMPLE.replace('at = "08:00"', 'at = "25:00"')
        .replace('primary_color = "#1a5fb4"', 'primary_color = "red"')
        .replace("[brand]\n", "[brand]\nslogan = 'x'\n")
    )
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    keys = {key for key, _ in caught.value.problems}
    assert keys == {"schedules[0].at", "brand.primary_color", "brand.slogan"}
    assert str(caught.value).startswith(f"{tmp_path / 'config.toml'}: 3 problem(s)")


def test_parse_duration() -> None:
    assert parse_duration("6h").total_seconds() == 6 * 3600
    assert parse_duration("1d 12h").total_seconds() == 36 * 3600
    assert parse_duration("90m").total_seconds() == 5400
    assert parse_duration("0").total_seconds() == 0
    with pytest.raises(ValueError, match="valid form"):
        parse_duration("")


def test_summary_bullets_are_configurable_between_three_and_five(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, EXAMPLE.replace("max_bullets = 5", "max_bullets = 3")))
    assert settings.summary.max_bullets == 3
    found = problems(tmp_path, EXAMPLE.replace("max_bullets = 5", "max_bullets = 7"))
    assert "less than or equal to 5" in found["summary.max_bullets"]
