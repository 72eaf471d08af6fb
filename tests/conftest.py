"""Shared fixtures: golden files (refresh with `pytest --update-golden`) and small factories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

GOLDEN = Path(__file__).parent / "golden"


# CI runs the property tests on Hypothesis's fixed examples (HYPOTHESIS_PROFILE=ci in .ci/run), so a
# landing never depends on the draw; a developer's run stays random and keeps finding new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from current output"
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """`golden(name, text)` compares with tests/golden/<name>; --update-golden rewrites it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
        assert actual == path.read_text(encoding="utf-8"), (
            f"{name} differs from its golden file; if the change is intended, run "
            "pytest --update-golden and review the diff"
        )

    return check


@pytest.fixture(autouse=True)
def forget_what_earlier_tests_read() -> None:
    """Each test starts as a fresh process would: no seed or summary remembered from another
    (tests patch the summarizer or the seed reader and must see their patch called)."""
    from digest import assemble
    from digest.seeds import memo

    memo._MEMOS.clear()
    assemble._summarized.cache_clear()
