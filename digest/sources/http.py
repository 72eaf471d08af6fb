"""Fetch one URL for the sources, safely: http(s) only on every hop, at most 5 redirects, a
size cap counted after gzip/deflate decoding (memory stays bounded under a gzip bomb), connect
and total timeouts, a User-Agent naming digest, and, unless allowed, no private address.

    fetched = fetch("https://example.org/feed.xml", etag=old_etag, timeout=10, max_bytes=5_000_000)
    if fetched.status == 304: ...  # unchanged since old_etag
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from digest import __version__
from digest.errors import DigestError
from digest.sources.connect import RULES, GuardedBackend, Refused, Rules

USER_AGENT = f"digest/{__version__} (newsletter and social digest builder; feed fetcher)"
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CONNECT_TIMEOUT = 5.0


class FetchError(DigestError):
    """A fetch that failed; `reason` is short, for a log line and the journal."""

    def __init__(self, reason: str, url: str = "") -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{url}: {reason}" if url else reason)


@dataclass(frozen=True)
class Fetched:
    """A fetched URL: its final address after redirects, and the body (b"" for a 304)."""

    url: str
    status: int  # 200 (or another 2xx) or 304
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None


class _Transport(httpx.HTTPTransport):
    """httpx's transport with digest's own network backend (httpx 0.28 has no parameter for it:
    the pool is replaced; the version is pinned in pyproject.toml)."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_keepalive_connections=0,  # a connection checked under one fetch's rules only
            network_backend=GuardedBackend(),
        )


def new_client() -> httpx.Client:
    """A client whose connections follow each fetch's rules (private addresses, deadline)."""
    return httpx.Client(transport=_Transport(), trust_env=False, follow_redirects=False)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    max_bytes: int = 5_000_000,
    allow_private: bool = True,
    client: httpx.Client | None = None,
) -> Fetched:
    """GET `url` (conditionally, given an ETag or Last-Modified); raise FetchError with the reason.

    A `client` passed in is used as it is: only a client from `new_client()` checks addresses
    at connect time (tests pass one with `httpx.MockTransport`).
    """
    rules = Rules(deadline=time.monotonic() + timeout, allow_private=allow_private)
    token = RULES.set(rules)
    own = client is None
    session = new_client() if client is None else client
    try:
        return _follow(session, url, _headers(etag, last_modified), timeout, max_bytes, rules)
    except httpx.TimeoutException:
        raise FetchError(f"timeout after {timeout:g} s", url) from None
    except httpx.HTTPError as exc:
        raise FetchError(_said(exc), url) from None
    except (FetchError, Refused) as exc:
        raise FetchError(exc.reason, url) from None
    finally:
        RULES.reset(token)
        if own:
            session.close()


def _headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    headers["Accept"] = (
        "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5"
    )
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _said(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.DecodingError | httpx.RemoteProtocolError):
        return f"broken response ({exc})"
    return f"{type(exc).__name__} ({exc})"


def _web(url: str) -> str:
    """`url` when it is an absolute http(s) URL with a host; FetchError otherwise."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchError(f"refused: not a valid URL ({url[:80]!r})") from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"{parts.scheme}:" if parts.scheme else repr(url[:40])
        raise FetchError(f"refused: only http and https are fetched, not {shown}")
    if not parts.hostname:
        raise FetchError(f"refused: no host in {url[:80]!r}")
    return url


def _follow(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
    rules: Rules,
) -> Fetched:
    limits = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    seen = [_web(url)]
    while True:
        try:
            request = client.build_request("GET", seen[-1], headers=headers, timeout=limits)
        except httpx.InvalidURL as exc:
            raise FetchError(f"refused: not a valid URL ({exc})") from None
        try:
            response = client.send(request, stream=True, follow_redirects=False)
        except httpx.InvalidURL as exc:  # httpx reads a redirect's Location as it answers
            raise FetchError(f"refused: a redirect to no valid http(s) URL ({exc})") from None
        try:
            if response.status_code not in REDIRECTS or "location" not in response.headers:
                return _answer(response, seen[-1], headers, max_bytes, rules)
        finally:
            response.close()
        target = _web(urljoin(seen[-1], response.headers["location"]))
        if target in seen:
            raise FetchError("redirect loop")
        if len(seen) > MAX_REDIRECTS:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects")
        seen.append(target)


def _answer(
    response: httpx.Response, url: str, sent: dict[str, str], max_bytes: int, rules: Rules
) -> Fetched:
    status = response.status_code
    if status != 304 and not 200 <= status < 300:
        raise FetchError(f"HTTP {status} {response.reason_phrase}".strip())
    etag = response.headers.get("etag") or (sent.get("If-None-Match") if status == 304 else None)
    modified = response.headers.get("last-modified") or (
        sent.get("If-Modified-Since") if status == 304 else None
    )
    body = b"" if status == 304 else _body(response, max_bytes, rules)
    return Fetched(
        url=url,
        status=status,
        body=body,
        content_type=response.headers.get("content-type", ""),
        etag=etag,
        last_modified=modified,
    )


def _body(response: httpx.Response, max_bytes: int, rules: Rules) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    declared = response.headers.get("content-length", "")
    if encoding == "identity" and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"over {max_bytes} bytes (Content-Length {declared})")
    parts: list[bytes] = []
    size = 0
    # A response read in advance (httpx.MockTransport in tests) is whole and decoded already.
    raw = iter([response.content]) if response.is_stream_consumed else response.iter_raw()
    for chunk in _decoded(raw, encoding, max_bytes):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"over {max_bytes} bytes")
        if time.monotonic() > rules.deadline:
            raise httpx.ReadTimeout("past the fetch's deadline")
        parts.append(chunk)
    return b"".join(parts)


def _decoded(raw: Iterator[bytes], encoding: str, max_bytes: int) -> Iterator[bytes]:
    """The decoded body, each step at most max_bytes + 1 long (a gzip bomb never inflates)."""
    if encoding in ("identity", ""):
        yield from raw
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported Content-Encoding {encoding[:20]!r}")
    wbits = zlib.MAX_WBITS | 16 if encoding != "deflate" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    first = True
    try:
        for chunk in raw:
            if first and encoding == "deflate" and chunk and (chunk[0] & 0x0F) != 8:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
            first = False
            pending = chunk
            while pending:
                yield inflater.decompress(pending, max_bytes + 1)
                pending = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise FetchError(f"broken {encoding} body ({exc})") from None
