"""The archive's site in headless Chromium, opened from disk as a copy of it would be.

A site built by `build_archive` from real batches of two schedules (hostile and long titles
among them): its first index page and its newest issue's page at 375 and 1280 px, light, and
the index in dark mode too. Screenshots go to test-artifacts/archive-*.png (and the test's tmp
folder). Each view fits its width, runs no script, breaks no CSP rule (the index's <style> is
applied, so its hash is right), and every link on it leads to a file of the site, a story of a
batch, or one of the brand's own pages (its website, subscribe page, social profiles).

Besides, issue pages made from generated hostile markup (tests/support/archive_markup.py, odd
characters too) read by Chromium's own parser: no script element, handler, refresh, frame or
javascript:/data:/vbscript: URL, in the page or in its comments' markup; the CSP first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.archive import BASE_URL, project_with_batches
from support.archive_markup import EXAMPLES, documents, page_of
from support.browser import launched
from support.preview import ARTIFACTS, fake_remote_images

from digest.archive import build_archive
from digest.archive.issues import read_issues
from digest.archive.scrub import URL_ATTRIBUTES
from digest.config import Settings

TITLES = [
    "Council approves the riverside park after a long debate",
    'Schools & <libraries> open longer: "what it means" for families',
    "Pneumonoultramicroscopicsilicovolcanoconiosisandotherverylongwordswithoutanybreak",
    "مجلس المدينة يوافق على خطة الحديقة الجديدة",
    "Trains run late 🚆 on Monday while the line is repaired",
    "<script>alert(1)</script> Budget vote moves to Thursday",
    "Harbour festival returns for its tenth summer",
    "New cycle lanes open on the high street",
]
VIEWS = [("index", 375, "light"), ("index", 1280, "light"), ("index", 375, "dark")]
VIEWS += [("issue", 375, "light"), ("issue", 1280, "light")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    folder = tmp_path_factory.mktemp("archive-site")
    settings = project_with_batches(
        folder,
        days=4,
        schedules=("morning", "evening"),
        stories_per_batch=2,
        archive={
            "per_page": 3,
            "description": "The stories that matter to the town, every morning and evening.",
            "subscribe_url": "https://example.org/subscribe",
        },
        titles=TITLES,
        email={"web_url": f"{BASE_URL}{{date}}/{{slot}}/"},  # "View in browser": "All issues"
    )
    result = build_archive(settings)
    assert result.issues == 8 and not result.skipped
    return settings, result.out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module", params=VIEWS, ids=lambda v: f"{v[0]}-{v[1]}px-{v[2]}")
def view(
    request: pytest.FixtureRequest,
    browser: Any,
    built: tuple[Settings, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Any, int, str, list[str]]]:
    """The page open at that width and scheme, its console messages, its screenshot saved."""
    name, width, scheme = request.param
    settings, out = built
    issues, _ = read_issues(settings)
    path = out / ("index.html" if name == "index" else issues[0].page)
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    fake_remote_images(page)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    shot = f"archive-{name}-{width}-{scheme}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    for folder in (ARTIFACTS, tmp_path_factory.getbasetemp()):
        page.screenshot(path=str(folder / shot), full_page=True)
    yield page, width, name, messages
    page.close()


def test_no_horizontal_overflow(view: tuple[Any, int, str, list[str]]) -> None:
    page, width, name, _ = view
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the {name} page is {scroll} px wide in a {width} px window"


def test_no_script_and_no_csp_violation(view: tuple[Any, int, str, list[str]]) -> None:
    page, _, _, messages = view
    assert page.evaluate("document.scripts.length") == 0
    head = page.evaluate("document.head.firstElementChild.outerHTML")
    assert head.startswith('<meta http-equiv="Content-Security-Policy"')
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m]


def test_the_index_style_is_applied_in_the_brands_colours(
    view: tuple[Any, int, str, list[str]], built: tuple[Settings, Path]
) -> None:
    page, _, name, _ = view
    if name != "index":
        return  # the issue page is the email's own HTML (its styles are the email's)
    brand = built[0].brand
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    expected = brand.dark.background_color if dark else brand.background_color
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == rgb(expected)
    card = page.locator("article.issue").first
    assert card.evaluate("e => getComputedStyle(e).borderRadius") == "14px"


def rgb(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def bare(url: str) -> str:
    """`url` without query and fragment, as a browser writes it (`https://host/`)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"


def test_every_link_leads_to_the_site_a_story_or_the_brand(
    view: tuple[Any, int, str, list[str]], built: tuple[Settings, Path]
) -> None:
    page, _, name, _ = view
    settings, out = built
    issues, _ = read_issues(settings)
    stories = {bare(s.url) for issue in issues for s in issue.stories if s.url}
    platforms = settings.platforms.model_dump()
    own = [settings.brand.website, settings.archive.subscribe_url]
    own += [p.get("url") for p in platforms.values() if isinstance(p, dict)]
    brand = {bare(url) for url in own if url}
    links = page.evaluate(
        "[...document.querySelectorAll('a[href], link[rel=alternate]')].map(a => a.href)"
    )
    assert len(links) >= (10 if name == "index" else 3)
    site_files = 0
    for link in links:
        parts = urlsplit(link)
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
            assert target.is_file() and target.resolve().is_relative_to(out.resolve()), link
            site_files += 1
        else:  # a story's link carries the email's UTM tags
            assert parts.scheme == "https" and bare(link) in stories | brand, link
    assert site_files >= (6 if name == "index" else 1)  # pages, feeds; "All issues"
    if name == "issue":  # its way back to the index
        assert (out / "index.html").as_uri() in links


# --- generated markup, read by Chromium's own parser ------------------------------------------

# What an issue page must not hold, as Chromium's HTML parser builds it (DOMParser runs
# nothing): every element, and the markup of every comment (as Outlook reads its conditional
# comments) read the same way.
INERT_CHECK = """
(html) => {
  const urls = new Set(%s);
  const problems = [];
  const look = (doc, where) => {
    if (doc.querySelectorAll("script").length) problems.push(where + ": a script element");
    for (const el of doc.querySelectorAll("*")) {
      const tag = el.localName;
      if (["iframe", "frame", "object", "embed", "base"].includes(tag))
        problems.push(where + ": <" + tag + ">");
      const equiv = (el.getAttribute("http-equiv") || "").trim().toLowerCase();
      if (tag === "meta" && equiv === "refresh") problems.push(where + ": a refresh meta");
      for (const a of el.attributes) {
        const name = a.name.toLowerCase();
        const value = a.value.replace(/[\\x00-\\x20\\x7f]/g, "").toLowerCase();
        if (name.startsWith("on") || name === "srcdoc") problems.push(where + ": " + name);
        if ((urls.has(name) || name.endsWith(":href")) &&
            /^(javascript|vbscript|data):/.test(value))
          problems.push(where + ": " + name + "=" + a.value);
      }
    }
    const walker = doc.createTreeWalker(doc, NodeFilter.SHOW_COMMENT);
    const comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode.data);
    return comments;
  };
  const doc = new DOMParser().parseFromString(html, "text/html");
  let comments = look(doc, "page");
  for (let depth = 0; depth < 3 && comments.length; depth++) {
    comments = comments.flatMap(c =>
      look(new DOMParser().parseFromString(c, "text/html"), "comment"));
  }
  const all = doc.querySelectorAll("*");
  const first = doc.head.firstElementChild;
  if (all[1] !== doc.head || all[2] !== first || !first || first.localName !== "meta" ||
      first.getAttribute("http-equiv") !== "Content-Security-Policy")
    problems.push("not the CSP first: " + doc.documentElement.outerHTML.slice(0, 200));
  return problems;
}
"""
ODD = st.sampled_from(["\x0b", "\xa0", "\x00", "\u3000", "\x1c", "\u2028", "\ufeff", "ſ", "K"])


@pytest.fixture(scope="module")
def blank(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    yield page
    page.close()


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(html=documents(ODD))
def test_chromium_finds_nothing_that_runs_on_a_page_of_any_markup(blank: Any, html: str) -> None:
    names = json.dumps(sorted(URL_ATTRIBUTES))
    assert blank.evaluate(INERT_CHECK % names, page_of(html)) == []


def test_chromium_reads_the_reviewers_examples_as_the_unscrubbed_danger_they_are(
    blank: Any,
) -> None:
    # The check itself sees what it must: the emails as given, unscrubbed, fail it.
    names = json.dumps(sorted(URL_ATTRIBUTES))
    for markup in EXAMPLES:
        html = f"<!doctype html><html><head></head><body>{markup}</body></html>"
        if "<scr<" in markup:
            continue  # harmless as written: the danger was in removing its inner scripts once
        assert blank.evaluate(INERT_CHECK % names, html) != [], markup
        assert blank.evaluate(INERT_CHECK % names, page_of(html)) == [], markup
