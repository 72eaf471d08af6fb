"""The theme override per file, `digest templates list` and `digest templates copy`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2 import Environment
from support.factories import snapshot

from digest.cli import main
from digest.render.templates import THEME, html_env, text_env

DAY = "2026-11-28"
BATCH = f"{DAY}/morning-0800"
FOOTER = "email/partials/footer.mjml.j2"
MARKER = "Printed by the project's own footer"
THEME_NAMES = sorted(p.relative_to(THEME).as_posix() for p in THEME.rglob("*.j2"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `digest init` project, as the current folder."""
    folder = tmp_path / "project"
    assert main(["init", str(folder)]) == 0
    monkeypatch.chdir(folder)
    return folder


def build(project: Path) -> Path:
    assert main(["build", "--date", DAY]) == 0
    return project / "outbox" / BATCH


def listed(capsys: pytest.CaptureFixture[str], *options: str) -> dict[str, dict[str, object]]:
    capsys.readouterr()
    assert main(["templates", "list", "--json", *options]) == 0
    return {row["name"]: row for row in json.loads(capsys.readouterr().out)}


def test_a_project_footer_replaces_only_the_footer(project: Path, tmp_path: Path) -> None:
    packaged = build(project)
    (project / "outbox").rename(tmp_path / "packaged-outbox")
    packaged = tmp_path / "packaged-outbox" / BATCH

    assert main(["templates", "copy", FOOTER]) == 0
    footer = project / "templates" / FOOTER
    text = footer.read_text(encoding="utf-8")
    footer.write_text(text.replace("<p ", f"<p>{MARKER}</p>\n          <p ", 1), encoding="utf-8")
    own = build(project)

    html = (own / "email/digest.html").read_text(encoding="utf-8")
    assert MARKER in html
    assert MARKER not in (packaged / "email/digest.html").read_text(encoding="utf-8")
    assert "The Morning Digest" in html  # the packaged header and story partials still render
    for name in ["email/digest.txt", *(f"social/{p}.json" for p in ("x", "bluesky", "threads"))]:
        assert (own / name).read_bytes() == (packaged / name).read_bytes(), name
    assert main(["check", BATCH]) == 0


def test_list_names_every_theme_template_and_where_it_is_loaded_from(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = listed(capsys)
    assert sorted(rows) == THEME_NAMES
    assert {row["source"] for row in rows.values()} == {"package"}
    assert all(row["path"] == str(THEME / name) for name, row in rows.items())

    assert main(["templates", "copy", FOOTER, "social/x.txt.j2"]) == 0
    (project / "templates/email/partials/mine.mjml.j2").write_text("<mj-text>mine</mj-text>\n")
    rows = listed(capsys)
    own = {FOOTER, "social/x.txt.j2", "email/partials/mine.mjml.j2"}
    assert {name for name, row in rows.items() if row["source"] == "project"} == own
    for name in own:
        assert rows[name]["path"] == str(project / "templates" / name)
    assert rows["email/partials/mine.mjml.j2"]["in_theme"] is False
    assert sorted(name for name, row in rows.items() if row["in_theme"]) == THEME_NAMES


def test_list_as_text_shows_name_source_and_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["templates", "copy", FOOTER]) == 0
    capsys.readouterr()
    assert main(["templates", "list"]) == 0
    lines = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()}
    assert lines[FOOTER] == ["project", str(project / "templates" / FOOTER)]
    assert lines["social/x.txt.j2"] == ["package", str(THEME / "social/x.txt.j2")]


def test_list_outside_a_project_shows_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no config.toml: ./templates, the config's default, is searched
    (tmp_path / "templates/social").mkdir(parents=True)
    (tmp_path / "templates/social/x.txt.j2").write_text("{{ text }}\n")
    rows = listed(capsys)
    assert rows["social/x.txt.j2"]["source"] == "project"
    assert rows[FOOTER]["source"] == "package"


def test_copy_follows_the_configs_templates_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace('templates = "templates"', 'templates = "look"'))
    assert main(["templates", "copy", "email/partials"]) == 0
    partials = sorted(p.name for p in (project / "look/email/partials").iterdir())
    assert partials == sorted(Path(n).name for n in THEME_NAMES if "partials/" in n)
    for name in partials:
        theirs = THEME / "email/partials" / name
        assert (project / "look/email/partials" / name).read_bytes() == theirs.read_bytes()
    assert not (project / "templates").exists()
    assert listed(capsys)[FOOTER]["source"] == "project"
    assert listed(capsys, "--templates", "elsewhere")[FOOTER]["source"] == "package"


def test_copy_refuses_to_overwrite_without_force(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["templates", "copy", FOOTER]) == 0
    (project / "templates" / FOOTER).write_text("edited\n")
    before = snapshot(project)
    # One existing target among several: nothing at all is copied.
    assert main(["templates", "copy", "social", FOOTER]) == 1
    error = capsys.readouterr().err
    assert str(project / "templates" / FOOTER) in error and "--force" in error
    assert snapshot(project) == before
    assert main(["templates", "copy", FOOTER, "--force"]) == 0
    assert (project / "templates" / FOOTER).read_bytes() == (THEME / FOOTER).read_bytes()


@pytest.mark.parametrize(
    "name",
    ["nope", "email/partials/footer", "footer.mjml.j2", "../config.toml", "/etc/passwd", "", "."],
)
def test_copy_of_an_unknown_name_lists_the_known_ones(
    project: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project)
    assert main(["templates", "copy", "social/x.txt.j2", name]) == 1
    error = capsys.readouterr().err
    assert f"{name!r}: no such template" in error
    assert all(known in error for known in THEME_NAMES)
    assert snapshot(project) == before


def test_templates_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["templates"])
    assert exit_.value.code == 2
    assert "ACTION" in capsys.readouterr().err


@pytest.mark.parametrize("env", [html_env, text_env], ids=["html", "text"])
def test_an_override_added_or_removed_while_running_takes_effect_at_once(
    tmp_path: Path, env: Callable[[Path], Environment]
) -> None:
    # The preview's process lives long: a copied (or deleted) override must not wait for a restart.
    templates = tmp_path / "templates"
    name = "social/x.txt.j2"
    loaded = env(templates)
    assert loaded.get_template(name).filename == str(THEME / name)
    (templates / "social").mkdir(parents=True)
    (templates / name).write_text("project {{ 1 + 1 }}\n", encoding="utf-8")
    assert loaded.get_template(name).render() == "project 2\n"
    (templates / name).unlink()
    assert loaded.get_template(name).filename == str(THEME / name)
