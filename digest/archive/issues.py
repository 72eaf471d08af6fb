"""Read: the published batches of the archived schedules, as `Issue`s (or `Skipped`, and why).

Everything comes from the batch itself, checked against its manifest (`verify`) and held to
what digest publishes (`digest.archive.batch_checks`: its folder names its slot, its email
passes digest's own inert and link checks): the Subject
and the links of `email/digest.eml`, the HTML of `email/digest.html`, each story's
`stories/<slug>.json`. Only the way out also takes the current config's links (an issue page
must not keep an unsubscribe link the config still names). Each file read is held to its
sha256 in the very manifest whose bytes give the fingerprint, so an issue never mixes two
versions of a batch replaced meanwhile (`digest build --force`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from digest.archive.batch_checks import (
    email_problems,
    folder_problem,
    one_per_batch,
    passed_over,
)
from digest.archive.model import Issue, Skipped, StoryEntry
from digest.config import Settings
from digest.config.archive import page_file, page_pattern, page_url
from digest.errors import ConfigError, DigestError
from digest.outbox.batches import MAX_MANIFEST
from digest.outbox.manifest import Manifest, manifest_problem
from digest.outbox.published import Batch, published
from digest.outbox.verify import open_inside, verify_files
from digest.render.email.links import safe_url, scheme_of, written_link
from digest.render.email.readback import header_block

log = logging.getLogger("digest.archive")

EMAIL_HTML = "email/digest.html"
EMAIL_EML = "email/digest.eml"
_BETWEEN = re.compile(r">\s*,\s*<")  # between two <URL>s of a List-* header (RFC 2369)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\slang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")  # BCP 47's shape


def read_issues(settings: Settings) -> tuple[list[Issue], list[Skipped]]:
    """Every published batch of the archived schedules that has an email, newest first (by its
    UTC slot, then batch id), and the batches left out with why (a warning names each).

    A batch without an email is no issue (logged at info). An entry of the outbox named like
    a batch that `published()` passes over (a symbolic link, say) is Skipped too, without a
    second warning (it warned). Raises `ConfigError` when
    `[archive] base_url` is not set: the pages cannot know their own URLs.
    """
    base = settings.archive.base_url
    if base is None:
        raise ConfigError(
            "config",
            [
                (
                    "archive.base_url",
                    "required to build the archive: the https URL the site folder is served "
                    "at, e.g. https://example.org/archive/",
                )
            ],
        )
    issues: list[Issue] = []
    batches = published(settings.paths.outbox)
    # Named like batches, but none (a link, say): published() warned of each already.
    skipped = passed_over(settings.paths.outbox, batches, settings.archive.archives)
    for batch in batches:
        if not settings.archive.archives(batch.schedule):
            continue
        try:
            issue = read_issue(batch, settings, base)
        except DigestError as problem:
            skipped.append(_skip(batch, f"{problem}; {_rebuild(batch)}"))
            continue
        if issue is not None:
            issues.append(issue)
    issues.sort(key=lambda issue: (issue.utc, issue.batch_id), reverse=True)
    return _one_per_page(one_per_batch(issues, skipped), skipped)


def read_issue(batch: Batch, settings: Settings, base: str) -> Issue | None:
    """The issue of one published batch, None when it has no email; `DigestError` saying what
    is wrong when it fails verification or cannot be read."""
    raw = _file(batch.path, "manifest.json", None)
    manifest = _manifest(raw)
    names = {record.path for record in manifest.files}
    if "email" not in manifest.channels or not {EMAIL_HTML, EMAIL_EML} <= names:
        log.info("%s: no email in this batch, so it is no issue of the archive", batch.path)
        return None
    misnamed = folder_problem(batch, manifest)
    if misnamed:
        raise DigestError(misnamed)
    problems = verify_files(batch.path, manifest)
    if problems:
        raise DigestError(f"fails verification: {_shown(problems)}")
    if not manifest.stories:
        raise DigestError("its manifest lists no story, so the issue has nothing to show")
    headers = BytesHeaderParser(policy=default_policy).parsebytes(
        header_block(_file(batch.path, EMAIL_EML, manifest))
    )
    html = _file(batch.path, EMAIL_HTML, manifest).decode("utf-8", errors="replace")
    unsafe = email_problems(html)
    if unsafe:
        raise DigestError(
            f"its email fails digest's own checks (inert, link-schemes): {_shown(unsafe)}"
        )
    folder = f"{batch.day}/{batch.path.name}"
    web = _items(headers.get("List-Archive"))
    web_link = web[0] if web else None
    page = _page(base, web_link, settings, folder, manifest.schedule)
    return Issue(
        batch_id=manifest.batch_id,
        schedule=manifest.schedule,
        folder=folder,
        local=manifest.slot.local,
        utc=manifest.slot.utc,
        subject=str(headers.get("Subject", "")),
        lang=_lang(html),
        stories=tuple(_story(batch.path, manifest, record.slug) for record in manifest.stories),
        email_html=html,
        way_out=_way_out(_items(headers.get("List-Unsubscribe")), settings),
        web_link=web_link,
        page=page,
        url=page_url(base, page),
        fingerprint=hashlib.sha256(raw).hexdigest(),
    )


def _lang(html: str) -> str:
    """The <html lang> of the email, "und" (undetermined, BCP 47) when it has none."""
    found = _HTML_LANG.search(html)
    value = next((group for group in found.groups() if group is not None), "") if found else ""
    return value if _LANG_TAG.fullmatch(value) else "und"


def _manifest(raw: bytes) -> Manifest:
    try:
        return Manifest.model_validate_json(raw)
    except ValidationError as exc:
        raise DigestError(f"manifest.json is {manifest_problem(exc)}") from None


def _file(batch: Path, rel: str, manifest: Manifest | None) -> bytes:
    """The bytes of `rel` in `batch`, through no link; held to its sha256 in `manifest`."""
    try:
        fd = open_inside(batch, rel)
    except OSError as exc:
        raise DigestError(f"cannot read {rel} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_MANIFEST + 1)
    except OSError as exc:
        raise DigestError(f"cannot read {rel} ({exc.strerror})") from None
    if manifest is None:
        if len(data) > MAX_MANIFEST:
            raise DigestError(f"{rel} is larger than 64 MB, so no manifest")
        return data
    record = next(r for r in manifest.files if r.path == rel)
    if len(data) != record.bytes or hashlib.sha256(data).hexdigest() != record.sha256:
        raise DigestError(f"{rel}: content does not match its sha256 in the manifest")
    return data


def _items(value: object) -> list[str]:
    """The URLs of a List-* header value, `<url>, <url>`, in order."""
    text = str(value or "").strip()
    if not (text.startswith("<") and text.endswith(">")):
        return []
    return [item.strip() for item in _BETWEEN.split(text[1:-1]) if item.strip()]


def _way_out(unsubscribe: list[str], settings: Settings) -> frozenset[str]:
    """The links no web page may keep: the batch's List-Unsubscribe and the current config's
    unsubscribe, mailto and preferences links, as configured and as the email writes them."""
    email = settings.email
    found = set(unsubscribe)
    for link in (email.unsubscribe_url, email.unsubscribe_mailto, email.preferences_url):
        if link:
            found.add(link)
            written = written_link(link, email)
            if written:
                found.add(str(written))
    return frozenset(link for link in found if link)


def _story(batch: Path, manifest: Manifest, slug: str) -> StoryEntry:
    rel = f"stories/{slug}.json"
    if rel not in {record.path for record in manifest.files}:
        raise DigestError(f"{rel} is not in the manifest")
    try:
        record: Any = json.loads(_file(batch, rel, manifest))
        summary = record["summary"]
        headline, tagline, bullets = summary["headline"], summary["tagline"], summary["bullets"]
        texts = [headline, tagline, *bullets]
        if not isinstance(bullets, list) or not all(isinstance(t, str) for t in texts):
            raise TypeError
    except (ValueError, TypeError, KeyError):
        raise DigestError(
            f"{rel} is not a story record (summary headline, tagline, bullets)"
        ) from None
    url = record.get("url")
    link = safe_url(url) if isinstance(url, str) else None
    web = link if link and scheme_of(link) in ("http", "https") else None
    return StoryEntry(slug, headline, tagline, tuple(bullets), web)


def _page(base: str, web_link: str | None, settings: Settings, folder: str, schedule: str) -> str:
    """The site file of the issue's page: where the email's own List-Archive link points, when
    that lies under base_url (so "View in browser" never 404s), else the config's pattern's."""
    date, slot = folder.split("/", 1)
    if web_link is not None and web_link.startswith(base):
        rest = web_link[len(base) :]
        if "?" not in rest and "#" not in rest and rest.endswith(("/", ".html")):
            try:
                return page_file(rest, date=date, slot=slot, schedule=schedule)
            except ValueError:
                pass
    try:
        pattern = page_pattern(base, settings.email.web_url)
        return page_file(pattern, date=date, slot=slot, schedule=schedule)
    except ValueError as error:
        raise DigestError(f"has no archive page: {error}") from None


def _shown(problems: list[str]) -> str:
    return "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" * (len(problems) > 3))


def _one_per_page(issues: list[Issue], skipped: list[Skipped]) -> tuple[list[Issue], list[Skipped]]:
    """The issues (newest first) with each page taken once: the newer issue keeps it."""
    owners: dict[str, Issue] = {}
    kept = []
    for issue in issues:
        newer = owners.setdefault(issue.page, issue)
        if newer is issue:
            kept.append(issue)
            continue
        reason = (
            f"its page {issue.page} is the page of {newer.folder} too, a newer issue, which "
            "keeps it; give [email] web_url both {date} and {slot} so each issue has its own"
        )
        skipped.append(Skipped(issue.folder, reason))
        log.warning("%s: left out of the archive: %s", issue.folder, reason)
    return kept, sorted(skipped, key=lambda s: s.folder)


def _skip(batch: Batch, reason: str) -> Skipped:
    log.warning("%s: left out of the archive: %s", batch.path, reason)
    return Skipped(f"{batch.day}/{batch.path.name}", reason)


def _rebuild(batch: Batch) -> str:
    return (
        f"rebuild it with digest build --slot {batch.schedule}@{batch.day} --force, or restore "
        "its files; until then its earlier page, if any, stays as it was"
    )
