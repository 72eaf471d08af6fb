"""Generated email markup for the archive's scrub tests (tests/test_archive_scrub.py, and
tests/test_archive_browser.py, which reads the same pages with Chromium's parser).

    html = data.draw(documents())            # a whole email: before <html>, <head>, a body
    page = page_of(html)                     # its issue page, as web_version makes it

`markup()` gives tags (names and attributes a page must not keep: handlers, URLs of
javascript:, data:, vbscript: in every URL attribute, encoded and padded; refresh metas,
srcdoc, styles that run code), pieces of tags and comments (`<scr`, `ipt>`, `-->`, `<!-->`,
Outlook's conditional comments), nested in comments, in attribute values and in a split
`<scr...ipt>`; `extra` adds pieces (odd characters, for the browser).
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from digest.archive.model import Issue, StoryEntry
from digest.archive.webpage import web_version
from digest.config.archive import Archive
from support.archive import BASE_URL

# The review's examples of markup that got past the web version, and their kin.
EXAMPLES = [
    "<scr<script></script>ipt>alert(1)</scr<script></script>ipt>",
    "<scr<scr<script></script>ipt></script>ipt>alert(1)</script>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<META HTTP-EQUIV=Refresh CONTENT='0; URL=https://evil.example/'>",
    '<meta http-equiv="&#114;efresh" content="0;url=https://evil.example/">',
    '<img src="javascript:alert(1)" alt=""><object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<video poster="javascript:alert(1)"></video><table background="javascript:alert(1)">',
    "<body onload=alert(1)>",
    "<body/onload=alert(1)>",
    '<a href="jav&#x61;script:alert(1)">a</a><a href="&#106;avascript:alert(1)">b</a>',
    '<a href="javascript&colon;alert(1)">a</a><a href=" \tjavascript:alert(1)">b</a>',
    "<a href==javascript:alert(1)>a</a>",
    '<img src=x onerror=alert(1) alt=""><img/src=x/onerror=alert(1)>',
    '<a title="x"onclick="alert(1)">a</a><a =onclick=alert(1)>b</a>',
    '<a title="<img src=x onerror=alert(1)>">a</a>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe><embed src=x>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/>',
    "<svg><set attributeName=href to=javascript:alert(1)>",
    '<img srcset="https://x/a.png 1x, javascript:alert(1) 2x" alt="">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<p style="x:expr/**/ession(alert(1))">y</p>',
    '<!--[if mso]><a href="javascript:alert(1)" onclick=x>o</a><![endif]-->',
    "<!--[if mso]><script>alert(1)</script><![endif]-->",
    "<!--><script>alert(1)</script>-->",
    "<svg><script>alert(1)</script></svg><math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<base href=https://evil.example/><a href=../../index.html>x</a>",
    '<script src="https://evil.example/x.js"></script',
    "<SCRIPT>alert(1)",
]


def issue_of(html: str) -> Issue:
    when = datetime(2026, 12, 1, 8, tzinfo=UTC)
    return Issue(
        batch_id="morning@2026-12-01T08:00:00Z",
        schedule="morning",
        folder="2026-12-01/morning-0800",
        local=when,
        utc=when,
        subject="A",
        lang="en",
        stories=(StoryEntry("a", "A", "t", ("b",), "https://news.example.org/a"),),
        email_html=html,
        way_out=frozenset({"https://example.org/unsubscribe"}),
        web_link=None,
        page="2026-12-01/morning-0800/index.html",
        url=BASE_URL + "2026-12-01/morning-0800/",
        fingerprint="0" * 64,
    )


def page_of(html: str) -> str:
    archive = Archive(base_url=BASE_URL, subscribe_url="https://example.org/join")
    return web_version(
        issue_of(html),
        archive,
        index_href="../../index.html",
        feed_href="../../feed.xml",
        font_origin=None,
    ).decode("utf-8")


HANDLERS = ["onload=alert(1)", "ONERROR='alert(1)'", 'onclick="x()"', "oNfOcUs=x", "onx"]
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "jav&#x61;script:alert(1)",
    "&#106;avascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript&colon;alert(1)",
    "=javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,x",
    "data:image/svg+xml;base64,PHN2Zz4=",
    "https://example.org/ok",
    "../../index.html",
    "mailto:a@example.org",
]
URL_NAMES = ["href", "HREF", "src", "action", "formaction", "data", "poster", "background"]
URL_NAMES += ["xlink:href", "srcset", "lowsrc", "ping", "codebase", "cite", "xml:base"]
OTHER = [
    'style="x:expression(alert(1))"',
    "style=background:url(javascript:alert(1))",
    'http-equiv="refresh" content="0;url=https://evil.example/"',
    "http-equiv=Refresh",
    'srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"',
    'alt="x"',
    "class=a",
    "=onclick=x",
    '"onclick=x',
    "'onload=x",
    "charset=utf-8",
    'content="0;url=javascript:alert(1)"',
    'title="a > b"',
]
NAMES = ["a", "A", "img", "body", "BODY", "html", "head", "svg", "iframe", "object", "embed"]
NAMES += ["form", "button", "video", "table", "meta", "META", "link", "base", "animate", "set"]
NAMES += ["math", "p", "v:roundrect", "frame", "input", "x", "scr", "script", "ScRiPt", "style"]
SEPARATORS = [" ", "/", "\t", "\n", "\r\n", "\f", "", " / ", "  "]
PIECES = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script/x>alert(1)</script>",
    "<script\n>alert(1)</script >",
    "</script>",
    "<scr",
    "ipt>",
    "<script",
    "<",
    ">",
    '"',
    "'",
    "-->",
    "<!--",
    "<!-->",
    "--!>",
    "<![endif]-->",
    "<!--[if mso]>",
    "<!--[if !mso]><!-->",
    "<!--<![endif]-->",
    "<![CDATA[",
    "]]>",
    "</a>",
    "text & more",
    "{{ x }}",
    "</head>",
    "<head>",
    "<html>",
    "<!doctype html>",
]


@st.composite
def values(draw: st.DrawFn, text: str) -> str:
    quote = draw(st.sampled_from(['"', "'", ""]))
    if quote == "":
        return text.replace(" ", "").replace(">", "")
    return quote + text.replace(quote, "") + quote


@st.composite
def attributes(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.sampled_from(HANDLERS))
    if kind == 1:
        name = draw(st.sampled_from(URL_NAMES))
        value = draw(values(draw(st.sampled_from(URLS))))
        return f"{name}={value}"
    return draw(st.sampled_from(OTHER))


@st.composite
def tags(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    name = draw(st.sampled_from(NAMES))
    parts = [f"<{name}"]
    for attribute in draw(st.lists(attributes(), max_size=4)):
        parts += [draw(st.sampled_from(SEPARATORS)), attribute]
    if draw(st.booleans()):  # markup inside an attribute value
        nested = draw(inner).replace('"', "")
        parts += [" ", f'title="{nested}"']
    parts.append(draw(st.sampled_from([">", "/>", " >", "/ >", ""])))
    return "".join(parts)


NOTHING: st.SearchStrategy[str] = st.nothing()


def markup(extra: st.SearchStrategy[str] = NOTHING) -> st.SearchStrategy[str]:
    """Generated markup: tags, pieces of tags and comments, nested in comments and values."""
    base = st.sampled_from(PIECES) | extra
    return st.recursive(
        base,
        lambda inner: (
            tags(inner)
            | st.lists(inner, max_size=4).map("".join)
            | inner.map(lambda x: f"<!--{x}-->")
            | inner.map(lambda x: f"<!--[if mso]>{x}<![endif]-->")
            | inner.map(lambda x: f"<scr{x}ipt>")
        ),
        max_leaves=12,
    )


@st.composite
def documents(draw: st.DrawFn, extra: st.SearchStrategy[str] = NOTHING) -> str:
    """A whole email: something (or nothing) before the doctype, the <html> tag, the <head>,
    then a head and a body of generated markup."""
    junk = markup(extra)
    parts = [
        draw(st.sampled_from(["", "<!doctype html>"]) | junk),
        draw(st.sampled_from(['<html lang="en">', "<html onload=alert(1)>", ""]) | junk),
        draw(st.sampled_from(["<head>", "<head onload=alert(1)>", ""]) | junk),
        draw(junk),
        draw(st.sampled_from(["</head>", ""])),
        draw(st.sampled_from(["<body>", "<body onload=alert(1)>", "<body/onload=alert(1)>"])),
        draw(junk),
        draw(st.sampled_from(["</body></html>", ""])),
    ]
    return "".join(parts)
