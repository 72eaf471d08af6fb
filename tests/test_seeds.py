"""The seed reader: every accepted layout, and one test per SeedError reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import EXAMPLE_SEED

from digest.errors import SeedError
from digest.seeds import read_seed, read_seeds, slugify

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
