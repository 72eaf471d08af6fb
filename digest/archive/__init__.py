"""The archive: published batches → a static site (`digest archive`).

    read_issues ─▶ issue pages (web_version) ─▶ index pages and feeds of each schedule
                ─▶ index pages and feeds of all ─▶ sitemap ─▶ removals ─▶ the state

Each file is written only when its bytes change, each whole (`digest.archive.site`), in an
order where no file a reader can reach links to one not written yet: issue pages first, then
each listing's index pages from the last to the first (a new page 3 is written before the page
2 that starts linking to it, and index.html, which links to page 2, last), then the feeds and
the sitemap; files no longer needed go only after that, index pages and feeds before the issue
pages they list. So at any instant, a run killed or not, every file reachable from index.html,
the feeds and the sitemap has all its links resolving. (A page written ahead of those that will
link to it, page 3 before page 2, may link to one not written yet: no reader reaches it yet.)
The next run finishes the job: what a killed run wrote is in its journal
(`digest.archive.journal`), so it is removed when no longer needed, as the files the state
names are. An issue page is not even rendered again while its batch, the settings and its
file on disk are what the state (`digest.archive.state`) recorded.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from digest import __version__
from digest.archive.feeds import FeedInfo, atom_feed, json_feed, sitemap
from digest.archive.issues import read_issues
from digest.archive.journal import owned, read_journal
from digest.archive.links import relative
from digest.archive.model import Issue, Skipped
from digest.archive.pages import SiteInfo, index_pages
from digest.archive.site import Site, open_site
from digest.archive.state import STATE, PageRecord, State, read_state, state_bytes
from digest.archive.webpage import web_version
from digest.config import Settings
from digest.config.archive import RESERVED, page_url
from digest.errors import DigestError
from digest.jsonfile import json_file

log = logging.getLogger("digest.archive")


@dataclass(frozen=True)
class ArchiveResult:
    """What one run did to the site folder `out` (paths are site-relative)."""

    out: Path
    issues: int  # issues in the archive
    written: tuple[str, ...]  # files written, in the order they were
    removed: tuple[str, ...]  # files removed: their batch left the outbox, or no page needs them
    unchanged: int  # files already holding what this run would write
    skipped: tuple[Skipped, ...]  # batches left out (their old page, if any, stays untouched)


def build_archive(settings: Settings, out: Path | None = None) -> ArchiveResult:
    """Bring the static site in `out` (default: [paths] site) up to date with the outbox."""
    out = out if out is not None else settings.paths.site
    with open_site(out) as site:
        # Read under the lock: what a run that waited writes is never older than the outbox.
        issues, skipped = read_issues(settings)
        old = read_state(out)
        ours = owned(old, read_journal(out))  # what the last runs wrote, a killed one's too
        new = State(key=render_key(settings))
        # The issue pages first: everything else links to them.
        for issue in issues:
            _issue_page(site, old, new, issue, settings)
        # Then each schedule's index pages and feeds, then those of all, then the sitemap.
        info = site_info(settings, issues)
        for files in _listings(settings, info, issues):
            for path, data in files.items():
                _put(site, new, path, data)
        _keep_skipped(site, old, ours, new, skipped)
        # Only now what nothing links to any more: listings before the pages they list.
        _remove_departed(site, ours, new)
        written, unchanged = tuple(site.written), site.unchanged
        # The state last: a run killed before this is redone (compared) by the next one, which
        # finds what this one wrote in the journal the state now replaces.
        site.put(STATE, state_bytes(new))
        site.finish()
    return ArchiveResult(out, len(issues), written, tuple(site.removed), unchanged, tuple(skipped))


def after_publish(settings: Settings) -> str | None:
    """`build_archive` after a publish, when `[archive] enabled`: None when done (or off), else
    why it failed, logged. Never raises: the batch is published whatever becomes of its archive.
    """
    if not settings.archive.enabled:
        return None
    try:
        result = build_archive(settings)
    except Exception as exc:  # any failure: the publish stands, the next run catches up
        reason = str(exc) if isinstance(exc, DigestError) else f"{type(exc).__name__}: {exc}"
        log.error(
            "the archive was not updated (%s); the batch stays published. Fix the cause and "
            "run digest archive",
            reason,
        )
        log.debug("the failed archive run", exc_info=True)
        return reason
    log.info(
        "archived %d issues into %s: %d written, %d unchanged, %d removed, %d skipped",
        result.issues,
        result.out,
        len(result.written),
        result.unchanged,
        len(result.removed),
        len(result.skipped),
    )
    return None


def render_key(settings: Settings) -> str:
    """What an issue page depends on besides its batch: digest's version and the settings the
    web version reads (the archive's, the email's links, the brand)."""
    parts = {
        "generator": __version__,
        "archive": settings.archive.model_dump(mode="json"),
        "email": settings.email.model_dump(mode="json", by_alias=True),
        "brand": settings.brand.model_dump(mode="json"),
    }
    return hashlib.sha256(json_file(parts, sort_keys=True)).hexdigest()


def _issue_page(site: Site, old: State, new: State, issue: Issue, settings: Settings) -> None:
    """Write one issue's page, unless the state and the file on disk show it is up to date."""
    record = PageRecord(issue.batch_id, issue.fingerprint, issue.page)
    new.pages[issue.folder] = record
    recorded = old.files.get(issue.page)
    if (
        old.key == new.key
        and old.pages.get(issue.folder) == record
        and recorded is not None
        and site.sha256(issue.page) == recorded
    ):
        site.keep(issue.page)
        new.files[issue.page] = recorded
        return
    data = web_version(
        issue,
        settings.archive,
        index_href=relative(issue.page, "index.html"),
        feed_href=relative(issue.page, "feed.xml"),
        font_origin=font_origin(settings),
        nav_color=settings.brand.muted_color,
    )
    _put(site, new, issue.page, data)


def _put(site: Site, new: State, path: str, data: bytes) -> None:
    site.put(path, data)
    new.files[path] = hashlib.sha256(data).hexdigest()


def _keep_skipped(
    site: Site, old: State, ours: dict[str, frozenset[str]], new: State, skipped: list[Skipped]
) -> None:
    """A skipped batch's page stays as it was (and stays the archive's), out of every listing."""
    for left in skipped:
        record = old.pages.get(left.folder)
        if record is None or record.page in new.files:
            continue
        found = site.sha256(record.page)
        if found is not None and found in ours.get(record.page, ()):
            new.pages[left.folder] = record
            new.files[record.page] = found


def _remove_departed(site: Site, ours: dict[str, frozenset[str]], new: State) -> None:
    """Remove what the last runs wrote (a killed one's too) and this one did not: index pages
    and feeds first, then issue pages, so that no file a reader can reach links to a removed
    one (the index pages that go are past the last one, which no longer links to them)."""
    gone = set(ours) - set(new.files)
    for path in sorted(gone, key=lambda path: (path.split("/", 1)[0] not in RESERVED, path)):
        site.remove(path, *sorted(ours[path]))


def _listings(
    settings: Settings, info: SiteInfo, issues: list[Issue]
) -> Iterator[dict[str, bytes]]:
    """Each schedule's index pages and feeds, then all issues', then the sitemap (site path →
    bytes); index pages last page first, so that each links only to files already written."""
    templates = settings.paths.templates
    urls: list[tuple[str, datetime | None]] = []  # the index pages (all issues' first)
    for name in (*info.schedules, None):
        chosen = [i for i in issues if name is None or i.schedule == name]
        pages = index_pages(chosen, info, templates, schedule=name)
        newest = chosen[0].utc if chosen else None
        listed = [
            (page_url(info.base_url, path), newest) for path in sorted(pages, key=_page_number)
        ]
        urls = listed + urls if name is None else urls + listed
        files = dict(sorted(pages.items(), key=lambda item: _page_number(item[0]), reverse=True))
        folder = "" if name is None else f"schedules/{name}/"
        feed = feed_info(settings, info, chosen, name)
        files[folder + "feed.xml"] = atom_feed(feed, chosen)
        json_info = replace(feed, feed_url=page_url(info.base_url, folder + "feed.json"))
        files[folder + "feed.json"] = json_feed(json_info, chosen)
        yield files
    if not settings.archive.noindex:
        urls += [(issue.url, issue.utc) for issue in issues]
    yield {"sitemap.xml": sitemap(urls)}


def _page_number(path: str) -> int:
    """2 for `page/2/index.html` (or `schedules/x/page/2/index.html`), 1 for an index.html."""
    parts = path.split("/")
    return int(parts[-2]) if len(parts) >= 3 and parts[-3] == "page" else 1


def site_info(settings: Settings, issues: list[Issue]) -> SiteInfo:
    """What the index pages say of the archive: its title, its schedules, its brand."""
    archive = settings.archive
    assert archive.base_url is not None  # read_issues refuses an archive without one
    named = {issue.schedule for issue in issues}
    schedules = tuple(
        s.name
        for s in settings.schedules
        if archive.archives(s.name) and ("email" in s.channels or s.name in named)
    )
    config = {s.name for s in settings.schedules}
    schedules += tuple(sorted(named - config))  # batches of a schedule since removed
    return SiteInfo(
        title=archive.title or settings.brand.name,
        description=archive.description,
        base_url=archive.base_url,
        lang=issues[0].lang if issues else "en",
        schedules=schedules,
        brand=settings.brand,
        per_page=archive.per_page,
        subscribe_url=archive.subscribe_url,
    )


def feed_info(
    settings: Settings, info: SiteInfo, issues: list[Issue], schedule: str | None
) -> FeedInfo:
    """The Atom feed's head for all issues (`schedule` None) or one schedule's."""
    folder = "" if schedule is None else f"schedules/{schedule}/"
    return FeedInfo(
        title=info.title if schedule is None else f"{info.title}: {schedule}",
        description=info.description,
        site_url=page_url(info.base_url, folder + "index.html"),
        feed_url=page_url(info.base_url, folder + "feed.xml"),
        author=settings.brand.name,
        lang=issues[0].lang if issues else info.lang,
    )


def font_origin(settings: Settings) -> str | None:
    """The origin of the brand's web-font stylesheet, which issue pages' CSP must allow."""
    url = settings.brand.font_url
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
