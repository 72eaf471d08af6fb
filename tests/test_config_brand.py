"""The email's part of config.toml: brand colours (readable in light and dark), fonts, icons."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import ROOT
from support.factories import config_problems as problems

from digest.config import load_config
from digest.config.values import contrast
from digest.errors import ConfigError

EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")


def test_the_example_brand_is_complete() -> None:
    brand = load_config(ROOT / "config.toml").brand
    assert brand.dark.text_color == "#e8e8e8"
    assert brand.heading_font_family == "Georgia, 'Times New Roman', serif"
    assert brand.social_icons == "https://example.org/static/social/{platform}.png"
    assert brand.logo_width == 120 and brand.logo_background == "#ffffff"


@pytest.mark.parametrize(
    ("one", "two", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48)],
)
def test_contrast_is_the_wcag_ratio(one: str, two: str, ratio: float) -> None:
    assert contrast(one, two) == pytest.approx(ratio, abs=0.01)
    assert contrast(two, one) == pytest.approx(ratio, abs=0.01)


def test_every_example_text_colour_keeps_4_5_to_1() -> None:
    brand = load_config(ROOT / "config.toml").brand
    for _, fg, _, bg in brand.text_pairs():
        assert contrast(fg, bg) >= 4.5


@pytest.mark.parametrize(
    ("old", "new", "key", "phrase"),
    [
        ('text_color = "#1f1f1f"', 'text_color = "#999999"', "text_color", "#999999 on card_color"),
        ('muted_color = "#5f5f5f"', 'muted_color = "#8a8a8a"', "muted_color", "on card_color"),
        ('muted_color = "#5f5f5f"', 'muted_color = "#8a8a8a"', "muted_color", "on background"),
        ('primary_color = "#1a5fb4"', 'primary_color = "#7fb2ff"', "primary_color", "on card"),
        ('primary_color = "#1a5fb4"', 'primary_color = "#7fb2ff"', "button_text_color", "#ffff"),
        ('text_color = "#e8e8e8"', 'text_color = "#444444"', "dark.text_color", "#444444"),
        ('link_color = "#8ab4f8"', 'link_color = "#1a5fb4"', "dark.link_color", "#1a5fb4"),
        ('card_color = "#1e1e1e"', 'card_color = "#dddddd"', "dark.text_color", "#dddddd"),
    ],
)
def test_unreadable_colours_are_a_config_error_naming_the_text_colour(
    tmp_path: Path, old: str, new: str, key: str, phrase: str
) -> None:
    """Each unreadable pair is its own problem, under the key of its text colour."""
    assert old in EXAMPLE
    (tmp_path / "config.toml").write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.toml")
    found = caught.value.problems
    assert all(problem.endswith("text needs 4.5:1") for _, problem in found), found
    mine = [problem for name, problem in found if name == f"brand.{key}"]
    assert any(problem.startswith(f"{key} ") and phrase in problem for problem in mine), found


@pytest.mark.parametrize(
    ("old", "new", "key", "phrase"),
    [
        (
            'font_family = "Helvetica, Arial, sans-serif"',
            'font_family = "Arial; } body { display:none"',
            "brand.font_family",
            "not a font list",
        ),
        (
            "heading_font_family = \"Georgia, 'Times New Roman', serif\"",
            'heading_font_family = "\\"Georgia\\""',
            "brand.heading_font_family",
            "single quotes",
        ),
        (
            'social_icons = "https://example.org/static/social/{platform}.png"',
            'social_icons = "https://example.org/static/social/x.png"',
            "brand.social_icons",
            "{platform} placeholder",
        ),
        (
            'social_icons = "https://example.org/static/social/{platform}.png"',
            'social_icons = "http://example.org/{platform}.png"',
            "brand.social_icons",
            "https://",
        ),
        ("logo_width = 120", "logo_width = 2000", "brand.logo_width", "less than or equal"),
        ("logo_width = 120", "logo_width = 541", "brand.logo_width", "less than or equal to 540"),
        (
            'logo_background = "#ffffff"',
            'logo_background = "white"',
            "brand.logo_background",
            "#rrggbb",
        ),
        (
            '# font_url = "https://fonts.googleapis.com/css2?family=Source+Sans+3"',
            'font_url = "javascript:alert(1)"',
            "brand.font_url",
            "https://",
        ),
    ],
)
def test_invalid_brand_values(tmp_path: Path, old: str, new: str, key: str, phrase: str) -> None:
    assert old in EXAMPLE
    found = problems(tmp_path, EXAMPLE.replace(old, new, 1))
    assert phrase in found[key], found


def test_the_dark_table_is_optional(tmp_path: Path) -> None:
    start = EXAMPLE.index("[brand.dark]")
    text = EXAMPLE[:start] + EXAMPLE[EXAMPLE.index("[email]") :]
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path).brand.dark.card_color == "#1e1e1e"
