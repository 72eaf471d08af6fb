"""Which names the preview answers to: the Host header and the authority of a request target.

A request names its host twice over: in the Host header, and (absolute form, RFC 9112 3.2.2)
in the request line, `GET http://localhost:8000/ HTTP/1.1`. Both must be a name the preview
answers to, or a page bound for another site would be served as ours (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
LOOPBACK = frozenset(("localhost", "127.0.0.1", "[::1]"))
_PORT = re.compile(r"(?::\d{1,5})?", re.ASCII)


def canonical(name: str) -> str:
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
    name = canonical(host if ":" not in host or host.startswith("[") else f"[{host}]")
    return LOOPBACK | ({name} - {"", "[]"})


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the preview on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(value: str, allowed: frozenset[str]) -> bool:
    """Whether a Host header (or an authority) `value`, with an optional port, is in `allowed`."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, port = value.partition("]")
        name += "]"
    else:
        name, _, port = value.partition(":")
        port = f":{port}" if port else ""
    return canonical(name) in allowed and _PORT.fullmatch(port) is not None


def origin_form(target: str, allowed: frozenset[str]) -> str | None:
    """The request target as a path (`/x?q`), or None when it names a host not in `allowed`.

    An origin-form target (`/x`) is kept as it is; an absolute-form one (`http://host/x`) must
    be http and name an allowed host, and becomes its path and query. Anything else (`*`, an
    authority) is returned as is, for the path rules to refuse.
    """
    if target.startswith("/") or "://" not in target:
        return target
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme.lower() != "http" or not host_allowed(parts.netloc, allowed):
        return None
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def warn_beyond_loopback(host: str, port: int, allowed: frozenset[str]) -> None:
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
