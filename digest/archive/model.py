"""What the archive knows of one published issue: read from its batch, never from the seeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StoryEntry:
    """One story of an issue, as its batch's `stories/<slug>.json` holds it."""

    slug: str
    headline: str
    tagline: str
    bullets: tuple[str, ...]
    url: str | None  # the story's own link (http or https), None when it has none


@dataclass(frozen=True)
class Issue:
    """One published batch with an email, as the archive shows it."""

    batch_id: str  # the manifest's batch_id, e.g. morning@2026-12-01T08:00:00Z: the feeds' id
    schedule: str
    folder: str  # the batch's outbox folder, <date>/<slot>, e.g. 2026-12-01/morning-0800
    local: datetime  # the slot, local time (aware)
    utc: datetime  # the slot in UTC (aware): the feeds' published and updated time
    subject: str  # the email's Subject
    lang: str  # the email's language (the <html lang> of its HTML), e.g. en
    stories: tuple[StoryEntry, ...]  # lead first, in the email's order
    email_html: str  # the batch's email/digest.html, as published
    way_out: frozenset[str]  # hrefs no web page may keep: unsubscribe and preferences links
    web_link: str | None  # the List-Archive URL ("View in browser"), None without web_url
    page: str  # the site-relative file of its page, e.g. 2026-12-01/morning-0800/index.html
    url: str  # the page's absolute URL
    fingerprint: str  # sha256 of the batch's manifest.json bytes: changes when the batch does

    @property
    def date(self) -> str:
        """The batch's local date folder, YYYY-MM-DD."""
        return self.folder.split("/", 1)[0]

    @property
    def lead(self) -> StoryEntry:
        return self.stories[0]


@dataclass(frozen=True)
class Skipped:
    """A batch left out of this run, and why (a warning names it)."""

    folder: str
    reason: str
