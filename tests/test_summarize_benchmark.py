"""benchmarks/summarize_stages.py still runs (its figures are read by people, never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys

from support.factories import NEWS, ROOT


def test_summarize_stages_benchmark_runs() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "summarize_stages.py"),
            *("--count", "4", "--passes", "1"),
        ],
        env={**os.environ, "DIGEST_BENCH_DATA": str(NEWS)},  # the tests' rows, not ../shared
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "over 4 stories" in result.stdout
    for stage in ("summarize", "make_hashtags", "ungrounded"):
        assert f"{stage:<14} cpu" in result.stdout and f"{stage:<14} wall" in result.stdout
