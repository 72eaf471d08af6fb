"""Read seed files into `Story` models, or a `SeedError` naming the file, line and reason.

The canonical seed (`.txt`) looks like this; blank lines are free and any number of
`**<Label> Article:**` sections may follow:

    +++                                   (optional TOML front matter)
    url = "https://example.org/story"
    date = 2025-02-04
    tags = ["immigration"]
    +++
    Bukele US Plan on Migrants            (the title line)
    “The US and El Salvador negotiate…”   (the tagline, curly or straight quotes; optional)
    **Primary Article:**
    **Bukele Offers US Official Proposal…** (the article's headline; optional)
    On February 3, 2025, the President…   (paragraphs)

A Markdown seed (`.md`) is `# Title`, an optional `> tagline`, then paragraphs, with `## Heading`
starting a new article. A `.json` seed holds `title`, `tagline`, `articles` (each `headline` and
`text` or `paragraphs`) or a plain `text`, and the front-matter keys.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError, field_validator

from digest.errors import SeedError
from digest.models import Article, Story, StoryMeta
from digest.seed_formats import clean, key_line, parse_canonical, parse_json, parse_markdown

SEED_SUFFIXES = (".txt", ".md", ".json")
DEFAULT_MAX_BYTES = 1_000_000


class FrontMatter(StoryMeta):
    """The keys allowed between `+++` lines (and at the top level of a `.json` seed), checked."""

    @field_validator("url", "image")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^\s]+$", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise ValueError(f"{value!r} is not a language tag like en or pt-BR")
        return value


def slugify(stem: str) -> str:
    """A file stem as `[a-z0-9-]{1,80}`."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80].strip("-")
    return slug or "seed"


def read_seeds(
    folder: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Story], list[SeedError]]:
    """Every seed in `folder` (sorted by name); bad ones come back as errors, never raised."""
    stories: list[Story] = []
    errors: list[SeedError] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in SEED_SUFFIXES:
            continue
        if path.name.lower() == "readme.md":
            continue
        try:
            stories.append(read_seed(path, folder, max_bytes))
        except SeedError as error:
            errors.append(error)
    return stories, errors


def read_seed(path: Path, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Story:
    """One seed file as a `Story`; raises `SeedError(path, line, reason)`."""
    root = (root or path.parent).resolve()
    data = _read_bytes(path, root, max_bytes)
    text = _decode(path, data)
    fields, body, offset = _front_matter(path, text)
    suffix = path.suffix.lower()
    if suffix == ".json":
        parsed = parse_json(path, text)
        fields = {k: v for k, v in parsed.items() if k not in ("title", "tagline", "articles")}
        title, tagline, articles = parsed.get("title"), parsed.get("tagline"), parsed["articles"]
    elif suffix == ".md":
        title, tagline, articles = parse_markdown(path, body, offset)
    else:
        title, tagline, articles = parse_canonical(path, body, offset)
    meta = _check_front_matter(path, fields, text)
    slug = slugify(path.stem)
    digest = hashlib.sha256(data).hexdigest()
    return Story(
        id=f"{slug}-{digest[:8]}",
        slug=slug,
        source=path.name,
        content_hash=digest,
        title=clean(title or ""),
        tagline=clean(tagline) if tagline else None,
        articles=tuple(articles),
        **meta.model_dump(),
    )


def _read_bytes(path: Path, root: Path, max_bytes: int) -> bytes:
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            raise SeedError(
                path,
                1,
                f"symlink leads outside the seeds folder (to {target}); "
                "copy the file into the folder instead",
            )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SeedError(
                path,
                1,
                f"file is {size} bytes, over the {max_bytes}-byte cap; "
                "split it or raise [seeds] max_bytes in config.toml",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(path, 1, f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise SeedError(path, 1, f"file is over the {max_bytes}-byte cap")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SeedError(path, 1, "empty file; write a title line and an article")
    if b"\x00" in data:
        raise SeedError(
            path,
            _line_at(data, data.index(b"\x00")),
            "NUL byte; the file is binary or corrupt, save it as UTF-8 text",
        )
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(
            path,
            _line_at(data, exc.start),
            f"invalid UTF-8 at byte {exc.start}; save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], list[str], int]:
    """Split off `+++` front matter: (its fields, the body's lines, how many lines came before)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        return {}, lines, 0
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise SeedError(
            path, 1, "front matter opened with +++ is never closed; add a +++ line after it"
        ) from None
    try:
        fields = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+)", str(exc))
        line = int(where.group(1)) if where else end - 1
        reason = re.sub(r"\s*\(at .*\)$", "", str(exc))
        raise SeedError(path, line + 1, f"front matter is not valid TOML: {reason}") from None
    return fields, lines[end + 1 :], end + 1


def _check_front_matter(path: Path, fields: dict[str, Any], text: str) -> FrontMatter:
    try:
        return FrontMatter.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "?"
        if first["type"] == "extra_forbidden":
            known = ", ".join(FrontMatter.model_fields)
            reason = f"unknown front-matter key {key!r}; known keys: {known}"
        else:
            reason = f"front-matter key {key!r}: {first['msg'].removeprefix('Value error, ')}"
        raise SeedError(path, key_line(text, key), reason) from None


def story_from_text(ident: str, text: str, title: str | None = None) -> Story:
    """A Story from plain article text (the `digest summarize --jsonl` input); paragraphs split
    on line breaks. Raises ValueError when there is no text."""
    paragraphs = tuple(clean(p) for p in text.replace("\r", "\n").split("\n") if p.strip())
    if not paragraphs:
        raise ValueError("no article text")
    slug = slugify(ident)
    digest = hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()
    return Story(
        id=f"{slug}-{digest[:8]}",
        slug=slug,
        source=ident,
        content_hash=digest,
        title=clean(title or ""),
        articles=(Article(label="Main", headline=None, paragraphs=paragraphs, line=1),),
    )
