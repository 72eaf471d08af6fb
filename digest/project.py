"""A project folder: start one (`digest init`) and keep its own copies of the theme's templates.

Both write only after checking every target, so a refusal leaves the folder exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from digest.errors import DigestError
from digest.render.templates import THEME, find_template, theme_names

EXAMPLES = Path(__file__).resolve().parent / "examples"
EXAMPLE_SEED = "000_5d8e33db419e59d4.txt"

# What `digest init` writes: the path in the new project -> the packaged file (None: empty).
INIT_FILES: dict[str, Path | None] = {
    "config.toml": EXAMPLES / "config.toml",
    f"seeds/{EXAMPLE_SEED}": EXAMPLES / EXAMPLE_SEED,
    "outbox/.gitkeep": None,
    "README.md": EXAMPLES / "project_readme.md",
}


class ProjectError(DigestError):
    """A project file cannot be written: it exists, or something stands in its way."""


class Template(NamedTuple):
    """One template and the file the renderers load for it."""

    name: str
    source: str  # "project" (the project's templates folder) or "package" (the default theme)
    path: Path
    in_theme: bool  # False: a project file the theme has no default for


def init_project(folder: Path, *, force: bool = False) -> list[Path]:
    """Write a new project (config.toml, seeds/, outbox/, README.md) into `folder`."""
    plan = {folder / name: source for name, source in INIT_FILES.items()}
    advice = "pass --force to overwrite, or init another folder; nothing was written"
    _check_targets(folder, plan, force=force, advice=advice)
    return _write_all(plan)


def list_templates(templates: Path) -> list[Template]:
    """Every template of the theme, and where it is loaded from for a project's `templates`."""
    theme = theme_names()
    rows = []
    for name in theme:
        path = find_template(templates, name) or THEME / name
        rows.append(Template(name, _source(path, templates), path, in_theme=True))
    # A project's extra files (its own partials, a misspelt override) are shown too, marked.
    own = sorted(p.relative_to(templates).as_posix() for p in templates.rglob("*.j2"))
    extras = [Template(n, "project", templates / n, in_theme=False) for n in own if n not in theme]
    return sorted(rows + extras)


def copy_templates(names: Iterable[str], templates: Path, *, force: bool = False) -> list[Path]:
    """Copy the theme's files `names` (or folders of them) into `templates` at the same paths."""
    plan = {templates / name: THEME / name for name in _chosen(names)}
    advice = "pass --force to replace the project's copies; nothing was copied"
    _check_targets(templates, plan, force=force, advice=advice)
    return _write_all(plan)


def templates_folder(templates: Path | str | None, config: Path | None) -> Path:
    """`templates` when given, else the config's `[paths] templates`, else ./templates (the
    config's default, when there is no config.toml here to say otherwise)."""
    from digest.config import load_config

    if templates is not None:
        return Path(templates)
    if config is None and not Path("config.toml").exists():
        return Path("templates")
    return load_config(config or Path("config.toml")).paths.templates


def _source(path: Path, templates: Path) -> str:
    inside = path.is_relative_to(THEME) or templates.resolve() == THEME
    return "package" if inside else "project"


def _chosen(names: Iterable[str]) -> list[str]:
    """The theme's names that `names` pick: each a template's name or a folder of them."""
    known = theme_names()
    chosen: dict[str, None] = {}  # ordered, each once
    for raw in names:
        name = raw.strip().removeprefix("./").rstrip("/")
        picked = [k for k in known if k == name or k.startswith(f"{name}/")] if name else []
        if not picked:
            raise ProjectError(
                f"{raw!r}: no such template; the templates are: {', '.join(known)} "
                "(a folder such as email/partials picks all of its templates)"
            )
        chosen.update(dict.fromkeys(picked))
    return list(chosen)


def _check_targets(root: Path, targets: Iterable[Path], *, force: bool, advice: str) -> None:
    """Refuse, before anything is written, targets that would be overwritten or cannot be."""
    blocked, existing = [], []
    for target in targets:
        for folder in _folders(root, target):
            if os.path.lexists(folder) and not folder.is_dir():
                blocked.append(f"{folder} is a file, where a folder must be")
        if target.is_dir() and not target.is_symlink():
            blocked.append(f"{target} is a folder, where a file must be")
        elif os.path.lexists(target):
            existing.append(target)
    if blocked:
        problems = "; ".join(dict.fromkeys(blocked))
        raise ProjectError(f"{problems}: move it away and run again; nothing was written")
    if existing and not force:
        shown = ", ".join(str(path) for path in existing)
        raise ProjectError(f"{shown}: already there; {advice}")


def _folders(root: Path, target: Path) -> list[Path]:
    """`root` and the folders between it and `target` (inside it), outermost first."""
    parts = target.relative_to(root).parts
    return [root.joinpath(*parts[:end]) for end in range(len(parts))]


def _write_all(plan: Mapping[Path, Path | None]) -> list[Path]:
    """Write each target from its packaged source (None: an empty file); the targets."""
    for target, source in plan.items():
        try:
            _write(target, source.read_bytes() if source else b"")
        except OSError as exc:
            where = exc.filename or target
            raise ProjectError(
                f"{where}: {exc.strerror or exc}; pick a folder you may write to and run again"
            ) from exc
    return list(plan)


def _write(target: Path, data: bytes) -> None:
    """Write `data` to `target` whole: a temp file beside it, then one rename over it.

    The rename replaces a symlink at `target` itself, never the file it points to.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
