"""The social platforms: each one's limit, how it counts a post, and its API-shaped payload."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

import regex
from twitter_text import extract_urls_with_indices, parse_tweet
from twitter_text.config import config as twitter_configs

from digest.config import Settings

URL_WEIGHT = 23  # what X and Mastodon count for any link
BLUESKY_MAX_BYTES = 3000
LINKEDIN_AUTHOR_PLACEHOLDER = "urn:li:person:UNSET"  # set [platforms.linkedin] author in config
LITTLE_RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG_TOKEN = re.compile(r"(?<!\S)#(\w*[^\W\d_]\w*)(?!\S)")
# Mastodon's Account::MENTION_RE: @user or @user@domain, not after "=", "/" or a word character.
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(\w+(?:[.-]+\w+)*))?", re.IGNORECASE
)
_MENTION_END = re.compile(  # twitter-text's end_mention_match: an at sign, a latin accent, "://"
    "[@\uff20\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0300-\u036f\u1e00-\u1eff]|://"
)
MAX_DOMAIN = 253  # longer "domains" are not mentions, so Mastodon counts them in full


@dataclass(frozen=True)
class Post:
    """One post as composed: its text plus what the payload needs besides the text."""

    story_id: str
    text: str
    idempotency_key: str
    part: int = 1
    language: str = "en"
    created_at: str = ""  # ISO 8601 with Z: the slot's UTC instant
    url: str | None = None
    title: str = ""  # link card title (Bluesky embed)
    description: str = ""  # link card description
    hashtags: tuple[str, ...] = ()  # tags written in the text, without "#"
    topic_tag: str | None = None  # Threads' one topic tag, outside the text
    account: str | None = None  # LinkedIn author URN, Bluesky repo handle


def twitter_config(version: int = 3) -> dict[str, Any]:
    """twitter-text's counting config v1, v2 or v3, complete for `parse_tweet`."""
    options = dict(twitter_configs[f"version{version}"])
    options.setdefault("emoji_parsing_enabled", False)
    return options


def graphemes(text: str) -> int:
    """Extended grapheme clusters, as Bluesky and Mastodon count them."""
    return len(regex.findall(r"\X", text))


def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """Mastodon's StatusLengthValidator: links count 23, `@user@domain` counts `@user`."""
    spans = [
        (start, end, "x" * URL_WEIGHT)
        for start, end in (e["indices"] for e in extract_urls_with_indices(text, False))
    ]
    for match in _MENTION.finditer(text):
        domain = match.group(2)
        if _MENTION_END.match(text, match.end()) or (domain and len(domain) > MAX_DOMAIN):
            continue
        spans.append((match.start(), match.end(), "@" + match.group(1)))
    out, position = [], 0
    for start, end, replacement in sorted(spans):
        if start >= position:  # twitter-text drops entities overlapping an earlier one
            out += [text[position:start], replacement]
            position = end
    return graphemes(spoiler_text + "".join(out) + text[position:])


def escape_little(text: str) -> str:
    """LinkedIn "little" text: backslash-escape every reserved character."""
    return "".join("\\" + c if c in LITTLE_RESERVED else c for c in text)


def little_text(text: str) -> str:
    """A post as LinkedIn commentary: escaped, with `#Tag` words as hashtag templates."""
    out, position = [], 0
    for match in _HASHTAG_TOKEN.finditer(text):
        out.append(escape_little(text[position : match.start()]))
        out.append("{hashtag|\\#|" + escape_little(match.group(1)) + "}")
        position = match.end()
    return "".join(out) + escape_little(text[position:])


def _byte_span(text: str, start: int, end: int) -> dict[str, int]:
    head = len(text[:start].encode("utf-8"))
    return {"byteStart": head, "byteEnd": head + len(text[start:end].encode("utf-8"))}


def bluesky_facets(text: str, url: str | None, tags: tuple[str, ...]) -> list[dict[str, Any]]:
    """Link and tag facets whose UTF-8 byte ranges slice exactly the URL and each `#tag`."""
    found: list[tuple[int, int, dict[str, str]]] = []
    if url and (start := text.find(url)) >= 0:
        link = {"$type": "app.bsky.richtext.facet#link", "uri": url}
        found.append((start, start + len(url), link))
    for match in _HASHTAG_TOKEN.finditer(text):
        if match.group(1) in tags:
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}
            found.append((match.start(), match.end(), feature))
    return [
        {"index": _byte_span(text, start, end), "features": [feature]}
        for start, end, feature in sorted(found, key=lambda f: f[0])
    ]


class Platform:
    """A social network's rule: its default limit, its measure and its payload."""

    name: ClassVar[str]
    limit: ClassVar[int]
    unit: ClassVar[str] = "characters"  # what `measure` counts, for editors
    tags: ClassVar[int] = 0  # hashtags written into a post's text, at most

    def measure(self, text: str) -> int:
        """The length of `text` as this platform counts it."""
        raise NotImplementedError

    def fits(self, text: str, limit: int) -> bool:
        """Whether `text` is within `limit` by this platform's rule."""
        return self.measure(text) <= limit

    def payload(self, post: Post) -> dict[str, Any]:
        """The API-shaped object for `post`, with its idempotency key at the top level."""
        raise NotImplementedError


class X(Platform):
    name, limit, tags, unit = "x", 280, 2, "weighted characters"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = options or twitter_config(3)

    def measure(self, text: str) -> int:
        return int(parse_tweet(unicodedata.normalize("NFC", text), self.options).weightedLength)

    def fits(self, text: str, limit: int) -> bool:
        options = {**self.options, "max_weighted_tweet_length": limit}
        return bool(parse_tweet(unicodedata.normalize("NFC", text), options).valid)

    def payload(self, post: Post) -> dict[str, Any]:
        # X API v2: a single post has no `reply`; thread parts will add reply.in_reply_to_tweet_id.
        return {"text": post.text, "idempotency_key": post.idempotency_key}


class Bluesky(Platform):
    name, limit, tags, unit = "bluesky", 300, 3, "graphemes"

    def measure(self, text: str) -> int:
        return graphemes(text)

    def fits(self, text: str, limit: int) -> bool:
        return super().fits(text, limit) and len(text.encode("utf-8")) <= BLUESKY_MAX_BYTES

    def payload(self, post: Post) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": post.created_at,
            "langs": [post.language],
            "facets": bluesky_facets(post.text, post.url, post.hashtags),
        }
        if post.url:
            card = {"uri": post.url, "title": post.title, "description": post.description}
            record["embed"] = {"$type": "app.bsky.embed.external", "external": card}
        wrapper = {"idempotency_key": post.idempotency_key, "collection": "app.bsky.feed.post"}
        if post.account:
            wrapper["repo"] = post.account
        return {**wrapper, "record": record}


class Mastodon(Platform):
    name, limit, tags = "mastodon", 500, 3

    def measure(self, text: str) -> int:
        return mastodon_length(text)

    def payload(self, post: Post) -> dict[str, Any]:
        return {
            "status": post.text,
            "visibility": "public",
            "language": post.language,
            "in_reply_to_id": None,
            "idempotency_key": post.idempotency_key,  # send as the Idempotency-Key header
        }


class LinkedIn(Platform):
    name, limit, tags, unit = "linkedin", 3000, 3, "escaped characters"

    def measure(self, text: str) -> int:
        return len(little_text(text))

    def payload(self, post: Post) -> dict[str, Any]:
        return {
            "author": post.account or LINKEDIN_AUTHOR_PLACEHOLDER,
            "commentary": little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
            "idempotency_key": post.idempotency_key,
        }


class Threads(Platform):
    name, limit, unit = "threads", 500, "UTF-8 bytes"

    def measure(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def payload(self, post: Post) -> dict[str, Any]:
        return {
            "media_type": "TEXT",
            "text": post.text,
            "reply_to_id": None,
            "topic_tag": post.topic_tag,
            "idempotency_key": post.idempotency_key,
        }


PLATFORMS: dict[str, Platform] = {
    p.name: p for p in (X(), Bluesky(), Mastodon(), LinkedIn(), Threads())
}


def limit_for(name: str, settings: Settings) -> int:
    """The platform's limit from `[platforms.<name>] limit`, else its standard one."""
    configured: int | None = getattr(settings.platforms, name).limit
    return configured or PLATFORMS[name].limit
