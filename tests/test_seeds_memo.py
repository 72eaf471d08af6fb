"""A seed unchanged since this process read it is not read again; any change is read again."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.factories import project, slot, write_seed

import digest.seeds as seeds_module
from digest import pipeline
from digest.pipeline import build
from digest.seeds import DEFAULT_MAX_BYTES, keep_index, memo, read_seeds

SEED = "Title {n}\n**Primary Article:**\nThe council met on Monday and voted {n} to 2.\n"


@pytest.fixture(autouse=True)
def fresh_memos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo, "_MEMOS", {})
    # Files count as settled 20 ms after their last change: tests wait that long (`settle`)
    # where they want the memo used. A change within one tick of the clock is never missed.
    monkeypatch.setattr(memo, "SETTLED_NS", SETTLED_NS)


SETTLED_NS = 20_000_000


def settle() -> None:
    time.sleep(SETTLED_NS * 1.5 / 1e9)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the seeds read from disk (not taken from the memo)."""
    names: list[str] = []
    real = seeds_module.read_seed

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        names.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(seeds_module, "read_seed", counting)
    return names


def titles(folder: Path) -> list[str]:
    stories, errors = read_seeds(folder)
    return [s.title for s in stories] + [str(e) for e in errors]


def test_an_unchanged_seed_is_read_once(tmp_path: Path, reads: list[str]) -> None:
    (tmp_path / "a.txt").write_text(SEED.format(n=1))
    (tmp_path / "b.txt").write_text(SEED.format(n=2))
    settle()
    assert titles(tmp_path) == titles(tmp_path) == ["Title 1", "Title 2"]
    assert sorted(reads) == ["a.txt", "b.txt"]


def test_a_bad_seed_is_reported_every_time_but_read_once(tmp_path: Path, reads: list[str]) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe not utf-8")
    settle()
    first, second = read_seeds(tmp_path), read_seeds(tmp_path)
    assert [str(e) for e in first[1]] == [str(e) for e in second[1]]
    assert "invalid UTF-8" in str(first[1][0])
    assert reads == ["bad.txt"]


def test_same_size_same_mtime_rewrite_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    """The change time moves even when the size and the restored mtime do not."""
    seed = tmp_path / "a.txt"
    seed.write_text(SEED.format(n=1))
    before = seed.stat()
    settle()
    assert titles(tmp_path) == ["Title 1"]
    seed.write_text(SEED.format(n=7))
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert seed.stat().st_size == before.st_size
    assert titles(tmp_path) == ["Title 7"]  # read again, but not yet kept: it just changed
    settle()
    assert titles(tmp_path) == titles(tmp_path) == ["Title 7"]
    assert reads == ["a.txt"] * 3


def test_a_file_still_settling_is_read_every_time(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memo, "SETTLED_NS", 10**18)
    (tmp_path / "a.txt").write_text(SEED.format(n=1))
    titles(tmp_path), titles(tmp_path)
    assert reads == ["a.txt", "a.txt"]


def test_a_symlink_is_read_every_time(tmp_path: Path, reads: list[str]) -> None:
    (tmp_path / "real.txt").write_text(SEED.format(n=1))
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    settle()
    titles(tmp_path)
    (tmp_path / "real.txt").write_text(SEED.format(n=3))
    assert titles(tmp_path) == ["Title 3", "Title 3"]
    assert reads.count("link.txt") == 2


def test_a_removed_seed_is_forgotten(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEED.format(n=1))
    (tmp_path / "b.txt").write_text(SEED.format(n=2))
    settle()
    titles(tmp_path)
    (tmp_path / "b.txt").unlink()
    assert titles(tmp_path) == ["Title 1"]
    (only,) = memo._MEMOS.values()
    assert set(only.entries) == {"a.txt"}


def test_a_different_size_limit_reads_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEED.format(n=1))
    assert read_seeds(tmp_path)[0]
    stories, errors = read_seeds(tmp_path, max_bytes=10)
    assert not stories and "over the 10-byte cap" in str(errors[0])


# Each step changes the folder as an editor, a sync tool or an attacker might; after each, what the
# memo gives must be what reading every file afresh gives.
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["write", "same-size", "restore-mtime", "chmod", "remove", "link", "rename"]
        ),
        st.sampled_from(["a.txt", "b.md", "c.json"]),
        st.integers(0, 9),
    ),
    max_size=10,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_the_memo_never_gives_what_a_fresh_read_would_not(tmp_path: Path, steps: list) -> None:
    folder = tmp_path / f"s{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    for action, name, n in steps:
        _apply(folder, action, name, n)
        settle()
        remembered = titles(folder)
        memo._MEMOS.clear()
        assert remembered == titles(folder)


def _apply(folder: Path, action: str, name: str, n: int) -> None:
    path = folder / name
    text = SEED.format(n=n)
    if name.endswith(".md"):
        text = f"# Title {n}\n\nThe council met on Monday and voted {n} to 2.\n"
    elif name.endswith(".json"):
        text = f'{{"title": "Title {n}", "text": "The council voted {n} to 2."}}'
    if action == "write" or (not path.exists() and action != "link"):
        if path.is_symlink():
            path.unlink()
        path.write_text(text)
    elif action == "same-size" and path.is_file() and not path.is_symlink():
        old = path.stat()
        path.write_text(text)
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    elif action == "restore-mtime":
        os.utime(path, ns=(0, 0), follow_symlinks=False)
    elif action == "chmod" and not path.is_symlink():
        path.chmod(0o000 if path.stat().st_mode & 0o400 else 0o644)
    elif action == "remove":
        path.unlink()
    elif action == "link":
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(folder / "a.txt")
    elif action == "rename":
        path.rename(folder / f"z-{name}")


def _plain(folder: Path) -> str:
    (folder / "a.txt").write_text(SEED.format(n=1))
    return "a.txt"


def _link(folder: Path) -> str:
    (folder / "a.txt").write_text(SEED.format(n=1))
    (folder / "l.txt").symlink_to("a.txt")
    return "l.txt"


def _fifo(folder: Path) -> str:
    os.mkfifo(folder / "p.txt")
    return "p.txt"


def _folder(folder: Path) -> str:
    (folder / "d.txt").mkdir()
    return "d.txt"


def _dangling(folder: Path) -> str:
    (folder / "g.txt").symlink_to("gone.txt")
    return "g.txt"


def _missing(folder: Path) -> str:
    return "none.txt"


@pytest.mark.parametrize("make", [_plain, _link, _fifo, _folder, _dangling, _missing])
def test_the_stat_key_is_the_files_own_lstat_in_the_open_folder(
    tmp_path: Path, make: Callable[[Path], str]
) -> None:
    """The key of a plain file is its device, inode, size, modification and change time as
    `lstat` gives them; anything else (a link, whatever it leads to) has none: read every time."""
    name = make(tmp_path)
    try:
        info = os.lstat(tmp_path / name)
        expected = (
            (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            if stat.S_ISREG(info.st_mode)
            else None
        )
    except FileNotFoundError:
        expected = None
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert memo.key_at(fd, name) == expected
    finally:
        os.close(fd)


def test_a_warm_read_opens_no_seed_and_gives_back_the_objects_it_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changed: one listing, one `lstat` of each seed in the open folder (no path walked
    again), no seed opened, and the very stories and errors of the last read."""
    for number in range(5):
        (tmp_path / f"s{number}.txt").write_text(SEED.format(n=number))
    (tmp_path / "bad.txt").write_bytes(b"\xff not utf-8")
    (tmp_path / "notes.rtf").write_text("not a seed")
    settle()
    read_seeds(tmp_path)  # read and kept
    first = read_seeds(tmp_path)  # the first from what was kept
    calls: list[tuple[str, object, object]] = []
    for name in ("stat", "lstat", "open"):
        real = getattr(os, name)

        def counting(path: Any, *args: Any, _name: str = name, _real: Any = real, **kw: Any) -> Any:
            calls.append((_name, os.fspath(path), kw.get("dir_fd")))
            return _real(path, *args, **kw)

        monkeypatch.setattr(os, name, counting)
    second = read_seeds(tmp_path)
    monkeypatch.undo()
    assert [len(first[0]), len(first[1])] == [5, 1]
    assert all(a is b for a, b in zip(first[0] + first[1], second[0] + second[1], strict=True))
    opened = [path for name, path, _ in calls if name == "open"]
    assert opened == [str(tmp_path)]  # the folder, to list it and look at each seed in it
    looked = sorted(path for name, path, dir_fd in calls if name != "open" and dir_fd is not None)
    assert looked == ["bad.txt"] + [f"s{number}.txt" for number in range(5)]
    assert [call for call in calls if call[0] != "open" and call[2] is None] == []


def test_a_folder_reached_through_a_link_reads_as_itself_and_names_files_so(
    tmp_path: Path, reads: list[str]
) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED.format(n=1))
    (folder / "bad.txt").write_bytes(b"\xff")
    (tmp_path / "link").symlink_to("real")
    settle()
    for spelled in (folder, tmp_path / "link", tmp_path / "link", folder):
        stories, errors = read_seeds(spelled)
        assert [s.title for s in stories] == ["Title 1"]
        assert [str(e.path) for e in errors] == [str(spelled / "bad.txt")]
    assert sorted(reads) == ["a.txt", "a.txt", "bad.txt", "bad.txt"]  # once per spelling


# The index in the seeds folder: what one process read, the next starts from.


def fresh_process() -> None:
    memo._MEMOS.clear()


def seeds_with_index(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED.format(n=1))
    zoned = '+++\ndate = 2025-02-04T03:00:00+05:30\nurl = "https://example.org/b"\n+++\n'
    (folder / "b.txt").write_text(zoned + SEED.format(n=2))
    (folder / "c.txt").write_text("+++\ndate = 2025-02-04T03:00:00Z\n+++\n" + SEED.format(n=3))
    (folder / "bad.txt").write_bytes(b"\xff not utf-8")
    settle()
    return folder, folder / memo.INDEX


def shown(folder: Path, index: Path | None) -> list[str]:
    """Everything a build sees of the folder, down to a time zone's class and name."""
    stories, errors = read_seeds(folder, index=index)
    if index is not None:
        keep_index(folder, DEFAULT_MAX_BYTES, index)
    return [repr(s) for s in stories] + [repr((str(e.path), e.line, e.reason)) for e in errors]


def test_the_next_process_reads_no_unchanged_seed(tmp_path: Path, reads: list[str]) -> None:
    folder, index = seeds_with_index(tmp_path)
    first = shown(folder, index)
    assert index.is_file() and len(reads) == 4
    fresh_process()
    assert shown(folder, index) == first
    assert len(reads) == 4  # none read again
    fresh_process()
    assert shown(folder, None) == first  # and what it gave is what reading them gives


def test_a_seed_changed_between_processes_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    folder, index = seeds_with_index(tmp_path)
    shown(folder, index)
    (folder / "a.txt").write_text(SEED.format(n=5))
    (folder / "d.txt").write_text(SEED.format(n=6))
    (folder / "c.txt").unlink()
    settle()
    fresh_process()
    after = shown(folder, index)
    assert reads[4:] == ["a.txt", "d.txt"]
    assert "Title 5" in after[0] and not any("Title 3" in line for line in after)
    fresh_process()
    assert shown(folder, None) == after


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not json",
        b'{"version": 1}',
        b'{"version": 1, "folder": "/elsewhere", "max_bytes": 1000000, "entries": {}}',
        b'{"version": 1, "folder": "F", "max_bytes": 5, "entries": {}}',
        b'{"version": 1, "folder": "F", "max_bytes": 1000000, "entries": {"a.txt": {"key": [1]}}}',
        b'{"version": 1, "folder": "F", "max_bytes": 1000000, "entries": {"a.txt": 7}}',
        b"\xff\xfe",
    ],
)
def test_a_damaged_or_foreign_index_is_ignored_and_rewritten(
    tmp_path: Path, reads: list[str], damage: bytes
) -> None:
    folder, index = seeds_with_index(tmp_path)
    expected = shown(folder, None)
    fresh_process()
    index.write_bytes(damage.replace(b'"F"', f'"{folder}"'.encode()))
    assert shown(folder, index) == expected
    fresh_process()
    reads.clear()
    assert shown(folder, index) == expected
    assert reads == []  # the rewritten index serves


def test_an_entry_under_another_stat_key_does_not_count(tmp_path: Path) -> None:
    """An entry counts under its file's current stat key only: one written for another inode,
    size or time (a file since replaced, or a forged line) is read past."""
    folder, index = seeds_with_index(tmp_path)
    shown(folder, index)
    for position in range(5):
        saved = json.loads(index.read_text())
        entry = saved["entries"]["a.txt"]
        entry["story"]["title"] = "Forged title"
        entry["key"][position] += 1
        index.write_text(json.dumps(saved))
        fresh_process()
        assert not any("Forged" in line for line in shown(folder, index))


@pytest.mark.parametrize(
    "forge",
    [
        {"source": "b.txt"},  # another file's story
        {"slug": "b"},
        {"slug": "../../../../tmp/pwned"},
        {"id": "a-00000000"},
        {"articles": []},
    ],
)
def test_an_entry_that_does_not_name_its_file_as_reading_it_would_does_not_count(
    tmp_path: Path, forge: dict[str, object]
) -> None:
    """Under the right stat key, a story must still be the file's own: its source, slug and id
    as reading that file makes them (a slug decides a file name in every batch)."""
    folder, index = seeds_with_index(tmp_path)
    expected = shown(folder, None)
    shown(folder, index)
    saved = json.loads(index.read_text())
    saved["entries"]["a.txt"]["story"] |= forge | {"title": "Forged title"}
    index.write_text(json.dumps(saved))
    fresh_process()
    assert shown(folder, index) == expected


def _fifo(index: Path) -> None:
    os.mkfifo(index)


def _link_to_zero(index: Path) -> None:
    index.symlink_to("/dev/zero")


def _group_writable(index: Path) -> None:
    index.chmod(0o664)


def _too_big(index: Path) -> None:
    with open(index, "ab") as handle:
        handle.truncate(memo.MAX_INDEX + 1)


@pytest.mark.parametrize("odd", [_fifo, _link_to_zero, _group_writable, _too_big])
def test_an_index_that_is_no_plain_file_of_this_user_is_not_read(
    tmp_path: Path, odd: Callable[[Path], None], reads: list[str]
) -> None:
    """A FIFO would hang the build, /dev/zero fill its memory, a file others may write forge
    it: none is read, the seeds are, and nothing hangs."""
    folder, index = seeds_with_index(tmp_path)
    expected = shown(folder, None)
    shown(folder, index)
    if odd is not _group_writable:
        index.unlink()
    odd(index)
    fresh_process()
    reads.clear()
    stories, errors = read_seeds(folder, index=index)
    assert [repr(s) for s in stories] + [repr((str(e.path), e.line, e.reason)) for e in errors] == (
        expected
    )
    assert len(reads) == 4


def test_a_kept_error_names_the_file_as_this_run_spells_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, index = seeds_with_index(tmp_path)
    shown(folder, index)  # kept under the absolute spelling
    fresh_process()
    monkeypatch.chdir(tmp_path)
    errors = read_seeds(Path("seeds"), index=Path("seeds") / memo.INDEX)[1]
    assert [str(e.path) for e in errors] == ["seeds/bad.txt"]


def test_an_unwritable_index_only_means_reading_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, index = seeds_with_index(tmp_path)
    index.mkdir()  # a folder where the file would go: the rename fails
    assert shown(folder, index) == shown(folder, None)
    assert index.is_dir() and not [p for p in index.parent.iterdir() if p.name.endswith(".tmp")]


def test_an_unchanged_memo_is_not_written_again(tmp_path: Path) -> None:
    folder, index = seeds_with_index(tmp_path)
    shown(folder, index)
    written = index.stat().st_mtime_ns
    index.write_bytes(index.read_bytes())  # any write would show in the inode's times
    before = index.stat()
    shown(folder, index)
    fresh_process()
    shown(folder, index)
    assert index.stat().st_mtime_ns == before.st_mtime_ns >= written


def test_a_killed_writer_s_temporary_index_is_removed(tmp_path: Path) -> None:
    folder, index = seeds_with_index(tmp_path)
    gone = index.with_name(f".{index.name}.999999999-00ff00ff.tmp")
    gone.write_text("half")
    alive = index.with_name(f".{index.name}.{os.getpid()}-00ff00ff.tmp")
    alive.write_text("being written")
    shown(folder, index)
    assert not gone.exists() and alive.exists() and index.is_file()


def test_a_build_writes_the_index_after_its_batch(tmp_path: Path) -> None:
    """The index's rename comes after the batch's, even when the build fails."""
    settings = project(tmp_path, [{"name": "daily", "at": "08:00"}])
    for number in range(2):
        write_seed(settings.paths.seeds, number)
    the_slot = slot("daily")
    index = settings.paths.seeds / memo.INDEX
    order: list[str] = []
    real = memo.SeedMemo.save

    def save(self: memo.SeedMemo, *args: Any) -> None:
        order.append("index")
        real(self, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memo.SeedMemo, "save", save)
        patch.setattr(pipeline, "publish", _recording(pipeline.publish, order))
        settle()
        build(settings, the_slot)
        assert order == ["publish", "index"] and index.is_file()
        patch.setattr(pipeline, "publish", _failing)
        with pytest.raises(RuntimeError):
            build(settings, the_slot, force=True)
        assert order == ["publish", "index", "index"]


def _recording(function: Any, order: list[str]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        order.append("publish")
        return function(*args, **kwargs)

    return wrapper


def _failing(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("disk on fire")


def test_threads_reading_one_folder_while_seeds_come_and_go_never_fail(tmp_path: Path) -> None:
    """The preview answers requests on several threads: they share the folder's memo."""
    import threading

    for number in range(30):
        (tmp_path / f"s{number}.txt").write_text(SEED.format(n=number))
    settle()
    failures: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(40):
                read_seeds(tmp_path)
        except BaseException as exc:  # any failure fails the test
            failures.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for number in range(30):  # the files go while the threads read
        (tmp_path / f"s{number}.txt").unlink()
    for thread in threads:
        thread.join()
    assert failures == []
    assert read_seeds(tmp_path) == ([], [])
