"""`digest summarize --jsonl` on inputs that are not what it expects: one clean line each.

Per line problems are `file:line: reason` on stderr and exit 2, the other lines still summarized;
an input that cannot be read at all is one `digest: file: reason` line and exit 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.factories import run_digest

GOOD = '{"id": "a", "text": "The council met on Monday. It approved the plan for the park."}\n'
OTHER = '{"id": "b", "text": "Residents welcomed it on Tuesday. Work starts in the spring."}\n'


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"\xff\xfe not UTF-8\n", "not UTF-8 at byte 0 of the line; save the file as UTF-8"),
        (b'{"id": "x", "text": "caf\xe9 au lait"}\n', "not UTF-8 at byte 24 of the line"),
        (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deeply to read"),
        (b'{"id": "x", "text": "\\ud800 broken"}\n', "lone surrogate"),
    ],
    ids=["invalid-utf8", "latin1-text", "deep-json", "lone-surrogate"],
)
def test_a_bad_line_is_named_and_the_others_are_summarized(
    tmp_path: Path, line: bytes, reason: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(GOOD.encode() + line + OTHER.encode())
    result = run_digest("summarize", "--jsonl", str(source), cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 2
    assert [json.loads(out)["id"] for out in result.stdout.splitlines()] == ["a", "b"]
    (problem,) = result.stderr.splitlines()
    assert problem.startswith(f"digest: {source}:2: ") and reason in problem, problem


@pytest.mark.parametrize(
    ("name", "reason"),
    [("folder", "Is a directory"), ("missing.jsonl", "No such file or directory")],
)
def test_an_input_that_cannot_be_read_is_one_clean_line(
    tmp_path: Path, name: str, reason: str
) -> None:
    (tmp_path / "folder").mkdir()
    result = run_digest("summarize", "--jsonl", name, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"digest: {name}: cannot read it ({reason})"]


def test_a_byte_order_mark_before_the_first_line_is_no_error(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + OTHER.encode())
    result = run_digest("summarize", "--jsonl", str(source), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert [json.loads(out)["id"] for out in result.stdout.splitlines()] == ["a", "b"]


def test_a_line_longer_than_the_cap_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    monkeypatch.setattr("digest.summarize.jsonl.MAX_LINE_BYTES", 200)
    source = tmp_path / "in.jsonl"
    long = '{"id": "long", "text": "' + "word " * 100 + '"}\n'
    source.write_text(GOOD + long + OTHER, encoding="utf-8")
    assert main(["summarize", "--jsonl", str(source)]) == 2
    captured = capsys.readouterr()
    assert [json.loads(out)["id"] for out in captured.out.splitlines()] == ["a", "b"]
    assert captured.err.splitlines() == [
        f"digest: {source}:2: longer than 200 bytes; one line holds one story"
    ]


def test_a_reader_that_stops_early_ends_the_stream_quietly(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(GOOD * 2000, encoding="utf-8")  # more than a pipe buffer holds
    command = [str(Path(sys.executable).parent / "digest"), "summarize", "--jsonl", str(source)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert json.loads(process.stdout.readline())["id"] == "a"
    process.stdout.close()  # as `| head -1` does
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in process.stderr.read()
    process.stderr.close()


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "linkedin", "threads"])
@pytest.mark.parametrize("how", ["argument", "stdin"])
def test_measure_refuses_text_that_is_not_utf8_in_one_line(
    tmp_path: Path, platform: str, how: str
) -> None:
    raw = b"bad \xff text"
    if how == "argument":
        result = run_digest("measure", "--platform", platform, os.fsdecode(raw), cwd=tmp_path)
    else:
        command = [
            str(Path(sys.executable).parent / "digest"),
            "measure",
            "--platform",
            platform,
            "-",
        ]
        done = subprocess.run(command, cwd=tmp_path, input=raw, capture_output=True, timeout=60)
        result = subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    message = "the text is not UTF-8; pass it as UTF-8 (as every platform reads it)"
    assert result.stderr.strip() == f"digest: {message}"
