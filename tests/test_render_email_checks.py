"""The email checks: a built email passes them all, and each one fails when its rule is broken."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import regex
from support.email import five_stories, three_stories, with_story, with_summary
from support.esp import PRESETS, esp
from support.factories import project, write_seed
from support.factories import settings as example_settings

from digest.config import Settings
from digest.config.email_links import ESPS
from digest.errors import DigestError, EmailCheckError, RenderError
from digest.models import Digest, Rendered, RenderedFile
from digest.outbox import publish
from digest.pipeline import build
from digest.render import render
from digest.render.email import render_email
from digest.render.email.checks import (
    CHECKS,
    FILES,
    check_batch,
    check_email,
    check_rendered,
    read_email,
)
from digest.render.email.message import build_eml
from digest.render.templates import THEME
from digest.scheduler.slots import parse_slot

CONFIG = example_settings()
DIGEST = three_stories()
GOOD = {f.path: f.content for f in render_email(DIGEST, CONFIG)}
HTML, TEXT = GOOD["email/digest.html"].decode(), GOOD["email/digest.txt"].decode()


def failed(
    html: str = HTML,
    text: str = TEXT,
    eml: bytes | None = None,
    config: Settings = CONFIG,
    digest: Digest = DIGEST,
) -> dict[str, list[str]]:
    """The failed checks of an email made of these parts (the .eml rebuilt from them)."""
    eml = eml if eml is not None else build_eml(digest, config, text=text, html=html)
    found: dict[str, list[str]] = {}
    for name, problem in check_email(read_email(html.encode(), text.encode(), eml), config):
        found.setdefault(name, []).append(problem)
    return found


def replace(value: str, old: str, new: str, count: int = 1) -> str:
    assert old in value, old
    return value.replace(old, new, count)


@pytest.mark.parametrize("digest", [DIGEST, five_stories()], ids=["three", "five"])
def test_a_built_email_passes_every_check(digest: Digest) -> None:
    out = {f.path: f.content for f in render_email(digest, CONFIG)}
    assert check_email(read_email(*(out[p] for p in FILES)), CONFIG) == []


def test_checks_are_named() -> None:
    assert list(CHECKS) == [
        "html-size",
        "unsubscribe-early",
        "html-parses",
        "quoted-attributes",
        "img-alt",
        "same-links",
        "link-schemes",
        "inert",
        "accessible",
        "address",
        "unsubscribe",
        "merge-tags",
        "subject",
        "eml",
    ]


# One failing email per check.


def test_html_over_100_kb_fails() -> None:
    padded = replace(HTML, "</body>", f"<!-- {'x' * 100_000} --></body>")
    found = failed(padded)
    assert list(found) == ["html-size"]
    assert "over 100000 (Gmail clips at ~102 KB)" in found["html-size"][0]


def test_unsubscribe_link_past_90_kb_fails() -> None:
    padding = 90_000 - HTML.index("https://example.org/unsubscribe") + 100
    padded = replace(HTML, "<div aria-label=", f"<!-- {'x' * padding} --><div aria-label=")
    assert len(padded.encode()) <= 100_000
    found = failed(padded)
    assert list(found) == ["unsubscribe-early"]
    assert "Gmail would clip it away" in found["unsubscribe-early"][0]


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        ("</h1>", "", "closes <h1>"),
        ("</ul>", "</ul></span>", "</span> closes nothing"),
        ("<!doctype html>", "", "does not start with <!doctype html>"),
        ('role="article"', 'role="article" role="main"', "repeats the attribute role"),
        ("</body>", "<div/></body>", "<div/> is not a void element"),
        ("</body>", "<br></br></body>", "</br> closes a void element"),
    ],
)
def test_html_that_does_not_parse_cleanly_fails(old: str, new: str, phrase: str) -> None:
    found = failed(replace(HTML, old, new))
    assert "html-parses" in found
    assert any(phrase in p for p in found["html-parses"]), found


def test_an_unquoted_attribute_fails() -> None:
    found = failed(replace(HTML, 'role="article"', "role=article"))
    assert list(found) == ["quoted-attributes"]
    assert "role=article in <div>" in found["quoted-attributes"][0]


def test_an_unquoted_attribute_inside_an_outlook_comment_fails() -> None:
    found = failed(
        replace(HTML, '<!--[if mso | IE]><table border="0"', "<!--[if mso | IE]><table border=0")
    )
    assert list(found) == ["quoted-attributes"]


def test_an_image_without_alt_fails() -> None:
    found = failed(re.sub(r' alt="X"', "", HTML, count=1))
    assert list(found) == ["img-alt"]
    assert "x.png" in found["img-alt"][0]


@pytest.mark.parametrize(
    ("old", "new", "fails"),
    [
        (' alt="X"', ' alt=""', False),  # decorative: an empty alt is an alt
        (' alt="X"', " alt=''", False),
        (' alt="X"', "", True),
        (' alt="X"', ' data-alt="X"', True),
    ],
)
def test_an_empty_alt_passes_and_a_missing_alt_fails(old: str, new: str, fails: bool) -> None:
    found = failed(replace(HTML, old, new))
    assert list(found) == (["img-alt"] if fails else [])


def test_an_email_with_a_decorative_image_and_the_outlook_button_passes_every_check() -> None:
    digest = with_story(DIGEST, image="https://example.org/img/a.jpg", image_alt=None)
    out = {f.path: f.content for f in render_email(digest, CONFIG)}
    html = out["email/digest.html"].decode()
    assert '<img alt="" ' in html and "<v:roundrect " in html
    assert check_email(read_email(*(out[p] for p in FILES)), CONFIG) == []


def test_an_unquoted_attribute_in_the_outlook_button_fails() -> None:
    """The checks read the tags inside `<!--[if mso]>`, the VML button's among them."""
    found = failed(replace(HTML, 'arcsize="18%"', "arcsize=18%"))
    assert list(found) == ["quoted-attributes"]
    assert "arcsize=18% in <v:roundrect>" in found["quoted-attributes"][0]


@pytest.mark.parametrize(
    ("href", "fails"),
    [
        ("javascript:alert(1)", ["inert", "link-schemes", "same-links"]),
        (" JaVaScRiPt:alert(1)", ["inert", "link-schemes", "same-links"]),
        ("data:text/html,x", ["link-schemes", "same-links"]),
        ("https://evil.example/", ["same-links"]),  # a link no reader of the HTML sees
    ],
)
def test_the_outlook_buttons_link_is_checked_as_a_link(href: str, fails: list[str]) -> None:
    """Only Outlook reads the VML button's href: it is held to the links' rules and must be a
    link of the HTML too."""
    button = re.search(r'(<v:roundrect [^>]*href=")([^"]*)(")', HTML)
    assert button
    found = failed(HTML.replace(button.group(0), button.group(1) + href + button.group(3)))
    assert sorted(found) == fails


def test_a_story_link_missing_from_the_text_fails() -> None:
    link = re.search(r"https://www\.bbc\.co\.uk/\S+", TEXT)
    assert link
    found = failed(text=TEXT.replace(link.group(0), "https://www.bbc.co.uk/"))
    assert list(found) == ["same-links"]
    assert "in the HTML but not in the text" in found["same-links"][0]


def test_a_story_link_only_in_the_text_fails() -> None:
    extra = "Read more: https://example.org/other?utm_source=digest&utm_medium=email\n"
    found = failed(text=TEXT + extra)
    assert list(found) == ["same-links"]
    assert "in the text but not in the HTML" in found["same-links"][0]


@pytest.mark.parametrize(
    ("gone", "check"),
    [
        ("Unsubscribe: https://example.org/unsubscribe", "unsubscribe"),
        ("https://www.bbc.co.uk/news/technology?utm_source=digest", "same-links"),
    ],
)
def test_the_links_of_the_text_are_read_from_each_emails_own_text(gone: str, check: str) -> None:
    # The text's links are read once per email for the checks that ask, never kept for another.
    good = read_email(*(GOOD[p] for p in FILES))
    assert check_email(good, CONFIG) == [] and good.text_links
    edited = dataclasses.replace(good, text=replace(good.text, gone, "elsewhere"))
    assert check in {name for name, _ in check_email(edited, CONFIG)}
    assert check_email(good, CONFIG) == []


def test_a_link_not_written_out_in_the_text_fails() -> None:
    found = failed(text=TEXT.replace("https://bsky.app/profile/example.org", "(Bluesky)"))
    assert list(found) == ["same-links"]
    assert "https://bsky.app/profile/example.org" in found["same-links"][0]


def test_a_link_that_is_not_http_https_or_mailto_fails() -> None:
    found = failed(
        replace(HTML, 'href="https://example.org/preferences"', 'href="ftp://example.org/p"'),
        text=TEXT.replace("https://example.org/preferences", "ftp://example.org/p"),
    )
    assert list(found) == ["link-schemes"]
    assert "'ftp://example.org/p'" in found["link-schemes"][0]


def test_an_image_from_a_data_url_fails() -> None:
    found = failed(
        replace(
            HTML, 'src="https://example.org/static/social/x.png"', 'src="data:image/png;base64,AA"'
        )
    )
    assert list(found) == ["link-schemes"]


@pytest.mark.parametrize(
    ("insert", "phrase"),
    [
        ("<script>alert(1)</script>", "a <script> element"),
        ('<img src="https://e.org/x.png" alt="" onerror="alert(1)">', "event handler onerror"),
        ('<div style="width: expression(alert(1))"></div>', "runs code"),
        ('<a href="java&#10;script:alert(1)">x</a>', "runs code"),
    ],
)
def test_active_content_fails(insert: str, phrase: str) -> None:
    found = failed(replace(HTML, "</body>", insert + "</body>"))
    assert "inert" in found
    assert any(phrase in p for p in found["inert"]), found


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        ('<html lang="en"', "<html", "<html> has no lang"),
        ("</body>", "<table><tr><td>x</td></tr></table></body>", 'without role="presentation"'),
        (
            '<!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" '
            'role="presentation"',
            "<!--[if mso | IE]><table",
            'without role="presentation"',
        ),
        ("<h1 ", "<h3 ", "headings skip a level"),
        ("</body>", "<h4>x</h4></body>", "headings skip a level"),
    ],
)
def test_inaccessible_html_fails(old: str, new: str, phrase: str) -> None:
    html = replace(HTML, old, new)
    if old == "<h1 ":
        html = html.replace("</h1>", "</h3>", 1)
    found = failed(html)
    assert "accessible" in found
    assert any(phrase in p for p in found["accessible"]), found


def test_a_missing_postal_address_fails() -> None:
    address = CONFIG.brand.postal_address
    found = failed(replace(HTML, address, "Somewhere"), text=TEXT.replace(address, ""))
    assert list(found) == ["address"]
    assert [p.endswith("is missing from the HTML") for p in found["address"]] == [True, False]


def test_a_changed_address_in_config_fails() -> None:
    config = CONFIG.model_copy(
        update={"brand": CONFIG.brand.model_copy(update={"postal_address": "2 Other Road"})}
    )
    assert list(failed(config=config)) == ["address"]


def test_a_missing_unsubscribe_link_fails() -> None:
    html = replace(HTML, 'href="https://example.org/unsubscribe"', 'href="https://example.org"')
    text = TEXT.replace("Unsubscribe: https://example.org/unsubscribe", "")
    found = failed(html, text)
    assert list(found) == ["unsubscribe"]
    assert len(found["unsubscribe"]) == 2


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        (b",\r\n <mailto:unsubscribe@example.org?subject=unsubscribe>", b"", "https and a mailto"),
        (
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            b"X-Other: 1",
            "not List-Unsubscribe=One-Click",
        ),
    ],
)
def test_unsubscribe_headers_are_checked(old: bytes, new: bytes, phrase: str) -> None:
    eml = GOOD["email/digest.eml"]
    assert old in eml
    found = failed(eml=eml.replace(old, new))
    assert list(found) == ["unsubscribe"]
    assert phrase in found["unsubscribe"][0]


# Providers read these headers as written (RFC 2369, 8058): an encoded word is no link.
@pytest.mark.parametrize(
    ("old", "new", "check", "phrase"),
    [
        (
            b"List-Unsubscribe: <https://example.org/unsubscribe>,",
            b"List-Unsubscribe: =?utf-8?q?=3Chttps=3A//example=2Eorg/unsubscribe=3E=2C?=",
            "unsubscribe",
            "RFC 2047",
        ),
        (
            b"List-Unsubscribe: <https://example.org/unsubscribe>,",
            b"List-Unsubscribe: <https://example.org/other>,",
            "unsubscribe",
            "not the configured",
        ),
        (
            b" <mailto:unsubscribe@example.org?subject=unsubscribe>",
            b" <mailto:other@example.org>",
            "unsubscribe",
            "not the configured",
        ),
        (
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            b"List-Unsubscribe-Post: =?utf-8?q?List-Unsubscribe=3DOne-Click?=",
            "unsubscribe",
            "not List-Unsubscribe=One-Click",
        ),
        (
            b"Message-ID: <330a1bb23f273f87aad4e6a7bdec6c30@digest.example.org>",
            b"Message-ID: =?utf-8?q?=3C330a1bb23f273f87aad4e6a7bdec6c30=40digest.example.org=3E?=",
            "eml",
            "Message-ID is RFC 2047-encoded",
        ),
        (
            b"List-Id: The Morning Digest <digest.example.org>",
            b"List-Id: The Morning Digest =?utf-8?q?=3Cdigest=2Eexample=2Eorg=3E?=",
            "eml",
            "List-Id does not end with <digest.example.org>",
        ),
    ],
)
def test_raw_list_headers_are_checked_as_written(
    old: bytes, new: bytes, check: str, phrase: str
) -> None:
    eml = GOOD["email/digest.eml"]
    assert old in eml
    found = failed(eml=eml.replace(old, new))
    assert list(found) == [check], found
    assert phrase in found[check][0]


@pytest.mark.parametrize("size", [60, 75, 200, 900])
def test_a_long_unsubscribe_link_passes_every_check(size: int) -> None:
    url = ("https://example.org/unsubscribe?t=" + "Ab9-" * size)[:size]
    config = CONFIG.model_copy(
        update={"email": CONFIG.email.model_copy(update={"unsubscribe_url": url})}
    )
    out = {f.path: f.content for f in render_email(DIGEST, config)}
    assert check_email(read_email(*(out[p] for p in FILES)), config) == []
    assert b"List-Unsubscribe: <" + url.encode() + b">," in out["email/digest.eml"]


@pytest.mark.parametrize(
    ("subject", "phrase"),
    [
        (b"Subject: " + b"x" * 71, "71 characters, over 70"),
        (b"Subject: =?utf-8?q?a=E2=80=AEb?=", "control or bidi"),
        (b"Subject: ", "empty"),
    ],
)
def test_a_bad_subject_fails(subject: bytes, phrase: str) -> None:
    eml = GOOD["email/digest.eml"].replace(b"Subject: Bukele US Plan on Migrants", subject)
    found = failed(eml=eml)
    assert "subject" in found and set(found) <= {"subject", "eml"}  # eml: no Subject at all
    assert phrase in found["subject"][0]


def test_an_eml_whose_parts_differ_from_the_files_fails() -> None:
    eml = build_eml(DIGEST, CONFIG, text=TEXT + "more\n", html=HTML)
    found = failed(eml=eml)
    assert list(found) == ["eml"]
    assert "text part differs" in found["eml"][0]


def test_an_eml_that_is_not_multipart_alternative_fails() -> None:
    head = GOOD["email/digest.eml"].split(b"\r\n\r\n", 1)[0]
    single = head.replace(b"multipart/alternative", b"text/plain") + b"\r\n\r\nhi\r\n"
    assert "eml" in failed(eml=single)


def test_an_eml_with_the_parts_in_the_wrong_order_fails() -> None:
    from email import message_from_bytes
    from email.policy import SMTP

    msg = message_from_bytes(GOOD["email/digest.eml"], policy=SMTP)
    parts = list(msg.iter_parts())
    msg.set_payload([parts[1], parts[0]])  # type: ignore[list-item]
    found = failed(eml=msg.as_bytes())
    assert list(found) == ["eml"]
    assert "not text/plain then text/html" in found["eml"][0]


# On every build.


def test_check_rendered_raises_naming_every_failed_check() -> None:
    rendered = render(DIGEST, CONFIG)
    broken = tuple(
        f.model_copy(update={"content": f.content.replace(b' alt="X"', b"")})
        if f.path == "email/digest.html"
        else f
        for f in rendered.files
    )
    with pytest.raises(EmailCheckError) as caught:
        check_rendered(rendered.model_copy(update={"files": broken}), CONFIG)
    error = caught.value
    assert isinstance(error, RenderError) and isinstance(error, DigestError)
    assert [name for name, _ in error.failures] == ["img-alt", "eml"]
    assert str(error).startswith(
        "morning@2026-11-28T08:00:00Z: the email is not fit to send, so nothing was published: "
        "check 'img-alt' failed: "
    )


def test_a_batch_without_email_is_not_checked() -> None:
    rendered = render(DIGEST.model_copy(update={"channels": ("x",)}), CONFIG)
    assert isinstance(rendered, Rendered)
    check_rendered(rendered, CONFIG)


def test_a_failed_check_fails_the_build_and_publishes_nothing(tmp_path: Path) -> None:
    config = project(tmp_path, [{"name": "morning", "at": "08:00"}], channels=("email", "x"))
    write_seed(config.paths.seeds, 1)
    templates = tmp_path / "templates"
    shutil.copytree(THEME, templates)
    footer = templates / "email" / "partials" / "footer.mjml.j2"
    footer.write_text(footer.read_text().replace("{{ postal_address }}", ""))
    config = config.model_copy(
        update={"paths": config.paths.model_copy(update={"templates": templates})}
    )
    slot = parse_slot(config.schedule("morning"), date(2026, 11, 28))
    with pytest.raises(EmailCheckError, match="check 'address' failed: the postal address"):
        build(config, slot, durable=False)
    assert not list((tmp_path / "outbox").glob("*/*/manifest.json"))
    assert not list((tmp_path / "outbox").glob(".staging/*"))


# On a published batch, for `digest check BATCH`.


def written(folder: Path, files: dict[str, bytes]) -> Path:
    """A batch published under `folder` holding these files of an email, with its manifest."""
    made = [RenderedFile(path=p, content=c, media_type="text/plain") for p, c in files.items()]
    return publish(Rendered(digest=DIGEST, files=made), folder, "test", durable=False)


def test_check_batch_refuses_a_file_that_links_out_of_the_batch(tmp_path: Path) -> None:
    batch = written(tmp_path, GOOD)
    secret = tmp_path / "secret.txt"
    secret.write_text("not the email")
    (batch / "email" / "digest.txt").unlink()
    (batch / "email" / "digest.txt").symlink_to(secret)
    with pytest.raises(DigestError, match="reads only the batch's own files"):
        check_batch(batch, CONFIG)


def test_check_batch_refuses_a_batch_whose_manifest_is_damaged(tmp_path: Path) -> None:
    batch = written(tmp_path, GOOD)
    (batch / "manifest.json").write_text("{ not json")
    with pytest.raises(DigestError):
        check_batch(batch, CONFIG)


def test_check_batch_passes_a_built_email(tmp_path: Path) -> None:
    result = check_batch(written(tmp_path, GOOD), CONFIG)
    assert result.checks == tuple(CHECKS) and len(result.checks) == 14
    assert result.failures == [] and result.failed == []


def test_check_batch_names_each_failed_check_once(tmp_path: Path) -> None:
    # both files differ from the .eml's parts: two problems of one check
    html, text = replace(HTML, ' alt="X"', ""), TEXT + "\n"
    files = GOOD | {"email/digest.html": html.encode(), "email/digest.txt": text.encode()}
    result = check_batch(written(tmp_path, files), CONFIG)
    assert [name for name, _ in result.failures] == ["img-alt", "eml", "eml"]
    assert result.failed == ["img-alt", "eml"]


@pytest.mark.parametrize("gone", FILES)
def test_check_batch_refuses_a_batch_without_its_email(tmp_path: Path, gone: str) -> None:
    batch = written(tmp_path, {path: GOOD[path] for path in FILES if path != gone})
    with pytest.raises(DigestError) as caught:
        check_batch(batch, CONFIG)
    assert str(caught.value) == f"{batch}: no {gone}; this batch has no email to check"


def test_a_damaged_eml_fails_its_checks_without_crashing() -> None:
    eml = GOOD["email/digest.eml"].replace(b'charset="utf-8"', b'charset="x-no-such"', 1)
    found = failed(eml=eml)
    assert "eml" in found
    assert any("could not check" in p or "differs" in p for p in found["eml"]), found


# International stories: format characters that are part of the language never fail a check.

INTERNATIONAL_SUBJECTS = {
    "emoji-zwj-family": "Family day 👨\u200d👩\u200d👧 in the park",
    "emoji-rainbow-flag": "Pride march 🏳\ufe0f\u200d🌈 draws thousands",
    "emoji-skin-tone-zwj": "Coders 👩🏽\u200d💻 meet in Lagos",
    "flags": "Talks 🇸🇻 🇺🇸 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f end",
    "persian-zwnj": "می\u200cخواهم خبرهای تازه را بخوانم",
    "arabic": "مرحبا بالعالم: أخبار اليوم",
    "thai": "ข่าววันนี้ นายกรัฐมนตรีประกาศมาตรการใหม่",
    "hindi-zwj-zwnj": "क्\u200dष और क्\u200cष: आज की ख़बरें",
    "soft-hyphen": "Bud\u00adget talks over\u00adrun",
    "japanese": "日本政府が新しい経済対策を発表",
    "variation-selector": "Weather ☀\ufe0f and ❤\ufe0f for all",
    "long-thai-no-spaces": "ข่าววันนี้นายกรัฐมนตรีประกาศมาตรการใหม่เพื่อช่วยเหลือ"
    "ธุรกิจขนาดเล็กทั่วประเทศไทยอย่างเร่งด่วน",
    "long-emoji-run": "👨\u200d👩\u200d👧" * 30,
    "long-persian": "رئیس جمهور امروز از برنامه\u200cهای جدید اقتصادی برای کشور خبر داد و گفت که",
}  # fmt: skip


@pytest.mark.parametrize(
    "headline", INTERNATIONAL_SUBJECTS.values(), ids=INTERNATIONAL_SUBJECTS.keys()
)
def test_an_international_subject_passes_every_check(headline: str) -> None:
    digest = with_summary(DIGEST, headline=headline)
    out = {f.path: f.content for f in render_email(digest, CONFIG)}
    assert check_email(read_email(*(out[p] for p in FILES)), CONFIG) == []
    subject = str(message_from_bytes(out["email/digest.eml"], policy=policy.default)["Subject"])
    assert "\u00ad" not in subject
    # The subject is the headline, or its start cut between graphemes, never inside one.
    clusters = regex.findall(r"\X", headline.replace("\u00ad", ""))
    kept = regex.findall(r"\X", subject.strip().removesuffix("…"))
    assert kept == clusters[: len(kept)] and kept


@pytest.mark.parametrize(
    ("char", "refused"),
    [
        ("\u200d", False),  # ZWJ: emoji and Indic
        ("\u200c", False),  # ZWNJ: Persian
        ("\ufe0f", False),  # variation selector
        ("\u00ad", False),  # soft hyphen: a hint, never harmful
        ("\u202e", True),  # override
        ("\u2067", True),  # isolate
        ("\u202a", True),  # embedding
        ("\x1b", True),  # control
        ("\u2028", True),  # line separator
    ],
)
def test_the_subject_check_refuses_only_controls_and_bidi(char: str, refused: bool) -> None:
    encoded = "".join(f"={b:02X}" for b in f"a{char}b".encode())
    eml = GOOD["email/digest.eml"].replace(
        b"Subject: Bukele US Plan on Migrants", f"Subject: =?utf-8?q?{encoded}?=".encode()
    )
    assert ("subject" in failed(eml=eml)) is refused


# Schemes are read as a browser reads them, never found as substrings.


def test_an_https_link_with_javascript_in_its_query_passes_every_check() -> None:
    url = "https://example.org/?q=javascript:alert(1)"
    digest = with_story(DIGEST, url=url, image="https://example.org/i.png?x=javascript:1")
    out = {f.path: f.content for f in render_email(digest, CONFIG)}
    assert check_email(read_email(*(out[p] for p in FILES)), CONFIG) == []
    assert b"q=javascript:alert(1)&amp;utm_source=" in out["email/digest.html"]


def test_text_that_mentions_javascript_in_alt_or_title_is_inert() -> None:
    digest = with_summary(DIGEST, headline="Why javascript: links are banned")
    digest = with_story(digest, image="https://example.org/i.png", image_alt="javascript:x")
    out = {f.path: f.content for f in render_email(digest, CONFIG)}
    assert check_email(read_email(*(out[p] for p in FILES)), CONFIG) == []


@pytest.mark.parametrize(
    ("href", "runs_code"),
    [
        ("https://example.org/?q=javascript:alert(1)", False),
        ("https://example.org/p#javascript:alert(1)", False),
        ("https://example.org/javascript:alert(1)", False),
        ("mailto:a@example.org?subject=javascript:alert(1)", False),
        ("javascript:alert(1)", True),
        ("JaVaScRiPt:alert(1)", True),
        (" javascript:alert(1)", True),
        ("\x01javascript:alert(1)", True),
        ("java\tscript:alert(1)", True),
        ("java&#9;script:alert(1)", True),
        ("java&Tab;script:alert(1)", True),
        ("javascript&colon;alert(1)", True),
        ("&#x6A;avascript:alert(1)", True),
        ("&#106;&#97;vascript:alert(1)", True),
        ("vbscript:msgbox(1)", True),
        ("  \n javascript:alert(1)", True),
    ],
)
def test_an_href_is_judged_by_the_scheme_a_browser_reads(href: str, runs_code: bool) -> None:
    found = failed(replace(HTML, "</body>", f'<a href="{href}">x</a></body>'))
    assert ("inert" in found) is runs_code, found
    assert ("link-schemes" in found) is runs_code, found


@pytest.mark.parametrize(
    "insert",
    [
        '<img src="https://e.org/x.png" srcset="https://e.org/a.png 1x, javascript:x 2x" alt="">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<div style="background:url(java\\script:alert(1))"></div>',
    ],
)
def test_script_in_srcset_meta_refresh_and_style_is_caught(insert: str) -> None:
    found = failed(replace(HTML, "</body>", insert + "</body>"))
    assert any("runs code" in p for p in found.get("inert", [])), found


# Issue 15: an email service's merge tags and the web version, through every check.
ESP_BUILT = {preset: (esp(preset), render_email(DIGEST, esp(preset))) for preset in PRESETS}


def esp_failed(
    preset: str,
    html_edit: Callable[[str], str] = str,
    text_edit: Callable[[str], str] = str,
) -> dict[str, list[str]]:
    """The failed checks of the email built for `preset`, after the edits (the .eml rebuilt)."""
    config, built = ESP_BUILT[preset]
    files = {f.path: f.content.decode() for f in built}
    html, text = html_edit(files["email/digest.html"]), text_edit(files["email/digest.txt"])
    return failed(html, text, None, config, DIGEST)


@pytest.mark.parametrize("preset", PRESETS)
def test_an_email_with_merge_tags_and_a_web_version_passes_every_check(preset: str) -> None:
    assert esp_failed(preset) == {}


@pytest.mark.parametrize("preset", PRESETS)
def test_check_batch_passes_a_published_batch_with_merge_tags(tmp_path: Path, preset: str) -> None:
    config = ESP_BUILT[preset][0]
    batch = publish(render(DIGEST, config), tmp_path / "outbox", config.config_hash)
    assert check_batch(batch, config).failures == []


@pytest.mark.parametrize("preset", list(ESPS))
def test_a_merge_tag_not_written_as_it_is_fails(preset: str) -> None:
    # A character reference reads back as the same href, but the ESP finds no tag in the bytes.
    tag = ESP_BUILT[preset][0].email.unsubscribe_url
    escaped = f"&#{ord(tag[0])};{tag[1:]}"
    found = esp_failed(preset, html_edit=lambda h: replace(h, f'href="{tag}"', f'href="{escaped}"'))
    # Postmark's {{{ ... }}} keeps a `{{` after its first brace is escaped: a stray opener too.
    stray = ["merge-tags"] if preset == "postmark" else []
    assert list(found) == ["unsubscribe", *stray]
    assert "not written as it is" in found["unsubscribe"][0]


@pytest.mark.parametrize("preset", list(ESPS))
def test_a_merge_tag_missing_from_the_text_fails(preset: str) -> None:
    tag = ESP_BUILT[preset][0].email.unsubscribe_url
    found = esp_failed(preset, text_edit=lambda t: replace(t, f"Unsubscribe: {tag}\n", ""))
    assert sorted(found) == ["same-links", "unsubscribe"]
    assert f"no unsubscribe link ({tag}) in the text" in found["unsubscribe"]
    assert found["same-links"] == [f"the merge tag {tag} is in the HTML but not the text"]


@pytest.mark.parametrize("preset", ["listmonk", "mailchimp", "sendgrid"])
def test_a_preferences_tag_missing_from_the_html_fails(preset: str) -> None:
    tag = ESP_BUILT[preset][0].email.preferences_url
    found = esp_failed(
        preset, html_edit=lambda h: replace(h, f'href="{tag}"', 'href="https://example.org"')
    )
    assert found == {"same-links": [f"the merge tag {tag} is in the text but not the HTML"]}


@pytest.mark.parametrize(
    "href",
    [
        "*|FORWARD|*",
        "{{ MessageURL }}",
        "<%asm_global_unsubscribe_url%>",
        "javascript:alert(1)",
        "*|UNSUB|* ",
    ],
)
@pytest.mark.parametrize("preset", list(ESPS))
def test_only_the_configured_tags_pass_the_scheme_check(preset: str, href: str) -> None:
    found = esp_failed(
        preset, html_edit=lambda h: replace(h, 'href="https://example.org"', f'href="{href}"')
    )
    assert "link-schemes" in found or href.strip() == ESP_BUILT[preset][0].email.unsubscribe_url


@pytest.mark.parametrize("preset", list(ESPS))
def test_a_list_unsubscribe_without_the_tag_fails(preset: str) -> None:
    config, built = ESP_BUILT[preset]
    eml = next(f.content for f in built if f.path == "email/digest.eml")
    tag = config.email.unsubscribe_url.encode()
    wrong = eml.replace(
        b"List-Unsubscribe: <" + tag + b">",
        b"List-Unsubscribe: <https://example.org/unsubscribe>",
        1,
    )
    assert wrong != eml
    found = failed(
        *(next(f.content for f in built if f.path == p).decode() for p in FILES[:2]), wrong, config
    )
    assert list(found) == ["unsubscribe"]
    assert "not the configured" in found["unsubscribe"][0]


def test_a_web_link_missing_from_either_part_fails() -> None:
    link = "https://example.org/archive/2026-11-28/morning-0800/"
    html = esp_failed(
        "none", html_edit=lambda h: replace(h, f'href="{link}"', 'href="https://example.org"')
    )
    assert html == {
        "same-links": [f"the web version {link} of List-Archive is not linked in the HTML"]
    }
    text = esp_failed("none", text_edit=lambda t: replace(t, f"View in browser: {link}\n", ""))
    assert (
        text["same-links"][0] == f"the web version {link} of List-Archive is not linked in the text"
    )


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        (
            b"List-Archive: <https://example.org/archive/2026-11-28/morning-0800/>\r\n",
            b"",
            "no List-Archive",
        ),
        (b"/archive/2026-11-28/morning-0800/>", b"/archive/2026-11-28/>", "not <the web_url"),
        (b"List-Archive: <https:", b"List-Archive: https:<", "not <the web_url"),
    ],
)
def test_list_archive_is_checked(old: bytes, new: bytes, phrase: str) -> None:
    config, built = ESP_BUILT["none"]
    eml = next(f.content for f in built if f.path == "email/digest.eml")
    assert old in eml
    html, text = (next(f.content for f in built if f.path == p).decode() for p in FILES[:2])
    found = failed(html, text, eml.replace(old, new, 1), config)
    assert list(found) == ["same-links"]
    assert phrase in found["same-links"][0]


def test_a_list_archive_without_web_url_fails() -> None:
    post = b"List-Unsubscribe-Post:"
    eml = GOOD["email/digest.eml"].replace(
        post, b"List-Archive: <https://example.org/a>\r\n" + post
    )
    found = failed(HTML, TEXT, eml, CONFIG)
    assert found["same-links"] == [
        "List-Archive is written ('<https://example.org/a>') without a web_url"
    ]


def test_without_web_url_the_email_has_no_web_version() -> None:
    eml = GOOD["email/digest.eml"]
    assert b"List-Archive" not in eml
    assert "View in browser" not in HTML and "View in browser" not in TEXT


# What seed text may hold that an ESP's template engine would run: every preset's syntax.
TEMPLATE_TEXTS = [
    "{{ .Subscriber.Email }}",
    "{{ UnsubscribeURL }}",
    "*|EMAIL|*",
    "*|UNSUB|*",
    "<%asm_global_unsubscribe_raw_url%>",
    "{{{ pm:unsubscribe }}}",
    "{{amazonSESUnsubscribeUrl}}",
    "{{#if x}}",
    "{{",
]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("planted", TEMPLATE_TEXTS)
def test_seed_text_never_reaches_the_esp_as_a_template(preset: str, planted: str) -> None:
    """Seed text is data for the ESP's engine too: its headline, tagline, key points and image
    alt carry no template syntax; only the configured tags are left for the ESP to fill."""
    config = esp(preset)
    digest = with_summary(
        DIGEST,
        headline=f"Bank {planted} falls",
        tagline=f"The tagline says {planted} twice: {planted}.",
        bullets=(f"A key point with {planted} in it.", *DIGEST.entries[0].summary.bullets[1:]),
    )
    digest = with_story(digest, image="https://example.org/a.jpg", image_alt=f"{planted} alt")
    out = {f.path: f.content for f in render_email(digest, config)}
    mail = read_email(*(out[p] for p in FILES))
    assert check_email(mail, config) == []
    if preset == "none":  # sendmail: the text is sent as written
        assert planted in mail.text
        return
    tags = {config.email.unsubscribe_url, config.email.preferences_url}
    for text in (out["email/digest.html"].decode(), mail.text, str(mail.message["Subject"])):
        text = re.sub(r"<style\b.*?</style>", "", text, flags=re.DOTALL)
        for tag in tags:
            text = text.replace(str(tag), "")
        assert not re.search(r"\{\{|\*\||<%", text), text[:300]


@pytest.mark.parametrize("preset", list(ESPS))
def test_template_syntax_left_in_the_email_fails_the_merge_tags_check(preset: str) -> None:
    config = esp(preset)
    out = {f.path: f.content for f in render_email(DIGEST, config)}
    html, text = out["email/digest.html"].decode(), out["email/digest.txt"].decode()
    assert failed(html, text, config=config) == {}
    edited = html.replace("</h1>", " *|EMAIL|*</h1>", 1)
    assert list(failed(edited, text, config=config)) == ["merge-tags"]
    assert list(failed(html, text + "\n{{ .Subscriber.Email }}\n", config=config)) == ["merge-tags"]
