"""Shared by the preview's tests: a temp project, a running preview, Chromium."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digest.preview.server import PreviewServer, start_server
from digest.render.templates import THEME
from support.factories import BBC_SEEDS, EXAMPLE_SEED, ROOT, project

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # before the 08:00 London slot of that day
ARTIFACTS = ROOT / "test-artifacts"
CHANNELS = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
EXAMPLE_SLUG = "000-5d8e33db419e59d4"
BBC = ("bbc-business-001.txt", "bbc-business-006.txt")
# Stands in for the brand's remote images (logo, follow icons) in screenshots.
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64">'
    b'<rect width="240" height="64" rx="8" fill="#1b2a4a"/></svg>'
)


def make_project(folder: Path, max_stories: int = 3, own_templates: bool = False) -> Path:
    """A project with the example seed and two BBC seeds; returns its config.toml.

    With `own_templates` the project gets a copy of the templates, for tests that edit them.
    """
    schedule = {"name": "morning", "at": "08:00", "timezone": "Europe/London"}
    project(folder, [schedule | {"max_stories": max_stories}], channels=CHANNELS)
    if own_templates:
        shutil.copytree(THEME, folder / "templates")
        config = folder / "config.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace(str(THEME), "templates"), encoding="utf-8")
    seeds = folder / "seeds"
    shutil.copy(EXAMPLE_SEED, seeds)
    for name in BBC:
        shutil.copy(BBC_SEEDS / name, seeds)
    return folder / "config.toml"


@contextmanager
def running(config: Path, **options: Any) -> Iterator[PreviewServer]:
    """The preview of `config` on a free loopback port, answering in a background thread."""
    server = start_server(config, port=0, clock=lambda: NOW, **options).start()
    try:
        yield server
    finally:
        server.close()


def fake_remote_images(page: Any) -> None:
    """Answer the email's https images with a placeholder, so nothing leaves the machine."""

    def answer(route: Any) -> None:
        route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER_SVG)

    page.route("https://**/*", answer)


def until(page: Any, script: str, arg: Any = None, timeout: float = 5.0) -> None:
    """Wait until the function `script` is true in the page.

    Polled from Python: Playwright's own wait_for_function evaluates strings in the page, which
    the preview's CSP (no 'unsafe-eval') rightly refuses.
    """
    deadline = time.perf_counter() + timeout
    while page.evaluate(script, arg) is not True:
        if time.perf_counter() > deadline:
            raise AssertionError(f"still false after {timeout} s: {script}")
        time.sleep(0.005)


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"preview-{name}.png"), full_page=True)
