"""Render a Digest into the files of a batch: email, social posts, and each story's summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from digest.config import Settings
from digest.models import Digest, Rendered

if TYPE_CHECKING:
    from digest.render.social import Known


def render(digest: Digest, settings: Settings, known: Known | None = None) -> Rendered:
    """Every file of the batch for the digest's channels; `known`, the posts composed already
    (see `digest.render.social.render_social`)."""
    from digest.render.email import render_email
    from digest.render.social import render_social
    from digest.render.stories import render_stories

    files = render_stories(digest)
    if "email" in digest.channels:
        files += render_email(digest, settings)
    files += render_social(digest, settings, known)
    return Rendered(digest=digest, files=files)
