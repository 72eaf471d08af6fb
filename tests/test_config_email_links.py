"""`[email] merge_tags`, `unsubscribe_url`, `preferences_url` and `web_url`: an ESP's exact tags
or https URLs, a clear message for every mismatch, and web_url's placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.factories import ROOT

from digest.config import load_config
from digest.config.email_links import (
    ESPS,
    WEB_PLACEHOLDERS,
    check_link,
    fill_web_url,
    inert,
    tag_of,
    web_url,
    web_url_regex,
)
from digest.errors import ConfigError

EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")
UNSUBSCRIBE = (
    'unsubscribe_url = "https://example.org/unsubscribe"  # one-click (RFC 8058), https only\n'
)
PREFERENCES = 'preferences_url = "https://example.org/preferences"\n'
PRESETS = ["none", *ESPS]
EVERY_TAG = [
    (preset, role, tag)
    for preset, esp in ESPS.items()
    for role in ("unsubscribe", "preferences")
    for tag in getattr(esp, role)
]


def config(tmp_path: Path, email: str, *, unsubscribe: str | None = UNSUBSCRIBE) -> Path:
    """The example config with `email` added to [email] and its unsubscribe line replaced."""
    text = EXAMPLE.replace(UNSUBSCRIBE, unsubscribe or "", 1).replace(PREFERENCES, "", 1)
    text = text.replace('\nmerge_tags = "none"\n', "\n", 1)
    text = text.replace("\n[email.utm]", f"{email}\n\n[email.utm]", 1)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path / "config.toml"


def problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def test_the_tags_are_the_documented_ones() -> None:
    # Each from the ESP's own documentation (the sources are named in email_links).
    assert {p: (e.unsubscribe, e.preferences) for p, e in ESPS.items()} == {
        "listmonk": (("{{ UnsubscribeURL }}",), ("{{ UnsubscribeURL }}?manage=true",)),
        "mailchimp": (("*|UNSUB|*",), ("*|UPDATE_PROFILE|*",)),
        "ses": (("{{amazonSESUnsubscribeUrl}}",), ()),
        "postmark": (("{{{ pm:unsubscribe }}}",), ()),
        "sendgrid": (
            ("<%asm_group_unsubscribe_raw_url%>", "<%asm_global_unsubscribe_raw_url%>"),
            ("<%asm_preferences_raw_url%>",),
        ),
    }


def test_the_default_is_none_and_the_static_links_stay(tmp_path: Path) -> None:
    email = load_config(ROOT / "config.toml").email
    assert (email.merge_tags, email.unsubscribe_url, email.web_url) == (
        "none",
        "https://example.org/unsubscribe",
        None,
    )


@pytest.mark.parametrize("preset", list(ESPS))
def test_a_preset_without_unsubscribe_url_uses_its_tag(tmp_path: Path, preset: str) -> None:
    email = load_config(config(tmp_path, f'merge_tags = "{preset}"', unsubscribe=None)).email
    assert email.unsubscribe_url == ESPS[preset].unsubscribe[0]
    assert email.preferences_url is None  # a preferences link only when asked for


@pytest.mark.parametrize(("preset", "role", "tag"), EVERY_TAG)
def test_each_tag_is_taken_for_its_own_link(
    tmp_path: Path, preset: str, role: str, tag: str
) -> None:
    key = f"{role}_url"
    line = f'{key} = "{tag}"'
    path = config(tmp_path, f'merge_tags = "{preset}"\n{line}', unsubscribe=None)
    assert getattr(load_config(path).email, key) == tag
    assert tag_of(tag, preset) == tag


@pytest.mark.parametrize("preset", PRESETS)
def test_an_https_preferences_page_is_taken_with_any_preset(preset: str) -> None:
    page = "https://example.org/preferences"
    assert check_link("preferences_url", page, preset) == page


def test_a_static_unsubscribe_link_is_taken_only_without_an_esp() -> None:
    assert check_link("unsubscribe_url", "https://e.org/leave", "none") == "https://e.org/leave"


@pytest.mark.parametrize("preset", list(ESPS))
def test_a_static_unsubscribe_link_with_an_esp_is_refused_and_the_tag_named(
    tmp_path: Path, preset: str
) -> None:
    """A new user who only sets merge_tags keeps the example's static link: refused, with the
    tag to write, since it would unsubscribe no one."""
    path = config(tmp_path, f'merge_tags = "{preset}"')
    [(key, message)] = problems(path)
    assert key == "email.unsubscribe_url"
    assert "same link for every reader" in message and ESPS[preset].unsubscribe[0] in message


@pytest.mark.parametrize(
    ("preset", "key", "value", "phrase"),
    [
        # An ESP's tag with "none": name the preset to choose.
        ("none", "unsubscribe_url", "*|UNSUB|*", 'set email.merge_tags = "mailchimp"'),
        ("none", "unsubscribe_url", "{{ UnsubscribeURL }}", 'merge_tags = "listmonk"'),
        ("none", "preferences_url", "<%asm_preferences_raw_url%>", 'merge_tags = "sendgrid"'),
        ("none", "unsubscribe_url", "{{{ pm:unsubscribe }}}", 'merge_tags = "postmark"'),
        ("none", "unsubscribe_url", "{{amazonSESUnsubscribeUrl}}", 'merge_tags = "ses"'),
        # Another ESP's tag: name both ways out.
        ("listmonk", "unsubscribe_url", "*|UNSUB|*", "{{ UnsubscribeURL }} (listmonk's"),
        ("listmonk", "unsubscribe_url", "*|UNSUB|*", 'or set merge_tags = "mailchimp"'),
        ("mailchimp", "unsubscribe_url", "<%asm_group_unsubscribe_raw_url%>", "*|UNSUB|*"),
        # The ESP's other tag.
        ("mailchimp", "unsubscribe_url", "*|UPDATE_PROFILE|*", "Mailchimp's preferences tag"),
        ("sendgrid", "preferences_url", "<%asm_group_unsubscribe_raw_url%>", "unsubscribe tag"),
        # No preferences tag at all.
        ("ses", "preferences_url", "{{amazonSESUnsubscribeUrl}}", "Amazon SES has no preferences"),
        ("postmark", "preferences_url", "{{{ pm:unsubscribe }}}", "Postmark has no preferences"),
        # Near misses: the exact spelling.
        (
            "listmonk",
            "unsubscribe_url",
            "{{UnsubscribeURL}}",
            "write it exactly {{ UnsubscribeURL }}",
        ),
        ("mailchimp", "unsubscribe_url", "*|unsub|*", "write it exactly *|UNSUB|*"),
        ("postmark", "unsubscribe_url", "{{{pm:unsubscribe}}}", "exactly {{{ pm:unsubscribe }}}"),
        # Unknown tags and text that is no link.
        ("listmonk", "unsubscribe_url", "{{ .Subscriber.UUID }}", "no merge tag digest knows"),
        ("none", "unsubscribe_url", "[[unsubscribe]]", "needs its merge_tags preset"),
        ("sendgrid", "unsubscribe_url", '"><script>x</script>', "cannot carry as is"),
        ("none", "unsubscribe_url", "http://example.org/unsubscribe", "https://"),
    ],
)
def test_a_mismatch_says_what_to_write(preset: str, key: str, value: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=re.escape(phrase)):
        check_link(key, value, preset)


def test_validate_names_the_key_of_a_wrong_tag(tmp_path: Path) -> None:
    email = 'merge_tags = "listmonk"\npreferences_url = "*|UPDATE_PROFILE|*"'
    path = config(tmp_path, email, unsubscribe=None)
    assert [key for key, _ in problems(path)] == ["email.preferences_url"]


def test_a_tag_with_merge_tags_none_is_one_problem_of_its_key(tmp_path: Path) -> None:
    path = config(tmp_path, "", unsubscribe='unsubscribe_url = "*|UNSUB|*"\n')
    (key, message), *rest = problems(path)
    assert (key, rest) == ("email.unsubscribe_url", [])
    assert 'merge_tags = "mailchimp"' in message


def test_an_unknown_preset_is_refused_alone(tmp_path: Path) -> None:
    path = config(tmp_path, 'merge_tags = "mailgun"', unsubscribe=None)
    assert [key for key, _ in problems(path)] == ["email.merge_tags", "email.unsubscribe_url"]


def test_a_static_unsubscribe_link_keeps_its_header_limit() -> None:
    with pytest.raises(ValueError, match="at most 900"):
        check_link("unsubscribe_url", "https://example.org/" + "a" * 950, "none")
    with pytest.raises(ValueError, match="RFC 2047"):
        check_link("unsubscribe_url", "https://example.org/?=?x", "none")


@given(
    st.text(max_size=60), st.sampled_from(PRESETS), st.sampled_from(["unsubscribe", "preferences"])
)
def test_only_exact_tags_or_clean_https_urls_pass(value: str, preset: str, role: str) -> None:
    try:
        taken = check_link(f"{role}_url", value, preset)
    except ValueError:
        return
    tags = getattr(ESPS[preset], role) if preset in ESPS else ()
    assert taken in tags or (taken.startswith("https://") and not set(taken) & set('<>"\\ {}'))


@pytest.mark.parametrize(
    ("pattern", "filled"),
    [
        (
            "https://example.org/archive/{date}/{slot}/",
            "https://example.org/archive/2026-11-28/morning-0800/",
        ),
        (
            "https://example.org/{schedule}/{date}.html",
            "https://example.org/morning/2026-11-28.html",
        ),
        ("https://example.org/latest", "https://example.org/latest"),
    ],
)
def test_web_url_fills_its_placeholders(pattern: str, filled: str) -> None:
    assert web_url(pattern) == pattern
    assert fill_web_url(pattern, **WEB_PLACEHOLDERS) == filled
    assert web_url_regex(pattern).fullmatch(filled)


@pytest.mark.parametrize(
    ("pattern", "phrase"),
    [
        ("https://example.org/{day}/", "unknown placeholder {day}"),
        ("https://example.org/{Date}/", "unknown placeholder {Date}"),
        ("https://example.org/{}/", "unknown placeholder {}"),
        ("http://example.org/{date}/", "is not an https:// URL"),
        ("https://example.org/a b/{date}/", "%20"),
        ("https://127.0.0.1/{date}/", "loopback"),
        ("https://example.org/" + "a" * 950, "a List-Archive link may have at most 900"),
        ("https://example.org/?=?{date}", "RFC 2047"),
    ],
)
def test_a_wrong_web_url_says_why(pattern: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=re.escape(phrase)):
        web_url(pattern)


def test_validate_names_web_url(tmp_path: Path) -> None:
    path = config(tmp_path, 'web_url = "https://example.org/{slots}/"')
    [(key, message)] = problems(path)
    assert key == "email.web_url"
    assert "{date}, {slot}, {schedule}" in message


@pytest.mark.parametrize(
    "other",
    [
        "https://example.org/archive/2026-11-28/",
        "https://example.org/archive/28-11-2026/morning-0800/",
        "https://example.org/archive/2026-11-28/morning/",
        "https://example.org/archive/2026-11-28/morning-0800/x",
        "https://evil.example/archive/2026-11-28/morning-0800/",
    ],
)
def test_the_web_url_regex_matches_only_the_pattern(other: str) -> None:
    assert not web_url_regex("https://example.org/archive/{date}/{slot}/").fullmatch(other)


@given(st.text(alphabet=st.sampled_from("{}*|<%> aZ"), max_size=40) | st.text(max_size=40))
def test_inert_text_holds_no_template_pair_and_only_gains_spaces(text: str) -> None:
    made = inert(text)
    assert not re.search(r"\{\{|\}\}|\*\||\|\*|<%|%>", made)
    assert made.replace(" ", "") == text.replace(" ", "")
    assert inert(made) == made


def test_web_url_is_checked_with_each_schedules_own_name(tmp_path: Path) -> None:
    """A pattern that fits with the sample name but not with a long schedule's: validate says
    so, naming web_url, rather than the build failing later."""
    long_name = "a" * 40
    pattern = "https://example.org/" + "b" * 845 + "/{slot}/{schedule}/{schedule}"
    web_url(pattern)  # fits with the sample name (morning)
    path = config(tmp_path, f'web_url = "{pattern}"')
    text = path.read_text(encoding="utf-8").replace('name = "morning"', f'name = "{long_name}"')
    path.write_text(text, encoding="utf-8")
    [(key, message)] = problems(path)
    assert key == "email.web_url"
    assert "List-Archive link may have at most 900" in message and long_name in message
