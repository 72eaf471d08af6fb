"""An item's own page, for sources with `fetch_article = true` (feeds that carry only a summary):
fetched with `digest.sources.http.fetch` (loopback, link-local and private hosts refused unless
the source says `allow_private = true`) and extracted with trafilatura from the bytes fetched
(trafilatura never fetches anything itself): the main text, and the title, date and image when
the feed has none. When the page cannot be fetched or holds no article, the feed's own text is
kept and the reason logged.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from digest.config.sources import Source
from digest.sources.feed import FeedItem
from digest.sources.http import FetchError, fetch
from digest.sources.seedfile import text_to_paragraphs

log = logging.getLogger("digest.sources")
_HTML = ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True)
class Page:
    """What trafilatura found on an article page."""

    text: str  # paragraphs, one a line
    title: str | None
    date: datetime | None
    image: str | None


class ArticleError(Exception):
    """An article page that holds no article; `.reason` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def with_article(
    item: FeedItem, source: Source, text: str, client: httpx.Client | None = None
) -> tuple[FeedItem, str, str]:
    """(`item`, its text, "") with its page's article when it has a longer text than the feed's
    `text`, else unchanged with the reason ("" when the feed's text was longer)."""
    if not item.link:
        return item, text, "no link to fetch the article from"
    try:
        page = fetch_page(item.link, source, client)
    except (FetchError, ArticleError) as exc:
        log.warning(
            "source %s: article %s not used (%s); the feed's text is kept",
            source.name,
            item.link,
            exc.reason,
        )
        return item, text, exc.reason
    if len(page.text) <= len(text):
        return item, text, ""
    better = dataclasses.replace(
        item,
        title=item.title or page.title or "",
        date=item.date or page.date,
        image=item.image or page.image,
    )
    return better, page.text, ""


def fetch_page(link: str, source: Source, client: httpx.Client | None = None) -> Page:
    """The article at `link`; raises FetchError or ArticleError with the reason."""
    fetched = fetch(
        link,
        timeout=source.timeout,
        max_bytes=source.max_bytes,
        allow_private=source.allow_private,
        client=client,
    )
    kind = fetched.content_type.split(";")[0].strip().lower()
    if kind not in _HTML:
        raise ArticleError(f"not an HTML page ({kind})")
    return extract(fetched.body, fetched.url)


def extract(html: bytes, url: str) -> Page:
    """The main text, title, date and image of an article page; raises ArticleError."""
    import trafilatura  # heavy (lxml, htmldate, justext): only when an article is fetched

    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except (ValueError, TypeError, LookupError) as exc:  # lxml refusing the document
        raise ArticleError(f"the page could not be read ({exc})") from None
    text = getattr(found, "text", None) if found is not None else None
    paragraphs = text_to_paragraphs(text) if isinstance(text, str) else []
    title = _text(getattr(found, "title", None))
    if paragraphs and paragraphs[0] == title:  # the page's own heading, kept as its title
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise ArticleError("no article text found on the page")
    return Page(
        text="\n".join(paragraphs),
        title=title,
        date=_day(getattr(found, "date", None)),
        image=_image(url, _text(getattr(found, "image", None))),
    )


def _image(url: str, image: str | None) -> str | None:
    """The page's image as an absolute link, or None (`http://[::1` is none)."""
    if image is None:
        return None
    try:
        absolute = urljoin(url, image)
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _day(value: object) -> datetime | None:
    """trafilatura's date (`YYYY-MM-DD`) as midnight UTC, or None."""
    if not isinstance(value, str):
        return None
    try:
        day = datetime.strptime(value[:10], "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(tzinfo=UTC)
