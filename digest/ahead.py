"""Work on a batch's stories done ahead by a second process, while this one renders and publishes.

Each story of a batch is summarized, checked against its seed and given its posts on its own:
nothing of that depends on the batch (see `digest.assemble`, which says what the work is). So
a helper process, forked once for a build or a scheduler's wake-up, takes the candidates a
build asks for (and with `lookahead`, when more slots are due, as many after them: the next
slot's), working from the last one back, while the build takes them from the first one on,
doing itself any the helper has not sent yet and telling it to skip those. Both meet once in
the middle; on two cores, both work.

The helper is a copy of this process (fork), so it runs the same code with the same settings;
what it sends back is taken only for the same story with the same context. Whatever goes wrong
there (a story whose work fails, a dead helper) only means doing that work here: failures are
never sent, and the build never waits for the helper.

No helper is started with fewer than two usable cores, in a process that has other threads (a
fork copies only the calling thread), where `os.fork` does not exist, or with DIGEST_AHEAD=0.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, Pipe
from typing import Any

from digest.models import Story

log = logging.getLogger("digest.ahead")
ENV = "DIGEST_AHEAD"  # "0": never start a helper
# The helper's work on one story, with what the build sent along with it (picklable): what it
# sends back (picklable), or None when it found nothing worth sending.
Work = Callable[[Story, Any], Any]


def wanted() -> bool:
    """Whether a helper may be started here and now (see the module's docstring)."""
    if os.environ.get(ENV, "").strip() == "0" or not hasattr(os, "fork"):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) >= 2 and threading.active_count() == 1


class Ahead:
    """The helper process of one build or wake-up, doing `work`; `close()` it (or use `with`)."""

    def __init__(self, work: Work, *, lookahead: bool = False) -> None:
        self.work = work
        self.lookahead = lookahead  # also ask for the next slot's candidates
        self.ready: dict[tuple[Story, Any], Any] = {}
        self._numbers: dict[tuple[Story, Any], int] = {}  # what was asked, by the number sent
        self._asked: dict[int, tuple[Story, Any]] = {}
        self._pid: int | None = None
        self._conn: Connection | None = None
        if wanted():
            self._start()

    @property
    def alive(self) -> bool:
        return self._conn is not None

    def want(self, candidates: Sequence[Story], count: int, context: Any) -> None:
        """Ask the helper for the first `count` candidates (twice that with lookahead), each
        with `context`; what was asked already is not asked again."""
        if self._conn is None:
            return
        work = []
        for story in candidates[: count * (2 if self.lookahead else 1)]:
            if (story, context) in self._numbers:
                continue
            number = len(self._asked)
            self._numbers[story, context], self._asked[number] = number, (story, context)
            work.append((number, story))
        if work:
            self._send(("work", work, context))

    def take(self, story: Story, context: Any) -> Any:
        """What the helper sent for `story` with `context`, or None: then the build computes it,
        and the helper is told to skip it."""
        self._drain()
        found = self.ready.get((story, context))
        number = self._numbers.get((story, context))
        if found is None and number is not None:
            self._send(("skip", number))
        return found

    def close(self) -> None:
        """Stop the helper (it holds nothing that must be finished)."""
        conn, pid = self._conn, self._pid
        self._conn = self._pid = None
        if conn is not None:
            conn.close()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        mine, theirs = Pipe(duplex=True)
        try:
            pid = os.fork()
        except OSError as exc:
            log.debug("no helper process: %s", exc)
            mine.close()
            theirs.close()
            return
        if pid == 0:  # the helper: never returns
            code = 0
            try:
                mine.close()
                _serve(theirs, self.work)
            except BaseException:  # its end, whatever it is, is silent: the build goes on
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self._pid, self._conn = pid, mine
        log.debug("helper process %d works ahead", pid)

    def _send(self, message: tuple[Any, ...]) -> None:
        if self._conn is None:
            return
        try:
            self._conn.send(message)
        except (OSError, ValueError):
            self._lost()

    def _drain(self) -> None:
        """Take every result the helper has sent so far, without waiting."""
        conn = self._conn
        try:
            while conn is not None and conn.poll():
                number, result = conn.recv()
                if result is not None and number in self._asked:
                    self.ready[self._asked[number]] = result
        except (OSError, EOFError, ValueError):
            self._lost()

    def _lost(self) -> None:
        log.debug("the helper process is gone; the build goes on alone")
        self.close()


def _serve(conn: Connection, work: Work) -> None:
    """The helper's loop: work through what was asked, last first, skipping what the build
    took; until the build closes its end (EOFError)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    logging.disable(logging.CRITICAL)  # what goes wrong here is the build's to say
    queue: deque[tuple[int, Story, Any]] = deque()
    skipped: set[int] = set()
    while True:
        if not queue or conn.poll():
            message = conn.recv()
            if message[0] == "skip":
                skipped.add(message[1])
            else:
                _, asked, context = message
                queue.extend((number, story, context) for number, story in reversed(asked))
            continue
        number, story, context = queue.popleft()
        if number in skipped:
            continue
        try:
            result = work(story, context)
        except Exception:  # the build does this story itself, and meets the failure there
            continue
        if result is not None:
            conn.send((number, result))
