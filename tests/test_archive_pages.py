"""The archive's index pages: pagination, per-schedule pages, relative links, escaping, the CSP."""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.factories import settings as project_settings

from digest.archive.model import Issue, StoryEntry
from digest.archive.pages import FEEDS, SiteInfo, index_csp, index_pages
from digest.config.brand import Brand
from digest.errors import RenderError
from digest.render.templates import THEME
from digest.text import one_line, visible

BASE = "https://example.org/archive/"
LONDON = ZoneInfo("Europe/London")
FIRST = datetime(2026, 12, 1, 8, 0, tzinfo=LONDON)
_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_REF = re.compile(r"""\s(?:href|src)="([^"]*)\"""")


def brand() -> Brand:
    return project_settings().brand


def info(
    schedules: Sequence[str] = ("morning",),
    per_page: int = 20,
    **changes: object,
) -> SiteInfo:
    values: dict[str, object] = {
        "title": "The Morning Digest",
        "description": "The stories that matter, every morning at eight.",
        "base_url": BASE,
        "lang": "en",
        "schedules": tuple(schedules),
        "brand": brand(),
        "per_page": per_page,
        "subscribe_url": "https://example.org/subscribe",
    } | changes
    return SiteInfo(**values)  # type: ignore[arg-type]


def story(n: int, headline: str | None = None, tagline: str | None = None) -> StoryEntry:
    return StoryEntry(
        slug=f"story-{n:04d}",
        headline=headline if headline is not None else f"Council approves park plan {n}",
        tagline=tagline if tagline is not None else f"Residents of town {n} welcome the plan.",
        bullets=(f"The council met on day {n}.",),
        url=f"https://news.example.org/story/{n}",
    )


def issue(
    day: int,
    schedule: str = "morning",
    *,
    subject: str | None = None,
    stories: Sequence[StoryEntry] | None = None,
    lang: str = "en",
) -> Issue:
    local = FIRST + timedelta(days=day, hours=0 if schedule == "morning" else 9)
    folder = f"{local.date()}/{schedule}-{local:%H%M}"
    chosen = tuple(stories) if stories is not None else (story(2 * day), story(2 * day + 1))
    return Issue(
        batch_id=f"{schedule}@{local.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
        schedule=schedule,
        folder=folder,
        local=local,
        utc=local.astimezone(UTC),
        subject=subject if subject is not None else chosen[0].headline,
        lang=lang,
        stories=chosen,
        email_html="<html></html>",
        way_out=frozenset(),
        web_link=None,
        page=f"{folder}/index.html",
        url=f"{BASE}{folder}/",
        fingerprint=f"{day:064d}",
    )


def text(page: bytes) -> str:
    return page.decode("utf-8")


def issue_links(page: bytes) -> list[str]:
    """The hrefs of the issue headings, in order."""
    return re.findall(r'<h2 dir="auto"><a href="([^"]*)">', text(page))


def all_pages(issues: Sequence[Issue], site: SiteInfo) -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    for schedule in (None, *site.schedules):
        pages |= index_pages(issues, site, THEME, schedule=schedule)
    return pages


# Pagination: how many issues, issues a page → the pages written and the issues on each.
@pytest.mark.parametrize(
    ("count", "per_page", "sizes"),
    [
        (0, 3, [0]),
        (1, 3, [1]),
        (3, 3, [3]),
        (4, 3, [3, 1]),
        (6, 3, [3, 3]),
        (7, 3, [3, 3, 1]),
        (1, 1, [1]),
        (2, 1, [1, 1]),
        (25, 20, [20, 5]),
    ],
)
@pytest.mark.parametrize("schedule", [None, "morning"])
def test_pages_hold_per_page_issues_newest_first(
    count: int, per_page: int, sizes: list[int], schedule: str | None
) -> None:
    issues = [issue(day) for day in range(count)]
    pages = index_pages(issues, info(per_page=per_page), THEME, schedule=schedule)
    prefix = "" if schedule is None else f"schedules/{schedule}/"
    expected = [f"{prefix}index.html"] + [
        f"{prefix}page/{n}/index.html" for n in range(2, len(sizes) + 1)
    ]
    assert list(pages) == expected
    assert [len(issue_links(pages[path])) for path in expected] == sizes
    # Every issue once, newest first, across the pages.
    shown = [
        posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
        for path in expected
        for link in issue_links(pages[path])
    ]
    assert shown == [i.page for i in sorted(issues, key=lambda i: i.utc, reverse=True)]


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (3, 1), (4, 2), (9, 3)])
def test_each_page_links_its_neighbours_and_says_where_it_is(count: int, pages: int) -> None:
    written = index_pages([issue(d) for d in range(count)], info(per_page=3), THEME, schedule=None)
    paths = list(written)
    assert len(paths) == pages
    for number, path in enumerate(paths, start=1):
        page = text(written[path])
        newer = re.search(r'<a class="newer" href="([^"]*)"', page)
        older = re.search(r'<a class="older" href="([^"]*)"', page)
        here = posixpath.dirname(path)
        if number == 1:
            assert newer is None
        else:
            assert newer and posixpath.normpath(posixpath.join(here, newer[1])) == paths[number - 2]
        if number == pages:
            assert older is None
        else:
            assert older and posixpath.normpath(posixpath.join(here, older[1])) == paths[number]
        assert (f"Page {number} of {pages}" in page) == (pages > 1)


def test_no_issues_still_give_one_page_that_says_so() -> None:
    pages = index_pages([], info(), THEME, schedule=None)
    assert list(pages) == ["index.html"]
    page = text(pages["index.html"])
    assert "No issues yet." in page and "0 issues" in page
    assert '<ol class="issues">' not in page and 'class="pager"' not in page


def test_a_schedule_page_lists_only_that_schedule() -> None:
    issues = [issue(d, "morning") for d in range(3)] + [issue(d, "evening") for d in range(2)]
    site = info(schedules=("morning", "evening"))
    evening = index_pages(issues, site, THEME, schedule="evening")
    assert list(evening) == ["schedules/evening/index.html"]
    links = issue_links(evening["schedules/evening/index.html"])
    assert links == [f"../../{i.page}" for i in reversed(issues[3:])]
    everything = index_pages(issues, site, THEME, schedule=None)
    assert len(issue_links(everything["index.html"])) == 5


def test_tabs_and_schedule_labels_only_with_several_schedules() -> None:
    one = text(index_pages([issue(0)], info(), THEME, schedule=None)["index.html"])
    assert 'aria-label="Schedules"' not in one and "schedules/" not in one
    site = info(schedules=("morning", "evening"))
    issues = [issue(0), issue(0, "evening")]
    page = text(
        index_pages(issues, site, THEME, schedule="evening")["schedules/evening/index.html"]
    )
    tabs = re.findall(r'<li><a href="([^"]*)"( aria-current="page")?>([^<]*)</a></li>', page)
    assert tabs == [
        ("../../index.html", "", "All issues"),
        ("../morning/index.html", "", "morning"),
        ("index.html", ' aria-current="page"', "evening"),
    ]
    # Only the page of all issues says which schedule each issue is of.
    assert '<p class="meta"><time datetime="2026-12-01T17:00:00+00:00">' in page
    assert "</time></p>" in page
    every = text(index_pages(issues, site, THEME, schedule=None)["index.html"])
    assert '</time><a href="schedules/evening/index.html">evening</a></p>' in every


def test_an_entry_shows_date_subject_tagline_and_the_other_headlines() -> None:
    entry = issue(0, stories=[story(1, "Lead story"), story(2, "Second story"), story(3)])
    page = text(index_pages([entry], info(), THEME, schedule=None)["index.html"])
    assert '<time datetime="2026-12-01T08:00:00+00:00">Tuesday 1 December 2026</time>' in page
    assert '<a href="2026-12-01/morning-0800/index.html">Lead story</a>' in page
    assert "Residents of town 1 welcome the plan." in page
    assert "Also in this issue" in page
    assert re.findall(r'<li dir="auto">([^<]*)</li>', page) == [
        "Second story",
        "Council approves park plan 3",
    ]
    # A subject that is not the lead's headline (cut, or the brand): every headline is listed.
    cut = issue(0, subject="Lead…", stories=[story(1, "Lead story"), story(2, "Second story")])
    page = text(index_pages([cut], info(), THEME, schedule=None)["index.html"])
    assert "In this issue" in page
    assert re.findall(r'<li dir="auto">([^<]*)</li>', page) == ["Lead story", "Second story"]


def test_an_issue_in_another_language_says_so() -> None:
    pages = index_pages([issue(0, lang="fr"), issue(1)], info(), THEME, schedule=None)
    page = text(pages["index.html"])
    assert page.startswith('<!doctype html>\n<html lang="en">')
    assert page.count('<article class="issue" lang="fr">') == 1
    assert page.count('<article class="issue">') == 1


def test_the_same_issues_in_any_order_give_the_same_bytes() -> None:
    issues = [issue(d, s) for d in range(5) for s in ("morning", "evening")]
    site = info(schedules=("morning", "evening"), per_page=3)
    first = all_pages(issues, site)
    assert all_pages(list(reversed(issues)), site) == first
    assert all_pages(issues[3:] + issues[:3], site) == first


def test_every_relative_link_leads_to_a_page_of_the_site() -> None:
    issues = [issue(d, s) for d in range(7) for s in ("morning", "evening")]
    site = info(schedules=("morning", "evening"), per_page=3)
    pages = all_pages(issues, site)
    feeds = {
        prefix + name
        for prefix in ("", "schedules/morning/", "schedules/evening/")
        for name, _, _ in FEEDS
    }
    targets = set(pages) | {i.page for i in issues} | feeds
    absolute = {BASE, "https://example.org/subscribe", "https://example.org", brand().logo_url}
    checked = 0
    for path, page in pages.items():
        for ref in _REF.findall(text(page)):
            if ref.startswith("https://"):
                assert ref in absolute or ref.startswith(BASE), (path, ref)
                continue
            if ref.startswith("#"):
                assert ref == "#issues"
                continue
            assert "//" not in ref and not ref.startswith("/"), (path, ref)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
            assert target in targets, f"{path} -> {ref}"
            checked += 1
    assert checked > 100
    # The canonical link of each page is its own absolute URL.
    for path, page in pages.items():
        canonical = re.search(r'<link rel="canonical" href="([^"]*)">', text(page))
        assert canonical and canonical[1] == BASE + path.removesuffix("index.html")


def test_the_pages_offer_their_feeds() -> None:
    site = info(schedules=("morning", "evening"))
    page = text(
        index_pages([issue(0)], site, THEME, schedule="morning")["schedules/morning/index.html"]
    )
    alternates = re.findall(
        r'<link rel="alternate" type="([^"]*)" title="[^"]*" href="([^"]*)">', page
    )
    assert alternates == [
        ("application/atom+xml", "feed.xml"),
        ("application/feed+json", "feed.json"),
        ("application/atom+xml", "../../feed.xml"),
        ("application/feed+json", "../../feed.json"),
    ]


def csp_and_style(page: bytes) -> tuple[str, str]:
    html = text(page)
    head = html[html.index("<head>") + len("<head>") : html.index("</head>")]
    policy = _CSP.match(head.lstrip())
    assert policy, "the CSP meta is not the first element of <head>"
    (style,) = _STYLE.findall(html)
    return policy[1], style


@pytest.mark.parametrize(
    "font_url", [None, "https://fonts.googleapis.com/css2?family=Source+Sans+3"]
)
def test_the_csp_comes_first_and_allows_exactly_the_pages_style(font_url: str | None) -> None:
    site = info(brand=brand().model_copy(update={"font_url": font_url}))
    for page in index_pages([issue(0), issue(1)], site, THEME, schedule=None).values():
        policy, style = csp_and_style(page)
        digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        origin = " https://fonts.googleapis.com" if font_url else ""
        assert directives["style-src"] == f"'sha256-{digest}'{origin}"
        assert directives["default-src"] == "'none'"
        assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
        assert "script-src" not in directives and "unsafe" not in policy
        assert policy == index_csp(style, font_url)
        assert "<script" not in text(page) and ' style="' not in text(page)
        assert (f'<link rel="stylesheet" href="{font_url}">' in text(page)) == bool(font_url)


def test_the_style_has_the_brand_colours_light_and_dark() -> None:
    colours = brand().model_copy(
        update={
            "primary_color": "#aa3300",
            "dark": brand().dark.model_copy(
                update={"background_color": "#010203", "link_color": "#ffcc00"}
            ),
        }
    )
    _, style = csp_and_style(
        index_pages([], info(brand=colours), THEME, schedule=None)["index.html"]
    )
    light, dark = style.split("@media (prefers-color-scheme: dark)", 1)
    assert "--link: #aa3300;" in light and "--bg: #010203;" in dark and "--link: #ffcc00;" in dark
    assert "--heading-font: Georgia, 'Times New Roman', serif;" in light  # no entities in CSS


class Structure(HTMLParser):
    """The tags and attribute names of a page, in order, and the text of its issue headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        self._in_heading = tag == "a" and self.tags[-2][0] == "h2"
        if self._in_heading:
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data


def structure(page: bytes) -> Structure:
    parser = Structure()
    parser.feed(text(page))
    parser.close()
    return parser


HOSTILE = st.lists(
    st.sampled_from(
        [
            *"<>&\"'`=/;:{}()[]\\ aZ9",
            "</h2>",
            "<script>",
            "</style>",
            "<!--",
            "-->",
            "]]>",
            "{{ 1 }}",
            "{% raw %}",
            "&amp;",
            "&#x3c;",
            "\u202e",
            "\u200b",
            "\x00",
            "\x1b",
            "\n",
            "\u2028",
            "ﷺ",
            "عربي",
            "𝔘",
            "😀",
            "javascript:",
            "onerror=",
            "style=x",
        ]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=HOSTILE, headline=HOSTILE, tagline=HOSTILE, other=HOSTILE)
def test_hostile_texts_stay_text(subject: str, headline: str, tagline: str, other: str) -> None:
    def plain(value: str) -> str:
        return one_line(visible(value))

    assume(all(plain(t) for t in (subject, headline, tagline, other)))
    assume(plain(subject) != plain(headline))
    hostile = issue(
        0, subject=subject, stories=[story(1, headline, tagline), story(2, other, tagline)]
    )
    benign = issue(0, subject="Subject", stories=[story(1, "One", "Tag"), story(2, "Two", "Tag")])
    site = info(title=subject, description=tagline)
    page = index_pages([hostile], site, THEME, schedule=None)["index.html"]
    # Not one element or attribute more than a page of plain words has.
    assert (
        structure(page).tags
        == structure(index_pages([benign], info(), THEME, schedule=None)["index.html"]).tags
    )
    assert structure(page).headings == [plain(subject)]
    assert "<script" not in text(page).lower()
    _, style = csp_and_style(page)
    assert style == csp_and_style(index_pages([], info(), THEME, schedule=None)["index.html"])[1]


def test_golden_index_page(golden) -> None:  # type: ignore[no-untyped-def]
    issues = [
        issue(0, stories=[story(1, "Council approves the riverside park"), story(2), story(3)]),
        issue(0, "evening", subject="Late trains: what changes on Monday", lang="fr"),
        issue(1, stories=[story(4, "Schools & <libraries> open longer")]),
    ]
    site = info(schedules=("morning", "evening"), per_page=2)
    pages = index_pages(issues, site, THEME, schedule=None)
    assert list(pages) == ["index.html", "page/2/index.html"]
    golden("archive/index.html", text(pages["index.html"]))


# A project's own templates/archive/ overrides the theme's, and is held to the same rules.
OWN_PAGE = (
    '<!doctype html>\n<html lang="{{ lang }}">\n<head>\n'
    '<meta http-equiv="Content-Security-Policy" content="{{ csp }}">\n'
    "<style>{{ style }}</style>\n</head>\n<body>{{ kicker }}: "
    "{% for entry in entries %}{{ entry.subject }};{% endfor %}</body>\n</html>\n"
)


def own_templates(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        (tmp_path / "archive").mkdir(exist_ok=True)
        (tmp_path / "archive" / name).write_text(source, encoding="utf-8")
    return tmp_path


def test_a_projects_templates_override_the_page_and_its_style(tmp_path: Path) -> None:
    templates = own_templates(
        tmp_path,
        {"index.html.j2": OWN_PAGE, "index.css.j2": "body { color: {{ brand.text_color }}; }\n"},
    )
    page = index_pages([issue(0, subject="A & B")], info(), templates, schedule=None)["index.html"]
    assert "<body>Newsletter archive: A &amp; B;</body>" in text(page)
    policy, style = csp_and_style(page)
    assert style == "body { color: #1f1f1f; }\n"
    assert index_csp(style, None) == policy


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (OWN_PAGE.replace("<head>\n", "<head>\n<title>x</title>\n"), "must be the first element"),
        (OWN_PAGE.replace("</head>", "<style>p{}</style></head>"), "an inline <style>"),
        (OWN_PAGE.replace("{{ style }}", "\n{{ style }}"), "an inline <style>"),
        (OWN_PAGE.replace("</body>", "<script>x()</script></body>"), "no script"),
        (OWN_PAGE.replace("{{ kicker }}", "{{ kicker"), "index.html.j2:7"),
        (OWN_PAGE.replace("{{ kicker }}", "{{ nothing_such }}"), "nothing_such"),
    ],
    ids=["csp-not-first", "other-style", "style-changed", "script", "syntax", "undefined"],
)
def test_an_override_that_breaks_the_rules_is_refused(
    tmp_path: Path, source: str, message: str
) -> None:
    templates = own_templates(tmp_path, {"index.html.j2": source})
    with pytest.raises(RenderError, match=re.escape(message)) as error:
        index_pages([issue(0)], info(), templates, schedule=None)
    assert "templates/archive/index.html.j2" in str(error.value)


def test_the_theme_ships_the_archive_templates() -> None:
    from tomllib import loads

    root = Path(__file__).resolve().parent.parent
    globs = loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "theme/*/*.j2" in globs["digest"]
    for name in ("index.html.j2", "index.css.j2"):
        assert (THEME / "archive" / name).is_file()
        assert (THEME / "archive" / name).relative_to(THEME.parent).match("theme/*/*.j2")
