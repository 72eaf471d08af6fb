"""What a story's post says: its parts, the hashtags each platform takes, shortening to fit."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import regex

from digest.models import Entry
from digest.platforms.base import PieceFits, Platform
from digest.render.email.links import safe_url, scheme_of
from digest.render.social.thread import SEPARATOR, atom_spans, split_thread
from digest.text import grapheme_count, graphemes, nfc, one_line, visible

TAG_MAX_GRAPHEMES = 64  # Bluesky's tag facet limit, also a sane cap elsewhere
# A word of letters, marks (Thai vowels, Devanagari signs), digits and joiners, in any script,
# with at least one letter: what every platform's hashtag rule has in common.
_TAG = regex.compile(r"[\p{L}\p{M}\p{Nd}_\u200c\u200d]*\p{L}[\p{L}\p{M}\p{Nd}_\u200c\u200d]*")
_CLIP_TRAILING = " \t,;:.-–—…"
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Parts:
    """What a post template is filled with; shortening makes smaller Parts."""

    headline: str
    tagline: str
    url: str | None
    hashtags: tuple[str, ...]
    bullets: tuple[str, ...] = ()  # the key points: all in a thread, those that fit in one post
    thread: bool = False  # a thread puts its hashtags in part 1, where readers meet them


def story_parts(entry: Entry, platform: Platform) -> Parts:
    """The headline, the tagline (or else the strongest bullet), the other bullets, link, tags."""
    summary = entry.summary
    bullets = tuple(b for b in map(post_text, summary.bullets) if b)
    tagline = post_text(summary.tagline)
    # Posts have room for the seed's whole title (the summary's headline is fit to an email
    # subject's 70); only a title of nothing but invisible characters gives way to it. An
    # editor's headline (seeds/<stem>.edits.toml) is what the editor wants everywhere.
    edited = "headline" in summary.edited
    headline = post_text(summary.headline) if edited else post_text(entry.story.title)
    headline = headline or post_text(summary.headline)
    if not tagline and bullets:
        topic = post_text(summary.headline) or headline
        tagline = strongest_bullet(bullets, topic, summary.hashtags)
        bullets = tuple(b for b in bullets if b != tagline)
    return Parts(
        headline=headline,
        tagline=tagline,
        url=web_link(entry.story.url),
        hashtags=hashtags(summary.hashtags, platform.tags[1], platform.accepts_tag),
        bullets=bullets,
    )


@lru_cache(maxsize=4096)
def web_link(url: str | None) -> str | None:
    """The story link as posts carry it: the email's ASCII URI, when it is an http(s) link."""
    safe = safe_url(url)  # the email warns about a link it drops; posts drop the same ones
    return safe if safe and scheme_of(safe) in ("http", "https") else None


@lru_cache(maxsize=16384)
def post_text(text: str) -> str:
    """Summary text as every post carries it: one line, NFC, with no bidi controls and no
    invisible characters (the joiners an emoji or a script needs stay)."""
    return nfc(one_line(visible(text)))


def strongest_bullet(bullets: tuple[str, ...], headline: str, tags: tuple[str, ...]) -> str:
    """The bullet sharing the most words with the headline and hashtags; the first on a tie."""
    camel = " ".join(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", t) for t in tags)
    topic = _words(f"{headline} {camel}")
    scores = [(len(topic & _words(b)), -number) for number, b in enumerate(bullets)]
    return bullets[-max(scores)[1]]


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def hashtags(
    tags: tuple[str, ...], count: int, accepts: Callable[[str], bool] = lambda _: True
) -> tuple[str, ...]:
    """Up to `count` usable tags (a letter, no punctuation, <= 64 graphemes), first seen first."""
    chosen: list[str] = []
    for tag in map(post_text, tags):
        usable = _TAG.fullmatch(tag) and grapheme_count(tag) <= TAG_MAX_GRAPHEMES
        if (
            usable
            and _accepted(accepts, tag)
            and tag.casefold() not in {c.casefold() for c in chosen}
        ):
            chosen.append(tag)
    return tuple(chosen[:count])


@lru_cache(maxsize=4096)
def _accepted(accepts: Callable[[str], bool], tag: str) -> bool:
    """`accepts(tag)`, asked once per platform rule and tag (a tag recurs across stories)."""
    return accepts(tag)


def topic_tag(tags: tuple[str, ...], accepts: Callable[[str], bool]) -> str | None:
    """Threads' single topic tag: the first usable hashtag its rule accepts, in any script."""
    return next(iter(hashtags(tags, 1, accepts)), None)


def compose_thread(
    parts: Parts,
    render: Callable[[Parts], str],
    fits: Callable[[str], bool],
    max_parts: int,
    piecewise: Callable[[str], PieceFits | None] | None = None,
) -> tuple[str, ...] | None:
    """The story as one post when it fits, else as a numbered thread of at most `max_parts`.

    Key points are dropped from the end until the thread is short enough; None when even the
    thread without them does not fit (then the story is one shortened post). `piecewise` is
    `split_thread`'s.
    """
    if fits(single := render(parts)):
        return (single,)
    if parts.url and not fits(f"{parts.url}{SEPARATOR}{max_parts}/{max_parts}"):
        parts = replace(parts, url=None)  # a link longer than a post: the card still shows it
    for count in reversed(range(len(parts.bullets) + 1)):
        shorter = replace(parts, bullets=parts.bullets[:count], thread=True)
        if thread := split_thread(render(shorter), fits, max_parts, piecewise):
            return thread
    return None


def shorten_until(parts: Parts, ok: Callable[[Parts], bool], min_tags: int = 0) -> Parts:
    """Shorten until `ok`: hashtags down to `min_tags`, the tagline, the other hashtags, the
    headline, the link; at last the headline is cut between graphemes."""
    ok = cache(ok)  # the same Parts are tried more than once; measuring can be dear (X)
    headline = parts.headline
    steps: list[Callable[[Parts], Parts]] = [
        lambda p: _fewer_tags(p, ok, min_tags),
        lambda p: _shorten(p, "tagline", 0, ok, str.split, " "),
        lambda p: _fewer_tags(p, ok, 0),
        lambda p: _shorten(p, "headline", 1, ok, str.split, " "),
        lambda p: replace(p, url=None),
        lambda p: _shorten(replace(p, headline=headline), "headline", 0, ok, _unsplit, ""),
    ]
    for step in steps:
        if ok(parts):
            break
        parts = step(parts)
    return parts


def _fewer_tags(parts: Parts, ok: Callable[[Parts], bool], floor: int) -> Parts:
    """Drop hashtags from the end, down to `floor`, until `ok`."""
    for count in range(len(parts.hashtags) - 1, floor - 1, -1):
        parts = replace(parts, hashtags=parts.hashtags[:count])
        if ok(parts):
            break
    return parts


def _shorten(
    parts: Parts,
    field: str,
    keep: int,
    ok: Callable[[Parts], bool],
    split: Callable[[str], list[str]],
    joiner: str,
) -> Parts:
    """The longest clip of `field` (>= `keep` pieces) for which `ok` holds, else the shortest."""
    pieces = split(getattr(parts, field))

    def clipped(count: int) -> Parts:
        if count >= len(pieces):
            return parts
        text = _clip(pieces[:count], joiner)
        if field == "headline":
            return replace(parts, headline=text)
        return replace(parts, tagline=text)

    low = keep
    while field == "headline" and low < len(pieces) and not clipped(low).headline:
        low += 1  # a clip that leaves no headline is no clip to try
    best, high = clipped(min(low, len(pieces))), len(pieces)
    while low <= high:  # binary search: fewer pieces never make a post longer
        middle = (low + high) // 2
        if ok(candidate := clipped(middle)):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


# Words a cut headline or tagline must not end on ("…with", "…at a"): articles,
# prepositions, conjunctions, auxiliaries and pronouns that lean on the word after them.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if as at by for from in into of off on onto out over per
    to up upon via with within without about after against before between during than that
    this these those through toward towards under until while amid among is are was were be
    been being has have had do does did will would shall should can could may might must not
    its his her their our your my who whom whose which what when where how why all any each
    no some such own other le la les un une des du de et ou à au aux en der die das ein eine
    und oder von zu im el los las y o del con por para""".split()
)


def _clip(pieces: list[str], joiner: str) -> str:
    """The first pieces, ended with "…": never on punctuation or, between words, a function
    word (the words before it are kept instead)."""
    words = list(pieces)
    while joiner and len(words) > 1 and _bare(words[-1]) in FUNCTION_WORDS:
        words.pop()
    text = joiner.join(words).rstrip(_CLIP_TRAILING)
    return text + "…" if text else ""


def _bare(word: str) -> str:
    return word.strip(_CLIP_TRAILING + "\"'“”‘’()").casefold()


def _unsplit(text: str) -> list[str]:
    """Graphemes, with each link, hashtag and mention one piece: a cut never falls inside."""
    pieces: list[str] = []
    position = 0
    for start, end in atom_spans(text):  # links as any platform finds them, tags, mentions
        pieces += [*graphemes(text[position:start]), text[start:end]]
        position = end
    pieces += graphemes(text[position:])
    return pieces
