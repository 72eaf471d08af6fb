"""The cache files' reading and writing rules (the seeds index and the carried index use them)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.cachefile import folder_name, own_file_bytes, remove_left_behind, write_whole

LOG = logging.getLogger("test")


def test_a_file_written_whole_reads_back_and_only_its_user_may_read_it(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    assert write_whole(path, b'{"a": 1}', LOG, "nothing")
    assert own_file_bytes(path, 100) == b'{"a": 1}'
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_file_others_may_write_is_not_read(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "index.json"
    path.write_bytes(b"{}")
    path.chmod(mode)
    with pytest.raises(ValueError, match="others may write"):
        own_file_bytes(path, 100)


def test_a_link_a_fifo_and_a_too_large_file_are_not_read(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"{}")
    target.chmod(0o600)
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(OSError):
        own_file_bytes(tmp_path / "link", 100)
    os.mkfifo(tmp_path / "fifo", 0o600)
    with pytest.raises(ValueError, match="plain file"):
        own_file_bytes(tmp_path / "fifo", 100)
    with pytest.raises(ValueError, match="too large"):
        own_file_bytes(target, 1)


def test_a_file_that_cannot_be_written_is_logged_and_nothing_is_left(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "index.json"
    path.mkdir()  # os.replace cannot put a file over a folder
    with caplog.at_level(logging.DEBUG, logger="test"):
        assert not write_whole(path, b"{}", LOG, "the next process reads the files")
    assert "the next process reads the files" in caplog.text
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


def test_only_the_temporary_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    names = [
        f".index.json.{dead}-00000000.tmp",  # killed while writing: removed
        f".index.json.{os.getpid()}-00000000.tmp",  # a live writer's: kept
        ".index.json.x-00000000.tmp",  # not a writer's name: kept
        f".other.json.{dead}-00000000.tmp",  # another file's: kept
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    remove_left_behind(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])


def test_a_folder_name_is_absolute_and_keeps_any_bytes(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xff"))
    assert folder_name(odd) == str(tmp_path) + "/\\xff"
    assert folder_name(Path(".")) == os.getcwd()
