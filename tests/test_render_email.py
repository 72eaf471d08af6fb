"""The email stage: MJML and text by golden file, HTML by property, links, hostile seed text."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from support.email import (
    LEAD_URL,
    files,
    five_stories,
    three_stories,
    with_story,
    with_summary,
)
from support.esp import PRESETS, WEB_LINK, esp
from support.factories import example_story, make_digest, settings

from digest.config import Settings
from digest.errors import RenderError
from digest.models import Digest, Entry
from digest.render.email import render_email, render_html, render_mjml, render_text
from digest.render.email.links import safe_url, with_utm

Golden = Callable[[str, str], None]
HOSTILE = "<script>alert(1)</script> {{ 7*7 }} \"quoted\" 'single' & more"
BIDI = "\u202e\u2066\u202a\u202d\u2069\u202c"
URL_LINE = re.compile(r"(?:https?://|mailto:)\S+")


class Page(HTMLParser):
    """Collects what the tests need from an HTML document."""

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

    def images(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == "img"]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def brand(**changes: object) -> Settings:
    base = settings()
    return base.model_copy(update={"brand": base.brand.model_copy(update=changes)})


def hostile_digest() -> Digest:
    digest = with_story(
        make_digest(),
        url="javascript:alert(1)",
        title=HOSTILE,
        image="https://example.org/a.png",
        image_alt=f'{HOSTILE}" onerror="alert(1)',
    )
    return with_summary(
        digest, headline=HOSTILE, tagline=f"{HOSTILE} {BIDI}", bullets=(HOSTILE, f"a{BIDI}b")
    )


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


@pytest.mark.parametrize(
    "digest", [make_digest(), three_stories(), five_stories()], ids=["one", "three", "five"]
)
def test_html_properties(digest: Digest) -> None:
    html = render_html(digest, settings())
    page = parse(html)
    assert len(html.encode()) < 100_000
    assert html.startswith('<!doctype html><html lang="en"')
    assert all(tag != "script" for tag, _ in page.tags)
    assert page.images(), "the header logo is missing"
    assert all(attrs.get("alt") is not None for attrs in page.images())
    assert all(a.get("role") == "presentation" for tag, a in page.tags if tag == "table"), (
        "layout tables must be role=presentation"
    )
    text = "".join(page.text)
    for entry in digest.entries:
        assert entry.summary.headline in text
    assert "https://example.org/unsubscribe" in page.hrefs()
    assert "https://example.org/preferences" in page.hrefs()
    assert settings().brand.postal_address in text


def test_html_has_the_lead_as_h1_and_the_others_as_h2() -> None:
    page = parse(render_html(five_stories(), settings()))
    assert [tag for tag, _ in page.tags if re.fullmatch(r"h\d", tag)] == ["h1", *["h2"] * 4]


def test_every_story_up_to_max_stories_is_in_the_email() -> None:
    html = render_html(five_stories(), settings())
    for entry in five_stories().entries:
        assert entry.summary.tagline in html.replace("&#39;", "'").replace("&#34;", '"')


def test_a_story_image_has_its_alt_text_and_links_to_the_story() -> None:
    page = parse(render_html(five_stories(), settings()))
    image = next(a for a in page.images() if a.get("src") == "https://example.org/img/story.jpg")
    assert image["alt"] == "A trading floor"


def _image_link(html: str, src: str) -> str | None:
    """The href of the link around the image `src`, or None when it is not linked."""
    at = html.index(f'src="{src}"')
    before = html[:at]
    opened, closed = before.rfind("<a "), before.rfind("</a>")
    if opened < closed or opened < before.rfind("<td"):
        return None
    href = re.search(r'href="([^"]*)"', before[opened:])
    return href.group(1).replace("&amp;", "&") if href else None


@pytest.mark.parametrize("lead", [True, False], ids=["lead", "other"])
@pytest.mark.parametrize(
    ("image_alt", "alt", "linked"),
    [("A trading floor", "A trading floor", True), (None, "", False), ("", "", False)],
)
def test_a_story_image_without_image_alt_is_decorative_and_unlinked(
    lead: bool, image_alt: str | None, alt: str, linked: bool
) -> None:
    """No image_alt: alt="" (the headline below says what the story is, as an <h1>/<h2>), and no
    link around it, for a link whose only content is an empty-alt image would have no name."""
    digest = five_stories()
    entries = list(digest.entries)
    at = 0 if lead else 2
    story = entries[at].story.model_copy(
        update={"image": "https://example.org/img/x.jpg", "image_alt": image_alt}
    )
    entries[at] = Entry(story=story, summary=entries[at].summary)
    html = render_html(digest.model_copy(update={"entries": tuple(entries)}), settings())
    image = next(a for a in parse(html).images() if a.get("src") == "https://example.org/img/x.jpg")
    assert image["alt"] == alt
    expected = with_utm(story.url or "", settings().email.utm, "morning") if linked else None
    assert _image_link(html, "https://example.org/img/x.jpg") == expected


def _preheader(html: str) -> tuple[str, str]:
    """The style and the text of the preheader <div>; it must be the first thing in the body
    (inside MRML's wrapper, the <div role="article">)."""
    body = html[html.index("<body") :]
    start = body.index('<div class="preheader"')
    assert re.fullmatch(r'<body[^>]*><div[^>]*role="article"[^>]*>', body[:start])
    found = re.match(r'<div class="preheader" style="([^"]*)">([^<]*)</div>', body[start:])
    assert found, body[start : start + 400]
    return found[1], found[2]


def test_preheader_is_the_lead_tagline_then_padding() -> None:
    digest = make_digest()
    _, text = _preheader(render_html(digest, settings()))
    tagline = digest.entries[0].summary.tagline
    assert text.startswith(tagline)
    after = text[len(tagline) :]
    assert after and set(after) <= {"\u034f", "\u00a0"}


def test_preheader_is_hidden_everywhere_and_sets_no_colour() -> None:
    # No colour to compare with the background: MRML's <mj-preview> wrote #ffffff text on the
    # page's #f2f2f2, which SpamAssassin scores (HTML_FONT_LOW_CONTRAST).
    for digest in (make_digest(), three_stories()):
        html = render_html(digest, settings())
        style, _ = _preheader(html)
        rules = dict(item.split(":", 1) for item in style.rstrip(";").split(";"))
        assert rules["display"] == "none" and rules["mso-hide"] == "all"
        assert rules["max-height"] == "0px" and rules["overflow"] == "hidden"
        assert "color" not in rules and "background" not in style
        # The only hidden text of the body: no <mj-preview> <div> besides it.
        assert html[html.index("<body") :].count("display:none") == 1


@pytest.mark.parametrize(
    ("tagline", "written"),
    [
        ('<b>Rates & "cuts"</b>', "&lt;b&gt;Rates &amp; &#34;cuts&#34;&lt;/b&gt;"),
        ("</div><script>x()</script>", "&lt;/div&gt;&lt;script&gt;x()&lt;/script&gt;"),
        ("Café — 日本語", "Café — 日本語"),
    ],
)
def test_preheader_text_is_escaped(tagline: str, written: str) -> None:
    html = render_html(with_summary(make_digest(), tagline=tagline), settings())
    _, text = _preheader(html)
    assert text.startswith(written)


def test_lang_comes_from_the_lead_story() -> None:
    story = example_story().model_copy(update={"language": "pt-BR"})
    assert '<html lang="pt-BR"' in render_html(make_digest([story]), settings())


def test_a_story_in_another_language_is_marked() -> None:
    digest = three_stories()
    second = digest.entries[1]
    story = second.story.model_copy(update={"language": "fr"})
    entries = (digest.entries[0], Entry(story=story, summary=second.summary), digest.entries[2])
    html = render_html(digest.model_copy(update={"entries": entries}), settings())
    assert html.count('lang="fr"') == 1
    assert '<html lang="en"' in html


class _Direction(HTMLParser):
    """The `dir` in force around each h1/h2 and li, as a reader's browser would apply it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        self.stack.append(dict(attrs).get("dir"))
        if tag in ("h1", "h2", "li"):
            self.found.append((tag, next((d for d in reversed(self.stack) if d), None)))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in ("br", "img", "meta", "link", "hr", "input"):
            self.stack.pop()


@pytest.mark.parametrize(
    ("language", "direction"),
    [("ar", "rtl"), ("fa-IR", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("en", None), ("th", None)],
)
def test_a_story_in_a_right_to_left_language_reads_right_to_left(
    language: str, direction: str | None
) -> None:
    digest = three_stories()
    second = digest.entries[1]
    story = second.story.model_copy(update={"language": language})
    entries = (digest.entries[0], Entry(story=story, summary=second.summary), digest.entries[2])
    reader = _Direction()
    reader.feed(render_html(digest.model_copy(update={"entries": entries}), settings()))
    headings = [d for tag, d in reader.found if tag in ("h1", "h2")]
    page = headings[0]  # the email's own ("auto" from MJML's body, never rtl for English)
    assert page != "rtl" and headings == [page, direction or page, page]
    bullets = [d for tag, d in reader.found if tag == "li"]
    counts = [len(e.summary.bullets) for e in entries]
    expected = [page] * counts[0] + [direction or page] * counts[1] + [page] * counts[2]
    assert bullets == expected


def test_a_bad_language_tag_falls_back_to_english() -> None:
    story = example_story().model_copy(update={"language": 'en" onload="x'})
    assert '<html lang="en"' in render_html(make_digest([story]), settings())


def test_a_story_without_bullets_or_url_still_renders() -> None:
    digest = with_story(with_summary(make_digest(), bullets=()), url=None)
    out = files(digest)
    assert b"<ul" not in out["email/digest.html"]
    assert b"Read more" not in out["email/digest.html"]
    assert b"Read more" not in out["email/digest.txt"]


def test_an_empty_digest_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="no stories"):
        render_email(make_digest([]), settings())


def test_mjml_that_does_not_compile_is_a_render_error(tmp_path: object) -> None:
    from digest.render.email import compile_mjml

    with pytest.raises(RenderError, match="MJML did not compile"):
        compile_mjml("<mjml><mj-body><mj-section></mjml>")


def test_mjml_is_loaded_only_to_compile() -> None:
    """Importing the renderer leaves MRML unloaded; the first email compiled loads it."""
    code = "import sys, digest.render, digest.render.email; print('mjml' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr


# Brand: colours, fonts, logo, dark mode, follow row.


def test_brand_colours_and_fonts_come_from_config() -> None:
    config = brand(
        primary_color="#7a1f1f",
        text_color="#202020",
        font_family="Verdana, sans-serif",
        heading_font_family="'Playfair Display', Georgia, serif",
        font_url="https://fonts.example.org/css?family=Playfair+Display&display=swap",
    )
    html = render_html(three_stories(), config)
    assert "background:#7a1f1f" in html  # the read-more button
    assert "color:#202020" in html
    assert "font-family:Verdana, sans-serif" in html
    page = parse(html)
    h1 = next(a for t, a in page.tags if t == "h1")
    assert "font-family:'Playfair Display', Georgia, serif" in (h1["style"] or "")
    links = [a for t, a in page.tags if t == "link"]
    assert [a["href"] for a in links] == [
        "https://fonts.example.org/css?family=Playfair+Display&display=swap"
    ]
    assert "<!--[if !mso]><!--><link" in html  # Outlook would fall back to Times New Roman


def test_no_web_font_is_loaded_unless_configured() -> None:
    html = render_html(make_digest(), settings())
    assert "<link" not in html and "@import" not in html


def test_dark_mode_styles_use_the_configured_dark_colours() -> None:
    html = render_html(make_digest(), settings())
    assert '<meta name="color-scheme" content="light dark"' in html
    assert '<meta name="supported-color-schemes" content="light dark"' in html
    dark = html[html.index("@media (prefers-color-scheme: dark)") :]
    dark = dark[: dark.index("</style>")]
    colours = settings().brand.dark
    for colour in (colours.background_color, colours.card_color, colours.text_color):
        assert colour in dark
    assert "[data-ogsc] .dm-text" in dark  # Outlook.com


def test_the_logo_sits_on_a_plate_that_dark_mode_keeps() -> None:
    config = brand(logo_background="#fafafa", logo_width=160)
    html = render_html(make_digest(), config)
    page = parse(html)
    logo = next(a for a in page.images() if a.get("src") == "https://example.org/static/logo.png")
    assert logo["alt"] == ""  # the brand name follows it as text
    assert logo["width"] == "160"
    plate = html[: html.index('src="https://example.org/static/logo.png"')]
    assert plate[plate.rindex("<td") :].startswith('<td class="dm-plate"')
    assert ".dm-plate { background-color: #fafafa !important; }" in html


@pytest.mark.parametrize("website", ["https://example.org", None])
def test_the_logo_has_an_empty_alt_and_the_brand_name_follows_it_once(website: str | None) -> None:
    """With images off the header reads the brand name once: the logo's alt is empty, and the
    name (linked to the website, if any) is the text after it."""
    html = render_html(make_digest(), brand(website=website))
    page = parse(html)
    logo = next(a for a in page.images() if a.get("src") == "https://example.org/static/logo.png")
    assert logo["alt"] == ""
    assert _image_link(html, "https://example.org/static/logo.png") is None
    header = html[html.index('src="https://example.org/static/logo.png"') :]
    header = header[: header.index("dm-muted")]
    assert header.count("The Morning Digest") == 1
    named = re.search(r'<a href="([^"]*)"[^>]*>The Morning Digest</a>', header)
    assert (named.group(1) if named else None) == website
    assert (website in page.hrefs()) if website else True


@pytest.mark.parametrize("icons", ["https://example.org/static/social/{platform}.png", None])
def test_every_follow_link_reads_its_platforms_name_as_text(icons: str | None) -> None:
    """Images off: each follow link shows the platform's name, whether its icon is the brand's,
    MRML's own (X, LinkedIn) or missing (a text link)."""
    html = render_html(make_digest(), brand(social_icons=icons))
    row = html[html.index("Follow The Morning Digest") :]
    row = row[: row.index("Unsubscribe")]
    links = re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', row)
    labels = {label for _, label in links}
    assert labels == {"X", "Bluesky", "Mastodon", "LinkedIn", "Threads"}
    profile = dict((label, href) for href, label in links)
    assert profile["X"] == "https://x.com/exampledigest"
    assert profile["Bluesky"] == "https://bsky.app/profile/example.org"


def test_follow_row_links_to_profiles_with_noshare_names_and_alt_text() -> None:
    source = render_mjml(make_digest(), settings())
    names = re.findall(r'<mj-social-element name="([^"]+)"', source)
    assert names == [f"{p}-noshare" for p in ("x", "bluesky", "mastodon", "linkedin", "threads")]
    page = parse(render_html(make_digest(), settings()))
    icons = {a["src"]: a["alt"] for a in page.images() if "/static/social/" in (a.get("src") or "")}
    assert icons == {
        f"https://example.org/static/social/{p}.png": label
        for p, label in [
            ("x", "X"),
            ("bluesky", "Bluesky"),
            ("mastodon", "Mastodon"),
            ("linkedin", "LinkedIn"),
            ("threads", "Threads"),
        ]
    }
    hrefs = page.hrefs()
    assert "https://x.com/exampledigest" in hrefs
    assert not [h for h in hrefs if "intent" in h or "share" in h]


def test_without_social_icons_mrml_icons_get_alt_and_the_rest_are_text_links() -> None:
    page = parse(render_html(make_digest(), brand(social_icons=None)))
    mrml = [a for a in page.images() if "mailjet.com" in (a.get("src") or "")]
    assert sorted(a["alt"] or "" for a in mrml) == ["LinkedIn", "X"]
    text = "".join(page.text)
    assert "Bluesky" in text and "Mastodon" in text and "Threads" in text
    assert "https://bsky.app/profile/example.org" in page.hrefs()


def test_disabled_platforms_and_platforms_without_url_are_not_followed() -> None:
    base = settings()
    platforms = base.platforms.model_copy(
        update={
            "x": base.platforms.x.model_copy(update={"enabled": False}),
            "threads": base.platforms.threads.model_copy(update={"url": None}),
        }
    )
    config = base.model_copy(update={"platforms": platforms})
    out = files(make_digest(), config)
    for name in (b"x.com/exampledigest", b"threads.net"):
        assert name not in out["email/digest.html"]
        assert name not in out["email/digest.txt"]
    assert b"bsky.app" in out["email/digest.html"]


def test_no_follow_row_without_profiles() -> None:
    base = settings()
    off = {
        n: getattr(base.platforms, n).model_copy(update={"url": None})
        for n in ("x", "bluesky", "mastodon", "linkedin", "threads")
    }
    config = base.model_copy(update={"platforms": base.platforms.model_copy(update=off)})
    out = files(make_digest(), config)
    assert b"Follow The Morning Digest" not in out["email/digest.html"]
    assert b"Follow The Morning Digest" not in out["email/digest.txt"]


# Outlook's bulletproof button.

_VML = re.compile(r"<!--\[if mso\]>(.*?)<!\[endif\]-->", re.DOTALL)
_NOT_MSO = re.compile(r"<!--\[if !mso\]><!-->(.*?)<!--<!\[endif\]-->", re.DOTALL)


def _buttons(html: str) -> tuple[list[str], list[str]]:
    """The `<!--[if mso]>` parts, and the `<!--[if !mso]><!-->` ones, of the HTML's body."""
    body = html[html.index("<body") :]
    return _VML.findall(body), _NOT_MSO.findall(body)


@pytest.mark.parametrize(
    ("primary", "text_colour", "font"),
    [
        ("#1a5fb4", "#ffffff", "Helvetica, Arial, sans-serif"),
        ("#7a1f00", "#fffbe6", "Verdana, sans-serif"),
    ],
)
def test_the_lead_button_is_a_vml_roundrect_for_outlook_and_html_for_the_rest(
    primary: str, text_colour: str, font: str
) -> None:
    config = brand(primary_color=primary, button_text_color=text_colour, font_family=font)
    html = render_html(three_stories(), config)
    vml, others = _buttons(html)
    assert len(vml) == 1 and len(others) == 1
    shape = Page()
    shape.feed(vml[0])
    tags = dict(shape.tags)
    lead = with_utm(LEAD_URL, config.email.utm, "morning")
    roundrect = tags["v:roundrect"]
    assert roundrect["href"] == lead  # the same link as the HTML button (entities decoded)
    assert roundrect["fillcolor"] == primary
    assert roundrect["stroke"] == "f"
    assert roundrect["arcsize"] == "18%"  # 4 px of half the 44 px height
    assert "height:44px" in (roundrect["style"] or "")
    assert roundrect["xmlns:v"] == "urn:schemas-microsoft-com:vml"
    assert roundrect["xmlns:w"] == "urn:schemas-microsoft-com:office:word"
    assert "w:anchorlock" in tags
    centre = tags["center"]["style"] or ""
    assert f"color:{text_colour}" in centre and f"font-family:{font}" in centre
    assert "".join(shape.text).strip() == "Read more"
    html_button = parse(others[0])
    assert html_button.hrefs() == [lead]
    assert f"background:{primary}" in others[0] and "border-radius:4px" in others[0]
    assert parse(vml[0]).hrefs() == []  # Outlook's link is the shape's own


def test_only_the_lead_with_a_link_gets_a_button() -> None:
    assert _buttons(render_html(five_stories(), settings())) != ([], [])
    bare = with_story(three_stories(), url=None)
    assert _buttons(render_html(bare, settings())) == ([], [])


def test_the_outlook_button_escapes_its_link() -> None:
    url = "https://example.org/a?b=1&c=%22x%22#y"
    html = render_html(with_story(make_digest(), url=url), settings())
    vml = _buttons(html)[0][0]
    assert 'href="https://example.org/a?b=1&amp;c=%22x%22&amp;utm_source=' in vml
    assert '"x"' not in vml


# Plain text.


def test_text_lines_are_wrapped_near_72_columns_except_lone_urls() -> None:
    for digest in (three_stories(), five_stories()):
        for line in render_text(digest, settings()).splitlines():
            assert len(line) <= 72 or URL_LINE.fullmatch(line), line


def test_text_writes_out_every_link_of_the_html() -> None:
    html = render_html(five_stories(), settings())
    text = render_text(five_stories(), settings())
    for href in parse(html).hrefs():
        assert href in URL_LINE.findall(text), href


def test_text_ends_with_address_and_unsubscribe() -> None:
    text = render_text(three_stories(), settings())
    tail = text[text.rindex("Read more") :]
    assert settings().brand.postal_address in tail
    assert tail.rstrip().endswith("Manage preferences: https://example.org/preferences")
    assert "Unsubscribe: https://example.org/unsubscribe\n" in tail


def test_text_has_the_same_stories_and_bullets_as_the_html() -> None:
    digest = five_stories()
    text = " ".join(render_text(digest, settings()).split())
    for entry in digest.entries:
        assert entry.summary.headline in text
        for bullet in entry.summary.bullets:
            assert " ".join(bullet.split()) in text


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
        assert f"Read more: {link}\n" in text or f"Read more:\n{link}\n" in text


def test_only_story_links_carry_utm() -> None:
    hrefs = parse(render_html(three_stories(), settings())).hrefs()
    tagged = [h for h in hrefs if "utm_" in h]
    assert all(
        h.startswith(("https://example.org/news/", "https://www.bbc.co.uk/")) for h in tagged
    )
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
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative",
        "https://",
        "https://e.org/a b",
        "https://e.org/\u202egnp.exe",
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


def test_a_dropped_link_is_a_warning_naming_the_seed(caplog: pytest.LogCaptureFixture) -> None:
    digest = with_story(make_digest(), url="javascript:alert(1)", image="data:image/png,xx")
    with caplog.at_level(logging.WARNING, logger="digest.render.email.links"):
        out = files(digest)
    messages = [r.getMessage() for r in caplog.records]
    assert any(
        "000_5d8e33db419e59d4.txt: url: dropped the link 'javascript:alert(1)'" in m
        for m in messages
    )
    assert any("image: dropped the link 'data:image/png,xx'" in m for m in messages)
    assert b"javascript:" not in out["email/digest.html"]
    assert b"data:image" not in out["email/digest.html"]


def test_a_dropped_link_is_warned_about_once_per_email(caplog: pytest.LogCaptureFixture) -> None:
    digest = with_story(make_digest(), url="javascript:alert(1)")
    with caplog.at_level(logging.WARNING, logger="digest.render.email.links"):
        render_email(digest, settings())
    dropped = [r for r in caplog.records if "dropped the link 'javascript:" in r.getMessage()]
    assert len(dropped) == 1


# Hostile seed text is data.


def test_hostile_text_is_inert_in_html() -> None:
    html = render_html(hostile_digest(), settings())
    page = parse(html)
    assert "<script>" not in html
    assert "javascript:" not in html
    assert all(tag != "script" for tag, _ in page.tags)
    assert not [name for _, a in page.tags for name in a if name.startswith("on")]
    assert HOSTILE in "".join(page.text)  # shown to the reader, as text
    assert "49" not in "".join(page.text)
    story_image = next(a for a in page.images() if a.get("src") == "https://example.org/a.png")
    assert story_image["alt"] == f'{HOSTILE}" onerror="alert(1)'


def test_hostile_text_is_verbatim_in_plain_text() -> None:
    text = render_text(hostile_digest(), settings())
    assert "{{ 7*7 }}" in text
    assert "<script>alert(1)</script>" in text
    assert "49" not in text
    assert "javascript:" not in text
    assert "Read more" not in text


def test_bidi_controls_are_dropped_from_html_and_text() -> None:
    out = files(hostile_digest())
    for path in ("email/digest.html", "email/digest.txt"):
        body = out[path].decode()
        assert not set(body) & set(BIDI), path
        assert "&#8238;" not in body and "&#x202e;" not in body.lower()
    assert "- ab\n" in out["email/digest.txt"].decode()  # invisible: dropped, not a space


def test_hostile_brand_and_platform_text_is_escaped() -> None:
    config = brand(name='Tom & "Jerry" <b>News</b>', footer="<i>hi</i> {{ 7*7 }}")
    html = render_html(make_digest(), config)
    assert "<b>News</b>" not in html and "<i>hi</i>" not in html
    assert "Tom &amp; &#34;Jerry&#34; &lt;b&gt;News&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in "".join(parse(html).text)


def test_seed_text_never_becomes_template_source() -> None:
    digest = with_summary(make_digest(), headline="{% raw %}{{ brand }}{% endraw %}")
    html = render_html(digest, settings())
    assert "{% raw %}{{ brand }}{% endraw %}" in "".join(parse(html).text)
    assert "{% raw %}{{ brand }}{% endraw %}\n" in render_text(digest, settings())


# International links and text: written as ASCII URIs and character references, never `\u{...}`.


def _story_links(out: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """The lead story's links (those with UTM tags) in the HTML and in the text."""
    html = [h for h in parse(out["email/digest.html"].decode()).hrefs() if "utm_source" in h]
    text = [u for u in URL_LINE.findall(out["email/digest.txt"].decode()) if "utm_source" in u]
    return html, text


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        (
            "https://example.org/ข่าว/หน้า",
            "https://example.org/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/%E0%B8%AB%E0%B8%99%E0%B9%89%E0%B8%B2",
        ),
        ("https://bücher.example/ß?q=ü#teil", "https://xn--bcher-kva.example/%C3%9F?q=%C3%BC#teil"),
        ("https://例え.jp/ニュース", "https://xn--r8jz45g.jp/%E3%83%8B%E3%83%A5%E3%83%BC%E3%82%B9"),
        ("https://example.org/a%20b/ü", "https://example.org/a%20b/%C3%BC"),
        ('https://example.org/"quoted"<x>', "https://example.org/%22quoted%22%3Cx%3E"),
    ],
)  # fmt: skip
def test_an_iri_story_link_is_the_same_ascii_uri_in_html_and_text(iri: str, uri: str) -> None:
    out = files(with_story(make_digest(), url=iri, image=iri + ".png"))
    html, text = _story_links(out)
    assert html and set(html) == set(text)
    assert set(html) == {with_utm(uri, settings().email.utm, "morning")}
    assert all(link.isascii() for link in html)
    assert b"\\u{" not in out["email/digest.html"]
    sources = [i["src"] for i in parse(out["email/digest.html"].decode()).images()]
    assert uri + ".png" in sources


@pytest.mark.parametrize(
    "url",
    ["https://exa mple.org/x", "https://a\u3002\u3002b/ข่าว", "https://evil.example\\@good.org/ü"],
)
def test_an_iri_that_cannot_be_encoded_is_dropped_with_a_warning(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="digest.render.email.links"):
        out = files(with_story(make_digest(), url=url))
    assert any("url: dropped the link" in r.getMessage() for r in caplog.records)
    assert _story_links(out) == ([], [])
    assert b"\\u{" not in out["email/digest.html"]


@pytest.mark.parametrize(
    "text",
    [
        "ข่าววันนี้ Thai news",
        "Family 👨\u200d👩\u200d👧 day 🏳\ufe0f\u200d🌈",
        "می\u200cخواهم",
        "क्\u200dष",
        "Café naïve e\u0301",
    ],
)
def test_international_text_in_attributes_reaches_the_html_intact(text: str) -> None:
    # MRML writes such characters in an attribute (alt, title, aria-label) as `\u{e48}`.
    digest = with_story(
        with_summary(make_digest(), headline=text),
        url="https://example.org/a",
        image="https://example.org/i.png",
        image_alt=text,
    )
    html = files(digest)["email/digest.html"].decode()
    assert "\\u{" not in html
    page = parse(html)
    labels = [a.get("aria-label") for _, a in page.tags if a.get("aria-label")]
    assert f"The Morning Digest: {text}" in labels
    assert text in [i.get("alt") for i in page.images()]


@pytest.mark.parametrize("preset", PRESETS)
def test_the_footer_writes_the_merge_tags_as_they_are(preset: str) -> None:
    config = esp(preset)
    files = {f.path: f.content.decode() for f in render_email(three_stories(), config)}
    html, text = files["email/digest.html"], files["email/digest.txt"]
    unsubscribe, preferences = config.email.unsubscribe_url, config.email.preferences_url
    assert f'href="{unsubscribe}"' in html and f'href="{preferences}"' in html
    assert f"Unsubscribe: {unsubscribe}\n" in text
    assert f"Manage preferences: {preferences}\n" in text
    assert "utm_" not in unsubscribe + str(preferences)


def test_the_web_version_is_linked_first_in_both_parts() -> None:
    files = {f.path: f.content.decode() for f in render_email(three_stories(), esp("none"))}
    html, text = files["email/digest.html"], files["email/digest.txt"]
    links = re.findall(r'<a href="([^"]*)"', html)
    assert links[0] == WEB_LINK  # above the header's logo and every story
    assert links.count(WEB_LINK) == 1 and "utm_" not in WEB_LINK
    assert text.startswith(f"View in browser: {WEB_LINK}\n\nThe Morning Digest\n")
    section = html[: html.index(WEB_LINK)]
    assert (
        'class="dm-footer"' in section[section.rindex("<td") :]
    )  # dark mode: the footer's colours
    assert "padding:8px 24px 8px 24px" in section[section.rindex("<td") :]


def test_without_web_url_nothing_is_added() -> None:
    plain = render_mjml(three_stories(), settings())
    assert "View in browser" not in plain
    assert render_mjml(three_stories(), esp("none", web=None)) == plain
