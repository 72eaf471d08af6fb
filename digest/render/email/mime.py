"""The two bodies of the `.eml`, written as `EmailMessage` writes them, without its per-line work.

`EmailMessage.set_content(text)` picks a transfer encoding (7bit, 8bit, quoted-printable or
base64) by the stdlib's own rules, encodes the text line by line, and `as_bytes` then writes the
payload a line at a time with CRLF. Here the same choice is made by the same rules, and each
encoding is done on the whole body at once: the bytes are the same (tests/
test_render_email_mime.py holds them to the stdlib's on built and random emails). The headers,
the top one's and each part's, are still folded by the policy from `email`'s header objects.
"""

from __future__ import annotations

import binascii
import re
from email import quoprimime
from email.message import EmailMessage
from email.policy import Policy
from functools import cache

# What quoted-printable writes as `=XX` in a body: all but printable ASCII, space and tab, and
# `=`, which is done first, apart (it is the commonest, in every HTML attribute). CR and LF never
# reach it.
_QUOTED = re.compile(rb"[^\t\x20-\x7e]")
_QUOTE = [b"=%02X" % octet for octet in range(256)]


def encode_text(text: str, policy: Policy) -> tuple[str, bytes]:
    """(transfer encoding, body as written with CRLF line ends) of `text` as a utf-8 part.

    The choice is `email.contentmanager`'s for `set_content(text)` with no `cte`.
    """
    lines = text.encode("utf-8").splitlines()
    longest = max(map(len, lines), default=0)
    limit = int(policy.max_line_length or 0)
    if longest <= limit:
        if all(line.isascii() for line in lines):
            return "7bit", b"\r\n".join(lines) + b"\r\n"
        if policy.cte_type == "8bit":
            return "8bit", b"\r\n".join(lines) + b"\r\n"
    sniff = b"\r\n".join(lines[:10]) + b"\r\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), limit)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        return "base64", _base64(b"\r\n".join(lines) + b"\r\n", limit)
    if len(lines) <= 10:
        return "quoted-printable", sniff_qp.replace("\n", "\r\n").encode("ascii")
    return "quoted-printable", quoted_printable(lines, limit)


def quoted_printable(lines: list[bytes], limit: int) -> bytes:
    """`quoprimime.body_encode` of `lines` (each without its line end) at `limit` characters a
    line, as `as_bytes` writes it: CRLF after every line, soft breaks included."""
    out: list[bytes] = []
    append = out.append
    room = limit - 1
    for raw in lines or [b""]:  # no lines is one empty line, as body_encode reads "\n"
        line = _QUOTED.sub(_quoted, raw.replace(b"=", b"=3D"))
        start, last = 0, len(line) - 1 - limit
        while start <= last:
            stop = start + room
            if line[stop - 2] == 61:  # "=": never break inside an escape
                append(line[start : stop - 1])
                start = stop - 2
            elif line[stop - 1] == 61:
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + b"=")
                start = stop
        if line and line[-1] in b" \t":  # a space at a line's end is quoted, or kept by a break
            left = start - last
            end = line[-1:]
            if left >= 3:
                append(line[start:-1] + _QUOTE[line[-1]])
            elif left == 2:
                append(line[start:-1] + end + b"=")
                append(b"")
            else:
                append(line[start:-1] + b"=")
                append(_QUOTE[line[-1]])
        else:
            append(line[start:])
    append(b"")
    return b"\r\n".join(out)


def _base64(data: bytes, limit: int) -> bytes:
    """`data` in base64 lines of `limit // 4 * 3` bytes each (as `contentmanager` cuts them),
    CRLF after each: one encoding of the whole, since each line's bytes are a multiple of 3."""
    encoded = binascii.b2a_base64(data, newline=False)
    width = limit // 4 * 4
    pieces = [encoded[i : i + width] for i in range(0, len(encoded), width)]
    return b"\r\n".join([*pieces, b""])


def _quoted(match: re.Match[bytes]) -> bytes:
    return _QUOTE[match[0][0]]


def parts(policy: Policy, boundary: str, text: str, html: str) -> bytes:
    """What `as_bytes` writes after the header block: the text part, then the HTML part.

    The last few are kept: the checks that follow a build ask for the same parts again.
    """
    if policy.linesep != "\r\n":
        raise ValueError("mime writes CRLF line ends: the policy must be policy.SMTP's")
    text_cte, text_body = encode_text(text, policy)
    html_cte, html_body = encode_text(html, policy)
    text_head, html_head = _part_heads(policy, text_cte, html_cte)
    mark = f"--{boundary}".encode("ascii")
    return b"".join(
        (
            mark + b"\r\n",
            text_head,
            text_body,
            b"\r\n" + mark + b"\r\n",
            html_head,
            html_body,
            b"\r\n" + mark + b"--\r\n",
        )
    )


def folded(msg: EmailMessage) -> bytes:
    """`msg`'s header block as `as_bytes` writes it: each header folded by the policy, then the
    blank line."""
    fold = msg.policy.fold_binary
    return b"".join([fold(name, value) for name, value in msg.raw_items()]) + b"\r\n"


@cache
def _part_heads(policy: Policy, text_cte: str, html_cte: str) -> tuple[bytes, bytes]:
    """The header blocks of the text and the HTML part with these encodings, as the stdlib
    makes them (the HTML part's `EmailMessage` adds its own MIME-Version)."""
    model = EmailMessage(policy=policy)
    model.set_content("", cte=text_cte)
    model.add_alternative("", subtype="html", cte=html_cte)
    text, html = model.iter_parts()
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return folded(text), folded(html)
