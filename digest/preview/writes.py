"""The preview's writes: a POST to one of its forms' paths, let through by `guard`, carried out
by `actions`, answered with a 303 to the page it came from (which then shows the change), or
with the page that says what was not saved and why. A refused request (`guard.Refused`) gets
its status and reason as plain text. Either way, what was not done changed nothing.

One write at a time: the preview's request threads take turns, so a move's renumbered ranks
are never interleaved with another edit.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable
from email.message import Message

from digest.preview.actions import WRITES, NotSaved, Writer, act
from digest.preview.guard import Refused, Token, check_sender, check_token, read_form
from digest.preview.hosts import is_loopback
from digest.preview.pages import Response, not_saved
from digest.preview.watcher import Live

log = logging.getLogger(__name__)


class Writes:
    """The writes of one preview process: its token, its Site, who edits, where it listens."""

    def __init__(
        self,
        live: Live,
        *,
        port: int,
        allowed: frozenset[str],
        loopback: bool,
        by: str | None,
        token: Token | None = None,
    ) -> None:
        self.live, self.port, self.allowed, self.by = live, port, allowed, by
        self.loopback = loopback
        self.token = token or Token()
        self._lock = threading.Lock()

    @property
    def form_token(self) -> str | None:
        """The token the pages write into their forms; None (no forms) off loopback."""
        return self.token.value if self.loopback else None

    @staticmethod
    def handles(path: str) -> bool:
        """Whether `path` (the request target as sent) is one the forms post to."""
        return path in WRITES

    def answer(
        self, path: str, headers: Message, read: Callable[[int], bytes], client: str
    ) -> Response:
        """The answer to a POST of `path` from `client`; raises `Refused` (nothing changed)."""
        check_sender(
            headers,
            host=headers.get("Host", ""),
            port=self.port,
            allowed=self.allowed,
            local=self.loopback and is_loopback(client),
        )
        form = read_form(headers, read)
        check_token(form, self.token)
        with self._lock:
            site, generation = self.live.site()
            writer = Writer(site, self.by, self.live.clock())
            try:
                location = act(path, form, writer)
            except NotSaved as refused:
                log.info("preview: %s not saved: %s", path, refused)
                return not_saved(
                    site,
                    refused.problems,
                    status=refused.status,
                    back=refused.back,
                    retry=refused.retry,
                    generation=generation,
                    token=self.token.value,
                )
            except Refused:
                raise
            except BaseException:
                self.live.changed()  # a move may have written some ranks before it failed
                raise
            self.live.changed()
        log.info("preview: %s by %s: done", path, self.by or "someone unnamed")
        return Response(303, "text/plain; charset=utf-8", b"", kind="static", location=location)


def login_name() -> str | None:
    """Who runs the preview (the name its edits and approvals are signed with); None when the
    system cannot say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
