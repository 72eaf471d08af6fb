"""Benchmarks that need the dev files (outside the repository) say where to get them and exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.factories import ROOT

NEEDS_DATA = [("summary_quality.py", "--limit", "1"), ("social_posts.py", "1", "1")]


@pytest.mark.parametrize("command", NEEDS_DATA, ids=lambda c: c[0])
def test_a_benchmark_without_its_data_names_where_to_get_it_and_exits(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    script, *args = command
    env = {**os.environ, "DIGEST_BENCH_DATA": str(tmp_path)}  # an empty folder: no data
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith(f"{script}: {tmp_path / 'cnn_highlights.dev.jsonl'} not found")
    assert "beside the checkout" in message and "DIGEST_BENCH_DATA" in message
    assert "tests/data/news/" in message
