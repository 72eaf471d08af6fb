"""Editors' overrides in a build: drop and rank in selection, the edited text in every file of
the batch (stories/<slug>.json as editor text with who and when), kept over rebuilds; a bad
edits file leaves its story out and the rest is published; `digest validate` lists them."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.factories import project, slot, write_seed

import digest.seeds.edits
from digest.config import Settings
from digest.pipeline import build, gather, prepare, unsent, validate
from digest.seeds.edits import Sidecars

ALL = ("email", "x", "bluesky", "mastodon", "linkedin", "threads")
SLOT = "morning@2026-11-28"


def _project(tmp_path: Path, seeds: int = 3, max_stories: int = 3) -> Settings:
    schedule = {"name": "morning", "at": "08:00", "max_stories": max_stories, "catch_up": "7d"}
    config = project(tmp_path, [schedule], ALL)
    for number in range(1, seeds + 1):
        write_seed(tmp_path / "seeds", number)
    return config


def _edit(tmp_path: Path, number: int, text: str) -> Path:
    path = tmp_path / "seeds" / f"story-{number:04d}.edits.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _order(tmp_path: Path, settings: Settings, when: str = "2026-11-28T08:00") -> list[int]:
    stories, _ = gather(tmp_path / "seeds", settings)
    chosen = unsent(stories, tmp_path / "outbox", slot(when=when), Sidecars(tmp_path / "seeds"))
    return [int(s.slug[-4:]) for s in chosen]


def _batch_stories(batch: Path | None) -> list[str]:
    assert batch is not None
    manifest = json.loads((batch / "manifest.json").read_text("utf-8"))
    return [str(s["source"]) for s in manifest["stories"]]


# --- selection ---------------------------------------------------------------------------------


def test_a_dropped_story_is_no_candidate_and_comes_back_when_undropped(tmp_path: Path) -> None:
    config = _project(tmp_path, max_stories=2)
    edits = _edit(tmp_path, 1, "drop = true\n")
    assert _order(tmp_path, config) == [2, 3]
    first = build(config, slot(when="2026-11-28T08:00"), durable=False)
    assert _batch_stories(first.batch) == ["story-0002.txt", "story-0003.txt"]
    # Still dropped: nothing new for the next slot.
    assert build(config, slot(when="2026-11-29T08:00"), durable=False).batch is None
    edits.write_text("drop = false\n", encoding="utf-8")  # never sent, so never carried
    later = build(config, slot(when="2026-11-30T08:00"), durable=False)
    assert _batch_stories(later.batch) == ["story-0001.txt"]


@pytest.mark.parametrize(
    ("ranks", "order"),
    [
        ({}, [1, 2, 3, 4]),
        ({4: 1}, [4, 1, 2, 3]),
        ({3: 2, 4: 1}, [4, 3, 1, 2]),
        ({2: 5, 3: 5}, [2, 3, 1, 4]),  # the same rank: today's order between them
        ({1: 10, 4: -3}, [4, 1, 2, 3]),
        ({2: 0}, [2, 1, 3, 4]),
    ],
)
def test_ranked_stories_go_first_lowest_rank_first_then_todays_order(
    tmp_path: Path, ranks: dict[int, int], order: list[int]
) -> None:
    config = _project(tmp_path, seeds=4)
    for number, rank in ranks.items():
        _edit(tmp_path, number, f"rank = {rank}\n")
    assert _order(tmp_path, config) == order


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    marks=st.lists(
        st.one_of(st.none(), st.integers(-3, 3), st.just("drop"), st.just("bad")),
        min_size=5,
        max_size=5,
    )
)
def test_selection_drops_ranks_and_keeps_a_bad_files_story_in_its_place(
    tmp_path_factory: pytest.TempPathFactory, marks: list[int | str | None]
) -> None:
    folder = tmp_path_factory.mktemp("project")
    config = _project(folder, seeds=5)
    for number, mark in enumerate(marks, 1):
        if mark == "drop":
            _edit(folder, number, "drop = true\nrank = -9\n")
        elif mark == "bad":
            _edit(folder, number, "drop = yes\n")  # unreadable: no drop known, no rank
        elif mark is not None:
            _edit(folder, number, f"rank = {mark}\n")
    kept = [(n, m) for n, m in enumerate(marks, 1) if m != "drop"]
    ranked = sorted((m, n) for n, m in kept if isinstance(m, int))
    expected = [n for _, n in ranked] + [n for n, m in kept if not isinstance(m, int)]
    assert _order(folder, config) == expected


def test_without_edits_selection_is_as_before(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _edit(tmp_path, 1, "drop = true\n")
    stories, _ = gather(tmp_path / "seeds", config)
    assert len(unsent(stories, tmp_path / "outbox", slot())) == 3


# --- the batch carries the editor's text ---------------------------------------------------------

EDITS = """\
# Agreed with the desk on Monday.
by = "Ana Editor"
at = 2026-11-27T16:30:00Z
headline = "Council backs plan 2 for the park"

[bullets]
2 = "Town 2 residents asked for the plan."
"""


def test_every_file_of_the_batch_carries_the_edited_text(tmp_path: Path, golden) -> None:
    config = _project(tmp_path)
    _edit(tmp_path, 2, EDITS)
    result = build(config, slot(), durable=False)
    batch = result.batch
    assert batch is not None and result.rejected == ()
    text = (batch / "email" / "digest.txt").read_text("utf-8")
    assert "Council backs plan 2 for the park" in text
    assert "Town 2 residents asked for the plan." in text
    assert "Story number 2" not in (batch / "email" / "digest.html").read_text("utf-8")
    for platform in ("mastodon", "linkedin", "threads"):  # the platforms that post key points
        posts = (batch / "social" / f"{platform}.txt").read_text("utf-8")
        assert "Town 2 residents asked for the plan." in posts, platform
        assert "It approved plan 2 for the park." not in posts, platform
    record = (batch / "stories" / "story-0002.json").read_text("utf-8")
    golden("edits/story-0002.json", record)
    summary = json.loads(record)["summary"]
    assert summary["edited"] == ["headline", "bullets.2"]
    assert summary["editor"] == {"by": "Ana Editor", "at": "2026-11-27T16:30:00Z"}
    assert summary["sources"]["headline"] == [] and summary["sources"]["bullets"][1] == []
    unedited = json.loads((batch / "stories" / "story-0001.json").read_text("utf-8"))
    assert "edited" not in unedited["summary"] and "editor" not in unedited["summary"]


def test_edits_that_change_no_text_leave_the_batch_byte_identical(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "edited").mkdir()
    plain = _project(tmp_path / "plain")
    with_edits = _project(tmp_path / "edited")
    _edit(tmp_path / "edited", 1, "# nothing to change yet\ndrop = false\n")
    _edit(tmp_path / "edited", 2, 'by = "Ana"\n')
    a = prepare(plain, slot(), *gather(tmp_path / "plain" / "seeds", plain), tmp_path / "o1")
    b = prepare(
        with_edits, slot(), *gather(tmp_path / "edited" / "seeds", with_edits), tmp_path / "o2"
    )
    assert a is not None and b is not None
    files = {f.path: f.content for f in a.rendered.files if f.path != "manifest.json"}
    assert files == {f.path: f.content for f in b.rendered.files if f.path != "manifest.json"}


def test_a_rebuild_keeps_the_edits_even_after_the_seed_changed(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _edit(tmp_path, 2, EDITS)
    first = build(config, slot(), durable=False)
    assert first.batch is not None
    before = json.loads((first.batch / "stories" / "story-0002.json").read_text("utf-8"))
    seed = tmp_path / "seeds" / "story-0002.txt"
    seed.write_text(seed.read_text("utf-8").replace("council", "assembly"), encoding="utf-8")
    again = build(config, slot(), force=True, durable=False)
    assert again.batch is not None
    after = json.loads((again.batch / "stories" / "story-0002.json").read_text("utf-8"))
    assert after["content_hash"] != before["content_hash"]
    assert after["summary"]["bullets"][0] == "The assembly met on day 2."  # the new seed
    for key in ("headline", "edited", "editor"):
        assert after["summary"][key] == before["summary"][key]
    assert after["summary"]["bullets"][1] == "Town 2 residents asked for the plan."


def test_prepare_reads_the_edits_of_the_folder_it_is_given(tmp_path: Path) -> None:
    config = _project(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    for number in (1, 2, 3):
        write_seed(other, number)
    (other / "story-0001.edits.toml").write_text('headline = "From the other folder"\n', "utf-8")
    _edit(tmp_path, 1, 'headline = "From the config\'s folder"\n')
    for seeds, headline in ((None, "From the config's folder"), (other, "From the other folder")):
        stories, errors = gather(seeds or tmp_path / "seeds", config)
        prepared = prepare(config, slot(), stories, errors, tmp_path / "outbox", seeds=seeds)
        assert prepared is not None
        assert prepared.rendered.digest.entries[0].summary.headline == headline


# --- what goes wrong with an edits file fails its story alone ----------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('# notes\n\nheadline = "' + "x" * 71 + '"\n', 3, "headline: 71 characters, over the 70"),
        ('[bullets]\n9 = "Nine."\n', 2, "bullets.9: the summary has 3 bullets"),
        ("headline = 'a'\nheadlne = 'b'\n", 2, "unknown key 'headlne'"),
        ("drop = yes\n", 1, "not valid TOML"),
    ],
)
def test_a_bad_edits_file_leaves_its_story_out_and_the_rest_is_published(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    config = _project(tmp_path, seeds=4)
    _edit(tmp_path, 2, text)
    result = build(config, slot(), durable=False)
    assert _batch_stories(result.batch) == ["story-0001.txt", "story-0003.txt", "story-0004.txt"]
    assert len(result.rejected) == 1
    error = result.rejected[0]
    assert (str(error.path), error.line) == ("story-0002.edits.toml", line)
    assert error.reason.startswith("left out of the batch: ") and words in error.reason
    assert "Fix story-0002.edits.toml, or remove it to publish the generated summary" in (
        error.reason
    )
    assert result.batch is not None
    manifest = json.loads((result.batch / "manifest.json").read_text("utf-8"))
    assert [(r["file"], r["line"]) for r in manifest["rejected"]] == [
        ("story-0002.edits.toml", line)
    ]


def test_the_cli_names_the_edits_file_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    _project(tmp_path)
    _edit(tmp_path, 3, '\ntagline = "' + "t" * 121 + '"\n')
    code = main(["build", "--config", str(tmp_path / "config.toml"), "--slot", SLOT])
    out = capsys.readouterr()
    assert code == 2, out.err
    assert "digest: story-0003.edits.toml:2: left out of the batch: tagline: 121 characters" in (
        out.err
    )
    assert "2 stories, 1 seeds rejected" in out.out


def test_ungrounded_edited_text_is_published_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = _project(tmp_path)
    _edit(tmp_path, 1, '\n[bullets]\n3 = "Mayor Okafor opened 12 new parks."\n')
    with caplog.at_level(logging.WARNING, logger="digest.pipeline"):
        result = build(config, slot(), durable=False)
    assert result.rejected == () and result.batch is not None
    assert "Mayor Okafor opened 12 new parks." in (result.batch / "email" / "digest.txt").read_text(
        "utf-8"
    )
    warned = [r.getMessage() for r in caplog.records if "story-0001.edits.toml:3" in r.getMessage()]
    assert warned == [
        "story-0001.edits.toml:3: bullets.3: number '12' is not in the seed "
        "(a warning: edited text is sent as written)",
        "story-0001.edits.toml:3: bullets.3: name 'Mayor' is not in the seed "
        "(a warning: edited text is sent as written)",
        "story-0001.edits.toml:3: bullets.3: name 'Okafor' is not in the seed "
        "(a warning: edited text is sent as written)",
    ]


# --- a build without edits files pays no system call a story, and parses nothing ----------------


def test_a_build_reads_only_the_edits_files_there_are_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, seeds=5, max_stories=3)
    _edit(tmp_path, 3, 'headline = "The third, edited"\n')
    looked: list[str] = []
    parsed: list[str] = []
    stats: list[str] = []
    real_read, real_parse, real_lstat = (
        digest.seeds.edits.read_edits,
        digest.seeds.edits.parse_edits,
        os.lstat,
    )

    def reading(folder: Path, source: str, **kwargs: int) -> object:
        looked.append(source)
        return real_read(folder, source, **kwargs)

    def parsing(text: str, file: str) -> object:
        parsed.append(file)
        return real_parse(text, file)

    def lstat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).endswith(".edits.toml"):
            stats.append(Path(str(path)).name)
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(digest.seeds.edits, "read_edits", reading)
    monkeypatch.setattr(digest.seeds.edits, "parse_edits", parsing)
    monkeypatch.setattr(os, "lstat", lstat)
    result = build(config, slot(), durable=False)
    assert result.batch is not None
    assert _batch_stories(result.batch) == [f"story-{n:04d}.txt" for n in (1, 2, 3)]
    assert looked == ["story-0003.txt"] and parsed == ["story-0003.edits.toml"]
    assert stats == ["story-0003.edits.toml"]


# --- digest validate -----------------------------------------------------------------------------


def test_validate_lists_the_problems_of_every_edits_file_and_orphans(tmp_path: Path) -> None:
    _project(tmp_path)
    _edit(tmp_path, 1, 'rank = "first"\n[bullets]\n0 = "x"\n7 = "y"\n')
    _edit(tmp_path, 2, 'headline = "' + "h" * 80 + '"\n')
    _edit(tmp_path, 3, 'headline = "Okafor backs the plan"\n')  # a warning only
    (tmp_path / "seeds" / "gone.edits.toml").write_text('headline = "x"\n', "utf-8")
    (tmp_path / "seeds" / "broken.txt").write_bytes(b"")  # a rejected seed's edits file is read
    (tmp_path / "seeds" / "broken.edits.toml").write_text("drop = 1\n", "utf-8")
    result = validate(tmp_path / "config.toml")
    listed = [(str(e.path.name), e.line, e.reason.split(":")[0]) for e in result.errors]
    assert listed == [
        ("broken.txt", 1, "empty file; write a title line and an article"),
        ("broken.edits.toml", 1, "drop"),
        (
            "gone.edits.toml",
            1,
            "no seed beside it (gone.txt, .md or .json); name it after its seed "
            "(<seed name without suffix>.edits.toml), or remove it",
        ),
        ("story-0001.edits.toml", 1, "rank"),
        ("story-0001.edits.toml", 3, "bullets"),
        ("story-0002.edits.toml", 1, "headline"),
    ]
    assert result.problems == 6
    assert result.warnings == (
        "story-0003.edits.toml:1: headline: name 'Okafor' is not in the seed "
        "(a warning: edited text is sent as written)",
    )


def test_validate_applies_the_edits_to_the_summary_a_build_makes(tmp_path: Path) -> None:
    _project(tmp_path)
    _edit(tmp_path, 1, '[bullets]\n4 = "A fourth."\n')  # three bullets: there is no 4
    result = validate(tmp_path / "config.toml")
    assert [(e.line, e.reason.split(";")[0]) for e in result.errors] == [
        (2, "bullets.4: the summary has 3 bullets, so there is no bullet 4")
    ]


def test_the_validate_command_prints_edits_problems_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.cli import main

    _project(tmp_path)
    _edit(tmp_path, 1, "rank = true\n")
    _edit(tmp_path, 2, 'tagline = "Okafor said so"\n')
    code = main(["validate", "--config", str(tmp_path / "config.toml")])
    out = capsys.readouterr()
    assert code == 1
    assert "digest: story-0001.edits.toml:1: rank: write a whole number" in out.err
    assert "digest: warning: story-0002.edits.toml:1: tagline: name 'Okafor'" in out.err
    assert out.out.strip() == "3 seeds ok, 1 problem(s)"
    # Fixed: no problem, the warning stays.
    _edit(tmp_path, 1, "rank = 1\n")
    assert main(["validate", "--config", str(tmp_path / "config.toml")]) == 0
    out = capsys.readouterr()
    assert "warning: story-0002.edits.toml:1" in out.err and "0 problem(s)" in out.out


def test_hostile_edited_text_is_escaped_and_adds_no_email_header(tmp_path: Path) -> None:
    import email
    import email.policy

    config = _project(tmp_path, seeds=2)
    plain = build(config, slot(when="2026-11-27T08:00"), durable=False)
    assert plain.batch is not None
    _edit(
        tmp_path,
        1,
        'headline = "<b>Bold</b> & =?utf-8?q?=0D=0ABcc:_x@evil.example?="\n'
        'tagline = "</mj-text><script>alert(1)</script>"\n'
        "hashtags = []\n"
        '[bullets]\n1 = "{{ settings }} {% raw %} <img src=x onerror=alert(1)>"\n',
    )
    result = build(config, slot(when="2026-11-27T08:00"), force=True, durable=False)
    assert result.batch is not None and result.rejected == ()
    html = (result.batch / "email" / "digest.html").read_text("utf-8")
    assert "<b>Bold" not in html and "<script>" not in html and "<img src=x" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "{{ settings }}" in html  # text, not a template

    def headers(batch: Path) -> list[str]:
        raw = (batch / "email" / "digest.eml").read_bytes()
        return list(email.message_from_bytes(raw, policy=email.policy.default).keys())

    assert headers(result.batch) == headers(plain.batch)
    record = json.loads((result.batch / "stories" / "story-0001.json").read_text("utf-8"))
    assert record["summary"]["hashtags"] == [] and "hashtags" in record["summary"]["edited"]
