"""The preview in headless Chromium: what an editor sees and does, with screenshots of each view.

Screenshots go to test-artifacts/preview-*.png. Live reload is measured from the moment a file is
saved to the moment the open page shows the change; the issue asks for under one second.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import launched
from support.preview import (
    EXAMPLE_SLUG,
    NOW,
    fake_remote_images,
    make_project,
    running,
    screenshot,
    until,
)

from digest.config import load_config
from digest.outbox.published import published
from digest.pipeline import build
from digest.platforms import PLATFORMS, limit_for
from digest.preview.server import PreviewServer
from digest.scheduler.slots import next_slots


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PreviewServer]]:
    """A project with three good seeds, one bad one, and one published batch, previewed."""
    folder = tmp_path_factory.mktemp("project")
    config = make_project(folder, max_stories=2)
    # X as numbered threads, so that the page shows thread parts in order.
    text = config.read_text(encoding="utf-8")
    head, x, rest = text.partition("[platforms.x]")
    config.write_text(head + x + rest.replace('mode = "post"', 'mode = "thread"', 1), "utf-8")
    settings = load_config(config)
    assert settings.platforms.x.mode == "thread"
    schedule = settings.schedules[0]
    build(settings, next_slots(schedule, NOW, 1)[0], durable=False)
    (folder / "seeds" / "broken.txt").write_bytes(b"A title\n\n**Primary Article:**\nText\x00\n")
    with running(config) as server:
        yield config, server


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    fake_remote_images(tab)
    yield tab
    tab.close()


def test_index_lists_every_seed_with_its_status(page: Any, preview: tuple[Path, Any]) -> None:
    config, server = preview
    page.goto(server.url)
    rows = page.locator("tr.seed")
    files = sorted(p.name for p in (config.parent / "seeds").iterdir())
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.file)") == files
    assert page.locator("tr.seed.ok").count() == 3
    bad = page.locator("tr.seed.rejected")
    assert bad.count() == 1
    assert "broken.txt:4" in bad.inner_text() and "NUL byte" in bad.inner_text()
    # The next slot after the published one, with the stories the batch did not carry.
    plan = page.locator("article.plan")
    assert "Sun 29 Nov 2026, 08:00 GMT" in plan.inner_text()
    assert plan.locator("ol.carried li").count() == 1
    assert page.locator("#batches tbody tr").count() == 1
    screenshot(page, "index")


def test_width_and_scheme_buttons_change_the_iframe(page: Any, preview: tuple[Path, Any]) -> None:
    _, server = preview
    page.goto(server.url + f"story/{EXAMPLE_SLUG}/email.html")
    frame = page.locator("#email-frame")
    until(page, "() => !!document.getElementById('email-frame').contentDocument?.body")

    def state() -> dict[str, Any]:
        box = frame.bounding_box()
        colour = (
            page.frame_locator("#email-frame")
            .locator("div.dm-bg")
            .evaluate("e => getComputedStyle(e).backgroundColor")
        )
        return {"width": round(box["width"]), "src": frame.get_attribute("src"), "bg": colour}

    assert state() == {"width": 600, "src": "frame-light.html", "bg": "rgb(242, 242, 242)"}
    screenshot(page, "email-600-light")
    page.click("button[data-width='375']")
    assert state()["width"] == 375
    page.click("button[data-scheme='dark']")
    until(
        page,
        """() => {
          const doc = document.getElementById('email-frame').contentDocument;
          const card = doc && doc.querySelector('div.dm-bg');
          return !!card && getComputedStyle(card).backgroundColor === 'rgb(18, 18, 18)';
        }""",
    )
    assert state() == {"width": 375, "src": "frame-dark.html", "bg": "rgb(18, 18, 18)"}
    assert page.locator("button[data-scheme='dark']").get_attribute("aria-pressed") == "true"
    screenshot(page, "email-375-dark")
    page.click("button[data-width='600']")
    page.click("button[data-scheme='light']")  # leave the choice as the next test expects it
    assert state()["width"] == 600


def _settled_height(page: Any, timeout: float = 5.0) -> float:
    """The email frame's height once it has stopped changing for a moment."""
    script = "() => document.getElementById('email-frame').getBoundingClientRect().height"
    deadline = time.perf_counter() + timeout
    last, since = page.evaluate(script), time.perf_counter()
    while time.perf_counter() - since < 0.3:
        if time.perf_counter() > deadline:
            raise AssertionError(f"the frame's height is still changing: {last}")
        time.sleep(0.02)
        height = page.evaluate(script)
        if height != last:
            last, since = height, time.perf_counter()
    return float(last)


def test_the_frame_fits_the_email_at_each_width(page: Any, preview: tuple[Path, Any]) -> None:
    """The frame grows for the narrow width and shrinks back for the wide one."""
    _, server = preview
    page.goto(server.url + "slot/morning/email.html")
    until(page, "() => !!document.getElementById('email-frame').contentDocument?.body")
    wide = _settled_height(page)
    content = (
        page.frame_locator("#email-frame")
        .locator("body")
        .evaluate("body => body.getBoundingClientRect().height")
    )
    assert abs(wide - content) <= 4, (wide, content)  # the email, not the window, sets it
    page.click("button[data-width='375']")
    narrow = _settled_height(page)
    assert narrow > wide + 100, (wide, narrow)
    page.click("button[data-width='600']")
    again = _settled_height(page)
    assert abs(again - wide) <= 4, (wide, narrow, again)
    screenshot(page, "email-600-after-375")


def test_email_view_shows_subject_preheader_text_and_checks(
    page: Any, preview: tuple[Path, Any]
) -> None:
    _, server = preview
    page.goto(server.url + "slot/morning/email.html")
    assert page.locator(".subject-line").inner_text().strip()
    assert page.locator(".preheader").inner_text().strip() not in ("", "(none)")
    assert (
        "Unsubscribe: https://example.org/unsubscribe" in page.locator(".plain-text").inner_text()
    )
    checks = page.locator("li.check")
    assert checks.count() >= 10
    assert page.locator("li.check[data-check='html-size'] .badge").inner_text() == "pass"
    assert page.locator(".size meter").get_attribute("max") == str(102 * 1024)
    screenshot(page, "email-slot")


def test_social_counters_equal_the_pipelines_measure(page: Any, preview: tuple[Path, Any]) -> None:
    config, server = preview
    settings = load_config(config)
    page.goto(server.url + "slot/morning/social.html")
    cards = page.locator("li.post").evaluate_all(
        """cards => cards.map(c => ({platform: c.dataset.platform, count: +c.dataset.count,
            limit: +c.dataset.limit, shown: c.querySelector('.count-value').textContent,
            text: c.querySelector('.post-text').textContent}))"""
    )
    assert {c["platform"] for c in cards} == set(PLATFORMS)
    for card in cards:
        platform = PLATFORMS[card["platform"]]
        assert card["count"] == platform.measure(card["text"]) == int(card["shown"]), card
        assert card["limit"] == limit_for(card["platform"], settings)
    # Thread parts are shown in order.
    parts = page.locator("#x li.post .part").all_inner_texts()
    assert parts and parts[0].startswith("part 1/")
    screenshot(page, "social")


def test_summary_marks_each_source_sentence(page: Any, preview: tuple[Path, Any]) -> None:
    _, server = preview
    page.goto(server.url + f"story/{EXAMPLE_SLUG}/summary.html")
    refs = page.locator("li.part-item").evaluate_all("items => items.map(i => i.dataset.ref)")
    assert refs[:2] == ["h", "t"] and len(refs) >= 5
    for ref in refs:
        assert page.locator(f".seed-text mark.r-{ref}").count() >= 1, ref
    page.hover("li.part-item[data-ref='b1']")
    outline = page.locator(".seed-text mark.r-b1").first.evaluate(
        "m => getComputedStyle(m).outlineStyle"
    )
    assert outline == "solid"
    screenshot(page, "summary")


def test_batch_views_read_the_published_files(page: Any, preview: tuple[Path, Any]) -> None:
    config, server = preview
    batch = published(config.parent / "outbox")[0]
    base = f"{server.url}batch/{batch.day}/{batch.path.name}/"
    page.goto(base + "email.html")
    assert page.locator("#email-frame").count() == 1
    screenshot(page, "batch-email")
    page.goto(base + "summary.html")
    assert page.locator("article.summary").count() == 2
    screenshot(page, "batch-summary")


def _edit_and_wait(page: Any, path: Path, text: str, expected: str) -> float:
    """Save `text` into `path`; seconds until the open page shows `expected`."""
    start = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    until(
        page, "expected => document.getElementById('page').textContent.includes(expected)", expected
    )
    return time.perf_counter() - start


def test_saving_a_seed_updates_the_open_page_within_a_second(browser: Any, tmp_path: Path) -> None:
    config = make_project(tmp_path)
    seed = tmp_path / "seeds" / "000_5d8e33db419e59d4.txt"
    original = seed.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fake_remote_images(page)
    with running(config) as server:
        page.goto(server.url + f"story/{EXAMPLE_SLUG}/email.html")
        until(page, "() => document.body.dataset.generation === '0'")
        for round_ in range(3):
            title = f"Bukele US Plan, edit {round_}"
            elapsed = _edit_and_wait(page, seed, original.replace("Bukele US Plan", title), title)
            assert elapsed < 1.0, f"the page showed the change after {elapsed:.2f} s"
        assert page.locator(".subject-line").inner_text().startswith("Bukele US Plan, edit 2")
        screenshot(page, "live-reloaded")
    page.close()


def test_a_seed_that_becomes_invalid_shows_its_error(browser: Any, tmp_path: Path) -> None:
    config = make_project(tmp_path)
    seed = tmp_path / "seeds" / "000_5d8e33db419e59d4.txt"
    original = seed.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    with running(config) as server:
        page.goto(server.url + f"story/{EXAMPLE_SLUG}/summary.html")
        seed.write_bytes(b"\xef\xbb\xbf")  # a BOM and nothing else: an empty seed
        page.wait_for_selector(".seed-error", timeout=5000)
        error = page.locator(".seed-error").inner_text()
        assert "000_5d8e33db419e59d4.txt:1" in error and "empty file" in error
        assert "Traceback" not in page.content()
        screenshot(page, "seed-error")
        page.goto(server.url)
        assert "empty file" in page.locator("tr.seed.rejected").inner_text()
        # Fixed again: the story's page comes back by itself.
        page.goto(server.url + f"story/{EXAMPLE_SLUG}/summary.html")
        seed.write_text(original, encoding="utf-8")
        page.wait_for_selector("article.summary", timeout=5000)
    page.close()


def test_saving_config_or_a_template_updates_the_page(browser: Any, tmp_path: Path) -> None:
    config = make_project(tmp_path, own_templates=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    with running(config) as server:
        page.goto(server.url + f"story/{EXAMPLE_SLUG}/social.html")
        text = config.read_text(encoding="utf-8")
        changed = text.replace('name = "The Morning Digest"', 'name = "The Evening Digest"')
        _edit_and_wait(page, config, changed, "The Evening Digest")
        template = tmp_path / "templates" / "social" / "mastodon.txt.j2"
        _edit_and_wait(page, template, "Edited template {{ headline }}", "Edited template")
        # A broken config shows its problems, not a stack trace.
        _edit_and_wait(page, config, changed.replace('at = "08:00"', 'at = "8am"'), "8am")
        assert "schedules[0].at" in page.locator(".config-error").inner_text()
        screenshot(page, "config-error")
    page.close()


def test_payload_text_is_what_the_card_shows(page: Any, preview: tuple[Path, Any]) -> None:
    """The card's text is the API request's own field, unescaped only for LinkedIn."""
    config, server = preview
    batch = published(config.parent / "outbox")[0]
    page.goto(f"{server.url}batch/{batch.day}/{batch.path.name}/social.html")
    shown = page.locator("#mastodon .post-text").all_text_contents()
    envelopes = json.loads((batch.path / "social" / "mastodon.json").read_text(encoding="utf-8"))
    assert shown == [e["request"]["status"] for e in envelopes]
