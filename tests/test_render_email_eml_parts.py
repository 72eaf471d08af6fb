"""The `.eml` checks without a full parse find what a full `email.parser` reading finds."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from email.message import EmailMessage

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.email import five_stories, three_stories
from support.factories import settings as example_settings

from digest.render.email import render_email
from digest.render.email.checks import FILES, check_email, read_email
from digest.render.email.eml_parts import as_written
from digest.render.email.message import POLICY

CONFIG = example_settings()
GOOD = {f.path: f.content for f in render_email(three_stories(), CONFIG)}
BOUNDARY = "=_digest_0123456789abcdef01234567"


def _reference_eml(message: EmailMessage | None, eml: bytes, text: str, html: bytes) -> list[str]:
    """The `eml` check as it was: the whole `.eml` parsed, its parts decoded and compared."""
    names = ("From", "To", "Subject", "Date", "Message-ID", "List-Id")
    if message is None or message.get_content_type() != "multipart/alternative":
        return ["email/digest.eml is not a multipart/alternative message"]
    problems = [f"email/digest.eml has no {n} header" for n in names if not message.get(n)]
    from digest.render.email.header_checks import raw_ids

    problems += raw_ids(eml, CONFIG.email.list_id)
    parts = list(message.iter_parts())
    types = [part.get_content_type() for part in parts]
    if types != ["text/plain", "text/html"]:
        return [*problems, f"email/digest.eml parts are {types}, not text/plain then text/html"]
    text_part, html_part = (str(p.get_content()).replace("\r\n", "\n") for p in parts)
    if text_part != text:
        problems.append("the .eml's text part differs from email/digest.txt")
    if html_part.encode() != html:
        problems.append("the .eml's HTML part differs from email/digest.html")
    return problems


def _same(html: bytes, text: bytes, eml: bytes) -> bool:
    """Whether the checks give what they gave when the whole `.eml` was parsed."""
    mail = read_email(html, text, eml)
    whole = email.message_from_bytes(eml, policy=email.policy.default)
    assert isinstance(whole, EmailMessage)
    old = replace(mail, message=whole)
    found = [(n, p) for n, p in check_email(mail, CONFIG) if n in ("eml", "subject")]
    wanted = [(n, p) for n, p in check_email(old, CONFIG) if n == "subject"]
    try:
        reference = _reference_eml(whole, eml, mail.text, html)
    except Exception as exc:  # an edit that breaks a charset: check_email reports it so
        reference = [f"could not check: {type(exc).__name__}: {exc}"]
    wanted += [("eml", p) for p in reference]
    return sorted(found) == sorted(wanted)


def test_built_emails_are_checked_without_parsing_their_parts() -> None:
    for digest in (three_stories(), five_stories()):
        files = {f.path: f.content for f in render_email(digest, CONFIG)}
        html, text, eml = (files[path] for path in FILES)
        mail = read_email(html, text, eml)
        assert mail.message is not None
        assert as_written(eml, mail.message, mail.text, html)
        assert _same(html, text, eml)


def _eml(text: str, html: str) -> bytes:
    msg = EmailMessage(policy=POLICY)
    for name in ("From", "To", "Subject", "Date", "Message-ID", "List-Id"):
        msg[name] = email.message_from_bytes(GOOD["email/digest.eml"])[name]
    msg.set_content(text)  # as build_eml does
    msg.add_alternative(html, subtype="html")
    msg.set_boundary(BOUNDARY)
    return msg.as_bytes()


_PIECES = st.sampled_from(
    [
        *["\n", "\r\n", "\r", " ", "=", "é", "\x00", "\x0c", "\u2028", "x" * 90, "<a>", "\ufffd"],
        *[f"--{BOUNDARY}", f"\n--{BOUNDARY}\n", f"\n--{BOUNDARY}--\n", "\n--", "=_digest_"],
    ]
)
_ANY = st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=30).map("".join)
# Half of them as the renderer writes its files: LF line ends and a final one.
_TEXT = st.one_of(
    _ANY,
    _ANY.map(lambda text: text.replace("\r", "") + "\n"),
    st.text(max_size=200).map(lambda text: text.replace("\r", "") + "\n"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, html=_TEXT, other_text=st.none() | _TEXT, bad_utf8=st.booleans())
def test_random_parts_are_judged_as_the_full_parse_judges_them(
    text: str, html: str, other_text: str | None, bad_utf8: bool
) -> None:
    eml = _eml(text, html)
    html_file = html.encode() + (b"\xff\n" if bad_utf8 else b"")
    text_file = (text if other_text is None else other_text).encode()
    assert _same(html_file, text_file, eml)


_EDITS = st.sampled_from(
    [
        *[b"\r\n", b"\n", b"\r", b"=", b"=\r\n", b" ", b"A", b"\r\n\r\n", b"--", b"\xff"],
        *[f"\r\n--{BOUNDARY}\r\n".encode(), b"Content-Type: text/plain\r\n", b"\r\n--=_digest_x"],
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.floats(0, 1), _EDITS), min_size=1, max_size=4))
@example(edits=[(0.11259372080081123, b"\r\n")])  # inside the HTML part's charset: unknown
def test_edited_emls_are_judged_as_the_full_parse_judges_them(
    edits: list[tuple[float, bytes]],
) -> None:
    eml = GOOD["email/digest.eml"]
    for where, snippet in edits:
        at = int(where * len(eml))
        eml = eml[:at] + snippet + eml[at:]
    assert _same(GOOD["email/digest.html"], GOOD["email/digest.txt"], eml)
