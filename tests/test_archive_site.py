"""The site writer: files whole and only when changed, staged inside the site, never through a
link, only the archive's own files removed, the out folder checked, one run at a time."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path

import pytest

import digest.archive.site as site_module
from digest.archive.journal import JOURNAL, read_journal
from digest.archive.site import LOCK, STAGING, Site, SiteError, check_path, open_site
from digest.archive.state import STATE


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_put_writes_a_file_once_and_counts_the_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with open_site(out) as site:
        assert site.put("2026-12-01/morning-0800/index.html", b"<p>one</p>")
        assert site.put("index.html", b"index")
        assert not site.put("index.html", b"index")
        assert site.put("index.html", b"index, new")
        assert site.written == ["2026-12-01/morning-0800/index.html", "index.html", "index.html"]
        assert site.unchanged == 1
    assert files_of(out) == {
        "2026-12-01/morning-0800/index.html": b"<p>one</p>",
        "index.html": b"index, new",
        LOCK: f"{os.getpid()}\n".encode(),
        # Each file written, before it was: a run that never finished leaves its journal.
        JOURNAL: b"".join(
            f'["{path}","{sha(data)}"]\n'.encode()
            for path, data in [
                ("2026-12-01/morning-0800/index.html", b"<p>one</p>"),
                ("index.html", b"index"),
                ("index.html", b"index, new"),
            ]
        ),
    }
    assert not (out / STAGING).exists()  # emptied and gone once the run is over


def test_a_finished_run_removes_its_journal_and_a_state_write_is_not_journaled(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    with open_site(out) as site:
        site.put("index.html", b"index")
        site.put(STATE, b"{}")
        assert read_journal(out) == {"index.html": frozenset({sha(b"index")})}
        site.finish()
    assert sorted(os.listdir(out)) == [STATE, LOCK, "index.html"]


def test_the_journal_of_a_killed_run_is_appended_to_and_read_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / LOCK).write_text("")
    # A machine that lost power mid-line, then lines no run writes: all left out.
    (out / JOURNAL).write_bytes(
        b'["page/6/index.html","' + sha(b"6").encode() + b'"]\n'
        b'["../../etc/passwd","' + b"0" * 64 + b'"]\n["a.html","not a sha"]\n'
        b'["' + STATE.encode() + b'","' + b"0" * 64 + b'"]\n{"a": 1}\n["page/7/ind'
    )
    with open_site(out) as site:
        site.put("page/6/index.html", b"six")
    assert read_journal(out) == {
        "page/6/index.html": frozenset({sha(b"6"), sha(b"six")}),
    }
    assert (
        (out / JOURNAL)
        .read_bytes()
        .endswith(b'["page/7/ind\n["page/6/index.html","' + sha(b"six").encode() + b'"]\n')
    )


@pytest.mark.parametrize("damage", ["link", "others may write"])
def test_a_journal_that_is_a_link_or_writable_by_others_is_not_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    real = tmp_path / "real"
    real.write_text('["index.html","' + "0" * 64 + '"]\n')
    if damage == "link":
        (out / JOURNAL).symlink_to(real)
    else:
        (out / JOURNAL).write_bytes(real.read_bytes())
        os.chmod(out / JOURNAL, 0o666)
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        assert read_journal(out) == {}
    assert "not the archive's journal" in caplog.text


def test_each_file_is_staged_fsynced_renamed_then_its_folder_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str | Path, target: str | Path) -> None:
        calls.append(("rename", f"{source} -> {target}"))
        real_replace(source, target)

    out = tmp_path / "site"
    out.mkdir()
    (out / LOCK).write_text("")
    (out / "news").mkdir()
    with open_site(out) as site:
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        site.put("news/index.html", b"x")
        monkeypatch.undo()
    staged = f"{out / STAGING}/{os.getpid()}-1.tmp"
    assert calls == [
        ("fsync", str(out)),  # the journal made
        ("fsync", str(out / JOURNAL)),  # what is about to be written, recorded
        ("fsync", staged),
        ("rename", f"{staged} -> {out / 'news/index.html'}"),
        ("fsync", str(out / "news")),
    ]


def test_a_new_folder_is_made_and_its_parent_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync
    out = tmp_path / "site"
    with open_site(out) as site:

        def fsync(fd: int) -> None:
            synced.append(os.readlink(f"/proc/self/fd/{fd}"))
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        site.put("a/b/index.html", b"x")
        monkeypatch.undo()
    assert synced[:2] == [str(out), str(out / "a")]  # each new folder's entry made durable
    assert synced[-1] == str(out / "a/b")


def test_a_file_that_cannot_be_written_leaves_the_old_one_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    with open_site(out) as site:
        site.put("index.html", b"old")

        def full(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(OSError, match="No space"):
            site.put("index.html", b"new")
        monkeypatch.undo()
        assert os.listdir(out / STAGING) == []
    assert (out / "index.html").read_bytes() == b"old"


def test_a_link_where_a_file_goes_is_replaced_and_its_target_untouched(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"not the archive's")
    out = tmp_path / "site"
    out.mkdir()
    (out / LOCK).write_text("")
    (out / "index.html").symlink_to(outside)
    with open_site(out) as site:
        assert site.current("index.html") is None  # a link is never read through
        assert site.put("index.html", b"archive")
    assert not (out / "index.html").is_symlink()
    assert (out / "index.html").read_bytes() == b"archive"
    assert outside.read_bytes() == b"not the archive's"


@pytest.mark.parametrize("kind", ["link", "file"])
def test_nothing_is_written_through_a_link_or_a_file_in_the_way_of_a_folder(
    tmp_path: Path, kind: str
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "site"
    out.mkdir()
    (out / STATE).write_text("{}")
    if kind == "link":
        (out / "2026-12-01").symlink_to(outside)
    else:
        (out / "2026-12-01").write_text("a file")
    with open_site(out) as site, pytest.raises(SiteError, match="2026-12-01"):
        site.put("2026-12-01/morning-0800/index.html", b"x")
    assert list(outside.iterdir()) == []


def test_a_folder_where_a_file_goes_is_an_error_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "feed.xml").mkdir(parents=True)
    (out / STATE).write_text("{}")
    with (
        open_site(out) as site,
        pytest.raises(SiteError, match=re.escape("feed.xml: a folder stands")),
    ):
        site.put("feed.xml", b"<feed/>")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../outside.html",
        "a/../../b",
        "a//b",
        "./index.html",
        "a/",
        "a\\..\\b",
        "a\0b",
        ".digest-staging/x",
        ".digest-archive.lock",
    ],
)
def test_paths_outside_the_site_or_in_its_own_names_are_refused(path: str) -> None:
    with pytest.raises(SiteError):
        check_path(path)


@pytest.mark.parametrize("path", ["index.html", "a/b/c.html", STATE, ".well-known/x", "a.digest"])
def test_site_paths_are_accepted(path: str) -> None:
    assert check_path(path) == path


def test_remove_takes_only_what_the_archive_wrote_and_the_folders_it_empties(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "site"
    with open_site(out) as site:
        site.put("2026-12-01/morning-0800/index.html", b"page 1")
        site.put("2026-12-01/evening-1800/index.html", b"page 2")
        site.put("2026-12-02/morning-0800/index.html", b"page 3")
        (out / "2026-12-02/morning-0800/index.html").write_bytes(b"edited by hand")
        with caplog.at_level(logging.WARNING, logger="digest.archive"):
            assert site.remove("2026-12-01/morning-0800/index.html", sha(b"page 1"))
            assert not site.remove("2026-12-02/morning-0800/index.html", sha(b"page 3"))
            assert not site.remove("2026-12-03/morning-0800/index.html", sha(b"gone"))
        assert site.removed == ["2026-12-01/morning-0800/index.html"]
    assert sorted(files_of(out)) == [
        JOURNAL,
        LOCK,
        "2026-12-01/evening-1800/index.html",
        "2026-12-02/morning-0800/index.html",
    ]
    assert not (out / "2026-12-01/morning-0800").exists()
    assert "changed since the archive wrote it; left in place" in caplog.text


def test_remove_takes_a_file_holding_any_of_the_bytes_the_archive_wrote_there(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    with open_site(out) as site:
        site.put("page/2/index.html", b"written by a killed run")
        site.put("page/3/index.html", b"edited by hand")
        assert site.remove(
            "page/2/index.html", sha(b"the state's"), sha(b"written by a killed run")
        )
        assert not site.remove("page/3/index.html", sha(b"the state's"), sha(b"the journal's"))
    assert not (out / "page/2").exists() and (out / "page/3/index.html").is_file()


def test_remove_never_goes_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index.html").write_bytes(b"page")
    out = tmp_path / "site"
    out.mkdir()
    (out / LOCK).write_text("")
    (out / "2026-12-01").symlink_to(outside)
    with open_site(out) as site:
        assert not site.remove("2026-12-01/index.html", sha(b"page"))
    assert (outside / "index.html").read_bytes() == b"page"


def test_an_out_folder_that_is_a_link_or_a_file_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SiteError, match="a symbolic link"), open_site(tmp_path / "link"):
        pass
    with pytest.raises(SiteError, match="not a folder"), open_site(tmp_path / "file"):
        pass
    assert list(real.iterdir()) == []


def test_a_folder_of_other_files_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "index.html").write_text("my own page")
    (home / "notes.txt").write_text("notes")
    refused = pytest.raises(SiteError, match=re.escape("did not write (index.html, notes.txt)"))
    with refused, open_site(home):
        pass
    assert sorted(os.listdir(home)) == ["index.html", "notes.txt"]


@pytest.mark.parametrize("mark", [STATE, LOCK])
def test_a_folder_holding_the_archive_state_or_lock_is_its_own(tmp_path: Path, mark: str) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / mark).write_text("")
    (out / "index.html").write_text("old index")
    with open_site(out) as site:
        assert site.put("index.html", b"new index")


def test_a_missing_out_folder_is_made_with_its_parents(tmp_path: Path) -> None:
    with open_site(tmp_path / "a" / "b" / "site") as site:
        site.put("index.html", b"x")
    assert (tmp_path / "a/b/site/index.html").read_bytes() == b"x"


def test_what_a_killed_run_left_in_staging_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / STAGING / "sub").mkdir(parents=True)
    (out / STAGING / "123-4.tmp").write_bytes(b"half a fi")
    (out / STAGING / "sub" / "x").write_bytes(b"x")
    (out / LOCK).write_text("123\n")
    with open_site(out):
        assert os.listdir(out / STAGING) == []
    assert not (out / STAGING).exists()


def test_a_staging_entry_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep").write_text("keep")
    out = tmp_path / "site"
    out.mkdir()
    (out / LOCK).write_text("")
    (out / STAGING).symlink_to(elsewhere)
    with pytest.raises(SiteError, match="stages its files"), open_site(out):
        pass
    assert (elsewhere / "keep").read_text() == "keep"


def test_a_second_run_waits_for_the_first_then_gives_up_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    monkeypatch.setattr(site_module, "LOCK_WAIT", 0.2)
    refused = pytest.raises(SiteError, match="another digest archive is still")
    with open_site(out), refused, open_site(out):
        pass


def test_a_run_waiting_for_the_lock_goes_on_when_it_is_released(tmp_path: Path) -> None:
    out = tmp_path / "site"
    order: list[str] = []
    released = threading.Event()

    def second() -> None:
        released.wait()
        with open_site(out) as site:
            order.append("second")
            site.put("index.html", b"second")

    with open_site(out) as first:
        thread = threading.Thread(target=second)
        thread.start()
        released.set()
        first.put("index.html", b"first")
        order.append("first")
    thread.join(timeout=30)
    assert order == ["first", "second"]
    assert (out / "index.html").read_bytes() == b"second"


def test_the_lock_names_its_holder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with open_site(out) as site:
        assert isinstance(site, Site)
        assert (out / LOCK).read_text() == f"{os.getpid()}\n"
