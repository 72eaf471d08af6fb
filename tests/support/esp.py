"""Settings for the email tests that send through an email service (`[email] merge_tags`) or
link a web version (`[email] web_url`): the example config's [email], validated again."""

from __future__ import annotations

from typing import Any

from digest.config import Settings
from digest.config.brand import EmailOptions
from digest.config.email_links import ESPS
from support.factories import settings

WEB = "https://example.org/archive/{date}/{slot}/"
WEB_LINK = "https://example.org/archive/2026-11-28/morning-0800/"  # of support's slot()
PRESETS = ["none", *ESPS]


def with_email(base: Settings | None = None, **values: Any) -> Settings:
    """`base` (the example settings) with these [email] values, validated as config.toml is;
    a value of None leaves the key out."""
    base = base or settings()
    data = base.email.model_dump(by_alias=True) | values
    data = {key: value for key, value in data.items() if value is not None}
    return base.model_copy(update={"email": EmailOptions.model_validate(data)})


def esp(preset: str, web: str | None = WEB) -> Settings:
    """Sending through `preset`: its default unsubscribe tag, its preferences tag (or the
    example's https page), and the web version `web`."""
    if preset == "none":
        return with_email(web_url=web)
    tags = ESPS[preset].preferences
    preferences = tags[0] if tags else "https://example.org/preferences"
    return with_email(
        merge_tags=preset, unsubscribe_url=None, preferences_url=preferences, web_url=web
    )
