"""The social platforms: each one's limit, how it counts a post, and its API-shaped payload.

`PLATFORMS` is the registry; `limit_for` reads a platform's limit from config, `measure_text`
answers `digest measure`.
"""

from __future__ import annotations

from typing import Any

from digest.config import Settings
from digest.platforms.base import Platform
from digest.platforms.bluesky import Bluesky
from digest.platforms.linkedin import LinkedIn
from digest.platforms.mastodon import Mastodon
from digest.platforms.threads import Threads
from digest.platforms.x import X

PLATFORMS: dict[str, Platform] = {
    p.name: p for p in (X(), Bluesky(), Mastodon(), LinkedIn(), Threads())
}


def limit_for(name: str, settings: Settings) -> int:
    """The platform's limit from `[platforms.<name>] limit`, else its standard one."""
    configured: int | None = getattr(settings.platforms, name).limit
    return configured or PLATFORMS[name].limit


def measure_text(name: str, text: str, settings: Settings | None = None) -> dict[str, Any]:
    """`{"platform", "count", "limit", "ok"}` for `text`, by the pipeline's own measure.

    The limit is the configured one when `settings` is given, else the platform's standard one.
    """
    platform = PLATFORMS[name]
    limit = limit_for(name, settings) if settings else platform.limit
    return {
        "platform": name,
        "count": platform.measure(text),
        "limit": limit,
        "ok": platform.fits(text, limit),
    }
