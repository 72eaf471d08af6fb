"""An issue's web page: its email's HTML with the CSP first in <head>, no way out, no web link,
no merge tag (template syntax split where the email split it, kept as written where it did
not) and no script, checked by html.parser on real batches of many configs, on hostile
headlines and on generated markup; everything else byte for byte the email."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.archive import BASE_URL, project_with_batches, write_project

from digest.archive.issues import read_issues
from digest.archive.model import Issue, StoryEntry
from digest.archive.webpage import ALL_ISSUES, SUBSCRIBE, csp, web_version
from digest.config import Settings
from digest.config.archive import Archive
from digest.config.email_links import ESPS, TEMPLATE_OPENER
from digest.render.email.links import scheme_of
from digest.render.templates import THEME

WEB_URL = BASE_URL + "{date}/{slot}/"
SUBSCRIBE_URL = "https://example.org/join?list=1&from=web"
INDEX, FEED = "../../index.html", "../../feed.xml"
FONT_URL = "https://fonts.googleapis.com/css2?family=Source+Sans+3"
FONTS = "https://fonts.googleapis.com"
CSP = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; "
    "font-src https: data:; base-uri 'none'; form-action 'none'"
)
ESP_TAGS = [tag for esp in ESPS.values() for tag in (*esp.unsubscribe, *esp.preferences)]


# --- reading a page back, with html.parser ----------------------------------------------------


class Page(HTMLParser):
    """Every start tag of a page (those inside comments too, as Outlook reads them), with
    its attributes, whether it is inside a comment, and the text of each <a>."""

    def __init__(self, inside: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = inside
        self.tags: list[tuple[str, dict[str, str | None], bool]] = []
        self.links: list[tuple[str | None, str]] = []  # (href, text) of each <a>
        self._open: list[list[str]] = []
        self._href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs), self.inside))
        if tag == "a":
            self._open.append([])
            self._href.append(dict(attrs).get("href"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs), self.inside))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self.links.append((self._href.pop(), "".join(self._open.pop())))

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)

    def handle_comment(self, data: str) -> None:
        inner = read(data, inside=True)
        self.tags += inner.tags
        self.links += inner.links


def read(html: str, inside: bool = False) -> Page:
    page = Page(inside)
    page.feed(html)
    page.close()
    return page


def outside_styles(html: str) -> str:
    return re.sub(r"<style\b.*?</style\s*>", "", html, flags=re.S | re.I)


def assert_web_page(
    page: bytes,
    issue: Issue,
    archive: Archive,
    *,
    index_href: str = INDEX,
    feed_href: str = FEED,
    font_origin: str | None = None,
    templates: str = "split",
) -> Page:
    """The postconditions of every issue page; the page as read. `templates`: "split" for an
    email built under a merge_tags preset (no template syntax may be left outside <style>),
    "kept" for one built without (its text as written: every opener of it is still there),
    "either" when the caller checks."""
    text = page.decode("utf-8")
    found = read(text)
    tags = found.tags
    # The CSP is the first element of <head>; one charset, then the page's own links.
    names = [tag for tag, _, inside in tags if not inside]
    first = [t for t in tags if not t[2]][names.index("head") + 1]
    wanted_csp = CSP.replace("'unsafe-inline'", f"'unsafe-inline' {font_origin}", 1)
    assert first == (
        "meta",
        {
            "http-equiv": "Content-Security-Policy",
            "content": wanted_csp if font_origin else CSP,
        },
        False,
    )
    top = [(tag, attrs) for tag, attrs, inside in tags if not inside]
    charsets = [
        a
        for t, a in top
        if t == "meta" and ("charset" in a or (a.get("http-equiv") or "").lower() == "content-type")
    ]
    assert charsets == [{"charset": "utf-8"}]
    robots = [a.get("content") for t, a in top if t == "meta" and a.get("name") == "robots"]
    assert robots == (["noindex"] if archive.noindex else [])
    assert [a["href"] for t, a in top if t == "link" and a.get("rel") == "canonical"] == [issue.url]
    atom = [a for t, a in top if t == "link" and a.get("type") == "application/atom+xml"]
    assert [(a["rel"], a["href"]) for a in atom] == [("alternate", feed_href)]
    # No way out, no web link (but the canonical one), nothing that runs.
    for tag, attrs, _ in tags:
        assert tag != "script"
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        href = (attrs.get("href") or "").strip()
        if attrs.get("href") is None:
            continue
        assert href not in issue.way_out and href not in ESP_TAGS, (tag, attrs)
        if href == issue.web_link:
            assert (tag, attrs.get("rel")) == ("link", "canonical"), (tag, attrs)
        assert scheme_of(href) in (None, "http", "https", "mailto"), (tag, attrs)
    assert "<script" not in text.lower()
    # Template syntax: split where the email split it, as it was where the email kept it.
    openers = TEMPLATE_OPENER.findall(outside_styles(text))
    if templates == "split":  # no template opener outside <style>, no tag of any service
        assert openers == [] and not [tag for tag in ESP_TAGS if tag in text]
    elif templates == "kept":
        assert openers == TEMPLATE_OPENER.findall(outside_styles(issue.email_html))
    return found


def kept_pieces(email_html: str) -> list[str]:
    """The parts of an email (the theme's, marked) that its page keeps byte for byte."""
    edited = re.compile(
        r"<!--digest:(way-out|web-link|email-only)-->.*?<!--/digest:\1-->|<head>|"
        r'<meta http-equiv="Content-Type"[^>]*>',
        re.S,
    )
    # A page whose email marks no web link gains its "All issues" line right after <body>.
    marked_body = re.sub(r"(<body[^>]*>)", "\\1\0", email_html, count=1)
    return [
        part
        for piece in edited.split(marked_body)
        if piece not in (None, "way-out", "web-link", "email-only")
        for part in piece.split("\0")
    ]


def assert_in_order(pieces: list[str], text: str) -> None:
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        assert found >= 0, piece[:200]
        at = found + len(piece)


# --- real batches of many configs -------------------------------------------------------------


def unmarked(name: str) -> str:
    source = (THEME / "email/partials" / name).read_text(encoding="utf-8")
    return re.sub(r"<!--/?digest:[a-z-]+-->", "", source)


VML_FOOTER = unmarked("footer.mjml.j2").replace(
    '<p style="margin:0 0 8px;">{{ postal_address }}</p>',
    '<p style="margin:0 0 8px;">{{ postal_address }}</p>\n'
    '          <!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" '
    'href="{{ unsubscribe_url }}" style="height:30px;width:120px;" stroke="f" '
    'fillcolor="#5f5f5f"><center>Unsubscribe</center></v:roundrect><![endif]-->',
)
UNMARKED = {
    "email/partials/footer.mjml.j2": unmarked("footer.mjml.j2"),
    "email/partials/web.mjml.j2": unmarked("web.mjml.j2"),
}


def _preset(name: str, preferences: str | None) -> dict[str, object]:
    return {
        "email": {
            "merge_tags": name,
            "unsubscribe_url": None,
            "preferences_url": preferences,
            "web_url": WEB_URL,
        },
        "archive": {"subscribe_url": SUBSCRIBE_URL},
    }


# name -> (project_with_batches keywords, marked by the theme)
CONFIGS: dict[str, tuple[dict[str, object], bool]] = {
    "plain": ({}, True),
    "subscribe": ({"archive": {"subscribe_url": SUBSCRIBE_URL}}, True),
    "web_url": ({"email": {"web_url": WEB_URL}}, True),
    "all": (
        {
            "email": {"web_url": WEB_URL},
            "archive": {"subscribe_url": SUBSCRIBE_URL, "noindex": True, "title": "A & <B>"},
        },
        True,
    ),
    "no_preferences": ({"email": {"preferences_url": None, "web_url": WEB_URL}}, True),
    "listmonk": (_preset("listmonk", "{{ UnsubscribeURL }}?manage=true"), True),
    "mailchimp": (_preset("mailchimp", "*|UPDATE_PROFILE|*"), True),
    "ses": (_preset("ses", None), True),
    "postmark": (_preset("postmark", None), True),
    "sendgrid": (_preset("sendgrid", "<%asm_preferences_raw_url%>"), True),
    "unmarked": (
        {
            "email": {"web_url": WEB_URL},
            "archive": {"subscribe_url": SUBSCRIBE_URL},
            "templates": UNMARKED,
        },
        False,
    ),
    "vml": (
        {
            "email": {"web_url": WEB_URL},
            "templates": {**UNMARKED, "email/partials/footer.mjml.j2": VML_FOOTER},
        },
        False,
    ),
    "font": (
        {
            "brand": {"font_url": FONT_URL},
            "email": {"web_url": WEB_URL},
            "archive": {"noindex": True},
        },
        True,
    ),
}


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], tuple[Settings, list[Issue]]]:
    cache: dict[str, tuple[Settings, list[Issue]]] = {}

    def get(name: str) -> tuple[Settings, list[Issue]]:
        if name not in cache:
            keywords, _ = CONFIGS[name]
            folder = tmp_path_factory.mktemp(name)
            settings = project_with_batches(folder, days=2, **keywords)  # type: ignore[arg-type]
            issues, skipped = read_issues(settings)
            assert skipped == [] and len(issues) == 2
            cache[name] = (settings, issues)
        return cache[name]

    return get


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_every_page_keeps_the_postconditions(
    built: Callable[[str], tuple[Settings, list[Issue]]], name: str
) -> None:
    settings, issues = built(name)
    marked = CONFIGS[name][1]
    font = FONTS if settings.brand.font_url else None
    for issue in issues:
        page = web_version(
            issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=font
        )
        kept = "kept" if settings.email.merge_tags == "none" else "split"
        found = assert_web_page(page, issue, settings.archive, font_origin=font, templates=kept)
        text = page.decode()
        shown = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # Outlook's VML keeps its words
        assert "Unsubscribe" not in shown and "Manage preferences" not in shown
        assert "View in browser" not in shown
        subscribe = [link for link in found.links if link[1] == SUBSCRIBE]
        wanted = [(settings.archive.subscribe_url, SUBSCRIBE)] if marked else []
        assert subscribe == (wanted if settings.archive.subscribe_url else [])
        everything = [link for link in found.links if link[1] == ALL_ISSUES]
        # Every page leads back to the index once: where "View in browser" was, or atop it.
        assert everything == [(INDEX, ALL_ISSUES)]
        if not (marked and issue.web_link):
            body = re.search(r"<body[^>]*>", text)
            assert body is not None and text[body.end() :].startswith('<div class="dm-footer"')
        # The email's story links all stay.
        for story in issue.stories:
            assert any(href and href.startswith(str(story.url)) for href, _ in found.links)
        if marked:
            assert_in_order(kept_pieces(issue.email_html), text)


@pytest.mark.parametrize("name", ["plain", "subscribe", "listmonk"])
def test_the_page_shows_the_postal_address_not_why_an_email_reader_gets_it(
    built: Callable[[str], tuple[Settings, list[Issue]]], name: str
) -> None:
    settings, issues = built(name)
    footer, address = settings.brand.footer, settings.brand.postal_address
    assert footer and address
    for issue in issues:
        assert footer in issue.email_html and address in issue.email_html
        page = web_version(
            issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None
        ).decode()
        assert footer not in page and "You receive this" not in page
        assert address in page
        subscribe = settings.archive.subscribe_url
        written = (subscribe or "").replace("&", "&amp;")
        assert (f'href="{written}"' in page) == (subscribe is not None)
        # Where the footer line was, nothing: the address line follows the column's start.
        assert re.search(
            r'<div style="[^"]*">\s*<p style="margin:0 0 8px;">' + re.escape(address), page
        )


def test_the_subscribe_link_is_dressed_as_the_way_out_was(
    built: Callable[[str], tuple[Settings, list[Issue]]],
) -> None:
    settings, (issue, _) = built("subscribe")
    text = web_version(issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None)
    link = (
        '<p style="margin:0;"><a href="https://example.org/join?list=1&amp;from=web" '
        'style="color:#5f5f5f;text-decoration:underline;">Subscribe</a></p>'
    )
    assert link in text.decode()


def test_all_issues_is_dressed_as_view_in_browser_was(
    built: Callable[[str], tuple[Settings, list[Issue]]],
) -> None:
    settings, (issue, _) = built("web_url")
    text = web_version(
        issue, settings.archive, index_href="../../in dex.html", feed_href=FEED, font_origin=None
    ).decode()
    assert (
        '<p style="margin:0;"><a href="../../in dex.html" style="color:#5f5f5f;'
        'text-decoration:underline;">All issues</a></p>'
    ) in text


def test_outlooks_conditional_comments_survive_byte_for_byte(
    built: Callable[[str], tuple[Settings, list[Issue]]],
) -> None:
    for name in ("plain", "all", "listmonk"):
        settings, issues = built(name)
        for issue in issues:
            page = web_version(
                issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None
            ).decode()
            comments = re.findall(r"<!--\[if.*?-->", issue.email_html, re.S)
            assert len(comments) > 10
            assert_in_order(comments, page)


def test_an_unmarked_vml_way_out_loses_its_href_only(
    built: Callable[[str], tuple[Settings, list[Issue]]],
) -> None:
    settings, (issue, _) = built("vml")
    page = web_version(
        issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None
    ).decode()
    assert (
        '<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" '
        'style="height:30px;width:120px;" stroke="f" fillcolor="#5f5f5f"><center>Unsubscribe'
    ) in page
    # The stories' VML buttons keep theirs.
    assert page.count("<v:roundrect") == issue.email_html.count("<v:roundrect")
    assert page.count("<v:roundrect") - 1 == len(re.findall(r"<v:roundrect[^>]*href=", page))


def test_a_web_link_outside_base_url_is_taken_off_too(tmp_path: Path) -> None:
    project_with_batches(
        tmp_path,
        days=1,
        email={"web_url": "https://other.example.net/{date}/{slot}/"},
        archive={"base_url": None},
    )
    settings = write_project(tmp_path)
    (issue,), _ = read_issues(settings)
    assert issue.web_link == "https://other.example.net/2026-12-01/morning-0800/"
    assert issue.url == BASE_URL + "2026-12-01/morning-0800/"
    page = web_version(issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None)
    found = assert_web_page(page, issue, settings.archive)
    assert (INDEX, ALL_ISSUES) in found.links and b"other.example.net" not in page


def test_the_web_font_origin_is_allowed_for_styles(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1)
    (issue,), _ = read_issues(settings)
    page = web_version(issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=FONTS)
    assert_web_page(page, issue, settings.archive, font_origin=FONTS)
    assert csp(FONTS) == CSP.replace("'unsafe-inline'", f"'unsafe-inline' {FONTS}")
    assert csp(None) == CSP


@pytest.mark.parametrize(
    "origin",
    [
        "http://fonts.example.org",
        "https://fonts.example.org/",
        "https://fonts.example.org/css",
        "https://a.example; script-src *",
        "https://a.example 'unsafe-eval'",
        'https://a.example"',
        "https://",
        "",
    ],
)
def test_a_font_origin_that_is_no_https_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match="not an https origin"):
        csp(origin)


def test_the_same_issue_gives_the_same_bytes(
    built: Callable[[str], tuple[Settings, list[Issue]]],
) -> None:
    settings, (issue, _) = built("all")

    def page() -> bytes:
        return web_version(
            issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=FONTS
        )

    assert page() == page() and page().startswith(b'<!doctype html><html lang="en"')


# --- hostile headlines, through the whole pipeline --------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<a href='https://example.org/unsubscribe'>x</a>",
        "{{ UnsubscribeURL }}",
        "*|UNSUB|*",
        "<%asm_group_unsubscribe_raw_url%>",
        "{{{ pm:unsubscribe }}}",
        "&amp; & \"q\" 'a'",
        "<!--digest:way-out--> <!--/digest:way-out-->",
        "javascript:alert(1)",
        "\u202eRTL\u202c עברית",
        "👩‍👩‍👧 𝔘",
    ]
)
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
TITLES = st.lists(
    st.tuples(WORDS, FRAGMENTS, WORDS).map(" ".join).filter(str.strip), min_size=2, max_size=2
)


@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    titles=TITLES,
    preset=st.sampled_from(["none", "listmonk", "mailchimp", "sendgrid"]),
    web=st.booleans(),
    subscribe=st.booleans(),
    noindex=st.booleans(),
)
def test_hostile_headlines_keep_the_postconditions(
    titles: list[str], preset: str, web: bool, subscribe: bool, noindex: bool
) -> None:
    email: dict[str, object] = {"web_url": WEB_URL if web else None}
    if preset != "none":
        email |= {"merge_tags": preset, "unsubscribe_url": None}
    archive = {"subscribe_url": SUBSCRIBE_URL if subscribe else None, "noindex": noindex}
    with tempfile.TemporaryDirectory() as folder:
        settings = project_with_batches(
            Path(folder), days=1, titles=titles, email=email, archive=archive
        )
        issues, _ = read_issues(settings)
        for issue in issues:
            page = web_version(
                issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None
            )
            kept = "kept" if preset == "none" else "split"
            found = assert_web_page(page, issue, settings.archive, templates=kept)
            assert [h for h, t in found.links if t == SUBSCRIBE] == (
                [SUBSCRIBE_URL] if subscribe else []
            )


@pytest.mark.parametrize("preset", ["none", "listmonk", "mailchimp", "sendgrid"])
def test_template_syntax_reads_on_the_page_as_the_email_wrote_it(
    tmp_path: Path, preset: str
) -> None:
    titles = ["Prices {{ rise }} as *|fall|* and <%= today %> ends", "A second story"]
    email = {} if preset == "none" else {"merge_tags": preset, "unsubscribe_url": None}
    settings = project_with_batches(tmp_path, days=1, titles=titles, email=email)
    (issue,), _ = read_issues(settings)
    page = web_version(
        issue, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None
    ).decode()
    written = re.findall(r"Prices [^<]*? ends", outside_styles(issue.email_html))
    assert written and all(text in page for text in written)
    assert page.count("Prices ") == issue.email_html.count("Prices ")
    # Split where the email split it (under a preset), as written where it was not.
    assert ("{{ rise }}" in written[0]) == (preset == "none")
    assert ("{ { rise } }" in written[0]) == (preset != "none")


# --- generated markup: templates of any shape -------------------------------------------------

WAY_OUT = [
    "https://example.org/unsubscribe",
    "https://example.org/prefs?a=1&b=2",
    "mailto:leave@example.org?subject=unsubscribe",
    "{{ UnsubscribeURL }}",
    "*|UNSUB|*",
    "<%asm_group_unsubscribe_raw_url%>",
]
WEB_LINK = BASE_URL + "2026-12-01/morning-0800/"
KEPT = ["https://news.example.org/a?utm_source=digest&utm_medium=email", "https://example.org"]


def _attribute_value(href: str) -> st.SearchStrategy[str]:
    """`href` written as a template may write it: quoted either way, escaped, padded."""
    escaped = href.replace("&", "&amp;")
    return st.sampled_from(
        [
            f'"{escaped}"',
            f"'{escaped}'",
            f'" {escaped} "',
            f'"{escaped.replace(":", "&#58;", 1)}"',
            f'"{escaped.replace("/", "&#x2f;")}"',
        ]
        + ([escaped] if not re.search(r"[\s\"'<>=`]", escaped) else [])
    )


POOL = [*WAY_OUT, WEB_LINK, *KEPT, "javascript:alert(1)"]


@st.composite
def anchors(draw: st.DrawFn) -> str:
    """An <a> to one href of POOL, its text starting with that href's label (L0, L1 ...)."""
    index = draw(st.integers(0, len(POOL) - 1))
    value = draw(_attribute_value(POOL[index]))
    name = draw(st.sampled_from(["a", "A"]))
    attribute = draw(st.sampled_from(["href", "HREF", "Href"]))
    extra = draw(
        st.sampled_from(["", ' style="color:#5f5f5f;"', ' onclick="go()"', ' target="_blank"'])
    )
    text = f"L{index} " + draw(st.sampled_from(["Unsubscribe", "x &amp; y", "{{ name }}"]))
    where = draw(st.integers(0, 2))
    if where == 0:
        return f"<{name}{extra} {attribute}={value}>{text}</{name}>"
    if where == 1:
        return f"<{name} {attribute}={value}{extra}>{text}</{name}>"
    return f'<{name} style="x"{attribute}={value}{extra}>{text}</{name}>'  # no space between


@st.composite
def fragments(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(anchors())
    if kind == 1:
        mark = draw(st.sampled_from(["way-out", "web-link"]))
        inner = " · ".join(draw(st.lists(anchors(), max_size=3)))
        return f"<!--digest:{mark}-->{inner}<!--/digest:{mark}-->"
    if kind == 2:
        href = draw(_attribute_value(draw(st.sampled_from([*WAY_OUT, WEB_LINK, *KEPT]))))
        return (
            f'<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href={href} '
            'stroke="f"><center>Go</center></v:roundrect><![endif]-->'
        )
    if kind == 3:
        return draw(
            st.sampled_from(
                [
                    "<script>alert(1)</script>",
                    "<SCRIPT src=x></SCRIPT>",
                    # An <a> left open in Outlook's comment: what follows is not its.
                    f'<!--[if mso]><a href="{WAY_OUT[0]}"><![endif]--><p>L{len(POOL)}</p>',
                ]
            )
        )
    if kind == 4:
        return "<style>.a { color: red; } @media (x) { .b { c: d; } }</style>"
    if kind == 5:
        return draw(st.sampled_from(["{{ x }}", "*|FNAME|*", "<%x%>", "{{{ y }}}", "%> |*"]))
    if kind == 6:
        return f"<p>{draw(anchors())} <b>{draw(anchors())}</b></p>"
    return draw(st.sampled_from(["<p>Text &amp; more</p>", '<img src="https://x/y.png" alt="">']))


@st.composite
def documents(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(fragments(), max_size=12)))
    head = draw(
        st.sampled_from(
            [
                '<head><title>T</title><meta http-equiv="Content-Type" '
                'content="text/html; charset=UTF-8"><style>p { margin: 0; }</style></head>',
                "<head><meta charset='utf-8'></head>",
                '<HEAD lang="en"></HEAD>',
                "",
            ]
        )
    )
    return f'<!doctype html><html lang="en">{head}<body>{body}</body></html>'


def issue_of(html: str, way_out: frozenset[str], web_link: str | None) -> Issue:
    from datetime import UTC, datetime

    when = datetime(2026, 12, 1, 8, tzinfo=UTC)
    story = StoryEntry("a", "A", "t", ("b",), "https://news.example.org/a")
    return Issue(
        batch_id="morning@2026-12-01T08:00:00Z",
        schedule="morning",
        folder="2026-12-01/morning-0800",
        local=when,
        utc=when,
        subject="A",
        lang="en",
        stories=(story,),
        email_html=html,
        way_out=way_out,
        web_link=web_link,
        page="2026-12-01/morning-0800/index.html",
        url=WEB_LINK,
        fingerprint="0" * 64,
    )


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    html=documents(),
    way_out=st.frozensets(st.sampled_from(WAY_OUT), min_size=1),
    web=st.booleans(),
    subscribe=st.sampled_from([None, SUBSCRIBE_URL, "https://example.org/unsubscribe"]),
    noindex=st.booleans(),
    font=st.sampled_from([None, FONTS]),
)
def test_generated_markup_keeps_the_postconditions(
    html: str,
    way_out: frozenset[str],
    web: bool,
    subscribe: str | None,
    noindex: bool,
    font: str | None,
) -> None:
    issue = issue_of(html, way_out, WEB_LINK if web else None)
    archive = Archive(base_url=BASE_URL, subscribe_url=subscribe, noindex=noindex)
    page = web_version(issue, archive, index_href=INDEX, feed_href=FEED, font_origin=font)
    found = assert_web_page(page, issue, archive, font_origin=font, templates="either")
    assert_templates(html, page.decode())
    # Every link that is no way out, outside the marked spans, stays (if only as its text);
    # of the others nothing is left.
    gone = {
        f"L{i}"
        for i, href in enumerate(POOL)
        if href in issue.way_out | {issue.web_link} | set(ESP_TAGS)
    }
    unmarked = re.sub(r"<!--digest:([a-z-]+)-->.*?<!--/digest:\1-->", "", html, flags=re.S)
    before = [text.split()[0] for _, text in read(unmarked).links if text.startswith("L")]
    after = [text.split()[0] for _, text in found.links if text.startswith("L")]
    assert sorted(after) == sorted(label for label in before if label not in gone)
    shown = re.sub(r"<!--.*?-->", "", page.decode(), flags=re.S)
    assert not [label for label in gone if re.search(rf"\b{label}\b", shown)]
    # Every comment the markup opens it closes: no edit cut through one.
    assert page.count(b"<![endif]-->") == html.count("<![endif]-->")
    assert page.decode().endswith("</body></html>")
    assert page.decode().startswith('<!doctype html><html lang="en">')


TEXT_TEMPLATES = ["{{ x }}", "*|FNAME|*", "<%x%>", "{{{ y }}}"]  # fragments() kind 5
SPLIT = re.compile(r"\{ \{|\} \}|\* \||\| \*|< %|% >")


def assert_templates(email_html: str, page: str) -> None:
    """Template syntax on a page of generated markup: an email whose only template syntax is
    its service's tags as hrefs (`href="*|UNSUB|*"`, as digest writes them) was built under a
    merge_tags preset, and its page holds none; any other keeps its text as written (nothing
    split that the email did not split)."""
    text = outside_styles(email_html)
    for tag in ESP_TAGS:
        text = text.replace(f'"{tag}"', "")
    if not TEMPLATE_OPENER.search(text):
        assert not TEMPLATE_OPENER.search(outside_styles(page))
    else:
        for fragment in TEXT_TEMPLATES:
            assert page.count(fragment) == email_html.count(fragment), fragment
        assert len(SPLIT.findall(page)) <= len(SPLIT.findall(email_html))


def test_a_page_without_head_gets_one() -> None:
    issue = issue_of('<html lang="en"><body><p>x</p></body></html>', frozenset({WAY_OUT[0]}), None)
    page = web_version(
        issue, Archive(base_url=BASE_URL), index_href=INDEX, feed_href=FEED, font_origin=None
    ).decode()
    assert page.startswith('<html lang="en"><head><meta http-equiv="Content-Security-Policy"')
    nav = '<div class="dm-footer" style="margin:0 auto;max-width:600px;padding:8px 24px;'
    assert page.endswith("<p>x</p></body></html>")
    assert page.split("</head><body>", 1)[1].startswith(nav)
    assert f'<a href="{INDEX}" style="text-decoration:underline;">All issues</a>' in page


def test_only_the_marked_spans_change_in_a_template_that_marks(
    built: Callable[[str], tuple[Settings, list[Issue]]],
) -> None:
    settings, (issue, _) = built("plain")
    edited = replace(issue, email_html=issue.email_html.replace("Story number", "Headline"))
    page = web_version(edited, settings.archive, index_href=INDEX, feed_href=FEED, font_origin=None)
    assert_in_order(kept_pieces(edited.email_html), page.decode())
