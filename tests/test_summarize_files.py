"""`summarize_files`: each file's summary in order, or the SeedError naming it; never a raise."""

from __future__ import annotations

from pathlib import Path

from support.factories import EXAMPLE_SEED, write_seed

from digest.errors import SeedError
from digest.summarize.files import shown_path, summarize_files


def test_each_file_gives_its_summary_or_its_error_in_order(tmp_path: Path) -> None:
    good = write_seed(tmp_path, 1)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    results = list(summarize_files([EXAMPLE_SEED, empty, good, folder, tmp_path / "gone.txt"]))
    assert [type(r).__name__ for r in results] == [
        "dict",
        "SeedError",
        "dict",
        "SeedError",
        "SeedError",
    ]
    first, _, third, _, _ = results
    assert isinstance(first, dict) and first["file"] == str(EXAMPLE_SEED)
    assert isinstance(third, dict) and third["file"] == str(good) and third["bullets"]
    for error in results[1::2] + results[4:]:
        assert isinstance(error, SeedError) and error.line == 1 and error.reason


def test_a_file_name_that_is_not_utf8_is_shown_escaped() -> None:
    name = "caf\udce9.txt"  # the byte 0xE9 of a Latin-1 name, as os.fsdecode gives it
    assert shown_path(name) == "caf\\xe9.txt"
    (error,) = summarize_files([Path("/nonexistent") / name])
    assert isinstance(error, SeedError) and "\\xe9" in str(error)
