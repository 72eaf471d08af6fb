"""The social tests' shared facts: each API's body fields, the posts as readers see them."""

from __future__ import annotations

import json
from typing import Any

from digest.config import Settings
from digest.models import RenderedFile
from digest.platforms.linkedin import read_little
from support.factories import settings

TEXT_KEY = {"x": "text", "mastodon": "status", "linkedin": "commentary", "threads": "text"}


def envelopes(files: dict[str, RenderedFile], name: str) -> list[dict[str, Any]]:
    """The items of `social/<name>.json`: each post's key, thread place and API request."""
    data: list[dict[str, Any]] = json.loads(files[f"social/{name}.json"].content)
    return data


def post_text(name: str, payload: dict[str, Any]) -> str:
    """The text as readers see it (LinkedIn's commentary unescaped)."""
    if name == "bluesky":
        return str(payload["record"]["text"])
    text = str(payload[TEXT_KEY[name]])
    return read_little(text) if name == "linkedin" else text


def threaded() -> Settings:
    """The project's settings with X and Bluesky posting threads."""
    return configured(base=settings(), x={"mode": "thread"}, bluesky={"mode": "thread"})


def configured(base: Settings | None = None, **sections: dict[str, Any]) -> Settings:
    """The project's settings (threads on X and Bluesky) with some `[platforms.<name>]` keys
    changed."""
    config = base or threaded()
    changed = {  # `thread` alone says the mode, as it does in config.toml
        name: getattr(config.platforms, name).model_copy(
            update=update if "mode" in update or "thread" not in update else update | {"mode": None}
        )
        for name, update in sections.items()
    }
    return config.model_copy(update={"platforms": config.platforms.model_copy(update=changed)})


# The fields each API's request body may hold (what the payloads use of it).
API_FIELDS = {
    "x": {"text", "reply"},  # X API v2 POST /2/tweets
    "bluesky": {"repo", "collection", "record"},  # com.atproto.repo.createRecord
    "mastodon": {"status", "visibility", "language", "in_reply_to_id"},  # POST /api/v1/statuses
    "linkedin": {  # LinkedIn Posts API
        "author",
        "commentary",
        "visibility",
        "distribution",
        "lifecycleState",
        "isReshareDisabledByAuthor",
    },
    "threads": {"media_type", "text", "topic_tag", "reply_to_id"},  # POST /{user-id}/threads
}
