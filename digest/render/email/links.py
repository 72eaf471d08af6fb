"""Links in the email: only http, https and mailto are written; story links carry UTM tags.

The one exception is an email service's own per-recipient tag for the unsubscribe and
preferences links (`[email] merge_tags`): exactly the preset's known tag, written as it is and
never escaped (`<%asm_group_unsubscribe_raw_url%>` must reach SendGrid raw). The web version's
link (`[email] web_url`) gets no UTM tags: it is the issue's own archive page, the same URL as the
`List-Archive` header, not a story.

Every link is written as an ASCII URI. Seed URLs arrive normalised (`digest.urls`); any other
IRI that reaches the email (a Thai path, an IDN host) is normalised here the same way, because
MRML writes non-ASCII in an `href` as a literal `\\u{e48}`. A link that cannot be is dropped,
like one of another scheme.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from urllib.parse import urlencode, urlsplit, urlunsplit

from markupsafe import Markup

from digest.config.brand import EmailOptions, Utm
from digest.config.email_links import fill_web_url, tag_of
from digest.models import Slot
from digest.urls import normalize_url

log = logging.getLogger(__name__)

SCHEMES = ("http", "https", "mailto")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
# What a browser ignores around and inside a URL before it reads the scheme (and a little more:
# every C0 control and space anywhere, so `java\x01script:` cannot hide one either).
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Outside RFC 3986's unreserved and reserved characters (or a `%` that starts no escape):
# `"`, `<`, `>`, backslash and non-ASCII all land here, and make a URL an IRI to normalise.
_NOT_URI = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def scheme_of(url: str) -> str | None:
    """The scheme a browser would read in `url`, lower-cased; None for a relative link."""
    match = _SCHEME.match(_IGNORED.sub("", url))
    return match.group(1).lower() if match else None


def safe_url(url: str | None) -> str | None:
    """`url` as an ASCII URI when it is an http, https or mailto link, else None.

    None for javascript:, data:, relative links, links with spaces or control characters inside,
    and IRIs whose host is not a valid internationalised domain name.
    """
    url = (url or "").strip()
    if not url or (_IGNORED.search(url) if url.isascii() else _unprintable(url)):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not (parts.path if scheme == "mailto" else parts.hostname):
        return None
    return as_uri(url)


def _unprintable(url: str) -> bool:
    """Whether `url` holds a space or a control or format character (for ASCII, exactly what
    `_IGNORED` finds: the C0 controls, space and DEL)."""
    return any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url)


def as_uri(url: str) -> str | None:
    """`url` with its IRI characters encoded, by the seed boundary's own `normalize_url`;
    None if it cannot be (a host that is not a valid IDN, credentials before the host)."""
    if not _NOT_URI.search(url):
        return url  # already a URI (as every seed URL is): written exactly as given
    try:
        return normalize_url(url, SCHEMES)
    except ValueError:
        return None


def checked_url(url: str | None, where: str) -> str | None:
    """`safe_url(url)`, logging a warning that names `where` when a given link is dropped."""
    safe = safe_url(url)
    if url and safe is None:
        log.warning(
            "%s: dropped the link %r; only http, https and mailto links are written, as valid URIs",
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


def written_link(url: str | None, email: EmailOptions) -> str | None:
    """A configured unsubscribe or preferences link as the email writes it: the merge tag of
    `email.merge_tags` as the table holds it (Markup: the templates never escape it), or
    `safe_url(url)`. Any other text is never written raw."""
    tag = tag_of(url, email.merge_tags)
    return Markup(tag) if tag is not None else safe_url(url)


def web_link(email: EmailOptions, slot: Slot) -> str | None:
    """The web version of this batch (`email.web_url` filled), or None when there is none."""
    if email.web_url is None:
        return None
    name = slot.folder.split("/", 1)[1]
    filled = fill_web_url(
        email.web_url, date=slot.day.isoformat(), slot=name, schedule=slot.schedule
    )
    return safe_url(filled)
