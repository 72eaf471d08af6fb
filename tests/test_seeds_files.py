"""Reading seed files: only regular files, never blocking, never unbounded; links resolved inside
the seeds folder; file names that cannot be printed rejected by their escaped name."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from support.factories import copy_project, run_digest

from digest.errors import SeedError
from digest.seeds import read_seed, read_seeds

SEED = b"Title\n\nSome text.\n"
NOT_REGULAR = "not a regular file"


def within(seconds: float, call: Callable[[], Any], unblock: Callable[[], None]) -> Any:
    """`call()` run in a thread: its result, or a failure (not a hung suite) after `seconds`."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as error:  # handed back to the test below
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        unblock()
        pytest.fail(f"still reading after {seconds} s: it blocked")
    if "error" in box:
        raise box["error"]
    return box["result"]


def _open_writer(fifo: Path) -> Callable[[], None]:
    """Opening the writing end releases a reader blocked on the FIFO."""
    return lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_fifo_named_like_a_seed_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED)
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    stories, errors = within(10, lambda: read_seeds(tmp_path), _open_writer(fifo))
    assert [s.source for s in stories] == ["a.txt"]
    assert [(e.path.name, e.line) for e in errors] == [("x.txt", 1)]
    assert "not a regular file (it is a named pipe (FIFO))" in errors[0].reason
    assert "move it out of the seeds folder" in errors[0].reason


def test_a_symlink_to_a_fifo_inside_the_folder_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "link.txt").symlink_to(fifo)
    call = partial(read_seed, tmp_path / "link.txt", tmp_path)
    with pytest.raises(SeedError, match=r"link\.txt:1: not a regular file \(it is a named pipe"):
        within(10, call, _open_writer(fifo))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_character_device_is_refused_unread(tmp_path: Path, device: str) -> None:
    link = tmp_path / "dev.txt"
    link.symlink_to(device)
    # Even where the seeds folder holds the device (root "/"), it is never read.
    for path, root in ((Path(device), Path(device).parent), (link, Path("/"))):
        with pytest.raises(SeedError, match="it is a character device"):
            within(10, partial(read_seed, path, root, 1000), lambda: None)


def test_a_socket_or_a_folder_named_like_a_seed_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.txt"))
    try:
        stories, errors = read_seeds(tmp_path)
    finally:
        server.close()
    assert stories == []
    reasons = {e.path.name: e.reason for e in errors}
    assert "not a regular file (it is a folder)" in reasons["folder.txt"]
    assert "not a regular file (it is a socket)" in reasons["sock.txt"]


def test_symlink_loops_and_dangling_links_are_seed_errors(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "self.md").symlink_to(tmp_path / "self.md")
    (tmp_path / "gone.json").symlink_to(tmp_path / "missing.json")
    (tmp_path / "ok.txt").write_bytes(SEED)
    stories, errors = read_seeds(tmp_path)
    assert [s.source for s in stories] == ["ok.txt"]
    reasons = {e.path.name: e.reason for e in errors}
    assert "symlink loop" in reasons["a.txt"] and "symlink loop" in reasons["b.txt"]
    assert "symlink loop" in reasons["self.md"]
    assert "dangling link" in reasons["gone.json"]


def test_a_seeds_folder_that_cannot_be_listed_is_a_seed_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_bytes(SEED)
    stories, errors = read_seeds(not_a_folder)
    assert stories == [] and len(errors) == 1
    assert "cannot list the seeds folder" in errors[0].reason


BAD_NAMES = [
    (b"bad\xff.txt", "bad\\xff.txt", "is not valid UTF-8"),
    (b"latin1-caf\xe9.md", "latin1-caf\\xe9.md", "is not valid UTF-8"),
    (b"new\nline.txt", "new\\nline.txt", "holds control characters"),
    (b"esc\x1b[31m.json", "esc\\x1b[31m.json", "holds control characters"),
    # bidi controls and invisible characters: `gpj.txt` that shows as `txt.jpg`, a hidden space
    ("\u202egpj.txt".encode(), "\\u202egpj.txt", "invisible or bidi-control"),
    ("a\u2066b\u2069.txt".encode(), "a\\u2066b\\u2069.txt", "invisible or bidi-control"),
    ("a\u200eb.txt".encode(), "a\\u200eb.txt", "invisible or bidi-control"),
    ("a\u200bb.txt".encode(), "a\\u200bb.txt", "invisible or bidi-control"),
    ("\ufeffbom.txt".encode(), "\\ufeffbom.txt", "invisible or bidi-control"),
    ("soft\u00adhyphen.md".encode(), "soft\\xadhyphen.md", "invisible or bidi-control"),
    ("line\u2028break.txt".encode(), "line\\u2028break.txt", "invisible or bidi-control"),
]


@pytest.mark.parametrize(("raw", "shown", "phrase"), BAD_NAMES)
def test_unprintable_file_names_are_rejected_by_escaped_name(
    tmp_path: Path, raw: bytes, shown: str, phrase: str
) -> None:
    with open(os.path.join(os.fsencode(tmp_path), raw), "wb") as file:
        file.write(SEED)
    (tmp_path / "good.txt").write_bytes(SEED)
    stories, errors = read_seeds(tmp_path)
    assert [s.source for s in stories] == ["good.txt"]
    [error] = errors
    assert error.path.name == shown and phrase in error.reason and shown in error.reason
    # What the CLI prints and the manifest writes must encode as UTF-8, on one line.
    assert "\n" not in str(error)
    str(error).encode("utf-8")
    json.dumps({"file": error.path.name, "reason": error.reason}, ensure_ascii=False).encode()


def test_build_with_unreadable_seeds_publishes_the_rest(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    seeds = project / "seeds"
    with open(os.path.join(os.fsencode(seeds), b"bad\xff.txt"), "wb") as file:
        file.write(SEED)
    os.mkfifo(seeds / "x.txt")
    (seeds / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (seeds / "none.json").write_text('{"title": "T",\n "text": null}', encoding="utf-8")
    result = run_digest("build", "--date", "2026-11-28", "--json", cwd=project)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert len(out["stories"]) == 1
    manifest = json.loads((Path(out["batch"]) / "manifest.json").read_text(encoding="utf-8"))
    rejected = {r["file"]: r for r in manifest["rejected"]}
    assert set(rejected) == {"bad\\xff.txt", "x.txt", "deep.json", "none.json"}
    assert rejected["none.json"]["line"] == 2
    assert "must be a string, not null" in rejected["none.json"]["reason"]
    assert "digest: " + str(seeds / "bad\\xff.txt") + ":1: the file name" in result.stderr


@pytest.mark.parametrize(
    "name", ["می\u200cخواهم.txt", "👨\u200d👩\u200d👧-family.md", "café-ข่าว.txt", "日本.json"]
)
def test_a_name_in_any_script_with_its_joiners_is_read(tmp_path: Path, name: str) -> None:
    seed = {
        ".json": b'{"title": "T", "text": "The council met."}',
        ".md": b"# T\n\nThe council met.\n",
    }.get(Path(name).suffix, SEED)
    (tmp_path / name).write_bytes(seed)
    stories, errors = read_seeds(tmp_path)
    assert errors == [] and [s.source for s in stories] == [name]
