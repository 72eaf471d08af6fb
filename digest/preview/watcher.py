"""What the preview watches (seeds, templates, config.toml, the outbox), and the current Site.

A thread wakes on file-system events (`events`, through watchfiles) and on a slow tick, or, when
events cannot be had (watchfiles missing or refused, DIGEST_PREVIEW_POLL=1), polls: every
`interval` seconds at most, and as often as every MIN_POLL_SECONDS while a look costs little (it
may take POLL_SHARE of the time between looks: a small project is polled often, a folder of
thousands of seeds no more than before). Each time it takes the files' fingerprint again: when
anything changed (or a next slot has passed), the generation goes up and every waiting client is
told; the Site is read again when a page next asks for it.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from digest.archive.state import STATE as ARCHIVE_STATE
from digest.clock import utc_now
from digest.outbox.pending import PENDING
from digest.preview.events import watch
from digest.preview.site import Site
from digest.preview.sources import sources_state

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2  # the longest the polling fallback waits between looks
MIN_POLL_SECONDS = 0.025
POLL_SHARE = 0.05  # of the time between looks, the most that looking may take
POLL_ENV = "DIGEST_PREVIEW_POLL"  # set to 1 to poll instead of waiting for file events
Fingerprint = tuple[tuple[str, int, int], ...]


def watched(site: Site) -> list[tuple[Path, int]]:
    """Each watched path with how deep to look into it.

    With sources, also the seeds folder's hidden record of their fetches, ahead of the folder
    (whose hidden names are left out): a fetch that failed writes no seed but changes the index's
    sources panel. With an archive, the site folder's state, which `digest archive` writes last:
    the batches' archive links follow each run. And the outbox's pending area, ahead of the
    outbox (whose hidden names are left out) and down to each pending batch's manifest, which a
    rebuild replaces: the index's slots waiting for approval follow the scheduler and
    `digest approve`.
    """
    state = [(sources_state(site.seeds_dir), 0)] if site.sources else []
    settings = site.settings
    if settings is not None and settings.archive.base_url is not None:
        state.append((site.site_dir / ARCHIVE_STATE, 0))
    state.append((site.outbox / PENDING, 3))
    folders = [(site.seeds_dir, 1), (site.templates_dir, 8), (site.outbox, 2)]
    return [(site.config_path, 0), *state, *folders]


def fingerprint(paths: list[tuple[Path, int]]) -> Fingerprint:
    """(path, mtime, size) of every watched file, and the names in every watched folder.

    Hidden names (editors' swap files, the outbox's staging folder) are left out.
    """
    out: list[tuple[str, int, int]] = []
    for path, depth in paths:
        _scan(os.fspath(path), depth, out)
    return tuple(sorted(out))


def _scan(path: str, depth: int, out: list[tuple[str, int, int]]) -> None:
    try:
        info = os.stat(path)
    except OSError:
        out.append((path, -1, -1))
        return
    if not stat.S_ISDIR(info.st_mode):
        out.append((path, info.st_mtime_ns, info.st_size))
        return
    # A folder is its entries: its own mtime also moves for hidden files (an editor's swap file).
    out.append((path, 0, 0))
    if depth > 0:
        try:
            with os.scandir(path) as entries:
                names = [e.path for e in entries if not e.name.startswith(".")]
        except OSError:
            return
        for name in names:
            _scan(name, depth - 1, out)


def wants_events() -> bool:
    """Whether to wait for file events: yes, unless DIGEST_PREVIEW_POLL asks for polling."""
    value = os.environ.get(POLL_ENV, "").strip().lower()
    return value in ("", "0", "false", "no", "off")


class Live:
    """The current Site and its generation; `wait` blocks until the generation changes."""

    def __init__(
        self,
        config: Path,
        seeds: Path | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        interval: float = POLL_SECONDS,
        events: bool | None = None,
    ) -> None:
        self.config, self.seeds, self.clock, self.interval = Path(config), seeds, clock, interval
        self.events = wants_events() if events is None else events
        self.mode = ""  # "events" or "polling", once the thread has started watching
        self.ready = threading.Event()  # set once it has
        self.generation = 0
        self._changed = threading.Condition()
        self._building = threading.Lock()
        self._stopped = threading.Event()
        self._site: Site | None = None
        self._site_generation = -1
        self._thread: threading.Thread | None = None
        self._cost = 0.0  # seconds the last look took
        site, _ = self.site()
        self._paths = watched(site)
        self._last = fingerprint(self._paths)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def site(self) -> tuple[Site, int]:
        """The Site of the current generation (read now if it is not yet), and that generation."""
        with self._building:
            generation = self.generation
            if self._site is None or self._site_generation != generation:
                self._site = Site(self.config, self.clock(), self.seeds)
                self._site_generation = generation
                self._paths = watched(self._site)
            return self._site, generation

    def poll(self) -> bool:
        """Look once; bump the generation when a watched file changed or a slot passed."""
        started = time.perf_counter()
        now = fingerprint(self._paths)
        self._cost = time.perf_counter() - started
        site = self._site
        expired = site is not None and site.expires is not None and self.clock() >= site.expires
        if now == self._last and not expired:
            return False
        self._last = now
        self.bump()
        return True

    def changed(self) -> None:
        """The preview itself has just written (an edit, an approval): start a new generation
        now, so that the page the editor is sent to next shows it, and take the files'
        fingerprint, so that the watcher does not count the same change again."""
        self._last = fingerprint(self._paths)
        self.bump()

    def bump(self) -> None:
        """Start a new generation and wake every client waiting for one."""
        with self._changed:
            self.generation += 1
            self._changed.notify_all()
        log.debug("preview: generation %d", self.generation)

    def wait(self, generation: int, timeout: float) -> int:
        """The generation, once it differs from `generation`, or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.generation != generation or self.stopped, timeout=timeout
            )
            return self.generation

    def start(self) -> None:
        """Watch in a daemon thread until `stop`."""
        self._thread = threading.Thread(target=self._run, name="preview-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self.events:
            try:
                watch(lambda: self._paths, self._look, self._stopped, armed=self._armed)
                return
            except Exception as error:  # no watchfiles, no inotify left, a path it refuses
                log.warning("preview: %s; polling instead", error)
        self._ready("polling")
        while not self._stopped.wait(self.pause()):
            self._look()

    def pause(self) -> float:
        """Seconds until the polling fallback looks again (see the module's docstring)."""
        return min(self.interval, max(MIN_POLL_SECONDS, self._cost / POLL_SHARE))

    def _armed(self) -> None:
        self._ready("events")

    def _ready(self, mode: str) -> None:
        self.mode = mode
        self.ready.set()
        log.debug("preview: watching by %s", mode)

    def _look(self) -> None:
        try:
            if self.poll():
                self.site()  # read it now, before the first page asks
        except Exception:  # the watcher must outlive any one bad reading
            log.exception("preview: watching files failed")

    def stop(self) -> None:
        """Stop watching (the thread ends) and release every waiting client."""
        self._stopped.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
