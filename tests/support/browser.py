"""Headless Debian Chromium for browser tests, driven by playwright (it cannot fetch its own)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    """The browser to drive: $DIGEST_CHROMIUM, chromium on PATH, or /usr/bin/chromium."""
    found = os.environ.get("DIGEST_CHROMIUM") or shutil.which("chromium")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@contextmanager
def launched() -> Iterator[Any]:
    """Headless Chromium, or a skip (a failure under DIGEST_REQUIRE_BROWSER=1, as in CI)."""
    required = bool(os.environ.get("DIGEST_REQUIRE_BROWSER"))
    try:
        from playwright import sync_api
    except ImportError:
        message = "no playwright: pip install -e '.[test]'"
        pytest.fail(message) if required else pytest.skip(message)
    path = chromium()
    if path is None:
        message = "no chromium: apt-get install chromium, or set DIGEST_CHROMIUM"
        pytest.fail(message) if required else pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
