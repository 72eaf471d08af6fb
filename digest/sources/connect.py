"""Where a fetch may connect: every address a host resolves to is checked, and the connection
goes to the address that was checked (no second lookup a hostile DNS server could answer
differently), with every read and write held to the fetch's deadline.

`GuardedBackend` is an httpcore network backend; `http.fetch` sets the rules of one fetch in
`RULES` (a context variable) and the backend reads them at each connect.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """A connection not made (a private address, a host that does not resolve); `http.fetch`
    turns it into a FetchError with the same reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rules:
    """One fetch's rules: the monotonic deadline, and whether private addresses may be reached."""

    deadline: float
    allow_private: bool

    def left(self, timeout: float | None) -> float:
        """`timeout` cut to the time left before the deadline; past it, a timeout at once."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("past the fetch's deadline")
        return left if timeout is None else min(timeout, left)


RULES: ContextVar[Rules | None] = ContextVar("digest_fetch_rules", default=None)


def kind_of(address: Address) -> str | None:
    """What makes `address` private ("loopback", "link-local", ...), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not public", not address.is_global),  # shared (100.64/10), documentation, ...
    )
    return next((kind for kind, hit in checks if hit), None)


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to, in the resolver's order, without duplicates."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host} ({exc})") from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check(host: str, addresses: list[Address]) -> None:
    """Refuse the host when any of its addresses is private (one A record is enough to rebind)."""
    for address in addresses:
        kind = kind_of(address)
        if kind is not None:
            named = "" if host == str(address) else f" ({host})"
            raise Refused(f"refused: {address}{named} is a private address ({kind})")


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every read and write ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, rules: Rules | None) -> None:
        self._inner = inner
        self._rules = rules

    def _timeout(self, timeout: float | None) -> float | None:
        return timeout if self._rules is None else self._rules.left(timeout)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._timeout(timeout))
        return _DeadlineStream(inner, self._rules)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve once, check every address (unless the fetch allows private ones), connect to
    the checked address itself; TLS still verifies the certificate against the host name."""

    def __init__(self) -> None:
        self.inner: httpcore.NetworkBackend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        rules = RULES.get()
        addresses = resolve(host, port)
        if rules is not None and not rules.allow_private:
            check(host, addresses)
        failure: Exception = Refused(f"cannot resolve {host} (no address)")
        for address in addresses:
            wait = timeout if rules is None else rules.left(timeout)
            try:
                stream = self.inner.connect_tcp(
                    str(address), port, wait, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, rules)
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise Refused("refused: unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def private_host(url: str) -> bool:
    """Whether the host of `url` is a private address (an intranet feed): then its redirects
    may stay private. A public host, or one that does not resolve, is not."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        return host is not None and any(kind_of(a) is not None for a in resolve(host, port))
    except (Refused, ValueError):
        return False
