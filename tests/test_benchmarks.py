"""The benchmark scripts still run (their figures are read by people, never asserted)."""

from __future__ import annotations

import subprocess
import sys

from factories import ROOT


def test_publish_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "publish.py"), "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio with/without" in result.stdout


def test_summary_quality_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "summary_quality.py"), "--limit", "5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "| Lead-3 |" in result.stdout and "| digest headline |" in result.stdout
