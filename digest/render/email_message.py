"""The `.eml`: a multipart/alternative message built by `email`, ready for `sendmail -t`.

Header values are made safe by construction: each text that reaches a header (the subject from
the lead headline, the From and To display names, the brand name in List-Id) is put on one line
without control, bidi or invisible characters, and its `=?` pairs are broken, because the stdlib
decodes RFC 2047 encoded words found in a header string and writes their CR/LF raw
(`=?utf-8?q?=0D=0ABcc:_x@y?=` becomes a Bcc header). The built message is then read back, with
the default and the compat32 policies, and must have exactly the headers it was built with.
"""

from __future__ import annotations

import hashlib
import logging
import re
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UniqueUnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime
from typing import ClassVar, Literal

import regex

from digest.config import Settings
from digest.errors import RenderError
from digest.models import Digest
from digest.render.email_links import safe_url
from digest.render.email_verify import verify_headers
from digest.render.visible import BIDI_CONTROLS, one_line, visible

__all__ = ["BIDI_CONTROLS", "MAX_SUBJECT", "build_eml", "clean_header", "one_line"]

log = logging.getLogger(__name__)

MAX_SUBJECT = 70  # characters; longer subjects are cut by mail clients
_GRAPHEME = regex.compile(r"\X")


def build_eml(digest: Digest, settings: Settings, *, text: str, html: str) -> bytes:
    """A multipart/alternative message (text first), deterministic for a given batch.

    Raises `RenderError` when the message does not read back with the headers it was built with.
    """
    email, key = settings.email, batch_key(digest)
    headers: dict[str, str | tuple[Address, ...]] = {
        "From": mailboxes("From", email.from_, "email.from"),
        "To": mailboxes("To", email.to, "email.to"),
        "Subject": subject_line(digest, settings),
        "Date": format_datetime(digest.slot.local),
        "Message-ID": f"<{key[:32]}@{email.list_id}>",
        "List-Id": f"{_phrase(settings.brand.name)} <{email.list_id}>",
        "List-Unsubscribe": f"<{_url(email.unsubscribe_url)}>, <{_url(email.unsubscribe_mailto)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    msg = EmailMessage(policy=_POLICY)
    for name, value in headers.items():
        msg[name] = value
    values = {name: str(msg[name]) for name in headers}
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # EmailMessage picks a random boundary; one derived from the batch keeps re-runs identical.
    msg.set_boundary(f"=_digest_{key[32:56]}")
    raw = msg.as_bytes()
    verify_headers(raw, msg, values, digest.slot.batch_id)
    return raw


class _Subject(UniqueUnstructuredHeader, BaseHeader):
    """A Subject that reads back exactly as set: a non-ASCII one is folded by `Header`.

    The policy's own folder drops the space that falls between two encoded words at a fold
    (Python 3.11: a Persian or Japanese subject reads back with two words glued together).
    """

    max_count: ClassVar[Literal[1]] = 1

    def fold(self, *, policy: Policy) -> str:
        value = str(self)
        if value.isascii():
            return str(super().fold(policy=policy))
        header = Header(value, "utf-8", header_name=self.name)
        folded = header.encode(linesep=policy.linesep, maxlinelen=policy.max_line_length)
        return f"{self.name}: {folded}{policy.linesep}"


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("subject", _Subject)
    return registry


_POLICY = SMTP.clone(header_factory=_registry())


def subject_line(digest: Digest, settings: Settings) -> str:
    """The lead headline on one clean line, cut at a word to 70 characters (the brand if empty)."""
    headline = clean_header(digest.entries[0].summary.headline)
    brand = clean_header(settings.brand.name)
    subject = headline or brand
    if len(subject) <= MAX_SUBJECT:
        return subject
    short = _cut(subject) or _cut(brand) or brand[: MAX_SUBJECT - 1] + "…"
    log.warning(
        "%s: the subject %r is over %d characters; sent as %r",
        digest.slot.batch_id,
        subject,
        MAX_SUBJECT,
        short,
    )
    return short


def _cut(subject: str) -> str:
    """`subject` cut to 70 characters with "…", at a word and never inside a grapheme."""
    if len(subject) <= MAX_SUBJECT:
        return subject
    head, size = "", 0
    for cluster in _GRAPHEME.findall(subject):
        if size + len(cluster) > MAX_SUBJECT - 1:
            break
        head, size = head + cluster, size + len(cluster)
    # A space always ends a grapheme of its own, unless a mark sits on it: then both go.
    cut = head.rsplit(" ", 1)[0] if " " in subject else ""
    cut = (cut or head).rstrip(" ,;:-")
    return cut + "…" if cut else ""


def clean_header(value: str) -> str:
    """`value` on one line for a header: no control, line-separator, bidi or invisible
    characters (a joiner an emoji or a script needs stays), and no `=?` an RFC 2047 decoder
    would read as the start of an encoded word."""
    return defuse_encoded_words(one_line(visible(value)))


def mailboxes(name: str, value: str, key: str) -> tuple[Address, ...]:
    """The addresses of a configured From or To, display names cleaned like any header text.

    Raises `RenderError` for anything but a plain list of mailboxes (one, for From): once line
    breaks are gone, `Name\\r\\nBcc: x@y <a@b>` reads as a group that would add a recipient.
    """
    one = name == "From"
    header = _POLICY.header_factory(name, clean_header(value))
    found = getattr(header, "groups", ())
    plain = all(group.display_name is None for group in found) and not header.defects
    addresses = tuple(a for group in found for a in group.addresses)
    if not plain or not addresses or (one and len(addresses) != 1):
        wanted = "one address" if one else "a list of addresses"
        raise RenderError(
            f"config.toml: {key} = {value!r} is not {wanted} like "
            "'The Digest <digest@example.org>'; fix it (`digest validate` checks it)"
        )
    return addresses


def defuse_encoded_words(value: str) -> str:
    """`value` with each `=?` split by a space: no encoded word can start anywhere in it."""
    # The replacement can never form a new pair: its "=" is followed by a space and its "?"
    # follows one, so one pass leaves none and cleaning twice changes nothing.
    return value.replace("=?", "= ?")


def batch_key(digest: Digest) -> str:
    """A hex digest of the batch id: the seed of the Message-ID and the MIME boundary."""
    return hashlib.sha256(digest.slot.batch_id.encode()).hexdigest()


def _url(url: str) -> str:
    """A configured link as the HTML writes it (an IRI as its URI)."""
    return safe_url(url) or url


def _phrase(name: str) -> str:
    """A display name for a header, quoted when it holds characters outside an RFC 5322 atom."""
    name = clean_header(name)
    if not name.isascii():  # encoded words (RFC 2047) may not sit inside quotes: drop specials
        return " ".join(re.sub(r'[()<>\[\]:;@\\,."]', " ", name).split())
    if re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
