"""`digest preview --export DIR`: a static folder that opens from file:// and loads nothing else."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from support.browser import launched
from support.factories import run_digest
from support.preview import EXAMPLE_SLUG, NOW, make_project, screenshot

from digest.config import load_config
from digest.errors import ConfigError, DigestError
from digest.pipeline import build
from digest.preview.export import MARKER, export_site
from digest.scheduler.slots import next_slots

_META_CSP = re.compile(
    r"""<meta http-equiv="Content-Security-Policy" content="([^"]*)">""", re.IGNORECASE
)
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
    # A damaged batch file: its page says so, and the export carries on.
    (folder / "outbox/2026-11-28/morning-0800/social/x.json").write_text("{not json")
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


def test_a_damaged_batch_file_is_named_on_its_page(exported: Path) -> None:
    page = (exported / "batch/2026-11-28/morning-0800/social.html").read_text(encoding="utf-8")
    assert "social/x.json" in page and "not valid JSON" in page
    assert 'data-platform="mastodon"' in page


def test_every_page_and_frame_carries_its_own_csp(exported: Path) -> None:
    pages = list(exported.rglob("*.html"))
    assert len(pages) >= 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        head = text[: text.lower().index("</head>")]
        policies = _META_CSP.findall(head)
        assert len(policies) == 1, page
        policy = policies[0]
        assert "default-src 'none'" in policy and "base-uri 'none'" in policy, page
        assert "http" not in policy and "*" not in policy, (page, policy)
        if "frame-" in page.name:
            assert "script-src" not in policy and "style-src 'unsafe-inline'" in policy
        else:
            assert "script-src 'self'" in policy and "unsafe" not in policy
        # Before anything the policy is meant to cover.
        assert head.index(policy) < min(
            (head.find(tag) for tag in ("<link", "<script", "<style") if tag in head),
            default=len(head),
        )


def test_no_absolute_path_of_the_project_is_written(exported: Path) -> None:
    project = exported.parent
    absolute = {str(project), str(project.resolve())}
    files = [p for p in exported.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes().decode("utf-8", errors="replace")
        for folder in absolute:
            assert folder not in data, (path, folder)
    index = (exported / "index.html").read_text(encoding="utf-8")
    assert "<code>seeds</code>" in index and "<code>outbox</code>" in index


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
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text))
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
        # The script and stylesheet ran under the page's own CSP.
        assert page.locator("#email-frame").bounding_box()["width"] == 375
        assert (
            page.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
            == "rgb(32, 41, 58)"
        )
        frame = page.frame_locator("#email-frame")
        assert frame.locator("h1").first.inner_text() == "Bukele US Plan on Migrants"
        screenshot(page, "export-email")
        page.goto((exported / "slot/morning/social.html").as_uri())
        screenshot(page, "export-social")
        assert requests, "no request was recorded at all"
        outside = sorted({url for url in requests if not url.startswith("file:")})
        assert not outside, outside
        assert not [text for text in refused if "Content Security Policy" in text], refused


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


# Every OSError of the export (a file where a folder should be, a name too long, a full disk)
# is one clean DigestError naming the path, never a traceback.
@pytest.mark.parametrize(
    ("where", "phrase"),
    [
        (lambda d: d / "afile" / "sub", "Not a directory"),
        (lambda d: d / "afile" / "sub" / "deeper", "Not a directory"),
        (lambda d: d / ("n" * 300), "File name too long"),
        (lambda d: Path("/proc/self/digest-export"), "No such file or directory"),
    ],
    ids=["below-a-file", "two-below-a-file", "name-too-long", "cannot-be-made"],
)
def test_an_export_folder_that_cannot_be_written_is_one_clean_error(
    tmp_path: Path, where: Callable[[Path], Path], phrase: str
) -> None:
    config = make_project(tmp_path)
    (tmp_path / "afile").write_text("a file, not a folder")
    target = where(tmp_path)
    with pytest.raises(DigestError) as caught:
        export_site(config, target, NOW)
    message = str(caught.value)
    assert phrase in message and "cannot export" in message, message
    assert "\n" not in message


def test_a_full_disk_midway_is_one_clean_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_project(tmp_path)
    written: list[Path] = []

    def full(self: Path, data: bytes) -> int:
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        written.append(self)
        return len(data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(DigestError, match="No space left on device") as caught:
        export_site(config, tmp_path / "review", NOW)
    assert str(tmp_path / "review") in str(caught.value)


def test_the_cli_reports_an_unwritable_export_folder_in_one_line(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    (tmp_path / "afile").write_text("x")
    target = tmp_path / "afile" / "sub"
    result = run_digest("preview", "--config", str(config), "--export", str(target), cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(target) in lines[0] and "Not a directory" in lines[0], lines
