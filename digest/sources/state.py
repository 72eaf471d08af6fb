"""What `digest fetch` remembers in a seeds folder (`seeds/.digest-sources.json`): each source's
last fetch (its validators for the next conditional GET, when, how it went) and, per source, the
items it has written or seen, under up to three keys:

- its GUID (`guid:<source>:<guid>`);
- its canonical link (`link:<link>`): scheme and `www.` aside, host lower-cased, default port,
  fragment, trailing slash and tracking parameters (`utm_*`, `fbclid`, `gclid`, `mc_cid`,
  `mc_eid`, ...) dropped;
- a hash of its normalised title and text (`hash:<sha256>`), when it has text (or nothing else
  to be known by).

Which item is a duplicate of an earlier one of its source (`Memory.match`): one with a GUID when
its GUID is known, or when its link or text is an earlier item's whose GUID the feed no longer
carries (the feed rewrote its GUIDs), or when both its link and its text are one earlier item's
(one story under two GUIDs); one without a GUID by its link, else by its text. So distinct stories
that share a link (a homepage) or a text (a recurring notice) each arrive, while a feed that
rewrites its GUIDs, moves its site to https or adds tracking parameters duplicates nothing.

The index is read only when it is a plain file of this user that no one else may write (see
`digest.cachefile`). The keys of the sources' seeds in the folder (their `source`, `guid` and
`url` lines, see `SourcesIndex.recover`) are always added to it, so a story whose seed is in the
folder is never written again, whatever the index lost or evicted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.cachefile import own_file_bytes, write_whole

log = logging.getLogger("digest.sources")
INDEX = ".digest-sources.json"
MAX_INDEX = 64 << 20
# Items remembered per source, the newest: a feed carries far fewer at a time, and one source's
# entries never push out another's. At about 250 bytes an entry, 50 sources at the cap still fit
# in MAX_INDEX; a written story evicted here is still known by its seed in the folder.
MAX_ITEMS = 5_000
# Items one fetch records as seen but not written (older than `since`, past `max_items`): a feed
# that serves its whole archive (150,000 items) would otherwise fill its source's memory, and the
# index, with stories never written. Past this, the oldest are not recorded; a later fetch may
# take them as new (at most `max_items` a fetch).
MAX_SKIPPED = 2_000
_TRACKING = re.compile(
    r"utm_[a-z_]*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi"
    r"|igshid|ref_src|ref_url|cmpid|oly_enc_id|oly_anon_id|vero_id|mkt_tok|__s"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_RECOVER_BYTES = 4096  # the front matter of a seed this module wrote fits in it


@dataclass(frozen=True)
class SourceStatus:
    """How one source's last fetch went, as the preview shows it."""

    name: str
    url: str
    fetched_at: datetime | None
    status: str  # "ok", "not-modified" or "failed"
    reason: str
    new_items: int
    new_files: tuple[str, ...] = ()  # the seed files the last fetch wrote, in feed order


@dataclass
class SourceState:
    """One source's entry: its status and the validators of its last good response."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    status: str = "never"
    reason: str = ""
    new_items: int = 0
    new_files: list[str] = field(default_factory=list)
    first_ok: datetime | None = None  # the first fetch that succeeded: after it `since` is over


@dataclass
class Seen:
    """One item written: its keys and the seed file it became."""

    source: str
    file: str
    keys: list[str]
    at: str = ""


class Memory:
    """The keys of one source's earlier items, each with the GUID keys of the items that had it
    ("" for an item without a GUID)."""

    def __init__(self) -> None:
        self._holders: dict[str, set[str]] = {}
        self._pairs: set[tuple[str, str]] = set()  # (link, hash) of one item

    def add(self, keys: Iterable[str]) -> None:
        """Record an item with `keys`."""
        keys = tuple(keys)
        guid = _key(keys, "guid:")
        for key in keys:
            self._holders.setdefault(key, set()).add(guid)
        link, text = _key(keys, "link:"), _key(keys, "hash:")
        if link and text:
            self._pairs.add((link, text))

    def match(self, keys: tuple[str, ...], current: AbstractSet[str]) -> str | None:
        """Why an item with `keys` is a duplicate of an earlier one, or None when it is none.
        `current`: the GUID keys of the whole feed being read (an earlier item whose GUID is not
        among them is one the feed rewrote)."""
        guid, link, text = _key(keys, "guid:"), _key(keys, "link:"), _key(keys, "hash:")
        if not guid:
            if link:
                return "same link" if link in self._holders else None
            return "same text" if text and text in self._holders else None
        if guid in self._holders:
            return "same GUID"
        if link and text and (link, text) in self._pairs:
            return "same link and text"
        for key, what in ((link, "link"), (text, "text")):
            if key and any(holder not in current for holder in self._holders.get(key, ())):
                return f"same {what} as an item no longer in the feed (its GUID rewritten)"
        return None


@dataclass
class SourcesIndex:
    """The index of one seeds folder, read with `load` and written with `save`."""

    folder: Path
    sources: dict[str, SourceState] = field(default_factory=dict)
    items: list[Seen] = field(default_factory=list)
    _memory: dict[str, Memory] = field(default_factory=dict, repr=False)
    _files: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, folder: Path, *, seeds: bool = True) -> SourcesIndex:
        """The folder's index (an empty one when it is missing, damaged or not this user's own
        file), with the keys of the sources' seeds in the folder unless `seeds` is False."""
        index = cls(folder)
        path = folder / INDEX
        try:
            data = json.loads(own_file_bytes(path, MAX_INDEX))
            index._read(data)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning(
                "%s: not used (%s); dedupe falls back to the seeds in the folder", path, exc
            )
            index = cls(folder)
        if seeds:
            index.recover()
        return index

    def _read(self, data: dict[str, Any]) -> None:
        if data.get("version") != 1:
            raise ValueError(f"unknown version {data.get('version')!r}")
        for name, entry in data["sources"].items():
            self.sources[str(name)] = SourceState(
                url=str(entry["url"]),
                etag=_text_or_none(entry.get("etag")),
                last_modified=_text_or_none(entry.get("last_modified")),
                fetched_at=_instant(entry.get("fetched_at")),
                status=str(entry.get("status", "never")),
                reason=str(entry.get("reason", "")),
                new_items=int(entry.get("new_items", 0)),
                new_files=[str(name) for name in entry.get("new_files", [])],
                first_ok=_instant(entry.get("first_ok")),
            )
        for item in data["items"]:
            keys = [str(key) for key in item["keys"]]
            self._add(Seen(str(item["source"]), str(item["file"]), keys, str(item.get("at", ""))))

    def recover(self) -> None:
        """Add the keys of the seeds this module wrote that are in the folder (their `source`,
        `guid` and `url` keys, or `# `-commented ones): a story whose seed is here is never
        written again, even when the index lost or evicted it. They are not saved: the folder
        holds them."""
        try:
            names = sorted(n for n in os.listdir(self.folder) if n.endswith(".txt"))
        except OSError:
            return
        for name in names:
            head = _head(self.folder / name)
            found = dict(re.findall(r'(?m)^(?:# )?(source|guid|url) = "((?:[^"\\]|\\.)*)"$', head))
            if "source" in found:
                fields = {k: _unescape(v) for k, v in found.items()}
                keys = item_keys(fields["source"], fields.get("guid"), fields.get("url"), "", "")
                self.memory(fields["source"]).add(keys)
                self._files.add(name)

    def state(self, name: str, url: str) -> SourceState:
        """The entry of source `name`; a fresh one (no validators) when its url changed."""
        known = self.sources.get(name)
        if known is None or known.url != url:
            known = SourceState(url=url)  # another feed: `since` bounds its first fetch again
            self.sources[name] = known
        return known

    def memory(self, source: str) -> Memory:
        """The keys of the items `source` wrote or saw before."""
        return self._memory.setdefault(source, Memory())

    def duplicate(
        self, source: str, keys: tuple[str, ...], current: AbstractSet[str]
    ) -> str | None:
        """Why an item of `source` with `keys` is a duplicate of one it wrote or saw before, or
        None (see `Memory.match`)."""
        return self.memory(source).match(keys, current)

    def file_names(self) -> set[str]:
        """The names of every seed file a source wrote here (even those deleted since)."""
        return set(self._files)

    def remember(self, source: str, file: str, keys: tuple[str, ...], at: datetime) -> None:
        """Record an item written to `file`."""
        self._add(Seen(source, file, list(keys), at.isoformat()))

    def _add(self, seen: Seen) -> None:
        self.items.append(seen)
        self.memory(seen.source).add(seen.keys)
        if seen.file:
            self._files.add(seen.file)

    def save(self) -> bool:
        """Write the index whole; False (logged) when it cannot be written."""
        kept = _newest_per_source(self.items)
        data = {
            "version": 1,
            "sources": {
                name: {
                    **asdict(entry),
                    "fetched_at": _iso(entry.fetched_at),
                    "first_ok": _iso(entry.first_ok),
                }
                for name, entry in sorted(self.sources.items())
            },
            "items": [asdict(item) for item in kept],
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        path = self.folder / INDEX
        written = write_whole(path, text.encode("utf-8", "surrogatepass"), log, "dedupe falls back")
        if not written:
            log.warning("%s: not written; the next fetch dedupes by the seeds in the folder", path)
        return written


def load_status(seeds_dir: Path) -> list[SourceStatus]:
    """How each source's last fetch went, as recorded in `seeds_dir`, sorted by name (none when
    nothing was fetched there yet)."""
    index = SourcesIndex.load(seeds_dir, seeds=False)
    return [
        SourceStatus(name, s.url, s.fetched_at, s.status, s.reason, s.new_items, tuple(s.new_files))
        for name, s in sorted(index.sources.items())
        if s.status != "never"
    ]


def item_keys(
    source: str, guid: str | None, link: str | None, title: str, text: str
) -> tuple[str, ...]:
    """The dedupe keys of an item: its GUID within `source`, its canonical link, its content."""
    keys = []
    if guid:
        keys.append(f"guid:{source}:{guid}")
    if link and (canonical := canonical_link(link)):
        keys.append(f"link:{canonical}")
    # By content only when there is text (a title alone, "Weekly update", repeats), or when
    # the title is all there is to know the item by.
    if text.strip() or (not keys and title.strip()):
        keys.append(f"hash:{content_hash(title, text)}")
    return tuple(keys)


def canonical_link(link: str) -> str | None:
    """`link` as two links to the same page compare: no scheme, host lower-cased without `www.`
    and default port, no fragment, no trailing slash, tracking parameters dropped; None when it
    is not an http(s) link."""
    try:
        parts = urlsplit(link.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.fullmatch(k.lower())
    ]
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit(("", host, path, urlencode(query), "")).removeprefix("//")


def content_hash(title: str, text: str) -> str:
    """sha256 of the title and text, case and whitespace aside."""
    normal = " ".join(f"{title}\n{text}".casefold().split())
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()


def _newest_per_source(items: list[Seen]) -> list[Seen]:
    """`items` less each source's oldest beyond its newest MAX_ITEMS, in their order."""
    counts: dict[str, int] = {}
    kept = []
    for item in reversed(items):
        counts[item.source] = counts.get(item.source, 0) + 1
        if counts[item.source] <= MAX_ITEMS:
            kept.append(item)
    return kept[::-1]


def _key(keys: Iterable[str], kind: str) -> str:
    """The first of `keys` of `kind` ("guid:", "link:" or "hash:"), or ""."""
    return next((key for key in keys if key.startswith(kind)), "")


def _head(path: Path) -> str:
    """The start of the plain file `path` (not a link, FIFO or device), or "" when it is none."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        return os.read(fd, _RECOVER_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        os.close(fd)


def _unescape(value: str) -> str:
    try:
        parsed = json.loads(f'"{value}"')
    except ValueError:
        return value
    return str(parsed)


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
