"""The checked texts of `config.toml` that reach a header, the HTML or a URL, and its paths.

A value is refused, never silently changed: what `validate` accepts is what the batch carries.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from email import message_from_bytes
from email.errors import MessageError
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Annotated
from urllib.parse import SplitResult, quote, urlsplit

from pydantic import AfterValidator, BeforeValidator

from digest.urls import MAX_URL, normalize_url

# Embeddings, overrides, isolates and the marks reorder the text around them ("Trojan Source").
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Cc, Cs, Zl, Zp and the two non-characters: each can end a header line or break MJML.
_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff]")
# What a URL may hold as is (RFC 3986); everything else must be %XX-escaped. This leaves out
# `"`, `<`, `>`, `\`, space, controls and non-ASCII, so the URL is safe inside an HTML attribute
# and inside the `<...>` of List-Unsubscribe.
_URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]")
_ADDR_SPEC = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + _HOST.pattern, re.IGNORECASE)
_MAILTO = re.compile(r"mailto:([^?#]+)(\?[^#]*)?")
MAX_HEADER_URL = 900  # characters of a List-Unsubscribe link; a header line holds 998


def shown(value: str) -> str:
    """`value` quoted for a message, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:70]}...{text[-5:]}"


def _code(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def _no_breaking(value: str, *, keep: str = "") -> None:
    """Refuse control, line-separator, surrogate and bidi characters (except those in `keep`)."""
    for char in value:
        if char in keep:
            continue
        if _BREAKING.match(char) or char in BIDI:
            raise ValueError(f"{shown(value)} holds {_code(char)}; remove it")


def _no_hidden(value: str) -> None:
    """Refuse the invisible characters the email and the posts drop (zero-width spaces, soft
    hyphens, word joiners, fillers): what `validate` accepts reaches the reader unchanged. A
    joiner that an emoji sequence or a script needs (Persian ZWNJ, 👩‍💻's ZWJ) is kept."""
    # digest.render imports the config, so its rule is imported where it is used.
    from digest.text import hidden_characters

    hidden = hidden_characters(value)
    if hidden:
        raise ValueError(
            f"{shown(value)} holds {_code(hidden[0])}, an invisible character that the email "
            "would drop; remove it"
        )


def header_text(value: str) -> str:
    """Text that reaches a mail header: one line, no bidi controls, no RFC 2047 encoded words."""
    _no_breaking(value)
    _no_hidden(value)
    if "=?" in value:
        raise ValueError(
            f"{shown(value)} holds '=?', the start of an RFC 2047 encoded word that mail programs "
            "decode (and can turn into a new header); write the text itself, e.g. é"
        )
    return filled(value)


def filled(value: str) -> str:
    """Refuse a text without a visible character (empty, spaces, or marks and selectors only)."""
    if not any(unicodedata.category(char)[0] in "LNPS" for char in value):
        what = "is empty" if not value.strip() else "has no visible character"
        raise ValueError(f"{what}; write the text itself")
    return value


def line_text(value: str) -> str:
    """One line of text without control, line-separator or bidi characters."""
    _no_breaking(value)
    return value


def plain_text(value: str) -> str:
    """Text shown in the email body: line breaks and tabs are fine (they become spaces)."""
    _no_breaking(value, keep="\t\n\r")
    _no_hidden(value)
    return value


def url_chars(value: str) -> str:
    """Refuse a URL holding anything that must be percent-encoded, naming the fix."""
    if len(value) > MAX_URL:
        raise ValueError(f"is {len(value)} characters long; a URL may have at most {MAX_URL}")
    if _URI.fullmatch(value):
        if re.search(r"%(?![0-9A-Fa-f]{2})", value):
            raise ValueError(f"{shown(value)}: a % must start an escape like %20; write % as %25")
        return value
    char = next(c for c in value if not _URI.fullmatch(c))
    netloc = value.partition("://")[2].split("/", 1)[0]
    if not char.isascii() and char in netloc:
        hint = "write the host in its ASCII (punycode, xn--...) form"
    else:
        hint = f"write it percent-encoded, as {quote(char, safe='')}"
    raise ValueError(f"{shown(value)} holds {char!r}, which a URL cannot carry as is; {hint}")


def split_url(value: str, kind: str) -> SplitResult:
    """`value`'s parts, once its characters are safe to quote anywhere (see `url_chars`);
    ValueError, saying it is no `kind` URL, when it cannot be split or its port is no port."""
    url_chars(value)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise ValueError(f"{shown(value)} is not an {kind} URL ({error})") from None
    return parts


def https_url(value: str) -> str:
    """An absolute https URL with a host, safe to quote anywhere (see `url_chars`)."""
    parts = split_url(value, "https://")
    host = parts.hostname or ""
    if parts.scheme != "https" or not value.startswith("https://"):
        raise ValueError(f"{shown(value)} is not an https:// URL")
    if not (_HOST.fullmatch(host) or is_ip(host)):
        raise ValueError(
            f"{shown(value)} is not an https:// URL with a host name, e.g. example.org"
        )
    try:  # the seeds' own host rules: no loopback, private or numeric-looking hosts
        normalize_url(value, ("https",))
    except ValueError as error:
        raise ValueError(str(error)) from None
    return value


def header_link(value: str, header: str = "List-Unsubscribe") -> str:
    """A link `header` carries as written, on one header line: short, and no `=?`."""
    if len(value) > MAX_HEADER_URL:
        raise ValueError(
            f"is {len(value)} characters long; a {header} link may have at most "
            f"{MAX_HEADER_URL} (it is written on one header line, of at most 998)"
        )
    if "=?" in value:
        raise ValueError(
            f"{shown(value)} holds '=?', which mail programs read as the start of an RFC 2047 "
            "encoded word; write that ? as %3F"
        )
    return value


def is_ip(host: str) -> bool:
    """Whether `host` is an IP address (v4 or v6), not a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def mailto_url(value: str) -> str:
    """A `mailto:` link to one address, with an optional query; safe to quote anywhere."""
    url_chars(value)
    match = _MAILTO.fullmatch(value)
    if not match or not _ADDR_SPEC.fullmatch(match.group(1)):
        raise ValueError(
            f"{shown(value)} is not a mailto: link, e.g. mailto:unsubscribe@example.org"
        )
    return value


def _parsed(value: str) -> list[tuple[str, str]] | None:
    """The (name, address) pairs of `value` as a header, or None when mail programs would read
    it differently after it is written (parse defects, or a different reading of the bytes)."""
    try:
        header = HeaderRegistry()("To", value)
        message = EmailMessage(policy=SMTP)
        message["To"] = value
        again = message_from_bytes(message.as_bytes(), policy=SMTP).get_all("To") or []
    except (ValueError, LookupError, TypeError, AttributeError, MessageError):
        return None
    found = [(a.display_name, a.addr_spec) for a in getattr(header, "addresses", ())]
    back = [(a.display_name, a.addr_spec) for h in again for a in getattr(h, "addresses", ())]
    return found if not header.defects and back == found else None


def _addresses(value: str, many: bool) -> str:
    header_text(value)
    if _is_group(value):
        raise ValueError(
            f"{shown(value)} reads as a group (Name: addresses;), which a digest is never sent "
            "to or from; write the addresses themselves, comma separated (a@example.org, "
            'b@example.org), and a name holding ":" in double quotes ("News: Daily" <n@x.org>)'
        )
    found = _parsed(value) or []
    wrong = [spec for _, spec in found if not _ADDR_SPEC.fullmatch(spec)]
    if not found or wrong or (len(found) > 1 and not many):
        one = "an email address" if not many else "a list of email addresses"
        raise ValueError(
            f"{shown(value)} is not {one}; write it as Name <local@example.org>, with the name in "
            'double quotes when it holds , ; : @ < > or ", e.g. "News, Daily" <news@example.org>'
        )
    return value


def _is_group(value: str) -> bool:
    """Whether `value` as an address header holds an RFC 5322 group (`Friends: a@b;`)."""
    try:
        groups = getattr(HeaderRegistry()("To", value), "groups", ())
    except (ValueError, LookupError, TypeError, AttributeError, MessageError):
        return False  # `_parsed` refuses what the parser cannot read
    return any(group.display_name is not None for group in groups)


def one_address(value: str) -> str:
    """Exactly one address, `Name <local@domain>` or `local@domain`, that a header keeps as is."""
    return _addresses(value, many=False)


def address_list(value: str) -> str:
    """One or more addresses, separated by commas."""
    return _addresses(value, many=True)


def _path_text(value: object) -> object:
    """A [paths] value as written: not empty, no NUL or control character, not too long."""
    if not isinstance(value, str):
        return value  # pydantic names the type it wants
    if not value.strip():
        raise ValueError("is empty; name a folder, e.g. outbox")
    for char in value:
        if _BREAKING.match(char):
            raise ValueError(f"{shown(value)} holds {_code(char)}; a path cannot carry it")
    too_long = [p for p in Path(value).parts if len(p.encode()) > 255]
    if too_long or len(value.encode()) > 4000:
        raise ValueError(f"{shown(value)}: a path part has at most 255 bytes, a path 4000")
    return value


HeaderText = Annotated[str, AfterValidator(header_text)]
LineText = Annotated[str, AfterValidator(line_text)]
PlainText = Annotated[str, AfterValidator(plain_text)]
FilledText = Annotated[str, AfterValidator(plain_text), AfterValidator(filled)]
HttpsUrl = Annotated[str, AfterValidator(https_url)]
# List-Unsubscribe's links: written raw in the header, so bounded to one line and free of `=?`
# (the https one, which may be a merge tag, is checked by `email_links`).
UnsubscribeMailto = Annotated[str, AfterValidator(header_link), AfterValidator(mailto_url)]
Address = Annotated[str, AfterValidator(one_address)]
Addresses = Annotated[str, AfterValidator(address_list)]
FolderPath = Annotated[Path, BeforeValidator(_path_text)]
