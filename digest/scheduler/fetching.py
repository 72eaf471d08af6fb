"""Before a due slot: fetch the config's `[[sources]]` into the seeds folder; say what came of it.

A schedule with `fetch_before = true` (the default) fetches every source before its due slot is
built. One round per wake-up: when several slots are due at once (catch-up after downtime, or two
schedules at the same minute), the first one fetches and the others build from what that round
brought, since a second fetch seconds later would only ask each server the same question again.

A source that fails (a timeout, an HTTP error, a body that is not a feed) is logged and journaled
with its reason; its earlier seeds are still in the folder, so the slot still publishes from what
there is. `digest.sources` (httpx, feedparser, trafilatura) is imported only when a round runs, so
a wake-up with nothing due never loads it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import Schedule, Settings
from digest.models import Slot
from digest.outbox import journal
from digest.scheduler.history import latest_slot

if TYPE_CHECKING:
    from digest.sources import SourceResult

log = logging.getLogger("digest.scheduler")


def fetch_sources(settings: Settings, now: datetime) -> list[SourceResult]:
    """`digest.sources.fetch_sources`, imported only when a due slot fetches."""
    from digest.sources import fetch_sources as fetch_all

    return fetch_all(settings, now=now)


def wants_fetch(settings: Settings, schedule: Schedule) -> bool:
    """Whether a due slot of `schedule` fetches the sources first."""
    return schedule.fetch_before and bool(settings.sources)


def fetch_round(
    settings: Settings, slot: Slot, now: datetime, *, seeds: Path | None = None
) -> list[SourceResult]:
    """Fetch every source for `slot` into `seeds` (default: the config's seeds folder, the one
    the build reads); each failure logged and journaled, never raised.

    The journal gets one `fetch-failed` line per failed source and one `fetched` line for the
    round, under the slot that asked for it.
    """
    outbox = settings.paths.outbox
    if seeds is not None:
        paths = settings.paths.model_copy(update={"seeds": seeds})
        settings = settings.model_copy(update={"paths": paths})
    try:
        results = fetch_sources(settings, now)
    except Exception as exc:  # the sources' own bookkeeping failed: build from what there is
        reason = f"{type(exc).__name__}: {exc}"
        log.error(
            "%s: fetching the sources failed (%s); building from the seeds there are",
            slot.batch_id,
            reason,
        )
        journal.record(outbox, now, "fetch-failed", slot, f"every source: {reason}")
        return []
    urls = {source.name: source.url for source in settings.sources}
    for result in results:
        if result.status == "failed":
            log.warning(
                "%s: source %s (%s) failed: %s; its earlier seeds still count",
                slot.batch_id,
                result.name,
                urls.get(result.name, "?"),
                result.reason,
            )
            journal.record(outbox, now, "fetch-failed", slot, f"{result.name}: {result.reason}")
    summary = "; ".join(_one(result) for result in results) or "no source"
    log.info("%s: fetched %s", slot.batch_id, summary)
    journal.record(outbox, now, "fetched", slot, summary)
    return results


def _one(result: SourceResult) -> str:
    if result.status == "failed":
        return f"{result.name}: failed ({result.reason})"
    if result.status == "not-modified":
        return f"{result.name}: not modified"
    return f"{result.name}: {len(result.new)} new"


def nothing_new(
    settings: Settings, schedule: Schedule, now: datetime, results: list[SourceResult]
) -> str:
    """Why a slot that fetched first has no story: no source brought one since the last batch.

    For example "no new items from sources city-news, parks since 2026-11-27 09:00 CET (the
    last batch of 'daily'); failed: parks (HTTP 500)".
    """
    names = ", ".join(source.name for source in settings.sources)
    sources = "source" if len(settings.sources) == 1 else "sources"
    last = latest_slot(settings.paths.outbox, schedule.name, now)
    if last is None:
        since = f"the first fetch (no batch of {schedule.name!r} yet)"
    else:
        local = last.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M %Z")
        since = f"{local} (the last batch of {schedule.name!r})"
    failed = [f"{r.name} ({r.reason})" for r in results if r.status == "failed"]
    tail = f"; failed: {', '.join(failed)}" if failed else ""
    return f"no new items from {sources} {names} since {since}{tail}"
