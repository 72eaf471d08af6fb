"""Links between the archive's own files: relative, resolving to the file meant, from disk and
from the web alike."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from digest.archive.links import relative
from digest.render.email.links import scheme_of

BASE = "https://example.org/archive/"

CASES = [
    # (from the page, to the path, the link)
    ("index.html", "index.html", "index.html"),
    ("index.html", "page/2/index.html", "page/2/index.html"),
    ("page/2/index.html", "index.html", "../../index.html"),
    ("page/2/index.html", "page/3/index.html", "../3/index.html"),
    ("2026-12-01/morning-0800/index.html", "index.html", "../../index.html"),
    ("2026-12-01/morning-0800/index.html", "feed.xml", "../../feed.xml"),
    ("2026-12-01/morning-0800/index.html", "schedules/morning/", "../../schedules/morning/"),
    ("schedules/morning/index.html", "schedules/morning/feed.xml", "feed.xml"),
    ("schedules/morning/page/2/index.html", "schedules/morning/index.html", "../../index.html"),
    (
        "issues/2026-12-01-morning-0800.html",
        "issues/2026-12-02-morning-0800.html",
        "2026-12-02-morning-0800.html",
    ),
    ("index.html", "", "./"),
    ("a/b.html", "", "../"),
    ("a/b.html", "a/", "./"),
    ("index.html", "a:b/index.html", "a%3Ab/index.html"),  # never a scheme
    ("index.html", "a b/#?.html", "a%20b/%23%3F.html"),
    ("index.html", "été/index.html", "%C3%A9t%C3%A9/index.html"),
]


@pytest.mark.parametrize(("from_page", "to_path", "link"), CASES)
def test_relative_links(from_page: str, to_path: str, link: str) -> None:
    assert relative(from_page, to_path) == link


@pytest.mark.parametrize(
    "path", ["/index.html", "a/../index.html", "./index.html", "a//b.html", "..", "."]
)
def test_a_path_outside_the_site_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="not a path inside the site"):
        relative(path, "index.html")
    with pytest.raises(ValueError, match="not a path inside the site"):
        relative("index.html", path)


PART = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
PART = PART.filter(lambda part: "/" not in part and part not in (".", ".."))
FILES = st.lists(PART, min_size=1, max_size=4).map("/".join)
FOLDERS = st.lists(PART, max_size=3).map(lambda parts: "".join(f"{p}/" for p in parts))


@given(from_page=FILES, to_path=st.one_of(FILES, FOLDERS))
def test_a_link_resolves_to_its_target(from_page: str, to_path: str) -> None:
    # A site path is a file or a folder, never both.
    assume(not f"{from_page}/".startswith(f"{to_path}/") or to_path.endswith("/") or not to_path)
    assume(not f"{to_path}/".startswith(f"{from_page}/"))
    link = relative(from_page, to_path)
    assert scheme_of(link) is None and not link.startswith("/")
    assert not urlsplit(link).query and not urlsplit(link).fragment
    # From disk: the page's folder joined with the link is the target.
    on_disk = posixpath.normpath(posixpath.join(posixpath.dirname(from_page), unquote(link)))
    assert on_disk == (posixpath.normpath(to_path) if to_path else ".")
    # On the web: the link against the page's URL is the target's URL.
    page_url = BASE + quote(from_page)
    assert urljoin(page_url, link) == BASE + quote(to_path)
