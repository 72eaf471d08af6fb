"""Looking at a built archive site as its readers do: its files, its links, its feeds.

    problems = site_problems(out, BASE_URL)   # [] for a complete site

A site is complete when every page's relative links (and absolute ones under the base URL)
reach a file of the site, every feed parses (Atom as XML, JSON Feed as JSON) and each of their
entries' links reaches a page of the site, and the sitemap lists only pages that are there.
The archive's own hidden files (`.digest-*` at the top) are no part of the site.
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


def site_problems(out: Path, base_url: str) -> list[str]:
    """What keeps the site in `out` from being complete; [] when it is."""
    files = site_files(out)
    problems = []
    for name, data in files.items():
        if name.endswith(".html"):
            for link in page_links(data):
                reached = target(name, link, base_url)
                if reached is not None and reached not in files:
                    problems.append(f"{name}: {link} leads to no file of the site")
    for name in (n for n in files if n.endswith("feed.xml")):
        try:
            root = ET.fromstring(files[name])
        except ET.ParseError as error:
            problems.append(f"{name}: not XML ({error})")
            continue
        for link in root.iter(f"{ATOM}link"):
            reached = target(name, link.get("href", ""), base_url)
            if reached is not None and reached not in files:
                problems.append(f"{name}: {link.get('href')} leads to no page of the site")
    for name in (n for n in files if n.endswith("feed.json")):
        try:
            feed = json.loads(files[name])
        except ValueError as error:
            problems.append(f"{name}: not JSON ({error})")
            continue
        for item in feed["items"]:
            reached = target(name, item["url"], base_url)
            if reached is not None and reached not in files:
                problems.append(f"{name}: {item['url']} leads to no page of the site")
    if "sitemap.xml" in files:
        for loc in ET.fromstring(files["sitemap.xml"]).iter(f"{SITEMAP}loc"):
            if target("sitemap.xml", loc.text or "", base_url) not in files:
                problems.append(f"sitemap.xml: {loc.text} is no page of the site")
    for name in ("index.html", "feed.xml", "feed.json", "sitemap.xml"):
        if name not in files:
            problems.append(f"no {name}")
    return problems
