"""Looking at a built archive site as its readers do: its files, its links, its feeds.

    problems = site_problems(out, BASE_URL)   # [] for a complete site
    problems = reachable_problems(out, BASE_URL)   # [] while a run is under way, at any instant

A site is complete when every page's relative links (and absolute ones under the base URL)
reach a file of the site, every feed parses (Atom as XML, JSON Feed as JSON) and each of their
entries' links reaches a page of the site, and the sitemap lists only pages that are there.
Its reachable part is whole when that holds of every file a reader or a crawler can reach from
index.html, feed.xml, feed.json and sitemap.xml by the links of those files (a page written
ahead of the pages that will link to it may link to a page not written yet). The archive's own
hidden files (`.digest-*` at the top) are no part of the site.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def site_files(out: Path) -> dict[str, bytes]:
    """Every file of the site (site-relative path → bytes), the archive's own files aside."""
    return {
        name: path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not (name := path.relative_to(out).as_posix()).startswith(".digest")
    }


def own_files(out: Path) -> list[str]:
    """The archive's own entries at the top of the site: state, lock, staging (and in it)."""
    return sorted(
        path.relative_to(out).as_posix()
        for path in out.rglob("*")
        if path.relative_to(out).parts[0].startswith(".digest")
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def page_links(data: bytes) -> list[str]:
    """Every href and src of an HTML page."""
    parser = _Links()
    parser.feed(data.decode("utf-8"))
    return parser.links


def target(page: str, link: str, base_url: str) -> str | None:
    """The site file `link` on `page` reaches; None when it leads outside the site."""
    if link.startswith(base_url):
        path = link[len(base_url) :]
    else:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith("#"):
            return None
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
        path = "" if path == "." else path
        if parts.path.endswith("/") or parts.path == "":
            path += "/"
    path = unquote(urlsplit(path).path)
    if path.endswith("/") or path == "":
        path = path.lstrip("/") + "index.html"
    return path


ROOTS = ("index.html", "feed.xml", "feed.json", "sitemap.xml")


def site_problems(out: Path, base_url: str) -> list[str]:
    """What keeps the site in `out` from being complete; [] when it is."""
    files = site_files(out)
    problems = []
    for name in files:
        problems += [
            f"{name}: {link} leads to no file of the site"
            for link, reached in _links(name, files[name], base_url, problems)
            if reached is not None and reached not in files
        ]
    return problems + [f"no {name}" for name in ROOTS if name not in files]


def reachable_problems(out: Path, base_url: str) -> list[str]:
    """What keeps the part of the site in `out` that its readers can reach (from ROOTS, by
    links) from being whole; [] when it is."""
    files = site_files(out)
    problems = [f"no {name}" for name in ROOTS if name not in files]
    seen = {name for name in ROOTS if name in files}
    queue = sorted(seen)
    while queue:
        name = queue.pop()
        for link, reached in _links(name, files[name], base_url, problems):
            if reached is None or reached in seen:
                continue
            if reached not in files:
                problems.append(f"{name}: {link} leads to no file of the site")
                continue
            seen.add(reached)
            queue.append(reached)
    return problems


def _links(
    name: str, data: bytes, base_url: str, problems: list[str]
) -> list[tuple[str, str | None]]:
    """Each link of the site file `name` (a page, a feed, the sitemap) and the site file it
    reaches (None: outside the site); a file that does not parse is a problem."""
    if name.endswith(".html"):
        links = page_links(data)
    elif name.endswith(".xml"):
        try:
            root = ET.fromstring(data)
        except ET.ParseError as error:
            problems.append(f"{name}: not XML ({error})")
            return []
        links = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
        locs = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
        problems += [
            f"{name}: {loc} is no page of the site"
            for loc in locs
            if target(name, loc, base_url) is None
        ]
        links += locs
    elif name.endswith(".json"):
        try:
            links = [item["url"] for item in json.loads(data)["items"]]
        except ValueError as error:
            problems.append(f"{name}: not JSON ({error})")
            return []
    else:
        return []
    return [(link, target(name, link, base_url)) for link in links]
