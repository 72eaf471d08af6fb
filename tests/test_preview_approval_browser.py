"""Editors in the loop, in headless Chromium: edit a bullet in the preview and see it in the
email, the posts and the summary with an "edited" mark; approve the slot waiting for approval and
see its batch published in outbox/; a POST without the token, or from another origin, refused
(403) with nothing changed. Screenshots go to test-artifacts/preview-editors-*.png.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from support.browser import launched
from support.factories import BBC_SEEDS, EXAMPLE_SEED, project, snapshot
from support.preview import BBC, CHANNELS, EXAMPLE_SLUG, NOW, fake_remote_images, screenshot, until

from digest.config import load_config
from digest.outbox.listing import pending_batches
from digest.preview.server import PreviewServer, start_server
from digest.scheduler import Scheduler

BATCH = "2026-11-28/morning-0800"
LATER = NOW.replace(hour=8, minute=30)  # the 08:00 (UTC) slot's time has come: within catch-up
BULLET = "An editor's own second point: the desk checked it."
EDITS = "000_5d8e33db419e59d4.edits.toml"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PreviewServer]]:
    """Three seeds, a schedule that needs approval with its 08:00 slot prepared (at 02:00)
    into outbox/.pending, previewed at 08:30 by Ana Editor."""
    folder = tmp_path_factory.mktemp("project")
    values = {"name": "morning", "at": "08:00", "timezone": "Europe/London", "max_stories": 3}
    project(folder, [values | {"approval": "required", "prepare": "8h"}], channels=CHANNELS)
    shutil.copy(EXAMPLE_SEED, folder / "seeds")
    for name in BBC:
        shutil.copy(BBC_SEEDS / name, folder / "seeds")
    scheduler = Scheduler(load_config(folder / "config.toml"), lock=False)
    scheduler.start()
    scheduler.run_due(NOW)
    config = folder / "config.toml"
    server = start_server(config, port=0, clock=lambda: LATER, editor="Ana Editor").start()
    try:
        yield folder, server
    finally:
        server.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    fake_remote_images(tab)
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    tab.close()
    policy = [e for e in errors if "Content Security Policy" in e]
    assert not policy, policy  # no form or script the page's own CSP refuses


def test_edit_a_bullet_and_see_it_everywhere_marked_edited(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    base = f"{server.url}story/{EXAMPLE_SLUG}/"
    page.goto(base + "summary.html")
    form = page.locator(f'form[data-form="{EXAMPLE_SLUG}|bullets.2"]')
    form.locator("textarea").fill(BULLET)
    with page.expect_navigation():
        form.get_by_role("button", name="Save bullet 2").click()
    assert page.url == base + f"summary.html#story-{EXAMPLE_SLUG}"
    part = page.locator('li.part-item[data-key="bullets.2"]')
    assert "edited" in (part.get_attribute("class") or "")
    assert part.locator(".badge.edited").inner_text() == "edited"
    assert part.locator("textarea").input_value() == BULLET
    assert "edited by Ana Editor, 2026-11-28 08:30 UTC" in page.locator(".edited-note").inner_text()
    assert page.locator("li.part-item.edited").count() == 1
    screenshot(page, "editors-summary-edited")
    edits = (folder / "seeds" / EDITS).read_text()
    assert f'2 = "{BULLET}"' in edits and 'by = "Ana Editor"' in edits

    page.goto(base + "email.html")
    until(page, "() => !!document.getElementById('email-frame').contentDocument?.body")
    email = page.frame_locator("#email-frame").locator("body")
    until(
        page,
        "(text) => document.getElementById('email-frame').contentDocument.body.innerText"
        ".includes(text)",
        BULLET,
    )
    assert BULLET in email.inner_text()
    assert BULLET in page.locator(".plain-text").inner_text()
    side = page.locator(".edited-list")
    assert "Bullet 2" in side.inner_text() and "by Ana Editor" in side.inner_text()
    assert email.locator(".badge").count() == 0  # the mark is the preview's, not the email's
    screenshot(page, "editors-email-edited")

    page.goto(base + "social.html")
    mastodon = page.locator("#mastodon")
    assert BULLET in mastodon.locator(".post-text").first.inner_text()
    assert mastodon.locator("h3 .badge.edited").count() == 1
    assert page.locator("h3 .badge.edited").count() == 5  # each platform marks it
    screenshot(page, "editors-social-edited")


def test_a_value_over_the_limit_shows_the_edits_files_error(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    before = snapshot(folder, caches=False)
    page.goto(f"{server.url}story/{EXAMPLE_SLUG}/summary.html")
    form = page.locator(f'form[data-form="{EXAMPLE_SLUG}|headline"]')
    form.locator("textarea").fill("A headline far too long for the subject line of any email " * 2)
    with page.expect_response(lambda r: r.url.endswith("/edit")) as answer:
        form.get_by_role("button", name="Save headline").click()
    assert answer.value.status == 422
    assert page.locator("h1").inner_text() == "Not saved"
    problem = page.locator(".not-saved").inner_text()
    assert re.search(
        rf"seeds/{re.escape(EDITS)}:\d+: headline: \d+ characters, over the 70", problem
    )
    assert snapshot(folder, caches=False) == before
    screenshot(page, "editors-not-saved")


def test_approve_the_pending_slot_and_see_it_published(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    outbox = folder / "outbox"
    (row,) = pending_batches(outbox)
    page.goto(server.url)
    waiting = page.locator(f'tr.waiting[data-batch="{BATCH}"]')
    assert waiting.get_attribute("data-status") == "pending"
    assert "approving publishes it now" in waiting.inner_text()
    screenshot(page, "editors-index-pending")
    with page.expect_navigation():
        waiting.get_by_role("button", name="Approve").click()
    assert page.url.endswith("/index.html#pending")
    manifest = json.loads((outbox / BATCH / "manifest.json").read_text())
    assert manifest["approval"] == {
        "by": "Ana Editor",
        "at": "2026-11-28T08:30:00Z",
        "manifest_sha256": row["manifest_sha256"],
    }
    assert page.locator("tr.waiting").count() == 0
    assert BATCH in page.locator("#batches").inner_text()
    screenshot(page, "editors-index-published")


def _forged(page: Any, server: PreviewServer) -> dict[str, str]:
    """The fields of an edit as the page's own form has them, with its real token."""
    page.goto(f"{server.url}story/{EXAMPLE_SLUG}/summary.html")
    token = page.locator('input[name="token"]').first.get_attribute("value")
    return {"token": token, "story": EXAMPLE_SLUG, "field": "headline", "value": "Forged"}


def test_a_post_without_the_token_from_the_page_itself_is_refused(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    fields = _forged(page, server)
    before = snapshot(folder, caches=False)
    script = """async (body) => {
        const answer = await fetch("/edit", {method: "POST", body: new URLSearchParams(body)});
        return [answer.status, await answer.text()];
    }"""
    for body in ({k: v for k, v in fields.items() if k != "token"}, fields | {"token": "x" * 43}):
        status, text = page.evaluate(script, body)
        assert status == 403 and "token" in text and "nothing was changed" in text
    assert snapshot(folder, caches=False) == before


def test_a_form_on_another_origin_is_refused(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    fields = _forged(page, server)  # even with the very token
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    evil = (
        f'<!doctype html><form method="post" action="{server.url}edit">{inputs}'
        '<button type="submit">Win a prize</button></form>'
    )
    page.route(
        "http://evil.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=evil),
    )
    page.goto("http://evil.example/")
    before = snapshot(folder, caches=False)
    with page.expect_response(lambda r: r.url.endswith("/edit")) as answer:
        page.click("button")
    assert answer.value.status == 403
    assert answer.value.request.all_headers()["origin"] == "http://evil.example"
    # The browser's own Sec-Fetch-Site (a page cannot set it) is the first rule it breaks.
    assert answer.value.text().startswith("refused: Sec-Fetch-Site is cross-site")
    assert snapshot(folder, caches=False) == before
    screenshot(page, "editors-foreign-origin-refused")


def test_the_request_api_and_a_raw_request_with_a_foreign_origin_are_refused(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    fields = _forged(page, server)
    before = snapshot(folder, caches=False)
    answer = page.request.post(
        server.url + "edit", form=fields, headers={"Origin": "http://evil.example"}
    )
    assert answer.status == 403
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    for origin in ("http://evil.example", None):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if origin:
            headers["Origin"] = origin
        connection.request("POST", "/edit", body=urlencode(fields), headers=headers)
        reply = connection.getresponse()
        assert reply.status == 403, reply.read()
        reply.read()
        connection.close()
    assert snapshot(folder, caches=False) == before


def test_what_the_editor_types_survives_a_live_reload(
    page: Any, preview: tuple[Path, PreviewServer]
) -> None:
    folder, server = preview
    page.goto(f"{server.url}story/{EXAMPLE_SLUG}/summary.html")
    generation = page.evaluate("() => document.body.dataset.generation")
    field = page.locator(f'form[data-form="{EXAMPLE_SLUG}|tagline"] textarea')
    field.fill("Half-typed tagline")
    # Another editor saves another story's edits: the page is pushed again.
    (folder / "seeds" / "bbc-business-001.edits.toml").write_text('headline = "Elsewhere"\n')
    until(page, "(g) => document.body.dataset.generation !== g", generation)
    assert field.input_value() == "Half-typed tagline"
    assert page.evaluate("() => document.activeElement.name") == "value"
