"""`digest preview` as people run it: serve until Ctrl-C, or --export, with clean errors."""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.preview import NOW, make_project

from digest.cli import main
from digest.errors import DigestError
from digest.preview.server import start_server

DIGEST = Path(sys.executable).parent / "digest"


def test_preview_serves_until_interrupted(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    process = subprocess.Popen(
        [str(DIGEST), "preview", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("previewing at http://127.0.0.1:"), line
        url = urlsplit(line.split()[2])
        assert url.hostname is not None and url.port is not None
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        conn.request("GET", "/")
        answer = conn.getresponse()
        assert answer.status == 200 and b"000_5d8e33db419e59d4.txt" in answer.read()
        conn.close()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
        process.communicate()


def test_export_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_project(tmp_path)
    target = tmp_path / "review"
    assert main(["preview", "--config", str(config), "--export", str(target)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("exported ") and str(target) in out[0]
    assert (target / "index.html").is_file()


def test_a_missing_config_is_one_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", "--config", str(tmp_path / "nope.toml"), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "nope.toml" in err and "not found" in err and "Traceback" not in err


def test_a_port_in_use_names_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_project(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["preview", "--config", str(config), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port} is in use" in err and "--port 0" in err


def test_binding_beyond_loopback_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_project(tmp_path)
    with caplog.at_level(logging.WARNING, logger="digest.preview"):
        server = start_server(config, host="0.0.0.0", port=0, clock=lambda: NOW)
        server.close()
    assert "not loopback" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="digest.preview"):
        server = start_server(config, port=0, clock=lambda: NOW)
        assert server.url.startswith("http://127.0.0.1:")
        server.close()
    assert caplog.text == ""


def test_help_shows_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["preview", "--help"])
    out = capsys.readouterr().out
    for option in ("--port", "--open", "--host", "--export", "--config"):
        assert option in out


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "99999999999999999999"])
def test_a_port_out_of_range_is_a_clean_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    config = make_project(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(["preview", "--config", str(config), "--port", port])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "out of range" in err and "0 for any free one" in err and "Traceback" not in err


def test_start_server_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="port 70000 is out of range"):
        start_server(make_project(tmp_path), port=70000, clock=lambda: NOW)


def test_a_config_that_is_a_fifo_or_a_folder_is_one_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    for config, reason in ((fifo, "not a regular file"), (tmp_path, "is a folder")):
        assert main(["preview", "--config", str(config), "--port", "0"]) == 1
        err = capsys.readouterr().err
        assert reason in err and "Traceback" not in err, err
