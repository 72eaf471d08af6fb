"""Every config problem names the key as config.toml writes it, never a section or an alias.

Each case edits the example config.toml in one place; the message must name the dotted key a
person goes to: the `from` of `[email]` (the model calls it `from_`), a key of a nested
`[platforms.x]` or `[brand.dark]` table, an item of `[[schedules]]` by its index, and for a check
of several keys (a limit over the platform's cap, `thread` against `mode`, a colour too light on
its background, a repeated schedule name) the key to change, not the section that checked it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import ROOT

from digest.config import load_config
from digest.errors import ConfigError

EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")
SECOND = '[[schedules]]\nname = "evening"\nat = "18:00"\n'


def _after(header: str, line: str) -> str:
    """The example with `line` added at the top of the table `header`."""
    assert f"{header}\n" in EXAMPLE
    return EXAMPLE.replace(f"{header}\n", f"{header}\n{line}\n", 1)


def _replace(old: str, new: str) -> str:
    assert old in EXAMPLE
    return EXAMPLE.replace(old, new, 1)


def _table(header: str, parent: str, line: str) -> str:
    """The example without the table `header`, and `line` in the table `parent` instead."""
    start = EXAMPLE.index(f"\n{header}") + 1  # the header may carry a comment
    end = EXAMPLE.index("\n[", start) + 1
    return _after(parent, line).replace(EXAMPLE[start:end], "", 1)


def _second(*lines: str) -> str:
    """The example with a second schedule, holding `lines`, before [paths]."""
    return EXAMPLE.replace("[paths]", SECOND + "".join(f"{x}\n" for x in lines) + "[paths]", 1)


CASES = [
    # (the key the message must name, config.toml with that one problem in it)
    ("email.from", _replace('from = "The Morning Digest <digest@example.org>"', 'from = "x"')),
    ("email.from_", _replace('from = "The Morning', 'from_ = "x"\nfrom = "The Morning')),
    ("email.utm.source", _replace('source = "digest"', 'source = ""')),
    ("brand.dark", _table("[brand.dark]", "[brand]", "dark = 5")),
    ("brand.dark.link_color", _replace('link_color = "#8ab4f8"', 'link_color = "#1e1e1e"')),
    ("brand.text_color", _replace('text_color = "#1f1f1f"', 'text_color = "#ffffff"')),
    (
        "brand.button_text_color",
        _replace('button_text_color = "#ffffff"', 'button_text_color = "#1a5fb5"'),
    ),
    ("platforms.roundup", _replace("roundup = false", 'roundup = "sometimes"')),
    ("platforms.xx", _replace("[platforms.x]\n", "[platforms.xx]\n")),
    ("platforms.x.limit", _after("[platforms.x]", "limit = 30000")),  # over X's own cap
    ("platforms.x.limit", _after("[platforms.x]", "limit = 3")),  # under the field's bound
    ("platforms.x.thread", _after("[platforms.x]", "thread = true")),  # the older spelling
    ("platforms.x.colour", _after("[platforms.x]", 'colour = "blue"')),
    ("platforms.bluesky.limit", _after("[platforms.bluesky]", "limit = 400")),
    ("platforms.bluesky.handle", _replace('handle = "@example.org"', 'handle = "@@@"')),
    ("platforms.linkedin.thread", _after("[platforms.linkedin]", "thread = true")),
    ("platforms.linkedin.mode", _after("[platforms.linkedin]", 'mode = "thread"')),
    ("platforms.mastodon", _table("[platforms.mastodon]", "[platforms]", "mastodon = 5")),
    ("schedules", EXAMPLE.replace("[[schedules]]", "[schedules]", 1)),
    ("schedules[0].catch_up", _replace('catch_up = "6h"', 'catch_up = "forever"')),
    ("schedules[0].channels[1]", _replace('"email", "x",', '"email", "fax",')),
    ("schedules[0].maxstories", _replace('catch_up = "6h"', 'catch_up = "6h"\nmaxstories = 3')),
    ("schedules[1].at", _second('at = "25:00"').replace('at = "18:00"\n', "", 1)),
    ("schedules[1].days", _second("days = 5")),  # a union: no `str` or `list[str]` in the key
    ("schedules[1].name", _second().replace('name = "evening"', 'name = "morning"', 1)),
    ("schedules[1].timezone", _second('timezone = "Mars/Base"')),
    ("seeds.max_bytes", _replace("max_bytes = 1000000", "max_bytes = -1")),
    ("paths.seeds", _replace('seeds = "seeds"', "seeds = 5")),
]


@pytest.mark.parametrize(
    ("key", "text"), CASES, ids=[f"{i}-{key}" for i, (key, _) in enumerate(CASES)]
)
def test_a_problem_names_the_key_config_toml_writes(tmp_path: Path, key: str, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert {name for name, _ in caught.value.problems} == {key}, caught.value.problems
    assert f"\n  {key}: " in str(caught.value)


def test_each_repeat_of_a_schedule_name_is_named_by_its_index(tmp_path: Path) -> None:
    text = _second().replace('name = "evening"', 'name = "morning"', 1)
    text = text.replace("[paths]", SECOND.replace("evening", "morning") + "[paths]", 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        ("schedules[1].name", "schedule names must be unique; repeated: morning"),
        ("schedules[2].name", "schedule names must be unique; repeated: morning"),
    ]
