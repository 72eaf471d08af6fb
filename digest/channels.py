"""The names of the channels a batch can carry: no imports, so `digest --help` stays instant."""

from __future__ import annotations

from typing import Literal

PLATFORM_NAMES = ("x", "bluesky", "mastodon", "linkedin", "threads")
Channel = Literal["email", "x", "bluesky", "mastodon", "linkedin", "threads"]
CHANNELS: tuple[Channel, ...] = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
