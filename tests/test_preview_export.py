"""`digest preview --export DIR`: a static folder that opens from file:// and loads nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import launched
from preview_support import EXAMPLE_SLUG, NOW, make_project, screenshot

from digest.config import load_config
from digest.errors import ConfigError, DigestError
from digest.pipeline import build
from digest.preview import export_site
from digest.preview.export import MARKER
from digest.slots import next_slots

_REFERENCE = re.compile(
    r"""\s(?:href|src|background|data-light|data-dark)\s*=\s*["']([^"']*)["']"""
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    config = make_project(folder, max_stories=2)
    settings = load_config(config)
    build(settings, next_slots(settings.schedules[0], NOW, 1)[0], durable=False)
    (folder / "seeds" / "broken.txt").write_bytes(b"")
    target = folder / "export"
    count = export_site(config, target, NOW)
    assert count == len([p for p in target.rglob("*") if p.is_file() and p.name != MARKER])
    return target


def test_every_view_is_written(exported: Path) -> None:
    names = {p.relative_to(exported).as_posix() for p in exported.rglob("*.html")}
    assert "index.html" in names
    for base in (f"story/{EXAMPLE_SLUG}", "slot/morning", "batch/2026-11-28/morning-0800"):
        for leaf in ("email.html", "social.html", "summary.html", "frame-light.html"):
            assert f"{base}/{leaf}" in names
    assert (exported / "static" / "preview.css").is_file()


def test_links_are_relative_and_lead_to_written_files(exported: Path) -> None:
    for page in exported.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "data-events" not in text, page  # no live reload without a server
        for ref in _REFERENCE.findall(text):
            if ref.startswith(("https://", "http://", "mailto:")):
                # Only links a reader may click (the email's own), never a resource to load.
                assert "frame-" in page.name, (page, ref)
                continue
            if ref.startswith(("#", "data:")):
                continue
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(exported)} -> {ref}"
            assert target.is_relative_to(exported.resolve())


def test_the_export_frames_load_no_remote_image(exported: Path) -> None:
    frame = (exported / f"story/{EXAMPLE_SLUG}/frame-light.html").read_text(encoding="utf-8")
    assert not re.search(r"""\s(?:src|background)\s*=\s*["']https?:""", frame)
    assert "../../static/remote-image.svg" in frame


def test_the_export_opens_from_file_with_no_request_leaving_it(exported: Path) -> None:
    with launched() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.context.on("request", lambda request: requests.append(request.url))
        page.goto((exported / "index.html").as_uri())
        links = page.locator("a[href$='.html']").evaluate_all("links => links.map(a => a.href)")
        assert len(links) >= 9
        for link in links:
            page.goto(link)
            page.wait_for_load_state("load")
        page.goto((exported / f"story/{EXAMPLE_SLUG}/email.html").as_uri())
        page.click("button[data-scheme='dark']")
        page.click("button[data-width='375']")
        page.wait_for_timeout(300)
        frame = page.frame_locator("#email-frame")
        assert frame.locator("h1").first.inner_text() == "Bukele US Plan on Migrants"
        screenshot(page, "export-email")
        page.goto((exported / "slot/morning/social.html").as_uri())
        screenshot(page, "export-social")
        assert requests, "no request was recorded at all"
        outside = sorted({url for url in requests if not url.startswith("file:")})
        assert not outside, outside


def test_export_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(DigestError, match="not empty and not an earlier export"):
        export_site(config, target, NOW)
    assert (target / "notes.txt").read_text() == "keep me"


def test_export_replaces_an_earlier_export(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    target = tmp_path / "review"
    export_site(config, target, NOW)
    (target / "story" / "stale.html").write_text("old")
    export_site(config, target, NOW)
    assert not (target / "story" / "stale.html").exists()
    assert (target / "index.html").is_file()


def test_export_of_a_broken_config_names_its_problems(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    config.write_text(config.read_text().replace('at = "08:00"', 'at = "25:00"'))
    with pytest.raises(ConfigError, match=r"schedules\[0\]\.at"):
        export_site(config, tmp_path / "review", NOW)


def test_export_skips_frames_of_samples_without_an_email(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    text = config.read_text().replace('"email", ', "")  # the schedule's channels: posts only
    config.write_text(text)
    damaged = tmp_path / "outbox" / "2026-11-27" / "morning-0800"
    damaged.mkdir(parents=True)
    (damaged / "manifest.json").write_text("{}")
    target = tmp_path / "review"
    export_site(config, target, NOW)
    assert "no email" in (target / "slot/morning/email.html").read_text()
    assert not (target / "slot/morning/frame-light.html").exists()
    assert (target / f"story/{EXAMPLE_SLUG}/frame-light.html").is_file()
    batch = (target / "batch/2026-11-27/morning-0800/email.html").read_text()
    assert "not a valid manifest" in batch
