"""The two parts of the `.eml`, written as `EmailMessage` writes them, without its per-line work.

Each part is utf-8 text, quoted-printable whatever it holds: `set_content` alone picks 7bit,
8bit, quoted-printable or base64 from the text, so one build was 8bit and the next
quoted-printable, and an 8bit part is sent raw by a relay without 8BITMIME (msmtp).
Quoted-printable is 7-bit safe everywhere, and its lines are cut at 76 characters (RFC 2045
6.7), where `policy.SMTP`'s 78 would be too long. A part has no MIME-Version of its own (RFC
2045 puts it on the message only; `EmailMessage.set_content` adds one to every part it sets).

`parts` writes what `set_content(body, cte="quoted-printable")` at 76 characters a line, and
then `as_bytes`, would write for the two parts: the same encoding, done on a whole body at once
rather than a line at a time, and the parts' headers made by `set_content` and folded by the
policy (tests/test_render_email_mime.py holds the bytes to the stdlib's on built emails and on
random and hostile texts). The message's own headers are `email`'s, folded by `folded`.
"""

from __future__ import annotations

import re
from email.message import EmailMessage, MIMEPart
from email.policy import Policy
from functools import cache, lru_cache

BODY_LINE = 76  # characters of an encoded body line at most, CRLF aside (RFC 2045 6.7)
CTE = "quoted-printable"  # both parts, whatever they hold: deterministic and 7-bit safe

# How a body's octets are written: `=` as `=3D`, first (it is the commonest, in every HTML
# attribute); then tab, space and printable ASCII (`_KEPT`, the `=` of `=3D` among them) as they
# are, and any other octet as `=XX`, made of kept octets only, so never quoted again. The lines
# are quoted together: the LF between two is kept too (a line holds none, nor a CR).
_KEPT = bytes([9, 10, *range(0x20, 0x7F)])
_QUOTE = [b"=%02X" % octet for octet in range(256)]
_OCTET = [bytes([octet]) for octet in range(256)]


def encode_text(text: str) -> bytes:
    """The body of `text` as a utf-8 quoted-printable part, as written with CRLF line ends:
    what `set_content(text, cte="quoted-printable")` gives at `BODY_LINE` characters a line."""
    return quoted_printable(text.encode("utf-8").splitlines(), BODY_LINE)


def quoted_printable(lines: list[bytes], limit: int) -> bytes:
    """`quoprimime.body_encode` of `lines` (each without its line end) at `limit` characters a
    line, as `as_bytes` writes it: CRLF after every line, soft breaks included."""
    out: list[bytes] = []
    append = out.append
    # No lines is one empty line, as body_encode reads "\n".
    for line in _quoted(b"\n".join(lines)).split(b"\n"):
        start, last = 0, len(line) - 1 - limit
        if start <= last:  # the pieces cut while more than `limit` characters are left
            pieces = _pieces(limit).findall(line)
            append(b"=\r\n".join(pieces) + b"=")
            start = sum(map(len, pieces))
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


@cache
def _pieces(limit: int) -> re.Pattern[bytes]:
    """The pieces `body_encode` cuts off an encoded line, each then written with a soft break
    `=`: from where the last ended, while more than `limit` characters are left (so one after
    another, each where the last ended, and none once there are fewer), `limit - 1`
    characters, or one or two fewer so as not to cut an `=XX` (its loop looks for `=` at the
    last two)."""
    room = limit - 1
    return re.compile(
        rb"(?=.{%d}).{%d}(?:(?==)|.(?==)|..)" % (limit + 1, room - 2),
        re.DOTALL,
    )


def _quoted(raw: bytes) -> bytes:
    """`raw` with `=` and each octet not `_KEPT` written `=XX`: one `replace` per distinct
    octet (a text holds few; the replacements hold only kept octets)."""
    line = raw.replace(b"=", b"=3D")
    for octet in set(line.translate(None, _KEPT)):
        line = line.replace(_OCTET[octet], _QUOTE[octet])
    return line


@lru_cache(maxsize=4)
def parts(policy: Policy, boundary: str, text: str, html: str) -> bytes:
    """What `as_bytes` writes after the header block: the text part, then the HTML part.

    The last few are kept: the checks that follow a build ask for the same parts again (a
    pure function of its arguments: what is kept is what would be written again).
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
    """The header blocks of the text and the HTML part, as `set_content(body, subtype=...,
    cte="quoted-printable")` makes them, whatever the body, and `as_bytes` folds them (with
    the message's policy): no MIME-Version in either."""
    heads = []
    for subtype in ("plain", "html"):
        model = MIMEPart(policy=policy)
        model.set_content("", subtype=subtype, cte=CTE)
        heads.append(folded(model))
    return heads[0], heads[1]
