"""Sources: the `[[sources]]` feeds of `config.toml` turned into seed files (`digest fetch`, and
the scheduler before each due slot).

For each source in turn: a conditional GET with the validators of its last good response (a 304
writes nothing), the feed parsed, the items chosen, each new one written as a seed, the index
updated (see `digest.sources.state`). Which items a fetch takes:

- never one already written: per source, the same GUID; or, for a GUID the feed no longer
  carries (a feed that rewrote its GUIDs) or an item without one, the same canonical link or
  the same text (each item left out as a duplicate is logged and counted in the result);
- on a source's first good fetch, only items dated within its `since` (default 7 days); later,
  every item not seen before, whatever its date (a feed with a wrong pubDate is not skipped);
- an item without a date counts as published at the fetch: it is taken, and its seed has no date;
- at most `max_items`, the newest; the others are recorded as seen (logged and counted in the
  result's reason; at most `state.MAX_SKIPPED` a fetch), so they do not arrive later as new.

A source that fails (timeout, HTTP error, not a feed, a disk that refuses the seed) is a
`SourceResult` with status "failed" and the reason, logged naming the source and its url; the
other sources go on, and its validators are kept only once all its items are written, so nothing
is lost. Two fetches of one seeds folder never run at once (a lock on the folder).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest.clock import utc_now
from digest.config import Settings
from digest.config.sources import Source
from digest.errors import DigestError
from digest.sources.article import with_article
from digest.sources.connect import private_host
from digest.sources.feed import FeedError, FeedItem, parse_feed
from digest.sources.http import FetchError, fetch
from digest.sources.seedfile import (
    html_to_paragraphs,
    seed_name,
    seed_parts,
    seed_text,
    text_to_paragraphs,
    write_seed,
)
from digest.sources.state import MAX_SKIPPED, Memory, SourcesIndex, SourceState, item_keys

log = logging.getLogger("digest.sources")


@dataclass(frozen=True)
class SourceResult:
    """How fetching one source went: "ok", "not-modified" or "failed", why, the seeds written."""

    name: str
    status: str
    reason: str
    new: tuple[Path, ...]
    fetched_at: datetime


def fetch_sources(
    settings: Settings,
    *,
    only: str | None = None,
    now: datetime | None = None,
    seeds: Path | None = None,
) -> list[SourceResult]:
    """Fetch every source (or the one named `only`) into the seeds folder (`seeds`, default
    `[paths] seeds`); one result per source, in config order, never raising for a source's
    failure. Raises DigestError for an unknown `only` or a seeds folder that cannot be made."""
    now = now or utc_now()
    chosen = _chosen(settings.sources, only)
    folder = seeds or settings.paths.seeds
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"{folder}: cannot make the seeds folder: {exc.strerror}") from None
    results = []
    with _locked(folder):
        index = SourcesIndex.load(folder)
        for source in chosen:
            results.append(_fetch_one(source, index, folder, now))
            index.save()  # after each source: what was written is known even if the next hangs
    return results


def _chosen(sources: list[Source], only: str | None) -> list[Source]:
    if only is None:
        return list(sources)
    picked = [source for source in sources if source.name == only]
    if not picked:
        known = ", ".join(source.name for source in sources) or "none ([[sources]] is empty)"
        raise DigestError(f"no source named {only!r} in config.toml; known sources: {known}")
    return picked


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (its directory descriptor) for the block."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fetch_one(source: Source, index: SourcesIndex, folder: Path, now: datetime) -> SourceResult:
    """One source, fetched, parsed and written; its state updated."""
    state = index.state(source.name, source.url)
    new: list[Path] = []
    try:
        fetched = fetch(
            source.url,
            etag=state.etag,
            last_modified=state.last_modified,
            timeout=source.timeout,
            max_bytes=source.max_bytes,
            # An intranet feed (its configured host private) may be fetched; a public feed's
            # server never makes digest reach a private address, not even by a redirect.
            allow_private=source.allow_private or private_host(source.url),
        )
        if fetched.status == 304 and not (state.etag or state.last_modified):
            reason = "HTTP 304 (not modified) to a request that named no earlier version"
            return _done(source, state, now, "failed", reason, new)
        if fetched.status == 304:
            return _done(source, state, now, "not-modified", "", new)
        _, items = parse_feed(fetched.body, fetched.url, fetched.content_type)
        notes = _write_new(source, items, index, folder, now, new)
    except (FetchError, FeedError) as exc:
        return _done(source, state, now, "failed", exc.reason, new)
    except OSError as exc:
        reason = f"cannot write a seed in {folder}: {exc.strerror or exc}"
        return _done(source, state, now, "failed", reason, new)
    except Exception as exc:  # a parser's own bug must not stop the other sources
        log.debug("source %s: unexpected error", source.name, exc_info=True)
        reason = f"unexpected error: {type(exc).__name__}: {exc}"
        return _done(source, state, now, "failed", reason, new)
    state.etag, state.last_modified = fetched.etag, fetched.last_modified
    state.first_ok = state.first_ok or now
    return _done(source, state, now, "ok", notes, new)


def _done(
    source: Source,
    state: SourceState,
    now: datetime,
    status: str,
    reason: str,
    new: list[Path],
) -> SourceResult:
    state.fetched_at, state.status, state.reason, state.new_items = now, status, reason, len(new)
    state.new_files = [path.name for path in new]
    if status == "failed":
        log.warning("source %s (%s): failed: %s", source.name, source.url, reason)
    else:
        log.info("source %s (%s): %s, %d new", source.name, source.url, status, len(new))
    return SourceResult(source.name, status, reason, tuple(new), now)


def _write_new(
    source: Source,
    items: list[FeedItem],
    index: SourcesIndex,
    folder: Path,
    now: datetime,
    new: list[Path],
) -> str:
    """Write the items not seen before as seeds (appending each to `new`); returns notes for
    the result's reason ("" when there are none). Each item on its own: one that raises is
    logged and left out and the others written; only an OSError writing a seed (the disk) fails
    the source."""
    cutoff = now - source.reach if index.sources[source.name].first_ok is None else None
    errors: list[str] = []
    keyed: list[tuple[tuple[str, ...], FeedItem, str]] = []
    for item in items:
        try:
            text = _feed_text(item)
            keyed.append(
                (item_keys(source.name, item.guid, item.link, item.title, text), item, text)
            )
        except Exception as exc:  # one item's bug must not stop the others
            errors.append(_broken(source, item, exc))
    current = {key for keys, _, _ in keyed for key in keys if key.startswith("guid:")}
    pending = Memory()  # a feed may hold one item twice (a GUID, a link): the first counts
    fresh: list[tuple[tuple[str, ...], FeedItem, str]] = []
    duplicates: list[tuple[str, ...]] = []
    skipped: list[tuple[tuple[str, ...], FeedItem, str]] = []
    for keys, item, text in keyed:
        why = index.duplicate(source.name, keys, current)
        if why == "same GUID" or (why and not item.guid):
            continue  # written or seen by an earlier fetch: the usual case, not news
        # In the feed itself, an earlier item without a GUID is still there.
        why = why or pending.match(keys, current | {""})
        if why:
            log.info("source %s: left out as a duplicate (%s): %s", source.name, why, _named(item))
            duplicates.append(keys)
            continue
        pending.add(keys)
        if cutoff is not None and item.date is not None and item.date < cutoff:
            skipped.append((keys, item, text))  # before `since`: seen, not written
            continue
        fresh.append((keys, item, text))
    fresh.sort(key=lambda entry: entry[1].date or now, reverse=True)
    left_out = len(fresh) - source.max_items
    if left_out > 0:
        log.info(
            "source %s: %d older new items left out (max_items = %d)",
            source.name,
            left_out,
            source.max_items,
        )
    skipped.extend(fresh[source.max_items :])
    _remember_skipped(source, index, duplicates, skipped, now)
    notes: list[str] = []
    for keys, item, text in fresh[: source.max_items]:
        path = _write_item(source, item, text, keys, index, folder, notes, errors)
        if path is not None:
            new.append(path)
            index.remember(source.name, path.name, keys, now)
    parts = [_summed(notes)] if notes else []
    if duplicates:
        parts.append(_plural(len(duplicates), "duplicate") + " left out")
    if left_out > 0:
        parts.append(f"{_plural(left_out, 'older item')} left out (max_items = {source.max_items})")
    parts.extend(f"{n} not written: {why}" for why, n in _counted(errors).items())
    return "; ".join(parts)


def _write_item(
    source: Source,
    item: FeedItem,
    text: str,
    keys: tuple[str, ...],
    index: SourcesIndex,
    folder: Path,
    notes: list[str],
    errors: list[str],
) -> Path | None:
    """Write one item's seed (its article first, when the source asks); None when the item
    raised (logged, its reason appended to `errors`). An OSError writing the seed propagates."""
    try:
        if source.fetch_article:
            item, text, why = with_article(item, source, text)
            if why:
                notes.append(why)
    except Exception as exc:  # an article's bug leaves this item out, not the source
        errors.append(_broken(source, item, exc))
        return None
    try:
        return _write(source, item, text, keys, index, folder)
    except OSError:
        raise  # the disk: the source fails, its validators are not kept, nothing is lost
    except Exception as exc:
        errors.append(_broken(source, item, exc))
        return None


def _remember_skipped(
    source: Source,
    index: SourcesIndex,
    duplicates: list[tuple[str, ...]],
    skipped: list[tuple[tuple[str, ...], FeedItem, str]],
    now: datetime,
) -> None:
    """Record the duplicates (their new GUIDs, so they are not judged again) and the items
    left out as seen, the newest first, at most MAX_SKIPPED (see there why)."""
    skipped = sorted(skipped, key=lambda entry: entry[1].date or now, reverse=True)
    chosen = [*duplicates, *(keys for keys, _, _ in skipped)]
    for keys in chosen[:MAX_SKIPPED]:
        index.remember(source.name, "", keys, now)
    if len(chosen) > MAX_SKIPPED:
        log.info(
            "source %s: %d items left out not recorded (at most %d a fetch); the oldest may "
            "arrive later as new",
            source.name,
            len(chosen) - MAX_SKIPPED,
            MAX_SKIPPED,
        )


def _broken(source: Source, item: FeedItem, exc: Exception) -> str:
    """Log an item left out by an unexpected error; returns the reason."""
    reason = f"unexpected error: {type(exc).__name__}: {exc}"
    log.warning("source %s: item left out (%s): %s", source.name, reason, _named(item))
    log.debug("source %s: the item's error", source.name, exc_info=exc)
    return reason


def _named(item: FeedItem) -> str:
    """The item as a log line names it: its title (shortened) and link."""
    title = item.title if len(item.title) <= 80 else item.title[:79] + "…"
    return f"{title!r} ({item.link or 'no link'})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _counted(reasons: list[str]) -> dict[str, int]:
    return {reason: reasons.count(reason) for reason in reasons}


def _feed_text(item: FeedItem) -> str:
    """The item's text from the feed: its HTML as paragraphs, else its plain text."""
    paragraphs = html_to_paragraphs(item.html) if item.html else []
    return "\n".join(paragraphs or text_to_paragraphs(item.text))


def _write(
    source: Source,
    item: FeedItem,
    text: str,
    keys: tuple[str, ...],
    index: SourcesIndex,
    folder: Path,
) -> Path:
    """Write the seed of `item` under a name no seed had (in the folder or in the index, so a
    deleted seed's name, and its slug, is never reused); returns its path."""
    title, _ = seed_parts(item, source, text)
    taken = set(os.listdir(folder)) | index.file_names()
    key = keys[0] if keys else title
    while True:
        name = seed_name(source.name, title, key, taken)
        try:
            return write_seed(folder, name, seed_text(item, source, text))
        except FileExistsError:  # a seed of that name appeared since the listing
            taken.add(name)


def _summed(notes: list[str]) -> str:
    """Article notes as one reason: each distinct reason with how many items it hit."""
    if not notes:
        return ""
    parts = [f"{n} article(s) not used: {note}" for note, n in _counted(notes).items()]
    return "; ".join(parts) + " (the feed's text kept)"
