"""The index's sources panel: each `[[sources]]` entry as its last fetch left it.

The state is the seeds folder's own record of the fetches (`digest.sources.state`), written by
`digest fetch` and by the scheduler's fetch before a slot; the preview only reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from digest.config import Settings
from digest.errors import DigestError
from digest.preview.model import SourceRow


def sources_state(seeds_dir: Path) -> Path:
    """The file in `seeds_dir` that records the sources' fetches."""
    from digest.sources.state import INDEX

    return seeds_dir / INDEX


def source_rows(
    settings: Settings | None, seeds_dir: Path, scrub: Callable[[str], str], warnings: list[str]
) -> list[SourceRow]:
    """Each configured source, in config order, with when it was last fetched (local time), its
    status, the reason it failed and how many new items it brought; none without sources.

    A state that cannot be read is a warning on the page (scrubbed of the project's folders),
    and every source then shows as never fetched.
    """
    if settings is None or not settings.sources:
        return []
    from digest.sources.state import load_status  # only for a project with sources

    try:
        known = {status.name: status for status in load_status(seeds_dir)}
    except (DigestError, OSError) as error:
        warnings.append(scrub(f"{error}; the sources' last fetches are unknown"))
        known = {}
    rows = []
    for source in settings.sources:
        status = known.get(source.name)
        if status is None or status.fetched_at is None:
            rows.append(SourceRow(source.name, source.url, "", "never fetched", "", 0))
            continue
        fetched = status.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
        reason = scrub(status.reason)
        new = (status.new_items, status.new_files)
        rows.append(SourceRow(source.name, source.url, fetched, status.status, reason, *new))
    return rows
