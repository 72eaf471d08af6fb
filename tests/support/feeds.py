"""A local HTTP server for the sources' tests: fixture feeds, failures and slow or huge bodies.

Use it as a context manager (`with serve() as server:`) or as a fixture: write
`feed_server = serve_fixture()` at the top of the test module and take `feed_server` as an argument
(an imported fixture trips ruff's F811; pytest_plugins in a test module spoils assert rewriting):

    def test_fetch(feed_server: FeedServer) -> None:
        feed_server.route("/feed.xml", body=feed("rss2.xml"), etag='"v1"')
        feed_server.route("/gone", status=404)
        feed_server.route("/old", redirect="/feed.xml")          # 302 to /feed.xml
        feed_server.route("/slow", body=b"x" * 10, drip=0.2)      # one byte every 0.2 s
        feed_server.route("/huge", body=zeros(50_000_000))        # streamed, never held in memory
        url = feed_server.url("/feed.xml")
        ...
        assert feed_server.requests[-1].headers["If-None-Match"] == '"v1"'

A route with `etag` or `last_modified` answers 304 with no body when the request's If-None-Match
or If-Modified-Since matches, as a real server does. Every request is recorded in `requests`
(method, path, headers). The server listens on 127.0.0.1, port 0, in a daemon thread.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEEDS = Path(__file__).resolve().parent.parent / "data" / "feeds"


def feed(name: str) -> bytes:
    """The bytes of tests/data/feeds/<name>."""
    return (FEEDS / name).read_bytes()


def zeros(size: int, chunk: int = 1 << 16) -> Callable[[], Iterator[bytes]]:
    """A body of `size` zero bytes made chunk by chunk on each request (never all in memory)."""

    def body() -> Iterator[bytes]:
        left = size
        block = b"\0" * chunk
        while left > 0:
            yield block[: min(chunk, left)]
            left -= chunk

    return body


Body = bytes | Callable[[], Iterable[bytes]]


@dataclass
class Route:
    """What the server answers on one path."""

    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml"
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between single bytes of the body (a slow-drip server)
    redirect: str | None = None  # Location; status defaults to 302
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None  # "gzip" or "deflate": the body is compressed as it is sent
    length: bool = True  # send Content-Length when the body is bytes


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class FeedServer:
    """The running server: set `routes` (or call `route`), read `requests`."""

    def __init__(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.stopping = threading.Event()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base + path

    def route(self, path: str, **fields: object) -> Route:
        """Serve `path` with a Route built from `fields`; returns it (tests may change it later)."""
        route = Route(**fields)  # type: ignore[arg-type]
        if route.redirect is not None and route.status == 200:
            route.status = 302
        self.routes[path] = route
        return route

    def hits(self, path: str) -> list[Request]:
        """The requests made for `path`, in order."""
        return [r for r in self.requests if r.path == path]


def _chunks(body: Body) -> Iterable[bytes]:
    return [body] if isinstance(body, bytes) else body()


def _encoded(chunks: Iterable[bytes], encoding: str | None) -> Iterator[bytes]:
    if encoding is None:
        yield from chunks
        return
    wbits = 31 if encoding == "gzip" else 15
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    for chunk in chunks:
        out = packer.compress(chunk)
        if out:
            yield out
    yield packer.flush()


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    if route.etag is not None and headers.get("If-None-Match") == route.etag:
        return True
    return route.last_modified is not None and headers.get("If-Modified-Since") == (
        route.last_modified
    )


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection; a body may end at close

        def log_message(self, format: str, *args: object) -> None:  # the tests stay quiet
            pass

        def do_GET(self) -> None:
            headers = dict(self.headers.items())
            server.requests.append(Request("GET", self.path, headers))
            route = server.routes.get(self.path.split("?")[0]) or Route(404, b"no such route")
            # The client may give up (a size cap, a timeout): what the test wanted.
            with suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self._answer(route, headers)

        def _answer(self, route: Route, headers: dict[str, str]) -> None:
            if route.delay and server.stopping.wait(route.delay):
                return
            if _not_modified(route, headers):
                self._head(304, route, None)
                return
            body = route.body
            if isinstance(body, bytes) and route.encoding is None and route.length:
                self._head(route.status, route, len(body))
            else:
                self._head(route.status, route, None)
            for chunk in _encoded(_chunks(body), route.encoding):
                if route.drip:
                    for i in range(len(chunk)):
                        if server.stopping.wait(route.drip):
                            return
                        self.wfile.write(chunk[i : i + 1])
                        self.wfile.flush()
                else:
                    self.wfile.write(chunk)

        def _head(self, status: int, route: Route, length: int | None) -> None:
            self.send_response(status)
            if route.redirect is not None:
                self.send_header("Location", route.redirect)
            if status != 304:
                self.send_header("Content-Type", route.content_type)
            if route.encoding is not None and status != 304:
                self.send_header("Content-Encoding", route.encoding)
            if route.etag is not None:
                self.send_header("ETag", route.etag)
            if route.last_modified is not None:
                self.send_header("Last-Modified", route.last_modified)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()

    return Handler


@contextmanager
def serve() -> Iterator[FeedServer]:
    """Run a FeedServer on 127.0.0.1 for the duration of the block."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.daemon_threads = True
    server = FeedServer(httpd)
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def serve_fixture() -> Callable[[], Iterator[FeedServer]]:
    """A pytest fixture giving each test its own FeedServer: `feed_server = serve_fixture()`."""

    @pytest.fixture
    def feed_server() -> Iterator[FeedServer]:
        with serve() as server:
            yield server

    return feed_server  # type: ignore[no-any-return]


def gzipped(data: bytes) -> bytes:
    """`data` gzip-compressed (for a route that sends pre-compressed bytes with its own header)."""
    return gzip.compress(data)
