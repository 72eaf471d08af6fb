"""The `[brand]` and `[email]` sections of `config.toml`: how the email looks and who it is from."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from digest.config.email_links import MergeTags, check_link, default_unsubscribe, web_url
from digest.config.texts import (
    Address,
    Addresses,
    FilledText,
    HeaderText,
    HttpsUrl,
    LineText,
    PlainText,
    UnsubscribeMailto,
)
from digest.config.values import (
    MIN_CONTRAST,
    Colour,
    FontFamily,
    IconUrl,
    KeyProblems,
    Section,
    contrast,
)


class DarkColours(Section):
    """The email's colours where the reader's client is in dark mode."""

    background_color: Colour = "#121212"
    card_color: Colour = "#1e1e1e"
    text_color: Colour = "#e8e8e8"
    muted_color: Colour = "#b4b4b4"
    link_color: Colour = "#8ab4f8"


class Brand(Section):
    name: HeaderText = Field(max_length=100)  # also the List-Id name and the fallback subject
    logo_url: HttpsUrl | None = None
    # At most the logo plate's cell, 600 - 2 x 24 - 2 x 6: Outlook ignores max-width.
    logo_width: int = Field(default=120, ge=24, le=540)
    logo_background: Colour = "#ffffff"  # a plate that keeps the logo visible in dark mode
    website: HttpsUrl | None = None
    primary_color: Colour = "#1a5fb4"
    button_text_color: Colour = "#ffffff"
    background_color: Colour = "#f2f2f2"
    card_color: Colour = "#ffffff"
    text_color: Colour = "#1f1f1f"
    muted_color: Colour = "#5f5f5f"
    dark: DarkColours = DarkColours()
    font_family: FontFamily = "Helvetica, Arial, sans-serif"
    heading_font_family: FontFamily | None = None
    font_url: HttpsUrl | None = None  # a web-font stylesheet; clients without it fall back
    social_icons: IconUrl | None = None  # e.g. https://example.org/icons/{platform}.png
    footer: PlainText = Field(default="", max_length=1000)
    postal_address: FilledText = Field(max_length=500)  # CAN-SPAM and the like want one

    @model_validator(mode="after")
    def _readable(self) -> Brand:
        # Each pair under its text colour's key: a text colour can be too light for two
        # backgrounds, so a key may name two problems.
        problems = [
            (fg_key, f"{fg_key} {fg} on {bg_key} {bg} has contrast {ratio:.2f}:1; text needs 4.5:1")
            for fg_key, fg, bg_key, bg in self.text_pairs()
            if (ratio := contrast(fg, bg)) < MIN_CONTRAST
        ]
        if problems:
            raise KeyProblems(*problems)
        return self

    def text_pairs(self) -> list[tuple[str, str, str, str]]:
        """Every (text colour key, colour, background key, colour) pair the email shows."""
        dark = self.dark
        return [
            ("text_color", self.text_color, "card_color", self.card_color),
            ("muted_color", self.muted_color, "card_color", self.card_color),
            ("muted_color", self.muted_color, "background_color", self.background_color),
            ("primary_color", self.primary_color, "card_color", self.card_color),
            ("button_text_color", self.button_text_color, "primary_color", self.primary_color),
            ("dark.text_color", dark.text_color, "dark.card_color", dark.card_color),
            ("dark.muted_color", dark.muted_color, "dark.card_color", dark.card_color),
            ("dark.muted_color", dark.muted_color, "dark.background_color", dark.background_color),
            ("dark.link_color", dark.link_color, "dark.card_color", dark.card_color),
        ]


class Utm(Section):
    """Percent-encoded into every story link; bounded so links stay short."""

    source: LineText = Field(default="digest", min_length=1, max_length=100)
    medium: LineText = Field(default="email", min_length=1, max_length=100)
    campaign: LineText = Field(default="{schedule}", min_length=1, max_length=100)


class EmailOptions(Section):
    from_: Address = Field(alias="from")
    to: Addresses
    list_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$", max_length=255)
    # "none": the links are static https URLs (sendmail, your own list server); an ESP's name:
    # they may be its per-recipient merge tags, and unsubscribe_url defaults to its tag.
    merge_tags: MergeTags = "none"
    unsubscribe_url: str
    unsubscribe_mailto: UnsubscribeMailto
    preferences_url: str | None = None
    web_url: str | None = None  # a pattern: {date}, {slot} and {schedule} are filled
    utm: Utm = Utm()

    @model_validator(mode="before")
    @classmethod
    def _default_unsubscribe(cls, data: Any) -> Any:
        if isinstance(data, dict) and "unsubscribe_url" not in data:
            tag = default_unsubscribe(str(data.get("merge_tags", "none")))
            if tag is not None:
                return {**data, "unsubscribe_url": tag}
        return data

    @field_validator("unsubscribe_url", "preferences_url")
    @classmethod
    def _link(cls, value: str | None, info: ValidationInfo) -> str | None:
        preset = info.data.get("merge_tags")
        if value is None or preset is None:  # a wrong merge_tags is reported by itself
            return value
        return check_link(str(info.field_name), value, preset)

    @field_validator("web_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        return None if value is None else web_url(value)
