"""The email benchmark still runs (its figures are read by people, never asserted)."""

from __future__ import annotations

import subprocess
import sys

from factories import ROOT


def test_email_render_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "email_render.py"), "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "html = jinja + mjml" in result.stdout
    assert "ratio html / mjml alone" in result.stdout
    assert "HTML " in result.stdout and "bytes" in result.stdout
