"""URL normalisation: IRIs in, ASCII URIs out, the same every time; invisible input refused."""

from __future__ import annotations

import ipaddress
import unicodedata
from pathlib import Path
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
    ("http://[2606:4700:4700::1111]:8080/a", "http://[2606:4700:4700::1111]:8080/a"),
    ("http://[2A00:1450::1]/", "http://[2a00:1450::1]/"),
    ("https://93.184.215.14/x", "https://93.184.215.14/x"),
    ("https://a-b.example/", "https://a-b.example/"),
    ("https://" + "a" * 63 + ".example/", "https://" + "a" * 63 + ".example/"),
    ("https://example.org./", "https://example.org./"),
    ("https://1password.com/", "https://1password.com/"),
    ("https://example.org/" + "p" * 1980, "https://example.org/" + "p" * 1980),
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
    ("https://[2606:4700::1]x/", "is not a port"),
    ("https://[fe80::1%25eth0]/", "zone id"),
    ("https://a..b/", "not a valid domain name"),
    ("https://exa mple.org/", "not a valid domain name"),
    ("https://example.org\uff03/", "NFKC"),
    # host names as DNS and browsers read them
    ("https://-a.example/", "starts or ends with '-'"),
    ("https://a-.example/", "starts or ends with '-'"),
    ("https://" + "a" * 64 + ".example/", "over 63 characters"),
    ("https://" + ("a" * 60 + ".") * 5 + "example/", "over 253 characters"),
    # numbers a browser reads as an IPv4 address (WHATWG URL): only the canonical form
    ("https://0x7f.1/", "looks like a number"),
    ("https://0x7f000001/", "looks like a number"),
    ("https://2130706433/", "looks like a number"),
    ("https://127.1/", "looks like a number"),
    ("https://1.2.3.04/", "looks like a number"),
    ("https://093.184.215.14/", "looks like a number"),
    ("https://example.123/", "looks like a number"),
    ("https://256.1.1.1/", "looks like a number"),
    ("https://\uff10x7f.1/", "looks like a number"),
    # addresses no reader can reach: this machine, a private network, reserved ranges
    ("https://127.0.0.1/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("https://localhost/", "loopback"),
    ("https://news.localhost/", "loopback"),
    ("https://10.0.0.9/", "private"),
    ("https://192.168.1.1/", "private"),
    ("http://[fd00::1]/", "private"),
    ("https://169.254.169.254/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://192.0.2.7/", "not reachable"),
    ("http://[2001:db8::1]/", "not reachable"),
    ("https://224.0.0.1/", "multicast"),
    # length
    ("https://example.org/" + "p" * 1981, "at most 2000"),
    ("https://example.org/" + "ข" * 300, "at most 2000"),
    ("https://example.org/" + "p" * 100_000, "at most 2000"),
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
        "[2606:4700::6810:84e5]",
        "93.184.215.14",
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


@pytest.mark.parametrize("code", range(128))
def test_every_ascii_control_is_refused_and_nothing_else_for_being_invisible(code: int) -> None:
    """The ASCII fast path of the invisible-character check refuses what the category check does."""
    url = f"https://example.org/a{chr(code)}b"
    refused = unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    try:
        normalize_url(url)
    except ValueError as error:
        assert refused == ("invisible" in str(error) or "whitespace" in str(error)), error
    else:
        assert not refused


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


LABEL = st.text(st.sampled_from("abz09-_"), min_size=1, max_size=70)


@given(st.lists(LABEL, min_size=1, max_size=6))
@example(["-a", "example"])
@example(["0x7f", "1"])
@example(["a" * 64, "example"])
@example(["9", "0", "0", "0"])
@example(["9", "0", "0", "00"])
@example(["1", "2", "3", "4", "5"])
def test_an_accepted_host_is_one_dns_and_browsers_read_alike(labels: list[str]) -> None:
    host = ".".join(labels)
    try:
        uri = normalize_url(f"https://{host}/")
    except ValueError as error:
        assert "is not an http(s) URL" in str(error)
        return
    name = urlsplit(uri).hostname or ""
    assert len(name) <= 253
    for label in name.split("."):
        assert 1 <= len(label) <= 63 and not label.startswith("-") and not label.endswith("-")
    last = name.split(".")[-1]
    if last.isdigit() or last.startswith("0x"):  # read as an IPv4 address: a public, canonical one
        address = ipaddress.IPv4Address(name)
        assert address.is_global and str(address) == name


@given(st.integers(0, 2**32 - 1))
def test_an_ip_address_is_a_link_only_when_the_internet_can_reach_it(number: int) -> None:
    address = ipaddress.IPv4Address(number)
    try:
        uri = normalize_url(f"https://{address}/")
    except ValueError as error:
        assert not address.is_global or address.is_multicast, error
        return
    assert address.is_global and uri == f"https://{address}/"


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("https://0x7f.1/story", "looks like a number"),
        ("https://127.0.0.1/story", "loopback"),
        ("https://-a.example/story", "starts or ends with '-'"),
        ("https://example.org/" + "p" * 2500, "at most 2000"),
    ],
)
def test_a_refused_seed_url_is_a_seed_error_naming_why(
    tmp_path: Path, url: str, phrase: str
) -> None:
    from digest.errors import SeedError
    from digest.seeds import read_seed

    seed = tmp_path / "story.txt"
    seed.write_text(
        f'+++\nurl = "{url}"\n+++\nA title\n\n**Primary Article:**\n\nThe council met today.\n',
        encoding="utf-8",
    )
    with pytest.raises(SeedError) as caught:
        read_seed(seed)
    assert phrase in str(caught.value) and "story.txt:2" in str(caught.value)
