"""The compiled email in headless Chromium: 600 px and 375 px wide, light and dark, and with
images blocked (Outlook's default).

No horizontal scroll on a phone, body text at 4.5:1 contrast or better in both schemes, every
headline visible, the logo visible on dark backgrounds; with images off every follow link still
reads its platform's name and the brand name shows once. Screenshots go to test-artifacts/
(email-375-light.png, email-375-dark.png, email-375-images-off.png...).
Chromium is Debian's (`apt-get install chromium`); .ci/run installs it and sets
DIGEST_REQUIRE_BROWSER=1 so that a missing browser fails there instead of skipping.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from support.browser import launched
from support.email import five_stories
from support.factories import ROOT, settings

from digest.config.values import contrast
from digest.render.email import render_html

ARTIFACTS = ROOT / "test-artifacts"
LOGO_INK = (0x1B, 0x2A, 0x4A)  # a dark navy logo on a transparent background: the hard case
DIGEST = five_stories()
HTML = render_html(DIGEST, settings())


def png(width: int, height: int, ink: tuple[int, int, int], shape: str) -> bytes:
    """A small RGBA PNG: `ink` letters on transparency (logo), a round glyph (icon), or a photo."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if shape == "logo":
                on = 10 < y < height - 10 and (x // 14) % 2 == 0 and 6 < x < width - 6
            elif shape == "icon":
                on = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (width / 3) ** 2
            else:
                on = True
            row += bytes([*ink, 255]) if on else bytes([0, 0, 0, 0])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


IMAGES = {
    "logo.png": png(240, 64, LOGO_INK, "logo"),
    "story.jpg": png(120, 60, (90, 110, 130), "photo"),
    "icon": png(56, 56, (255, 255, 255), "icon"),
}

# For every visible element with its own text: its colour, and the first opaque background
# behind it (its own or an ancestor's).
CONTRAST_JS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const opaque = (c) => { const v = rgb(c); return v.length >= 3 && (v.length < 4 || v[3] > 0); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (opaque(c)) return rgb(c).slice(0, 3);
    }
    return null;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    out.push({text: el.textContent.trim().slice(0, 60), tag: el.tagName,
              color: rgb(getComputedStyle(el).color).slice(0, 3), background: background(el)});
  }
  return out;
}
"""


def hexa(rgb: list[int] | tuple[int, ...]) -> str:
    return "#" + "".join(f"{round(v):02x}" for v in rgb[:3])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def _serve(route: Any) -> None:
    url = route.request.url
    name = url.rsplit("/", 1)[-1]
    body = IMAGES.get(name) or (IMAGES["icon"] if "/social/" in url else None)
    if body is None:
        route.abort()
    else:
        route.fulfill(status=200, content_type="image/png", body=body)


@pytest.fixture(
    scope="module",
    params=[(600, "light"), (600, "dark"), (375, "light"), (375, "dark")],
    ids=lambda p: f"{p[0]}px-{p[1]}",
)
def view(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[Any, int, str]]:
    """The email open in a page of that width and colour scheme, its screenshot saved."""
    width, scheme = request.param
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.route("**/*", _serve)
    page.set_content(HTML, wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"email-{width}-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    yield page, width, scheme
    page.close()


def test_no_horizontal_scroll(view: tuple[Any, int, str]) -> None:
    page, width, _ = view
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the email is {scroll} px wide in a {width} px window"


def test_every_image_loaded_and_has_alt(view: tuple[Any, int, str]) -> None:
    page, _, _ = view
    images = page.evaluate(
        "[...document.images].map(i => ({src: i.src, alt: i.alt, loaded: i.naturalWidth > 0}))"
    )
    assert len(images) == 1 + 1 + 5  # logo, one story image, five follow icons
    assert all(i["loaded"] and i["alt"] is not None for i in images), images
    alts = [i["alt"] for i in images]
    # The logo's alt is empty (the brand name follows it); the story image and icons say theirs.
    assert alts == ["", "A trading floor", "X", "Bluesky", "Mastodon", "LinkedIn", "Threads"]


def test_body_text_contrast_is_at_least_4_5(view: tuple[Any, int, str]) -> None:
    page, _, scheme = view
    texts = page.evaluate(CONTRAST_JS)
    assert len(texts) > 20
    low = [
        (t["text"], hexa(t["color"]), hexa(t["background"]), round(ratio, 2))
        for t in texts
        if (ratio := contrast(hexa(t["color"]), hexa(t["background"] or [255, 255, 255]))) < 4.5
    ]
    assert not low, f"{scheme}: text under 4.5:1: {low}"
    headline = next(t for t in texts if t["tag"] == "H1")
    expected = settings().brand.dark.card_color if scheme == "dark" else settings().brand.card_color
    assert hexa(headline["background"]) == expected  # the scheme really was applied


def test_every_story_headline_is_visible(view: tuple[Any, int, str]) -> None:
    page, width, _ = view
    for entry in DIGEST.entries:
        heading = page.get_by_role("heading", name=entry.summary.headline, exact=True)
        assert heading.is_visible(), entry.summary.headline
        box = heading.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, entry.summary.headline


def test_the_logo_stands_out_from_what_is_behind_it(view: tuple[Any, int, str]) -> None:
    page, _, _ = view
    behind = page.evaluate(
        """() => {
          const logo = [...document.images].find(i => i.src.endsWith('/logo.png'));
          for (let e = logo; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            const v = c.match(/\\d+/g).map(Number);
            if (v.length < 4 || v[3] > 0) return v.slice(0, 3);
          }
          return [255, 255, 255];
        }"""
    )
    # WCAG asks 3:1 of graphics; a dark logo on the dark card would be about 1.3:1.
    assert contrast(hexa(LOGO_INK), hexa(behind)) >= 3


def test_the_probes_catch_unreadable_text_and_overflow(browser: Any) -> None:
    """A control: dark text on the dark card, and a wide table, are both seen."""
    base = settings()
    dark = base.brand.dark.model_copy(update={"text_color": "#3a3a3a"})
    bad = base.model_copy(update={"brand": base.brand.model_copy(update={"dark": dark})})
    html = render_html(DIGEST, bad).replace(
        "</body>", '<table role="presentation" width="700"><tr><td>wide</td></tr></table></body>'
    )
    page = browser.new_page(viewport={"width": 375, "height": 900}, color_scheme="dark")
    page.route("**/*", _serve)
    page.set_content(html, wait_until="load")
    texts = page.evaluate(CONTRAST_JS)
    low = [t for t in texts if contrast(hexa(t["color"]), hexa(t["background"])) < 4.5]
    assert {t["tag"] for t in low} >= {"H1", "LI"}
    assert page.evaluate("document.documentElement.scrollWidth") > 375
    page.close()


FOLLOW_LABELS = ("X", "Bluesky", "Mastodon", "LinkedIn", "Threads")


@pytest.fixture(scope="module")
def images_off(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The email at 375 px with every image request refused, as Outlook opens it by default."""
    page = browser.new_page(viewport={"width": 375, "height": 900}, color_scheme="light")
    page.route("**/*", lambda route: route.abort())
    page.set_content(HTML, wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    for folder in (ARTIFACTS, tmp_path_factory.mktemp("screenshots")):
        shot = folder / "email-375-images-off.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
    yield page
    page.close()


def test_images_off_really_blocks_every_image(images_off: Any) -> None:
    loaded = images_off.evaluate("[...document.images].filter(i => i.naturalWidth > 0).length")
    assert images_off.evaluate("document.images.length") == 7 and loaded == 0


def test_images_off_every_follow_link_shows_its_platforms_name(images_off: Any) -> None:
    row = images_off.locator("td", has_text="Follow The Morning Digest").last
    for label in FOLLOW_LABELS:
        text = images_off.get_by_role("link", name=label, exact=True).filter(has_text=label)
        assert text.count() == 1, label
        box = text.bounding_box()
        assert text.is_visible() and box and box["width"] > 4 and box["x"] + box["width"] <= 375
    assert row.count() >= 1


def test_images_off_the_brand_name_shows_once_in_the_header(images_off: Any) -> None:
    header = images_off.locator(".dm-card").first.inner_text()
    assert header.count("The Morning Digest") == 1, header
    assert images_off.get_by_role("img", name="The Morning Digest").count() == 0


def test_images_off_nothing_overflows_a_phone(images_off: Any) -> None:
    scroll = images_off.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 375, f"the email is {scroll} px wide in a 375 px window"


def test_the_outlook_button_is_as_wide_as_the_html_button(browser: Any) -> None:
    """The VML shape has a fixed size: it holds the label as the HTML button does, not less."""
    page = browser.new_page(viewport={"width": 600, "height": 900})
    page.set_content(HTML)
    button = page.get_by_role("link", name="Read more", exact=True).first.bounding_box()
    page.close()
    shape = re.search(r"<v:roundrect[^>]*height:(\d+)px;[^>]*width:(\d+)px", HTML)
    assert button and shape
    height, width = (int(n) for n in shape.groups())
    assert button["width"] <= width <= button["width"] + 24
    assert abs(button["height"] - height) <= 2
