"""Links in the email: only http, https and mailto are written; story links carry UTM tags."""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import urlencode, urlsplit, urlunsplit

from digest.config import Utm

log = logging.getLogger(__name__)

SCHEMES = ("http", "https", "mailto")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def safe_url(url: str | None) -> str | None:
    """`url` when it is an http, https or mailto link, else None (javascript:, data:, relative)."""
    url = (url or "").strip()
    if not url or any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not (parts.path if scheme == "mailto" else parts.hostname):
        return None
    return url


def checked_url(url: str | None, where: str) -> str | None:
    """`safe_url(url)`, logging a warning that names `where` when a given link is dropped."""
    safe = safe_url(url)
    if url and safe is None:
        log.warning(
            "%s: dropped the link %r; only http, https and mailto links are written",
            where,
            url[:100],
        )
    return safe


def with_utm(url: str, utm: Utm, schedule: str) -> str:
    """An http(s) `url` with the configured UTM parameters; its other parameters are kept as is."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] not in UTM_KEYS]
    tags = urlencode(
        {
            "utm_source": utm.source,
            "utm_medium": utm.medium,
            "utm_campaign": campaign(utm, schedule),
        }
    )
    return urlunsplit(parts._replace(query="&".join([*kept, tags])))


def campaign(utm: Utm, schedule: str) -> str:
    """The utm_campaign of a schedule's batches."""
    return utm.campaign.replace("{schedule}", schedule)
