"""Social posts: each story's post (or thread) per enabled platform, as API requests and as text.

`social/<platform>.json` holds one envelope per post, thread parts in order:
`{"idempotency_key", "story_id", "part", "parts", "request"}`, where `request` is exactly the
body the platform's API takes, nothing foreign to it, so a sender can post it as it is (Mastodon
takes the key as its Idempotency-Key header). A part after the first replies to the part before
it: its envelope's `reply_to` names the idempotency keys of the thread's `root` (part 1) and
`parent` (the part before), and its request has the reply field present and null for the sender
to fill in with the id it got for that part (X's `reply.in_reply_to_tweet_id`, Mastodon's
`in_reply_to_id`, Threads' `reply_to_id`), or, for Bluesky, no `record.reply` yet: the sender
builds it from those parts' uri and cid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from digest.config import Settings
from digest.errors import DigestError
from digest.jsonfile import json_file
from digest.models import Digest, Entry, RenderedFile
from digest.platforms import PLATFORMS, limit_for
from digest.platforms.base import Post
from digest.render.social.common import created_at, idempotency_key, renderer, thread_place
from digest.render.social.compose import (
    Parts,
    compose_thread,
    post_text,
    shorten_until,
    story_parts,
    topic_tag,
)
from digest.render.social.roundup import compose_roundup

# A story's posts for one platform before they are placed in a batch: the parts they are made
# of and the texts (see `post_texts`).
Composed = tuple[Parts, tuple[str, ...]]
# What was composed already (worked out ahead, see `digest.ahead`) for an entry and a platform.
Known = Callable[[Entry, str], Composed | None]


def render_social(
    digest: Digest, settings: Settings, known: Known | None = None
) -> tuple[RenderedFile, ...]:
    """`social/<platform>.json` and `.txt` for each enabled platform among the digest's channels;
    the texts `known` has for an entry are taken as they are (they were composed alike)."""
    files: list[RenderedFile] = []
    for name in settings.platforms.enabled():
        if name not in digest.channels:
            continue
        if settings.platforms.roundup:
            posts = compose_roundup(digest, name, settings)
        else:
            render = renderer(name, settings)  # the template looked up once for the batch
            posts = tuple(
                post
                for entry in digest.entries
                for post in compose_posts(
                    entry, name, digest, settings, render, known(entry, name) if known else None
                )
            )
        files.append(_json_file(name, posts))
        files.append(_text_file(name, posts, limit_for(name, settings)))
    return tuple(files)


def compose_posts(
    entry: Entry,
    name: str,
    digest: Digest,
    settings: Settings,
    render: Callable[[Parts], str] | None = None,
    composed: Composed | None = None,
) -> tuple[Post, ...]:
    """The story's post for platform `name` in its configured mode (see `post_texts`), placed
    in the digest's batch; `composed`, when `post_texts` of the entry was worked out already."""
    full, texts = composed or post_texts(entry, name, settings, render)
    return _posts(texts, entry, name, digest, settings, full)


def post_texts(
    entry: Entry, name: str, settings: Settings, render: Callable[[Parts], str] | None = None
) -> Composed:
    """The texts of the story's post (or thread) for platform `name`, and the parts they are
    made of; they depend on the entry and the settings only, never on the batch.

    "post": headline, link and tags; "summary": one post with the tagline and the key points
    that fit; "thread": a numbered thread when the story is longer than one post. Every post is
    within the platform's limit as the platform counts it; `DigestError` when a configured
    limit is too small for even the headline's first character. `render` is the platform's
    `renderer`, when the caller has it already.
    """
    platform, section = PLATFORMS[name], getattr(settings.platforms, name)
    limit, mode = limit_for(name, settings), settings.platforms.mode_of(name)
    render = render or renderer(name, settings)
    answers: dict[str, bool] = {}  # the same text is often tried again: measure it once

    def fits(text: str) -> bool:
        if (answer := answers.get(text)) is None:
            answer = answers[text] = platform.fits(text, limit)
        return answer

    full = story_parts(entry, platform)
    if mode == "post":
        full = replace(full, tagline="", bullets=())
    texts = None
    if mode == "thread" and platform.threads:
        texts = compose_thread(
            full, render, fits, section.max_parts, lambda text: platform.piecewise(text, limit)
        )
    if texts is None:
        texts = (_single(full, render, fits, platform.tags[0]),)
        shorter = post_text(entry.summary.headline)
        if not fits(texts[0]) and shorter and shorter != full.headline:
            # a title that is one link longer than a post (never cut): the summary's headline
            texts = (_single(replace(full, headline=shorter), render, fits, platform.tags[0]),)
        if not fits(texts[0]):
            raise DigestError(
                f"{name}: a limit of {limit} {platform.unit} leaves no room for the first "
                f"character of story {entry.story.id}'s headline; raise [platforms.{name}] limit"
            )
    return full, texts


def _single(
    full: Parts, render: Callable[[Parts], str], fits: Callable[[str], bool], min_tags: int
) -> str:
    """One post: shortened to fit, then given as many key points as still fit."""
    single = shorten_until(replace(full, bullets=()), lambda p: fits(render(p)), min_tags)
    return render(_with_bullets(single, full.bullets, lambda p: fits(render(p))))


def _with_bullets(single: Parts, bullets: tuple[str, ...], ok: Callable[[Parts], bool]) -> Parts:
    """A single post with as many of the key points, in order, as still fit beside the rest."""
    for count in range(len(bullets), 0, -1):
        richer = replace(single, bullets=bullets[:count])
        if ok(richer):
            return richer
    return single


def _posts(
    texts: tuple[str, ...],
    entry: Entry,
    name: str,
    digest: Digest,
    settings: Settings,
    full: Parts,
) -> tuple[Post, ...]:
    story, batch, platform = entry.story, digest.slot.batch_id, PLATFORMS[name]
    keys = [idempotency_key(batch, story.slug, name, n) for n in range(1, len(texts) + 1)]
    # The link card goes with the first part that shows the link (or part 1).
    card = next((n for n, t in enumerate(texts, 1) if full.url and full.url in t), 1)
    return tuple(
        Post(
            story_id=story.id,
            text=text,
            **thread_place(keys, n),
            language=story.language,
            created_at=created_at(digest.slot),
            url=full.url if n == card else None,
            title=full.headline,
            description=full.tagline,
            topic_tag=topic_tag(entry.summary.hashtags, platform.accepts_tag)
            if platform.topic_tag and n == 1
            else None,
            account=platform.account(settings),
        )
        for n, text in enumerate(texts, 1)
    )


def envelope(name: str, post: Post) -> dict[str, Any]:
    """One item of `social/<name>.json`: the post's key, place in its thread and API request."""
    item: dict[str, Any] = {
        "idempotency_key": post.idempotency_key,
        "story_id": post.story_id,
        "part": post.part,
        "parts": post.parts,
        "request": PLATFORMS[name].payload(post),
    }
    if post.is_reply:
        item["reply_to"] = {"root": post.root_key, "parent": post.parent_key}
    return item


def _json_file(name: str, posts: tuple[Post, ...]) -> RenderedFile:
    items = [envelope(name, post) for post in posts]
    return RenderedFile(
        path=f"social/{name}.json",
        content=json_file(items, sort_keys=True),
        media_type="application/json",
    )


def _text_file(name: str, posts: tuple[Post, ...], limit: int) -> RenderedFile:
    platform = PLATFORMS[name]
    plural = "" if len(posts) == 1 else "s"
    blocks = [f"{name}: {len(posts)} post{plural}, limit {limit} {platform.unit}"]
    for number, post in enumerate(posts, 1):
        size = platform.measure(post.text)
        part = f" · part {post.part}/{post.parts}" if post.parts > 1 else ""
        head = f"--- post {number} of {len(posts)} · {post.story_id}{part} · {size}/{limit} ---"
        extra = f"\n[topic tag: {post.topic_tag}]" if post.topic_tag else ""
        blocks.append(f"{head}\n{post.text}{extra}")
    content = "\n\n".join(blocks) + "\n"
    return RenderedFile(
        path=f"social/{name}.txt", content=content.encode(), media_type="text/plain; charset=utf-8"
    )
