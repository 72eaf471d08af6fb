"""A saved file pushes the open page to it: the page as a request would get it, and its email.

Over raw HTTP, the "page" event carries exactly what requests for the page and its frames
answer; in Chromium, the page swaps it in and writes the new email into the iframe it already
has (no request, no reload), which keeps the frame's own policy and sandbox.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import launched
from support.preview import EXAMPLE_SLUG, fake_remote_images, make_project, running, until

from digest.config import load_config
from digest.preview.push import checked_path
from digest.preview.server import PreviewServer, viewed
from digest.preview.site import settings_of

SEED = "000_5d8e33db419e59d4.txt"
TITLE = "Bukele US Plan on Migrants"


def _stream(server: PreviewServer, page: str) -> tuple[http.client.HTTPConnection, Any]:
    """An event stream for `page` (a raw query value), read past its hello."""
    conn = http.client.HTTPConnection(*server.httpd.server_address[:2], timeout=10)
    conn.request("GET", f"/events?page={page}", headers={"Host": "localhost"})
    answer = conn.getresponse()
    assert answer.status == 200
    for _ in range(4):  # retry, event: hello, data, blank line
        answer.readline()
    return conn, answer


def _get(server: PreviewServer, path: str) -> bytes:
    conn = http.client.HTTPConnection(*server.httpd.server_address[:2], timeout=10)
    conn.request("GET", path, headers={"Host": "localhost"})
    body = conn.getresponse().read()
    conn.close()
    return body


def _edit(tmp_path: Path, new: str) -> None:
    """Save the seed with a new title in one step, a file renamed over it (as many editors
    save): a save in two writes can be seen half done, the story left out in between, and a
    page whose story went away reloads instead of taking the new email in place."""
    seed = tmp_path / "seeds" / SEED
    staged = seed.with_name(f".{SEED}.saving")
    staged.write_text(seed.read_text(encoding="utf-8").replace(TITLE, new), encoding="utf-8")
    os.replace(staged, seed)


@pytest.mark.parametrize(
    ("page", "frames"),
    [("/slot/morning/email.html", True), (f"/story/{EXAMPLE_SLUG}/summary.html", False)],
)
def test_a_page_event_carries_what_requests_for_the_page_answer(
    tmp_path: Path, page: str, frames: bool
) -> None:
    config = make_project(tmp_path)
    with running(config) as server:
        conn, answer = _stream(server, page.replace("/", "%2F"))
        time.sleep(0.05)
        _edit(tmp_path, "Edited plan")
        assert answer.readline() == b"event: page\n"
        line = answer.readline()
        assert line.startswith(b"data: {") and answer.readline() == b"\n"
        data = json.loads(line.removeprefix(b"data: "))
        conn.close()
        assert data["generation"] == server.live.generation == 1
        assert data["page"].encode() == _get(server, page)
        assert "Edited plan" in data["page"]
        folder = page.rpartition("/")[0]
        if frames:
            assert set(data["frames"]) == {"frame-light.html", "frame-dark.html"}
            for leaf, html in data["frames"].items():
                assert html.encode() == _get(server, f"{folder}/{leaf}")
            assert "Edited plan" in data["frames"]["frame-dark.html"]
        else:
            assert "frames" not in data


@pytest.mark.parametrize(
    "page",
    ["%2Fstatic%2Fpreview.css", "%2Fslot%2Fmorning%2Fframe-light.html", "%2F..%2Fconfig.toml", ""],
)
def test_a_stream_for_what_is_not_a_page_gets_bare_changes(tmp_path: Path, page: str) -> None:
    config = make_project(tmp_path)
    with running(config) as server:
        conn, answer = _stream(server, page)
        time.sleep(0.05)
        _edit(tmp_path, "Edited plan")
        assert answer.readline() == b"event: change\n"
        assert answer.readline() == b"data: 1\n"
        conn.close()


def test_a_viewed_path_is_checked_like_a_request_path() -> None:
    assert viewed("page=%2Fslot%2Fmorning%2Femail.html") == "/slot/morning/email.html"
    assert viewed("page=/index.html&x=1") == "/index.html"
    # The page's path as its request named it (percent-encoded), encoded again in the query.
    assert viewed("page=%2Fstory%2Fa%2520b%2Femail.html") == "/story/a b/email.html"
    for bad in ("", "x=1", "page=/a&page=/b", "page=index.html", "page=/a/../b", "page=/a%00"):
        assert viewed(bad) is None, bad
    assert checked_path("/a\\b") is None


def test_settings_are_read_again_only_when_config_changes(tmp_path: Path) -> None:
    config = make_project(tmp_path).resolve()
    first = settings_of(config)
    assert settings_of(config) is first
    assert first == load_config(config)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("The Morning Digest", "The Evening Digest"), encoding="utf-8")
    second = settings_of(config)
    assert second is not first and second == load_config(config)
    assert second.brand.name == "The Evening Digest"
    config.write_text(text, encoding="utf-8")
    assert settings_of(config) == first


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


FRAME_TEXT = (
    "() => document.getElementById('email-frame')?.contentDocument?.body?.textContent || ''"
)
FRAME_HTML = (
    "() => document.getElementById('email-frame').contentDocument.documentElement.outerHTML"
)


def _frame_shows(page: Any, text: str) -> None:
    until(page, f"t => ({FRAME_TEXT})().includes(t)", text)


def test_a_save_writes_the_new_email_into_the_frame_the_page_has(
    browser: Any, tmp_path: Path
) -> None:
    config = make_project(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fake_remote_images(page)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    with running(config) as server:
        page.goto(server.url + "slot/morning/email.html")
        _frame_shows(page, TITLE)
        page.evaluate("() => { document.getElementById('email-frame').kept = true; }")
        height = page.evaluate("() => document.getElementById('email-frame').style.height")
        asked.clear()
        _edit(tmp_path, "Edited plan")
        _frame_shows(page, "Edited plan")
        assert "Edited plan" in page.locator(".subject-line").inner_text()
        # The same iframe element, not reloaded; nothing asked of the preview.
        assert page.evaluate("() => document.getElementById('email-frame').kept") is True
        assert page.evaluate("() => document.getElementById('email-frame').style.height") == height
        assert [url for url in asked if url.startswith(server.url)] == []
        # What it shows is what loading the frame shows.
        fresh = browser.new_page()
        fake_remote_images(fresh)
        fresh.goto(server.url + "slot/morning/frame-light.html")
        assert page.evaluate(FRAME_HTML) == fresh.evaluate(
            "() => document.documentElement.outerHTML"
        )
        # Dark: a click loads the dark frame; the next save writes the dark email into it.
        page.click("button[data-scheme='dark']")
        until(
            page,
            "() => document.getElementById('email-frame').src.endsWith('/frame-dark.html')",
        )
        seed = tmp_path / "seeds" / SEED
        seed.write_text(seed.read_text(encoding="utf-8").replace("Edited plan", "Dark plan"))
        _frame_shows(page, "Dark plan")
        assert page.evaluate(
            "() => document.getElementById('email-frame').getAttribute('src')"
        ) == ("frame-dark.html")
        fresh.goto(server.url + "slot/morning/frame-dark.html")
        assert page.evaluate(FRAME_HTML) == fresh.evaluate(
            "() => document.documentElement.outerHTML"
        )
        assert page.locator("button[data-scheme='dark']").get_attribute("aria-pressed") == "true"
        fresh.close()
    page.close()


def test_the_written_frame_keeps_its_sandbox_and_policy(browser: Any, tmp_path: Path) -> None:
    """Written the way the page writes an email: a script in it does not run, and an image its
    policy refuses is refused."""
    config = make_project(tmp_path)
    page = browser.new_page()
    fake_remote_images(page)
    with running(config) as server:
        page.goto(server.url + "slot/morning/email.html")
        _frame_shows(page, TITLE)
        outcome = page.evaluate(
            """image => new Promise(done => {
              const doc = document.getElementById('email-frame').contentDocument;
              doc.open();
              const refused = e => done('refused ' + e.violatedDirective);
              doc.addEventListener('securitypolicyviolation', refused);
              doc.write('<script>parent.ran = 1<' + '/script><img src=x onerror="parent.ran = 2">');
              doc.write('<img src="' + image + '">');
              doc.close();
              setTimeout(() => done(window.ran ? 'ran ' + window.ran : 'not refused'), 2000);
            })""",
            server.url + "static/remote-image.svg",  # http: the frame's policy allows https only
        )
        assert outcome == "refused img-src"
        assert page.evaluate("() => window.ran === undefined")
    page.close()


def test_an_email_view_that_loses_its_email_and_gets_it_back(browser: Any, tmp_path: Path) -> None:
    """A page without a frame (config.toml broken) and back: swapped whole, the frame loads."""
    config = make_project(tmp_path)
    page = browser.new_page()
    fake_remote_images(page)
    with running(config) as server:
        page.goto(server.url + "slot/morning/email.html")
        _frame_shows(page, TITLE)
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('at = "08:00"', 'at = "8am"'), encoding="utf-8")
        until(page, "() => !document.getElementById('email-frame')")
        assert "8am" in page.locator("#page").inner_text()
        config.write_text(text, encoding="utf-8")
        _frame_shows(page, TITLE)
        _edit(tmp_path, "Edited plan")
        _frame_shows(page, "Edited plan")
    page.close()
