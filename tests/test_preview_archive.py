"""The preview and the archive: each batch's archive link, and the site served at /archive/."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.archive import BASE_URL, project_with_batches
from support.preview import NOW, running

from digest.archive import build_archive
from digest.archive.pages import SiteInfo, index_pages
from digest.archive.state import STATE
from digest.config import load_config
from digest.outbox.published import published
from digest.preview.archive import NOT_YET, archive_link, site_path
from digest.preview.export import export_site
from digest.preview.server import CSP, PreviewServer
from digest.preview.watcher import Live, watched

SECRET = "TOP-SECRET-archive-7d2e"
FIRST = "2026-12-01/morning-0800"
SECOND = "2026-12-02/morning-0800"


def get(
    server: PreviewServer, path: str, host: str = "localhost", method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """`method path` sent as it is (no client normalises it); status, headers, body."""
    address, port = server.httpd.server_address[:2]
    request = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n"
    with socket.create_connection((address, port), timeout=10) as conn:
        conn.sendall((request + "Connection: close\r\n\r\n").encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def write_site(folder: Path) -> None:
    """A site folder as `digest archive` leaves it (the first batch's page only), and traps."""
    settings = load_config(folder / "config.toml")
    site = settings.paths.site
    info = SiteInfo("Archive", "", BASE_URL, "en", ("morning",), settings.brand)
    for path, data in index_pages([], info, settings.paths.templates, schedule=None).items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(data)
    (site / FIRST).mkdir(parents=True)
    (site / FIRST / "index.html").write_text("<!doctype html><title>first issue</title>")
    (site / "feed.xml").write_text('<?xml version="1.0"?><feed/>')
    (site / "feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1"}')
    (site / STATE).write_text(f'{{"secret": "{SECRET}"}}')
    (site / "notes.txt").write_text(SECRET)
    (site / ".hidden.html").write_text(SECRET)
    # Links: to a file outside, to a file inside, to a folder outside; a FIFO.
    (folder / "secret.html").write_text(SECRET)
    (folder / "elsewhere").mkdir()
    (folder / "elsewhere" / "index.html").write_text(SECRET)
    (site / "leak.html").symlink_to(folder / "secret.html")
    (site / "inner.html").symlink_to(site / "index.html")
    (site / "linked").symlink_to(folder / "elsewhere", target_is_directory=True)
    (site / "page").mkdir()
    (site / "page" / "up.html").symlink_to("../../secret.html")
    os.mkfifo(site / "fifo.html")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    project_with_batches(folder, days=2, stories_per_batch=1)
    write_site(folder)
    return folder


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[PreviewServer]:
    with running(project / "config.toml") as preview:
        yield preview


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/archive/index.html", "text/html; charset=utf-8"),
        ("/archive/", "text/html; charset=utf-8"),
        (f"/archive/{FIRST}/index.html", "text/html; charset=utf-8"),
        (f"/archive/{FIRST}/", "text/html; charset=utf-8"),
        ("/archive/feed.xml", "application/xml; charset=utf-8"),
        ("/archive/feed.json", "application/json; charset=utf-8"),
    ],
)
def test_the_archives_files_are_served_with_their_csp(
    server: PreviewServer, project: Path, path: str, media_type: str
) -> None:
    status, headers, body = get(server, path)
    assert status == 200, path
    assert headers["content-type"] == media_type
    rel = path.removeprefix("/archive/")
    rel = rel + "index.html" if rel.endswith("/") or not rel else rel
    assert body == (project / "site" / rel).read_bytes()
    assert headers["content-security-policy"] == CSP["archive"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_the_archive_csp_allows_no_script() -> None:
    policy = dict(d.strip().split(" ", 1) for d in CSP["archive"].split(";"))
    assert policy["default-src"] == "'none'" and "script-src" not in policy
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "allow-scripts" not in policy["sandbox"] and "allow-same-origin" not in policy["sandbox"]


@pytest.mark.parametrize(
    "path",
    [
        "/archive/../config.toml",
        "/archive/../../../../etc/passwd",
        "/archive/%2e%2e/config.toml",
        "/archive/%2E%2E/secret.html",
        "/archive/%2e%2e%2fsecret.html",
        "/archive/..%2f..%2fsecret.html",
        "/archive/%252e%252e/secret.html",
        "/archive/..\\secret.html",
        "/archive/page/..%5c..%5csecret.html",
        "/archive/%00index.html",
        "/archive//etc/passwd",
        "/archive/%2Fetc%2Fpasswd",
        f"/archive/{Path('/etc/passwd').resolve()}",
        "/archive/leak.html",  # a symlink to a file outside
        "/archive/inner.html",  # a symlink, even to a file inside
        "/archive/linked/index.html",  # through a symlinked folder
        "/archive/linked/",
        "/archive/page/up.html",  # a relative symlink that climbs out
        f"/archive/{FIRST}",  # a folder, named as a file
        "/archive/2026-12-01",
        "/archive/fifo.html",  # not a regular file: refused without blocking
        "/archive/missing.html",
        f"/archive/{SECOND}/index.html",  # not written yet
        f"/archive/{STATE}",  # the archive's state: hidden
        "/archive/.hidden.html",
        "/archive/notes.txt",  # not a kind of file the archive writes
        "/archive/config.toml",
        "http://localhost/archive/../secret.html",
    ],
)
def test_nothing_but_the_archives_own_files_is_served(server: PreviewServer, path: str) -> None:
    status, headers, body = get(server, path)
    assert status == 404, (path, status)
    assert SECRET.encode() not in body and b"[paths]" not in body and b"root:" not in body
    assert "content-security-policy" in headers
    assert str(Path.cwd()).encode() not in body


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.2", ""])
def test_the_archive_answers_only_to_the_previews_host(server: PreviewServer, host: str) -> None:
    status, _, body = get(server, "/archive/index.html", host)
    assert status == 400 and b"Host" in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"])
def test_the_archive_is_read_only(server: PreviewServer, method: str) -> None:
    status, headers, _ = get(server, "/archive/index.html", method=method)
    assert status == 405 and headers["allow"] == "GET"


def test_the_index_links_each_batch_to_its_archive_page(server: PreviewServer) -> None:
    status, _, body = get(server, "/")
    assert status == 200
    page = body.decode()
    rows = {
        folder: page[page.index(f"<code>{folder}</code>") :].split("</tr>", 1)[0]
        for folder in (FIRST, SECOND)
    }
    first, second = rows[FIRST], rows[SECOND]
    assert f'<a class="archive-page" href="archive/{FIRST}/index.html">' in first
    assert f'<a class="public-url" href="{BASE_URL}{FIRST}/" rel="noreferrer">' in first
    assert NOT_YET not in first
    assert "archive-page" not in second and NOT_YET in second
    assert f"<code>{BASE_URL}{SECOND}/</code>" in second
    # The link leads to the page itself.
    status, _, served = get(server, f"/archive/{FIRST}/index.html")
    assert status == 200 and b"first issue" in served


def test_archive_notes_for_batches_outside_it(tmp_path: Path) -> None:
    settings = project_with_batches(
        tmp_path,
        days=1,
        schedules=("morning", {"name": "social", "channels": ["x"]}, "evening"),
        stories_per_batch=1,
        archive={"schedules": ["morning", "social"]},
    )
    batches = {b.schedule: b for b in published(settings.paths.outbox)}
    site = settings.paths.site
    assert archive_link(settings, site, batches["morning"]).note == NOT_YET
    assert archive_link(settings, site, batches["morning"]).url == f"{BASE_URL}{FIRST}/"
    assert archive_link(settings, site, batches["social"]).note == (
        "no email, so no page in the archive"
    )
    assert archive_link(settings, site, batches["evening"]).note == (
        "not archived: [archive] schedules leaves out evening"
    )
    # A batch that fails verification is left out, and says why.
    (batches["morning"].path / "email" / "digest.html").write_text("changed")
    note = archive_link(settings, site, batches["morning"]).note
    assert note and note.startswith("left out of the archive: fails verification")
    no_base = settings.model_copy(
        update={"archive": settings.archive.model_copy(update={"base_url": None})}
    )
    assert archive_link(no_base, site, batches["morning"]).note == (
        "no archive: set [archive] base_url in config.toml"
    )


def test_the_export_names_the_public_url_and_links_no_archive_file(
    project: Path, tmp_path: Path
) -> None:
    export_site(project / "config.toml", tmp_path / "export", NOW)
    index = (tmp_path / "export" / "index.html").read_text(encoding="utf-8")
    assert f'<code class="public-url">{BASE_URL}{FIRST}/</code>' in index
    assert 'href="archive/' not in index and f'href="{BASE_URL}' not in index


def test_the_watcher_reads_the_site_again_after_each_archive_run(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1, stories_per_batch=1)
    live = Live(tmp_path / "config.toml", clock=lambda: NOW, events=False)
    try:
        site, _ = live.site()
        assert (settings.paths.site / STATE, 0) in watched(site)
        assert site.archived(site.batches[0]).note == NOT_YET
        assert not live.poll()
        # What digest archive does: the page, then the state last.
        (settings.paths.site / FIRST).mkdir(parents=True)
        (settings.paths.site / FIRST / "index.html").write_text("<!doctype html>")
        (settings.paths.site / STATE).write_text("{}")
        assert live.poll()
        site, _ = live.site()
        assert site.archived(site.batches[0]).page == f"{FIRST}/index.html"
    finally:
        live.stop()


@pytest.mark.parametrize(
    ("parts", "folder", "expected"),
    [
        ([], True, "index.html"),
        (["page", "2"], True, "page/2/index.html"),
        (["a", "index.html"], False, "a/index.html"),
        (["feed.xml"], False, "feed.xml"),
        (["schedules", "m", "feed.json"], False, "schedules/m/feed.json"),
        (["a"], False, None),
        (["notes.txt"], False, None),
        ([".digest-archive.json"], False, None),
        ([".digest-staging", "x.html"], False, None),
        (["..", "x.html"], False, None),
        (["a\\..", "x.html"], False, None),
        (["x.HTML"], False, None),
    ],
)
def test_site_path(parts: list[str], folder: bool, expected: str | None) -> None:
    assert site_path(parts, folder) == expected


def test_a_built_archive_is_linked_and_served(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1, stories_per_batch=1)
    build_archive(settings)
    with running(tmp_path / "config.toml") as preview:
        _, _, index = get(preview, "/")
        link = f'<a class="archive-page" href="archive/{FIRST}/index.html">'
        assert link.encode() in index and NOT_YET.encode() not in index
        for path in (f"{FIRST}/index.html", "index.html", "feed.xml", "sitemap.xml"):
            status, headers, body = get(preview, f"/archive/{path}")
            assert status == 200 and body == (settings.paths.site / path).read_bytes(), path
            assert headers["content-security-policy"] == CSP["archive"]
        _, _, page = get(preview, f"/archive/{FIRST}/index.html")
        assert b'<meta http-equiv="Content-Security-Policy"' in page
