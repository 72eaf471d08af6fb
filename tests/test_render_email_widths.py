"""Every width in the compiled email fits the cell it sits in, as Outlook and browsers read it.

Outlook's Word engine sizes tables and images by their `width` attributes and `width:Npx`
styles, not by CSS max-width: one too wide widens the whole card there. The walk below starts at
the body's width and takes each cell's horizontal padding off for its content, so the expected
width of every element comes from the paddings around it, never from today's output. Outlook's
view keeps what `<!--[if mso]>` comments hold and drops `<!--[if !mso]>` parts; a browser's
view drops every comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from support.email import five_stories, three_stories, with_story
from support.factories import example_story, make_digest, settings

from digest.config import Settings
from digest.models import Digest
from digest.render.email import compile_mjml, render_html, render_mjml

_NOT_MSO = re.compile(r"<!--\[if !mso\]><!-->.*?<!--<!\[endif\]-->", re.DOTALL)
_MSO = re.compile(r"<!--\[if [^\]]*mso[^\]]*\]>(.*?)<!\[endif\]-->", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_STYLE_WIDTH = re.compile(r"(?:^|;)\s*width\s*:\s*([^;]+)")
_MAX_WIDTH = re.compile(r"(?:^|;)\s*max-width\s*:\s*(\d+(?:\.\d+)?)px")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(px)?|0")
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def outlook_view(html: str) -> str:
    """The body as Outlook reads it: what its conditional comments hold, without `!mso` parts."""
    return _MSO.sub(r"\1", _NOT_MSO.sub("", html))


def browser_view(html: str) -> str:
    """The body as every other client reads it: no conditional comment."""
    return _COMMENT.sub("", html)


def _px(value: str) -> float | None:
    """A CSS length in px (a bare 0 included); None for a percentage or `auto`."""
    value = value.strip().removesuffix("!important").strip()
    match = _LENGTH.fullmatch(value)
    if match is None:
        if value.endswith("%") or value == "auto":
            return None
        raise AssertionError(f"a width or padding in a unit the test cannot read: {value!r}")
    return float(match.group(1) or 0)


def horizontal_padding(style: str) -> float:
    """Left plus right padding of an inline style: the shorthand of 1 to 4 values, then the
    longhands that follow it."""
    left = right = 0.0
    for name, value in re.findall(r"(?:^|;)\s*(padding(?:-left|-right)?)\s*:\s*([^;]+)", style):
        if name == "padding-left":
            left = _px(value) or 0.0
        elif name == "padding-right":
            right = _px(value) or 0.0
        else:
            parts = [_px(v) or 0.0 for v in value.split()]
            right = parts[1] if len(parts) > 1 else parts[0]
            left = parts[3] if len(parts) > 3 else right
    return left + right


@dataclass
class Widths(HTMLParser):
    """Walks a body, reporting each declared width with the content width around it."""

    root: float
    found: list[tuple[str, float, float]] = field(default_factory=list)  # (where, width, room)

    def __post_init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, float]] = [("body", self.root)]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        room = self.stack[-1][1]
        style = values.get("style", "")
        inner = room
        declared = [values["width"]] if "width" in values else []
        declared += _STYLE_WIDTH.findall(style)
        for raw in declared:
            width = _px(raw)
            if width is not None:
                where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs if k != 'style')}>"
                self.found.append((where[:160], width, room))
                inner = min(inner, width)
        if (cap := _MAX_WIDTH.search(style)) is not None:
            inner = min(inner, float(cap.group(1)))
        if tag in ("td", "th", "div"):
            inner -= horizontal_padding(style)
        if tag not in VOID:
            self.stack.append((tag, inner))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        names = [name for name, _ in self.stack]
        if tag in names[1:]:
            while self.stack.pop()[0] != tag:
                pass


def widths(body: str, root: float) -> list[tuple[str, float, float]]:
    walker = Widths(root)
    walker.feed(body)
    walker.close()
    return walker.found


def body_of(html: str) -> str:
    return html[html.index("<body") :]


def body_width(source: str) -> float:
    match = re.search(r'<mj-body[^>]*\swidth="(\d+)px"', source)
    assert match, "the theme gives mj-body its width"
    return float(match.group(1))


def fixed_sizes(source: str, config: Settings) -> set[float]:
    """The widths the theme sets itself: the logo, the social icons, the VML button."""
    sizes = {float(config.brand.logo_width)}
    sizes |= {float(n) for n in re.findall(r'icon-size="(\d+)px"', source)}
    sizes |= {float(n) for n in re.findall(r"<v:roundrect[^>]*width:(\d+)px", source)}
    return sizes


def misfits(html: str, source: str, config: Settings) -> list[str]:
    """Every width over its cell, and every width other than the theme's own sizes that does
    not fill its cell, in both views."""
    root, sizes = body_width(source), fixed_sizes(source, config)
    problems = []
    for view, body in (
        ("outlook", outlook_view(body_of(html))),
        ("browser", browser_view(body_of(html))),
    ):
        for where, width, room in widths(body, root):
            if width > room or (width != room and width not in sizes):
                problems.append(f"{view}: {where} is {width:g} px in a {room:g} px cell")
    return problems


def _brand(**changes: object) -> Settings:
    base = settings()
    return base.model_copy(update={"brand": base.brand.model_copy(update=changes)})


WEB_URL = "https://example.org/archive/{date}/{slot}.html"


def _email(**changes: object) -> Settings:
    base = settings()
    return base.model_copy(update={"email": base.email.model_copy(update=changes)})


def _image_without_alt() -> Digest:
    return with_story(make_digest(), image="https://example.org/img/a.jpg", image_alt=None)


def _rtl() -> Digest:
    story = example_story().model_copy(
        update={"language": "ar", "image": "https://example.org/img/b.jpg", "image_alt": "صورة"}
    )
    return make_digest([story, *[e.story for e in five_stories().entries[:3]]])


EMAILS = {
    "example": (make_digest, settings),
    "three-stories": (three_stories, settings),
    "five-stories-with-an-image": (five_stories, settings),
    "lead-image-without-alt": (_image_without_alt, settings),
    "right-to-left": (_rtl, settings),
    "built-in-follow-icons": (five_stories, lambda: _brand(social_icons=None)),
    "widest-logo": (make_digest, lambda: _brand(logo_width=540)),
    "web-version-link": (five_stories, lambda: _email(web_url=WEB_URL)),
}


@pytest.mark.parametrize("name", list(EMAILS))
def test_every_width_fits_the_cell_it_sits_in(name: str) -> None:
    build, configure = EMAILS[name]
    digest, config = build(), configure()
    html, source = render_html(digest, config), render_mjml(digest, config)
    found = widths(outlook_view(body_of(html)), body_width(source))
    assert len(found) > 10, "the walk found the MSO tables and images"
    assert misfits(html, source, config) == []


def test_the_images_and_rules_inside_padded_cells_are_the_cells_content_width() -> None:
    """The case of the issue: a story image and a rule in a 24 px padded cell are 552 wide."""
    digest = five_stories()
    html = render_html(digest, settings())
    assert re.search(r'<img alt="A trading floor"[^>]* width="552"', html)
    rules = re.findall(r"<table[^>]*border-top:solid 1px[^>]*width:(\d+)px", html)
    assert rules and set(rules) == {"552"}


def test_the_walk_catches_a_width_wider_than_its_cell() -> None:
    """A control: the compiled email with one image widened to the body's width fails."""
    config = settings()
    html, source = render_html(five_stories(), config), render_mjml(five_stories(), config)
    wide = html.replace(
        'src="https://example.org/img/story.jpg" width="552"',
        'src="https://example.org/img/story.jpg" width="600"',
    )
    assert wide != html
    assert misfits(wide, source, config) == [
        "outlook: <img alt='A trading floor' height='auto' src='https://example.org/img/story.jpg' "
        "width='600'> is 600 px in a 552 px cell",
        "browser: <img alt='A trading floor' height='auto' src='https://example.org/img/story.jpg' "
        "width='600'> is 600 px in a 552 px cell",
    ]


def test_the_walk_catches_a_width_short_of_its_cell() -> None:
    config = settings()
    html, source = render_html(make_digest(), config), render_mjml(make_digest(), config)
    narrow = html.replace('width="600" style="width:600px;"', 'width="500" style="width:500px;"', 1)
    assert narrow != html
    problems = misfits(narrow, source, config)
    assert (
        problems[:2]
        == [
            "outlook: <table border='0' cellpadding='0' cellspacing='0' role='presentation' "
            "align='center' width='500'> is 500 px in a 600 px cell",
        ]
        * 2
    )  # its attribute and its style
    assert len(problems) > 2  # and the 600 px tables inside it


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("padding:0 24px", 48),
        ("padding:0px 24px 16px", 48),
        ("padding:4px 6px 4px 8px", 14),
        ("padding:6px", 12),
        ("padding:0", 0),
        ("padding:0 24px;padding-left:0px", 24),
        ("color:red", 0),
    ],
)
def test_horizontal_padding_reads_the_shorthand_and_longhands(style: str, expected: float) -> None:
    assert horizontal_padding(style) == expected


@pytest.mark.parametrize(
    ("padding", "width"),
    [
        ("0 24px 16px", 600),
        ("0 24px", 600),
        ("0 24px 0 24px", 600),
        ("0px 24px 16px 24px", 552),
        ("0px 24px 16px", 552),
        ("16px 24px", 552),
        ("24px", 552),
    ],
)
def test_mrml_sizes_images_as_the_theme_comment_says(padding: str, width: int) -> None:
    """mjml-python 1.4.2 (MRML 6.0.1) ignores a padding holding a unitless 0 when it writes
    widths: why the theme writes every padding in four lengths with units. A failure here means
    MRML changed; the comment in digest.mjml.j2 should then change with it."""
    source = (
        '<mjml><mj-body width="600px"><mj-section padding="0px"><mj-column>'
        f'<mj-image src="https://example.org/a.png" padding="{padding}" />'
        "</mj-column></mj-section></mj-body></mjml>"
    )
    html = compile_mjml(source)
    assert re.search(r'<img [^>]*width="(\d+)"', html).group(1) == str(width)  # type: ignore[union-attr]


def test_the_theme_writes_no_side_padding_that_mrml_would_drop() -> None:
    """No padding with side lengths holds a bare 0: MRML would size what is inside as if the
    sides were 0 (a bare 0 in a padding without sides, as `16px 0 32px`, loses nothing)."""
    for digest in (make_digest(), five_stories(), _image_without_alt()):
        source = render_mjml(digest, settings())
        paddings = re.findall(r'\s(?:padding|inner-padding|text-padding)="([^"]*)"', source)
        assert paddings
        dropped = [
            p for p in paddings if "0" in p.split() and horizontal_padding(f"padding:{p}") > 0
        ]
        assert not dropped, f"MRML mis-sizes these paddings: {dropped}"
