"""What the email templates see: brand, links, the lead story, the others, the follow row."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from digest.channels import PLATFORM_NAMES
from digest.config import Settings
from digest.config.email_links import inert
from digest.errors import RenderError
from digest.models import Digest, Entry
from digest.platforms import PLATFORMS
from digest.render.email.links import checked_url, safe_url, web_link, with_utm, written_link
from digest.text import one_line, visible

_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Languages written right to left (their primary subtag), so that their stories read as such.
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "ug", "ur", "yi"})
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
# Brand colour of each platform in the follow row. MRML has icons of its own for X and
# LinkedIn; the others need `brand.social_icons`.
FOLLOW = {
    "x": "#000000",
    "bluesky": "#1185fe",
    "mastodon": "#6364ff",
    "linkedin": "#0a66c2",
    "threads": "#000000",
}
_BUILT_IN_ICONS = ("x", "linkedin")
# After the preheader, invisible joiners and spaces keep clients from filling the inbox preview
# with the header's text ("The Morning Digest Saturday 28 ...").
PREHEADER_PAD = "\u034f\u00a0" * 40


def context(digest: Digest, settings: Settings) -> dict[str, Any]:
    """What both templates see, all plain data: the templates never receive seed objects."""
    entries, brand = entries_of(digest), settings.brand
    lang = _lang(entries[0].story.language, "en")
    stories = [_story(entry, settings, digest.slot.schedule, lang) for entry in entries]
    return {
        "brand": brand,
        "heading_font": brand.heading_font_family or brand.font_family,
        "font_url": safe_url(brand.font_url),
        "logo_url": safe_url(brand.logo_url),
        "website": safe_url(brand.website),
        "lang": lang,
        "date": date_label(digest.slot.local),
        "lead": stories[0],
        "others": stories[1:],
        "preheader": stories[0]["tagline"],
        "preheader_pad": PREHEADER_PAD,
        "follow": follow_row(settings),
        "unsubscribe_url": written_link(settings.email.unsubscribe_url, settings.email),
        "preferences_url": written_link(settings.email.preferences_url, settings.email),
        "web_url": web_link(settings.email, digest.slot),
        "footer": one_line(brand.footer),
        "postal_address": one_line(brand.postal_address),
    }


def entries_of(digest: Digest) -> tuple[Entry, ...]:
    """The digest's entries; an empty digest is a `RenderError`."""
    if not digest.entries:
        raise RenderError(f"{digest.slot.batch_id}: the digest has no stories to email")
    return digest.entries


def follow_row(settings: Settings) -> list[dict[str, Any]]:
    """The enabled platforms with a profile URL, in registry order, each with its icon or None."""
    icons = settings.brand.social_icons
    row = []
    for name in PLATFORM_NAMES:
        platform = getattr(settings.platforms, name)
        url = safe_url(platform.url)
        if not platform.enabled or url is None:
            continue
        label, colour = PLATFORMS[name].label, FOLLOW[name]
        handle = one_line(platform.handle or "")
        icon = icons.replace("{platform}", name) if icons else None
        row.append(
            {
                "name": f"{name}-noshare",  # plain follow links; the bare names make share links
                "label": label,
                "url": url,
                "title": f"{label} ({handle})" if handle else label,
                "icon": safe_url(icon),
                "built_in": icon is None and name in _BUILT_IN_ICONS,
                "colour": colour,
            }
        )
    return row


def _story(entry: Entry, settings: Settings, schedule: str, lang: str) -> dict[str, Any]:
    story, summary = entry.story, entry.summary
    url = checked_url(story.url, f"{story.source}: url")
    image = checked_url(story.image, f"{story.source}: image")
    own_lang = _lang(story.language, lang)
    # Sent through an ESP, seed text never holds its template syntax: only configured tags run.
    plain = _plain if settings.email.merge_tags == "none" else lambda text: inert(_plain(text))
    return {
        "headline": plain(summary.headline),
        "tagline": plain(summary.tagline),
        "bullets": tuple(b for b in map(plain, summary.bullets) if b),
        "url": with_utm(url, settings.email.utm, schedule) if url else None,
        "image": image if image and not image.lower().startswith("mailto:") else None,
        "image_alt": plain(story.image_alt or ""),  # none given: decorative, alt=""
        "lang": own_lang if own_lang != lang else None,  # only where it differs from the email's
        "dir": "rtl" if is_rtl(own_lang) else None,
    }


def is_rtl(language: str) -> bool:
    """Whether `language` (a tag like ar or fa-IR) is written right to left."""
    return language.split("-", 1)[0].lower() in RTL


def _plain(value: str) -> str:
    """Seed text for the body: one line, no control, bidi or invisible characters (as posts)."""
    return one_line(visible(value))


def _lang(language: str, default: str) -> str:
    return language if _LANG.fullmatch(language) else default


def date_label(local: datetime) -> str:
    """`Saturday 28 November 2026`, independent of the process locale."""
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
