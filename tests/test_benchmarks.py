"""The benchmark scripts still run (their figures are read by people, never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys

from support.browser import launched
from support.factories import NEWS, ROOT


def run_benchmark(script: str, *args: str, timeout: int = 300) -> str:
    # The dev files are outside the repository; the tests' 80 news rows stand in for them.
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        env={**os.environ, "DIGEST_BENCH_DATA": str(NEWS)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_publish_benchmark_runs() -> None:
    assert "ratio with/without" in run_benchmark("publish.py", "2")


def test_summary_quality_benchmark_runs() -> None:
    out = run_benchmark("summary_quality.py", "--limit", "5")
    assert "| Lead-3 |" in out and "| digest headline |" in out


def test_email_render_benchmark_runs() -> None:
    out = run_benchmark("email_render.py", "2")
    assert "html = jinja + mjml" in out and "ratio html / mjml alone" in out
    assert "HTML " in out and "bytes" in out


def test_social_posts_benchmark_runs() -> None:
    out = run_benchmark("social_posts.py", "1", "3")
    for name in ("x", "bluesky", "mastodon", "linkedin", "threads"):
        assert f"cnn3      {name:<9}" in out
    assert "twitter-text parse_tweet" in out


def test_preview_reload_benchmark_runs() -> None:
    with launched():  # skips (or fails in CI) as the browser tests do when Chromium is missing
        pass
    out = run_benchmark("preview_reload.py", "--saves", "2", timeout=120)
    assert "save -> page shows it     median" in out and "(baseline)" in out


def test_whole_job_benchmark_runs() -> None:
    out = run_benchmark(
        "whole_job.py",
        "--seeds",
        "20",
        "--slots",
        "1",
        "--reps",
        "1",
        "--no-peer",  # the peer stack lives outside the repository: the tests read nothing there
    )
    assert "ms per story published" in out and "render social" in out
    assert "peer" not in out
    out = run_benchmark(
        "whole_job.py",
        *("--mode", "warm", "--sizes", "30,60", "--slots", "1", "--reps", "1", "--history", "5"),
    )
    assert "in-process" in out and "fresh process" in out
    assert "60 seeds,   6 earlier batches, 20 stories" in out
