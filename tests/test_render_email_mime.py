"""`mime` writes byte for byte what `EmailMessage` writes for the same parts: the `.eml`'s parts are
written by it after the header block `email` folds, and the checks recognise them by the same
bytes instead of parsing them. The reference here is the stdlib writing it all: each part set by
`set_content(body, cte="quoted-printable")` at 76 characters a line, the message by `as_bytes`."""

from __future__ import annotations

import email
import email.policy
from email import quoprimime
from email.message import EmailMessage
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.email import three_stories, with_summary
from support.factories import BBC_SEEDS, make_digest
from support.factories import settings as make_settings

from digest.config import Settings
from digest.errors import RenderError
from digest.models import Digest
from digest.render.email import render_email
from digest.render.email.message import POLICY, build_eml, clean_header, message_head
from digest.render.email.mime import BODY_LINE, encode_text, folded, parts, quoted_printable
from digest.seeds import read_seed

_BOUNDARY = "=_digest_0123456789abcdef01234567"


def _headers(subject: str) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = "The Digest <digest@example.org>"
    msg["Subject"] = clean_header(subject)
    return msg


def stdlib_eml(subject: str, text: str, html: str) -> bytes:
    """The reference: the parts set by `EmailMessage` itself, quoted-printable at 76 characters
    a line, their MIME-Version taken out (as `build_eml` does it another way)."""
    msg = _headers(subject)
    msg.policy = POLICY.clone(max_line_length=76)  # the bodies are encoded as they are set
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg.policy = POLICY
    for part in msg.iter_parts():
        del part["MIME-Version"]
    msg.set_boundary(_BOUNDARY)
    return msg.as_bytes()


def fast_eml(subject: str, text: str, html: str) -> bytes:
    msg = _headers(subject)
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = f'multipart/alternative; boundary="{_BOUNDARY}"'
    return folded(msg) + parts(msg.policy, _BOUNDARY, text, html)


# Text a part may hold: every line-end kind, long lines, trailing spaces, `=`, non-ASCII.
_PIECES = st.sampled_from(
    [
        *["", " ", "\t", "=", "==", "\r", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "é"],
        *["😀", "x" * 70, "y" * 74, "a b ", "&amp;", '<a href="x">', "\x00", "\x7f", "=\n", " \n"],
    ]
)
_LINE = st.lists(st.one_of(_PIECES, st.text(max_size=80)), max_size=8).map("".join)
_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_PIECES, st.text(max_size=80)), max_size=60).map("".join),
    st.lists(_LINE, min_size=8, max_size=40).map("\n".join),
    # Mostly ASCII with long lines: what quoted-printable is chosen for, as for the HTML.
    st.lists(
        st.text(st.sampled_from('abcdefgh =\t<>"é'), min_size=40, max_size=160), min_size=11
    ).map("\n".join),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=st.text(max_size=90), text=_TEXT, html=_TEXT)
def test_the_parts_are_written_as_the_stdlib_writes_them(subject, text, html) -> None:
    assert fast_eml(subject, text, html) == stdlib_eml(subject, text, html)


@settings(max_examples=600, deadline=None)
@given(
    lines=st.lists(st.one_of(_PIECES, st.text(max_size=200)), max_size=30), limit=st.integers(4, 90)
)
def test_quoted_printable_is_quoprimime_body_encode(lines, limit) -> None:
    raw = [
        line.encode("utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b"")
        for line in lines
    ]
    body = (b"\n".join(raw) + b"\n").decode("latin-1")
    wanted = quoprimime.body_encode(body, limit).replace("\n", "\r\n").encode("ascii")
    assert quoted_printable(raw, limit) == wanted


def _read_parts(eml: bytes) -> list[EmailMessage]:
    parsed = email.message_from_bytes(eml, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage) and parsed["MIME-Version"] == "1.0"
    found = list(parsed.iter_parts())
    assert all(isinstance(part, EmailMessage) for part in found)
    return cast(list[EmailMessage], found)


def _as_read(text: str) -> str:
    """`text` as a reader decodes it from a part: every line end LF, a final one added."""
    lines = text.encode().splitlines() or [b""]
    return b"".join(line + b"\n" for line in lines).decode()


# Text a reader or a relay may mangle: long lines, trailing spaces and tabs, `=`, CRLF, a line
# starting with "From " (mbox) or "." (SMTP), non-ASCII.
_HOSTILE = st.lists(
    st.one_of(
        _PIECES,
        st.sampled_from(["From ", "\nFrom me", "\n.", "\n..\n", ".", "=3D", "=\r\n", " \t", "€"]),
        st.text(max_size=120),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_TEXT, _HOSTILE), html=st.one_of(_TEXT, _HOSTILE))
def test_both_parts_are_quoted_printable_short_lined_and_decode_back(text, html) -> None:
    # Once 7bit, 8bit, quoted-printable or base64 by the stdlib's choice, one build to the next.
    eml = fast_eml("Subject", text, html)
    body = eml.partition(b"\r\n\r\n")[2]
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))  # RFC 2045 6.7
    assert body.isascii()
    found = _read_parts(eml)
    assert [p["Content-Transfer-Encoding"] for p in found] == ["quoted-printable"] * 2
    assert [p["MIME-Version"] for p in found] == [None, None]
    decoded = [str(p.get_content()).replace("\r\n", "\n") for p in found]
    assert decoded == [_as_read(text), _as_read(html)]
    assert encode_text(text) == quoted_printable(text.encode().splitlines(), 76)


def stdlib_part(body: str, subtype: str) -> EmailMessage:
    """A part as `EmailMessage` sets it: utf-8, quoted-printable at 76 characters a line,
    without the MIME-Version `set_content` adds to it."""
    part = EmailMessage(policy=POLICY.clone(max_line_length=BODY_LINE))
    part.set_content(body, subtype=subtype, cte="quoted-printable")
    del part["MIME-Version"]
    return part


def stdlib_build(digest: Digest, config: Settings, text: str, html: str) -> bytes:
    """The `.eml` of `build_eml`, written whole by `EmailMessage.as_bytes`: the same headers,
    the two parts attached as `set_content` makes them."""
    msg, _ = message_head(digest, config)
    msg.attach(stdlib_part(text, "plain"))
    msg.attach(stdlib_part(html, "html"))
    return msg.as_bytes()


def _both(digest: Digest, config: Settings) -> tuple[object, object]:
    """The built .eml (or the refusal), and the same written whole by the stdlib."""
    try:
        files = {f.path: f.content for f in render_email(digest, config)}
    except RenderError as exc:
        return str(exc), str(exc)
    eml, text, html = (files[f"email/digest.{kind}"] for kind in ("eml", "txt", "html"))
    return eml, stdlib_build(digest, config, text.decode(), html.decode())


def test_built_emails_are_the_bytes_the_stdlib_writes() -> None:
    config = BASE
    seeds = sorted(BBC_SEEDS.glob("*.txt"))
    digests = [three_stories(), make_digest([read_seed(p) for p in seeds[:20]])]
    digests += [make_digest([read_seed(p)]) for p in seeds[20:40]]
    for digest in digests:
        new, old = _both(digest, config)
        assert isinstance(new, bytes) and new == old


BASE, DIGEST = make_settings(), make_digest()
# What header and body text may hold: encoded words, line breaks, bidi, scripts, emoji.
_FRAGMENTS = st.sampled_from(
    [
        *["=?", "?=", "?q?", "?b?", "=0D=0A", "Bcc:", "\r\n", "\u2028", "\u202e", "\u200d"],
        *["\u034f", "Café", "日本語のニュース", "خبر عاجل", "👨\u200d👩\u200d👧", "e\u0301"],
        *["<b>", "&amp;", '"'],
    ]
)
_STORY_TEXT = st.lists(st.one_of(_FRAGMENTS, _PIECES, st.text(max_size=12)), max_size=30).map(
    "".join
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headline=_STORY_TEXT,
    tagline=_STORY_TEXT,
    bullets=st.lists(_STORY_TEXT, max_size=4),
    brand=_STORY_TEXT,
)
def test_hostile_stories_give_the_bytes_the_stdlib_writes(
    headline: str, tagline: str, bullets: list[str], brand: str
) -> None:
    digest = with_summary(DIGEST, headline=headline, tagline=tagline, bullets=bullets)
    config = BASE.model_copy(update={"brand": BASE.brand.model_copy(update={"name": brand})})
    new, old = _both(digest, config)
    assert new == old


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_TEXT, _HOSTILE), html=st.one_of(_TEXT, _HOSTILE))
def test_any_text_and_html_are_built_into_the_bytes_the_stdlib_writes(text, html) -> None:
    # Long lines, CR, CRLF, "=", "From ", ".", trailing spaces and tabs, non-ASCII.
    assert build_eml(DIGEST, BASE, text=text, html=html) == stdlib_build(DIGEST, BASE, text, html)


# Lines that put `=XX` escapes, spaces and tabs at every place near a cut, many cuts a line.
_NEAR_CUTS = st.lists(st.sampled_from(["a", "=", " ", "\t", "é", "\x00"]), max_size=400).map(
    "".join
)


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(_NEAR_CUTS, min_size=1, max_size=4), limit=st.integers(4, 90))
def test_quoted_printable_cuts_long_lines_where_body_encode_does(lines, limit) -> None:
    raw = [line.encode() for line in lines]
    body = (b"\n".join(raw) + b"\n").decode("latin-1")
    wanted = quoprimime.body_encode(body, limit).replace("\n", "\r\n").encode("ascii")
    assert quoted_printable(raw, limit) == wanted


@pytest.mark.parametrize("limit", [4, 5, 6, 7, 76])
def test_quoted_printable_cuts_every_length_around_the_limit_as_body_encode(limit: int) -> None:
    for size in range(2 * limit + 8):
        for at in range(size):  # one escape, anywhere in the line, and a space at its end
            for line in ("a" * at + "=" + "a" * (size - at - 1), "a" * at + "é" + " " * 2):
                body = line.encode().decode("latin-1") + "\n"
                wanted = quoprimime.body_encode(body, limit).replace("\n", "\r\n")
                assert quoted_printable([line.encode()], limit) == wanted.encode("ascii")
