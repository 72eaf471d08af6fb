"""Each story's summary with its grounding, as `stories/<slug>.json`."""

from __future__ import annotations

import json

from digest.models import Digest, RenderedFile


def render_stories(digest: Digest) -> tuple[RenderedFile, ...]:
    """One JSON file per story: its identity, source file and full Summary."""
    files = []
    for entry in digest.entries:
        story = entry.story
        record = {
            "id": story.id,
            "source": story.source,
            "content_hash": story.content_hash,
            "title": story.title,
            "url": story.url,
            "summary": entry.summary.model_dump(mode="json"),
        }
        content = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        files.append(
            RenderedFile(
                path=f"stories/{story.slug}.json",
                content=content.encode(),
                media_type="application/json",
            )
        )
    return tuple(files)
