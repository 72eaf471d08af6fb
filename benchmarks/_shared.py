"""Where the benchmarks find the real news rows: outside the repository, in ../shared/data/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The whole dev files (1,102 rows, 3.3 MB) are not vendored; tests/data/news/ holds 80 of them.
WHERE = (
    "the dev files are the team's shared/data/ folder (cnn_highlights.dev.jsonl, "
    "bbc_titles.dev.jsonl; its README names their public sources): put it beside the checkout "
    "as ../shared/, or set DIGEST_SHARED to the shared/ folder, or DIGEST_BENCH_DATA to any "
    "folder of such files (tests/data/news/ for a quick run)"
)


def data_dir() -> Path:
    """$DIGEST_BENCH_DATA, else $DIGEST_SHARED/data, else ../shared/data beside the checkout."""
    if chosen := os.environ.get("DIGEST_BENCH_DATA"):
        return Path(chosen)
    if shared := os.environ.get("DIGEST_SHARED"):
        return Path(shared) / "data"
    return ROOT.parent / "shared" / "data"


def data_file(stem: str) -> Path:
    """`<stem>.dev.jsonl` (or `<stem>.jsonl`) in the data folder; else exit saying where it is."""
    folder = data_dir()
    for name in (f"{stem}.dev.jsonl", f"{stem}.jsonl"):
        if (folder / name).is_file():
            return folder / name
    script = Path(sys.argv[0]).name
    sys.exit(f"{script}: {folder / (stem + '.dev.jsonl')} not found; {WHERE}")
