"""Hostile config.toml values: each is refused by `validate` with its dotted key, never later.

One row per case: the line of the example config it replaces, the new line, the key the
ConfigError must name and a phrase of its message. TOML escapes (`\\u0000`) carry the characters a
file cannot hold raw.
"""

from __future__ import annotations

import os
import threading
from email import message_from_bytes
from email.policy import SMTP
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.email import EXPECTED_HEADERS
from support.factories import ROOT, make_digest
from support.factories import config_problems as problems

from digest.config import Settings, load_config
from digest.errors import ConfigError
from digest.render.email.message import build_eml
from digest.text import visible

EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")
NAME = 'name = "The Morning Digest"'
FROM = 'from = "The Morning Digest <digest@example.org>"'
TO = 'to = "subscribers@lists.example.org"'
UNSUBSCRIBE = 'unsubscribe_url = "https://example.org/unsubscribe"'
MAILTO = 'unsubscribe_mailto = "mailto:unsubscribe@example.org?subject=unsubscribe"'
ICONS = 'social_icons = "https://example.org/static/social/{platform}.png"'
FOOTER = 'footer = "You receive this digest because you subscribed at example.org."'
POSTAL = 'postal_address = "Example Media Ltd, 1 Example Street, London EC1A 1AA, United Kingdom"'
HOSTILE = [
    # durations: bounded, never an OverflowError
    ('catch_up = "6h"', 'catch_up = "99999999999d"', "schedules[0].catch_up", "366 days"),
    ('catch_up = "6h"', 'catch_up = "400d"', "schedules[0].catch_up", "366 days"),
    ('catch_up = "6h"', f'catch_up = "{"9" * 5000}h"', "schedules[0].catch_up", "366 days"),
    # brand.name reaches List-Id and the subject
    (NAME, 'name = "Brand\\nTo: attacker@evil.org"', "brand.name", "U+000A"),
    (NAME, 'name = "Brand\\r\\nBcc: x@evil.org"', "brand.name", "U+000D"),
    (NAME, 'name = "News =?utf-8?q?=0D=0ATo:_attacker@evil.org?="', "brand.name", "encoded word"),
    (NAME, 'name = "Brand\\u2028x"', "brand.name", "LINE SEPARATOR"),
    (NAME, 'name = "Brand\\u2029x"', "brand.name", "PARAGRAPH SEPARATOR"),
    (NAME, 'name = "Brand\\u0085x"', "brand.name", "U+0085"),
    (NAME, 'name = "Brand\\u0000x"', "brand.name", "U+0000"),
    (NAME, 'name = "Brand\\u202ex"', "brand.name", "RIGHT-TO-LEFT OVERRIDE"),
    (NAME, 'name = "Brand\\u2066x"', "brand.name", "LEFT-TO-RIGHT ISOLATE"),
    (NAME, 'name = "   "', "brand.name", "empty"),
    (NAME, f'name = "{"N" * 101}"', "brand.name", "at most 100"),
    # addresses: one address each, that a header keeps as written
    (FROM, 'from = "Digest\\u2028 <digest@example.org>"', "email.from", "LINE SEPARATOR"),
    (FROM, 'from = "=?utf-8?q?=0D=0ABcc:_x@evil.org?= <digest@example.org>"', "email.from", "=?"),
    (FROM, 'from = "digest@example.org, attacker@evil.org"', "email.from", "email address"),
    (FROM, 'from = "Digest: News <digest@example.org>"', "email.from", "double quotes"),
    (FROM, 'from = "Digest <digest@example.org> junk"', "email.from", "email address"),
    (FROM, 'from = "Digest <ü@exämple.org>"', "email.from", "email address"),
    (FROM, 'from = "Digest\\u202e <digest@example.org>"', "email.from", "RIGHT-TO-LEFT"),
    (TO, 'to = "subscribers@lists.example.org\\u2029Bcc: x@evil.org"', "email.to", "U+2029"),
    (TO, 'to = "subscribers@lists.example.org\\nBcc: x@evil.org"', "email.to", "U+000A"),
    (
        'list_id = "digest.example.org"',
        f'list_id = "{"a" * 250}.example.org"',
        "email.list_id",
        "255",
    ),
    # URLs: nothing that needs quoting in an attribute or inside List-Unsubscribe's <...>
    (
        UNSUBSCRIBE,
        'unsubscribe_url = "https://example.org/u\\"onclick=\\"x"',
        "email.unsubscribe_url",
        "%22",
    ),
    (
        UNSUBSCRIBE,
        'unsubscribe_url = "https://example.org/u>,<https://evil.org"',
        "email.unsubscribe_url",
        "%3E",
    ),
    (UNSUBSCRIBE, 'unsubscribe_url = "https://example.org/u\\\\x"', "email.unsubscribe_url", "%5C"),
    (UNSUBSCRIBE, 'unsubscribe_url = "https://example.org/ü"', "email.unsubscribe_url", "%C3%BC"),
    (UNSUBSCRIBE, 'unsubscribe_url = "https://exämple.org/u"', "email.unsubscribe_url", "punycode"),
    (
        UNSUBSCRIBE,
        'unsubscribe_url = "https://example.org/u\\u0000"',
        "email.unsubscribe_url",
        "%00",
    ),
    (
        UNSUBSCRIBE,
        'unsubscribe_url = "https://example.org/u\\u2028"',
        "email.unsubscribe_url",
        "%E2%80%A8",
    ),
    (UNSUBSCRIBE, 'unsubscribe_url = "https://example.org/%zz"', "email.unsubscribe_url", "%25"),
    (
        UNSUBSCRIBE,
        'unsubscribe_url = "https://example.org:99999/u"',
        "email.unsubscribe_url",
        "https://",
    ),
    (UNSUBSCRIBE, 'unsubscribe_url = "https://ex_ample/u"', "email.unsubscribe_url", "host name"),
    (MAILTO, 'unsubscribe_mailto = "mailto:u@example.org>"', "email.unsubscribe_mailto", "%3E"),
    (
        MAILTO,
        'unsubscribe_mailto = "mailto:u@example"',
        "email.unsubscribe_mailto",
        "mailto:",
    ),
    (
        'preferences_url = "https://example.org/preferences"',
        'preferences_url = "https://example.org/p<script>"',
        "email.preferences_url",
        "%3C",
    ),
    (
        'logo_url = "https://example.org/static/logo.png"',
        'logo_url = "https://example.org/l.png\\"onerror=\\"alert(1)"',
        "brand.logo_url",
        "%22",
    ),
    (
        'logo_url = "https://example.org/static/logo.png"',
        'logo_url = "https://10.0.0.1/logo.png"',
        "brand.logo_url",
        "private network",
    ),
    (
        'website = "https://example.org"',
        'website = "https://127.0.0.1/"',
        "brand.website",
        "loopback",
    ),
    (
        'website = "https://example.org"',
        'website = "https://0x7f.1/"',
        "brand.website",
        "0x7f.1",
    ),
    (
        'website = "https://example.org"',
        'website = "https://example.org/\\u00a0"',
        "brand.website",
        "%C2%A0",
    ),
    (
        ICONS,
        'social_icons = "https://example.org/ü/{platform}.png"',
        "brand.social_icons",
        "%C3%BC",
    ),
    (
        'url = "https://x.com/exampledigest"',
        'url = "https://x.com/a\\"b"',
        "platforms.x.url",
        "%22",
    ),
    # links List-Unsubscribe carries as written: one header line (998 at most), no "=?"
    (
        UNSUBSCRIBE,
        f'unsubscribe_url = "https://example.org/u?t={"a" * 878}"',
        "email.unsubscribe_url",
        "at most 900",
    ),
    (
        UNSUBSCRIBE,
        f'unsubscribe_url = "https://example.org/u?t={"a" * 1500}"',
        "email.unsubscribe_url",
        "at most 900",
    ),
    (UNSUBSCRIBE, 'unsubscribe_url = "https://example.org/u?t=?x"', "email.unsubscribe_url", "%3F"),
    (
        MAILTO,
        f'unsubscribe_mailto = "mailto:u@example.org?subject={"s" * 880}"',
        "email.unsubscribe_mailto",
        "at most 900",
    ),
    (
        MAILTO,
        'unsubscribe_mailto = "mailto:u@example.org?s==?q"',
        "email.unsubscribe_mailto",
        "%3F",
    ),
    # groups (`name: addresses;`): a digest is sent to addresses, never to a group
    (TO, 'to = "list: a@example.org;"', "email.to", "a group"),
    (TO, 'to = "a@example.org, Friends: b@example.org;"', "email.to", "a group"),
    (TO, 'to = "undisclosed-recipients:;"', "email.to", "a group"),
    (FROM, 'from = "Team: digest@example.org;"', "email.from", "a group"),
    # format characters that would be silently dropped at build
    (NAME, 'name = "\u200b"', "brand.name", "U+200B ZERO WIDTH SPACE"),
    (NAME, 'name = "Digest \u00ad"', "brand.name", "U+00AD SOFT HYPHEN"),
    (NAME, 'name = "Caf\u034fe Digest"', "brand.name", "U+034F COMBINING GRAPHEME JOINER"),
    (NAME, 'name = "Digest\ufeff"', "brand.name", "U+FEFF"),
    (NAME, 'name = "\u3164"', "brand.name", "U+3164 HANGUL FILLER"),
    (FROM, 'from = "Digest\u200b <digest@example.org>"', "email.from", "U+200B"),
    (TO, 'to = "Subscribers\u2060 <s@lists.example.org>"', "email.to", "U+2060 WORD JOINER"),
    (FOOTER, 'footer = "Thanks\u2060 for reading"', "brand.footer", "U+2060 WORD JOINER"),
    (POSTAL, 'postal_address = "\u200b\u200b"', "brand.postal_address", "U+200B"),
    (POSTAL, 'postal_address = "\ufe0f \u034f"', "brand.postal_address", "visible"),
    # texts shown in the email body
    (FOOTER, 'footer = "Thanks\\u202eevil"', "brand.footer", "RIGHT-TO-LEFT OVERRIDE"),
    (FOOTER, f'footer = "{"f" * 1001}"', "brand.footer", "at most 1000"),
    (POSTAL, 'postal_address = "   "', "brand.postal_address", "empty"),
    (POSTAL, 'postal_address = "1 Street\\u0007"', "brand.postal_address", "U+0007"),
    ('source = "digest"', 'source = "dig\\nest"', "email.utm.source", "U+000A"),
    ('campaign = "{schedule}"', f'campaign = "{"c" * 101}"', "email.utm.campaign", "at most 100"),
    ('medium = "email"', 'medium = ""', "email.utm.medium", "at least 1"),
    # CSS: a font list is names and commas, each quote closed
    (
        'font_family = "Helvetica, Arial, sans-serif"',
        'font_family = "\'Helvetica, Arial"',
        "brand.font_family",
        "single quotes",
    ),
    # paths: no NUL, no control character, not empty
    ('outbox = "outbox"', 'outbox = "out\\u0000box"', "paths.outbox", "U+0000"),
    ('outbox = "outbox"', 'outbox = ""', "paths.outbox", "empty"),
    ('seeds = "seeds"', 'seeds = "se\\neds"', "paths.seeds", "U+000A"),
    ('templates = "templates"', f'templates = "{"t" * 300}"', "paths.templates", "255 bytes"),
    # numbers and names with a bound
    ("max_bytes = 1000000", "max_bytes = 100000000000000000000", "seeds.max_bytes", "less than"),
    (
        'timezone = "Europe/London"',
        f'timezone = "{"x" * 300}"',
        "schedules[0].timezone",
        "IANA time zone",
    ),
    ("limit = 500", "limit = 1", "platforms.mastodon.limit", "greater than or equal to 10"),
    (
        'channels = ["email", "x", "bluesky", "mastodon", "linkedin", "threads"]',
        'channels = ["email", "email", "x"]',
        "schedules[0].channels",
        "repeated: email",
    ),
    # handles and URNs reach payloads and the follow row
    ('handle = "@example.org"', 'handle = "@not a handle"', "platforms.bluesky.handle", "Bluesky"),
    ('handle = "@example.org"', 'handle = "@exampledigest"', "platforms.bluesky.handle", "domain"),
    ('handle = "@exampledigest"', 'handle = "@a\\"b"', "platforms.x.handle", "@name"),
    (
        'author = "urn:li:organization:1234567"',
        'author = "nobody"',
        "platforms.linkedin.author",
        "urn:li:organization:ID",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "phrase"), HOSTILE)
def test_a_hostile_value_is_refused_with_its_key(
    tmp_path: Path, old: str, new: str, key: str, phrase: str
) -> None:
    assert old in EXAMPLE
    found = problems(tmp_path, EXAMPLE.replace(old, new, 1))
    assert set(found) == {key}, found
    assert phrase in found[key], found


@pytest.mark.parametrize(
    ("old", "good", "bad", "key"),
    [
        # ZWJ inside an emoji and a Persian ZWNJ are language, an override is not
        (
            NAME,
            'name = "Die Morgen-Übersicht 👩\u200d💻"',
            'name = "Morgen\u202e 👩"',
            "brand.name",
        ),
        (NAME, 'name = "خبرنامه\u200cی صبح"', 'name = "خبرنامه\u2067ی صبح"', "brand.name"),
        (
            FROM,
            'from = "\\"News, Daily\\" <digest@example.org>"',
            'from = "News, Daily <digest@example.org>"',
            "email.from",
        ),
        (
            FROM,
            'from = "Ünïcode Digest <digest@example.org>"',
            'from = "Ünïcode Digest <ünï@example.org>"',
            "email.from",
        ),
        (
            UNSUBSCRIBE,
            'unsubscribe_url = "https://example.org/u?id=%C3%BC&x=(1)"',
            'unsubscribe_url = "https://example.org/u?id=ü&x=(1)"',
            "email.unsubscribe_url",
        ),
        (
            ICONS,
            'social_icons = "https://cdn.example.org/i/{platform}-64.png?v=2"',
            'social_icons = "https://cdn.example.org/i/{platform}-64.png?v=ü"',
            "brand.social_icons",
        ),
        (
            UNSUBSCRIBE,
            f'unsubscribe_url = "https://example.org/u?t={"a" * 876}"',
            f'unsubscribe_url = "https://example.org/u?t={"a" * 877}"',
            "email.unsubscribe_url",
        ),
        (
            TO,
            'to = "a@example.org, b@example.org"',
            'to = "a@example.org, B: b@example.org;"',
            "email.to",
        ),
        (POSTAL, 'postal_address = "م‌ی"', 'postal_address = "‌"', "brand.postal_address"),
        ('catch_up = "6h"', 'catch_up = "366d"', 'catch_up = "366d 1m"', "schedules[0].catch_up"),
        (
            'font_family = "Helvetica, Arial, sans-serif"',
            "font_family = \"'Source Sans 3', Arial\"",
            'font_family = "\'Source Sans 3, Arial"',
            "brand.font_family",
        ),
        (
            'handle = "@example.org"',
            'handle = "did:plc:z72i7hdynmk6r22z27h6tvur"',
            'handle = "did:plc:z72i7hdynmk6r22z27h6tvur "',
            "platforms.bluesky.handle",
        ),
    ],
)
def test_the_ordinary_value_is_kept_and_its_hostile_neighbour_refused(
    tmp_path: Path, old: str, good: str, bad: str, key: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace(old, good, 1), encoding="utf-8")
    load_config(path)
    assert set(problems(tmp_path, EXAMPLE.replace(old, bad, 1))) == {key}


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
    ],
    ids=["arrays", "inline-tables"],
)
def test_toml_nested_thousands_deep_is_a_config_error(tmp_path: Path, text: str) -> None:
    found = problems(tmp_path, text)
    assert "nested too deeply" in found["(syntax)"]


def test_an_integer_of_thousands_of_digits_is_a_config_error(tmp_path: Path) -> None:
    found = problems(tmp_path, EXAMPLE.replace("max_stories = 5", "max_stories = " + "9" * 5000))
    assert "invalid TOML" in found["(syntax)"]


def test_a_config_path_that_is_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert dict(caught.value.problems) == {
        "(file)": "is a folder, not a file; pass --config path/to/config.toml"
    }


@pytest.mark.parametrize(
    "where",
    [lambda d: d / "config.toml" / "x.toml", lambda d: d / ("n" * 300 + ".toml")],
    ids=["below-a-file", "name-too-long"],
)
def test_a_config_path_that_cannot_be_opened_is_a_config_error(
    tmp_path: Path, where: object
) -> None:
    (tmp_path / "config.toml").write_text(EXAMPLE, encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(where(tmp_path))  # type: ignore[operator]


def test_a_fifo_named_config_toml_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_config(fifo)
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert outcome, "load_config still waits on the FIFO"
    assert isinstance(outcome[0], ConfigError)
    assert "not a regular file" in str(outcome[0])


def test_a_config_file_over_a_megabyte_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, EXAMPLE + "# " + "x" * 1_000_000 + "\n")
    assert "over 1000000 bytes" in found["(file)"]


def test_a_config_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(EXAMPLE.encode() + b"# caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"(line {EXAMPLE.count(chr(10)) + 1})" in dict(caught.value.problems)["(file)"]


# ---- arbitrary text: refused with its key, or a message with exactly the built headers ----

BUILT = set(EXPECTED_HEADERS)
HEADER_BREAKERS = ["=?utf-8?q?=0D=0ATo:_x@evil.org?=", "\r\n", "\n", "\u2028", "\x00", "\u202e"]
TEXT = st.lists(
    st.one_of(st.text(max_size=8), st.sampled_from([*HEADER_BREAKERS, '"', ",", "<", ":", "@"])),
    max_size=6,
).map("".join)
DIGEST = make_digest()
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def toml_string(value: str) -> str:
    """`value` as a TOML basic string: every character outside printable ASCII escaped."""
    escaped = "".join(
        c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in value
    )
    return f'"{escaped}"'


def _loaded(tmp_path: Path, old: str, new: str) -> Settings | dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    try:
        return load_config(path)
    except ConfigError as error:
        return dict(error.problems)


def _headers(settings: Settings) -> dict[str, list[str]]:
    eml = build_eml(DIGEST, settings, text="Hello\n", html="<p>Hello</p>")
    parsed = message_from_bytes(eml, policy=SMTP)
    return {name: [str(v).strip() for v in parsed.get_all(name) or []] for name in parsed}


def _clean(value: str) -> bool:
    unsafe = {c for c in value if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F}
    return "=?" not in value and not unsafe and not (set(value) & (BIDI | {"\u2028", "\u2029"}))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=TEXT)
def test_any_brand_name_is_refused_by_key_or_builds_exactly_the_headers(
    tmp_path: Path, name: str
) -> None:
    loaded = _loaded(tmp_path, NAME, f"name = {toml_string(name)}")
    if isinstance(loaded, dict):
        assert set(loaded) == {"brand.name"}, loaded
        return
    assert _clean(loaded.brand.name)
    headers = _headers(loaded)
    assert set(headers) == BUILT and all(len(v) == 1 for v in headers.values()), headers
    assert headers["List-Id"][0].endswith("<digest.example.org>")


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=TEXT)
def test_any_from_display_name_is_refused_by_key_or_builds_one_from(
    tmp_path: Path, name: str
) -> None:
    value = f"{name} <digest@example.org>"
    loaded = _loaded(tmp_path, FROM, f"from = {toml_string(value)}")
    if isinstance(loaded, dict):
        assert set(loaded) == {"email.from"}, loaded
        return
    assert _clean(loaded.email.from_)
    headers = _headers(loaded)
    assert set(headers) == BUILT and all(len(v) == 1 for v in headers.values()), headers
    eml = build_eml(DIGEST, loaded, text="Hello\n", html="<p>Hello</p>")
    sender = message_from_bytes(eml, policy=SMTP)["From"]
    assert [a.addr_spec for a in sender.addresses] == ["digest@example.org"]


URL_SAFE = set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(tail=st.text(max_size=12))
def test_any_unsubscribe_url_is_refused_by_key_or_needs_no_quoting(
    tmp_path: Path, tail: str
) -> None:
    value = f"https://example.org/{tail}"
    loaded = _loaded(tmp_path, UNSUBSCRIBE, f"unsubscribe_url = {toml_string(value)}")
    if isinstance(loaded, dict):
        assert set(loaded) == {"email.unsubscribe_url"}, loaded
        return
    assert set(loaded.email.unsubscribe_url) <= URL_SAFE
    headers = _headers(loaded)
    assert headers["List-Unsubscribe"] == [
        f"<{value}>, <mailto:unsubscribe@example.org?subject=unsubscribe>"
    ]


# Whatever `validate` accepts as From and To builds an .eml: groups, odd quoting and stray
# separators are refused by key, never left for the build to trip over.
ADDRESS_PARTS = st.sampled_from(
    [
        "a@example.org",
        "b@lists.example.org",
        "<c@example.org>",
        "Name",
        '"Quoted, Name"',
        '"',
        "Friends:",
        "list:",
        ":",
        ";",
        ",",
        " ",
        "<",
        ">",
        "(comment)",
        "@",
        ".",
        "\\",
        "Ünï",
        "\u200b",
        "\u200d",
    ]
)
ADDRESS_TEXT = st.lists(ADDRESS_PARTS, min_size=1, max_size=8).map("".join)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=ADDRESS_TEXT, key=st.sampled_from(["from", "to"]))
@example(value="list: a@example.org;", key="to")
@example(value="a@example.org, Friends: b@example.org;", key="to")
@example(value="Team: digest@example.org;", key="from")
def test_every_from_and_to_that_validate_accepts_builds_an_eml(
    tmp_path: Path, value: str, key: str
) -> None:
    old = FROM if key == "from" else TO
    loaded = _loaded(tmp_path, old, f"{key} = {toml_string(value)}")
    if isinstance(loaded, dict):
        assert set(loaded) == {f"email.{key}"}, loaded
        return
    headers = _headers(loaded)  # raises if the build refuses what validate accepted
    assert set(headers) == BUILT and all(len(v) == 1 for v in headers.values()), headers


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(st.characters(categories=["Cf", "Mn", "Lo", "Ll", "Zs", "So"]), max_size=8))
@example(name="\u200b")
@example(name="Digest \u00ad")
def test_a_brand_name_validate_accepts_reaches_the_header_unchanged(
    tmp_path: Path, name: str
) -> None:
    loaded = _loaded(tmp_path, NAME, f"name = {toml_string(name)}")
    if isinstance(loaded, dict):
        assert set(loaded) == {"brand.name"}, loaded
        return
    assert visible(name) == name  # nothing is dropped silently at build
    list_id = _headers(loaded)["List-Id"][0]
    assert not list_id.startswith('""')
