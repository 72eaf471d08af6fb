"""Headers by construction: no text reaching a header ever adds, drops or splits one.

The stdlib decodes RFC 2047 encoded words found in a header string and writes their CR/LF raw;
every text that reaches a header (the lead headline, brand.name, the From/To display names) is
fuzzed here with encoded-word syntax, line breaks and bidi controls.
"""

from __future__ import annotations

import email
import email.policy
from email.policy import compat32

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.email import EXPECTED_HEADERS, with_summary
from support.factories import make_digest, settings

from digest.config import Settings
from digest.errors import RenderError
from digest.models import Digest
from digest.render.email.message import build_eml, subject_line

BASE = settings()
DIGEST = make_digest()
TEXT, HTML = "text\n", "<p>html</p>\n"
QUOTED = "Budget news =?utf-8?q?=0D=0ATo:_attacker@evil.org?="
# Encoded words that decode to a line break and a header, in every spelling the parser takes.
INJECTIONS = [
    QUOTED,
    "=?UTF-8?Q?=0D=0ABcc:_victim@example.org?=",
    "=?utf-8?b?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?=",  # base64 of "\r\nBcc: victim@..."
    "=?utf-8?B?DQpDYzogeEB5Lno=?= tail",
    "Budget=?utf-8?q?=0A=0DCc:_x@y.z?=news",  # in the middle of a word
    "=?utf-8?q?=0D=0A?=\t=?utf-8?q?To:_x@y.z?=",  # two words, whitespace between
    "=?iso-8859-1?q?=0D=0AReply-To:_x@y.z?=",
    "=?utf-8*en?q?=0D=0ATo:_x@y.z?=",  # RFC 2231 language tag
    "==??utf-8?q?=0D=0ATo:_x@y.z?=",
    "=\u200e?utf-8?q?=0D=0ATo:_x@y.z?=",  # a mark that cleaning removes between = and ?
    "=\u00ad?utf-8?q?=0D=0ATo:_x@y.z?=",  # a soft hyphen, likewise
    "Budget\r\nBcc: victim@example.org",
    "Budget\u2028Bcc: victim@example.org\x00\u202e",
]
FRAGMENTS = st.sampled_from(
    [
        "=?", "?=", "utf-8", "UTF-8", "?q?", "?Q?", "?b?", "?B?", "=0D", "=0A", "_", "To:", "Cc:",
        "Bcc:", " ", "\t", "\r", "\n", "\r\n", "\u2028", "\u2029", "\x00", "\x85", "\u202e",
        "\u2066", "\u200f", "\u00ad", "\u200b", "<", ">", '"', ",", "@", "Café", "日本",
        "👨\u200d👩\u200d👧", "DQpCY2M6IHhAeQ==",
    ]
)  # fmt: skip
HEADER_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=40).map("".join)
FUZZ = hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def with_brand(name: str) -> Settings:
    return BASE.model_copy(update={"brand": BASE.brand.model_copy(update={"name": name})})


def with_addresses(from_: str, to: str | None = None) -> Settings:
    changes = {"from_": from_} | ({"to": to} if to is not None else {})
    return BASE.model_copy(update={"email": BASE.email.model_copy(update=changes)})


def assert_headers_as_built(digest: Digest, config: Settings) -> bytes:
    """The message has exactly the built header set for every reader, and no added recipient."""
    raw = build_eml(digest, config, text=TEXT, html=HTML)
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = [line for line in head.split(b"\r\n") if line[:1] not in b" \t"]
    assert [line.split(b":", 1)[0].decode() for line in lines] == EXPECTED_HEADERS
    for policy in (email.policy.default, compat32):
        parsed = email.message_from_bytes(raw, policy=policy)
        assert list(parsed.keys()) == EXPECTED_HEADERS
        assert len(parsed.get_all("To") or []) == 1
        assert parsed["Cc"] is None and parsed["Bcc"] is None and parsed["Reply-To"] is None
    return raw


def subject_of(raw: bytes) -> str:
    # A folded header that is one long word reads back with a leading space: not the subject's.
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"]).strip()


def test_the_quoted_encoded_word_adds_no_to_header() -> None:
    raw = assert_headers_as_built(with_summary(DIGEST, headline=QUOTED), BASE)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"] == "subscribers@lists.example.org"
    assert subject_of(raw) == "Budget news = ?utf-8?q?=0D=0ATo:_attacker@evil.org?="


@pytest.mark.parametrize("text", INJECTIONS)
def test_an_encoded_word_in_the_headline_adds_no_header(text: str) -> None:
    digest = with_summary(DIGEST, headline=text)
    raw = assert_headers_as_built(digest, BASE)
    assert subject_of(raw) == subject_line(digest, BASE)
    assert "=?" not in subject_of(raw)


@pytest.mark.parametrize("text", INJECTIONS)
def test_an_encoded_word_in_brand_name_adds_no_header(text: str) -> None:
    # brand.name is the List-Id phrase, and the subject when the headline is empty.
    raw = assert_headers_as_built(with_summary(DIGEST, headline="\u200b"), with_brand(text))
    list_id = str(email.message_from_bytes(raw, policy=email.policy.default)["List-Id"])
    assert list_id.endswith("<digest.example.org>") and "=?" not in list_id
    assert "=?" not in subject_of(raw)


@pytest.mark.parametrize("text", INJECTIONS)
def test_an_encoded_word_in_a_quoted_display_name_adds_no_header(text: str) -> None:
    # The stdlib decodes encoded words even inside a quoted display name.
    config = with_addresses(f'"{text}" <digest@example.org>', f'"{text}" <list@example.org>')
    raw = assert_headers_as_built(DIGEST, config)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    for name, address in (("From", "digest@example.org"), ("To", "list@example.org")):
        assert [a.addr_spec for a in parsed[name].addresses] == [address]
        assert "=?" not in parsed[name].addresses[0].display_name


@pytest.mark.parametrize(
    "to",
    [
        "Budget\r\nBcc: victim@example.org <list@example.org>",
        "News =?utf-8?q?=0D=0ABcc:_victim@example.org?= <list@example.org>",
    ],
)
def test_a_to_whose_cleaned_text_reads_as_a_group_is_refused_by_key(to: str) -> None:
    # Once its line break is gone, the text would name the victim as a recipient of a group.
    with pytest.raises(RenderError, match=r"config.toml: email.to = .* is not a list of addr"):
        build_eml(DIGEST, with_addresses("Digest <digest@example.org>", to), text=TEXT, html=HTML)


@FUZZ
@given(HEADER_TEXT)
def test_any_headline_keeps_the_built_header_set_and_reads_back_clean(headline: str) -> None:
    digest = with_summary(DIGEST, headline=headline)
    raw = assert_headers_as_built(digest, BASE)
    subject = subject_of(raw)
    assert subject == subject_line(digest, BASE)
    assert "=?" not in subject and 0 < len(subject) <= 70
    assert not set(subject) & set("\r\n\x00\x85\u2028\u2029\u202e\u2066\u200f\u00ad\u200b")


@FUZZ
@given(HEADER_TEXT)
def test_any_brand_name_keeps_the_built_header_set(name: str) -> None:
    config = with_brand(name)
    digest = with_summary(DIGEST, headline="")
    raw = assert_headers_as_built(digest, config)
    assert subject_of(raw) == subject_line(digest, config)


@FUZZ
@given(HEADER_TEXT)
@example(":;")  # the stdlib's address parser raised AttributeError on these
@example(".")
def test_any_display_name_keeps_the_built_header_set_or_is_refused(name: str) -> None:
    config = with_addresses(f"{name} <digest@example.org>")
    try:
        raw = assert_headers_as_built(DIGEST, config)
    except RenderError as refused:  # text that reads as a group or as several addresses
        assert "config.toml: email.from = " in str(refused)
        return
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert [a.addr_spec for a in parsed["From"].addresses] == ["digest@example.org"]


@FUZZ
@given(HEADER_TEXT)
def test_any_quoted_display_name_keeps_the_built_header_set(name: str) -> None:
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    raw = assert_headers_as_built(DIGEST, with_addresses(f'"{quoted}" <digest@example.org>'))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert [a.addr_spec for a in parsed["From"].addresses] == ["digest@example.org"]


def test_a_message_that_reads_back_with_other_headers_is_a_render_error() -> None:
    # What the read-back guards against, should a value ever get past the cleaning.
    from digest.render.email.readback import verify_headers

    built = email.message_from_bytes(
        build_eml(DIGEST, BASE, text=TEXT, html=HTML), policy=email.policy.SMTP
    )
    values = {name: str(built[name]) for name in built}
    raw = built.as_bytes().replace(b"\r\nDate:", b"\r\nBcc: attacker@evil.org\r\nDate:", 1)
    with pytest.raises(RenderError, match="Bcc"):
        verify_headers(raw, built, values, "morning@2026-11-28T08:00:00Z")  # type: ignore[arg-type]
    changed = built.as_bytes().replace(b"Subject: Bukele", b"Subject: Other", 1)
    with pytest.raises(RenderError, match="reads Subject as 'Other US Plan on Migrants'"):
        verify_headers(changed, built, values, "morning@2026-11-28T08:00:00Z")  # type: ignore[arg-type]


def _as_read(header: object) -> tuple[object, ...]:
    """What a reader sees of a header object: its text, kind, defects and parsed parts."""
    return (
        str(header),
        [c.__name__ for c in type(header).__mro__[1:]],
        [type(d).__name__ for d in getattr(header, "defects", ())],
        [(a.display_name, a.addr_spec) for a in getattr(header, "addresses", ())],
        getattr(header, "content_type", None),
        dict(getattr(header, "params", {})),
        getattr(header, "datetime", None),
    )


READ_NAMES = ["From", "To", "Subject", "List-Id", "Date", "Message-ID", "Content-Type", "X-Any"]


@FUZZ
@given(name=st.sampled_from(READ_NAMES), value=HEADER_TEXT)
def test_the_read_back_policy_reads_any_header_as_policy_default(name: str, value: str) -> None:
    # READER makes each header object once for a name and value: it must be the object
    # policy.default makes, however often and in whatever order it is read.
    from digest.render.email.readback import READER

    raw = f"{name}: {value}".replace("\r", " ").replace("\n", " ").encode("utf-8", "replace")
    raw += b"\r\nOther: x\r\n\r\n"
    found = []
    for policy in (email.policy.default, READER, READER, email.policy.default):
        try:
            found.append(
                [_as_read(v) for v in email.message_from_bytes(raw, policy=policy).values()]
            )
        except Exception as exc:  # the stdlib's parser raises on some values: alike, each time
            found.append([f"{type(exc).__name__}: {exc}"])
    assert found[1] == found[2] == found[0] == found[3]


def test_header_classes_are_made_once_and_follow_the_registry() -> None:
    from email.headerregistry import HeaderRegistry, UniqueUnstructuredHeader

    from digest.render.email.readback import HeaderClasses

    classes, stdlib = HeaderClasses(), HeaderRegistry()
    for name in ("Subject", "subject", "From", "Date", "X-Any"):
        assert classes[name] is classes[name.upper()]
        assert type(classes(name, "a <b@c.d>")).__mro__[1:] == stdlib[name].__mro__[1:]
    plain = classes["X-Any"]
    classes.map_to_type("x-any", UniqueUnstructuredHeader)
    assert classes["X-Any"] is not plain and classes["X-Any"].max_count == 1
