"""The `.eml`: a multipart/alternative message built by `email`, ready for `sendmail -t`.

Its headers are set on an `EmailMessage` and folded by the policy; its two parts are written as
`EmailMessage` writes them (`mime`, the same bytes without the generator's work line by line).

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
from functools import lru_cache
from typing import Any, ClassVar, Literal, cast

from digest.config import Settings
from digest.config.brand import EmailOptions
from digest.config.email_links import inert
from digest.errors import RenderError
from digest.models import Digest
from digest.render.email.links import safe_url, web_link, written_link
from digest.render.email.mime import folded, parts
from digest.render.email.readback import HeaderClasses, verify_headers
from digest.summarize.text import is_url, trim_end
from digest.text import graphemes, one_line, visible

log = logging.getLogger(__name__)

MAX_SUBJECT = 70  # characters; longer subjects are cut by mail clients
MAX_ITEM = 900  # characters of a link in a raw header; a line may have 998 (RFC 5322)
_FOLD_AT = 78  # RFC 5322's recommended line length, kept wherever an item fits
_PRINTABLE = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


def build_eml(digest: Digest, settings: Settings, *, text: str, html: str) -> bytes:
    """A multipart/alternative message (text first), deterministic for a given batch.

    Raises `RenderError` when the message does not read back with the headers it was built with.
    """
    msg, values = message_head(digest, settings)
    # The header block is folded by the policy from `email`'s header objects, as `as_bytes`
    # writes it; the two parts are what `as_bytes` writes for them, quoted-printable at 76
    # characters a line (`mime`: the same bytes, tests/test_render_email_mime.py), without
    # the generator's work line by line.
    raw = folded(msg) + parts(POLICY, boundary(digest), text, html)
    verify_headers(raw, msg, values, digest.slot.batch_id)
    return raw


def message_head(digest: Digest, settings: Settings) -> tuple[EmailMessage, dict[str, str]]:
    """The message of a batch as far as its headers: every header set by `EmailMessage` with
    `POLICY` (multipart/alternative, its boundary derived from the batch), no part attached; and
    the value of each header taken from config or story text, as `msg[name]` stored it."""
    email, key = settings.email, batch_key(digest)
    headers: dict[str, str | BaseHeader] = {
        "From": _address_header("From", email.from_, "email.from"),
        "To": _address_header("To", email.to, "email.to"),
        "Subject": subject_line(digest, settings),
        "Date": format_datetime(digest.slot.local),
        "Message-ID": verbatim("Message-ID", f"<{key[:32]}@{email.list_id}>", "email.list_id"),
        "List-Id": f"{_phrase(settings.brand.name)} <{email.list_id}>".lstrip(),
        "List-Unsubscribe": verbatim(
            "List-Unsubscribe",
            f"<{_link(email.unsubscribe_url, email)}>, <{_url(email.unsubscribe_mailto)}>",
            "email.unsubscribe_url and email.unsubscribe_mailto",
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    web = web_link(email, digest.slot)
    if web is not None:  # RFC 2369: where the list's archive (this web version) is
        headers["List-Archive"] = verbatim("List-Archive", f"<{web}>", "email.web_url")
    msg = EmailMessage(policy=POLICY)
    for name, value in headers.items():
        msg[name] = _stored(name, value) if isinstance(value, str) else value
    values = {name: str(msg[name]) for name in headers}
    # Built by the stdlib, never by hand (DESIGN.md): MIME-Version and the Content-Type with
    # its boundary as `make_alternative` and `set_boundary` write them. The parts, each a
    # quoted-printable utf-8 text with no MIME-Version of its own (RFC 2045 puts it on the
    # message only), are added by `mime.parts`, their headers made by `set_content` once.
    msg["MIME-Version"] = _stored("MIME-Version", "1.0")
    msg.make_alternative()
    msg.set_boundary(boundary(digest))
    return msg, values


def boundary(digest: Digest) -> str:
    """The MIME boundary of a batch's `.eml`. EmailMessage picks a random one; one derived from
    the batch keeps re-runs identical (and `=_` is never in quoted-printable text)."""
    return f"=_digest_{batch_key(digest)[32:56]}"


@lru_cache(maxsize=256)
def _stored(name: str, value: str) -> BaseHeader:
    """The header object `msg[name] = value` stores (and its refusal of a line break): made once
    for the values every batch of a config repeats. Header objects are never changed."""
    return cast(BaseHeader, POLICY.header_store_parse(name, value)[1])


@lru_cache(maxsize=64)
def _address_header(name: str, value: str, key: str) -> BaseHeader:
    """The From or To header object of a configured `value` (see `mailboxes`), made once."""
    return cast(BaseHeader, POLICY.header_store_parse(name, mailboxes(name, value, key))[1])


def verbatim(name: str, value: str, key: str) -> str:
    """`value` if it can be written as is: printable ASCII, no `=?`, each `<...>` item short.

    Raises `RenderError` naming the config keys otherwise (`digest validate` refuses them).
    """
    longest = max(len(item.strip("<>")) for item in value.split(", "))
    if _PRINTABLE.fullmatch(value) and "=?" not in value and longest <= MAX_ITEM:
        return value
    raise RenderError(
        f"config.toml: the {name} header {value[:80]!r} (from {key}) must be written as is: "
        f"ASCII, no '=?', each link at most {MAX_ITEM} characters; fix it "
        "(`digest validate` checks it)"
    )


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


class _Verbatim(UniqueUnstructuredHeader, BaseHeader):
    """A header of ASCII tokens written exactly as set: never decoded, never RFC 2047-encoded.

    Providers read List-Unsubscribe (RFC 2369, 8058) and Message-ID as written; the policy's
    folder would encode any word over 78 characters, a long unsubscribe link among them. The
    value is folded only after a comma between `<...>` items, never inside one: RFC 5322 allows
    lines up to 998 characters, and `verbatim` keeps each item well under that.
    """

    max_count: ClassVar[Literal[1]] = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        super().parse(value, kwds)
        kwds["decoded"] = value  # the text as set: an `=?` in it is never decoded

    def fold(self, *, policy: Policy) -> str:
        return _folded(f"{self.name}:", str(self).split(", "), ",", policy)


class _ListId(UniqueUnstructuredHeader, BaseHeader):
    """`phrase <list-id>` (RFC 2919): the phrase folded as any text, the `<list-id>` kept raw."""

    max_count: ClassVar[Literal[1]] = 1

    def fold(self, *, policy: Policy) -> str:
        value = str(self)
        at = value.rfind("<")  # a list id holds no "<"; a quoted phrase may
        phrase, angle = value[:at].strip(), value[at:]
        if not phrase.isascii():  # encoded words, as RFC 2047 allows in a phrase
            head = HeaderRegistry()(self.name, phrase).fold(policy=policy)
            lines = head.removesuffix(policy.linesep).split(policy.linesep)
            return _folded(lines[-1], [angle], "", policy, lines[:-1])
        return _folded(f"{self.name}:", [*phrase.split(), angle], "", policy)


def _folded(
    start: str, items: list[str], comma: str, policy: Policy, before: list[str] | None = None
) -> str:
    """`start` and then `items`, each but the last followed by `comma`, on lines of at most 78
    characters where they fit: a fold only between items, never inside one."""
    lines, line = list(before or []), start
    held = not start.endswith(":")  # whether the line holds more than the header's name
    for index, item in enumerate(items):
        piece = item + (comma if index < len(items) - 1 else "")
        if held and len(line) + 1 + len(piece) > _FOLD_AT:
            lines.append(line)
            line = ""
        line, held = f"{line} {piece}", True
    return policy.linesep.join([*lines, line]) + policy.linesep


def _registry() -> HeaderRegistry:
    registry = HeaderClasses()
    registry.map_to_type("subject", _Subject)
    registry.map_to_type("list-id", _ListId)
    for name in ("message-id", "list-unsubscribe", "list-unsubscribe-post", "list-archive"):
        registry.map_to_type(name, _Verbatim)
    return registry


# policy.SMTP with the header classes above: how every `.eml` is built and read back.
POLICY = SMTP.clone(header_factory=_registry())


def subject_line(digest: Digest, settings: Settings) -> str:
    """The lead headline on one clean line (the brand if empty). The summary's headline already
    fits 70 characters; only a longer one is cut, at a content word, with "…"."""
    headline = clean_header(digest.entries[0].summary.headline)
    if settings.email.merge_tags != "none":  # no template syntax for the ESP (see `inert`)
        headline = inert(headline)
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
    """`subject` cut to 70 characters with "…": after whole words, never on a function word
    ("with", "the") nor inside a link; a single word longer than that is cut between graphemes.
    "" when no such cut exists (then the brand is the subject)."""
    if len(subject) <= MAX_SUBJECT:
        return subject
    words = subject.split(" ")
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) + 1 > MAX_SUBJECT:
            break
        kept.append(word)
    if kept:
        # A clause that ends in the second half is a better place to stop than any word.
        clauses = [i for i, w in enumerate(kept) if w.endswith((",", ";", ":"))]
        if clauses and len(" ".join(kept[: clauses[-1] + 1])) >= MAX_SUBJECT // 2:
            kept = kept[: clauses[-1] + 1]
        head = " ".join(trim_end(kept)).rstrip(" ,;:-")
        return head + "…" if head else ""
    if is_url(words[0]):
        return ""
    head, size = "", 0
    for cluster in graphemes(words[0]):
        if size + len(cluster) > MAX_SUBJECT - 1:
            break
        head, size = head + cluster, size + len(cluster)
    return head + "…" if head.strip(" ,;:-") else ""


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
    try:
        header = POLICY.header_factory(name, clean_header(value))
        found = getattr(header, "groups", ())
        plain = all(group.display_name is None for group in found) and not header.defects
        addresses = tuple(a for group in found for a in group.addresses)
    except (AttributeError, IndexError, TypeError, ValueError):  # the stdlib parser, on `:;`
        plain, addresses = False, ()
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


def _link(url: str, email: EmailOptions) -> str:
    """The unsubscribe link as the HTML writes it: the ESP's merge tag as is, or its URI."""
    return str(written_link(url, email) or url)


def _phrase(name: str) -> str:
    """A display name for a header, quoted when it holds characters outside an RFC 5322 atom;
    empty when nothing visible is left (List-Id is then `<list-id>` alone, as RFC 2919 allows)."""
    name = clean_header(name)
    if not name:
        return ""
    if not name.isascii():  # encoded words (RFC 2047) may not sit inside quotes: drop specials
        return " ".join(re.sub(r'[()<>\[\]:;@\\,."]', " ", name).split())
    if re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
