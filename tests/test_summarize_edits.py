"""An editor's overrides applied to a generated summary: replaced, marked, held to the
summarizer's limits, and their ungrounded numbers and names warned about, never refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.factories import example_story

from digest.models import Editor, Summary
from digest.seeds.edits import Edits, EditsError, parse_edits
from digest.seeds.edits_values import text_problem
from digest.summarize import BULLET_MAX, HEADLINE_MAX, TAGLINE_MAX, summarize
from digest.summarize.edits import (
    LIMITS,
    Limits,
    apply_edits,
    edit_warnings,
    generated_problems,
    located_warnings,
)
from digest.summarize.grounding import ungrounded

STORY = example_story()
SUMMARY = summarize(STORY)  # four bullets
FILE = "000_5d8e33db419e59d4.edits.toml"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _edits(text: str) -> Edits:
    return parse_edits(text, FILE)


def test_the_generated_summary_of_the_example_has_four_bullets() -> None:
    assert len(SUMMARY.bullets) == 4 and not ungrounded(STORY, SUMMARY)


@pytest.mark.parametrize(
    ("text", "changed", "edited"),
    [
        (
            'headline = "Bukele offers prisons"',
            {"headline": "Bukele offers prisons"},
            ("headline",),
        ),
        ('tagline = "A deal on migrants"', {"tagline": "A deal on migrants"}, ("tagline",)),
        ('hashtags = ["Bukele"]', {"hashtags": ("Bukele",)}, ("hashtags",)),
        ("hashtags = []", {"hashtags": ()}, ("hashtags",)),
        (
            '[bullets]\n1 = "Bukele made an offer."\n4 = "Cuba was named."',
            {"bullets": ("Bukele made an offer.", *SUMMARY.bullets[1:3], "Cuba was named.")},
            ("bullets.1", "bullets.4"),
        ),
        (
            # As readers get it: on one line, one space between words.
            'headline = "  Bukele   offers\u00a0prisons "',
            {"headline": "Bukele offers prisons"},
            ("headline",),
        ),
    ],
)
def test_each_override_replaces_its_part_and_marks_it_edited(
    text: str, changed: dict[str, object], edited: tuple[str, ...]
) -> None:
    summary = apply_edits(SUMMARY, _edits(text))
    assert summary.edited == edited and summary.editor is None
    kept = {k: v for k, v in SUMMARY.model_dump().items() if k not in ("sources", "edited")}
    assert {k: v for k, v in summary.model_dump().items() if k in kept} == kept | changed


def test_an_edited_part_has_no_sources_and_the_others_keep_theirs() -> None:
    summary = apply_edits(SUMMARY, _edits('headline = "H"\n[bullets]\n2 = "Two."'))
    assert summary.sources.headline == ()
    assert summary.sources.tagline == SUMMARY.sources.tagline
    assert summary.sources.bullets == (
        SUMMARY.sources.bullets[0],
        (),
        *SUMMARY.sources.bullets[2:],
    )


@pytest.mark.parametrize(
    ("text", "editor"),
    [
        ('by = "Ana"\nat = 2026-12-01T09:00:00Z\nheadline = "H"', Editor(by="Ana", at=AT)),
        ('by = "Ana"\nheadline = "H"', Editor(by="Ana", at=None)),
        ('at = 2026-12-01T09:00:00Z\nheadline = "H"', Editor(by=None, at=AT)),
        ('headline = "H"', None),
    ],
)
def test_the_editor_is_recorded_as_the_file_gives_it(text: str, editor: Editor | None) -> None:
    summary = apply_edits(SUMMARY, _edits(text))
    assert summary.editor == editor
    assert Summary.model_validate(summary.model_dump(mode="json")) == summary


@pytest.mark.parametrize("text", ["", "drop = true", "rank = 3", 'by = "Ana"\ndrop = false'])
def test_edits_that_replace_no_text_leave_the_summary_as_it_was(text: str) -> None:
    assert apply_edits(SUMMARY, _edits(text)) is SUMMARY


def test_an_unedited_summary_writes_no_edited_or_editor_key() -> None:
    assert "edited" not in SUMMARY.model_dump(mode="json")
    assert "editor" not in SUMMARY.model_dump_json()
    edited = apply_edits(SUMMARY, _edits('by = "Ana"\ntagline = "T"'))
    assert edited.model_dump(mode="json")["edited"] == ["tagline"]
    assert edited.model_dump(mode="json")["editor"] == {"by": "Ana", "at": None}


# Each limit: at it passes, one over it is refused at the key's line, saying what to do.
LIMIT_CASES = [
    ("headline", HEADLINE_MAX, "\n\nheadline = {q}", 3, "over the 70 a headline may have"),
    ("tagline", TAGLINE_MAX, "tagline = {q}", 1, "over the 120 a tagline may have"),
    ("bullets.2", BULLET_MAX, "[bullets]\n2 = {q}", 2, "bullets.2: 201 characters, over the 200"),
]


@pytest.mark.parametrize(("key", "limit", "layout", "line", "words"), LIMIT_CASES)
def test_edited_text_keeps_the_summarizers_length_limits(
    key: str, limit: int, layout: str, line: int, words: str
) -> None:
    fits = apply_edits(SUMMARY, _edits(layout.format(q='"' + "a" * limit + '"')))
    assert key in fits.edited
    with pytest.raises(EditsError) as caught:
        apply_edits(SUMMARY, _edits(layout.format(q='"' + "a" * (limit + 1) + '"')))
    error = caught.value
    assert (str(error.path), error.line) == (FILE, line)
    assert words in error.reason and "shorten it" in error.reason


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            '[bullets]\n5 = "Five."',
            2,
            "bullets.5: the summary has 4 bullets, so there is no bullet 5",
        ),
        ('[bullets]\n9 = "Nine."', 2, "number it 1 to 4, or remove it"),
        (
            'hashtags = ["A1", "B1", "C1", "D1", "E1", "F1"]',
            1,
            "hashtags: 6 of them, over the 5 a story may have",
        ),
        (f'\nhashtags = ["{"A" * 41}"]', 2, "is 41 characters, over 40"),
    ],
)
def test_bullets_the_summary_lacks_and_too_many_hashtags_are_refused(
    text: str, line: int, words: str
) -> None:
    with pytest.raises(EditsError) as caught:
        apply_edits(SUMMARY, _edits(text))
    assert caught.value.line == line and words in caught.value.reason


def test_every_limit_broken_is_listed_in_line_order() -> None:
    text = f'headline = "{"h" * 71}"\ntagline = "ok"\n[bullets]\n7 = "x"\n1 = "{"b" * 201}"'
    with pytest.raises(EditsError) as caught:
        apply_edits(SUMMARY, _edits(text))
    assert [p.line for p in caught.value.problems] == [1, 4, 5]


def test_limits_can_be_given() -> None:
    tight = Limits(headline=5, tagline=5, bullet=5, hashtags=1, tag=3)
    assert apply_edits(SUMMARY, _edits('headline = "Short"'), tight).headline == "Short"
    for text in ('headline = "Longer"', 'hashtags = ["Ab", "Cd"]', 'hashtags = ["Abcd"]'):
        with pytest.raises(EditsError):
            apply_edits(SUMMARY, _edits(text), tight)
    assert Limits(HEADLINE_MAX, TAGLINE_MAX, BULLET_MAX, 5, 40) == LIMITS


_LINE = st.text(min_size=1, max_size=240).filter(lambda text: text_problem(text) is None)


@given(text=_LINE, key=st.sampled_from(["headline", "tagline", "bullets.1", "bullets.4"]))
def test_any_text_is_published_as_one_line_or_refused_over_its_limit(text: str, key: str) -> None:
    name, _, number = key.partition(".")
    layout = f"[bullets]\n{number} = {{q}}" if number else f"{name} = {{q}}"
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    edits = _edits(layout.format(q=quoted))
    line = " ".join(text.split())
    limit = {"headline": HEADLINE_MAX, "tagline": TAGLINE_MAX, "bullets": BULLET_MAX}[name]
    if len(line) > limit:
        with pytest.raises(EditsError, match=f"{key}: {len(line)} characters, over the {limit}"):
            apply_edits(SUMMARY, edits)
        return
    summary = apply_edits(SUMMARY, edits)
    shown = summary.bullets[int(number) - 1] if number else getattr(summary, name)
    assert shown == line and summary.edited == (key,)
    assert summary.story_id == SUMMARY.story_id


# --- grounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "warnings"),
    [
        ('headline = "Bukele offers prisons to the U.S."', []),
        (
            'headline = "Bukele offers 77,777 places"',
            ["headline: number '77,777' is not in the seed"],
        ),
        ('tagline = "Paris talks on migrants"', ["tagline: name 'Paris' is not in the seed"]),
        (
            '[bullets]\n2 = "Bukele met Trudeau on March 9."',
            [
                "bullets.2: number '9' is not in the seed",
                "bullets.2: name 'Trudeau' is not in the seed",
                "bullets.2: name 'March' is not in the seed",
            ],
        ),
        # Each sentence an editor writes opens with a capital, which is no name.
        ('[bullets]\n1 = "Bukele offered prisons. Also, the offer was made."', []),
        (
            '[bullets]\n1 = "Bukele offered prisons! Also Trudeau."',
            [
                "bullets.1: name 'Trudeau' is not in the seed",
            ],
        ),
        ('hashtags = ["Bukele", "ElSalvador", "immigration"]', []),  # case aside, in the seed
        (
            'hashtags = ["Bukele", "Transport"]',
            ["hashtags: hashtag 'Transport' is not in the seed"],
        ),
    ],
)
def test_ungrounded_numbers_and_names_of_edited_text_are_warnings(
    text: str, warnings: list[str]
) -> None:
    summary = apply_edits(SUMMARY, _edits(text))
    assert sorted(edit_warnings(STORY, summary)) == sorted(warnings)
    assert generated_problems(STORY, summary) == []  # what the summarizer wrote is grounded


def test_located_warnings_name_the_file_and_the_keys_line() -> None:
    edits = _edits('# notes\n\n[bullets]\n3 = "Trudeau agreed."')
    summary = apply_edits(SUMMARY, edits)
    assert located_warnings(STORY, summary, edits) == [
        f"{FILE}:4: bullets.3: name 'Trudeau' is not in the seed "
        "(a warning: edited text is sent as written)"
    ]


def test_the_summarizers_own_ungrounded_text_is_still_refused_unless_edited_away() -> None:
    invented = SUMMARY.model_copy(
        update={
            "headline": "Trudeau backs Bukele",
            "bullets": (SUMMARY.bullets[0], "Ottawa agreed in 1999.", *SUMMARY.bullets[2:]),
        }
    )
    assert len(ungrounded(STORY, invented)) == 3  # Trudeau, 1999, Ottawa
    # The editor rewrote the invented bullet: only the generated headline is refused.
    summary = apply_edits(invented, _edits('[bullets]\n2 = "Bukele made an offer."'))
    assert generated_problems(STORY, summary) == ["headline: name 'Trudeau' is not in the seed"]
    # Both rewritten, with names the seed lacks: warnings only.
    summary = apply_edits(invented, _edits('headline = "Ottawa"\n[bullets]\n2 = "Ottawa"'))
    assert generated_problems(STORY, summary) == []
    assert edit_warnings(STORY, summary) == [
        "headline: name 'Ottawa' is not in the seed",
        "bullets.2: name 'Ottawa' is not in the seed",
    ]
