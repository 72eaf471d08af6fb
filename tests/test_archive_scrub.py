"""An issue page runs nothing, whatever the markup of its email: no script element, no `on...`
handler, no refresh, no frame, no javascript:, data: or vbscript: URL in any URL attribute,
and the CSP the first element of <head> with nothing before <head> but the <html> tag.

Read back by html.parser (these tests) and by Chromium's own HTML parser
(tests/test_archive_browser.py), on the reviewer's examples and on generated markup: nested
and split tags, unquoted values, `/` and odd marks between attributes, entity-encoded schemes,
comments and Outlook's conditional comments, markup before <head>, tags inside attribute values
and comments, unterminated tags.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from support.archive_markup import EXAMPLES, documents, markup, page_of

from digest.archive.scrub import URL_ATTRIBUTES, scrub
from digest.render.email.links import scheme_of

CSP_START = "default-src 'none'"
BAD_SCHEMES = ("javascript", "vbscript", "data", "livescript", "mocha")
SCRIPT_OPENS = re.compile(r"<script[\t\n\f\r />]", re.IGNORECASE | re.ASCII)


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, those inside comments too (as Outlook
    reads a conditional comment's markup), each marked whether it is inside one."""

    def __init__(self, inside: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = inside
        self.tags: list[tuple[str, list[tuple[str, str | None]], bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs, self.inside))

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.tags += tags_of(data, inside=True)


def tags_of(
    html: str, inside: bool = False
) -> list[tuple[str, list[tuple[str, str | None]], bool]]:
    reader = Tags(inside)
    reader.feed(html)
    reader.close()
    return reader.tags


def problems_of(page: str) -> list[str]:
    """What an issue page must not hold, as html.parser reads it; [] when it holds none."""
    problems = []
    if SCRIPT_OPENS.search(page):
        problems.append(f"a script opens at {SCRIPT_OPENS.search(page).start()}")  # type: ignore[union-attr]
    tags = tags_of(page)
    top = [tag for tag in tags if not tag[2]]
    names = [name for name, _, _ in top]
    if "head" not in names or set(names[: names.index("head")]) - {"html"}:
        problems.append(f"before <head>: {names[: names.index('head') if 'head' in names else 5]}")
    else:
        first = dict(top[names.index("head") + 1][1])
        if first.get("http-equiv") != "Content-Security-Policy" or not (
            first.get("content") or ""
        ).startswith(CSP_START):
            problems.append(f"the first element of <head> is {first}, not the CSP")
    for name, attrs, _ in tags:
        if name in ("script", "iframe", "frame", "object", "embed", "base"):
            problems.append(f"a <{name}> element")
        for attribute, value in attrs:
            bare = attribute.lstrip("\"'=<`")
            text = value or ""
            if bare.startswith("on") or bare == "srcdoc":
                problems.append(f"<{name} {attribute}={text!r}>")
            if bare in URL_ATTRIBUTES or bare.endswith(":href"):
                urls = [text] + [p.split()[0] for p in text.split(",") if p.split()]
                if any(scheme_of(url) in BAD_SCHEMES for url in urls):
                    problems.append(f"<{name} {attribute}={text!r}>")
            if name == "meta" and bare == "http-equiv" and text.strip().lower() == "refresh":
                problems.append("a refresh <meta>")
    return problems


# --- the reviewer's examples, and their kin ---------------------------------------------------

BODY = '<!doctype html><html lang="en"><head><title>T</title></head><body>{}</body></html>'


@pytest.mark.parametrize("markup", EXAMPLES)
def test_the_reviewers_examples_and_their_kin_leave_nothing_that_runs(markup: str) -> None:
    page = page_of(BODY.format(markup))
    assert problems_of(page) == []
    assert "alert(1)" not in re.sub(r"<script.*?</script>", "", page) or "<script" not in page


@pytest.mark.parametrize(
    "before",
    [
        "<img src=x onerror=alert(1)>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        "<base href=https://evil.example/>",
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "stray words",
        "<!-- a comment -->",
        "<title>first</title>",
    ],
)
def test_nothing_comes_before_the_csp_but_the_doctype_and_the_html_tag(before: str) -> None:
    heads = [
        f'{before}<!doctype html><html lang="en"><head></head><body>x</body></html>',
        f'<!doctype html>{before}<html lang="en"><head></head><body>x</body></html>',
        f'<!doctype html><html lang="en">{before}<head></head><body>x</body></html>',
    ]
    for html in heads:  # what came before <head> is gone
        page = page_of(html)
        assert page.startswith('<!doctype html><html lang="en"><head><meta http-equiv="Content')
        assert problems_of(page) == [] and before not in page.split("</head>", 1)[0]
        assert page.count(before) == html.count(before) - 1
    # Without a <head>, what follows <html> comes after the page's own head.
    page = page_of(f'<!doctype html><html lang="en">{before}<body>x</body></html>')
    assert page.startswith('<!doctype html><html lang="en"><head><meta http-equiv="Content')
    assert problems_of(page) == [] and before not in page.split("</head>", 1)[0]


def test_an_email_digest_builds_loses_only_its_charset_meta_to_the_scrub() -> None:
    email = (
        '<!doctype html><html lang="en"><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=UTF-8"><style>a{color:red}</style></head><body>'
        '<!--[if mso]><v:roundrect href="https://news.example.org/a" stroke="f"><![endif]-->'
        '<a href="https://news.example.org/a?utm_source=digest" style="color:#000">A</a>'
        '<a href="mailto:desk@example.org">m</a><img src="https://x/y.png" alt="">'
        '<a href="../../index.html">i</a></body></html>'
    )
    assert scrub(email) == email.replace(
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">', ""
    )


# --- generated markup (tests/support/archive_markup.py) ------------------------------------


@hypothesis_settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(html=documents())
def test_any_markup_gives_a_page_that_runs_nothing(html: str) -> None:
    page = page_of(html)
    assert problems_of(page) == [], page


@hypothesis_settings(max_examples=300, deadline=None)
@given(html=markup())
def test_the_scrub_ends_and_a_second_one_changes_nothing(html: str) -> None:
    once = scrub(html)
    assert scrub(once) == once
    assert len(once) <= len(html)
