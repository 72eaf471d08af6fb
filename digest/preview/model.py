"""The preview's plain data: what the site read, and what each view shows.

Nothing here reads a file or renders: `site` fills these in, `batch_files` reads a published
batch into a `Sample`, and the pages and views only look at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from digest.config import Schedule
from digest.errors import SeedError
from digest.models import Slot, Story, Summary
from digest.outbox.listing import PendingRow
from digest.seeds.edits import Edits


@dataclass(frozen=True)
class SeedRow:
    """A file of the seeds folder: its story, or why it was rejected."""

    file: str
    slug: str
    story: Story | None = None
    error: SeedError | None = None
    edits: Edits | None = None  # the story's edits file, when it has one that reads
    edits_error: str | None = None  # why its edits file cannot be read, as file:line: reason


@dataclass(frozen=True)
class SourceRow:
    """A `[[sources]]` entry as its last fetch left it; `fetched` is "" when never fetched."""

    name: str
    url: str
    fetched: str  # local time, as the page shows it
    status: str  # "ok", "not-modified", "failed" or "never fetched"
    reason: str
    new_items: int
    new_files: tuple[str, ...] = ()  # the seed files its last fetch wrote


@dataclass(frozen=True)
class Plan:
    """A schedule's next slot and the stories it would carry if it ran now."""

    schedule: Schedule
    slot: Slot
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Subject:
    """One thing to preview: a story, a schedule's next slot, or a published batch."""

    kind: str  # "story", "slot", "batch" or "pending"
    key: str  # the slug, the schedule's name, or "<date>/<schedule>-<HHMM>"
    label: str

    @property
    def base(self) -> str:
        """Its folder in the preview's URLs (and in an export)."""
        return f"{self.kind}/{self.key}"


@dataclass(frozen=True)
class Item:
    """A story of a sample as the summary view shows it; `story` is None when the seed is gone.

    For a sample rendered now (a story, a next slot), `edits` is the story's edits file and
    `warnings` the numbers and names of its edited text that the seed does not hold.
    """

    summary: Summary
    story: Story | None
    source: str
    edits: Edits | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Waiting:
    """A slot of `outbox/.pending` as the index shows it: E2's row, and whether an editor can
    still approve or hold it (`open`: not expired, not past its catch-up)."""

    row: PendingRow
    open: bool
    due: bool  # its time has come: approving publishes it at once
    deadline: str  # the end of its catch-up, local time, as the page shows it
    at: str = ""  # its time, local, as the page shows it


@dataclass(frozen=True)
class Sample:
    """A subject's files, as the pipeline renders (or a batch holds) them, or why there are none."""

    subject: Subject
    batch_id: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    items: tuple[Item, ...] = ()
    problem: str | None = None
    left_out: tuple[str, ...] = ()  # stories the slot left out (an edits file's problem, ...)
    manifest_sha256: str = ""  # of a pending batch: what approving it approves
