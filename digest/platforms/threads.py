"""Threads: UTF-8 bytes, at most five links, and the Threads API's text container."""

from __future__ import annotations

from typing import Any

from digest.platforms.base import Platform, Post
from digest.platforms.x_count import extract_urls_with_indices

MAX_LINKS = 5


class Threads(Platform):
    name, limit, unit = "threads", 500, "UTF-8 bytes"
    label, topic_tag = "Threads", True

    def measure(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def fits(self, text: str, limit: int) -> bool:
        if not text or self.measure(text) > limit:
            return False
        return text.count(".") <= MAX_LINKS or len(extract_urls_with_indices(text)) <= MAX_LINKS

    def payload(self, post: Post) -> dict[str, Any]:
        # POST /{user-id}/threads; a part after the first replies to the one before it.
        body: dict[str, Any] = {"media_type": "TEXT", "text": post.text}
        if post.topic_tag:
            body["topic_tag"] = post.topic_tag
        if post.is_reply:
            body["reply_to_id"] = None
        return body
