"""Read a built `.eml` back as its readers will and make sure it has the headers it was built with.

`sendmail -t`, the stdlib (default and compat32 policies) and a consumer's parser all find the
header lines the same way; a value that a decoder turns into a line break would add or split a
header there. Any difference is a `RenderError`: the batch is not published.
"""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.policy import compat32
from functools import lru_cache
from typing import Any

from digest.errors import RenderError

_READ_BACK = ("Subject", "List-Id")  # unstructured: must read back exactly as set
_ADDRESSES = ("From", "To")  # structured: must read back as the same addresses
# Read by providers as written (RFC 2369, 8058): the raw bytes, unfolded, must be the value set.
VERBATIM = ("Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post")
MAX_LINE = 998  # characters of a header line, CRLF aside (RFC 5322)


class HeaderClasses(HeaderRegistry):
    """A header factory that makes each header name's class once: `HeaderRegistry` makes a new
    one, the same, for every header set or parsed (and for every `max_count` asked when one is
    set), which costs more than parsing most values."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, Any] = {}

    def map_to_type(self, name: str, cls: Any) -> None:
        super().map_to_type(name, cls)
        self._classes.clear()

    def __getitem__(self, name: str) -> Any:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(key)
        return found


_HEADERS = HeaderClasses()  # policy.default's header classes


@lru_cache(maxsize=512)
def _parsed(name: str, value: str) -> BaseHeader:
    return _HEADERS(name, value)


class _ParsedOnce(HeaderClasses):
    """policy.default's header factory, each header object made once for a name and a value.

    A header object is made from those two alone and never changed (the build already keeps
    those it sets); a batch's `.eml` headers are read here, then again by its checks, and most
    of them are the same for every batch of a config.
    """

    def __call__(self, name: str, value: Any) -> Any:
        if type(value) is not str:
            return super().__call__(name, value)
        return _parsed(name, value)


# How the `.eml` is read back: policy.default, its header objects made once (`_ParsedOnce`).
READER = email.policy.default.clone(header_factory=_ParsedOnce())


class HeaderMismatchError(RenderError):
    """The built `.eml` read back with other headers than it was built with."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(
            f"{where}: email/digest.eml does not read back as built ({problem}); a header value "
            "holds text that a mail reader decodes into another header, so nothing was "
            "published: report the story and config values named here"
        )


def verify_headers(raw: bytes, built: EmailMessage, values: dict[str, str], where: str) -> None:
    """Raise `HeaderMismatchError` unless `raw` reads back with exactly `built`'s headers."""
    names = list(built.keys())
    head = header_block(raw)
    default = email.message_from_bytes(head, policy=READER)
    old = email.message_from_bytes(head, policy=compat32)
    found = {"raw lines": _raw_names(raw), "policy.default": default.keys(), "compat32": old.keys()}
    for reader, read in found.items():
        if list(read) != names:
            raise HeaderMismatchError(where, f"{reader} finds the headers {read}, not {names}")
    for name in _READ_BACK:
        for reader, value in (
            ("policy.default", str(default[name])),
            ("compat32", _decoded(old, name)),
        ):
            if _squeezed(value) != _squeezed(values[name]):
                raise HeaderMismatchError(
                    where, f"{reader} reads {name} as {value!r}, not {values[name]!r}"
                )
    for name in _ADDRESSES:
        read_back, wanted = _mailboxes(default, name), _mailboxes(built, name)
        if read_back != wanted:
            raise HeaderMismatchError(where, f"{name} reads back as {read_back}, not {wanted}")
    _verify_raw(raw, values, where)


def header_block(raw: bytes) -> bytes:
    """`raw` up to and with the blank line after its headers, when every line of its header
    block ends in CRLF (as `policy.SMTP` writes): its readers find the same headers there as in
    the whole message, without reading the parts. Else `raw` itself."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return raw
    head = raw[:end]
    if head.count(b"\n") != head.count(b"\r\n") or head.count(b"\r") != head.count(b"\r\n"):
        return raw
    return raw[: end + 4]


def _verify_raw(raw: bytes, values: dict[str, str], where: str) -> None:
    """The headers providers read as written: no encoded word, the value as set, short lines."""
    wanted = dict(values)
    list_id = values["List-Id"]
    wanted["List-Id"] = list_id[list_id.rfind("<") :]  # the phrase may be encoded, not <id>
    for name in (*VERBATIM, "List-Id"):
        written = raw_header(raw, name) or ""
        whole = written if name != "List-Id" else written[written.rfind("<") :]
        if whole != wanted[name] or "=?" in whole:
            raise HeaderMismatchError(
                where, f"{name} is written as {written[:120]!r}, not as {wanted[name][:120]!r}"
            )
    long = [line for line in _head(raw).split(b"\n") if len(line) > MAX_LINE]
    if long:
        raise HeaderMismatchError(where, f"a header line is {len(long[0])} characters long")


def raw_header(raw: bytes, name: str) -> str | None:
    """The first `name` header of a message as written: unfolded, nothing decoded."""
    unfolded = _head(raw).replace(b"\n ", b" ").replace(b"\n\t", b"\t")
    for line in unfolded.split(b"\n"):
        found, colon, value = line.partition(b":")
        if colon and found.decode("ascii", "replace").lower() == name.lower():
            return value.decode("ascii", "replace").strip(" \t")
    return None


def _head(raw: bytes) -> bytes:
    """The header block of a message, with LF line ends (its parts are not read: `header_block`
    ends where the whole message's first blank line is)."""
    return header_block(raw).replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]


def _mailboxes(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox in a header, the name's spaces squeezed."""
    header = message[name]
    addresses = getattr(header, "addresses", ())
    return [(_squeezed(a.display_name), a.addr_spec) for a in addresses]


def _raw_names(raw: bytes) -> list[str]:
    """The header names as a line reader (`sendmail -t`) finds them: each unindented line."""
    lines = [line for line in _head(raw).split(b"\n") if line[:1] not in (b" ", b"\t")]
    return [line.split(b":", 1)[0].decode("ascii", errors="replace") for line in lines]


def _decoded(message: Message, name: str) -> str:
    """A compat32 header value with its encoded words decoded, as an old reader shows it."""
    value = message.get(name)
    return str(make_header(decode_header(str(value)))) if value is not None else ""


def _squeezed(value: str) -> str:
    # Folding may move, add or drop a space (the stdlib's folder does, between encoded words):
    # no header comes of that. Decoding that changes the text or adds a line shows up anyway.
    return "".join(value.split())
