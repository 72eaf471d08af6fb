"""The `[email]` links that are more than one URL: an email service's per-recipient merge tags
(`merge_tags`, `unsubscribe_url`, `preferences_url`) and the web version's pattern (`web_url`).

A mailing-list service (ESP) replaces its own tag, in each copy it sends, with that reader's link;
a static https URL, sent as is by `sendmail`, identifies no one. Each preset knows its ESP's exact
tags, from the ESP's documentation; only those are written unescaped (SendGrid's `<%...%>` must
reach it raw), and any other text is an https URL or refused:

    merge_tags = "mailchimp"          # unsubscribe_url defaults to *|UNSUB|*
    preferences_url = "*|UPDATE_PROFILE|*"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from digest.config.texts import header_link, https_url, shown


@dataclass(frozen=True)
class Esp:
    """One email service's tags: the first unsubscribe tag is the default."""

    name: str
    unsubscribe: tuple[str, ...]
    preferences: tuple[str, ...]
    no_preferences: str = ""  # why there is no preferences tag, for the message


ESPS = {
    # listmonk docs, "Templating" (listmonk.app/docs/templating): {{ UnsubscribeURL }} is the
    # unsubscribe and preferences page; "{{ UnsubscribeURL }}?manage=true" the preferences page.
    "listmonk": Esp("listmonk", ("{{ UnsubscribeURL }}",), ("{{ UnsubscribeURL }}?manage=true",)),
    # Mailchimp help, "The Unsubscribe Merge Tag" and "HTML Code for Footer Content": *|UNSUB|*;
    # *|UPDATE_PROFILE|* is the contact's update-profile (preferences) page.
    "mailchimp": Esp("Mailchimp", ("*|UNSUB|*",), ("*|UPDATE_PROFILE|*",)),
    # Amazon SES developer guide, "Using subscription management": with ListManagementOptions
    # SES replaces {{amazonSESUnsubscribeUrl}}; its page lets the reader choose topics.
    "ses": Esp(
        "Amazon SES",
        ("{{amazonSESUnsubscribeUrl}}",),
        (),
        "its unsubscribe page ({{amazonSESUnsubscribeUrl}}) is also where readers pick topics",
    ),
    # Postmark support, "How to add an unsubscribe link": {{{ pm:unsubscribe }}} in the HTML
    # (as an href) and in the text of Broadcast streams.
    "postmark": Esp(
        "Postmark", ("{{{ pm:unsubscribe }}}",), (), "its broadcast streams carry only that one"
    ),
    # Twilio SendGrid docs, "Unsubscribe Groups" and "Global Unsubscribes": the _raw_url tags are
    # replaced by the bare URL (the others by a whole link); SendGrid matches `<%`, so raw.
    "sendgrid": Esp(
        "SendGrid",
        ("<%asm_group_unsubscribe_raw_url%>", "<%asm_global_unsubscribe_raw_url%>"),
        ("<%asm_preferences_raw_url%>",),
    ),
}
MergeTags = Literal["none", "listmonk", "mailchimp", "ses", "postmark", "sendgrid"]
ROLES = {"unsubscribe_url": "unsubscribe", "preferences_url": "preferences"}
# What a merge tag of some ESP looks like: a value holding one is no URL, and is named as a tag.
_TAG_LIKE = re.compile(r"\{\{|\*\||<%|%%|\[\[")


# What opens or closes a template in the ESPs' engines: Go templates (listmonk), Handlebars (SES,
# SendGrid), Mustachio (Postmark), `*|...|*` (Mailchimp), `<%...%>` (SendGrid). In seed text sent
# through one, each pair is split by a space (`{ {`), so that only the configured tags run.
_TEMPLATE_PAIR = re.compile(r"\{(?=\{)|\}(?=\})|\*(?=\|)|\|(?=\*)|<(?=%)|%(?=>)")
TEMPLATE_OPENER = re.compile(r"\{\{|\*\||<%")


def inert(text: str) -> str:
    """Seed text that no ESP's template engine reads as a template: `{{`, `}}`, `*|`, `|*`, `<%`
    and `%>` split by a space. Nothing else changes."""
    return _TEMPLATE_PAIR.sub(lambda pair: pair.group() + " ", text)


def tag_of(value: str | None, preset: str) -> str | None:
    """The preset's own tag that `value` is (the table's constant), or None."""
    esp = ESPS.get(preset)
    if esp is None or value is None:
        return None
    return next((tag for tag in (*esp.unsubscribe, *esp.preferences) if tag == value), None)


def default_unsubscribe(preset: str) -> str | None:
    """The unsubscribe link of a preset left without `unsubscribe_url`: its ESP's tag."""
    esp = ESPS.get(preset)
    return esp.unsubscribe[0] if esp else None


def check_link(key: str, value: str, preset: str) -> str:
    """`value` for `key` (unsubscribe_url or preferences_url) under `merge_tags = preset`: the
    preset's tag for that link, or an https URL; a ValueError says which tag to write."""
    role = ROLES[key]
    esp = ESPS.get(preset)
    if esp is not None and value in getattr(esp, role):
        return value
    owner = _owner(value)
    if owner is None and not _TAG_LIKE.search(value):
        if role == "unsubscribe":  # also written raw in List-Unsubscribe
            header_link(https_url(value))
            if esp is not None:  # an ESP sends each reader a copy: a static link names no one
                raise ValueError(
                    f"{shown(value)} is the same link for every reader, so {esp.name} could not "
                    f'tell who leaves; with merge_tags = "{preset}" leave unsubscribe_url out '
                    f"(it becomes {esp.unsubscribe[0]}) or write {' or '.join(esp.unsubscribe)}"
                )
        return https_url(value)
    raise ValueError(_wrong_tag(key, value, preset, owner))


def _owner(value: str) -> tuple[str, str, str] | None:
    """(preset, role, exact tag) of the ESP tag `value` is, also written with other spacing or
    case (`{{UnsubscribeURL}}`), or None."""
    squeezed = _squeezed(value)
    for preset, esp in ESPS.items():
        for role in ("unsubscribe", "preferences"):
            for tag in getattr(esp, role):
                if _squeezed(tag) == squeezed:
                    return preset, role, tag
    return None


def _squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value).lower()


def _wrong_tag(key: str, value: str, preset: str, owner: tuple[str, str, str] | None) -> str:
    role, esp = ROLES[key], ESPS.get(preset)
    if owner is None:
        return f"{shown(value)} is no merge tag digest knows; {key} takes {_wanted(key, preset)}"
    where, its_role, tag = owner
    theirs = ESPS[where]
    if where == preset and its_role == role:
        return f"{shown(value)} is not written as {theirs.name}'s tag; write it exactly {tag}"
    if where == preset:
        wanted = _wanted(key, preset)
        return f"{shown(value)} is {theirs.name}'s {its_role} tag; {key} takes {wanted}"
    if esp is None:
        return (
            f'{shown(value)} is {theirs.name}\'s {its_role} tag; set email.merge_tags = "{where}" '
            'to send through it (with "none" the link is sent as written, so it must be an '
            "https:// URL)"
        )
    return (
        f'{shown(value)} is {theirs.name}\'s tag, but email.merge_tags is "{preset}"; {key} takes '
        f'{_wanted(key, preset)}, or set merge_tags = "{where}"'
    )


def _wanted(key: str, preset: str) -> str:
    """What `key` takes under `preset`, said for a message."""
    esp, role = ESPS.get(preset), ROLES[key]
    if esp is None:
        return (
            'an https:// URL (merge_tags = "none": sent as written); an email service\'s merge '
            f"tag needs its merge_tags preset ({', '.join(ESPS)})"
        )
    tags = getattr(esp, role)
    if not tags:
        return (
            f"an https:// URL: {esp.name} has no {role} tag ({esp.no_preferences}); "
            "leave it out or link your own page"
        )
    return f"{' or '.join(tags)} ({esp.name}'s {role} tag) or an https:// URL"


# web_url's placeholders: the batch folder's local date and its slot folder, and the schedule.
WEB_PLACEHOLDERS = {"date": "2026-11-28", "slot": "morning-0800", "schedule": "morning"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def web_url(value: str, schedule: str = WEB_PLACEHOLDERS["schedule"]) -> str:
    """A web-version pattern: an https URL once {date}, {slot} and {schedule} are filled, for
    `schedule`'s batches (the sample's, until the schedules are known)."""
    unknown = [name for name in _PLACEHOLDER.findall(value) if name not in WEB_PLACEHOLDERS]
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in WEB_PLACEHOLDERS)
        raise ValueError(
            f"{shown(value)} holds the unknown placeholder {{{unknown[0]}}}; the known ones are "
            f"{known}, e.g. https://example.org/archive/{{date}}/{{slot}}/"
        )
    samples = WEB_PLACEHOLDERS | {"slot": f"{schedule}-0800", "schedule": schedule}
    filled = fill_web_url(value, **samples)
    try:
        https_url(filled)
        header_link(filled, "List-Archive")
    except ValueError as error:
        example = ", ".join(f"{{{name}}} = {sample}" for name, sample in samples.items())
        message = f"{error}; that is {shown(value)} filled with {example}"
        raise ValueError(message if filled != value else str(error)) from None
    return value


def fill_web_url(pattern: str, *, date: str, slot: str, schedule: str) -> str:
    """`pattern` with a batch's local date (YYYY-MM-DD), slot folder and schedule name."""
    return pattern.replace("{date}", date).replace("{slot}", slot).replace("{schedule}", schedule)


def web_url_regex(pattern: str) -> re.Pattern[str]:
    """What `pattern` becomes for any batch: the checks of a published batch, which know no slot."""
    parts = {
        "date": r"\d{4}-\d{2}-\d{2}",
        "slot": r"[a-z0-9][a-z0-9-]*-\d{4}",
        "schedule": r"[a-z0-9][a-z0-9-]*",
    }
    return re.compile(
        "".join(
            f"(?:{parts[piece[1:-1]]})" if piece[1:-1] in parts else re.escape(piece)
            for piece in re.split(r"(\{[a-z]+\})", pattern)
            if piece
        )
    )
