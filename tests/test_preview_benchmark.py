"""The preview's live-reload benchmark still runs (its figures are read by people, not asserted)."""

from __future__ import annotations

import subprocess
import sys

from factories import ROOT
from preview_support import launched


def test_preview_reload_benchmark_runs() -> None:
    with launched():  # skips (or fails in CI) as the browser tests do when Chromium is missing
        pass
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "preview_reload.py"), "--saves", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "save -> page shows it     median" in result.stdout
    assert "(baseline)" in result.stdout
