"""The preview's HTTP server: loopback by default, GET only, Host checked, a CSP on every answer.

Pages come from `pages.respond`, which names its pages from the Site and never joins a request
path onto a folder. `/events` is a server-sent event stream: "hello" on connect, "change" when
the watcher sees a saved seed, template or config.toml. A request must carry exactly one Host
header, naming an address the preview answers to (`allowed_hosts`).
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import re
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from digest.errors import ConfigError, DigestError
from digest.preview.pages import Response, failure, respond
from digest.preview.watcher import POLL_SECONDS, Live, utc_now

log = logging.getLogger(__name__)
LOOPBACK = frozenset(("localhost", "127.0.0.1", "[::1]"))
HEARTBEAT_SECONDS = 15.0
CSP = {
    "page": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    # The email itself: its inline styles and remote images, never a script.
    "frame": "default-src 'none'; style-src 'unsafe-inline' https:; img-src https: data:; "
    "font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox",
    "static": "default-src 'none'; style-src 'unsafe-inline'",
}
_PORT = re.compile(r"(?::\d{1,5})?")


def _canonical(name: str) -> str:
    """A Host name as the allowed set spells it: lower case, IPv6 in brackets, compressed."""
    name = name.strip().lower()
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name
    return f"[{address}]" if address.version == 6 else str(address)


def allowed_hosts(host: str) -> frozenset[str]:
    """The Host names a preview bound to `host` answers to.

    The loopback names always; a concrete address or name it is bound to as well. Bound to every
    interface (0.0.0.0 or ::) there is no one name a client would use, so only loopback names.
    """
    try:
        if ipaddress.ip_address(host.strip("[]")).is_unspecified:
            return LOOPBACK
    except ValueError:
        pass
    name = _canonical(host if ":" not in host or host.startswith("[") else f"[{host}]")
    return LOOPBACK | ({name} - {"", "[]"})


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the preview on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    """One request: checked (Host, method, path), then answered from the current Site."""

    server: PreviewHTTPServer
    server_version = "digest-preview"
    sys_version = ""

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or not self.server.host_allowed(hosts[0]):
            names = ", ".join(sorted(self.server.allowed))
            self.reply(400, f"bad Host header (one is needed); the preview answers to {names}\n")
            return False
        if self.command != "GET":
            self.reply(405, "the preview is read-only: GET only\n", {"Allow": "GET"})
            return False
        return True

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        segments = path.split("/")
        if not path.startswith("/") or any(s in (".", "..") or "\\" in s for s in segments):
            self.reply(404, "not found\n")
            return
        if "\x00" in path:
            self.reply(404, "not found\n")
            return
        if path == "/events":
            self.events()
            return
        generation = self.server.live.generation
        try:
            site, generation = self.server.live.site()
            response = respond(site, path, live=True, generation=generation)
        except Exception:  # a page that keeps live reload; the traceback goes to the log
            log.exception("preview: %s failed", path)
            response = failure(path, generation)
        self.send(response)

    def send(self, response: Response) -> None:
        self.send_response(response.status)
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
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "SAMEORIGIN" if kind == "frame" else "DENY")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")

    def events(self) -> None:
        """Server-sent events: "hello" with the generation, then "change" on every new one."""
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
                self.wfile.write(f"event: change\ndata: {generation}\n\n".encode())
        except OSError:  # the page went away
            pass

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("preview: %s %s", self.address_string(), format % args)


class PreviewHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its Live site and the Host names it answers to."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], live: Live, allowed: frozenset[str]) -> None:
        self.live, self.allowed = live, allowed
        super().__init__(address, Handler)

    def host_allowed(self, value: str) -> bool:
        value = value.strip().lower()
        if value.startswith("["):
            name, _, port = value.partition("]")
            name += "]"
        else:
            name, _, port = value.partition(":")
            port = f":{port}" if port else ""
        return _canonical(name) in self.allowed and _PORT.fullmatch(port) is not None


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
) -> PreviewServer:
    """Bind the preview to `host:port` (port 0: any free one) and start watching the files.

    A config with problems is shown on the page (fixing it reloads it); a missing one is an error.
    """
    if not Path(config).is_file():
        raise ConfigError(config, [("(file)", "not found; pass --config PATH or create it")])
    allowed = allowed_hosts(host)
    live = Live(config, seeds, clock=clock, interval=interval)
    kind = PreviewHTTPServer6 if ":" in host else PreviewHTTPServer
    try:
        httpd = kind((host, port), live, allowed)
    except OSError as error:
        live.stop()
        if error.errno == errno.EADDRINUSE:
            raise DigestError(
                f"{host}:{port} is in use; pass --port N, or --port 0 for any free port"
            ) from None
        raise DigestError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    if not is_loopback(host):
        _warn_beyond_loopback(host, int(httpd.server_address[1]), allowed)
    live.start()
    return PreviewServer(httpd, live)


def _warn_beyond_loopback(host: str, port: int, allowed: frozenset[str]) -> None:
    """Say who can reach the preview, and which Host names it answers to."""
    loopback = ", ".join(sorted(LOOPBACK))
    if allowed == LOOPBACK:  # every interface
        log.warning(
            "digest preview: listening on %s (every interface), not loopback: other machines "
            "can reach the port, but the preview answers only to the loopback Host names "
            "(%s), so a browser on another machine gets 400 Bad Host; to preview from another "
            "machine pass --host with this machine's own IP and open http://<that IP>:%d/; "
            "leave out --host to keep it on 127.0.0.1",
            host,
            loopback,
            port,
        )
        return
    (name,) = allowed - LOOPBACK
    log.warning(
        "digest preview: listening on %s, not loopback: other machines can reach the preview "
        "at http://%s:%d/ (it answers to Host %s and to %s, no other name); leave out --host "
        "to keep it on 127.0.0.1",
        host,
        name,
        port,
        name,
        loopback,
    )
