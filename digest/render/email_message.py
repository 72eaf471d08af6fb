"""The `.eml`: a multipart/alternative message built by `email`, ready for `sendmail -t`."""

from __future__ import annotations

import hashlib
import logging
import re
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache

from digest.config import Settings
from digest.models import Digest

log = logging.getLogger(__name__)

MAX_SUBJECT = 70  # characters; longer subjects are cut by mail clients
# Embeddings, overrides and isolates reorder the text around them (a "Trojan Source" subject or
# bullet); the marks only matter inside a header, where they are dropped too. Cc/Zl/Zp could
# split a header.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI = BIDI_CONTROLS | frozenset("\u200e\u200f\u061c")


def build_eml(digest: Digest, settings: Settings, *, text: str, html: str) -> bytes:
    """A multipart/alternative message (text first), deterministic for a given batch."""
    email, key = settings.email, batch_key(digest)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = email.from_
    msg["To"] = email.to
    msg["Subject"] = subject_line(digest, settings)
    msg["Date"] = format_datetime(digest.slot.local)
    msg["Message-ID"] = f"<{key[:32]}@{email.list_id}>"
    msg["List-Id"] = f"{_phrase(settings.brand.name)} <{email.list_id}>"
    msg["List-Unsubscribe"] = f"<{email.unsubscribe_url}>, <{email.unsubscribe_mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # EmailMessage picks a random boundary; one derived from the batch keeps re-runs identical.
    msg.set_boundary(f"=_digest_{key[32:56]}")
    return msg.as_bytes()


def subject_line(digest: Digest, settings: Settings) -> str:
    """The lead headline on one clean line, cut at a word to 70 characters (the brand if empty)."""
    subject = clean_header(digest.entries[0].summary.headline) or clean_header(settings.brand.name)
    if len(subject) <= MAX_SUBJECT:
        return subject
    cut = subject[: MAX_SUBJECT - 1].rsplit(" ", 1)[0] if " " in subject else ""
    short = (cut or subject[: MAX_SUBJECT - 1]).rstrip(" ,;:-") + "…"
    log.warning(
        "%s: the subject %r is over %d characters; sent as %r",
        digest.slot.batch_id,
        subject,
        MAX_SUBJECT,
        short,
    )
    return short


def clean_header(value: str) -> str:
    """`value` on one line: control, line-separator and bidi characters become spaces."""
    return one_line(value, drop=_BIDI)


def one_line(value: str, drop: frozenset[str] = frozenset()) -> str:
    """`value` on one line, without the control characters that break MJML or a header."""
    return " ".join(_unsafe(drop).sub(" ", value).split())


def batch_key(digest: Digest) -> str:
    """A hex digest of the batch id: the seed of the Message-ID and the MIME boundary."""
    return hashlib.sha256(digest.slot.batch_id.encode()).hexdigest()


@cache
def _unsafe(drop: frozenset[str]) -> re.Pattern[str]:
    """Categories Cc, Cs, Zl and Zp, the two non-characters, and `drop`, as one character class."""
    unsafe = "\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff"
    return re.compile(f"[{unsafe}{''.join(sorted(drop))}]")


def _phrase(name: str) -> str:
    """A display name for a header, quoted when it holds characters outside an RFC 5322 atom."""
    name = clean_header(name)
    if not name.isascii():  # encoded words (RFC 2047) may not sit inside quotes: drop specials
        return " ".join(re.sub(r'[()<>\[\]:;@\\,."]', " ", name).split())
    if re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
