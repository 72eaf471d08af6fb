"""The email stage: MJML and text by golden file, HTML by property, the .eml by parsing."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import BBC_SEEDS, example_story, make_digest, settings

from digest.errors import RenderError
from digest.models import Digest, Entry, Story
from digest.render.email import (
    clean_header,
    render_email,
    render_html,
    render_mjml,
    render_text,
    safe_url,
    with_utm,
)
from digest.seeds import read_seed

Golden = Callable[[str, str], None]
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} \"quoted\" 'single' & more"
LEAD_URL = "https://example.org/news/bukele?ref=home&x=a%20b#top"


class Page(HTMLParser):
    """Collects what the checks need from an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for tag, a in self.tags if tag == "a" and "href" in a]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def three_stories() -> Digest:
    lead = example_story().model_copy(update={"url": LEAD_URL})
    business = read_seed(BBC_SEEDS / "bbc-business-001.txt")
    tech = read_seed(BBC_SEEDS / "bbc-tech-005.txt").model_copy(
        update={"url": "https://www.bbc.co.uk/news/technology"}
    )
    return make_digest([lead, business, tech])


def hostile_digest() -> Digest:
    base = make_digest()
    entry = base.entries[0]
    story = entry.story.model_copy(update={"url": "javascript:alert(1)", "title": HOSTILE})
    summary = entry.summary.model_copy(
        update={"headline": HOSTILE, "tagline": HOSTILE, "bullets": (HOSTILE,)}
    )
    return base.model_copy(update={"entries": (Entry(story=story, summary=summary),)})


def files(digest: Digest) -> dict[str, bytes]:
    return {f.path: f.content for f in render_email(digest, settings())}


def message(digest: Digest) -> EmailMessage:
    parsed = email.message_from_bytes(
        files(digest)["email/digest.eml"], policy=email.policy.default
    )
    assert isinstance(parsed, EmailMessage)
    return parsed


# Golden files: what an editor reads.


def test_mjml_of_the_example_seed(golden: Golden) -> None:
    golden("email/example.mjml", render_mjml(make_digest(), settings()))


def test_text_of_the_example_seed(golden: Golden) -> None:
    golden("email/example.txt", render_text(make_digest(), settings()))


def test_mjml_of_three_stories(golden: Golden) -> None:
    golden("email/three-stories.mjml", render_mjml(three_stories(), settings()))


def test_text_of_three_stories(golden: Golden) -> None:
    golden("email/three-stories.txt", render_text(three_stories(), settings()))


# The files and the HTML, by property.


def test_three_files_with_their_media_types() -> None:
    rendered = render_email(make_digest(), settings())
    assert [(f.path, f.media_type) for f in rendered] == [
        ("email/digest.html", "text/html"),
        ("email/digest.txt", "text/plain"),
        ("email/digest.eml", "message/rfc822"),
    ]
    for f in rendered:
        f.content.decode("utf-8")


@pytest.mark.parametrize("digest", [make_digest(), three_stories()], ids=["one", "three"])
def test_html_properties(digest: Digest) -> None:
    html = render_html(digest, settings())
    page = parse(html)
    assert len(html.encode()) < 100_000
    assert html.startswith('<!doctype html><html lang="en"')
    assert all(tag != "script" for tag, _ in page.tags)
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert images, "the header logo is missing"
    assert all(attrs.get("alt") is not None for attrs in images)
    assert all(a.get("role") == "presentation" for tag, a in page.tags if tag == "table"), (
        "layout tables must be role=presentation"
    )
    text = "".join(page.text)
    for entry in digest.entries:
        assert entry.summary.headline in text
    assert "https://example.org/unsubscribe" in page.hrefs()
    assert "https://example.org/preferences" in page.hrefs()
    assert 'name="color-scheme"' in html
    assert "prefers-color-scheme: dark" in html


def test_html_has_the_lead_as_h1_and_the_others_as_h2() -> None:
    page = parse(render_html(three_stories(), settings()))
    assert [tag for tag, _ in page.tags if tag in ("h1", "h2")] == ["h1", "h2", "h2"]


def test_preheader_is_the_lead_tagline() -> None:
    digest = make_digest()
    html = render_html(digest, settings())
    body = html[html.index("<body") :]
    assert digest.entries[0].summary.tagline in body[: body.index('role="article"')]


def test_lang_comes_from_the_lead_story() -> None:
    story = example_story().model_copy(update={"language": "pt-BR"})
    assert '<html lang="pt-BR"' in render_html(make_digest([story]), settings())


def test_a_story_without_bullets_or_url_still_renders() -> None:
    digest = make_digest()
    entry = digest.entries[0]
    bare = Entry(story=entry.story, summary=entry.summary.model_copy(update={"bullets": ()}))
    digest = digest.model_copy(update={"entries": (bare,)})
    out = files(digest)
    assert b"<ul" not in out["email/digest.html"]
    assert b"Read more" not in out["email/digest.html"]
    assert b"Read more" not in out["email/digest.txt"]


def test_an_empty_digest_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="no stories"):
        render_email(make_digest([]), settings())


# Links.


def test_story_links_carry_utm_and_keep_their_own_parameters() -> None:
    hrefs = parse(render_html(three_stories(), settings())).hrefs()
    story_links = [h for h in hrefs if "utm_source" in h]
    assert len(story_links) == 2
    query = parse_qs(urlsplit(story_links[0]).query)
    assert query == {
        "ref": ["home"],
        "x": ["a b"],
        "utm_source": ["digest"],
        "utm_medium": ["email"],
        "utm_campaign": ["morning"],
    }
    assert story_links[0].endswith("#top")
    text = render_text(three_stories(), settings())
    for link in story_links:
        assert f"Read more: {link}\n" in text


def test_unsubscribe_and_preferences_links_carry_no_utm() -> None:
    hrefs = parse(render_html(three_stories(), settings())).hrefs()
    assert not [h for h in hrefs if "utm_" in h and "example.org/unsubscribe" in h]
    assert not [h for h in hrefs if "utm_" in h and "example.org/preferences" in h]
    text = render_text(three_stories(), settings())
    assert "Unsubscribe: https://example.org/unsubscribe\n" in text


def test_with_utm_replaces_old_utm_values() -> None:
    utm = settings().email.utm
    url = with_utm("https://e.org/a?utm_source=old&id=7", utm, "evening")
    assert url == "https://e.org/a?id=7&utm_source=digest&utm_medium=email&utm_campaign=evening"
    assert with_utm("mailto:a@e.org", utm, "evening") == "mailto:a@e.org"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "/relative",
        "https://",
        "https://e.org/a b",
        "mailto:",
        "",
        None,
    ],
)
def test_safe_url_drops_everything_but_http_https_mailto(url: str | None) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["https://e.org/x?a=1", "http://e.org", "mailto:a@e.org"])
def test_safe_url_keeps_web_and_mail_links(url: str) -> None:
    assert safe_url(url) == url


# Hostile seed text is data.


def test_hostile_text_is_inert_in_html() -> None:
    html = render_html(hostile_digest(), settings())
    page = parse(html)
    assert "<script>" not in html
    assert "javascript:" not in html
    assert all(tag != "script" for tag, _ in page.tags)
    assert HOSTILE in "".join(page.text)  # shown to the reader, as text
    assert "49" not in "".join(page.text)


def test_hostile_text_is_verbatim_in_plain_text() -> None:
    text = render_text(hostile_digest(), settings())
    assert "{{ 7*7 }}" in text
    assert "49" not in text
    assert "javascript:" not in text
    assert "Read more" not in text


def test_hostile_text_is_inert_in_headers() -> None:
    msg = message(hostile_digest())
    assert msg["Subject"] == HOSTILE
    assert "javascript:" not in files(hostile_digest())["email/digest.eml"].decode()


# The .eml.


def test_eml_is_multipart_alternative_text_first() -> None:
    msg = message(three_stories())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    # policy.SMTP writes CRLF line ends; the parsed parts keep them.
    text, html = (p.get_content().replace("\r\n", "\n") for p in parts)
    assert text == render_text(three_stories(), settings())
    assert html == render_html(three_stories(), settings())


def test_eml_headers() -> None:
    msg = message(three_stories())
    assert msg["From"] == "The Morning Digest <digest@example.org>"
    assert msg["To"] == "subscribers@lists.example.org"
    assert msg["Subject"] == "Bukele US Plan on Migrants"
    assert msg["Date"] == "Sat, 28 Nov 2026 08:00:00 +0000"
    assert msg["Message-ID"].endswith("@digest.example.org>")
    assert msg["List-Id"] == "The Morning Digest <digest.example.org>"
    assert msg["List-Unsubscribe"] == (
        "<https://example.org/unsubscribe>, <mailto:unsubscribe@example.org?subject=unsubscribe>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["MIME-Version"] == "1.0"


def test_eml_lines_end_in_crlf() -> None:
    raw = files(make_digest())["email/digest.eml"]
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_message_id_is_stable_per_batch() -> None:
    one = message(make_digest())["Message-ID"]
    assert one == message(three_stories())["Message-ID"]
    other = make_digest().model_copy(
        update={"slot": make_digest().slot.model_copy(update={"schedule": "evening"})}
    )
    assert message(other)["Message-ID"] != one


def test_rendering_twice_gives_identical_bytes() -> None:
    assert files(three_stories()) == files(three_stories())


@pytest.mark.parametrize(
    "headline",
    [
        "Bukele\r\nBcc: victim@example.org",
        "Bukele\nUS\rPlan",
        "\u202eBukele\u202c US \u2066Plan\u2069",
        "Bukele\u200e US\u200f\u061c Plan",
        "Bukele\u2028US\u2029Plan\x00\x1b",
    ],
)
def test_subject_is_one_clean_line(headline: str) -> None:
    base = make_digest()
    entry = base.entries[0]
    summary = entry.summary.model_copy(update={"headline": headline})
    digest = base.model_copy(update={"entries": (Entry(story=entry.story, summary=summary),)})
    msg = message(digest)
    subject = msg["Subject"]
    assert "\r" not in subject and "\n" not in subject
    assert not set(subject) & set("\u202e\u202c\u2066\u2069\u200e\u200f\u061c\u2028\u2029\x00\x1b")
    assert msg["Bcc"] is None
    assert subject == clean_header(headline)
    assert subject.startswith("Bukele")


def test_clean_header_keeps_ordinary_unicode() -> None:
    assert clean_header("  Café 🇸🇻  news\t") == "Café 🇸🇻 news"


def test_a_non_ascii_subject_survives_the_round_trip() -> None:
    story: Story = example_story()
    base = make_digest([story])
    entry = base.entries[0]
    summary = entry.summary.model_copy(update={"headline": "Bukele’s plan: São Paulo – 5 €"})
    digest = base.model_copy(update={"entries": (Entry(story=entry.story, summary=summary),)})
    assert message(digest)["Subject"] == "Bukele’s plan: São Paulo – 5 €"


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("The Morning Digest", b"List-Id: The Morning Digest <digest.example.org>"),
        ('News, "Daily"', b'List-Id: "News, \\"Daily\\"" <digest.example.org>'),
        ("Le Café: Digest", b"List-Id: Le =?utf-8?q?Caf=C3=A9?= Digest <digest.example.org>"),
    ],
)
def test_list_id_phrase_is_well_formed(name: str, raw: bytes) -> None:
    base = settings()
    custom = base.model_copy(update={"brand": base.brand.model_copy(update={"name": name})})
    eml = render_email(make_digest(), custom)[2].content
    assert raw in eml.split(b"\r\n")
