"""Whether the `.eml`'s two parts are the text and HTML files, as a mail reader decodes them.

A built `.eml` is its header block and then the two parts exactly as `mime.parts` writes them
from those two files. When the bytes after the header block are exactly those, and the files
are text that such parts decode back to (utf-8, LF line ends, a final one), the parts are the
files and nothing needs parsing (tests/test_render_email_checks.py holds this to the reading
by `email.parser`). Any other `.eml`, hand-edited, damaged or from another writer, is parsed
whole by `email`, as before.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from typing import Any

from digest.render.email.message import POLICY
from digest.render.email.mime import parts
from digest.render.email.readback import READER, header_block


class _Headers(EmailMessage):
    """A parsed message that is only read from then on: each header's value is parsed once, not
    on every `get` (the checks ask for some several times, as `get_content_type` does)."""

    _read: dict[str, Any] | None = None

    def get(self, name: str, failobj: Any = None) -> Any:
        if self._read is None:  # still being parsed
            return super().get(name, failobj)
        key = name.lower()
        if key not in self._read:
            self._read[key] = super().get(name, _MISSING)
        found = self._read[key]
        return failobj if found is _MISSING else found


_MISSING = object()


def read_headers(eml: bytes) -> EmailMessage | None:
    """The `.eml` read by `email` (policy.default, as `readback.READER`) as far as its headers:
    the same headers as the whole message gives (`header_block`), and no parts."""
    message = email.message_from_bytes(header_block(eml), _class=_Headers, policy=READER)
    if not isinstance(message, _Headers):
        return None
    message._read = {}
    return message


def part_problems(eml: bytes, head: EmailMessage, text: str, html: bytes) -> list[str]:
    """Problems of the parts of a multipart `.eml` whose headers are `head`: they must be the
    text part and the HTML part, holding the text (`text`) and HTML (`html`) files."""
    if as_written(eml, head, text, html):
        return []
    whole = email.message_from_bytes(eml, policy=email.policy.default)
    if not isinstance(whole, EmailMessage):
        return ["email/digest.eml is not a multipart/alternative message"]
    found = list(whole.iter_parts())
    types = [part.get_content_type() for part in found]
    if types != ["text/plain", "text/html"]:
        return [f"email/digest.eml parts are {types}, not text/plain then text/html"]
    problems = []
    text_part, html_part = (str(p.get_content()).replace("\r\n", "\n") for p in found)
    if text_part != text:
        problems.append("the .eml's text part differs from email/digest.txt")
    if html_part.encode() != html:
        problems.append("the .eml's HTML part differs from email/digest.html")
    return problems


def as_written(eml: bytes, head: EmailMessage, text: str, html: bytes) -> bool:
    """Whether the `.eml` after its header block is exactly the two parts built from the files,
    with a boundary found nowhere in them, and the files decode back from such parts."""
    block = header_block(eml)
    boundary = head.get_boundary()
    if block is eml or boundary is None or head.get_content_type() != "multipart/alternative":
        return False
    try:
        page = html.decode("utf-8")
        mark = f"--{boundary}".encode("ascii")
    except UnicodeError:
        return False
    if any("\r" in body or not body.endswith("\n") for body in (text, page)):
        return False
    expected = parts(POLICY, boundary, text, page)
    return expected.count(mark) == 3 and eml[len(block) :] == expected
