"""http.fetch against a local server: conditional GET, failures with their reasons, size caps
after decoding, redirects, timeouts, the User-Agent and the private-address rule."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import httpcore
import httpx
import pytest
from support.feeds import FeedServer, feed, serve_fixture, zeros

from digest import __version__
from digest.sources import connect
from digest.sources.http import MAX_REDIRECTS, FetchError, fetch

feed_server = serve_fixture()
FAST = 0.5  # seconds: every timeout test stays short


def test_a_feed_is_fetched_with_its_validators(feed_server: FeedServer) -> None:
    body = feed("rss2.xml")
    feed_server.route("/f", body=body, etag='"v1"', last_modified="Fri, 27 Nov 2026 16:30:00 GMT")
    got = fetch(feed_server.url("/f"))
    assert (got.status, got.body, got.url) == (200, body, feed_server.url("/f"))
    assert got.content_type == "application/xml"
    assert (got.etag, got.last_modified) == ('"v1"', "Fri, 27 Nov 2026 16:30:00 GMT")


@pytest.mark.parametrize(
    ("etag", "modified", "header"),
    [('"v1"', None, "If-None-Match"), (None, "Fri, 27 Nov 2026 16:30:00 GMT", "If-Modified-Since")],
)
def test_a_304_second_fetch(
    feed_server: FeedServer, etag: str | None, modified: str | None, header: str
) -> None:
    feed_server.route("/f", body=feed("rss2.xml"), etag='"v1"', last_modified=modified)
    first = fetch(feed_server.url("/f"))
    second = fetch(feed_server.url("/f"), etag=etag, last_modified=modified)
    assert first.status == 200
    assert (second.status, second.body) == (304, b"")
    assert second.etag == '"v1"'  # kept for the next fetch
    assert header not in feed_server.requests[0].headers
    assert feed_server.requests[1].headers[header] == (etag or modified)


def test_the_user_agent_names_digest_and_its_version(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"<rss/>")
    fetch(feed_server.url("/f"))
    agent = feed_server.requests[0].headers["User-Agent"]
    assert agent.startswith(f"digest/{__version__} ")
    assert "gzip" in feed_server.requests[0].headers["Accept-Encoding"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (410, "HTTP 410 Gone")],
)
def test_an_error_status_is_a_fetch_error(
    feed_server: FeedServer, status: int, reason: str
) -> None:
    feed_server.route("/f", status=status, body=b"<html>oops</html>")
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/f"))
    assert caught.value.reason == reason
    assert feed_server.url("/f") in str(caught.value)


def test_a_slow_server_past_the_timeout(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"<rss/>", delay=5)
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/f"), timeout=FAST)
    assert caught.value.reason == "timeout after 0.5 s"


def test_a_slow_drip_fails_at_the_total_deadline(feed_server: FeedServer) -> None:
    """Each byte comes well within the read timeout; the total deadline still ends the fetch."""
    feed_server.route("/f", body=b"x" * 200, drip=0.05)  # 10 s in all
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/f"), timeout=FAST)
    assert caught.value.reason == "timeout after 0.5 s"


@pytest.mark.parametrize("length", [True, False])
def test_a_50_mb_body_is_refused_at_the_cap(feed_server: FeedServer, length: bool) -> None:
    feed_server.route("/f", body=zeros(50_000_000), length=length)
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/f"), max_bytes=5_000_000)
    assert caught.value.reason == "over 5000000 bytes"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_body_is_counted_after_decoding(
    feed_server: FeedServer, encoding: str
) -> None:
    """50 MB of zeros arrive as ~50 KB compressed: the cap counts what they decode to."""
    feed_server.route("/bomb", body=zeros(50_000_000), encoding=encoding)
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/bomb"), max_bytes=1_000_000)
    assert caught.value.reason == "over 1000000 bytes"
    body = feed("rss2.xml")
    feed_server.route("/ok", body=lambda: [body[:1000], body[1000:]], encoding=encoding)
    assert fetch(feed_server.url("/ok"), max_bytes=len(body)).body == body


def test_a_body_of_exactly_the_cap_passes(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=zeros(10_000))
    assert len(fetch(feed_server.url("/f"), max_bytes=10_000).body) == 10_000
    with pytest.raises(FetchError, match="over 9999 bytes"):
        fetch(feed_server.url("/f"), max_bytes=9_999)


def test_broken_gzip_is_a_fetch_error(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="broken gzip body"):
        fetch(feed_server.url("/f"))


def test_an_encoding_not_asked_for_is_refused(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"\x1b", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        fetch(feed_server.url("/f"))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed_and_the_final_url_kept(
    feed_server: FeedServer, status: int
) -> None:
    feed_server.route("/old", status=status, redirect="/middle")
    feed_server.route("/middle", redirect=feed_server.url("/new"))  # absolute Location too
    feed_server.route("/new", body=b"<rss/>")
    got = fetch(feed_server.url("/old"), etag='"e"')
    assert (got.url, got.body) == (feed_server.url("/new"), b"<rss/>")
    assert [r.path for r in feed_server.requests] == ["/old", "/middle", "/new"]
    assert feed_server.requests[-1].headers["If-None-Match"] == '"e"'


def test_a_redirect_loop(feed_server: FeedServer) -> None:
    feed_server.route("/a", redirect="/b")
    feed_server.route("/b", redirect="/a")
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/a"))
    assert caught.value.reason == "redirect loop"
    assert len(feed_server.requests) == 2


def test_five_redirects_are_followed_and_a_sixth_refused(feed_server: FeedServer) -> None:
    for hop in range(7):
        feed_server.route(f"/{hop}", redirect=f"/{hop + 1}")
    feed_server.route("/7", body=b"<rss/>")
    feed_server.route("/start5", redirect="/3")  # 5 hops: /3 /4 /5 /6 /7
    assert fetch(feed_server.url("/start5")).body == b"<rss/>"
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/1"))  # 6 hops
    assert caught.value.reason == f"more than {MAX_REDIRECTS} redirects"


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "ftp://example.org/feed", "gopher://x/", "javascript:alert(1)"],
)
def test_a_redirect_to_another_scheme_is_refused(feed_server: FeedServer, location: str) -> None:
    feed_server.route("/f", redirect=location)
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/f"))
    assert caught.value.reason.startswith("refused: ")
    assert feed_server.hits("/f") and len(feed_server.requests) == 1


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/f", "data:,hello", "/relative", "http://"]
)
def test_only_http_and_https_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="refused: "):
        fetch(url)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fd00::5", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "not public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_which_addresses_are_private(address: str, kind: str | None) -> None:
    assert connect.kind_of(ipaddress.ip_address(address)) == kind


def test_the_local_server_is_refused_without_allow_private(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"<rss/>")
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/f"), allow_private=False)
    assert caught.value.reason == "refused: 127.0.0.1 is a private address (loopback)"
    assert feed_server.requests == []  # nothing was sent


@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.1", "::1"])
def test_a_redirect_to_a_private_address_is_refused(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    """A public host redirecting to the metadata service: the second hop is refused."""
    port = int(feed_server.url("/").rsplit(":", 1)[1].split("/")[0])
    _resolve_as(monkeypatch, {"public.example": ["93.184.216.34"]})
    connected = _connect_to_local(monkeypatch, port)
    shown = f"[{address}]" if ":" in address else address
    feed_server.route("/f", redirect=f"http://{shown}:{port}/latest/meta-data/")
    with pytest.raises(FetchError) as caught:
        fetch(f"http://public.example:{port}/f", allow_private=False)
    assert caught.value.reason.startswith(f"refused: {address} is a private address")
    assert connected == ["93.184.216.34"]  # the first hop only


def test_a_host_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolve_as(monkeypatch, {"mixed.example": ["93.184.216.34", "127.0.0.1"]})
    with pytest.raises(FetchError) as caught:
        fetch("http://mixed.example/feed", allow_private=False)
    assert (
        caught.value.reason == "refused: 127.0.0.1 (mixed.example) is a private address (loopback)"
    )


def test_the_connection_goes_to_the_address_checked(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name resolves public when checked and private after. digest resolves
    once and connects to the checked address, so the second answer is never asked for."""
    port = int(feed_server.url("/").rsplit(":", 1)[1].split("/")[0])
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    lookups: list[str] = []

    real = socket.getaddrinfo

    def rebinding(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "127.0.0.1":  # the test's own connection to the local server
            return real(host, *args, **kwargs)
        lookups.append(host)
        return [_info(a, port) for a in next(answers)]

    monkeypatch.setattr(connect.socket, "getaddrinfo", rebinding)
    connected = _connect_to_local(monkeypatch, port)
    feed_server.route("/f", body=b"<rss/>")
    got = fetch(f"http://rebind.example:{port}/f", allow_private=False)
    assert got.body == b"<rss/>"
    assert lookups == ["rebind.example"]
    assert connected == ["93.184.216.34"]
    assert feed_server.requests[0].headers["Host"] == f"rebind.example:{port}"


def test_allow_private_reaches_the_local_server(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"<rss/>")
    assert fetch(feed_server.url("/f"), allow_private=True).body == b"<rss/>"


def test_an_unknown_host_is_a_fetch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(connect.socket, "getaddrinfo", fail)
    with pytest.raises(FetchError, match=r"cannot resolve nowhere\.example"):
        fetch("https://nowhere.example/feed")


def test_a_refused_connection_is_a_fetch_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect"):
        fetch(f"http://127.0.0.1:{port}/feed")


def test_a_client_passed_in_is_used() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"<rss/>", headers={"ETag": '"m"'})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        got = fetch("https://feeds.example/rss", client=client)
    assert (got.body, got.etag) == (b"<rss/>", '"m"')
    assert seen[0].headers["User-Agent"].startswith("digest/")


def _info(address: str, port: int) -> Any:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
    return (family, socket.SOCK_STREAM, 6, "", sockaddr)


def _resolve_as(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in names:
            return [_info(a, int(port)) for a in names[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(connect.socket, "getaddrinfo", fake)


def _connect_to_local(monkeypatch: pytest.MonkeyPatch, port: int) -> list[str]:
    """Record the address each connection is made to, and make it to the local server."""
    connected: list[str] = []
    real = httpcore.SyncBackend.connect_tcp

    def record(self: Any, host: str, _port: int, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        return real(self, "127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", record)
    return connected
