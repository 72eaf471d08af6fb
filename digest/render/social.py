"""Social posts: one per story per enabled platform, as API payloads and as an editor reads them."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import regex

from digest.config import Settings
from digest.models import Digest, Entry, RenderedFile
from digest.platforms import PLATFORMS, Platform, Post, limit_for
from digest.render.templates import text_env

TOPIC_TAG_MAX = 50  # Threads: 1-50 characters, no "." or "&"
TAG_MAX_GRAPHEMES = 64  # Bluesky's tag facet limit, also a sane cap elsewhere
_TAG = re.compile(r"\w*[^\W\d_]\w*")  # a word with at least one letter, as hashtags need
_CLIP_TRAILING = " \t,;:.-–—…"


@dataclass(frozen=True)
class Parts:
    """What a post template is filled with; shortening makes smaller Parts."""

    headline: str
    tagline: str
    url: str | None
    hashtags: tuple[str, ...]


def render_social(digest: Digest, settings: Settings) -> tuple[RenderedFile, ...]:
    """`social/<platform>.json` and `.txt` for each enabled platform among the digest's channels."""
    files: list[RenderedFile] = []
    for name in settings.platforms.enabled():
        if name not in digest.channels:
            continue
        posts = tuple(compose_post(entry, name, digest, settings) for entry in digest.entries)
        files.append(_json_file(name, posts))
        files.append(_text_file(name, posts, limit_for(name, settings)))
    return tuple(files)


def compose_post(entry: Entry, name: str, digest: Digest, settings: Settings) -> Post:
    """The story's post for platform `name`, shortened until it is within the platform's limit."""
    platform, limit = PLATFORMS[name], limit_for(name, settings)
    template = text_env(settings.paths.templates).get_template(f"social/{name}.txt.j2")

    def render(parts: Parts) -> str:
        return _nfc(template.render(asdict(parts))).strip()

    full = _parts(entry, platform)
    parts = fit(full, lambda p: platform.fits(render(p), limit))
    story = entry.story
    return Post(
        story_id=story.id,
        text=render(parts),
        idempotency_key=idempotency_key(digest.slot.batch_id, story.id, name),
        language=story.language,
        created_at=digest.slot.utc.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        url=full.url,
        title=full.headline,
        description=full.tagline,
        hashtags=parts.hashtags,
        topic_tag=topic_tag(entry.summary.hashtags) if name == "threads" else None,
        account=_account(name, settings),
    )


def idempotency_key(batch_id: str, story_id: str, platform: str, part: int = 1) -> str:
    """sha256 of `batch_id|story|platform|part`: the same post always gets the same key."""
    return hashlib.sha256(f"{batch_id}|{story_id}|{platform}|{part}".encode()).hexdigest()


def hashtags(tags: tuple[str, ...], count: int) -> tuple[str, ...]:
    """Up to `count` usable tags (a letter, no punctuation, <= 64 graphemes), first seen first."""
    chosen: list[str] = []
    for tag in (_nfc(t) for t in tags):
        usable = _TAG.fullmatch(tag) and len(regex.findall(r"\X", tag)) <= TAG_MAX_GRAPHEMES
        if usable and tag.casefold() not in {c.casefold() for c in chosen}:
            chosen.append(tag)
    return tuple(chosen[:count])


def topic_tag(tags: tuple[str, ...]) -> str | None:
    """Threads' single topic tag: the first usable hashtag short enough for it."""
    return next((t for t in hashtags(tags, len(tags)) if len(t) <= TOPIC_TAG_MAX), None)


def fit(parts: Parts, ok: Callable[[Parts], bool]) -> Parts:
    """Drop hashtags, then shorten the tagline, then the headline, then drop the link until `ok`."""
    if ok(parts):
        return parts
    for count in reversed(range(len(parts.hashtags))):
        parts = replace(parts, hashtags=parts.hashtags[:count])
        if ok(parts):
            return parts
    for field, keep in (("tagline", 0), ("headline", 1)):
        parts = _shorten(parts, field, keep, ok, str.split, " ")
        if ok(parts):
            return parts
    parts = replace(parts, url=None)
    if ok(parts):
        return parts
    # Last resort for tiny limits: cut the headline between graphemes.
    return _shorten(parts, "headline", 0, ok, lambda s: regex.findall(r"\X", s), "")


def _shorten(
    parts: Parts,
    field: str,
    keep: int,
    ok: Callable[[Parts], bool],
    split: Callable[[str], list[str]],
    joiner: str,
) -> Parts:
    """The longest clip of `field` (>= `keep` pieces) for which `ok` holds, else the shortest."""
    pieces = split(getattr(parts, field))

    def clipped(count: int) -> Parts:
        if count >= len(pieces):
            return parts
        text = joiner.join(pieces[:count]).rstrip(_CLIP_TRAILING)
        text += "…" if text else ""
        if field == "headline":
            return replace(parts, headline=text)
        return replace(parts, tagline=text)

    best, low, high = clipped(min(keep, len(pieces))), keep, len(pieces) - 1
    while low <= high:  # binary search: fewer pieces never make a post longer
        middle = (low + high) // 2
        if ok(candidate := clipped(middle)):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def _parts(entry: Entry, platform: Platform) -> Parts:
    summary = entry.summary
    tagline = summary.tagline or next(iter(summary.bullets), "")
    return Parts(
        headline=_nfc(summary.headline),
        tagline=_nfc(tagline),
        url=_nfc(entry.story.url) if entry.story.url else None,
        hashtags=hashtags(summary.hashtags, platform.tags),
    )


def _account(name: str, settings: Settings) -> str | None:
    """LinkedIn's author URN; Bluesky's repo (the handle without "@")."""
    if name == "linkedin":
        return settings.platforms.linkedin.author
    handle = settings.platforms.bluesky.handle
    return handle.lstrip("@") if name == "bluesky" and handle else None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _json_file(name: str, posts: tuple[Post, ...]) -> RenderedFile:
    payloads = [PLATFORMS[name].payload(post) for post in posts]
    content = json.dumps(payloads, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return RenderedFile(
        path=f"social/{name}.json", content=content.encode(), media_type="application/json"
    )


def _text_file(name: str, posts: tuple[Post, ...], limit: int) -> RenderedFile:
    platform = PLATFORMS[name]
    plural = "" if len(posts) == 1 else "s"
    blocks = [f"{name}: {len(posts)} post{plural}, limit {limit} {platform.unit}"]
    for number, post in enumerate(posts, 1):
        size = platform.measure(post.text)
        head = f"--- post {number} of {len(posts)} · {post.story_id} · {size}/{limit} ---"
        extra = f"\n[topic tag: {post.topic_tag}]" if post.topic_tag else ""
        blocks.append(f"{head}\n{post.text}{extra}")
    content = "\n\n".join(blocks) + "\n"
    return RenderedFile(
        path=f"social/{name}.txt", content=content.encode(), media_type="text/plain; charset=utf-8"
    )
