"""The preview's HTTP server: loopback by default, Host checked, a CSP on every answer; GET only,
but for the POSTs of its own forms (`writes`: an edit, a move, an approval, a hold; each path
takes POST only).

Pages come from `pages.respond`, which names its pages from the Site and never joins a request
path onto a folder. `/events` is a server-sent event stream: "hello" on connect, "change" when
the watcher sees a saved seed, template or config.toml; a client that names the page it shows
(`/events?page=<path>`) gets that page, built at once, in a "page" event instead (`push`). A
request must carry exactly one Host header, naming an address the preview answers to
(`allowed_hosts`).
"""

from __future__ import annotations

import errno
import io
import logging
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from digest.clock import utc_now
from digest.config.source import read_file
from digest.errors import DigestError
from digest.preview.connection import HeadReader
from digest.preview.guard import Refused
from digest.preview.hosts import (
    allowed_hosts,
    host_allowed,
    is_loopback,
    origin_form,
    warn_beyond_loopback,
)
from digest.preview.pages import Response, failure, respond
from digest.preview.push import checked_path, payload
from digest.preview.watcher import POLL_SECONDS, Live
from digest.preview.writes import Writes, login_name

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
REQUEST_SECONDS = 10.0  # how long a request may take to arrive; a browser sends it at once
CSP = {
    "page": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    # A page with the preview's forms: the same, but its forms may post to the preview.
    "form": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    # The email itself: its inline styles and remote images, never a script.
    "frame": "default-src 'none'; style-src 'unsafe-inline' https:; img-src https: data:; "
    "font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox",
    "static": "default-src 'none'; style-src 'unsafe-inline'",
    # A file of the archive's site: its pages' own styles, web fonts and remote images, never a
    # script (the pages' own CSP meta narrows this further); sandboxed, in an origin of its own.
    "archive": "default-src 'none'; style-src 'unsafe-inline' https:; img-src https: data:; "
    "font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox",
}


def viewed(query: str) -> str | None:
    """The page an event stream's client shows (`?page=<path>`), when a request could name it."""
    pages = parse_qs(query).get("page", [])
    return checked_path(unquote(pages[0])) if len(pages) == 1 else None


class Handler(BaseHTTPRequestHandler):
    """One request: checked (Host, method, path), then answered from the current Site."""

    server: PreviewHTTPServer
    server_version = "digest-preview"
    sys_version = ""

    def setup(self) -> None:
        # Seconds a request head has to arrive whole, and then each write may take: an idle or
        # half-sent connection is closed instead of holding a thread. The event stream only
        # writes, so the quiet gaps between its events are never timed.
        super().setup()
        self.connection.settimeout(self.server.request_timeout)
        self.rfile.close()  # the plain socket reader, replaced by one with a deadline
        self.head = HeadReader(self.connection)
        self.rfile = io.BufferedReader(self.head)

    def handle_one_request(self) -> None:
        # Also how long a keep-alive connection may wait for its next request.
        self.head.start(self.server.request_timeout)
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.head.stop(self.server.request_timeout)
        if not parsed:
            return False
        names = ", ".join(sorted(self.server.allowed))
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not self.server.host_allowed(hosts[0]):
            self.reply(400, f"bad Host header (one is needed); the preview answers to {names}\n")
            return False
        target = origin_form(self.path, self.server.allowed)
        if target is None:
            self.reply(400, f"the request names another host; the preview answers to {names}\n")
            return False
        self.path = target
        writes = self.server.writes.handles(target)
        if writes and self.command != "POST":
            self.reply(405, "this path takes the preview's forms: POST only\n", {"Allow": "POST"})
            return False
        if not writes and self.command != "GET":
            self.reply(405, "the preview is read-only here: GET only\n", {"Allow": "GET"})
            return False
        return True

    def do_POST(self) -> None:
        # A form of the preview (parse_request let only its paths through). The body has the
        # request's own deadline to arrive, as the head had.
        def read(length: int) -> bytes:
            self.head.start(self.server.request_timeout)
            try:
                return self.rfile.read(length)
            except OSError:  # TimeoutError among them: a body that trickles or stops
                raise Refused(408, "the form did not arrive in time") from None
            finally:
                self.head.stop(self.server.request_timeout)

        client = str(self.client_address[0])
        try:
            response = self.server.writes.answer(self.path, self.headers, read, client)
        except Refused as refused:
            log.warning("preview: %s refused (%d): %s", self.path, refused.status, refused.reason)
            self.reply(refused.status, f"refused: {refused.reason}; nothing was changed\n")
            return
        except Exception:  # the traceback goes to the log; the editor gets a page that says so
            log.exception("preview: %s failed", self.path)
            response = failure(self.path, self.server.live.generation)
        self.send(response)

    def do_GET(self) -> None:
        # The path is what comes before `?`: never urlsplit's reading, which takes `//host/x`
        # for a host and the path `/x`.
        target, _, query = self.path.partition("#")[0].partition("?")
        path = checked_path(unquote(target))
        if path is None:
            self.reply(404, "not found\n")
            return
        if path == "/events":
            self.events(viewed(query))
            return
        generation = self.server.live.generation
        try:
            site, generation = self.server.live.site()
            token = self.server.writes.form_token
            response = respond(site, path, live=True, generation=generation, token=token)
        except Exception:  # a page that keeps live reload; the traceback goes to the log
            log.exception("preview: %s failed", path)
            response = failure(path, generation)
        self.send(response)

    def send(self, response: Response) -> None:
        self.send_response(response.status)
        if response.location is not None:
            self.send_header("Location", response.location)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.security_headers(response.kind)
        self.end_headers()
        self.wfile.write(response.body)

    def reply(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        """A short plain-text answer (errors), with the same safety headers as every page."""
        body = text.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.security_headers("static")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.reply(code, f"{message or self.responses.get(code, ('error',))[0]}\n")

    def security_headers(self, kind: str) -> None:
        self.send_header("Content-Security-Policy", CSP[kind])
        self.send_header("X-Content-Type-Options", "nosniff")
        # A page with forms names its origin in its POSTs (no-referrer would make it "null").
        self.send_header("Referrer-Policy", "same-origin" if kind == "form" else "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "SAMEORIGIN" if kind == "frame" else "DENY")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")

    def events(self, page: str | None) -> None:
        """Server-sent events: "hello" with the generation, then on every new one "change", or,
        for the `page` the client shows, "page" with that page (see `push`)."""
        live = self.server.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.security_headers("static")
        self.end_headers()
        self.close_connection = True
        generation = live.generation
        try:
            self.wfile.write(f"retry: 500\nevent: hello\ndata: {generation}\n\n".encode())
            while not live.stopped:
                new = live.wait(generation, HEARTBEAT_SECONDS)
                if live.stopped:
                    break
                if new == generation:
                    self.wfile.write(b": still here\n\n")
                    continue
                generation = new
                data = None
                if page is not None:
                    try:
                        site, generation = live.site()
                        data = payload(site, page, generation, self.server.writes.form_token)
                    except Exception:  # then the page asks for itself, and gets what do_GET has
                        log.exception("preview: the page event for %s failed", page)
                if data is None:
                    self.wfile.write(f"event: change\ndata: {generation}\n\n".encode())
                else:
                    self.wfile.write(b"event: page\ndata: " + data + b"\n\n")
        except OSError:  # the page went away
            pass

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("preview: %s %s", self.address_string(), format % args)


class PreviewHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its Live site, the Host names it answers to, and its
    writes (the forms' token, who edits)."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        live: Live,
        allowed: frozenset[str],
        request_timeout: float = REQUEST_SECONDS,
        editor: str | None = None,
    ) -> None:
        self.live, self.allowed, self.request_timeout = live, allowed, request_timeout
        super().__init__(address, Handler)
        port = int(self.server_address[1])
        loopback = is_loopback(address[0])
        self.writes = Writes(live, port=port, allowed=allowed, loopback=loopback, by=editor)

    def host_allowed(self, value: str) -> bool:
        """Whether the Host header `value` names this preview."""
        return host_allowed(value, self.allowed)


class PreviewHTTPServer6(PreviewHTTPServer):
    address_family = socket.AF_INET6


class PreviewServer:
    """A running preview: its URL, and the server and watcher behind it."""

    def __init__(self, httpd: PreviewHTTPServer, live: Live) -> None:
        self.httpd, self.live = httpd, live
        host, port = str(httpd.server_address[0]), httpd.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"
        self._thread: threading.Thread | None = None
        self._served = False

    def serve_forever(self) -> None:
        """Answer requests until `close` (or Ctrl-C in the caller)."""
        self._served = True
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> PreviewServer:
        """Answer requests in a background thread (for tests and the benchmark)."""
        self._served = True
        self._thread = threading.Thread(target=self.serve_forever, name="preview", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the watcher, release the event streams, stop answering."""
        self.live.stop()
        if self._served:  # shutdown() waits for a serve_forever loop, so only after one
            self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def start_server(
    config: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    seeds: Path | None = None,
    clock: Callable[[], datetime] = utc_now,
    interval: float = POLL_SECONDS,
    request_timeout: float = REQUEST_SECONDS,
    events: bool | None = None,
    editor: str | None = None,
) -> PreviewServer:
    """Bind the preview to `host:port` (port 0: any free one) and start watching the files.

    `editor` signs what the preview's forms write (edits, approvals); by default the login
    name. Its forms are shown, and their POSTs taken, only on loopback.

    The watcher waits for file events, or polls (`interval` seconds apart at most) when `events`
    is False, when DIGEST_PREVIEW_POLL=1 asks for it (`events` None), or when events cannot be had.
    A config with problems is shown on the page (fixing it reloads it); a missing one is an error.
    """
    read_file(Path(config))  # missing, a folder, a FIFO: one clean error before binding
    if not 0 <= port <= 65535:
        raise DigestError(
            f"port {port} is out of range; pass --port 1-65535, or 0 for any free one"
        )
    allowed = allowed_hosts(host)
    live = Live(config, seeds, clock=clock, interval=interval, events=events)
    kind = PreviewHTTPServer6 if ":" in host else PreviewHTTPServer
    try:
        httpd = kind((host, port), live, allowed, request_timeout, editor or login_name())
    except OSError as error:
        live.stop()
        if error.errno == errno.EADDRINUSE:
            raise DigestError(
                f"{host}:{port} is in use; pass --port N, or --port 0 for any free port"
            ) from None
        raise DigestError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    if not is_loopback(host):
        warn_beyond_loopback(host, int(httpd.server_address[1]), allowed)
    live.start()
    return PreviewServer(httpd, live)
