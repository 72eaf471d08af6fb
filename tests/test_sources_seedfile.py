"""Feed items as seed files: HTML as plain paragraphs, and every written seed read back by
digest.seeds as exactly the story meant, however hostile the feed's text."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config.sources import Source
from digest.seeds import read_seed, slugify
from digest.sources.feed import FeedItem
from digest.sources.seedfile import (
    MAX_STEM,
    html_to_paragraphs,
    html_to_text,
    one_line,
    seed_name,
    seed_parts,
    seed_text,
    text_to_paragraphs,
    write_seed,
)


def item(**fields: object) -> FeedItem:
    values: dict[str, object] = {
        "guid": "g-1",
        "link": "https://news.example.org/2026/11/27/story",
        "title": "Ferry terminal reopens",
        "html": "",
        "text": "",
        "date": datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
        "author": "Priya Natarajan",
        "tags": ("Transport",),
        "image": None,
        "image_alt": None,
    }
    values.update(fields)
    return FeedItem(**values)  # type: ignore[arg-type]


def source(**fields: object) -> Source:
    return Source.model_validate(
        {"name": "city-news", "url": "https://news.example.org/feed", **fields}
    )


def written(tmp_path: Path, text: str, name: str = "city-news-story.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_seed(path)


# --- html_to_paragraphs ---------------------------------------------------------------------

HTML_CASES = [
    ("<p>One</p><p>Two</p>", ["One", "Two"]),
    ("Line<br>break<br/>again", ["Line", "break", "again"]),
    ('<p>See <a href="https://x.example/r">the report</a>.</p>', ["See the report."]),
    ('<a href="javascript:alert(1)">click</a> here', ["click here"]),
    ("<script>alert('x')</script><p>Hi</p>", ["Hi"]),
    ("<style>p { color: red }</style>Text", ["Text"]),
    ("<script>document.write('</p>oops')</script>after", ["after"]),
    ("<p>kept</p><script>never closed", ["kept"]),
    ("<noscript><img src=x></noscript>ok", ["ok"]),
    ("<svg><text>drawn</text></svg>after", ["after"]),
    ("<iframe src='https://evil.example'>inside</iframe>out", ["out"]),
    ("&amp; &lt;b&gt; &#8217; &eacute; &#x1F600;", ["& <b> ’ é 😀"]),
    ("<ul><li>a</li><li>b</li></ul>", ["a", "b"]),
    ("<table><tr><td>cell 1</td><td>cell 2</td></tr></table>", ["cell 1", "cell 2"]),
    ("<h2>Head</h2>Body", ["Head", "Body"]),
    ("<!-- a comment --><p>x</p>", ["x"]),
    ("<![CDATA[raw]]><p>y</p>", ["y"]),
    ('<img src="a.jpg" alt="a photo"><p>z</p>', ["z"]),
    ("<p>a<p>b", ["a", "b"]),
    ("<div><p>nested</p> tail</div>", ["nested", "tail"]),
    ("<b>bold</b> and <i>italic</i>", ["bold and italic"]),
    ("<p>  spaced \n\t text </p>", ["spaced text"]),
    ("x < y and y > z", ["x < y and y > z"]),
    ("plain text", ["plain text"]),
    ("", []),
    ("<p></p><p> </p>", []),
    ("<p>\u202eevil\x07 bell\x00</p>", ["evil bell"]),
    ("<P CLASS=x>Upper</P>", ["Upper"]),
]


@pytest.mark.parametrize(("html", "expected"), HTML_CASES)
def test_html_becomes_plain_paragraphs(html: str, expected: list[str]) -> None:
    assert html_to_paragraphs(html) == expected


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé0123456789", min_size=1, max_size=8)
KEPT_TAGS = ["p", "div", "a", "b", "i", "span", "li", "ul", "h1", "blockquote", "em", "strong"]
DROPPED_TAGS = ["script", "style", "noscript", "template"]


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[str]]:
    """(an HTML fragment, the words of its text that must survive)."""
    parts, words = [], []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "tag", "drop", "void"] if depth < 3 else ["text"]))
        if kind == "text":
            word = draw(WORD)
            parts.append(f" {word} ")
            words.append(word)
        elif kind == "void":
            parts.append(draw(st.sampled_from(["<br>", "<hr/>", '<img src="x.png" alt="no">'])))
        elif kind == "drop":
            tag = draw(st.sampled_from(DROPPED_TAGS))
            parts.append(f"<{tag}>{draw(WORD)} &lt;p&gt;</{tag}>")
        else:
            tag = draw(st.sampled_from(KEPT_TAGS))
            inner, inner_words = draw(fragments(depth + 1))
            attrs = draw(st.sampled_from(["", ' class="c"', ' href="https://x.example/?a=1&b=2"']))
            parts.append(f"<{tag}{attrs}>{inner}</{tag}>")
            words += inner_words
    return "".join(parts), words


@given(fragments())
def test_no_markup_survives_and_every_word_of_text_does(case: tuple[str, list[str]]) -> None:
    html, words = case
    paragraphs = html_to_paragraphs(html)
    joined = " ".join(paragraphs)
    assert "<" not in joined and ">" not in joined and "&" not in joined
    assert joined.split() == words
    assert all(p == p.strip() and p and "\n" not in p for p in paragraphs)


def test_html_in_a_title_is_text_without_its_markup() -> None:
    title = "<b>Budget</b> passed<script>alert(1)</script> &amp; signed"
    assert html_to_text(title) == "Budget passed & signed"


def test_plain_text_keeps_its_lines_as_paragraphs() -> None:
    text = "First line.\r\n\r\nSecond\u2028line\x85three.\n  \n\tlast\x00 one "
    assert text_to_paragraphs(text) == ["First line.", "Second", "line", "three.", "last one"]


# --- seed_text read back -------------------------------------------------------------------


def test_a_seed_reads_back_with_its_front_matter(tmp_path: Path) -> None:
    news = item(image="https://news.example.org/img/a.jpg", image_alt="The terminal")
    story = written(
        tmp_path,
        seed_text(
            news, source(tags=["council"], priority=3, language="en-GB"), "Para one.\nPara two."
        ),
    )
    assert story.title == "Ferry terminal reopens"
    assert story.url == "https://news.example.org/2026/11/27/story"
    assert story.date == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert story.author == "Priya Natarajan"
    assert story.tags == ("council", "Transport")
    assert story.priority == 3
    assert story.language == "en-GB"
    assert (story.image, story.image_alt) == ("https://news.example.org/img/a.jpg", "The terminal")
    assert [p for a in story.articles for p in a.paragraphs] == ["Para one.", "Para two."]


def test_source_and_guid_are_front_matter_keys_the_reader_takes(tmp_path: Path) -> None:
    text = seed_text(item(guid='x"\n+++\nurl = "https://evil.example"'), source(), "Body.")
    story = written(tmp_path, text)
    assert '\nsource = "city-news"\n' in text
    assert '\nguid = "x\\" +++ url = \\"https://evil.example\\""\n' in text
    assert story.url == "https://news.example.org/2026/11/27/story"
    assert story.source.endswith(".txt")  # the story's source is still its file


HOSTILE = [
    "+++",
    '+++\nurl = "https://evil.example/"\n+++',
    'x"\nurl = "https://evil.example/"',
    "**Primary Article:**",
    "**Bold headline**",
    "# Heading",
    "*starred*",
    '"A quoted line"',
    "“Curly quoted”",
    "\u202egnp.exe\u202c title",
    "bell\x07 and nul\x00 and del\x7f and c1\x85",
    "lone \ud800 surrogate",
    "line\rbreak\u2028sep\u2029para\x0bvt\x0cff",
    "tab\tand  spaces",
    "<script>alert(1)</script>",
    "word " * 20_000,
    "",
    "   ",
    "[table]\nkey = 1",
    '"""triple"""',
    "\\ backslash \\u0000",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_anywhere_reads_back_as_written(tmp_path: Path, hostile: str) -> None:
    news = item(
        title=hostile,
        author=hostile or None,
        guid=hostile or None,
        image_alt=hostile,
        tags=(hostile,),
        image="https://news.example.org/i.png",
    )
    body = "\n".join([hostile, "a plain paragraph", hostile])
    title, paragraphs = seed_parts(news, source(), body)
    story = written(tmp_path, seed_text(news, source(), body))
    assert story.title == title and title
    assert [p for a in story.articles for p in a.paragraphs] == paragraphs
    assert len(story.articles) == 1 and story.tagline is None
    assert story.url == news.link and story.image == news.image
    assert story.author == (one_line(hostile, 200) or None)
    assert story.image_alt == (one_line(hostile, 300) or None)


PRINTABLE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
ANY_TEXT = st.text(max_size=300)  # surrogates, controls, bidi and all


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=ANY_TEXT, body=ANY_TEXT, author=ANY_TEXT, guid=ANY_TEXT, alt=ANY_TEXT, tag=PRINTABLE)
def test_any_text_reads_back_as_the_parts_meant(
    tmp_path: Path, title: str, body: str, author: str, guid: str, alt: str, tag: str
) -> None:
    news = item(
        title=title,
        author=author,
        guid=guid,
        image_alt=alt,
        tags=(tag,),
        image="https://news.example.org/i.png",
    )
    expected_title, paragraphs = seed_parts(news, source(), body)
    story = written(tmp_path, seed_text(news, source(), body))
    assert story.title == expected_title
    assert [p for a in story.articles for p in a.paragraphs] == paragraphs
    assert story.url == news.link
    assert story.tagline is None
    for text in (story.title, *paragraphs, story.author or "", story.image_alt or "", *story.tags):
        assert "\n" not in text and not any(c in text for c in "\x00\u202e\x1b")


def test_a_very_long_body_stays_within_the_seed_cap(tmp_path: Path) -> None:
    body = "\n".join(["A sentence of some length, repeated for a long article."] * 50_000)
    text = seed_text(item(), source(), body)
    assert len(text.encode()) < 600_000
    assert written(tmp_path, text).articles[0].paragraphs


LINKS = [
    ("http://127.0.0.1/x", None),
    ("http://169.254.169.254/latest/meta-data", None),
    ("http://localhost/admin", None),
    ("javascript:alert(1)", None),
    ("ftp://files.example.org/a", None),
    ("/relative/path", None),
    ("https://xn--bcher-kva.example/a b", "https://xn--bcher-kva.example/a%20b"),
    (
        "https://Bücher.example/ข่าว",
        "https://xn--bcher-kva.example/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7",
    ),
    ("https://example.org/" + "a" * 2100, None),
]


@pytest.mark.parametrize(("link", "url"), LINKS)
def test_only_links_the_seed_reader_takes_are_written(
    tmp_path: Path, link: str, url: str | None
) -> None:
    story = written(tmp_path, seed_text(item(link=link, image=link), source(), "Body."))
    assert story.url == url and story.image == url


@pytest.mark.parametrize(
    ("when", "written_as"),
    [
        (
            datetime(2026, 11, 27, 15, 0, 30, 123456, tzinfo=UTC),
            datetime(2026, 11, 27, 15, 0, 30, tzinfo=UTC),
        ),
        (datetime(1, 1, 1, tzinfo=UTC), None),
        (None, None),
    ],
)
def test_dates_are_utc_instants_or_left_out(
    tmp_path: Path, when: datetime | None, written_as: datetime | None
) -> None:
    assert written(tmp_path, seed_text(item(date=when), source(), "Body.")).date == written_as


def test_an_item_without_title_or_text_still_makes_a_seed(tmp_path: Path) -> None:
    story = written(
        tmp_path, seed_text(item(title=""), source(), "The first paragraph says it all.")
    )
    assert story.title == "The first paragraph says it all."
    bare = written(tmp_path, seed_text(item(title="", link=None), source(), ""), "b.txt")
    assert bare.title == "city-news" and bare.articles[0].paragraphs == ("city-news",)


# --- names and writing ---------------------------------------------------------------------

NAMES = [
    (
        "Ferry terminal reopens after £12m refit",
        "city-news-ferry-terminal-reopens-after-12m-refit.txt",
    ),
    ("Café déjà vu", "city-news-cafe-deja-vu.txt"),
    ("***", None),
    ("市议会通过预算", None),
    ("x" * 500, None),
]


@pytest.mark.parametrize(("title", "expected"), NAMES)
def test_names_are_bounded_ascii_slugs(title: str, expected: str | None) -> None:
    name = seed_name("city-news", title, "guid:city-news:1", set())
    stem = name.removesuffix(".txt")
    assert name.startswith("city-news-") and len(stem) <= MAX_STEM and slugify(stem) == stem
    if expected is not None:
        assert name == expected


def test_a_taken_name_gets_a_short_hash() -> None:
    first = seed_name("city-news", "Budget", "k1", set())
    second = seed_name("city-news", "Budget", "k2", {first})
    third = seed_name("city-news", "Budget", "k2", {first, second})
    assert first == "city-news-budget.txt"
    assert second.startswith("city-news-budget-") and len(second) == len(first) + 9
    assert len({first, second, third}) == 3


def test_a_seed_is_written_whole_readable_by_all_and_never_over_another(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        path = write_seed(tmp_path, "city-news-a.txt", "text\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(FileExistsError):
        write_seed(tmp_path, "city-news-a.txt", "other\n")
    assert path.read_text() == "text\n"
    assert sorted(os.listdir(tmp_path)) == ["city-news-a.txt"]  # no temporary left
