"""What `digest fetch` remembers in a seeds folder (`seeds/.digest-sources.json`): each source's
last fetch (its validators for the next conditional GET, when, how it went) and every item it has
written, under three keys, so that an item matching any one of them is never written again:

- its GUID, within its source (`guid:<source>:<guid>`);
- its canonical link, across sources (`link:<link>`): scheme and `www.` aside, host lower-cased,
  default port, fragment, trailing slash and tracking parameters (`utm_*`, `fbclid`, `gclid`,
  `mc_cid`, `mc_eid`, `ref`, ...) dropped;
- a hash of its normalised title and text, across sources (`hash:<sha256>`), when it has text
  (or nothing else to be known by).

A feed that rewrites its GUIDs still has the same links and text; one that moves its site to
https or adds tracking parameters still has the same text. The index is read only when it is a
plain file of this user that no one else may write (see `digest.cachefile`); when it is missing or
unreadable, the names and keys of the sources' seeds already in the folder stand in for it (see
`SourcesIndex.recover`), so losing it never duplicates a story.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.cachefile import own_file_bytes, write_whole

log = logging.getLogger("digest.sources")
INDEX = ".digest-sources.json"
MAX_INDEX = 64 << 20
MAX_ITEMS = 20_000  # items remembered: the newest; a feed carries far fewer at a time
_TRACKING = re.compile(
    r"utm_[a-z_]*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_hsenc|_hsmi"
    r"|igshid|ref|ref_src|ref_url|cmpid|oly_enc_id|oly_anon_id|vero_id|mkt_tok|__s"
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


@dataclass
class SourcesIndex:
    """The index of one seeds folder, read with `load` and written with `save`."""

    folder: Path
    sources: dict[str, SourceState] = field(default_factory=dict)
    items: list[Seen] = field(default_factory=list)
    _keys: set[str] = field(default_factory=set, repr=False)
    _files: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, folder: Path) -> SourcesIndex:
        """The folder's index; an empty one (recovered from the seeds there) when it is missing,
        damaged or not this user's own file."""
        index = cls(folder)
        path = folder / INDEX
        try:
            data = json.loads(own_file_bytes(path, MAX_INDEX))
            index._read(data)
        except FileNotFoundError:
            index.recover()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning(
                "%s: not used (%s); dedupe falls back to the seeds in the folder", path, exc
            )
            index = cls(folder)
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
        """Take the keys of seeds this module wrote that are in the folder (their `source`,
        `guid` and `url` keys, or `# `-commented ones): with no index, what was fetched is not
        fetched again."""
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
                self._add(Seen(fields["source"], name, list(keys)))

    def state(self, name: str, url: str) -> SourceState:
        """The entry of source `name`; a fresh one (no validators) when its url changed."""
        known = self.sources.get(name)
        if known is None or known.url != url:
            known = SourceState(url=url)  # another feed: `since` bounds its first fetch again
            self.sources[name] = known
        return known

    def seen(self, keys: tuple[str, ...]) -> bool:
        """Whether an item with any of `keys` was written before."""
        return any(key in self._keys for key in keys)

    def file_names(self) -> set[str]:
        """The names of every seed file a source wrote here (even those deleted since)."""
        return set(self._files)

    def remember(self, source: str, file: str, keys: tuple[str, ...], at: datetime) -> None:
        """Record an item written to `file`."""
        self._add(Seen(source, file, list(keys), at.isoformat()))

    def _add(self, seen: Seen) -> None:
        self.items.append(seen)
        self._keys.update(seen.keys)
        self._files.add(seen.file)

    def save(self) -> bool:
        """Write the index whole; False (logged) when it cannot be written."""
        kept = self.items[-MAX_ITEMS:]
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
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        path = self.folder / INDEX
        written = write_whole(path, text.encode("utf-8", "surrogatepass"), log, "dedupe falls back")
        if not written:
            log.warning("%s: not written; the next fetch dedupes by the seeds in the folder", path)
        return written


def load_status(seeds_dir: Path) -> list[SourceStatus]:
    """How each source's last fetch went, as recorded in `seeds_dir`, sorted by name (none when
    nothing was fetched there yet)."""
    index = SourcesIndex.load(seeds_dir)
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
