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


def list_unsubscribe(eml: bytes, wanted: list[str], *, tag: bool = False) -> list[str]:
    """Problems of List-Unsubscribe (its links must be `wanted`) and List-Unsubscribe-Post.

    With `tag`, the first of `wanted` is an email service's merge tag (`<{{ UnsubscribeURL }}>`,
    `<<%asm_group_unsubscribe_raw_url%>>`), which the service replaces: the header must then be
    exactly the tag and the mailto link, each in its angle brackets.
    """
    header = raw_header(eml, "List-Unsubscribe") or ""
    links = _ANGLED.findall(header) if _ANGLED_LIST.fullmatch(header) else []
    expected = ", ".join(f"<{link}>" for link in wanted)
    problems = []
    if "=?" in header:
        problems.append(
            f"List-Unsubscribe is RFC 2047-encoded ({header[:80]!r}): providers find no link"
        )
    elif tag:
        if " ".join(header.split()) != expected:
            problems.append(
                f"List-Unsubscribe is {header[:160]!r}, not the configured {expected!r}"
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


def archive_link(eml: bytes) -> str | None:
    """The link of List-Archive as written, or None when the header is not one `<link>`."""
    found = _ANGLED.fullmatch(raw_header(eml, "List-Archive") or "")
    return found.group(1) if found else None


def list_archive(eml: bytes, pattern: re.Pattern[str] | None) -> list[str]:
    """Problems of List-Archive (RFC 2369): one `<link>` of the `[email] web_url` pattern, or
    no header at all when there is no pattern."""
    header = raw_header(eml, "List-Archive")
    if pattern is None:
        return (
            []
            if header is None
            else [f"List-Archive is written ({header[:80]!r}) without a web_url"]
        )
    link = archive_link(eml)
    if header is None:
        return ["no List-Archive header, though email.web_url is set"]
    if link is None or "=?" in header or not pattern.fullmatch(link):
        return [f"List-Archive is {header[:160]!r}, not <the web_url of this batch>"]
    return []
