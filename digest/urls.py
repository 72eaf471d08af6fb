"""URL normalisation at the seed boundary: an IRI in, one ASCII URI out, or a ValueError saying why.

Every renderer writes the URL it is given, so a link is normalised once, where it enters:

    HTTPS://Bücher.Example/ข่าว?q=عربي  →  https://xn--bcher-kva.example/%E0%B8%82...?q=%D8%B9...

The scheme is lower-cased and checked as the parsed scheme (never by substring), the host is
IDNA-encoded (stdlib, IDNA 2003) and checked as DNS and browsers read it (labels of 1 to 63
characters without a leading or trailing '-', 253 in all; a name ending in a number is an IPv4
address, so only the canonical dotted quad is taken), an IP address must be one the internet can
reach, and the path, query and fragment are percent-encoded as UTF-8 where they hold non-ASCII or
unsafe characters; escapes already there are kept, so normalising twice changes nothing. A link
has at most 2,000 characters, as the config's.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Collection
from urllib.parse import SplitResult, quote, urlsplit

WEB = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 unreserved characters are always safe for quote(); these are sub-delims plus ":@/".
_PATH_SAFE = "!$&'()*+,;=:@/"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_HOST = re.compile(r"(?:[a-z0-9_-]+\.)*[a-z0-9_-]+\.?")
_PORT = re.compile(r"[0-9]{1,5}")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# WHATWG URL: a host whose last label is a decimal or 0x number is parsed as an IPv4 address.
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")
MAX_URL = 2000  # characters; longer links are cut by some mail clients
MAX_HOST, MAX_LABEL = 253, 63  # characters of a DNS name and of each of its labels
_PRIVATE = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
# Bidi controls are category Cf already; named so the rule is visible where it matters.
_REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def normalize_url(value: str, schemes: Collection[str] = WEB) -> str:
    """`value` (an IRI of one of `schemes`) as an ASCII URI; a ValueError says why it is none."""
    wanted = _kind(schemes)
    try:
        return _normalize(value, schemes)
    except ValueError as exc:
        shown = repr(value[:80]) + ("…" if len(value) > 80 else "")
        raise ValueError(f"{shown} is not {wanted} URL: {exc}") from None


def _kind(schemes: Collection[str]) -> str:
    if set(schemes) == set(WEB):
        return "an http(s)"
    text = _either(schemes)
    return ("an " if text[0] in "aeioh" else "a ") + text  # "an http", "a mailto"


def _either(schemes: Collection[str]) -> str:
    *rest, last = sorted(schemes)
    return f"{', '.join(rest)} or {last}" if rest else last


def _normalize(value: str, schemes: Collection[str]) -> str:
    if not value:
        raise ValueError("it is empty")
    if len(value) > MAX_URL:
        raise ValueError(f"it is {len(value)} characters long; a link may have at most {MAX_URL}")
    url = _normalized(value, schemes)
    if len(url) > MAX_URL:
        raise ValueError(
            f"it is {len(url)} characters long once percent-encoded; a link may have at most "
            f"{MAX_URL}"
        )
    return url


def _normalized(value: str, schemes: Collection[str]) -> str:
    if value != value.strip():
        end = "ends" if value[-1].isspace() else "starts"
        raise ValueError(f"it {end} with whitespace (a line break or space); remove it")
    _refuse_invisible(value)
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # unbalanced [ ] or characters that NFKC-normalise into / ? # @ :
        raise ValueError(str(exc)) from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise ValueError("it is not absolute; write it in full, like https://example.org/page")
    if scheme not in schemes:
        raise ValueError(f"scheme {scheme!r} is not allowed; use {_either(schemes)}")
    if scheme == "mailto":
        return _mailto(parts)
    return _web(scheme, parts)


def _refuse_invisible(value: str) -> None:
    """Refuse control, format (bidi, zero-width) and separator characters: they hide a link."""
    if value.isascii() and value.isprintable():  # of ASCII, only the controls are refused
        return
    for index, char in enumerate(value):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            name = unicodedata.name(char, "a control character")
            raise ValueError(
                f"it holds U+{ord(char):04X} ({name}) at position {index + 1}, an invisible "
                "character; remove it"
            )


def _web(scheme: str, parts: SplitResult) -> str:
    if not parts.netloc:
        raise ValueError("it has no host; write it like https://example.org/page")
    if "@" in parts.netloc:
        raise ValueError(
            "it holds a user name or password before '@'; remove it (links never carry "
            "credentials, and 'https://bank.example@evil.example' fools readers)"
        )
    host, port = _host_and_port(parts.netloc)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    url = f"{scheme}://{host}{_quote(parts.path, _PATH_SAFE)}"
    if parts.query:
        url += "?" + _quote(parts.query, _QUERY_SAFE)
    if parts.fragment:
        url += "#" + _quote(parts.fragment, _QUERY_SAFE)
    return url


def _host_and_port(netloc: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        literal, _, rest = netloc[1:].partition("]")
        host = f"[{_ipv6(literal)}]"
        if rest and not rest.startswith(":"):
            raise ValueError(f"{rest!r} after the IPv6 address is not a port")
        return host, _port(rest[1:]) if rest else None
    name, colon, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    return _domain(name), _port(port) if colon else None


def _ipv6(literal: str) -> str:
    if "%" in literal:
        raise ValueError("an IPv6 zone id (%) only works on one machine; remove it")
    try:
        address = ipaddress.IPv6Address(literal)
    except ValueError:
        raise ValueError(f"[{literal}] is not a valid IPv6 address") from None
    _reachable(address)
    return address.compressed


def _reachable(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    """Refuse an address that readers of a newsletter cannot open, saying what it is."""
    if address.is_unspecified:
        what = "the unspecified address"
    elif address.is_loopback:
        what = "a loopback address (the reader's own machine)"
    elif address.is_link_local:
        what = "a link-local address (the reader's own network segment)"
    elif address.is_multicast:
        what = "a multicast address"
    elif any(address in network for network in _PRIVATE):
        what = "a private network's address"
    elif not address.is_global:
        what = "not reachable on the internet (a reserved or documentation range)"
    else:
        return
    raise ValueError(f"host {address} is {what}; no reader can open it: link to a public host")


def _port(text: str) -> int | None:
    if not text:  # "host:" is the default port (RFC 3986 6.2.3)
        return None
    if not _PORT.fullmatch(text) or not 0 < int(text) < 65536:
        raise ValueError(f"port {text!r} is not a number from 1 to 65535")
    return int(text)


def _domain(name: str) -> str:
    """`name` as an ASCII host: IDNA for international labels, lower-cased, checked."""
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        if any(len(label) > MAX_LABEL for label in name.split(".")):
            raise ValueError(f"host {name!r} has a label over {MAX_LABEL} characters") from None
        raise ValueError(f"host {name!r} is not a valid domain name") from None
    if not _HOST.fullmatch(ascii_name):
        raise ValueError(f"host {name!r} is not a valid domain name or IP address")
    labels = ascii_name.removesuffix(".").split(".")
    if _NUMBER.fullmatch(labels[-1]):
        return _ipv4(name, ascii_name)
    if len(ascii_name.removesuffix(".")) > MAX_HOST:
        raise ValueError(f"host {name[:40]!r}… is over {MAX_HOST} characters")
    for label in labels:
        if len(label) > MAX_LABEL:
            raise ValueError(f"host {name!r} has a label over {MAX_LABEL} characters")
        if label.startswith("-") or label.endswith("-"):
            raise ValueError(f"host {name!r} has a label that starts or ends with '-'")
    if labels[-1] == "localhost":
        raise ValueError(f"host {name!r} is a loopback address (the reader's own machine)")
    return ascii_name


def _ipv4(name: str, ascii_name: str) -> str:
    """A host that browsers read as an IPv4 address: taken only as four decimal numbers."""
    if not _DOTTED_QUAD.fullmatch(ascii_name):
        raise ValueError(
            f"host {name!r} looks like a number, which browsers read as an IP address "
            "(0x7f.1 is 127.0.0.1); write an address as four decimal numbers like "
            "93.184.215.14, or use a domain name"
        )
    _reachable(ipaddress.IPv4Address(ascii_name))
    return ascii_name


def _mailto(parts: SplitResult) -> str:
    addresses = []
    for address in parts.path.split(","):
        local, at, domain = address.rpartition("@")
        if not at or not local or not domain:
            raise ValueError(f"{address!r} is not an e-mail address like news@example.org")
        addresses.append(_quote(local, "!$&'*+=") + "@" + _domain(domain))
    url = "mailto:" + ",".join(addresses)
    if parts.query:
        url += "?" + _quote(parts.query, _QUERY_SAFE)
    return url


def _quote(text: str, safe: str) -> str:
    """`text` percent-encoded as UTF-8 except `safe`; valid `%XX` escapes kept (upper-cased)."""
    out, start = [], 0
    for escape in _ESCAPE.finditer(text):
        out += [quote(text[start : escape.start()], safe=safe), escape.group().upper()]
        start = escape.end()
    out.append(quote(text[start:], safe=safe))
    return "".join(out)
