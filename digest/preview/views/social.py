"""The social view: each platform's posts as cards, counted by the pipeline's own `measure`."""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

from digest.config import Settings
from digest.platforms import PLATFORMS, limit_for
from digest.preview.model import Item
from digest.preview.views.edited import edited_mark
from digest.render.social.roundup import ROUNDUP

_TOKEN = re.compile(r"(https?://\S+)|(?<![\w#])(#\w+)")


def post_text(platform: str, payload: dict[str, Any]) -> str:
    """The text a reader sees, from the API request body's own field for it."""
    return PLATFORMS[platform].text_of(payload)


def marked(text: str) -> Markup:
    """`text` escaped, with links and hashtags set apart."""
    out, position = [], 0
    for match in _TOKEN.finditer(text):
        out.append(escape(text[position : match.start()]))
        kind = "link" if match.group(1) else "tag"
        out.append(Markup('<span class="{}">{}</span>').format(kind, match.group(0)))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def _card(platform: str, item: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A card for one envelope of `social/<platform>.json` (its API body is `request`)."""
    rule = PLATFORMS[platform]
    payload: dict[str, Any] = item["request"]
    text = post_text(platform, payload)
    limit = limit_for(platform, settings)
    count = rule.measure(text)
    embed = payload.get("record", {}).get("embed", {}).get("external")
    return {
        "text": text,
        "html": marked(text),
        "count": count,
        "limit": limit,
        "unit": rule.unit,
        "ok": rule.fits(text, limit),
        "topic_tag": payload.get("topic_tag"),
        "card": embed if isinstance(embed, dict) else None,
        "key": str(item["idempotency_key"]),
        "part": int(item["part"]),
        "parts": int(item["parts"]),
    }


def social_view(
    files: dict[str, bytes], items: tuple[Item, ...], settings: Settings
) -> list[dict[str, Any]]:
    """Per platform with posts: its stories, each with its cards (thread parts in order).

    A platform whose file cannot be read (a damaged batch) is listed with its `problem`.
    """
    out = []
    for name in PLATFORMS:
        path = f"social/{name}.json"
        if path not in files:
            continue
        try:
            envelopes = json.loads(files[path])
        except ValueError as error:  # not JSON, or not UTF-8
            out.append(_unreadable(name, f"{path}: not valid JSON: {error}", settings))
            continue
        try:
            if not isinstance(envelopes, list):
                raise TypeError(f"a list of posts, not a JSON {type(envelopes).__name__}")
            out.append(_platform(name, envelopes, items, settings))
        except Exception as error:  # JSON, but not the posts the pipeline writes
            problem = f"{path}: not posts as the pipeline writes them: {_why(error)}"
            out.append(_unreadable(name, problem, settings))
    return out


def _why(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"a post has no {error.args[0]!r} field"
    return f"{type(error).__name__}: {error}"


def _unreadable(name: str, problem: str, settings: Settings) -> dict[str, Any]:
    return {
        "id": name,
        "name": PLATFORMS[name].label,
        "limit": limit_for(name, settings),
        "unit": PLATFORMS[name].unit,
        "posts": 0,
        "over": 0,
        "stories": [],
        "problem": problem,
    }


def _platform(
    name: str,
    envelopes: list[dict[str, Any]],
    items: tuple[Item, ...],
    settings: Settings,
) -> dict[str, Any]:
    # Each envelope names its story and part: group the cards by story, in digest order; a
    # roundup is one thread for the whole digest, kept together in its own order.
    order = {item.summary.story_id: index for index, item in enumerate(items)}
    roundup = any(envelope["story_id"] == ROUNDUP for envelope in envelopes)
    threads: dict[int, list[dict[str, Any]]] = {}
    for envelope in envelopes:
        index = -2 if roundup else order.get(str(envelope["story_id"]), -1)
        threads.setdefault(index, []).append(_card(name, envelope, settings))
    stories = []
    for index, cards in sorted(threads.items()):
        item = items[index] if index >= 0 else None
        headline = item.summary.headline if item else "(a story not in this sample)"
        if index == -2:
            headline = "Roundup: one thread for the whole digest"
        hashtags = item.summary.hashtags if item else ()
        mark = edited_mark(item.summary) if item else None
        stories.append({"headline": headline, "hashtags": hashtags, "cards": cards, "mark": mark})
    return {
        "id": name,
        "name": PLATFORMS[name].label,
        "limit": limit_for(name, settings),
        "unit": PLATFORMS[name].unit,
        "posts": len(envelopes),
        "over": sum(1 for cards in threads.values() for card in cards if not card["ok"]),
        "stories": stories,
        "problem": None,
    }
