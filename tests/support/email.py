"""The email tests' digests and readers: stories to render, the files and message they give."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from digest.config import Settings
from digest.models import Digest, Entry
from digest.render.email import render_email
from digest.seeds import read_seed
from support.factories import BBC_SEEDS, example_story, make_digest, settings

EXPECTED_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
]


LEAD_URL = "https://example.org/news/bukele?ref=home&x=a%20b#top"


def three_stories() -> Digest:
    lead = example_story().model_copy(update={"url": LEAD_URL})
    business = read_seed(BBC_SEEDS / "bbc-business-001.txt")
    tech = read_seed(BBC_SEEDS / "bbc-tech-005.txt").model_copy(
        update={"url": "https://www.bbc.co.uk/news/technology"}
    )
    return make_digest([lead, business, tech])


def five_stories() -> Digest:
    """Five BBC stories, each with a link and the second with an image."""
    stories = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:5]]
    stories = [
        s.model_copy(update={"url": f"https://www.bbc.co.uk/news/{s.slug}"}) for s in stories
    ]
    stories[1] = stories[1].model_copy(
        update={"image": "https://example.org/img/story.jpg", "image_alt": "A trading floor"}
    )
    return make_digest(stories)


def with_summary(digest: Digest, **changes: object) -> Digest:
    """`digest` with its lead story's summary changed."""
    entry = digest.entries[0]
    summary = entry.summary.model_copy(update=changes)
    lead = Entry(story=entry.story, summary=summary)
    return digest.model_copy(update={"entries": (lead, *digest.entries[1:])})


def with_story(digest: Digest, **changes: object) -> Digest:
    """`digest` with its lead story changed."""
    entry = digest.entries[0]
    lead = Entry(story=entry.story.model_copy(update=changes), summary=entry.summary)
    return digest.model_copy(update={"entries": (lead, *digest.entries[1:])})


def files(digest: Digest, config: Settings | None = None) -> dict[str, bytes]:
    return {f.path: f.content for f in render_email(digest, config or settings())}


def message(digest: Digest) -> EmailMessage:
    parsed = email.message_from_bytes(
        files(digest)["email/digest.eml"], policy=email.policy.default
    )
    assert isinstance(parsed, EmailMessage)
    return parsed
