"""A project with real published batches, for the archive's tests.

    settings = project_with_batches(tmp_path, days=3, schedules=("morning",), stories_per_batch=2)
    published(settings.paths.outbox)  # 3 batches: 2026-12-01/morning-0800 ... 2026-12-03/...

`project_with_batches` writes `tmp_path/config.toml` (the packaged example config, its
schedules replaced, `[archive] base_url = "https://example.org/archive/"`), one seed per story
into `tmp_path/seeds/` and publishes every slot with the real pipeline (`digest.pipeline.build`,
`durable=False`), so each batch is exactly what `digest build` writes. Nothing depends on the
clock or the machine: the same call gives byte-identical batches.

- `schedules`: a name (daily at 08:00, 09:00, ... in Europe/London, channels email and x) or a
  dict of schedule keys (`{"name": "social", "channels": ["x"]}`; `name` required).
- `email`: keys of `[email]` to set (a value of None removes the key), e.g.
  `{"merge_tags": "listmonk", "unsubscribe_url": None}` or
  `{"web_url": "https://example.org/archive/{date}/{slot}/"}`.
- `brand`: keys of `[brand]` to set, the same way (`{"font_url": "https://fonts..."}`).
- `archive`: keys of `[archive]` besides base_url (or replacing it; None removes it).
- `config_extra`: TOML appended at the end (new tables only, e.g. `[paths]` is already there).
- `titles`: the stories' titles in the order the seeds are written (default `Story number N`);
  hostile text is fine, each title is one line of its seed.
- `templates`: files of the project's templates folder (`{"email/partials/footer.mjml.j2": ...}`).

Stories go out in file-name order (no seed has a date or priority), so the first schedule's
first batch carries story-0001 ... story-000N, the next day's the next N, and so on; every
schedule starts from story-0001 again (it carries what no earlier batch of its own carried).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

from digest.config import Settings, load_config
from digest.pipeline import build
from digest.project import EXAMPLES
from digest.scheduler.slots import slot_on

BASE_URL = "https://example.org/archive/"
FIRST_DAY = date(2026, 12, 1)
_TABLE = re.compile(r"^\[{1,2}[^\]]+\]{1,2}", re.MULTILINE)


def project_with_batches(
    folder: Path,
    *,
    days: int = 3,
    schedules: Sequence[str | Mapping[str, object]] = ("morning",),
    stories_per_batch: int = 2,
    email: Mapping[str, object | None] | None = None,
    brand: Mapping[str, object | None] | None = None,
    archive: Mapping[str, object | None] | None = None,
    config_extra: str = "",
    titles: Sequence[str] | None = None,
    templates: Mapping[str, str] | None = None,
) -> Settings:
    """Settings of a new project in `folder` whose outbox holds `days` published batches of each
    schedule, `stories_per_batch` stories each (see the module's docstring)."""
    settings = write_project(
        folder,
        schedules=schedules,
        stories_per_batch=stories_per_batch,
        email=email,
        brand=brand,
        archive=archive,
        config_extra=config_extra,
        templates=templates,
    )
    write_seeds(settings.paths.seeds, days * stories_per_batch, titles)
    publish_days(settings, days)
    return settings


def write_project(
    folder: Path,
    *,
    schedules: Sequence[str | Mapping[str, object]] = ("morning",),
    stories_per_batch: int = 2,
    email: Mapping[str, object | None] | None = None,
    brand: Mapping[str, object | None] | None = None,
    archive: Mapping[str, object | None] | None = None,
    config_extra: str = "",
    templates: Mapping[str, str] | None = None,
) -> Settings:
    """The config (and templates, and an empty seeds folder) of `project_with_batches`, without
    seeds or batches."""
    text = (EXAMPLES / "config.toml").read_text(encoding="utf-8")
    text = _without_tables(text, ("[[schedules]]", "[archive]"))
    text = _set_keys(text, "[email]", email or {})
    text = _set_keys(text, "[brand]", brand or {})
    text += "".join(
        _schedule(item, number, stories_per_batch) for number, item in enumerate(schedules)
    )
    keys = {"base_url": BASE_URL} | dict(archive or {})
    text += "\n[archive]\n" + _lines(keys) + config_extra
    for name, source in (templates or {}).items():
        path = folder / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return load_config(folder / "config.toml")


def write_seeds(seeds: Path, count: int, titles: Sequence[str] | None = None) -> list[Path]:
    """`count` small valid seeds story-0001.txt ..., each with a url; `titles` replace the
    default titles (`Story number N`) in order."""
    paths = []
    for number in range(1, count + 1):
        title = titles[number - 1] if titles and number <= len(titles) else f"Story number {number}"
        path = seeds / f"story-{number:04d}.txt"
        path.write_text(
            f'+++\nurl = "https://news.example.org/story/{number}"\n+++\n{title}\n\n'
            f"**Primary Article:**\n\nThe council met on day {number}. It approved plan "
            f"{number} for the park. Residents of Town {number} welcomed it. Work starts in "
            "spring.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def publish_days(settings: Settings, days: int, first: date = FIRST_DAY) -> list[Path]:
    """Publish each schedule's slot on `days` local dates from `first`, day by day; the batch
    folders published (a slot with nothing new publishes none)."""
    out = []
    for offset in range(days):
        for schedule in settings.schedules:
            result = build(
                settings, slot_on(schedule, first + timedelta(days=offset)), durable=False
            )
            if result.batch is not None:
                out.append(result.batch)
    return out


def _schedule(item: str | Mapping[str, object], number: int, stories: int) -> str:
    values: dict[str, object] = {
        "days": "daily",
        "at": f"{8 + number:02d}:00",
        "timezone": "Europe/London",
        "channels": ["email", "x"],
        "max_stories": stories,
    }
    values |= {"name": item} if isinstance(item, str) else dict(item)
    return "\n[[schedules]]\n" + _lines(values)


def _lines(values: Mapping[str, object | None]) -> str:
    return "".join(f"{key} = {json.dumps(v)}\n" for key, v in values.items() if v is not None)


def _without_tables(text: str, headers: Sequence[str]) -> str:
    """`text` without the tables (each header line up to the next table) named in `headers`."""
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        if _TABLE.match(line):
            keep = not any(line.startswith(header) for header in headers)
        if keep:
            out.append(line)
    return "".join(out)


def _set_keys(text: str, header: str, values: Mapping[str, object | None]) -> str:
    """`text` with the keys of table `header` set to `values` (None: removed)."""
    if not values:
        return text
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        if _TABLE.match(line):
            inside = line.split("#", 1)[0].strip() == header
            out.append(line)
            if inside:
                out.append(_lines(values))
            continue
        key = line.split("=", 1)[0].strip()
        if inside and "=" in line and not line.lstrip().startswith("#") and key in values:
            continue
        out.append(line)
    return "".join(out)
