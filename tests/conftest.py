"""Shared fixtures: golden files (refresh with `pytest --update-golden`) and small factories."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


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
