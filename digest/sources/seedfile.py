"""A feed item as a seed file: HTML as plain paragraphs, the canonical seed text with its front
matter, and a written file that digest.seeds reads back as exactly that story.

What a source writes (`<source>-<slug>.txt`, mode 0o644, written whole or not at all):

    +++
    source = "city-news"                   (provenance: digest fetch's dedupe reads them)
    guid = "https://example.org/?p=12"
    url = "https://example.org/story"
    date = 2026-11-27T09:30:00Z
    author = "A. Writer"
    tags = ["council"]
    +++
    Council approves the new budget       (the title, markup removed)
    **Primary Article:**
    The council voted on Tuesday…         (one paragraph a line)

Everything from a feed is text: markup is dropped (scripts and styles with their content, links
kept as their text), control and bidi-override characters removed, whitespace collapsed, and a
line that the seed reader would take for something else (a `**…**` headline or article label, a
`#` or `*` around the title) loses those marks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
from datetime import UTC
from html.parser import HTMLParser
from pathlib import Path

from digest.clock import sane
from digest.config.sources import Source
from digest.seeds.formats import clean
from digest.sources.feed import FeedItem, read_markup
from digest.urls import normalize_url

MAX_TITLE = 300  # characters: a title line, not an article
MAX_SEED_BYTES = 500_000  # well under the seed reader's default cap of 1,000,000
MAX_STEM = 80  # the seed reader's slug length: a longer name would share its slug
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
PRIORITY_RANGE = 1_000_000_000

_BLOCKS = frozenset(
    "address article aside blockquote br caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section "
    "summary table tbody td tfoot th thead tr ul".split()
)
_DROPPED = frozenset("script style noscript template iframe object svg head title select".split())
# Bidi embeddings, overrides and isolates (the "Trojan Source" set): they reorder what follows.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class _Text(HTMLParser):
    """Collects the text of an HTML fragment, a new paragraph at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping.append(tag)
        elif tag in _BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:  # <br/>, <hr/>; a self-closed <script/> holds nothing
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            if tag in self._dropping:
                while self._dropping.pop() != tag:
                    pass
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self._current.append(data)

    def _break(self) -> None:
        text = plain("".join(self._current))
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._break()


def html_to_paragraphs(html: str) -> list[str]:
    """The text of an HTML fragment as plain paragraphs: a paragraph per block element (and per
    `<br>`), scripts and styles dropped with their content, entities decoded, links kept as their
    text, images and comments dropped; no markup left."""
    return read_markup(_Text, html).paragraphs


def html_to_text(html: str) -> str:
    """An HTML fragment (a feed item's title) as one line of plain text."""
    return " ".join(html_to_paragraphs(html))


def text_to_paragraphs(text: str) -> list[str]:
    """Plain text (a JSON Feed `content_text`, an extracted article) as paragraphs, one a line."""
    return [line for line in (plain(part) for part in text.splitlines()) if line]


def plain(text: str) -> str:
    """`text` as a seed holds it: one line, control and bidi-override characters and lone
    surrogates removed, every run of whitespace one space."""
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif char in _BIDI or "\ud800" <= char <= "\udfff":
            continue
        elif unicodedata.category(char) != "Cc":
            kept.append(char)
    return clean("".join(kept))


def one_line(text: str, limit: int) -> str:
    """`text` as plain text (see `plain`) of at most `limit` characters, cut at a word."""
    return _cut(plain(text), limit)


def title_line(title: str) -> str:
    """`title` as the seed reader reads its title line back unchanged: bounded, with no `#` or
    `*` at its ends (the reader strips them)."""
    text = _cut(plain(title), MAX_TITLE)
    while True:
        bare = text.strip().lstrip("#").strip().strip("*").strip()
        if bare == text:
            return text
        text = bare


def body_line(paragraph: str) -> str:
    """`paragraph` as a line the seed reader takes as a paragraph: a line between `**` marks
    (a headline or an article label to the reader) loses them."""
    text = plain(paragraph)
    while text.startswith("**") and text.endswith("**"):
        text = text.strip("*").strip()
    return text


def seed_parts(item: FeedItem, source: Source, body: str) -> tuple[str, list[str]]:
    """The title and paragraphs a seed of `item` holds (what reading it gives back): `body` is
    plain text, one paragraph a line; the title falls back to the body's start, then the link."""
    paragraphs = [line for line in (body_line(p) for p in body.splitlines()) if line]
    title = title_line(html_to_text(item.title))
    if not title:
        start = paragraphs[0] if paragraphs else (item.link or source.name)
        title = title_line(_cut(start, 80))
    if not paragraphs:
        paragraphs = [body_line(title)]
    return title, _bounded(paragraphs, MAX_SEED_BYTES)


def seed_text(item: FeedItem, source: Source, body: str) -> str:
    """The canonical seed of `item` from `source`, `body` its plain text (one paragraph a line)."""
    title, paragraphs = seed_parts(item, source, body)
    lines = ["+++", *front_matter(item, source), "+++", title, "**Primary Article:**"]
    return "\n".join([*lines, *paragraphs]) + "\n"


def front_matter(item: FeedItem, source: Source) -> list[str]:
    """The TOML lines between the `+++` marks: only keys the seed reader takes, only values it
    accepts (a link it would refuse, such as one to a private host, is left out)."""
    lines = [f"source = {toml_string(source.name)}"]
    if guid := one_line(item.guid or "", 500):
        lines.append(f"guid = {toml_string(guid)}")
    if (url := web_link(item.link)) is not None:
        lines.append(f"url = {toml_string(url)}")
    when = sane(item.date) if item.date is not None else None
    if when is not None:
        lines.append(f"date = {when.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    if item.author and (author := one_line(item.author, 200)):
        lines.append(f"author = {toml_string(author)}")
    tags = list(dict.fromkeys(t for t in (plain(t)[:60] for t in (*source.tags, *item.tags)) if t))
    if tags:
        lines.append(f"tags = [{', '.join(toml_string(tag) for tag in tags[:20])}]")
    if source.priority:
        priority = max(-PRIORITY_RANGE, min(PRIORITY_RANGE, source.priority))
        lines.append(f"priority = {priority}")
    if (image := web_link(item.image)) is not None:
        lines.append(f"image = {toml_string(image)}")
        if item.image_alt and (alt := one_line(item.image_alt, 300)):
            lines.append(f"image_alt = {toml_string(alt)}")
    if source.language and LANGUAGE.fullmatch(source.language):
        lines.append(f"language = {toml_string(source.language)}")
    return lines


def web_link(link: str | None) -> str | None:
    """`link` as the seed reader's ASCII http(s) URI, or None when it would refuse it."""
    if not link:
        return None
    try:
        return normalize_url(link)
    except ValueError:
        return None


def toml_string(text: str) -> str:
    """`text` as a TOML basic string on one line: quotes, backslashes and every control
    character escaped (no line break, no `+++` line can come out of it)."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif unicodedata.category(char) == "Cc" or "\ud800" <= char <= "\udfff":
            if not "\ud800" <= char <= "\udfff":  # TOML has no escape for a lone surrogate
                out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out) + '"'


def seed_name(source: str, title: str, key: str, taken: set[str]) -> str:
    """`<source>-<slug>.txt`: the slug from `title` in ASCII, bounded so the whole stem is a
    seed slug of its own; a short hash of `key` is added when the name is `taken`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    room = MAX_STEM - len(source) - 1 - 9  # 9: "-" and 8 hex of the hash
    slug = slug[:room].strip("-")
    tag = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    name = f"{source}-{slug}.txt" if slug else f"{source}-{tag[:8]}.txt"
    for length in (8, 16, 64):
        if name not in taken:
            return name
        name = f"{source}-{slug}-{tag[:length]}.txt" if slug else f"{source}-{tag[:length]}.txt"
    return f"{source}-{secrets.token_hex(4)}.txt"


def write_seed(folder: Path, name: str, text: str) -> Path:
    """Write `text` to `folder/name` whole or not at all (a temporary file, fsynced, then linked
    into place, so an existing file is never replaced): mode 0o644, as hand-written seeds.
    Raises FileExistsError when the name is taken, OSError when the disk refuses."""
    path = folder / name
    temporary = folder / f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fchmod(handle.fileno(), 0o644)
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    return path


def _cut(text: str, limit: int) -> str:
    """`text` of at most `limit` characters, cut at a word when there is one, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


def _bounded(paragraphs: list[str], limit: int) -> list[str]:
    """The first paragraphs, as many as fit in `limit` UTF-8 bytes (the first one cut to fit)."""
    kept: list[str] = []
    total = 0
    for paragraph in paragraphs:
        size = len(paragraph.encode("utf-8")) + 1
        if total + size > limit:
            if not kept:
                kept.append(_cut(paragraph, limit // 4))
            break
        kept.append(paragraph)
        total += size
    return kept
