"""One reading of the project for the preview: config, seeds, sources, next slots, recent batches.

A `Site` is built from the files as they are at one moment and never changes; the watcher builds
a new one when a file changes. It reads the seeds and picks each slot's stories with the
pipeline's own pieces (`gather`, `unsent`); what each view shows (a `Sample`) is assembled on
first use, by the pipeline's own `prepare`, and kept for the life of the Site.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError

from digest.assemble import assemble
from digest.channels import CHANNELS
from digest.config import Settings, load_config
from digest.config.source import read_file
from digest.errors import ConfigError, DigestError, PublishError, SeedError
from digest.models import Slot, Story, Summary
from digest.outbox import is_published
from digest.outbox.published import Batch, published
from digest.pipeline import gather, prepare, unsent
from digest.preview.approvals import waiting
from digest.preview.archive import ArchiveLink, archive_link
from digest.preview.batch_files import read_batch, read_pending
from digest.preview.model import Item, Plan, Sample, SeedRow, Subject, Waiting
from digest.preview.scrub import folder_pattern, warnings_of
from digest.preview.sources import source_rows
from digest.scheduler.slots import next_slots
from digest.seeds import slugify
from digest.seeds.edits import Edits, Sidecars
from digest.summarize import summarize
from digest.summarize.edits import apply_edits, edit_warnings

log = logging.getLogger(__name__)
RECENT_BATCHES = 10
LOOK_AHEAD = 14  # slots to look through for the next unpublished one


_SETTINGS: dict[Path, Settings] = {}  # the last Settings read from each config.toml
_SETTINGS_LOCK = threading.Lock()


def settings_of(config: Path) -> Settings:
    """`load_config(config)`, reused while config.toml holds the same bytes.

    What `load_config` returns follows from the path and the file's bytes alone (its config_hash
    is their SHA-256), so the Settings read from the same bytes before is the one it would return
    now; the preview reads the project again on every save of a seed, which leaves config.toml
    as it was. A file that cannot be read raises the same `ConfigError` as `load_config`.
    """
    raw = read_file(config)
    with _SETTINGS_LOCK:
        known = _SETTINGS.get(config)
    if known is not None and known.config_hash == hashlib.sha256(raw).hexdigest():
        return known
    settings = load_config(config)
    with _SETTINGS_LOCK:
        _SETTINGS[config] = settings
    return settings


class Site:
    """The project as read at `now`; samples are rendered lazily and cached."""

    def __init__(self, config: Path, now: datetime, seeds: Path | None = None) -> None:
        self.config_path = Path(config).resolve()
        self.now = now
        self.settings: Settings | None = None
        self.problem: ConfigError | None = None
        try:
            self.settings = settings_of(self.config_path)
        except ConfigError as error:
            self.problem = error
        here = self.config_path.parent
        paths = self.settings.paths if self.settings else None
        self.seeds_dir = (
            Path(seeds).resolve() if seeds else (paths.seeds if paths else here / "seeds")
        )
        self.templates_dir = paths.templates if paths else here / "templates"
        self.outbox = paths.outbox if paths else here / "outbox"
        self.site_dir = paths.site if paths else here / "site"  # the archive's (digest archive)
        self.root = self.config_path.parent
        self._folders = folder_pattern(
            self.root,
            self.seeds_dir,
            self.templates_dir,
            self.outbox,
            self.site_dir,
            self.config_path,
        )
        self.warnings: list[str] = []
        self.sidecars = Sidecars(self.seeds_dir)  # the edits files, each read once per Site
        self.rows, self.stories = self._seed_rows()
        self.sources = source_rows(self.settings, self.seeds_dir, self.scrub, self.warnings)
        with warnings_of("digest.outbox", self.warnings, self.scrub):
            self.plans = self._plans()
            self.batches = self._batches()
            self.pending = self._waiting()
        self._samples: dict[str, Sample] = {}
        self._archived: dict[str, ArchiveLink] = {}
        self._lock = threading.Lock()

    def _seed_rows(self) -> tuple[list[SeedRow], dict[str, Story]]:
        try:
            stories, errors = gather(self.seeds_dir, self.settings)
        except DigestError:  # no seeds folder (yet): the index says so
            return [], {}
        rows = [SeedRow(s.source, s.slug, s, None, *self.edits_of(s)) for s in stories]
        rows += [SeedRow(e.path.name, slugify(e.path.stem), error=e) for e in errors]
        return sorted(rows, key=lambda r: r.file), {s.slug: s for s in stories}

    def edits_of(self, story: Story) -> tuple[Edits | None, str | None]:
        """The story's edits file as read (None without one), or why it cannot be read."""
        try:
            return self.sidecars.of(story.source), None
        except SeedError as error:
            return None, self.located(error)

    def located(self, error: SeedError) -> str:
        """An edits file's problem as the pages name it: `seeds/<name>.edits.toml:<line>: why`."""
        where = self.shown(self.seeds_dir / error.path)
        return self.scrub(f"{where}:{error.line}: {error.reason}")

    def _plans(self) -> list[Plan]:
        if self.settings is None:
            return []
        plans = []
        for schedule in self.settings.schedules:
            # The next slot not yet published (a build may have run ahead of the clock).
            slots = next_slots(schedule, self.now, LOOK_AHEAD)
            slot = next((s for s in slots if not self._published(s)), slots[-1])
            try:
                chosen = unsent(self.stories.values(), self.outbox, slot, self.sidecars)
            except (DigestError, OSError) as error:  # an outbox that cannot be read
                self.warnings.append(
                    self.scrub(f"{error}; the stories of the next {schedule.name} slot are unknown")
                )
                chosen = []
            plans.append(Plan(schedule, slot, tuple(chosen[: schedule.max_stories])))
        return plans

    def _waiting(self) -> list[Waiting]:
        """The slots of outbox/.pending (schedules with approval = "required")."""
        if self.settings is None:
            return []
        try:
            return waiting(self.settings, self.outbox, self.now)
        except (DigestError, OSError) as error:
            self.warnings.append(self.scrub(f"{error}; the slots waiting for approval are unknown"))
            return []

    def _published(self, slot: Slot) -> bool:
        """Whether the slot's batch is out; not when its date folder is a link or a file, where
        the outbox lists no batch and a build publishes none."""
        try:
            return is_published(self.outbox, slot.folder)
        except PublishError:
            return False

    def _batches(self) -> list[Batch]:
        try:
            return list(reversed(published(self.outbox)))[:RECENT_BATCHES]
        except OSError as error:  # something that is not a batch folder where one should be
            self.warnings.append(self.scrub(f"{self.outbox}: cannot list the batches: {error}"))
            return []

    def shown(self, path: Path | str) -> str:
        """`path` as the pages show it: relative to the project (the folder of config.toml)."""
        return Path(os.path.relpath(path, self.root)).as_posix()

    def scrub(self, text: str) -> str:
        """`text` with every path of the project's folders in it shown relative to the project.

        Error messages name files by their absolute paths; pages (and exports, which are shared)
        never show where the project sits on the editor's disk.
        """
        return self._folders[0].sub(lambda m: self._folders[1][m.group(0)], text)

    @property
    def expires(self) -> datetime | None:
        """When the next slots are no longer next: the site must be read again then."""
        return min((p.slot.utc for p in self.plans), default=None)

    @property
    def errors(self) -> list[SeedError]:
        return [row.error for row in self.rows if row.error]

    def seed_error(self, slug: str) -> SeedError | None:
        """The error of the seed whose file has this slug, when it was rejected."""
        return next((r.error for r in self.rows if r.slug == slug and r.error), None)

    def subject(self, kind: str, key: str) -> Subject | None:
        """The story, slot or batch named in a URL, or None when there is no such thing."""
        if kind == "story" and key in self.stories:
            return Subject(kind, key, self.stories[key].title)
        if kind == "slot":
            plan = self.plan(key)
            return Subject(kind, key, f"next {key} slot") if plan else None
        if kind == "batch" and any(self.batch_key(b) == key for b in self.batches):
            return Subject(kind, key, f"batch {key}")
        if kind == "pending" and any(w.row["batch"] == key for w in self.pending):
            return Subject(kind, key, f"waiting for approval: {key}")
        return None

    def subjects(self) -> list[Subject]:
        """Everything the index links to."""
        found = [self.subject("story", slug) for slug in sorted(self.stories)]
        found += [self.subject("slot", p.schedule.name) for p in self.plans]
        found += [self.subject("batch", self.batch_key(b)) for b in self.batches]
        found += [self.subject("pending", w.row["batch"]) for w in self.pending]
        return [s for s in found if s is not None]

    def plan(self, name: str) -> Plan | None:
        return next((p for p in self.plans if p.schedule.name == name), None)

    @staticmethod
    def batch_key(batch: Batch) -> str:
        return f"{batch.day}/{batch.path.name}"

    def archived(self, batch: Batch) -> ArchiveLink:
        """Where the batch is in the archive (read once per Site; the watcher reads the site
        again when `digest archive` has run)."""
        key = self.batch_key(batch)
        with self._lock:
            if key not in self._archived:
                assert self.settings is not None
                link = archive_link(self.settings, self.site_dir, batch)
                if link.note is not None:
                    link = replace(link, note=self.scrub(link.note))
                self._archived[key] = link
            return self._archived[key]

    def sample(self, subject: Subject) -> Sample:
        """The subject's files and stories, rendered once per Site."""
        with self._lock:
            if subject.base not in self._samples:
                sample = self._make(subject)
                if sample.problem is not None:
                    sample = replace(sample, problem=self.scrub(sample.problem))
                self._samples[subject.base] = sample
            return self._samples[subject.base]

    def _make(self, subject: Subject) -> Sample:
        try:
            if subject.kind == "batch":
                batch = next(b for b in self.batches if self.batch_key(b) == subject.key)
                return read_batch(subject, batch.path, self.outbox, self.stories.values())
            if subject.kind == "pending":
                return read_pending(subject, self.outbox, self.stories.values())
            return self._render(subject)
        except TemplateSyntaxError as error:  # a template being edited, named with its line
            where = f"templates/{error.name}:{error.lineno}: " if error.name else ""
            return Sample(subject, problem=f"{where}{error.message}")
        except (DigestError, TemplateError) as error:
            return Sample(subject, problem=str(error))
        except Exception as error:  # a broken template or renderer must not take the page down
            log.exception("preview of %s failed", subject.base)
            return Sample(subject, problem=f"{type(error).__name__}: {error}")

    def _render(self, subject: Subject) -> Sample:
        assert self.settings is not None
        problem = None
        if subject.kind == "story":  # the story alone, in every channel, in the first next slot
            slot = self.plans[0].slot
            story = self.stories[subject.key]
            problem = self._edits_problem(story)
            # With an edits file that breaks a rule, the story as generated (it is left out of
            # batches until the file is fixed, which the page says).
            edits = _Unedited(self.seeds_dir) if problem else self.sidecars
            assembled = assemble(
                slot, CHANNELS, (story,), self.errors, self.settings, 1, edits=edits
            )
        else:  # the slot's batch, as a build would publish it now
            plan = self.plan(subject.key)
            assert plan is not None
            slot = plan.slot
            stories = self.stories.values()
            prepared = prepare(
                self.settings, slot, stories, self.errors, self.outbox, seeds=self.seeds_dir
            )
            if prepared is None:
                return Sample(
                    subject,
                    batch_id=slot.batch_id,
                    problem="no new seeds: every valid seed was carried by an earlier batch of "
                    f"{slot.schedule!r} or dropped by its editor, so this slot would publish "
                    "nothing",
                )
            assembled = prepared
        # A story that fails alone was left out, as a build would.
        left_out = assembled.rejected[len(self.errors) :]
        for error in left_out:
            log.warning("%s", error)
        rendered = assembled.rendered
        items = tuple(self._item(e.story, e.summary) for e in rendered.digest.entries)
        files = {f.path: f.content for f in rendered.files}
        return Sample(
            subject,
            batch_id=slot.batch_id,
            files=files,
            items=items,
            problem=problem,
            left_out=tuple(self.located(error) for error in left_out),
        )

    def _item(self, story: Story, summary: Summary) -> Item:
        edits, _ = self.edits_of(story)
        warnings = edit_warnings(story, summary) if summary.edited else []
        return Item(summary, story, story.source, edits, tuple(map(self.scrub, warnings)))

    def _edits_problem(self, story: Story) -> str | None:
        """Why the story's edits file leaves it out of batches (it cannot be read, or breaks a
        rule applied to the summary), as the page says it; None when it does not."""
        assert self.settings is not None
        try:
            edits = self.sidecars.of(story.source)
            if edits is not None:
                apply_edits(summarize(story, self.settings.summary.max_bullets), edits)
        except SeedError as error:
            return (
                f"{self.located(error)}. The story is left out of batches until its edits "
                "file is fixed; shown here as generated"
            )
        return None


class _Unedited(Sidecars):
    """No edits file for any story: a story shown as generated."""

    def of(self, source: str) -> Edits | None:
        return None
