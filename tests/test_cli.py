"""End to end: the installed `digest` command on a temp copy of seeds/ and config.toml."""

from __future__ import annotations

import ast
import email
import email.policy
import hashlib
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.factories import BBC_SEEDS, CHECK_BATCH, EXAMPLE_SEED, ROOT, copy_project
from support.factories import run_digest as run

DAY = "2026-11-28"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def test_build_publishes_a_complete_batch(project: Path) -> None:
    result = run("build", "--date", DAY, cwd=project)
    assert result.returncode == 0, result.stderr
    batch = project / "outbox" / DAY / "morning-0800"
    assert result.stdout.strip() == f"published {batch}: 1 stories, 0 seeds rejected"
    manifest = json.loads((batch / "manifest.json").read_text())
    assert manifest["batch_id"] == "morning@2026-11-28T08:00:00Z"
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {p.relative_to(batch).as_posix() for p in batch.rglob("*") if p.is_file()}
    assert on_disk == listed | {"manifest.json"}
    for record in manifest["files"]:
        assert hashlib.sha256((batch / record["path"]).read_bytes()).hexdigest() == record["sha256"]
    assert {"email/digest.html", "email/digest.txt", "email/digest.eml"} <= listed
    platforms = ("x", "bluesky", "mastodon", "linkedin", "threads")
    assert {f"social/{p}.{ext}" for p in platforms for ext in ("json", "txt")} <= listed
    assert "stories/000-5d8e33db419e59d4.json" in listed

    HTMLParser().feed((batch / "email/digest.html").read_text(encoding="utf-8"))
    message = email.message_from_bytes(
        (batch / "email/digest.eml").read_bytes(), policy=email.policy.default
    )
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]


def test_the_batch_passes_the_vendored_batch_checker(project: Path) -> None:
    assert run("build", "--date", DAY, cwd=project).returncode == 0
    checker = CHECK_BATCH
    batch = project / "outbox" / DAY / "morning-0800"
    result = subprocess.run(
        [sys.executable, str(checker), str(batch), "--strict-email"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_second_build_is_refused_naming_force_and_force_replaces(project: Path) -> None:
    assert run("build", "--date", DAY, cwd=project).returncode == 0
    again = run("build", "--date", DAY, cwd=project)
    assert again.returncode == 1
    assert "already published; pass --force to replace it" in again.stderr
    assert "Traceback" not in again.stderr
    assert run("build", "--date", DAY, "--force", cwd=project).returncode == 0


def test_rebuilding_a_slot_is_byte_identical(project: Path) -> None:
    assert run("build", "--date", DAY, cwd=project).returncode == 0
    batch = project / "outbox" / DAY / "morning-0800"
    before = {p: p.read_bytes() for p in batch.rglob("*") if p.is_file()}
    assert run("build", "--date", DAY, "--force", cwd=project).returncode == 0
    assert {p: p.read_bytes() for p in batch.rglob("*") if p.is_file()} == before


BAD_SEEDS = {
    "bad-utf8.txt": (b"Title\n\nbad \xff\n", "bad-utf8.txt:3: invalid UTF-8"),
    "nul.txt": (b"Title\n\nx\x00y\n", "nul.txt:3: NUL byte"),
    "empty.txt": (b"", "empty.txt:1: empty file"),
    "big.txt": (b"Title\n\n" + b"word " * 400_000, "big.txt:1: file is 2000007 bytes"),
    "no-title.txt": (b"**Primary Article:**\nText.\n", "no-title.txt:1: no title"),
    "no-text.txt": (b"Title\n**Primary Article:**\n", "no-text.txt:2: no article text"),
    "unknown-key.txt": (
        b"+++\nmood = 'x'\n+++\nT\n\nText.\n",
        "unknown-key.txt:2: unknown front-matter key 'mood'",
    ),
}


def test_two_good_seeds_and_one_of_each_bad_kind(project: Path) -> None:
    seeds = project / "mixed"
    seeds.mkdir()
    for good in sorted(BBC_SEEDS.glob("*.txt"))[:2]:
        shutil.copy(good, seeds / good.name)
    for name, (content, _) in BAD_SEEDS.items():
        (seeds / name).write_bytes(content)
    (seeds / "outside.txt").symlink_to(EXAMPLE_SEED)

    result = run("build", "--date", DAY, "--seeds", str(seeds), "--json", cwd=project)
    assert result.returncode == 2, result.stderr
    out = json.loads(result.stdout)
    assert len(out["stories"]) == 2 and len(out["rejected"]) == len(BAD_SEEDS) + 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest: ")]
    assert len(errors) == len(BAD_SEEDS) + 1
    for _, expected in BAD_SEEDS.values():
        assert sum(expected in line for line in errors) == 1, expected
    assert sum("outside.txt:1: symlink leads outside" in line for line in errors) == 1
    manifest = json.loads((Path(out["batch"]) / "manifest.json").read_text())
    assert len(manifest["stories"]) == 2
    assert {r["file"] for r in manifest["rejected"]} == {*BAD_SEEDS, "outside.txt"}


def test_no_valid_seed_is_a_failure(project: Path) -> None:
    seeds = project / "bad"
    seeds.mkdir()
    (seeds / "empty.txt").write_bytes(b"")
    result = run("build", "--date", DAY, "--seeds", str(seeds), cwd=project)
    assert result.returncode == 1
    assert "no valid seeds" in result.stderr
    assert not (project / "outbox" / DAY).exists()


def test_bad_config_is_one_clean_message(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace('at = "08:00"', 'at = "8"'))
    result = run("build", cwd=project)
    assert result.returncode == 1
    assert "schedules[0].at" in result.stderr and "Traceback" not in result.stderr


def test_validate_lists_every_problem(project: Path) -> None:
    assert run("validate", cwd=project).returncode == 0
    (project / "seeds" / "empty.txt").write_bytes(b"")
    config = project / "config.toml"
    config.write_text(config.read_text().replace('timezone = "Europe/London"', 'timezone = "X/Y"'))
    result = run("validate", cwd=project)
    assert result.returncode == 1
    assert "schedules[0].timezone" in result.stderr and "empty.txt:1: empty file" in result.stderr
    assert result.stdout.strip() == "1 seeds ok, 2 problem(s)"


def test_validate_names_a_slug_two_seeds_share_as_build_does(project: Path) -> None:
    seeds = project / "seeds"
    (original,) = seeds.iterdir()
    body = "The council met on Monday. It approved the plan for the park. Work starts in spring."
    (seeds / original.name.replace(".txt", ".md")).write_text(f"# Park plan\n\n{body}\n")
    result = run("validate", cwd=project)
    assert result.returncode == 1
    assert "same slug as" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip() == "1 seeds ok, 1 problem(s)"


def test_templates_list_reads_the_configured_folder(project: Path) -> None:
    config = project / "config.toml"
    text = config.read_text()
    assert 'templates = "templates"' in text
    config.write_text(text.replace('templates = "templates"', 'templates = "house"'))
    (project / "house" / "email").mkdir(parents=True)
    (project / "house" / "email" / "digest.txt.j2").write_text("{{ brand.name }}\n")
    result = run("templates", "list", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["email/digest.txt.j2"]["source"] == "project"
    assert rows["email/digest.txt.j2"]["path"].endswith("house/email/digest.txt.j2")


def test_summarize_prints_json(project: Path) -> None:
    (project / "seeds" / "empty.txt").write_bytes(b"")
    files = sorted(str(p) for p in (project / "seeds").iterdir())
    result = run("summarize", *files, cwd=project)
    assert result.returncode == 2
    [summary] = json.loads(result.stdout)
    assert summary["headline"] == "Bukele US Plan on Migrants"
    assert 3 <= len(summary["bullets"]) <= 5 and summary["sources"]["bullets"]


def test_version_and_schema(project: Path) -> None:
    assert run("--version", cwd=project).stdout.strip() == "digest 0.1.0"
    schema = run("schema", "manifest", cwd=project).stdout
    assert schema == (ROOT / "schemas" / "manifest.schema.json").read_text(), (
        "schemas/manifest.schema.json is stale; regenerate it with "
        "digest schema manifest > schemas/manifest.schema.json"
    )


def test_readme_commands_and_ci_agree() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv")]
    assert len(commands) == 2
    assert commands[0].endswith(".venv/bin/digest build")
    assert f'cmd="{commands[1]}"' in ci


def test_measure_takes_the_limit_from_the_config_toml_here(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("limit = 500", "limit = 10"))
    result = run("measure", "--platform", "mastodon", "hello there, world", cwd=project)
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "platform": "mastodon",
        "count": 18,
        "limit": 10,
        "ok": False,
    }
    elsewhere = run("measure", "--platform", "mastodon", "hello there, world", cwd=project.parent)
    assert json.loads(elsewhere.stdout)["limit"] == 500 and elsewhere.returncode == 0


def test_help_stays_light() -> None:
    """Heavy imports stay inside the commands, so `digest --help` is instant."""
    code = "import sys, digest.cli; digest.cli._parser(); print(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    heavy_modules = ("pydantic", "jinja2", "mjml", "twitter_text", "regex")
    sources = ("httpx", "httpcore", "feedparser", "trafilatura", "lxml")  # digest fetch's
    for heavy in heavy_modules + sources:
        assert f"'{heavy}'" not in loaded.stdout, heavy


def test_no_command_module_imports_the_cli_package_back() -> None:
    """Shared helpers live in digest.cli.common; only the entry point imports digest.cli."""
    for module in sorted((ROOT / "digest" / "cli").glob("*.py")):
        if module.name in ("__init__.py", "__main__.py"):  # the entry points
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert "digest.cli" not in names, f"{module.name}:{node.lineno}"


def test_python_m_digest_cli_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "digest.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("digest "), result.stderr


def test_output_piped_into_a_reader_that_stops_early_is_no_traceback(project: Path) -> None:
    seeds = [str(p) for p in sorted(BBC_SEEDS.glob("*.txt"))] * 10  # well over a pipe buffer
    command = [str(Path(sys.executable).parent / "digest"), "summarize", *seeds]
    reader = subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()  # as `| head -c 10` does
    errors = reader.stderr.read().decode()
    reader.stderr.close()
    assert reader.wait(timeout=60) == 0, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


DEEP_EDITS = {
    "nested tables": "x = " + "{a=" * 5000 + "1" + "}" * 5000,
    "nested arrays": "x = " + "[" * 30000 + "]" * 30000,
    "a long number": "rank = 1" + "0" * 5000,
}


@pytest.mark.parametrize("kind", DEEP_EDITS)
def test_an_edits_file_too_deep_to_read_leaves_its_story_out_only(project: Path, kind: str) -> None:
    seeds = project / "mixed"
    seeds.mkdir()
    goods = sorted(BBC_SEEDS.glob("*.txt"))[:3]
    for good in goods:
        shutil.copy(good, seeds / good.name)
    bad = goods[1].with_suffix(".edits.toml").name
    (seeds / bad).write_text(DEEP_EDITS[kind], encoding="utf-8")

    validated = run("validate", "--seeds", str(seeds), cwd=project)
    assert validated.returncode == 1 and "Traceback" not in validated.stderr
    assert f"digest: {bad}:1: " in validated.stderr

    result = run("build", "--date", DAY, "--seeds", str(seeds), "--json", cwd=project)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and f"digest: {bad}:1: left out" in result.stderr
    out = json.loads(result.stdout)
    manifest = json.loads((Path(out["batch"]) / "manifest.json").read_text())
    assert sorted(s["source"] for s in manifest["stories"]) == [goods[0].name, goods[2].name]
    assert [r["file"] for r in manifest["rejected"]] == [bad]


@pytest.mark.parametrize("after", [0.0, 0.2, 0.4, 0.8, 1.2])
def test_ctrl_c_during_a_build_stops_it_in_one_line_and_publishes_no_half_batch(
    project: Path, after: float
) -> None:
    """SIGINT to the command's process group (what Ctrl-C sends: the helper process too) at
    several moments: exit 130 with one line (the batch published whole, or not at all, as the
    signal came after its rename or before), or the build had finished; never a traceback, a
    half batch, or a process left behind."""
    import contextlib
    import os
    import signal
    import time

    for seed in sorted(BBC_SEEDS.glob("*.txt")):
        shutil.copy(seed, project / "seeds" / seed.name)
    command = [str(Path(sys.executable).parent / "digest"), "build", "--date", DAY]
    child = subprocess.Popen(
        command, cwd=project, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children")
    deadline = time.monotonic() + 10  # the build has begun once its helper is forked
    while time.monotonic() < deadline and child.poll() is None:
        if children.exists() and children.read_text().strip():
            break
        time.sleep(0.01)
    time.sleep(after)  # from the build's start, not the interpreter's (imports vary)
    with contextlib.suppress(ProcessLookupError):  # one core, no helper: it may be done
        os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert "Traceback" not in err
    stopped = child.returncode in (130, -signal.SIGINT)  # -2: before Python took the signal
    if child.returncode == 130:
        assert err.splitlines()[-1:] == ["digest: interrupted"], err
    else:
        assert stopped or child.returncode in (0, 2), err
    batches = [p for p in (project / "outbox").glob("*/*") if p.is_dir()]
    assert all((batch / "manifest.json").is_file() for batch in batches)  # whole, if there
    assert len(batches) == 1 if not stopped else len(batches) <= 1  # stopped after its rename
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.killpg(child.pid, 0)  # no process of the group is left
