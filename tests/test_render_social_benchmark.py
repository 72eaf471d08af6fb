"""The social posts benchmark still runs (its figures are read by people, never asserted)."""

from __future__ import annotations

import subprocess
import sys

from factories import ROOT


def test_social_posts_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "social_posts.py"), "1", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in ("x", "bluesky", "mastodon", "linkedin", "threads"):
        assert f"cnn3      {name:<9}" in result.stdout
    assert "twitter-text parse_tweet" in result.stdout
