"""A seed unchanged since this process read it is not read again; any change is read again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import digest.seeds as seeds_module
from digest.seeds import memo, read_seeds

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
    elif action == "same" and path.is_file() and not path.is_symlink():
        old = path.stat()
        path.write_text(text)
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    elif action == "mtime":
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
