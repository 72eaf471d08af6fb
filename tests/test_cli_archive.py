"""`digest archive [--config] [--out DIR] [--json]`: one line, exit 2 when a batch was skipped,
each error one clean line (exit 1), never a traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support.archive import BASE_URL, project_with_batches, write_project
from support.archive_site import site_problems
from support.factories import run_digest

from digest.cli import main
from digest.config import Settings

SUMMARY = "archived {n} issues into {out}: {w} written, {u} unchanged, {r} removed, {s} skipped\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return project_with_batches(tmp_path_factory.mktemp("cli"), days=2)


def fresh(built: Settings, folder: Path) -> Path:
    """A copy of the built project, so each test starts from the same outbox and no site."""
    import shutil

    project = folder / "project"
    shutil.copytree(built.paths.site.parent, project, ignore=shutil.ignore_patterns("site"))
    return project


def test_it_prints_one_line_and_a_second_run_writes_nothing(
    built: Settings, tmp_path: Path
) -> None:
    project = fresh(built, tmp_path)
    first = run_digest("archive", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout == SUMMARY.format(n=2, out="site/", w=9, u=0, r=0, s=0)
    assert "Traceback" not in first.stderr
    again = run_digest("archive", cwd=project)
    assert again.stdout == SUMMARY.format(n=2, out="site/", w=0, u=9, r=0, s=0)
    assert site_problems(project / "site", BASE_URL) == []


def test_out_and_config_choose_where_and_from_what(built: Settings, tmp_path: Path) -> None:
    project = fresh(built, tmp_path)
    elsewhere = tmp_path / "run-here"
    elsewhere.mkdir()
    result = run_digest(
        "archive", "--config", str(project / "config.toml"), "--out", "public", cwd=elsewhere
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("archived 2 issues into public/: 9 written")
    assert (elsewhere / "public" / "index.html").is_file()
    assert not (project / "site").exists()
    outside = run_digest("archive", "--out", str(tmp_path / "far"), cwd=project)
    assert f"into {tmp_path / 'far'}/:" in outside.stdout


def test_json_says_what_was_written(built: Settings, tmp_path: Path) -> None:
    project = fresh(built, tmp_path)
    result = run_digest("archive", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["out"] == str(project / "site")
    assert answer["issues"] == 2 and answer["unchanged"] == 0 and answer["removed"] == []
    assert answer["written"][:2] == [
        "2026-12-02/morning-0800/index.html",
        "2026-12-01/morning-0800/index.html",
    ]
    assert answer["written"][-1] == "sitemap.xml" and answer["skipped"] == []


def test_a_skipped_batch_exits_2_naming_it_and_what_to_do_once(
    built: Settings, tmp_path: Path
) -> None:
    project = fresh(built, tmp_path)
    html = project / "outbox/2026-12-01/morning-0800/email/digest.html"
    html.write_bytes(html.read_bytes() + b"<!-- edited -->")
    result = run_digest("archive", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stdout.endswith("0 removed, 1 skipped\n")
    lines = [line for line in result.stderr.splitlines() if "2026-12-01/morning-0800" in line]
    assert len(lines) == 1, result.stderr
    assert "--force" in lines[0] and "Traceback" not in result.stderr
    as_json = json.loads(run_digest("archive", "--json", cwd=project).stdout)
    assert [s["folder"] for s in as_json["skipped"]] == ["2026-12-01/morning-0800"]


def run_here(config: Path, *args: str) -> tuple[int, str, str]:
    """`digest archive --config CONFIG ARGS` in this process (for the error lines, where the
    command stops before any work): its status, stdout and stderr."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["archive", "--config", str(config), *args])
    return status, out.getvalue(), err.getvalue()


def test_no_base_url_is_one_line_naming_the_key(tmp_path: Path) -> None:
    write_project(tmp_path, archive={"base_url": None})
    status, out, err = run_here(tmp_path / "config.toml")
    assert status == 1 and out == ""
    assert err.startswith("digest: ") and "archive.base_url" in err and "Traceback" not in err
    # It names the config file the key goes in, as every other config problem does.
    assert err.startswith(f"digest: {tmp_path / 'config.toml'}: 1 problem(s)"), err


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda out: out.write_text("a file"), "not a folder"),
        (lambda out: out.symlink_to(out.parent / "outbox"), "a symbolic link"),
        (
            lambda out: (out.mkdir(), (out / "index.html").write_text("mine")),
            "holds files digest archive did not write (index.html)",
        ),
    ],
)
def test_an_out_folder_it_may_not_write_is_one_line(
    built: Settings, tmp_path: Path, make: Callable[[Path], object], says: str
) -> None:
    project = fresh(built, tmp_path)
    make(project / "site")
    status, out, err = run_here(project / "config.toml")
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


def test_a_site_folder_it_cannot_write_is_one_line(built: Settings, tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere: a read-only file system stands in
        target = "/proc/digest-site"
    else:
        target = str(tmp_path / "locked" / "site")
        (tmp_path / "locked").mkdir(mode=0o500)
    project = fresh(built, tmp_path)
    status, out, err = run_here(project / "config.toml", "--out", target)
    assert status == 1 and out == ""
    assert err.startswith("digest: ") and err.count("\n") == 1 and "Traceback" not in err


def test_help_names_the_command_with_an_example() -> None:
    result = run_digest("archive", "--help", cwd=Path.cwd())
    assert "digest archive --out public/" in result.stdout and "--json" in result.stdout
    assert "digest archive" in run_digest("--help", cwd=Path.cwd()).stdout
