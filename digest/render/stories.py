"""Each story's summary with its grounding, as `stories/<slug>.json`.

The summary's text fields are cleaned as the email and the posts clean them (`one_line` of
`visible`), so the record says what readers got. Its sources and the story's title are the seed's
own sentences: kept as written, less the bidi controls and control characters that would reorder
or hide them for a reviewer.
"""

from __future__ import annotations

from digest.jsonfile import json_file
from digest.models import Digest, RenderedFile, Sources, Summary
from digest.text import one_line, visible, without_controls


def render_stories(digest: Digest) -> tuple[RenderedFile, ...]:
    """One JSON file per story: its identity, source file and full Summary."""
    files = []
    for entry in digest.entries:
        story = entry.story
        record = {
            "id": story.id,
            "source": story.source,
            "content_hash": story.content_hash,
            "title": without_controls(story.title),
            "url": story.url,
            "summary": _as_read(entry.summary).model_dump(mode="json"),
        }
        files.append(
            RenderedFile(
                path=f"stories/{story.slug}.json",
                content=json_file(record),
                media_type="application/json",
            )
        )
    return tuple(files)


def _as_read(summary: Summary) -> Summary:
    """`summary` as the email and the posts write it, its sources as the seed wrote them."""
    sources = summary.sources
    return summary.model_copy(
        update={
            "headline": _clean(summary.headline),
            "tagline": _clean(summary.tagline),
            "bullets": tuple(map(_clean, summary.bullets)),
            "hashtags": tuple(map(_clean, summary.hashtags)),
            "sources": Sources(
                headline=tuple(map(without_controls, sources.headline)),
                tagline=tuple(map(without_controls, sources.tagline)),
                bullets=tuple(tuple(map(without_controls, b)) for b in sources.bullets),
            ),
        }
    )


def _clean(text: str) -> str:
    return one_line(visible(text))
