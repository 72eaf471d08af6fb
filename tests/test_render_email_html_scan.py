"""The one-pass reading of email HTML (`html_scan`) gives exactly what html.parser gives."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.factories import BBC_SEEDS, make_digest
from support.factories import settings as config

from digest.render.email import render_email
from digest.render.email.html_facts import parse_html_slowly, replay_facts
from digest.render.email.html_quick import parse_html, quick_facts
from digest.render.email.html_scan import scan
from digest.seeds import read_seed

# Markup a hand-edited template or a damaged file may hold: each is read by `scan` the way
# html.parser reads it, or makes `scan` give up so that html.parser reads the page.
SNIPPETS = [
    "<",
    ">",
    '"',
    "'",
    "&",
    "&amp;",
    "&lt;b&gt;",
    "&#x200d;",
    "&nbsp",
    "\n",
    "-->",
    "<!--",
    "<div>",
    "</div>",
    "<div/>",
    "<br>",
    "<br/>",
    "</br>",
    "</td>",
    "<p>",
    "</p >",
    "<h3>",
    "<h1>",
    '<a href="x">',
    "<a href=x>",
    '<a href="javascript:alert(1)">',
    '<img src="y">',
    '<img src="y" alt="">',
    '<img alt="a" alt="b">',
    "<!-- c -->",
    "<!--->",
    "<!-- a -- b -->",
    '<!--[if mso]><table role="presentation"><tr><![endif]-->',
    "<!--[if mso]><table><![endif]-->",
    '<!--[if mso]><v:roundrect href="https://e.org/?a=1&amp;b=2"><![endif]-->',
    '<!--[if mso]><v:roundrect href=" javascript:alert(1)"><![endif]-->',
    '<!--[if mso]><v:rect href="x" href="y"><![endif]-->',
    '<!--[if mso]><a onclick="go()" href="https://e.org/"><![endif]-->',
    "<!--[if mso]><script><![endif]-->",
    "<script>x()</script>",
    "<style>a{}</style>",
    "<STYLE>",
    "</style>",
    "<title>t</title>",
    ' onclick="go()"',
    ' style="background:url(javascript:x)"',
    ' a="1" a="2"',
    " lang=en",
    '<table role="presentation">',
    "<table>",
    "<!doctype html>",
    "<!DOCTYPE html>",
    "<?xml?>",
    "<![CDATA[x]]>",
    '<meta http-equiv="refresh" content="0;url=javascript:x">',
    "\u00a0",
    "é",
    "<td nowrap>",
    "<input disabled/>",
    "<a\thref='q'>",
    '<x-y z="w">',
    "</ a>",
    "<html>",
    # Upper-case names: html.parser lower-cases start and end tags alike.
    "<DIV>",
    "</DIV>",
    "</P>",
    "<A HREF='https://e.org/'>",
    "</A>",
    "</TD >",
    # Comments with dashes: a single one anywhere is text of the comment, two end it.
    "<!-- a - b -->",
    "<!--a-->",
    "<!---a-->",
    "<!--a--->",
    "<!---->",
    "<!-- - -->",
    "<!--[if mso]>-<![endif]-->",
]


def _same(html: str) -> bool:
    """Whether both readers give the same facts, or fail alike (html.parser raises on some)."""
    found = []
    for read in (parse_html, parse_html_slowly):
        try:
            found.append(read(html))
        except Exception as exc:  # the check reports it as "could not check"
            found.append(f"{type(exc).__name__}: {exc}")
    return found[0] == found[1] and _quick_agrees(html)


def _quick_agrees(html: str) -> bool:
    """Whether the quick reading answers exactly for the clean pages `scan` reads, with the
    full facts, and gives up on every other page."""
    tokens = scan(html)
    quick = quick_facts(html)
    if tokens is None:
        return quick is None
    full = replay_facts(html, tokens)
    clean = not (full.errors or full.unquoted or full.images_without_alt or full.active)
    return (quick is not None) == clean and quick in (None, full)


@cache
def _email(stories: int) -> str:
    seeds = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:stories]]
    html = render_email(make_digest(seeds, channels=("email",)), config())[0].content
    return html.decode()


@pytest.mark.parametrize("stories", [1, 3, 30])
def test_the_compiled_emails_are_read_in_one_pass_with_the_same_facts(stories: int) -> None:
    html = _email(stories)
    tokens = scan(html)
    assert tokens is not None  # MJML's own markup never needs html.parser
    assert quick_facts(html) is not None  # nor the full replay of its rules
    assert parse_html(html) == parse_html_slowly(html)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(SNIPPETS)), min_size=1, max_size=6))
def test_edited_html_gives_the_same_facts_both_ways(edits: list[tuple[float, str]]) -> None:
    html = _email(1)
    for where, snippet in edits:
        at = int(where * len(html))
        html = html[:at] + snippet + html[at:]
    assert _same(html)


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_each_snippet_alone_gives_the_same_facts_both_ways(snippet: str) -> None:
    html = _email(1)
    body = html.index("<body")
    for at in (body, html.index(">", body) + 1, html.index("</body>"), len(html)):
        edited = html[:at] + snippet + html[at:]
        assert _same(edited), (snippet, at)


def test_the_header_block_reads_back_with_the_headers_of_the_whole_message() -> None:
    import email
    import email.policy

    from digest.render.email.readback import header_block

    seeds = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:3]]
    raw = render_email(make_digest(seeds, channels=("email",)), config())[2].content
    head = header_block(raw)
    assert len(head) < len(raw) // 4
    for policy in (email.policy.default, email.policy.compat32):
        whole, part = (email.message_from_bytes(m, policy=policy) for m in (raw, head))
        assert list(whole.items()) == list(part.items())
    for odd in (raw.replace(b"\r\n", b"\n", 1), raw.replace(b"\r\n", b"\r", 2), b"A: b\r\n"):
        assert header_block(odd) == odd
