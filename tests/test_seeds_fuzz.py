"""Whatever a seed file holds, reading it gives a `Story` or a `SeedError`, nothing else.

Arbitrary bytes in each format, arbitrary JSON values in every key of a JSON seed, arbitrary text
and TOML values in `+++` front matter. A `Story` that comes back must be publishable: every
string encodes as UTF-8, its links are ASCII URIs.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.errors import SeedError
from digest.models import Story
from digest.seeds import read_seed
from digest.urls import normalize_url

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ("title", "tagline", "articles", "text", "url", "date", "tags", "priority", "image")
ARTICLE_KEYS = ("label", "headline", "text", "paragraphs")

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ARTICLE = st.dictionaries(st.sampled_from(ARTICLE_KEYS), JSON_VALUES | st.text(max_size=40))
SEED_OBJECT = st.dictionaries(
    st.sampled_from(KEYS),
    JSON_VALUES | st.lists(ARTICLE, max_size=3) | st.text(max_size=40),
    max_size=len(KEYS),
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    # One folder for every example: hypothesis runs many inputs per test function.
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def read_or_seed_error(folder: Path, name: str, content: bytes) -> Story | None:
    path = folder / name
    path.write_bytes(content)
    try:
        story = read_seed(path, folder)
    except SeedError as error:
        assert error.line >= 1 and error.reason
        str(error).encode("utf-8")
        return None
    json.dumps(story.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    for link in (story.url, story.image):
        assert link is None or (normalize_url(link) == link and link.isascii())
    assert story.articles and all(a.paragraphs for a in story.articles)
    return story


@FUZZ
@given(
    st.sampled_from(["s.txt", "s.md", "s.json"]),
    st.sampled_from([b"", b"+++\n", b"\xef\xbb\xbf", b"{", b"# T\n", b"T\n\n"]),
    st.binary(max_size=300),
)
@example("s.txt", b"+++\n", b'url = "https://x.org"\n+++\nT\n\nText.\n')
@example("s.json", b"{", b'"title": "T", "text": "x", "tags": ' + b"[" * 100_000)
@example("s.md", b"+++\n", b"a = " + b"{b=" * 3_000 + b"1" + b"}" * 3_000 + b"\n+++\n# T\n\nx\n")
def test_arbitrary_bytes_give_a_story_or_a_seed_error(
    folder: Path, name: str, prefix: bytes, data: bytes
) -> None:
    read_or_seed_error(folder, name, prefix + data)


@FUZZ
@given(JSON_VALUES)
@example({"title": "T", "articles": 5})
@example({"title": "T", "articles": [{"text": "x", "label": {}}], "date": 1e300})
def test_an_arbitrary_json_document_gives_a_story_or_a_seed_error(folder: Path, value: Any) -> None:
    read_or_seed_error(folder, "doc.json", json.dumps(value).encode())


@FUZZ
@given(SEED_OBJECT, st.booleans())
@example({"title": "T", "text": None}, False)
@example({"title": "T", "articles": [{"paragraphs": [1, None]}]}, True)
def test_arbitrary_values_in_a_json_seed_give_a_story_or_a_seed_error(
    folder: Path, value: dict[str, Any], indent: bool
) -> None:
    text = json.dumps(value, indent=1 if indent else None)
    story = read_or_seed_error(folder, "obj.json", text.encode())
    if story is not None:
        assert "None" not in story.text() or "None" in text


TOML_VALUES = st.one_of(
    st.text(max_size=30).map(json.dumps),  # a TOML basic string is a JSON string, mostly
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "2025-02-04", "2025-02-30", "07:32:00", "2025-02-04T09:30:00Z"]),
    st.lists(st.text(max_size=10).map(json.dumps), max_size=3).map(lambda x: f"[{', '.join(x)}]"),
    st.integers(1, 3_000).map(lambda depth: "[" * depth + "]" * depth),
)


@FUZZ
@given(
    st.lists(
        st.tuples(st.sampled_from((*KEYS[4:], "author", "language")), TOML_VALUES), max_size=4
    ),
    st.text(max_size=80),
)
def test_arbitrary_front_matter_gives_a_story_or_a_seed_error(
    folder: Path, pairs: list[tuple[str, str]], body: str
) -> None:
    matter = "".join(f"{key} = {value}\n" for key, value in pairs)
    text = f"+++\n{matter}+++\nTitle\n\n{body}\n"
    read_or_seed_error(folder, "fm.txt", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.text(max_size=200), st.text(max_size=80))
@example("a = " + "[" * 5_000 + "]" * 5_000, "T\n\nText.")
@example('url = "https://example.org/ข่าว\\n"', "T\n\nText.")
def test_arbitrary_text_as_front_matter_gives_a_story_or_a_seed_error(
    folder: Path, matter: str, body: str
) -> None:
    text = f"+++\n{matter}\n+++\n{body}"
    read_or_seed_error(folder, "raw.md", text.encode("utf-8", "surrogatepass"))
