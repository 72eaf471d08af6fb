"""The archive's state: written deterministically, read back the same, and any file that is not
one it wrote (garbled, of another schema, a link, someone else's) believed as nothing."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.archive.state import STATE, PageRecord, State, read_state, state_bytes

SHA = "0" * 63 + "1"


def a_state() -> State:
    return State(
        key="k" * 64,
        pages={
            "2026-12-02/morning-0800": PageRecord(
                "morning@2026-12-02T08:00:00Z", "f" * 64, "2026-12-02/morning-0800/index.html"
            ),
            "2026-12-01/morning-0800": PageRecord(
                "morning@2026-12-01T08:00:00Z", "e" * 64, "2026-12-01/morning-0800/index.html"
            ),
        },
        files={"index.html": SHA, "2026-12-01/morning-0800/index.html": "a" * 64},
    )


def test_a_state_reads_back_as_it_was_written(tmp_path: Path) -> None:
    (tmp_path / STATE).write_bytes(state_bytes(a_state()))
    assert read_state(tmp_path) == a_state()


def test_the_same_state_is_the_same_bytes_whatever_the_order_it_was_built_in() -> None:
    state = a_state()
    shuffled = State(
        state.key, dict(reversed(state.pages.items())), dict(reversed(state.files.items()))
    )
    assert state_bytes(shuffled) == state_bytes(state)
    assert json.loads(state_bytes(state))["schema"] == 1


def test_no_state_is_an_empty_one(tmp_path: Path) -> None:
    assert read_state(tmp_path) == State()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '{"schema": 2, "key": "", "pages": {}, "files": {}}',
        '{"schema": 1, "pages": {}, "files": {}}',
        '{"schema": 1, "key": "", "pages": [], "files": {}}',
        '{"schema": 1, "key": "", "pages": {"a": {"batch_id": "b"}}, "files": {}}',
        '{"schema": 1, "key": "", "pages": {"a": 1}, "files": {}}',
        '{"schema": 1, "key": "", "pages": {}, "files": {"index.html": "not a sha"}}',
        '{"schema": 1, "key": "", "pages": {}, "files": {"index.html": null}}',
        "\xff\xfe",
    ],
)
def test_a_garbled_state_is_logged_and_believed_as_nothing(
    tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / STATE).write_bytes(text.encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        assert read_state(tmp_path) == State()
    assert "every page is rendered again and compared" in caplog.text


BAD_PATHS = [
    "../../etc/passwd",
    "/etc/passwd",
    "a/../../b",
    "",
    "a//b",
    "./index.html",
    "2026-12-01/",
    "a\\..\\b",
    "a\0b",
    ".digest-archive.lock",
    ".digest-staging/1-1.tmp",
    ".digest-archive.journal",
    STATE,  # the state is written last by every run: no file of the last one
]


@pytest.mark.parametrize("path", BAD_PATHS)
@pytest.mark.parametrize("where", ["files", "pages"])
def test_a_state_naming_a_path_the_archive_never_writes_is_believed_as_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str, where: str
) -> None:
    state = a_state()
    if where == "files":
        state.files[path] = SHA
    else:
        state.pages["2026-12-03/morning-0800"] = PageRecord("b", "f" * 64, path)
    (tmp_path / STATE).write_bytes(state_bytes(state))
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        assert read_state(tmp_path) == State()
    assert "every page is rendered again and compared" in caplog.text
    assert repr(path) in caplog.text


def test_a_state_that_is_a_link_or_writable_by_others_is_not_read(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(state_bytes(a_state()))
    site = tmp_path / "site"
    site.mkdir()
    (site / STATE).symlink_to(real)
    assert read_state(site) == State()
    (site / STATE).unlink()
    (site / STATE).write_bytes(state_bytes(a_state()))
    os.chmod(site / STATE, 0o666)
    assert read_state(site) == State()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
RECORD = st.fixed_dictionaries(
    {}, optional={"batch_id": st.text() | JSON, "fingerprint": st.text(), "page": st.text() | JSON}
)
NEAR_STATES = st.fixed_dictionaries(
    {"schema": st.just(1) | JSON},
    optional={
        "key": st.text() | JSON,
        "pages": st.dictionaries(st.text(), RECORD | JSON, max_size=3) | JSON,
        "files": st.dictionaries(st.text(), st.just(SHA) | JSON, max_size=3) | JSON,
    },
)


@given(NEAR_STATES | JSON)
def test_any_json_is_a_state_or_nothing_never_an_error(value: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, STATE).write_text(json.dumps(value))
        state = read_state(Path(folder))
    assert isinstance(state, State)
    for record in state.pages.values():
        assert all(isinstance(v, str) for v in (record.batch_id, record.fingerprint, record.page))
    assert all(isinstance(k, str) and len(v) == 64 for k, v in state.files.items())
