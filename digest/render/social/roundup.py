"""One roundup thread for the whole digest: "<brand>, <date>: N stories", then one part per story.

Each part is the story's headline (its whole title when it fits) and link, rendered by the
platform's own template, numbered `n/N` as any thread; LinkedIn, which has no threads, gets one
post holding the opening line and as many stories as fit. The opening part's key uses the
pseudo-slug "roundup" and each story's part its own slug, so keys survive edits of the text.
"""

from __future__ import annotations

from dataclasses import replace

from digest.config import Settings
from digest.errors import DigestError
from digest.models import Digest, Entry
from digest.platforms import PLATFORMS, limit_for
from digest.platforms.base import Post
from digest.render.social.common import created_at, idempotency_key, renderer, thread_place
from digest.render.social.compose import Parts, shorten_until, story_parts, topic_tag
from digest.render.social.thread import SEPARATOR

ROUNDUP = "roundup"  # the opening part's pseudo-slug and story id


def roundup_title(digest: Digest, brand: str) -> str:
    """The opening line, e.g. "The Morning Digest, 2 December: 5 stories"."""
    day, count = digest.slot.day, len(digest.entries)
    return f"{brand}, {day.day} {day:%B}: {count} {'story' if count == 1 else 'stories'}"


def compose_roundup(digest: Digest, name: str, settings: Settings) -> tuple[Post, ...]:
    """The digest's roundup on platform `name`, every part within its limit."""
    if not digest.entries:
        return ()
    platform, limit, render = PLATFORMS[name], limit_for(name, settings), renderer(name, settings)
    total = len(digest.entries) + 1
    widest = f"{SEPARATOR}{total}/{total}" if platform.threads else ""

    def fitted(parts: Parts) -> str:
        """The part as rendered, shortened until it fits with its number."""
        best = shorten_until(parts, lambda p: platform.fits(render(p) + widest, limit))
        text = render(best)
        if not platform.fits(text + widest, limit):
            raise DigestError(
                f"{name}: a limit of {limit} {platform.unit} leaves no room for the roundup's "
                f"parts; raise [platforms.{name}] limit or set [platforms] roundup = false"
            )
        return text

    opening = Parts(roundup_title(digest, settings.brand.name), "", None, ())
    stories = [replace(story_parts(e, platform), tagline="", hashtags=()) for e in digest.entries]
    if not platform.threads:
        return (_single(digest, name, settings, fitted(opening), stories),)
    texts = [fitted(opening)] + [fitted(replace(s, bullets=())) for s in stories]
    slugs = [ROUNDUP] + [e.story.slug for e in digest.entries]
    keys = [idempotency_key(digest.slot.batch_id, s, name, n) for n, s in enumerate(slugs, 1)]
    return tuple(
        _post(digest, settings, name, f"{text}{SEPARATOR}{n}/{total}", keys, n, entry, parts)
        for n, (text, entry, parts) in enumerate(
            zip(texts, (None, *digest.entries), (None, *stories), strict=True), 1
        )
    )


def _single(
    digest: Digest, name: str, settings: Settings, opening: str, stories: list[Parts]
) -> Post:
    """One post: the opening line and each story that still fits, in order."""
    platform, limit, render = PLATFORMS[name], limit_for(name, settings), renderer(name, settings)
    blocks = [render(replace(s, bullets=())) for s in stories]
    count = len(blocks)
    while count and not platform.fits("\n\n".join([opening, *blocks[:count]]), limit):
        count -= 1
    text = "\n\n".join([opening, *blocks[:count]])
    key = idempotency_key(digest.slot.batch_id, ROUNDUP, name, 1)
    return _post(digest, settings, name, text, [key], 1, None, None)


def _post(
    digest: Digest,
    settings: Settings,
    name: str,
    text: str,
    keys: list[str],
    part: int,
    entry: Entry | None,
    parts: Parts | None,
) -> Post:
    platform, first = PLATFORMS[name], digest.entries[0]
    tag = None
    if platform.topic_tag and part == 1:  # Threads: the lead story's tag names the roundup
        tag = topic_tag(first.summary.hashtags, platform.accepts_tag)
    return Post(
        story_id=entry.story.id if entry else ROUNDUP,
        text=text,
        **thread_place(keys, part),
        language=(entry or first).story.language,
        created_at=created_at(digest.slot),
        url=parts.url if parts else None,  # the card shows the link even when the text cannot
        title=parts.headline if parts else "",
        description=entry.summary.tagline if entry else "",
        topic_tag=tag,
        account=platform.account(settings),
    )
