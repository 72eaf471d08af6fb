"""Small builders for tests: the example seed, settings, a digest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.config import Settings, load_config
from digest.models import Digest, Entry, Slot, Story
from digest.render.templates import THEME
from digest.seeds import read_seed
from digest.seeds.memo import INDEX
from digest.summarize import summarize

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SEED = ROOT / "seeds" / "000_5d8e33db419e59d4.txt"


# Everything the tests read lives in the repository, under tests/data/ (its README names each
# file's origin and licence): a bare clone runs the whole suite.
DATA = ROOT / "tests" / "data"
CONFORMANCE = DATA / "conformance"
LEXICONS_DIR = CONFORMANCE / "bluesky"
BBC_SEEDS = DATA / "seeds" / "bbc"
NEWS = DATA / "news"
CHECK_BATCH = DATA / "tools" / "check_batch.py"


def example_story() -> Story:
    return read_seed(EXAMPLE_SEED)


def settings() -> Settings:
    """The project's own config.toml."""
    return load_config(ROOT / "config.toml")


def slot(name: str = "morning", when: str = "2026-11-28T08:00") -> Slot:
    local = datetime.fromisoformat(when).replace(tzinfo=ZoneInfo("Europe/London"))
    return Slot(schedule=name, day=local.date(), at=local.strftime("%H%M"), local=local)


def make_digest(
    stories: list[Story] | None = None, channels: tuple[str, ...] | None = None
) -> Digest:
    stories = stories if stories is not None else [example_story()]
    chosen = channels or ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
    return Digest(
        slot=slot(),
        channels=chosen,
        entries=tuple(Entry(story=s, summary=summarize(s)) for s in stories),
    )


def project(
    folder: Path, schedules: list[dict[str, object]], channels: tuple[str, ...] = ("x",)
) -> Settings:
    """Settings for a temp project: the example config with these schedules, seeds and outbox."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text[: text.index("[[schedules]]")]
    for item in schedules:
        values = {"channels": list(channels), "max_stories": 1, "catch_up": "6h"} | item
        text += "[[schedules]]\n" + "".join(
            f"{key} = {json.dumps(value)}\n" for key, value in values.items()
        )
    text += f'[paths]\nseeds = "seeds"\noutbox = "outbox"\ntemplates = "{THEME}"\n'
    (folder / "seeds").mkdir(exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return load_config(folder / "config.toml")


def write_seed(seeds: Path, number: int) -> Path:
    """A small, valid seed whose words differ by `number`."""
    path = seeds / f"story-{number:04d}.txt"
    path.write_text(
        f"Story number {number}\n\n**Primary Article:**\n\nThe council met on day {number}. "
        f"It approved plan {number} for the park. Residents of Town {number} welcomed it. "
        "Work starts in spring.\n",
        encoding="utf-8",
    )
    return path


def run_digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `digest` command, run in `cwd`."""
    command = [str(Path(sys.executable).parent / "digest"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def copy_project(folder: Path) -> Path:
    """This repository's seeds/, templates/ and config.toml, copied into `folder`."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    shutil.copytree(THEME, folder / "templates")
    shutil.copy(ROOT / "config.toml", folder / "config.toml")
    return folder


def config_problems(folder: Path, text: str) -> dict[str, str]:
    """The (dotted key -> message) problems load_config reports for a config.toml of `text`."""
    import pytest

    from digest.errors import ConfigError

    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return dict(caught.value.problems)


def snapshot(folder: Path, *, caches: bool = True) -> dict[str, bytes | str]:
    """Every entry under `folder` with its bytes (files), target (links) or "dir"; with
    `caches` False, not the seeds folder's index (`digest.seeds.memo.INDEX`): any read of the
    seeds may rewrite that cache, e.g. once a file it read has settled (two seconds old)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if not caches and path.name == INDEX:
            continue
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        else:
            found[name] = path.read_bytes() if path.is_file() else "dir"
    return found
