"""The two bodies of the `.eml`, written as `EmailMessage` writes them, without its per-line work.

`message.body_part` sets each part with `set_content(body, cte="quoted-printable")` at 76
characters a line (RFC 2045), which encodes the text line by line, and `as_bytes` then writes
the payload a line at a time with CRLF. Here the same encoding is done on the whole body at
once: the bytes are the same (tests/test_render_email_mime.py holds them to the stdlib's on
built and random emails). The headers, the top one's and each part's, are still folded by the
policy from `email`'s header objects.
"""

from __future__ import annotations

import re
from email.message import EmailMessage, MIMEPart
from email.policy import Policy
from functools import cache

BODY_LINE = 76  # characters of an encoded body line at most, CRLF aside (RFC 2045 6.7)
CTE = "quoted-printable"  # both parts, whatever they hold: deterministic and 7-bit safe

# What quoted-printable writes as `=XX` in a body: all but printable ASCII, space and tab, and
# `=`, which is done first, apart (it is the commonest, in every HTML attribute). CR and LF never
# reach it.
_QUOTED = re.compile(rb"[^\t\x20-\x7e]")
_QUOTE = [b"=%02X" % octet for octet in range(256)]


def encode_text(text: str) -> bytes:
    """The body of `text` as a utf-8 quoted-printable part, as written with CRLF line ends:
    what `set_content(text, cte="quoted-printable")` gives at `BODY_LINE` characters a line."""
    return quoted_printable(text.encode("utf-8").splitlines(), BODY_LINE)


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


def _quoted(match: re.Match[bytes]) -> bytes:
    return _QUOTE[match[0][0]]


def parts(policy: Policy, boundary: str, text: str, html: str) -> bytes:
    """What `as_bytes` writes after the header block: the text part, then the HTML part.

    The last few are kept: the checks that follow a build ask for the same parts again.
    """
    if policy.linesep != "\r\n":
        raise ValueError("mime writes CRLF line ends: the policy must be policy.SMTP's")
    text_head, html_head = _part_heads(policy)
    mark = f"--{boundary}".encode("ascii")
    return b"".join(
        (
            mark + b"\r\n",
            text_head,
            encode_text(text),
            b"\r\n" + mark + b"\r\n",
            html_head,
            encode_text(html),
            b"\r\n" + mark + b"--\r\n",
        )
    )


def folded(msg: EmailMessage | MIMEPart) -> bytes:
    """`msg`'s header block as `as_bytes` writes it: each header folded by the policy, then the
    blank line."""
    fold = msg.policy.fold_binary
    return b"".join([fold(name, value) for name, value in msg.raw_items()]) + b"\r\n"


@cache
def _part_heads(policy: Policy) -> tuple[bytes, bytes]:
    """The header blocks of the text and the HTML part, as `message.body_part` makes them and
    `as_bytes` folds them (with the message's policy): no MIME-Version in either."""
    heads = []
    for subtype in ("plain", "html"):
        model = MIMEPart(policy=policy)
        model.set_content("", subtype=subtype, cte=CTE)
        heads.append(folded(model))
    return heads[0], heads[1]
