"""The `[archive]` of `config.toml`: the public web archive `digest archive` builds from the
published batches (one page per issue, index pages, Atom and JSON feeds, a sitemap)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from digest.config.email_links import fill_web_url
from digest.config.texts import HttpsUrl, LineText, https_url, shown
from digest.config.values import Section, each_once

# Where an issue's page is, under base_url, when [email] web_url does not say.
DEFAULT_PAGE = "{date}/{slot}/"
# Site paths the archive writes itself; no issue page may take them (first path segment).
RESERVED = frozenset({"index.html", "page", "schedules", "feed.xml", "feed.json", "sitemap.xml"})
RESERVED_PREFIXES = (".digest",)  # the archive's own hidden files (its state)


def base_url(value: str) -> str:
    """An https URL of a folder (ending with /), without query or fragment."""
    https_url(value)
    if not value.endswith("/") or "?" in value or "#" in value:
        raise ValueError(
            f"{shown(value)} is not the URL of a folder; write it with a / at the end and no "
            "? or #, e.g. https://example.org/archive/"
        )
    return value


BaseUrl = Annotated[str, AfterValidator(base_url)]


class Archive(Section):
    """Where the published issues go on the web, and how their pages read."""

    enabled: bool = False  # rebuild the archive after every publish (digest build, schedule)
    base_url: BaseUrl | None = None  # where the site folder is served, ending with /
    title: LineText | None = None  # the archive's name (default: [brand] name)
    description: LineText = ""  # a line under the title, and the feeds' subtitle
    per_page: int = Field(default=20, ge=1, le=500)  # issues per index page
    noindex: bool = False  # true: issue pages ask search engines not to index them
    subscribe_url: HttpsUrl | None = None  # replaces the unsubscribe link on issue pages
    schedules: list[str] = Field(default_factory=list)  # archived schedules; empty: all

    @field_validator("schedules")
    @classmethod
    def _each_once(cls, names: list[str]) -> list[str]:
        return each_once(names, "schedule")

    def archives(self, schedule: str) -> bool:
        """Whether the batches of `schedule` go into the archive."""
        return not self.schedules or schedule in self.schedules


def page_pattern(base: str, web_url: str | None) -> str:
    """The site-relative pattern of an issue page's URL path: `web_url` without `base`, or
    DEFAULT_PAGE when there is no web_url. ValueError saying what to change when web_url is
    not a page under base, or could put two issues on one page."""
    if web_url is None:
        return DEFAULT_PAGE
    if not web_url.startswith(base):
        raise ValueError(
            f"[email] web_url {shown(web_url)} is not under base_url {shown(base)}; the archive "
            "publishes each issue's page at its web_url, so start web_url with base_url"
        )
    pattern = web_url[len(base) :]
    if "{date}" not in pattern or "{slot}" not in pattern:
        raise ValueError(
            f"[email] web_url {shown(web_url)} must hold {{date}} and {{slot}} after base_url, "
            "or two issues would share one archive page"
        )
    if "?" in pattern or "#" in pattern or not (pattern.endswith("/") or pattern.endswith(".html")):
        raise ValueError(
            f"[email] web_url {shown(web_url)} must end with / or .html and hold no ? or #, "
            "so a static host serves the page, e.g. https://example.org/archive/{date}/{slot}/"
        )
    return pattern


def page_file(pattern: str, *, date: str, slot: str, schedule: str) -> str:
    """The site-relative file of one issue's page: `pattern` filled, `index.html` added to a
    folder. ValueError when it would take a path the archive writes itself, leave its folder,
    or name a file a web server would not find for its URL (a percent-escape)."""
    path = fill_web_url(pattern, date=date, slot=slot, schedule=schedule)
    if path.endswith("/") or not path:
        path += "index.html"
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"the archive page {shown(path)} holds an empty, '.' or '..' part")
    if "%" in path:  # the file is named as written; a server looks for the decoded name
        raise ValueError(
            f"the archive page {shown(path)} holds a percent-escape, which a web server decodes "
            "(%20 is a space, %2e%2e is ..) while the archive names its file as written, so "
            "the page would not be found; write that part of web_url with letters, digits "
            "and - . _ ~ only"
        )
    # Case-blind: on a file system that ignores case (macOS, Windows), Page/ is page/.
    first = parts[0].lower()
    if first in RESERVED or first.startswith(RESERVED_PREFIXES):
        raise ValueError(
            f"the archive page {shown(path)} would take {parts[0]!r}, which the archive writes "
            "itself (in any case of its letters); put the issue pages in a folder of their "
            "own, e.g. {date}/{slot}/"
        )
    if any(part.startswith(".") for part in parts):  # hidden: many servers refuse to serve it
        raise ValueError(
            f"the archive page {shown(path)} has a name starting with '.', a hidden file many "
            "web servers refuse to serve; end web_url with / or a name such as issue.html"
        )
    return path


def page_url(base: str, page: str) -> str:
    """The absolute URL of a site file: a folder's index.html is served as the folder."""
    if page == "index.html" or page.endswith("/index.html"):
        page = page[: -len("index.html")]
    return base + page
