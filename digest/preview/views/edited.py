"""The "edited" marks: which parts of a story an editor's text replaced, by whom and when.

Every view that shows a story's text marks it in the preview's own page (never inside the email
or a post, which readers get as they are): the summary view beside each part, the social view
beside the story's posts, the email view beside the frame.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from digest.models import Summary
from digest.preview.model import Item


def part_label(key: str) -> str:
    """An edited part's name as the pages say it: "headline", "bullets.2" -> "Bullet 2"."""
    name, _, number = key.partition(".")
    return f"Bullet {number}" if name == "bullets" else name.capitalize()


def edited_note(summary: Summary) -> str:
    """Who edited the story and when, as far as its edits file says ("" when it does not)."""
    editor = summary.editor
    if editor is None:
        return ""
    when = editor.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if editor.at else ""
    who = f"by {editor.by}" if editor.by else ""
    return ", ".join(part for part in (who, when) if part)


def edited_mark(summary: Summary) -> dict[str, Any] | None:
    """The mark of an edited story: its edited parts and the note; None when unedited."""
    if not summary.edited:
        return None
    parts = [part_label(key) for key in summary.edited]
    note = edited_note(summary)
    title = f"edited {note}: {', '.join(parts)}" if note else f"edited: {', '.join(parts)}"
    return {"keys": summary.edited, "parts": parts, "note": note, "title": title}


def edited_stories(items: tuple[Item, ...]) -> list[dict[str, Any]]:
    """The edited stories of a sample, in its order, each with its headline and mark."""
    out = []
    for item in items:
        mark = edited_mark(item.summary)
        if mark is not None:
            out.append({"headline": item.summary.headline, "source": item.source, **mark})
    return out
