"""The email checks of the headers providers read as written, never decoded (RFC 2369, 8058).

List-Unsubscribe, List-Unsubscribe-Post, Message-ID and List-Id's `<...>` are tokens: a mail
program that meets `=?utf-8?q?=3Chttps...?=` there finds no link, so no one-click unsubscribe.
"""

from __future__ import annotations

import re

from digest.render.email.readback import raw_header

_ANGLED = re.compile(r"<([^<>\s]*)>")
_ANGLED_LIST = re.compile(r"<[^<>\s]*>(?:\s*,\s*<[^<>\s]*>)*")
ONE_CLICK = "List-Unsubscribe=One-Click"


def list_unsubscribe(eml: bytes, wanted: list[str]) -> list[str]:
    """Problems of List-Unsubscribe (its links must be `wanted`) and List-Unsubscribe-Post."""
    header = raw_header(eml, "List-Unsubscribe") or ""
    links = _ANGLED.findall(header) if _ANGLED_LIST.fullmatch(header) else []
    problems = []
    if "=?" in header:
        problems.append(
            f"List-Unsubscribe is RFC 2047-encoded ({header[:80]!r}): providers find no link"
        )
    elif not any(u.startswith("https://") for u in links) or "mailto:" not in header:
        problems.append(f"List-Unsubscribe needs an https and a mailto link: {header[:160]!r}")
    elif links != wanted:
        problems.append(f"List-Unsubscribe carries {links}, not the configured {wanted}")
    post = raw_header(eml, "List-Unsubscribe-Post")
    if post != ONE_CLICK:
        problems.append(f"List-Unsubscribe-Post is {post!r}, not {ONE_CLICK}")
    return problems


def raw_ids(eml: bytes, list_id: str) -> list[str]:
    """Problems of Message-ID and of List-Id's `<list_id>` as written."""
    problems = []
    if "=?" in (raw_header(eml, "Message-ID") or ""):
        problems.append("Message-ID is RFC 2047-encoded; it must be written as <id@host>")
    angle = f"<{list_id}>"
    written = raw_header(eml, "List-Id") or ""
    if not written.endswith(angle):
        problems.append(f"List-Id does not end with {angle} as written: {written[:160]!r}")
    return problems
