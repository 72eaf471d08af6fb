"""Render a Digest into the files of a batch: email, social posts, and each story's summary."""

from __future__ import annotations

from digest.config import Settings
from digest.models import Digest, Rendered


def render(digest: Digest, settings: Settings) -> Rendered:
    """Every file of the batch for the digest's channels."""
    from digest.render.email import render_email
    from digest.render.social import render_social
    from digest.render.stories import render_stories

    files = render_stories(digest)
    if "email" in digest.channels:
        files += render_email(digest, settings)
    files += render_social(digest, settings)
    return Rendered(digest=digest, files=files)
