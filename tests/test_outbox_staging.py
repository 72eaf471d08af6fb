"""The staging folder: a real folder; only digest's own entries cleaned, and only a dead owner's."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.factories import make_digest, project, write_seed

from digest.errors import DigestError
from digest.models import Rendered, RenderedFile, Slot
from digest.outbox import publish
from digest.outbox.batches import verify
from digest.outbox.staging import STAGING, clean_stale
from digest.pipeline import build
from digest.scheduler.slots import slot_on

# The form of every name a publisher gives its staging entries: `<batch id>.<pid>-<token>.<kind>`.
OURS = re.compile(
    r"^[a-z0-9][a-z0-9-]*_\d+-\d{2}-\d{2}T\d{6}Z\.\d+-[0-9a-f]{8}\.(partial|replaced|target|lock)$"
)
BASE = "morning_2026-11-28T080000Z"
KINDS = ("partial", "replaced", "target", "lock")


def _rendered(text: str = "hello", day: int = 28) -> Rendered:
    digest = make_digest(channels=("email",))
    local = digest.slot.local.replace(day=day)
    slot = Slot(schedule="morning", day=local.date(), at="0800", local=local)
    file = RenderedFile(path="email/digest.txt", content=text.encode(), media_type="text/plain")
    return Rendered(digest=digest.model_copy(update={"slot": slot}), files=(file,))


def _victim(tmp_path: Path) -> tuple[Path, list[str]]:
    """A folder someone cares about, holding even an entry named like digest's staging."""
    victim = tmp_path / "victim"
    (victim / f"{BASE}.999999999-0badf00d.partial").mkdir(parents=True)
    (victim / "precious.txt").write_text("keep me")
    (victim / "photos").mkdir()
    return victim, sorted(os.listdir(victim))


STAGINGS = {
    "a symlink to a folder": lambda outbox, victim: os.symlink(victim, outbox / STAGING),
    "a dangling symlink": lambda outbox, victim: os.symlink(victim / "none", outbox / STAGING),
    "a regular file": lambda outbox, victim: (outbox / STAGING).write_text("not a folder"),
}


@pytest.mark.parametrize("case", list(STAGINGS))
def test_a_staging_that_is_not_a_real_folder_is_named_and_nothing_is_removed(
    tmp_path: Path, case: str
) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    victim, before = _victim(tmp_path)
    STAGINGS[case](outbox, victim)
    for action in (lambda: clean_stale(outbox), lambda: publish(_rendered(), outbox, "h")):
        with pytest.raises(DigestError) as caught:
            action()
        message = str(caught.value)
        assert f"{outbox / STAGING}:" in message and "move it away" in message, message
        assert "disk space" not in message
    assert sorted(os.listdir(victim)) == before
    assert (victim / "precious.txt").read_text() == "keep me"
    assert not (victim / "none").exists() and not (outbox / "2026-11-28").exists()


ODD_NAMES = [
    "stray-file",
    "notes.partial",
    "important.999999999-0badf00d.partial",  # the old pattern's match: pid, token, kind
    f"{BASE}.999999999-0badf00d.partial.bak",
    f"{BASE}.999999999-0badf00d",
    "Morning_2026-11-28T080000Z.999999999-0badf00d.partial",
    f"{BASE}.999999999-0BADF00D.partial",
    ".hidden",
]


def _assert_left_alone(outbox: Path, name: str, folder: bool) -> None:
    path = outbox / STAGING / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        (path / "inside").mkdir(parents=True)
    else:
        path.write_text("someone's")
    clean_stale(outbox)
    assert path.is_dir() if folder else path.read_text() == "someone's", name


@pytest.mark.parametrize("folder", [False, True], ids=["file", "folder"])
@pytest.mark.parametrize("name", ODD_NAMES)
def test_entries_not_named_like_digests_staging_are_left_alone_with_a_warning(
    tmp_path: Path, name: str, folder: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="digest.outbox"):
        _assert_left_alone(tmp_path, name, folder)
    assert f"{tmp_path / STAGING / name}: left alone" in caplog.text


_NAME = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=80,
).filter(lambda n: n not in (".", "..") and not OURS.match(n) and len(os.fsencode(n)) < 250)


@settings(max_examples=150, deadline=None)
@given(name=_NAME, folder=st.booleans())
def test_no_entry_of_any_other_name_is_ever_removed(name: str, folder: bool) -> None:
    with tempfile.TemporaryDirectory() as outbox:
        _assert_left_alone(Path(outbox), name, folder)


def test_build_cleans_its_own_stale_staging_and_leaves_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings_ = project(tmp_path, [{"name": "daily", "at": "09:00", "timezone": "UTC"}])
    write_seed(settings_.paths.seeds, 1)
    staging = settings_.paths.outbox / STAGING
    dead = staging / "daily_2026-11-28T090000Z.999999999-0badf00d.partial"
    (dead / "email").mkdir(parents=True)
    (staging / "stray-file").write_text("?")
    with caplog.at_level(logging.WARNING, logger="digest.outbox"):
        build(settings_, slot_on(settings_.schedules[0], date(2026, 11, 28)), durable=False)
    assert os.listdir(staging) == ["stray-file"]
    assert f"removed stale staging folder {dead}" in caplog.text
    assert f"{staging / 'stray-file'}: left alone" in caplog.text


HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1] + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.mkdir(sys.argv[1] + ".partial")
print("ready", flush=True)
sys.stdin.read()
"""


def test_staging_is_judged_by_its_lock_not_by_a_pid_that_may_be_reused(tmp_path: Path) -> None:
    """Lockless staging of live pids (init, us, our parent) is stale; a held lock is not."""
    outbox = tmp_path / "outbox"
    staging = outbox / STAGING
    reused = [staging / f"{BASE}.{pid}-deadbeef.partial" for pid in (1, os.getpid(), os.getppid())]
    for path in reused:
        (path / "email").mkdir(parents=True)
    live = staging / f"{BASE}.{os.getpid()}-00c0ffee"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(live)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"ready\n"
        removed = clean_stale(outbox)
        assert not any(path.exists() for path in reused) and set(reused) <= set(removed)
        assert sorted(os.listdir(staging)) == [f"{live.name}.lock", f"{live.name}.partial"]
    finally:
        holder.communicate(b"", timeout=10)  # the holder exits without cleaning up: now dead
    clean_stale(outbox)
    assert os.listdir(staging) == []
    _race_publishers_and_a_cleaner(tmp_path / "race")


def _race_publishers_and_a_cleaner(tmp_path: Path) -> None:
    """A cleaner running beside live publishers never removes their staging."""
    failures: list[BaseException] = []
    stop = threading.Event()

    def clean() -> None:
        while not stop.is_set():
            clean_stale(tmp_path)

    def publisher(day: int) -> None:
        try:
            batch = publish(_rendered(f"day {day}", day), tmp_path, "h", durable=False)
            assert verify(batch) == []
        except BaseException as exc:  # collected, and reported by the test below
            failures.append(exc)

    cleaner = threading.Thread(target=clean)
    cleaner.start()
    try:
        for first in range(1, 29, 4):
            workers = [
                threading.Thread(target=publisher, args=(d,)) for d in range(first, first + 4)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
    finally:
        stop.set()
        cleaner.join()
    assert failures == []
    assert len(list(tmp_path.glob("2026-11-*/morning-0800/manifest.json"))) == 28
    assert os.listdir(tmp_path / STAGING) == []


def test_links_named_like_digests_staging_are_removed_and_never_followed(tmp_path: Path) -> None:
    victim, before = _victim(tmp_path)
    outbox = tmp_path / "outbox"
    (outbox / STAGING).mkdir(parents=True)
    links = [outbox / STAGING / f"{BASE}.999999999-0badf00d.{kind}" for kind in KINDS]
    for link in links:
        os.symlink(victim, link)
    clean_stale(outbox)
    assert [link.name for link in links if os.path.lexists(link)] == []
    assert sorted(os.listdir(victim)) == before and not (outbox / "2026-11-28").exists()
