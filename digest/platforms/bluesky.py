"""Bluesky: graphemes and bytes, and `app.bsky.feed.post` records with facets and a link card."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from digest.platforms.base import Platform, Post
from digest.platforms.richtext import LINK, TAG, detect_facets
from digest.text import grapheme_count

if TYPE_CHECKING:
    from digest.config import Settings

MAX_BYTES = 3000  # the lexicon's maxLength for `text`, besides its 300 graphemes


def post_facets(text: str, url: str | None) -> list[dict[str, Any]]:
    """The facets the Bluesky app would give `text`, the story link covered whole.

    Mentions are left out (they need a DID from the network), and so is any tag facet whose
    bytes are not exactly "#" and its tag (the "##tag" and full-width "＃tag" spellings).
    """
    raw = text.encode("utf-8")
    whole = url.encode("utf-8") if url else b""
    facets = []
    for facet in detect_facets(text):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        (feature,) = facet["features"]
        if feature["$type"] == LINK and whole and raw.startswith(whole, start):
            facet = {
                "index": {"byteStart": start, "byteEnd": start + len(whole)},
                "features": [{"$type": LINK, "uri": url}],
            }
        elif feature["$type"] == TAG and raw[start:end].decode().lstrip("#") != feature["tag"]:
            continue
        facets.append(facet)
    return facets


class Bluesky(Platform):
    name, limit, tags, unit = "bluesky", 300, (2, 3), "graphemes"
    label = "Bluesky"

    def account(self, settings: Settings) -> str | None:
        handle = settings.platforms.bluesky.handle
        return handle.lstrip("@") if handle else None  # createRecord's repo

    def text_of(self, request: dict[str, Any]) -> str:
        return str(request["record"]["text"])

    def accepts_tag(self, tag: str) -> bool:
        # the app's own rule: "#tag" alone is one tag facet covering all of it, tag as written
        facets = post_facets(f"#{tag}", None)
        return len(facets) == 1 and facets[0]["features"][0] == {"$type": TAG, "tag": tag}

    def measure(self, text: str) -> int:
        return grapheme_count(text)

    def fits(self, text: str, limit: int) -> bool:
        return (
            bool(text) and len(text.encode("utf-8")) <= MAX_BYTES and grapheme_count(text) <= limit
        )

    def payload(self, post: Post) -> dict[str, Any]:
        """A `com.atproto.repo.createRecord` input: `repo` (if configured), `collection`, `record`.

        A thread part's `record.reply` needs the uri and cid of the posts replied to, which only
        exist once they are sent: the sender adds it, from the envelope's `reply_to` keys.
        """
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": post.created_at,
            "langs": [post.language],
            "facets": post_facets(post.text, post.url),
        }
        if post.url:
            card = {"uri": post.url, "title": post.title, "description": post.description}
            record["embed"] = {"$type": "app.bsky.embed.external", "external": card}
        body: dict[str, Any] = {"collection": "app.bsky.feed.post", "record": record}
        if post.account:
            body["repo"] = post.account
        return body
