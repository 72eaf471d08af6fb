"""What every social post shares: its template as a function, its idempotency key and time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from jinja2 import Template

from digest.config import Settings
from digest.models import Slot
from digest.render.social.compose import Parts
from digest.render.templates import text_env
from digest.text import nfc


def renderer(name: str, settings: Settings) -> Callable[[Parts], str]:
    """The platform's post template as a function of Parts: NFC, stripped, LF line ends.

    Each Parts is rendered once: shortening tries the same Parts more than once.
    """
    template = text_env(settings.paths.templates).get_template(f"social/{name}.txt.j2")
    fill = _filler(template)
    done: dict[Parts, str] = {}

    def render(parts: Parts) -> str:
        if (text := done.get(parts)) is None:
            text = nfc(fill(vars(parts))).strip()
            text = text.replace("\r\n", "\n").replace("\r", "\n")  # as X's API stores it
            done[parts] = text
        return text

    return render


def _filler(template: Template) -> Callable[[dict[str, Any]], str]:
    """`template.render(fields)`, less the cost of its context: Template.render merges the
    template's globals (a ChainMap, read key by key in Python) into every context; here they
    are read once, and each context is made from the same dict and names as render makes it."""
    environment, name, blocks = template.environment, template.name, template.blocks
    flat = dict(template.globals)
    make, run = environment.context_class, template.root_render_func

    def fill(fields: dict[str, Any]) -> str:
        context = make(environment, {**flat, **fields}, name, blocks, globals=flat)
        try:
            return environment.concat(run(context))
        except Exception:
            environment.handle_exception()  # what render raises: the template's own traceback

    return fill


def idempotency_key(batch_id: str, slug: str, platform: str, part: int = 1) -> str:
    """sha256 of `batch_id|slug|platform|part`: the same post always gets the same key.

    The story's slug, not its id (which holds the content hash): a story corrected and its
    slot rebuilt with --force keeps every key, so a sender never posts it twice.
    """
    return hashlib.sha256(f"{batch_id}|{slug}|{platform}|{part}".encode()).hexdigest()


def created_at(slot: Slot) -> str:
    """The slot's UTC instant as the posts' APIs write it (`2026-11-28T08:00:00.000Z`)."""
    return slot.utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def thread_place(keys: list[str], part: int) -> dict[str, Any]:
    """A post's place in its thread of `keys` (one per part): its key, number, and the keys of
    the root and the parent it replies to (none for part 1)."""
    return {
        "idempotency_key": keys[part - 1],
        "part": part,
        "parts": len(keys),
        "root_key": keys[0] if part > 1 else None,
        "parent_key": keys[part - 2] if part > 1 else None,
    }
