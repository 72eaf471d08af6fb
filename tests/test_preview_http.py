"""The preview's safety rules, over raw HTTP: Host, paths, symlinks, CSP, GET only, escaping."""

from __future__ import annotations

import http.client
import logging
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.preview import EXAMPLE_SLUG, NOW, make_project, running

from digest.config import load_config
from digest.outbox.published import published
from digest.pipeline import build
from digest.preview.hosts import LOOPBACK, allowed_hosts
from digest.preview.server import CSP, PreviewServer, start_server
from digest.scheduler.slots import next_slots

SECRET = "TOP-SECRET-4f1c"
XSS_SEED = """<script>alert("title")</script> Council & "friends"
“<img src=x onerror=alert(1)> tagline”
**Primary Article:**
**<b>Bold</b> headline</title><script>alert(2)</script>**
The council met on Monday and approved <script>alert(3)</script> the plan for the park.
Residents of the town welcomed the decision on Tuesday. Work starts in the spring of 2027.
"""


def raw(server: PreviewServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as it is; the status, headers and body of the answer."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(request)
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


def get(
    server: PreviewServer, path: str, host: str = "localhost"
) -> tuple[int, dict[str, str], bytes]:
    return raw(server, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PreviewServer]]:
    """A project with an escaped-everywhere seed, a symlink to a secret, and a batch."""
    folder = tmp_path_factory.mktemp("project")
    config = make_project(folder, max_stories=5)
    secret = folder / "secret.txt"
    secret.write_text(f"{SECRET}\n\n**Primary Article:**\n{SECRET} text.\n", encoding="utf-8")
    settings = load_config(config)
    build(settings, next_slots(settings.schedules[0], NOW, 1)[0], durable=False)
    # A published file that became a symlink to the secret must not be served.
    batch = published(folder / "outbox")[0].path
    (batch / "email" / "digest.txt").unlink()
    (batch / "email" / "digest.txt").symlink_to(secret)
    (folder / "seeds" / "leak.txt").symlink_to(secret)
    (folder / "seeds" / "xss.txt").write_text(XSS_SEED, encoding="utf-8")
    with running(config) as server:
        yield folder, server


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.0.0.1", "[::1]", "LOCALHOST:8000", "127.0.0.1:1", "[::1]:65535"],
)
def test_loopback_hosts_are_answered(preview: tuple[Path, Any], host: str) -> None:
    assert get(preview[1], "/", host)[0] == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:80",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "127.0.0.2",
        "localhost:abc",
        "[::2]",
        "0.0.0.0",
        "",
    ],
)
def test_other_hosts_get_400(preview: tuple[Path, Any], host: str) -> None:
    status, headers, body = get(preview[1], "/", host)
    assert status == 400
    assert b"Host" in body and SECRET.encode() not in body
    assert "content-security-policy" in headers


def test_a_request_without_host_gets_400(preview: tuple[Path, Any]) -> None:
    assert raw(preview[1], b"GET / HTTP/1.0\r\n\r\n")[0] == 400


@pytest.mark.parametrize(
    "method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW"]
)
def test_only_get_is_allowed(preview: tuple[Path, Any], method: str) -> None:
    request = (
        f"{method} / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    status, headers, _ = raw(preview[1], request.encode())
    assert status == 405
    assert headers["allow"] == "GET"


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/static/../../config.toml",
        "/static/../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/static/%2E%2E%2F%2E%2E%2Fconfig.toml",
        "/static/%252e%252e/secret.txt",
        "/static/..\\..\\secret.txt",
        "/static/%00preview.css",
        "/static/site.py",
        "/story/..%2f..%2fsecret/email.html",
        "/story/leak/email.html",
        "/story/leak/frame-light.html",
        "/story/secret/summary.html",
        "/batch/../../secret.txt/email.html",
        "//etc/passwd",
        "/config.toml",
        "/seeds/000_5d8e33db419e59d4.txt",
        "/templates/email/digest.mjml.j2",
        "/outbox/",
        "/events/../config.toml",
        "http://localhost/../secret.txt",
    ],
)
def test_paths_never_leave_the_served_files(preview: tuple[Path, Any], path: str) -> None:
    status, headers, body = get(preview[1], path)
    assert status in (404, 422), (path, status)
    assert SECRET.encode() not in body
    assert b"[paths]" not in body and b"root:" not in body
    assert "content-security-policy" in headers


def test_a_seed_symlinked_outside_is_an_error_not_its_content(preview: tuple[Path, Any]) -> None:
    status, _, body = get(preview[1], "/")
    assert status == 200
    assert b"leak.txt" in body and b"symlink leads outside the seeds folder" in body
    assert SECRET.encode() not in body


def test_a_batch_file_symlinked_outside_is_not_served(preview: tuple[Path, Any]) -> None:
    folder, server = preview
    batch = published(folder / "outbox")[0]
    base = f"/batch/{batch.day}/{batch.path.name}/"
    for leaf in ("email.html", "social.html", "summary.html", "frame-light.html"):
        status, _, body = get(server, base + leaf)
        assert status in (200, 404), leaf
        assert SECRET.encode() not in body, leaf
    _, _, page = get(server, base + "email.html")
    assert b"email/digest.txt" in page  # named as not shown


def test_a_batch_folder_symlinked_outside_is_not_read(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    settings = load_config(config)
    build(settings, next_slots(settings.schedules[0], NOW, 1)[0], durable=False)
    batch = published(tmp_path / "outbox")[0].path
    elsewhere = tmp_path / "elsewhere"
    shutil.move(batch, elsewhere)
    batch.symlink_to(elsewhere, target_is_directory=True)
    with running(config) as server:
        status, _, _ = get(server, f"/batch/{batch.parent.name}/{batch.name}/frame-light.html")
        assert status == 404
        status, _, page = get(server, f"/batch/{batch.parent.name}/{batch.name}/email.html")
        # The outbox skips the symlink (no such batch: 404), or the preview names the problem.
        assert status == 404 or b"leads outside the outbox" in page


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "form"),  # the pages with the preview's forms may post to it (#18)
        ("/index.html", "form"),
        (f"/story/{EXAMPLE_SLUG}/email.html", "page"),
        (f"/story/{EXAMPLE_SLUG}/social.html", "page"),
        (f"/story/{EXAMPLE_SLUG}/summary.html", "form"),
        (f"/story/{EXAMPLE_SLUG}/frame-light.html", "frame"),
        (f"/story/{EXAMPLE_SLUG}/frame-dark.html", "frame"),
        (f"/story/{EXAMPLE_SLUG}/digest.html", "frame"),
        ("/static/preview.css", "static"),
        ("/nowhere", "page"),
    ],
)
def test_every_answer_has_a_csp(preview: tuple[Path, Any], path: str, kind: str) -> None:
    _, headers, _ = get(preview[1], path)
    assert headers["content-security-policy"] == CSP[kind]
    assert headers["x-content-type-options"] == "nosniff"


def test_the_csps_allow_no_inline_script() -> None:
    page = CSP["page"]
    assert "script-src 'self';" in page and "unsafe" not in page
    assert "frame-ancestors 'none'" in page and "default-src 'none'" in page
    frame = CSP["frame"]
    assert "script-src" not in frame and "default-src 'none'" in frame  # no script at all
    assert "sandbox" in frame and "allow-scripts" not in frame


def test_seed_text_is_escaped_everywhere(preview: tuple[Path, Any]) -> None:
    _, server = preview
    status, _, index = get(server, "/")
    assert status == 200 and b"xss.txt" in index
    slug = "xss"
    pages = [index]
    for leaf in (
        "email.html",
        "social.html",
        "summary.html",
        "frame-light.html",
        "frame-dark.html",
    ):
        status, _, body = get(server, f"/story/{slug}/{leaf}")
        assert status == 200, leaf
        pages.append(body)
    for body in pages:
        assert b"<script>alert" not in body
        assert b"<img src=x" not in body and b"<b>Bold</b>" not in body
    summary = pages[3]
    assert b"&lt;script&gt;alert(3)&lt;/script&gt;" in summary


def test_events_say_hello_then_change_when_a_seed_is_saved(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    with running(config) as server:
        host, port = server.httpd.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", "/events", headers={"Host": "localhost"})
        answer = conn.getresponse()
        assert answer.status == 200
        assert answer.getheader("Content-Type").startswith("text/event-stream")
        assert answer.readline() == b"retry: 500\n"
        assert answer.readline() == b"event: hello\n"
        assert answer.readline() == b"data: 0\n"
        assert answer.readline() == b"\n"
        time.sleep(0.05)
        (tmp_path / "seeds" / "new.txt").write_text("A new story\n\nIt happened today.\n")
        assert answer.readline() == b"event: change\n"
        assert answer.readline() == b"data: 1\n"
        conn.close()


def _published(tmp_path: Path) -> tuple[Path, Path]:
    """A project with one published batch: its config.toml and the batch folder."""
    config = make_project(tmp_path, max_stories=2)
    settings = load_config(config)
    build(settings, next_slots(settings.schedules[0], NOW, 1)[0], durable=False)
    return config, published(tmp_path / "outbox")[0].path


def _is_live_page(body: bytes) -> bool:
    """A page preview.js can swap in, that keeps the live-reload script and event stream."""
    return b'id="page"' in body and b"static/preview.js" in body and b"data-events=" in body


def test_a_damaged_batch_file_is_a_problem_page_not_a_500(tmp_path: Path) -> None:
    config, batch = _published(tmp_path)
    (batch / "social" / "x.json").write_text("{not json", encoding="utf-8")
    (batch / "social" / "mastodon.json").write_text('[{"request": {"nope": 1}}]')
    base = f"/batch/{batch.parent.name}/{batch.name}/"
    with running(config) as server:
        status, _, body = get(server, base + "social.html")
        assert status == 200
        assert _is_live_page(body)
        assert b"social/x.json" in body and b"not valid JSON" in body
        assert b"social/mastodon.json" in body and b"status" in body  # the missing field
        assert b"Traceback" not in body
        assert b'data-platform="bluesky"' in body  # the other platforms are still shown
        for leaf in ("email.html", "summary.html"):
            status, _, body = get(server, base + leaf)
            assert status == 200 and _is_live_page(body), leaf


def test_a_view_that_fails_is_a_problem_page_naming_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, batch = _published(tmp_path)

    def fails(*_: Any) -> None:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    monkeypatch.setattr("digest.preview.pages.email_view", fails)
    with running(config) as server:
        status, _, body = get(server, f"/batch/{batch.parent.name}/{batch.name}/email.html")
        assert status == 200 and _is_live_page(body)
        assert b"email/digest.html" in body and b"invalid start byte" in body
        assert str(tmp_path).encode() not in body  # named from the project, not the disk


def test_a_page_that_cannot_be_built_keeps_live_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_project(tmp_path)

    def fails(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    with running(config) as server:
        monkeypatch.setattr("digest.preview.server.respond", fails)
        status, headers, body = get(server, "/index.html")
        assert status == 500 and headers["content-type"].startswith("text/html")
        assert headers["content-security-policy"] == CSP["page"]
        assert _is_live_page(body) and b"boom" not in body


@pytest.mark.parametrize(
    "hosts",
    [("localhost", "evil.example"), ("evil.example", "localhost"), ("localhost", "localhost")],
)
def test_more_than_one_host_header_gets_400(preview: tuple[Path, Any], hosts: Any) -> None:
    lines = "".join(f"Host: {host}\r\n" for host in hosts)
    status, _, body = raw(
        preview[1], f"GET / HTTP/1.1\r\n{lines}Connection: close\r\n\r\n".encode()
    )
    assert status == 400 and b"Host" in body


def test_allowed_hosts_are_loopback_and_a_concrete_bound_address() -> None:
    assert allowed_hosts("127.0.0.1") == LOOPBACK
    assert allowed_hosts("0.0.0.0") == LOOPBACK  # every interface: no one name to check
    assert allowed_hosts("::") == LOOPBACK
    assert allowed_hosts("192.0.2.7") == LOOPBACK | {"192.0.2.7"}
    assert allowed_hosts("2001:DB8::7") == LOOPBACK | {"[2001:db8::7]"}
    assert allowed_hosts("preview.example") == LOOPBACK | {"preview.example"}


def test_every_interface_answers_only_loopback_names_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_project(tmp_path)
    with caplog.at_level(logging.WARNING, logger="digest.preview.server"):
        server = start_server(config, host="0.0.0.0", port=0, clock=lambda: NOW).start()
    try:
        assert "only to the loopback Host names" in caplog.text
        assert "--host" in caplog.text and "own IP" in caplog.text
        port = server.httpd.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 0.0.0.0\r\nConnection: close\r\n\r\n")
            assert conn.recv(64).startswith(b"HTTP/1.0 400")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            assert conn.recv(64).startswith(b"HTTP/1.0 200")
    finally:
        server.close()


def _closed_after(server: PreviewServer, sent: bytes, limit: float) -> float:
    """Send `sent`, then wait: the seconds until the preview closes the connection."""
    host, port = server.httpd.server_address[:2]
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=limit) as conn:
        conn.sendall(sent)
        assert conn.recv(65536) == b""  # closed without an answer (a timeout raises here)
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET / HTTP/1.1\r\n", b"GET / HTTP/1.1\r\nHost: localhost\r\n", b"GE"],
    ids=["idle", "request-line-only", "headers-unfinished", "half-a-method"],
)
def test_an_idle_or_half_sent_request_is_closed_at_the_timeout(tmp_path: Path, sent: bytes) -> None:
    with running(make_project(tmp_path), request_timeout=0.5) as server:
        assert _closed_after(server, sent, limit=5) < 3


def test_a_request_trickled_a_byte_at_a_time_is_closed_at_the_timeout(tmp_path: Path) -> None:
    with running(make_project(tmp_path), request_timeout=0.6) as server:
        host, port = server.httpd.server_address[:2]
        start = time.perf_counter()
        with socket.create_connection((host, port), timeout=5) as conn:
            # one byte every 0.1 s: each read alone is quick, the request never completes
            for byte in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 60:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the preview still reads a request trickled for 7 s")
        assert time.perf_counter() - start < 3


def test_the_event_stream_outlives_the_request_timeout(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    with running(config, request_timeout=0.3) as server:
        conn = http.client.HTTPConnection(*server.httpd.server_address[:2], timeout=10)
        conn.request("GET", "/events", headers={"Host": "localhost"})
        answer = conn.getresponse()
        for _ in range(4):  # retry, event: hello, data, blank line
            answer.readline()
        time.sleep(1.0)  # three timeouts' worth of quiet
        (tmp_path / "seeds" / "new.txt").write_text("A new story\n\nIt happened today.\n")
        assert answer.readline() == b"event: change\n"
        conn.close()


ABSOLUTE_FORM = [
    ("http://evil.example/", 400),
    ("http://evil.example:{port}/", 400),
    ("http://localhost.evil.example/", 400),
    ("http://user@localhost/", 400),
    ("https://localhost/", 400),
    ("ftp://localhost/", 400),
    ("//evil.example/", 404),  # origin form: a path of that name, never a host
    ("http://localhost/", 200),
    ("http://127.0.0.1:{port}/", 200),
    ("HTTP://[::1]:{port}/?x=1", 200),
]


def test_an_absolute_form_target_is_served_only_for_a_host_the_preview_answers_to(
    preview: tuple[Path, Any],
) -> None:
    _, server = preview
    port = server.httpd.server_address[1]
    index = get(server, "/")[2]
    seen = []
    for target, _ in ABSOLUTE_FORM:
        status, _, body = get(server, target.format(port=port))
        seen.append((target, status))
        if status == 200:
            assert body == index, target
        else:
            assert body != index, target
    assert seen == ABSOLUTE_FORM
