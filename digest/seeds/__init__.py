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

import functools
import hashlib
import os
import re
from pathlib import Path

from digest.errors import SeedError
from digest.models import Article, Story
from digest.seeds.files import check_name, printable, read_bounded
from digest.seeds.formats import clean, parse_canonical, parse_markdown
from digest.seeds.front_matter import PROVENANCE, check_front_matter, split_front_matter
from digest.seeds.json_seed import parse_json
from digest.seeds.memo import SeedMemo, key_at

SEED_SUFFIXES = (".txt", ".md", ".json")
DEFAULT_MAX_BYTES = 1_000_000


def slugify(stem: str) -> str:
    """A file stem as `[a-z0-9-]{1,80}`."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80].strip("-")
    return slug or "seed"


def read_seeds(
    folder: Path, max_bytes: int = DEFAULT_MAX_BYTES, index: Path | None = None
) -> tuple[list[Story], list[SeedError]]:
    """Every seed in `folder` (sorted by name); bad ones come back as errors, never raised.

    A plain file that `stat` shows unchanged since this process last read it is not read again
    (see `digest.seeds.memo`): the scheduler builds slot after slot from the same folder. With
    `index` (a hidden file in the seeds folder), it starts from what an earlier process kept (see
    `keep_index`).
    """
    try:
        fd = os.open(folder, _LISTED)
    except OSError as exc:
        return [], [_unlisted(folder, exc)]
    try:
        return _read_listed(folder, fd, max_bytes, index)
    finally:
        os.close(fd)


_LISTED = os.O_RDONLY | os.O_DIRECTORY | os.O_NONBLOCK | os.O_CLOEXEC


def _read_listed(
    folder: Path, fd: int, max_bytes: int, index: Path | None
) -> tuple[list[Story], list[SeedError]]:
    """`read_seeds` of `folder`, open as `fd`: listed once, and each seed's stat key taken in
    that very folder (`key_at`) before anything else."""
    stories: list[Story] = []
    errors: list[SeedError] = []
    try:
        names = sorted(name for name in os.listdir(fd) if _is_seed_name(name))
    except OSError as exc:
        return stories, [_unlisted(folder, exc)]
    memo = SeedMemo.of(folder, max_bytes)
    if index is not None:
        memo.load(index, folder, max_bytes, _named_as_read)
    where = os.path.join(folder, "")  # the folder as this call spells it, as files are named
    for name in names:
        key = key_at(fd, name)
        result = memo.lookup(name, key, where)
        if result is None:
            path = where + name
            try:
                result = read_seed(Path(path), folder, max_bytes)
            except SeedError as error:
                result = error
            memo.remember(path, key, result)
        if isinstance(result, SeedError):
            errors.append(result)
        else:
            stories.append(result)
    memo.keep_only(set(names))
    return stories, errors


def _unlisted(folder: Path, exc: OSError) -> SeedError:
    reason = f"cannot list the seeds folder: {exc.strerror}; check its permissions"
    return SeedError(printable(str(folder)), 1, reason)


@functools.lru_cache(maxsize=1 << 16)
def _is_seed_name(name: str) -> bool:
    """Whether a file named `name` is read as a seed: not hidden, a seed suffix, no README."""
    if name.startswith(".") or os.path.splitext(name)[1].lower() not in SEED_SUFFIXES:
        return False
    return name.lower() != "readme.md"


def _named_as_read(name: str, story: Story) -> bool:
    """Whether `story` names the file `name` as reading it makes it do (its source, slug and
    id), so that an index entry can never put a story under another file or slug."""
    stem, suffix = os.path.splitext(name)
    if story.source != name or suffix.lower() not in SEED_SUFFIXES or not story.articles:
        return False
    slug = slugify(stem)
    return (story.slug, story.id) == (slug, f"{slug}-{story.content_hash[:8]}")


def keep_index(folder: Path, max_bytes: int, index: Path) -> None:
    """Keep what this process read of `folder` in the file `index`, for the next process; only
    when it changed, and never raising (the index is a cache)."""
    SeedMemo.of(folder, max_bytes).save(index, folder, max_bytes)


def read_seed(path: Path, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Story:
    """One seed file as a `Story`; raises `SeedError(path, line, reason)`, printable as UTF-8."""
    try:
        return _read_seed(path, root, max_bytes)
    except SeedError as error:
        shown, reason = printable(str(error.path)), printable(error.reason)
        if (shown, reason) == (str(error.path), error.reason):
            raise
        raise SeedError(shown, error.line, reason) from None


def _read_seed(path: Path, root: Path | None, max_bytes: int) -> Story:
    check_name(path)
    data = read_bounded(path, _root(path, root), max_bytes)
    _check_bytes(path, data)
    text = _decode(path, data)
    suffix = path.suffix.lower()
    if suffix == ".json":
        title, tagline, articles, fields = parse_json(path, text)
    else:
        fields, body, offset = split_front_matter(path, text)
        parse = parse_markdown if suffix == ".md" else parse_canonical
        title, tagline, articles = parse(path, body, offset)
    meta = check_front_matter(path, fields, text)
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
        **meta.model_dump(exclude=set(PROVENANCE)),
    )


def _root(path: Path, root: Path | None) -> Path:
    try:
        return (root or path.parent).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        raise SeedError(path, 1, f"cannot find the seeds folder: {exc}") from None


def _check_bytes(path: Path, data: bytes) -> None:
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SeedError(path, 1, "empty file; write a title line and an article")
    if b"\x00" in data:
        raise SeedError(
            path,
            _line_at(data, data.index(b"\x00")),
            "NUL byte; the file is binary or corrupt, save it as UTF-8 text",
        )


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
