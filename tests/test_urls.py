"""URL normalisation: IRIs in, ASCII URIs out, the same every time; invisible input refused."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from digest.urls import normalize_url

NORMALISED = [
    # (what a seed says, what every renderer then writes)
    (
        "https://example.org/ข่าว/ล่าสุด",
        "https://example.org/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/"
        "%E0%B8%A5%E0%B9%88%E0%B8%B2%E0%B8%AA%E0%B8%B8%E0%B8%94",
    ),
    ("https://bücher.example/katalog", "https://xn--bcher-kva.example/katalog"),
    ("https://Bücher.Example", "https://xn--bcher-kva.example"),
    ("https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"),
    (
        "https://example.org/search?q=عربي&page=2",
        "https://example.org/search?q=%D8%B9%D8%B1%D8%A8%D9%8A&page=2",
    ),
    ("https://example.org/a%20b/%e0%b8%82", "https://example.org/a%20b/%E0%B8%82"),
    ("https://example.org/100%", "https://example.org/100%25"),
    ("https://example.org/a b?c d#e f", "https://example.org/a%20b?c%20d#e%20f"),
    ('https://example.org/"<x>"', "https://example.org/%22%3Cx%3E%22"),
    ("HTTPS://EXAMPLE.org/Path", "https://example.org/Path"),
    ("https://example.org:8443/x", "https://example.org:8443/x"),
    ("https://example.org:443/x", "https://example.org/x"),
    ("http://example.org:80/", "http://example.org/"),
    ("http://[2001:DB8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
    ("http://[::1]/", "http://[::1]/"),
    ("https://192.0.2.7/x", "https://192.0.2.7/x"),
    # the scheme is what is checked: the text "javascript:" in a query is only text
    (
        "https://example.org/?next=javascript:alert(1)",
        "https://example.org/?next=javascript:alert(1)",
    ),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
]

REFUSED = [
    ("https://example.org/story\n", "ends with whitespace"),
    ("https://example.org/story ", "ends with whitespace"),
    (" https://example.org/", "starts with whitespace"),
    ("https://example.org/a\tb", "U+0009"),
    ("https://example.org/a\u200bb", "U+200B (ZERO WIDTH SPACE)"),
    ("https://example.org/\u202egnp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("https://example.org/a\u2028b", "U+2028 (LINE SEPARATOR)"),
    ("https://example.org/\u2029", "ends with whitespace"),
    ("https://exa\u00admple.org/", "U+00AD (SOFT HYPHEN)"),
    ("javascript:alert(1)", "scheme 'javascript' is not allowed"),
    ("JavaScript:alert(1)", "scheme 'javascript' is not allowed"),
    ("data:text/html,<script>alert(1)</script>", "scheme 'data' is not allowed"),
    ("ftp://example.org/file", "scheme 'ftp' is not allowed"),
    ("/relative/path", "not absolute"),
    ("example.org/page", "not absolute"),
    ("https://", "no host"),
    ("https:example.org", "no host"),
    ("", "empty"),
    ("https://user:secret@example.org/", "user name or password"),
    ("https://example.org\\@evil.example/", "user name or password"),
    ("https://example.org:0/", "port '0'"),
    ("https://example.org:70000/", "port '70000'"),
    ("https://example.org:8o/", "port '8o'"),
    ("https://[::1/", "Invalid IPv6 URL"),
    ("https://[not-an-ip]/", "not appear to be an IPv4 or IPv6 address"),
    ("https://[::1]x/", "is not a port"),
    ("https://[fe80::1%25eth0]/", "zone id"),
    ("https://a..b/", "not a valid domain name"),
    ("https://exa mple.org/", "not a valid domain name"),
    ("https://example.org\uff03/", "NFKC"),
]


@pytest.mark.parametrize(("given_url", "expected"), NORMALISED)
def test_iris_become_ascii_uris(given_url: str, expected: str) -> None:
    assert normalize_url(given_url) == expected
    assert normalize_url(expected) == expected


@pytest.mark.parametrize(("given_url", "phrase"), REFUSED)
def test_refused_urls_say_why(given_url: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=r"is not an http\(s\) URL") as caught:
        normalize_url(given_url)
    assert phrase in str(caught.value)


def test_mailto_where_a_field_allows_it() -> None:
    schemes = ("http", "https", "mailto")
    assert normalize_url("mailto:news@bücher.example?subject=Grüße", schemes) == (
        "mailto:news@xn--bcher-kva.example?subject=Gr%C3%BC%C3%9Fe"
    )
    with pytest.raises(ValueError, match="scheme 'mailto' is not allowed"):
        normalize_url("mailto:news@example.org")
    with pytest.raises(ValueError, match="not an e-mail address"):
        normalize_url("mailto:nobody", schemes)


# Text a path may hold: anything visible (spaces inside are tested in the table).
PATH_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Zs")), max_size=30
)
HOSTS = st.sampled_from(
    [
        "example.org",
        "bücher.example",
        "例え.テスト",
        "пример.рф",
        "مثال.إختبار",
        "[::1]",
        "10.0.0.9",
    ]
)


@given(st.sampled_from(["http", "https", "HTTPS"]), HOSTS, PATH_TEXT, PATH_TEXT)
@example("https", "example.org", "%e0%b8%82%zz", "q=%41")
def test_any_iri_normalises_to_an_ascii_uri_of_the_same_meaning(
    scheme: str, host: str, path: str, query: str
) -> None:
    iri = f"{scheme}://{host}/{path}?{query}"
    uri = normalize_url(iri)
    assert uri.isascii() and not any(c.isspace() for c in uri)
    assert normalize_url(uri) == uri
    parts, original = urlsplit(uri), urlsplit(iri)
    assert parts.scheme == scheme.lower()
    assert unquote(parts.path) == unquote(original.path)
    assert unquote(parts.query) == unquote(original.query)
    assert unquote(parts.fragment) == unquote(original.fragment)


@given(st.text(max_size=60))
@example("https://example.org/\u0e48")
@example("http://example.org:/%")
def test_any_text_is_refused_or_an_idempotent_ascii_uri(text: str) -> None:
    try:
        uri = normalize_url(text)
    except ValueError as error:
        assert "is not an http(s) URL" in str(error)
        return
    assert uri.isascii() and not any(c.isspace() for c in uri)
    assert urlsplit(uri).scheme in ("http", "https") and urlsplit(uri).hostname
    assert normalize_url(uri) == uri


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


@given(
    st.characters().filter(_invisible),
    st.integers(min_value=0, max_value=len("https://example.org/a?b#c")),
)
def test_an_invisible_character_anywhere_is_refused(char: str, where: int) -> None:
    good = "https://example.org/a?b#c"
    with pytest.raises(ValueError, match=r"whitespace|U\+[0-9A-F]{4}"):
        normalize_url(good[:where] + char + good[where:])


@given(
    st.sampled_from(["javascript", "data", "vbscript", "file", "blob", "ftp"]),
    st.text(max_size=30),
)
def test_only_the_parsed_scheme_decides(scheme: str, rest: str) -> None:
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(scheme))
    with pytest.raises(ValueError, match=r"is not an http\(s\) URL"):
        normalize_url(f"{mixed}:{rest}")
    assert normalize_url(f"https://example.org/?u={scheme}:x") == (
        f"https://example.org/?u={scheme}:x"
    )


@given(
    st.sampled_from(["https://", "http://", "https://example.org", "https://[", "mailto:"]),
    st.text(max_size=40),
    st.sampled_from([("http", "https"), ("http", "https", "mailto")]),
)
def test_any_text_after_a_scheme_is_refused_or_an_idempotent_ascii_uri(
    prefix: str, rest: str, schemes: tuple[str, ...]
) -> None:
    try:
        uri = normalize_url(prefix + rest, schemes)
    except ValueError:
        return
    assert uri.isascii() and not any(c.isspace() for c in uri)
    assert normalize_url(uri, schemes) == uri
