"""The post renderer fills a template as Template.render does, for any template and fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined, UndefinedError

from digest.render.social.common import _filler
from digest.render.templates import THEME, text_env

THEMES = sorted(p.name for p in (THEME / "social").glob("*.txt.j2"))
WORDS = st.text(st.characters(codec="utf-8"), max_size=20)
FIELDS = st.fixed_dictionaries(
    {
        "headline": WORDS,
        "tagline": WORDS,
        "url": st.none() | WORDS,
        "hashtags": st.lists(WORDS, max_size=3).map(tuple),
        "bullets": st.lists(WORDS, max_size=4).map(tuple),
        "thread": st.booleans(),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(THEMES), FIELDS)
def test_theme_templates_fill_as_render(name: str, fields: dict[str, Any]) -> None:
    template = text_env(Path("/nonexistent")).get_template(f"social/{name}")
    assert _filler(template)(fields) == template.render(fields)


ODD = {
    "base.j2": "[{% block body %}base{% endblock %}]{{ range(2) | list }}",
    "child.j2": (
        '{% extends "base.j2" %}{% set n = namespace(k=0) %}'
        "{% block body %}{{ super() }}:{{ headline }}{{ cycler('a', 'b').next() }}{% endblock %}"
    ),
    "globals.j2": "{% set local = headline * 2 %}{{ local }}{{ dict(a=1) }}{{ joiner()() }}",
    "missing.j2": "{{ headline }}{{ nowhere }}",
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_inheritance_globals_and_errors_as_render(name: str) -> None:
    environment = Environment(loader=DictLoader(ODD), undefined=StrictUndefined)
    template = environment.get_template(name)
    fields = {"headline": "H"}
    if name == "missing.j2":
        with pytest.raises(UndefinedError) as ours:
            _filler(template)(fields)
        with pytest.raises(UndefinedError) as theirs:
            template.render(fields)
        assert str(ours.value) == str(theirs.value)
    else:
        assert _filler(template)(fields) == template.render(fields)
