"""The seed reader: every accepted layout, and one test per SeedError reason."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.factories import EXAMPLE_SEED

from digest.errors import SeedError
from digest.seeds import read_seed, read_seeds, slugify
from digest.seeds.formats import article_label

CANONICAL = """Title of the story
“A tagline in curly quotes.”

**Primary Article:**

**First headline**

First paragraph. It has two sentences.

Second paragraph.

**Secondary Article:**
**Second headline**
Another paragraph.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_example_seed_reads_title_tagline_and_both_articles() -> None:
    story = read_seed(EXAMPLE_SEED)
    assert story.title == "Bukele US Plan on Migrants"
    assert story.tagline is not None and story.tagline.startswith("The US and El Salvador")
    assert [a.label for a in story.articles] == ["Primary", "Secondary"]
    assert story.articles[0].headline.startswith("Bukele Offers US Official Proposal")
    assert len(story.articles[0].paragraphs) == 4
    assert story.id.startswith("000-5d8e33db419e59d4-") and story.slug == "000-5d8e33db419e59d4"


def test_canonical_sections_lines_and_hash(tmp_path: Path) -> None:
    story = read_seed(write(tmp_path, "a.txt", CANONICAL))
    assert story.tagline == "A tagline in curly quotes."
    assert [(a.label, a.headline, a.line) for a in story.articles] == [
        ("Primary", "First headline", 4),
        ("Secondary", "Second headline", 12),
    ]
    assert story.articles[0].paragraphs == (
        "First paragraph. It has two sentences.",
        "Second paragraph.",
    )
    assert len(story.content_hash) == 64


def test_any_number_of_labelled_sections(tmp_path: Path) -> None:
    text = "T\n" + "".join(f"**Part{i} Article:**\nText {i}.\n" for i in range(5))
    story = read_seed(write(tmp_path, "many.txt", text))
    assert [a.label for a in story.articles] == [f"Part{i}" for i in range(5)]


def test_straight_quotes_bom_and_crlf(tmp_path: Path) -> None:
    text = '\ufeffTitle\r\n"Straight tagline"\r\n**Primary Article:**\r\nBody text.\rMore.\r\n'
    story = read_seed(write(tmp_path, "b.txt", text))
    assert story.title == "Title"
    assert story.tagline == "Straight tagline"
    assert story.articles[0].paragraphs == ("Body text.", "More.")


def test_seed_without_sections_is_one_article(tmp_path: Path) -> None:
    story = read_seed(write(tmp_path, "plain.txt", "Title\n\nJust a paragraph.\n"))
    assert story.tagline is None
    assert story.articles[0].paragraphs == ("Just a paragraph.",)


def test_front_matter(tmp_path: Path) -> None:
    text = (
        '+++\nurl = "https://example.org/a"\ndate = 2025-02-04\ntags = ["migration"]\n'
        'priority = 3\nimage = "https://example.org/a.jpg"\nimage_alt = "A prison"\n'
        'language = "es"\nauthor = "Ana"\n+++\n' + CANONICAL
    )
    story = read_seed(write(tmp_path, "fm.txt", text))
    assert story.url == "https://example.org/a"
    assert str(story.date) == "2025-02-04"
    assert story.tags == ("migration",) and story.priority == 3
    assert (story.image_alt, story.language, story.author) == ("A prison", "es", "Ana")
    assert story.articles[0].line == 14


def test_markdown_seed(tmp_path: Path) -> None:
    text = "# A Markdown title\n> The tagline\n\nFirst para\ncontinues here.\n\n"
    text += "## Second part\nMore text.\n"
    story = read_seed(write(tmp_path, "m.md", text))
    assert story.title == "A Markdown title" and story.tagline == "The tagline"
    assert story.articles[0].paragraphs == ("First para continues here.",)
    assert story.articles[1].headline == "Second part"


def test_json_seed(tmp_path: Path) -> None:
    data = {
        "title": "J",
        "tagline": "t",
        "url": "https://e.org",
        "priority": 2,
        "articles": [{"headline": "H", "text": "One.\nTwo."}, {"paragraphs": ["Three."]}],
    }
    story = read_seed(write(tmp_path, "j.json", json.dumps(data)))
    assert story.priority == 2 and story.url == "https://e.org"
    assert [a.paragraphs for a in story.articles] == [("One.", "Two."), ("Three.",)]
    plain = read_seed(write(tmp_path, "k.json", json.dumps({"title": "K", "text": "Body."})))
    assert plain.articles[0].paragraphs == ("Body.",)


def test_slugify() -> None:
    assert slugify("000_5d8e33db419e59d4") == "000-5d8e33db419e59d4"
    assert slugify("Hello World!!") == "hello-world"
    assert slugify("___") == "seed"
    assert len(slugify("x" * 200)) == 80


# One test per SeedError reason: each names the file and line and says what to do.
@pytest.mark.parametrize(
    ("name", "content", "line", "phrase"),
    [
        ("utf8.txt", b"Title\n**Primary Article:**\nbad \xff byte\n", 3, "invalid UTF-8"),
        ("nul.txt", b"Title\n\nText\x00here\n", 3, "NUL byte"),
        ("empty.txt", b"", 1, "empty file"),
        ("blank.txt", b"\n  \n\t\n", 1, "empty file"),
        ("notitle.txt", b"**Primary Article:**\nText.\n", 1, "no title"),
        (
            "notext.txt",
            b"Title\n\xe2\x80\x9cTagline\xe2\x80\x9d\n**Primary Article:**\n**Head**\n",
            3,
            "no article text",
        ),
        (
            "unknown.txt",
            b'+++\nurl = "https://e.org"\ncolour = "red"\n+++\nT\n\nText.\n',
            3,
            "unknown front-matter key 'colour'",
        ),
        ("badurl.txt", b'+++\nurl = "javascript:alert(1)"\n+++\nT\n\nText.\n', 2, "http(s) URL"),
        ("unclosed.txt", b'+++\nurl = "https://e.org"\nT\n\nText.\n', 1, "never closed"),
        ("badtoml.txt", b"+++\nurl = \n+++\nT\n\nText.\n", 2, "not valid TOML"),
        ("nomdtitle.md", b"Just text\n", 1, "no title"),
        ("bad.json", b'{"title": "T",\n "text": }', 2, "invalid JSON"),
        ("notext.json", b'{"title": "T"}', 1, "no article text"),
    ],
)
def test_seed_errors(tmp_path: Path, name: str, content: bytes, line: int, phrase: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(SeedError) as caught:
        read_seed(path, tmp_path)
    assert caught.value.line == line
    assert phrase in caught.value.reason
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_file_over_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "Title\n\n" + "word " * 300)
    with pytest.raises(SeedError, match=r"big.txt:1: file is \d+ bytes, over the 1000-byte cap"):
        read_seed(path, tmp_path, max_bytes=1000)


def test_symlink_outside_seeds_folder(tmp_path: Path) -> None:
    outside = write(tmp_path, "secret.txt", "Title\n\nText.\n")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "link.txt").symlink_to(outside)
    (seeds / "inside.txt").symlink_to(write(seeds, "real.txt", "Title\n\nText.\n"))
    stories, errors = read_seeds(seeds)
    assert [s.source for s in stories] == ["inside.txt", "real.txt"]
    assert len(errors) == 1 and "symlink leads outside the seeds folder" in errors[0].reason


def test_one_bad_seed_never_stops_the_others(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", CANONICAL)
    write(tmp_path, "b.txt", b"\xff\xfe")
    write(tmp_path, "c.md", "# T\n\nText.\n")
    write(tmp_path, "notes.csv", "ignored")
    write(tmp_path, "README.md", "# Seeds\n\nAbout this folder.\n")
    stories, errors = read_seeds(tmp_path)
    assert [s.source for s in stories] == ["a.txt", "c.md"]
    assert [e.path.name for e in errors] == ["b.txt"]


# URLs are normalised once, here: every renderer then writes the same ASCII URI.
@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "fm.txt",
            '+++\nurl = "https://bücher.example/ข่าว"\nimage = "https://example.org/ภาพ.jpg"\n'
            "+++\nT\n\nText.\n",
        ),
        (
            "j.json",
            json.dumps(
                {
                    "title": "T",
                    "text": "Text.",
                    "url": "https://bücher.example/ข่าว",
                    "image": "https://example.org/ภาพ.jpg",
                }
            ),
        ),
    ],
)
def test_url_and_image_become_ascii_uris(tmp_path: Path, name: str, content: str) -> None:
    story = read_seed(write(tmp_path, name, content))
    assert story.url == "https://xn--bcher-kva.example/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7"
    assert story.image == "https://example.org/%E0%B8%A0%E0%B8%B2%E0%B8%9E.jpg"


@pytest.mark.parametrize(
    ("name", "content", "line", "phrase"),
    [
        (
            "nl.txt",
            '+++\ndate = 2025-02-04\nurl = "https://x.org\\n"\n+++\nT\n\nX.\n',
            3,
            "ends with",
        ),
        ("sp.txt", '+++\nurl = "https://x.org/a "\n+++\nT\n\nX.\n', 2, "ends with whitespace"),
        ("zw.txt", '+++\nimage = "https://x.org/\\u200b"\n+++\nT\n\nX.\n', 2, "U+200B"),
        ("bidi.json", '{"title": "T", "text": "X.",\n"url": "https://x.org/\\u202e"}', 2, "U+202E"),
        ("nl.json", '{"title": "T", "text": "X.",\n"url": "https://x.org\\n"}', 2, "ends with"),
    ],
)
def test_url_with_whitespace_or_invisible_characters_is_refused(
    tmp_path: Path, name: str, content: str, line: int, phrase: str
) -> None:
    with pytest.raises(SeedError) as caught:
        read_seed(write(tmp_path, name, content), tmp_path)
    assert caught.value.line == line
    assert "is not an http(s) URL" in caught.value.reason and phrase in caught.value.reason


# Every JSON value has one type; a wrong one is named with its key's line, never published.
def _json_seed(**fields: object) -> str:
    return json.dumps({"title": "T", **fields}, indent=1)


@pytest.mark.parametrize(
    ("fields", "key", "phrase"),
    [
        ({"articles": 5}, "articles", "'articles': must be a list, not a number"),
        ({"articles": "x"}, "articles", "'articles': must be a list, not a string"),
        ({"articles": [5]}, "articles", "'articles[0]': must be an object, not a number"),
        ({"text": None}, "text", "'text': must be a string, not null"),
        ({"text": 5}, "text", "'text': must be a string, not a number"),
        ({"text": ["a"]}, "text", "'text': must be a string, not a list"),
        ({"title": 5, "text": "x"}, "title", "'title': must be a string, not a number"),
        ({"tagline": 5, "text": "x"}, "tagline", "'tagline': must be a string, not a number"),
        (
            {"articles": [{"paragraphs": "abc"}]},
            "paragraphs",
            "'articles[0].paragraphs': must be a list, not a string",
        ),
        (
            {"articles": [{"paragraphs": [1, None]}]},
            "paragraphs",
            "'articles[0].paragraphs[0]': must be a string, not a number",
        ),
        (
            {"articles": [{"headline": 3, "text": "x"}]},
            "headline",
            "'articles[0].headline': must be a string, not a number",
        ),
        (
            {"articles": [{"label": [], "text": "x"}]},
            "label",
            "'articles[0].label': must be a string, not a list",
        ),
        (
            {"articles": [{"text": "x", "colour": "red"}]},
            "colour",
            "'articles[0].colour': Extra inputs are not permitted",
        ),
        ({"text": "x", "tags": "a"}, "tags", 'must be a list of strings, like ["a"]'),
        ({"text": "x", "tags": ["a", 5]}, "tags", "'tags[1]': must be a string, not a number"),
        ({"text": "x", "priority": "high"}, "priority", "must be a whole number, not a string"),
        ({"text": "x", "priority": "3"}, "priority", "must be a whole number, not a string"),
        ({"text": "x", "priority": True}, "priority", "must be a whole number, not true/false"),
        ({"text": "x", "priority": 2.5}, "priority", "must be a whole number, not a number"),
        ({"text": "x", "priority": 10**12}, "priority", "must be between"),
        ({"text": "x", "date": 5}, "date", "must be a date like 2025-02-04"),
        ({"text": "x", "date": "2025-02-30"}, "date", "'2025-02-30' is not an ISO 8601 date"),
        ({"text": "x", "date": "soon"}, "date", "is not an ISO 8601 date"),
        ({"text": "x", "url": 7}, "url", "'url': must be a string, not a number"),
        ({"text": "x", "image": ["https://e.org"]}, "image", "must be a string, not a list"),
        ({"text": "x", "author": {"name": "A"}}, "author", "must be a string, not an object"),
        ({"text": "x", "language": None}, "language", "must be a string, not null"),
    ],
)
def test_json_field_of_the_wrong_type(
    tmp_path: Path, fields: dict[str, object], key: str, phrase: str
) -> None:
    text = _json_seed(**fields)
    with pytest.raises(SeedError) as caught:
        read_seed(write(tmp_path, "wrong.json", text), tmp_path)
    assert phrase in caught.value.reason
    lines = text.split("\n")
    assert f'"{key}"' in lines[caught.value.line - 1], (caught.value.line, text)


def test_json_dates_are_iso_strings_and_never_numbers(tmp_path: Path) -> None:
    seed = _json_seed(
        date="2025-02-04T09:30:00+01:00",
        articles=[{"headline": None, "text": "One."}, {"label": "Other", "paragraphs": ["Two."]}],
    )
    story = read_seed(write(tmp_path, "ok.json", seed))
    assert story.date is not None and story.date.isoformat() == "2025-02-04T09:30:00+01:00"
    assert [(a.label, a.headline) for a in story.articles] == [("Main", None), ("Other", None)]
    plain = read_seed(write(tmp_path, "day.json", _json_seed(text="x", date="2025-02-04")))
    assert str(plain.date) == "2025-02-04"
    # A number is no date: lax parsing read 1700000000 as a Unix time.
    with pytest.raises(SeedError, match="must be a date like 2025-02-04"):
        read_seed(write(tmp_path, "unix.json", _json_seed(text="x", date=1_700_000_000)))


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"title": "T", "text": "x", "tags": ' + "[" * 5_000 + "]" * 5_000 + "}", "nested"),
        ('{"title": "T", "text": "x", "priority": ' + "1" * 5_000 + "}", "number too long"),
        ("[1, 2]", "not a list"),
        ('"just a string"', "not a string"),
    ],
)
def test_json_too_deep_too_long_or_not_an_object(tmp_path: Path, content: str, phrase: str) -> None:
    with pytest.raises(SeedError, match=r"deep\.json:1: ") as caught:
        read_seed(write(tmp_path, "deep.json", content), tmp_path)
    assert phrase in caught.value.reason


@pytest.mark.parametrize(
    ("content", "line", "phrase"),
    [
        ('{"title": "T",\n"text": "a\\u0000b"}', 2, "NUL character"),
        ('{"title": "T\\ud800",\n"text": "x"}', 1, "lone surrogate"),
        ('{"title": "T",\n"text": "x", "tags": ["\\udfff"]}', 2, "lone surrogate"),
    ],
)
def test_json_escapes_that_are_no_text(
    tmp_path: Path, content: str, line: int, phrase: str
) -> None:
    with pytest.raises(SeedError) as caught:
        read_seed(write(tmp_path, "esc.json", content), tmp_path)
    assert (caught.value.line, phrase in caught.value.reason) == (line, True)
    str(caught.value).encode("utf-8")


def test_json_surrogate_pairs_are_text_and_lone_ones_are_refused(tmp_path: Path) -> None:
    story = read_seed(write(tmp_path, "emoji.json", '{"title": "T \\ud83d\\ude00", "text": "x"}'))
    assert story.title == "T 😀"
    with pytest.raises(SeedError, match="lone surrogate"):
        read_seed(write(tmp_path, "half.json", '{"title": "T \\ud83d", "text": "x"}'))


# TOML front matter: depth, sizes and types that tomllib or pydantic would raise on.
@pytest.mark.parametrize(
    ("matter", "line", "phrase"),
    [
        ("a = " + "[" * 5_000 + "]" * 5_000, 2, "nested too deeply"),
        ("a = " + "{b=" * 5_000 + "1" + "}" * 5_000, 2, "nested too deeply"),
        ("tags" + ".b" * 5_000 + " = 1", 2, "'tags': must be a list, not an object"),
        ("priority = " + "1" * 5_000, 2, "number too long"),
        ('priority = "3"', 2, "must be a whole number, not a string"),
        ("priority = true", 2, "must be a whole number, not true/false"),
        ("priority = 3.0", 2, "must be a whole number, not a number"),
        ("date = 07:32:00", 2, "must be a date like 2025-02-04"),
        ('date = "2025-13-01"', 2, "is not an ISO 8601 date"),
        ('tags = "a"', 2, 'must be a list of strings, like ["a"]'),
        ('author = "a\\u0000b"', 2, "NUL character"),
    ],
)
def test_front_matter_too_deep_or_of_the_wrong_type(
    tmp_path: Path, matter: str, line: int, phrase: str
) -> None:
    path = write(tmp_path, "fm.txt", f"+++\n{matter}\n+++\nT\n\nText.\n")
    with pytest.raises(SeedError) as caught:
        read_seed(path, tmp_path)
    assert caught.value.line == line
    assert phrase in caught.value.reason


def test_front_matter_dates_are_toml_dates_or_iso_strings_never_times(tmp_path: Path) -> None:
    text = "+++\ndate = 2025-02-04T09:30:00Z\n+++\nT\n\nText.\n"
    story = read_seed(write(tmp_path, "d.txt", text))
    assert story.date is not None and story.date.isoformat() == "2025-02-04T09:30:00+00:00"
    quoted = read_seed(write(tmp_path, "q.txt", '+++\ndate = "2025-02-04"\n+++\nT\n\nText.\n'))
    assert str(quoted.date) == "2025-02-04"
    with pytest.raises(SeedError, match="not a time"):
        read_seed(write(tmp_path, "t.txt", "+++\ndate = 07:32:00\n+++\nT\n\nText.\n"))


# A section marker is found in linear time: the old pattern backtracked cubically over spaces.
OLD_ARTICLE = re.compile(r"^\*\*\s*(?P<label>[^*]*?)\s*Article\s*:\s*\*\*\s*$", re.IGNORECASE)
MARKER_PARTS = [
    "*",
    "**",
    " ",
    "\t",
    "\u00a0",
    "Article",
    "ARTICLE",
    "articl",
    "e",
    ":",
    "Primary",
    "İ",
]


@given(st.lists(st.sampled_from(MARKER_PARTS), max_size=10).map("".join))
def test_section_markers_are_the_ones_the_old_pattern_found(line: str) -> None:
    old = OLD_ARTICLE.match(line.strip())
    assert article_label(line) == (old.group("label") if old else None)


def test_a_line_of_many_spaces_after_stars_is_read_in_linear_time(tmp_path: Path) -> None:
    path = write(tmp_path, "spaces.txt", "Title\n\n**" + " " * 50_000 + "x\n")
    code = (
        "import sys; from pathlib import Path; from digest.seeds import read_seed; "
        "print(read_seed(Path(sys.argv[1])).articles[0].paragraphs[0])"
    )
    # A subprocess: a regex stuck in C holds the GIL, so only a kill ends a regression.
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip() == "** x", result.stderr


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ('source = "city-news"\nguid = "tag:example.org,2026:12"', None),
        ('source = "city-news"', None),
        ("guid = 12", "front-matter key 'guid'"),
        ('source = ""', "front-matter key 'source'"),
        ('guid = "' + "g" * 501 + '"', "front-matter key 'guid'"),
    ],
)
def test_a_fetched_seeds_provenance_is_read_and_not_the_storys(
    tmp_path: Path, lines: str, error: str | None
) -> None:
    """`source` and `guid` (written by `digest fetch`) are front-matter keys; the story's own
    `source` stays its file name."""
    path = tmp_path / "city-news-ferry.txt"
    example = EXAMPLE_SEED.read_text(encoding="utf-8")
    assert example.startswith("+++\n")
    path.write_text(f"+++\n{lines}\n{example[4:]}", encoding="utf-8")
    if error is None:
        assert read_seed(path).source == "city-news-ferry.txt"
        return
    with pytest.raises(SeedError, match=re.escape(error)):
        read_seed(path)
