"""Edits files (seeds/<stem>.edits.toml): read, refused with file:line and what to write, and
written one key at a time keeping what a person wrote."""

from __future__ import annotations

import os
import stat
import tomllib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SeedError
from digest.seeds.edits import (
    EDITS_MAX_BYTES,
    Edits,
    EditsError,
    Sidecars,
    edits_name,
    edits_path,
    parse_edits,
    read_edits,
    seed_stem,
    set_edit,
    sidecar_names,
)
from digest.seeds.edits_values import scan_key_lines, text_problem

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FILE = "story.edits.toml"

FULL = """\
# An editor's notes: kept.
by = "Ana Editor"
at = 2026-12-01T09:00:00Z
headline = "Trains return to the Northern line"
tagline = 'Service resumes after a week'
hashtags = ["Transport", "London"]
drop = false
rank = 1

[bullets]
2 = "The line reopened on Monday."
4 = \"\"\"Staff worked at night.\"\"\"
"""


def _write(folder: Path, text: str, name: str = FILE) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- where the file is -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("story.txt", "story.edits.toml"),
        ("story.md", "story.edits.toml"),
        ("000_5d8e33db419e59d4.txt", "000_5d8e33db419e59d4.edits.toml"),
        ("a.b.json", "a.b.edits.toml"),
        ("sub/story.txt", "sub/story.edits.toml"),  # a seed in a subfolder: beside it
    ],
)
def test_the_edits_file_sits_beside_its_seed_with_the_same_stem(source: str, name: str) -> None:
    assert edits_name(source) == name
    assert edits_path(Path("/p/seeds"), source) == Path("/p/seeds") / name
    assert seed_stem(Path(name).name) == Path(source).stem


@given(
    folder=st.sampled_from(["", "sub/", "a/b/"]),
    name=st.text(st.sampled_from("ab.-_"), min_size=1, max_size=8).filter(
        lambda name: name not in (".", "..")
    ),
)
def test_the_edits_name_is_pathlibs_stem_with_the_suffix(folder: str, name: str) -> None:
    path = PurePosixPath(folder + name)
    assert edits_name(folder + name) == str(path.with_name(path.stem + ".edits.toml"))


@pytest.mark.parametrize("source", ["/etc/passwd", "../x.txt", "a/../../x.txt", ""])
def test_a_source_outside_the_seeds_folder_has_no_edits_file(source: str) -> None:
    with pytest.raises(ValueError, match="not the name of a seed"):
        edits_name(source)


@pytest.mark.parametrize(
    ("name", "stem"),
    [("a.edits.toml", "a"), (".a.edits.toml", None), ("a.toml", None), (".edits.toml", None)],
)
def test_seed_stem_names_only_edits_files(name: str, stem: str | None) -> None:
    assert seed_stem(name) == stem


# --- reading -----------------------------------------------------------------------------------


def test_no_edits_file_is_none(tmp_path: Path) -> None:
    assert read_edits(tmp_path, "story.txt") is None
    assert read_edits(tmp_path / "missing", "story.txt") is None


def test_a_full_file_reads_every_key_with_its_line(tmp_path: Path) -> None:
    _write(tmp_path, FULL)
    edits = read_edits(tmp_path, "story.txt")
    assert edits == Edits(
        headline="Trains return to the Northern line",
        tagline="Service resumes after a week",
        bullets={2: "The line reopened on Monday.", 4: "Staff worked at night."},
        hashtags=("Transport", "London"),
        drop=False,
        rank=1,
        by="Ana Editor",
        at=NOW,
        file=FILE,
        lines=edits.lines if edits else {},
    )
    assert edits is not None
    assert edits.keys == ("headline", "tagline", "bullets.2", "bullets.4", "hashtags")
    expected = {"by": 2, "at": 3, "headline": 4, "tagline": 5, "hashtags": 6, "drop": 7}
    assert {k: edits.line(k) for k in expected} == expected
    assert (edits.line("rank"), edits.line("bullets"), edits.line("bullets.2")) == (8, 10, 11)
    assert edits.line("bullets.4") == 12


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("", ()),
        ("# only a comment\n", ()),
        ("drop = true\n", ()),
        ('bullets.1 = "First."\n', ("bullets.1",)),
        ('bullets = { 3 = "Third." }\n', ("bullets.3",)),
        ("hashtags = []\n", ("hashtags",)),  # no hashtags at all is an override too
        ('"headline" = "Quoted key"\n', ("headline",)),
        ('\ufeffheadline = "After a BOM"\r\n', ("headline",)),
    ],
)
def test_layouts_toml_allows_read_the_same(
    tmp_path: Path, text: str, keys: tuple[str, ...]
) -> None:
    (tmp_path / FILE).write_bytes(text.encode("utf-8"))
    edits = read_edits(tmp_path, "story.txt")
    assert edits is not None and edits.keys == keys


# Each bad file: the line named, and words of the reason that say what to write instead.
BAD = [
    ('headline = "x"\nheadlin = "y"\n', 2, "unknown key 'headlin' (did you mean 'headline'?)"),
    (
        "title = 1\n",
        1,
        "the keys are by, at, headline, tagline, hashtags, drop, rank and [bullets]",
    ),
    ("\n\nheadline = \n", 3, "not valid TOML"),
    ('headline = "open\n', 1, "not valid TOML"),
    ("headline = 7\n", 1, 'headline: write text in quotes ("..."), not a number'),
    ('\ntagline = ""\n', 2, "tagline: the text is empty"),
    ('headline = "   "\n', 1, "the text is empty; write it, or remove the key"),
    ('headline = "a\\nb"\n', 1, "control character or line break (U+000A)"),
    ('headline = "a\\tb"\n', 1, "control character or line break (U+0009)"),
    ('headline = "a\\u2028b"\n', 1, "line break (U+2028)"),
    ('headline = "gpj.\\u202eexe"\n', 1, "invisible or bidi-control character (U+202E)"),
    ('headline = "zero\\u200bwidth"\n', 1, "invisible or bidi-control character (U+200B)"),
    ('headline = "see javascript:alert(1)"\n', 1, "holds a javascript: link"),
    ('headline = "get ftp://x.org/f"\n', 1, "holds a ftp: link; only http and https"),
    ('tagline = "data:text/html,hi"\n', 1, "holds a data: link"),
    ('headline = "mail mailto:a@b.org"\n', 1, "holds a mailto: link"),
    ('hashtags = "Transport"\n', 1, 'write a list of words in quotes (["Transport"]), not text'),
    ("hashtags = [1]\n", 1, "write a list of words in quotes"),
    ('hashtags = ["#Transport"]\n', 1, "write '#Transport' without the # ('Transport')"),
    ('hashtags = ["Transport London"]\n', 1, "is not one word of letters and digits"),
    ('hashtags = ["C++"]\n', 1, "is not one word"),
    ('hashtags = ["2026"]\n', 1, "is not one word of letters"),
    ('hashtags = ["London", "london"]\n', 1, "'london' is there twice"),
    ('drop = "yes"\n', 1, "drop: write true or false, not text"),
    ("drop = 1\n", 1, "drop: write true or false, not a number"),
    ("rank = true\n", 1, "rank: write a whole number (1 goes first), not true/false"),
    ("rank = 1.5\n", 1, "rank: write a whole number"),
    ("at = 2026-12-01T09:00:00\n", 1, "not a time without Z or an offset"),
    ("at = 2026-12-01\n", 1, "at: write a date and time with Z or an offset"),
    ('at = "2026-12-01T09:00:00Z"\n', 1, "not text"),
    ('by = ""\n', 1, "by: the text is empty"),
    (f'by = "{"x" * 101}"\n', 1, "by: the name is 101 characters; write one of at most 100"),
    ('bullets = ["a"]\n', 1, 'bullets: write a table ([bullets], then 2 = "..."), not a list'),
    ('[bullets]\nfirst = "a"\n', 2, "bullets: 'first' is not a bullet's number; write 1"),
    ('[bullets]\n0 = "a"\n', 2, "'0' is not a bullet's number"),
    ('[bullets]\n02 = "a"\n', 2, "'02' is not a bullet's number"),
    ("[bullets]\n\n3 = 3\n", 3, 'bullets.3: write text in quotes ("..."), not a number'),
    ('[bullets]\n1 = "ok"\n2 = ""\n', 3, "bullets.2: the text is empty"),
    ('[notes]\nx = "y"\n', 1, "unknown key 'notes'"),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD)
def test_a_bad_file_is_refused_naming_file_line_and_what_to_write(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    _write(tmp_path, text)
    with pytest.raises(EditsError) as caught:
        read_edits(tmp_path, "story.txt")
    error = caught.value
    assert isinstance(error, SeedError)
    assert (error.path, error.line) == (Path(FILE), line)
    assert words in error.reason
    assert str(error).startswith(f"{FILE}:{line}: ")


def test_every_problem_of_a_file_is_listed_in_line_order(tmp_path: Path) -> None:
    _write(tmp_path, 'rank = "1"\n\n[bullets]\n0 = "a"\n2 = ""\n', FILE)
    with pytest.raises(EditsError) as caught:
        read_edits(tmp_path, "story.txt")
    error = caught.value
    assert [(p.line, p.reason.split(":")[0]) for p in error.problems] == [
        (1, "rank"),
        (4, "bullets"),
        (5, "bullets.2"),
    ]
    assert error.line == 1 and "(and 2 more in this file: digest validate lists them)" in str(error)


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b'headline = "caf\xe9"\n', 1, "invalid UTF-8; save the file as UTF-8"),
        (b'# one\n\nheadline = "\xff"\n', 3, "invalid UTF-8"),
        (b'headline = "a\x00"\n', 1, "not valid TOML"),
    ],
)
def test_bytes_that_are_not_utf8_text_name_their_line(
    tmp_path: Path, data: bytes, line: int, words: str
) -> None:
    (tmp_path / FILE).write_bytes(data)
    with pytest.raises(EditsError) as caught:
        read_edits(tmp_path, "story.txt")
    assert caught.value.line == line and words in caught.value.reason


def test_an_edits_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / FILE).write_bytes(b"#" * (EDITS_MAX_BYTES + 1))
    with pytest.raises(EditsError, match=r"over the 65536-byte cap of an edits file"):
        read_edits(tmp_path, "story.txt")
    assert read_edits(tmp_path, "story.txt", max_bytes=EDITS_MAX_BYTES * 2) is not None


def test_what_is_not_a_plain_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / FILE).mkdir()
    with pytest.raises(EditsError, match="not a plain file; an edits file is a TOML text file"):
        read_edits(tmp_path, "story.txt")
    (tmp_path / FILE).rmdir()
    os.mkfifo(tmp_path / FILE)  # a FIFO is never opened: reading it would hang
    with pytest.raises(EditsError, match="not a plain file"):
        read_edits(tmp_path, "story.txt")


def test_a_link_leaving_the_seeds_folder_is_refused(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _write(tmp_path, 'headline = "Elsewhere"\n', "outside.toml")
    (seeds / FILE).symlink_to(tmp_path / "outside.toml")
    with pytest.raises(EditsError, match="symlink leads outside the seeds folder"):
        read_edits(seeds, "story.txt")
    inside = _write(seeds, 'headline = "Inside"\n', "kept.toml")
    (seeds / FILE).unlink()
    (seeds / FILE).symlink_to(inside)
    edits = read_edits(seeds, "story.txt")
    assert edits is not None and edits.headline == "Inside"


@pytest.mark.parametrize(
    "text",
    [
        "Plain words",
        "See https://example.org/a and http://example.org",
        "Time: 10:30, ratio 3:1",
        "Über Straße ‘quoted’ — “curly” 東京 😀",
        "Persian می‌خواهم keeps its joiner",
        "a family 👨‍👩‍👧",
    ],
)
def test_text_readers_can_see_is_accepted(text: str) -> None:
    assert text_problem(text) is None


def test_key_lines_follow_tables_dotted_keys_and_skip_multiline_strings() -> None:
    text = (
        'headline = """first\nrank = 9\n"""\n'  # lines 1-3: rank inside a string is no key
        "rank = 2\n"  # 4
        '[bullets]\n1 = "a"\n'  # 5, 6
        '[ "x" . y ]\nz = 1\n'  # 7, 8
    )
    lines = scan_key_lines(text)
    assert lines == {"headline": 1, "rank": 4, "bullets": 5, "bullets.1": 6, "x.y": 7, "x.y.z": 8}


# --- Sidecars and the folder's edits files -----------------------------------------------------


def test_sidecars_list_the_folder_once_and_read_each_file_once_repeating_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, 'headline = "Once"\n', "a.edits.toml")
    _write(tmp_path, "rank = true\n", "b.edits.toml")
    import digest.seeds.edits as edits_module

    calls: list[str] = []
    real = edits_module.read_edits

    def counting(folder: Path, source: str, **kwargs: int) -> Edits | None:
        calls.append(source)
        return real(folder, source, **kwargs)

    monkeypatch.setattr(edits_module, "read_edits", counting)
    sidecars = Sidecars(tmp_path)
    for _ in range(3):
        found = sidecars.of("a.txt")
        assert found is not None and found.headline == "Once"
        assert sidecars.of("none.txt") is None
        with pytest.raises(EditsError, match="rank"):
            sidecars.of("b.txt")
    assert calls == ["a.txt", "b.txt"]  # the folder's listing shows none.txt has no file
    # A seed in a subfolder (which the listing does not show) is looked at alone.
    (tmp_path / "sub").mkdir()
    _write(tmp_path, 'headline = "Below"\n', "sub/c.edits.toml")
    below = sidecars.of("sub/c.txt")
    assert below is not None and below.headline == "Below" and calls[-1] == "sub/c.txt"
    # A folder that cannot be listed: each story is looked at alone.
    alone = Sidecars(tmp_path / "missing")
    assert alone.of("a.txt") is None and calls[-1] == "a.txt"


def test_sidecar_names_lists_the_edits_files_only(tmp_path: Path) -> None:
    for name in ("b.edits.toml", "a.edits.toml", ".a.edits.toml.1-ab.tmp", "a.txt", "c.toml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert sidecar_names(tmp_path) == ["a.edits.toml", "b.edits.toml"]


# --- writing -----------------------------------------------------------------------------------


def test_the_first_edit_writes_a_documented_file_signed_by_who_and_when(tmp_path: Path) -> None:
    when = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    edits = set_edit(tmp_path, "story.txt", "headline", "A new headline", by="Ana", now=when)
    text = (tmp_path / FILE).read_text(encoding="utf-8")
    assert text.startswith("# Edits of story.txt: digest uses what this file says")
    assert 'see "Editing a story" in the README' in text
    assert tomllib.loads(text) == {"by": "Ana", "at": NOW, "headline": "A new headline"}
    assert edits == read_edits(tmp_path, "story.txt")
    assert edits.at == NOW and edits.by == "Ana"  # in UTC, to the second


@pytest.mark.parametrize(
    ("field", "value", "attribute", "expected"),
    [
        ("headline", "H", "headline", "H"),
        ("tagline", "T", "tagline", "T"),
        ("bullets.3", "Third", "bullets", {3: "Third"}),
        ("hashtags", ["Transport", "London"], "hashtags", ("Transport", "London")),
        ("hashtags", ("One",), "hashtags", ("One",)),
        ("hashtags", [], "hashtags", ()),
        ("drop", True, "drop", True),
        ("drop", False, "drop", False),
        ("rank", -2, "rank", -2),
    ],
)
def test_set_edit_sets_each_field(
    tmp_path: Path, field: str, value: object, attribute: str, expected: object
) -> None:
    edits = set_edit(tmp_path, "story.txt", field, value, by=None, now=NOW)  # type: ignore[arg-type]
    assert getattr(edits, attribute) == expected
    assert read_edits(tmp_path, "story.txt") == edits
    assert edits.by is None and edits.at == NOW


def test_an_edit_keeps_the_other_keys_and_every_comment(tmp_path: Path) -> None:
    _write(tmp_path, FULL)
    set_edit(tmp_path, "story.txt", "bullets.2", "Reopened on Tuesday.", by="Bo", now=NOW)
    text = (tmp_path / FILE).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# An editor's notes: kept."
    assert "tagline = 'Service resumes after a week'" in text  # its quoting too
    edits = read_edits(tmp_path, "story.txt")
    assert edits is not None
    assert edits.bullets == {2: "Reopened on Tuesday.", 4: "Staff worked at night."}
    assert (edits.by, edits.rank, edits.hashtags) == ("Bo", 1, ("Transport", "London"))
    before = tomllib.loads(FULL)
    after = tomllib.loads(text)
    assert {k: v for k, v in after.items() if k not in ("by", "bullets")} == {
        k: v for k, v in before.items() if k not in ("by", "bullets")
    }


def test_none_removes_an_override_and_the_last_one_removes_the_file(tmp_path: Path) -> None:
    set_edit(tmp_path, "story.txt", "headline", "H", by="Ana", now=NOW)
    set_edit(tmp_path, "story.txt", "bullets.2", "B", by="Ana", now=NOW)
    edits = set_edit(tmp_path, "story.txt", "bullets.2", None, by="Ana", now=NOW)
    assert edits.keys == ("headline",)
    assert "bullets" not in tomllib.loads((tmp_path / FILE).read_text(encoding="utf-8"))
    edits = set_edit(tmp_path, "story.txt", "headline", None, by="Ana", now=NOW)
    assert edits == Edits(file=FILE) and not (tmp_path / FILE).exists()
    # Removing what is not there writes nothing.
    assert set_edit(tmp_path, "story.txt", "rank", None, by=None, now=NOW) == Edits(file=FILE)
    assert not (tmp_path / FILE).exists()


def test_an_edit_without_by_leaves_no_name_of_an_earlier_editor(tmp_path: Path) -> None:
    set_edit(tmp_path, "story.txt", "headline", "H", by="Ana", now=NOW)
    edits = set_edit(tmp_path, "story.txt", "tagline", "T", by=None, now=NOW)
    assert edits.by is None and "by =" not in (tmp_path / FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "x", "not a field of an edits file"),
        ("bullets", "x", "not a field"),
        ("headline.2", "x", "not a field"),
        ("bullets.0", "x", "a bullet is bullets.N"),
        ("bullets.x", "x", "a bullet is bullets.N"),
        ("headline", 3, "int is not a value it takes"),
        ("drop", "true", "str is not a value it takes"),
        ("rank", True, "bool is not a value it takes"),
        ("hashtags", "One", "str is not a value"),
        ("hashtags", ["A", 1], "a list of text only"),
    ],
)
def test_set_edit_refuses_unknown_fields_and_wrong_types_writing_nothing(
    tmp_path: Path, field: str, value: object, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        set_edit(tmp_path, "story.txt", field, value, by=None, now=NOW)  # type: ignore[arg-type]
    assert not (tmp_path / FILE).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("headline", "", "headline: the text is empty"),
        ("tagline", "two\nlines", r"U\+000A\); write it on one line"),
        ("bullets.1", "see javascript:x()", "javascript: link"),
        ("hashtags", ["#A"], "without the #"),
    ],
)
def test_a_value_that_would_not_read_back_is_refused_and_the_file_kept(
    tmp_path: Path, field: str, value: object, words: str
) -> None:
    _write(tmp_path, FULL)
    with pytest.raises(EditsError, match=words):
        set_edit(tmp_path, "story.txt", field, value, by=None, now=NOW)  # type: ignore[arg-type]
    assert (tmp_path / FILE).read_text(encoding="utf-8") == FULL


def test_a_check_that_raises_writes_nothing(tmp_path: Path) -> None:
    def refuse(edits: Edits) -> None:
        assert edits.headline == "Too long"
        raise EditsError(edits.file, [(edits.line("headline"), "headline: too long")])

    with pytest.raises(EditsError, match="headline: too long"):
        set_edit(tmp_path, "story.txt", "headline", "Too long", by=None, now=NOW, check=refuse)
    assert not (tmp_path / FILE).exists()


def test_a_file_that_is_not_toml_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    _write(tmp_path, "# mine\nheadline = \n")
    with pytest.raises(EditsError, match=rf"^{FILE}:2: not valid TOML"):
        set_edit(tmp_path, "story.txt", "headline", "H", by=None, now=NOW)
    assert (tmp_path / FILE).read_text(encoding="utf-8") == "# mine\nheadline = \n"


def test_an_edit_may_fix_the_problem_a_hand_written_file_has(tmp_path: Path) -> None:
    _write(tmp_path, '# mine\nheadline = ""\n')
    edits = set_edit(tmp_path, "story.txt", "headline", "Fixed", by=None, now=NOW)
    assert edits.headline == "Fixed"
    assert (tmp_path / FILE).read_text(encoding="utf-8").startswith("# mine\n")


def test_a_rewrite_keeps_the_files_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = _write(tmp_path, 'headline = "H"\n')
    path.chmod(0o640)
    set_edit(tmp_path, "story.txt", "tagline", "T", by=None, now=NOW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE]


def test_a_folder_that_cannot_be_written_is_an_error_naming_the_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere: make the target a folder's name instead
        (tmp_path / "sub").write_text("a file where a folder must be", encoding="utf-8")
        source = "sub/story.txt"
    else:
        tmp_path.chmod(0o500)
        source = "story.txt"
    try:
        with pytest.raises(EditsError, match=r"cannot write: .*; check that the seeds folder"):
            set_edit(tmp_path, source, "headline", "H", by=None, now=NOW)
    finally:
        tmp_path.chmod(0o700)


def test_set_edit_refuses_a_naive_now(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        set_edit(tmp_path, "story.txt", "headline", "H", by=None, now=datetime(2026, 1, 1))


_VISIBLE = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Cf", "Co", "Cn")),
    min_size=1,
    max_size=60,
).filter(lambda text: text_problem(text) is None)
_TAG = st.text(st.characters(categories=("Lu", "Ll", "Lo", "Nd")), min_size=1, max_size=20).filter(
    lambda tag: any(char.isalpha() for char in tag)
)


def _each_once(tags: list[str]) -> list[str]:
    unique: list[str] = []
    for tag in tags:
        if tag.casefold() not in {u.casefold() for u in unique}:
            unique.append(tag)
    return unique


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    headline=_VISIBLE,
    bullet=_VISIBLE,
    number=st.integers(1, 5),
    tags=st.lists(_TAG, max_size=5).map(_each_once),
    rank=st.integers(-(2**63), 2**63 - 1),
)
def test_any_text_set_reads_back_equal_and_comments_stay(
    tmp_path_factory: pytest.TempPathFactory,
    headline: str,
    bullet: str,
    number: int,
    tags: list[str],
    rank: int,
) -> None:
    folder = tmp_path_factory.mktemp("seeds")
    _write(folder, "# hand-written\nrank = 0\n\n[bullets]\n# notes on bullets\n")
    set_edit(folder, "story.txt", "headline", headline, by="Ana", now=NOW)
    set_edit(folder, "story.txt", f"bullets.{number}", bullet, by="Ana", now=NOW)
    set_edit(folder, "story.txt", "hashtags", tags, by="Ana", now=NOW)
    written = set_edit(folder, "story.txt", "rank", rank, by="Ana", now=NOW)
    again = read_edits(folder, "story.txt")
    assert again == written
    assert again is not None
    assert (again.headline, again.bullets, again.hashtags, again.rank) == (
        headline,
        {number: bullet},
        tuple(tags),
        rank,
    )
    text = (folder / FILE).read_text(encoding="utf-8")
    assert text.startswith("# hand-written\n") and "# notes on bullets" in text


def test_the_readmes_example_is_a_valid_edits_file() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Editing a story", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    edits = parse_edits(example, FILE)
    assert edits.keys == ("headline", "tagline", "bullets.2", "hashtags")
    assert (edits.by, edits.at, edits.drop, edits.rank) == ("Ana Editor", NOW, False, 1)


@pytest.mark.parametrize(
    ("names", "sources", "none"),
    [
        ([], ["a.txt", "b.md"], True),
        (["a.txt", "notes.toml", ".a.edits.toml.1-ab.tmp"], ["a.txt"], True),
        (["a.edits.toml"], ["b.txt"], False),  # some story has one: each is looked up
        ([], ["sub/a.txt"], False),  # a subfolder's seed: the listing cannot tell
    ],
)
def test_none_for_says_when_no_story_can_have_an_edits_file(
    tmp_path: Path, names: list[str], sources: list[str], none: bool
) -> None:
    for name in names:
        (tmp_path / name).write_text("", encoding="utf-8")
    assert Sidecars(tmp_path).none_for(sources) is none
    assert Sidecars(tmp_path / "missing").none_for(sources) is False


# Files no reader can walk: each is one story's error at line 1, never an exception that stops
# the build, the scheduler or the preview (RecursionError, ValueError of a long integer).
UNREADABLE = [
    ("x = " + "{a=" * 5000 + "1" + "}" * 5000, "nested too deeply to read"),
    ("x = " + "[" * 30000 + "]" * 30000, "nested too deeply to read"),
    ("headline = " + "[" * 900 + "]" * 900, "nested too deeply to read"),
    ("[bullets]\n1 = " + "{a=" * 900 + "1" + "}" * 900, "nested too deeply to read"),
    ("hashtags = [" + "[" * 900 + "]" * 900 + "]", "nested too deeply to read"),
    ("rank = 1" + "0" * 5000, "a number too long to read"),
    ("x.y = " + "[{a=" * 3000 + "1" + "}]" * 3000, "nested too deeply to read"),
]


@pytest.mark.parametrize(("text", "words"), UNREADABLE)
def test_a_file_too_deep_or_long_to_read_is_an_error_at_line_1(
    tmp_path: Path, text: str, words: str
) -> None:
    _write(tmp_path, text)
    with pytest.raises(EditsError) as caught:
        read_edits(tmp_path, "story.txt")
    assert (caught.value.path, caught.value.line) == (Path(FILE), 1)
    assert words in caught.value.reason and "Editing a story" in caught.value.reason
    sidecars = Sidecars(tmp_path)
    for _ in range(2):  # the same error each time it is asked, never the exception
        with pytest.raises(EditsError):
            sidecars.of("story.txt")


@pytest.mark.parametrize(("text", "words"), UNREADABLE[:2])
def test_set_edit_on_a_file_too_deep_to_read_names_it_and_keeps_it(
    tmp_path: Path, text: str, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(EditsError) as caught:
        set_edit(tmp_path, "story.txt", "headline", "New", by=None, now=NOW)
    assert words in caught.value.reason
    assert path.read_text(encoding="utf-8") == text
