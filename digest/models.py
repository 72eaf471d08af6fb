"""The frozen models that cross pipeline stages: Story, Summary, Digest, Rendered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer


class Frozen(BaseModel):
    """Immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(Frozen):
    """One `**<Label> Article:**` section of a seed (or the whole body of a Markdown seed)."""

    label: str
    headline: str | None
    paragraphs: tuple[str, ...]
    line: int  # where the section starts in the seed file, 1-based


class StoryMeta(Frozen):
    """What a seed's front matter may say about its story."""

    url: str | None = None
    date: dt.date | dt.datetime | None = None
    tags: tuple[str, ...] = ()
    priority: int = 0
    image: str | None = None
    image_alt: str | None = None
    language: str = "en"
    author: str | None = None


class Story(StoryMeta):
    """A seed, read and checked: everything the later stages need, nothing of the file format."""

    id: str  # "<slug>-<first 8 hex of content_hash>"
    slug: str
    source: str  # file name, relative to the seeds folder
    content_hash: str  # sha256 of the seed's bytes
    title: str
    tagline: str | None = None
    articles: tuple[Article, ...]

    def text(self) -> str:
        """All article paragraphs, in order, one per line."""
        return "\n".join(p for a in self.articles for p in a.paragraphs)


class Sources(Frozen):
    """The seed sentences each part of a summary was drawn from."""

    headline: tuple[str, ...]
    tagline: tuple[str, ...]
    bullets: tuple[tuple[str, ...], ...]


class Editor(Frozen):
    """Who replaced a summary's text and when, as the story's edits file says (either unknown)."""

    by: str | None = None
    at: dt.datetime | None = None


class Summary(Frozen):
    """What readers see of a story: headline, tagline, bullets and hashtags, with their sources.

    `edited` names the parts an editor's text replaced ("headline", "bullets.2", ...); their
    sources are empty, as the seed holds no sentence they came from. A summary nobody edited
    is written without `edited` and `editor`, as it was before editors could edit.
    """

    story_id: str
    headline: str  # <= 70 characters
    tagline: str  # <= 120 characters
    bullets: tuple[str, ...]  # 3-5 of them, each <= 200 characters
    hashtags: tuple[str, ...]  # without "#", CamelCase
    sources: Sources
    edited: tuple[str, ...] = ()
    editor: Editor | None = None

    @model_serializer(mode="wrap")
    def _unedited_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.edited:
            data.pop("edited", None)
        if self.editor is None:
            data.pop("editor", None)
        return data


class Entry(Frozen):
    """One story of a digest with its summary."""

    story: Story
    summary: Summary


class RejectedSeed(Frozen):
    # A seed left out of a batch, and why (`file:line: reason`): the pipeline's `Digest.rejected`
    # and, as they are, the manifest's `rejected`. A comment, not a docstring: the manifest's JSON
    # Schema is generated from this model, and pydantic would publish a docstring there.

    file: str  # the seed's file name, relative to the seeds folder
    line: int  # 1-based
    reason: str


class Slot(Frozen):
    """One run of one schedule: the day and time it was set for, and the instant it falls on."""

    schedule: str
    day: dt.date  # the local date the slot belongs to
    at: str  # the scheduled local time, HHMM
    local: dt.datetime  # the aware local instant (moved past a spring-forward gap)

    @property
    def utc(self) -> dt.datetime:
        return self.local.astimezone(dt.UTC)

    @property
    def batch_id(self) -> str:
        return f"{self.schedule}@{self.utc.strftime('%Y-%m-%dT%H:%M:%SZ')}"

    @property
    def folder(self) -> str:
        """The batch folder relative to the outbox: `<local date>/<name>-<HHMM>`."""
        return f"{self.day.isoformat()}/{self.schedule}-{self.at}"


class Digest(Frozen):
    """The stories of one slot, summarized: the input of every renderer."""

    slot: Slot
    channels: tuple[str, ...]
    entries: tuple[Entry, ...]
    rejected: tuple[RejectedSeed, ...] = ()


class RenderedFile(Frozen):
    """One file of a batch, as bytes, with its path inside the batch folder."""

    path: str
    content: bytes
    media_type: str


class Rendered(Frozen):
    """Every file of a batch, ready to publish."""

    digest: Digest
    files: tuple[RenderedFile, ...]
