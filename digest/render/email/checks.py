"""The rules a built email must keep, run on every build and by `digest check BATCH`.

Each check reads the three files of a batch's email (HTML, text, `.eml`) and returns its
problems; an empty list is a pass. `CHECKS` names them, and those names are what a failed
build or `digest check` reports.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from digest.config import Settings
from digest.config.email_links import ESPS, TEMPLATE_OPENER, tag_of, web_url_regex
from digest.errors import DigestError, EmailCheckError
from digest.models import Rendered
from digest.render.email.eml_parts import part_problems, read_headers
from digest.render.email.header_checks import archive_link, list_archive, list_unsubscribe, raw_ids
from digest.render.email.html_facts import HtmlFacts
from digest.render.email.html_quick import parse_html
from digest.render.email.links import SCHEMES, scheme_of, written_link
from digest.render.email.message import MAX_SUBJECT
from digest.text import BIDI_CONTROLS

MAX_HTML_BYTES = 100_000  # Gmail clips a message at ~102 KB
MAX_UNSUBSCRIBE_OFFSET = 90_000  # so the unsubscribe link is never in the clipped part
FILES = ("email/digest.html", "email/digest.txt", "email/digest.eml")
_STYLE = re.compile(r"<style\b.*?</style\s*>", re.IGNORECASE | re.DOTALL)  # CSS holds `}}`
_TEXT_LINK = re.compile(r"(?:https?://|mailto:)[^\s<>\"]+", re.IGNORECASE)
_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "List-Id")


@dataclass(frozen=True)
class Email:
    """A built email, as read back: the HTML parsed once, the `.eml`'s headers read (its parts
    are compared with the files by `eml_parts`)."""

    html: bytes
    text: str
    eml: bytes
    page: HtmlFacts
    message: EmailMessage | None

    @cached_property
    def text_links(self) -> tuple[str, ...]:
        """The links written out in the text, in order (read once for the checks that ask)."""
        return tuple(_TEXT_LINK.findall(self.text))


@dataclass(frozen=True)
class BatchCheck:
    """The checks of a published batch's email: the names of all that ran, and each
    (check name, problem) that failed; no failures is a pass."""

    checks: tuple[str, ...]
    failures: list[tuple[str, str]]

    @property
    def failed(self) -> list[str]:
        """The names of the failed checks, once each, in the order they ran."""
        return list(dict.fromkeys(name for name, _ in self.failures))


def read_email(html: bytes, text: bytes, eml: bytes) -> Email:
    """The three files of an email, read for the checks."""
    return Email(
        html=html,
        text=text.decode("utf-8", errors="replace"),
        eml=eml,
        page=parse_html(html.decode("utf-8", errors="replace")),
        message=read_headers(eml),
    )


def check_email(mail: Email, settings: Settings) -> list[tuple[str, str]]:
    """Every (check name, problem) of `mail`; empty when it is fit to send."""
    failures = []
    for name, check in CHECKS.items():
        try:
            problems = check(mail, settings)
        except Exception as exc:  # a damaged file (say, an unknown charset) fails, never crashes
            problems = [f"could not check: {type(exc).__name__}: {exc}"]
        failures += [(name, problem) for problem in problems]
    return failures


def check_rendered(rendered: Rendered, settings: Settings) -> None:
    """Raise `EmailCheckError` naming each failed check of a rendered batch's email, if any."""
    files = {f.path: f.content for f in rendered.files}
    if not all(path in files for path in FILES):
        return  # no email channel in this batch
    failures = check_email(read_email(*(files[path] for path in FILES)), settings)
    if failures:
        raise EmailCheckError(rendered.digest.slot.batch_id, failures)


def check_batch(batch: Path, settings: Settings) -> BatchCheck:
    """Run every check on the email of the published batch folder `batch`, as `digest check` does;
    `DigestError` when the batch has no email; an OSError reading its files is raised as is."""
    from digest.outbox.batches import read_manifest

    missing = [path for path in FILES if not (batch / path).is_file()]
    if missing:
        raise DigestError(f"{batch}: no {missing[0]}; this batch has no email to check")
    read_manifest(batch)  # a damaged manifest is no published batch: DigestError, as verify says
    mail = read_email(*(_batch_file(batch, path) for path in FILES))
    return BatchCheck(tuple(CHECKS), check_email(mail, settings))


def _batch_file(batch: Path, path: str) -> bytes:
    """The bytes of the batch's own file `path`: never through a link, never from outside."""
    from digest.outbox.verify import open_inside

    try:
        fd = open_inside(batch, path)
    except OSError as exc:
        raise DigestError(
            f"{batch}: {path}: {exc.strerror or exc}; digest check reads only the batch's own "
            "files (see digest outbox verify)"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _html_size(mail: Email, settings: Settings) -> list[str]:
    size = len(mail.html)
    if size <= MAX_HTML_BYTES:
        return []
    return [
        f"email/digest.html is {size} bytes, over {MAX_HTML_BYTES} (Gmail clips at ~102 KB); "
        "lower max_stories for this schedule or shorten the templates"
    ]


def _written(url: str, settings: Settings) -> str:
    """A configured link as the email writes it: the ESP's merge tag (`[email] merge_tags`) as
    it is, any other link as its URI when it is an IRI."""
    return written_link(url, settings.email) or url


def _tags(settings: Settings) -> set[str]:
    """The configured links that are the ESP's merge tags, which no URL rule applies to."""
    email = settings.email
    found = (
        tag_of(url, email.merge_tags) for url in (email.unsubscribe_url, email.preferences_url)
    )
    return {tag for tag in found if tag is not None}


def _in_text(text: str, tag: str) -> bool:
    """Whether a merge tag is written out in the text, on a line of its own or after a label."""
    return any(
        line == tag or line.endswith(" " + tag) for line in (x.strip() for x in text.splitlines())
    )


def _unsubscribe_early(mail: Email, settings: Settings) -> list[str]:
    url = _written(settings.email.unsubscribe_url, settings)
    offsets = [offset for href, offset in mail.page.links if href == url]
    if not offsets:
        return []  # `unsubscribe` reports a missing link
    if offsets[0] <= MAX_UNSUBSCRIBE_OFFSET:
        return []
    return [
        f"the unsubscribe link starts at byte {offsets[0]}, past the first "
        f"{MAX_UNSUBSCRIBE_OFFSET} bytes; Gmail would clip it away"
    ]


def _html_parses(mail: Email, settings: Settings) -> list[str]:
    return [f"email/digest.html: {error}" for error in mail.page.errors]


def _quoted_attributes(mail: Email, settings: Settings) -> list[str]:
    return [
        f"email/digest.html line {line}: unquoted attribute {attr}"
        for line, attr in mail.page.unquoted
    ]


def _img_alt(mail: Email, settings: Settings) -> list[str]:
    return [
        f"email/digest.html line {line}: <img src={src!r}> has no alt"
        for line, src in mail.page.images_without_alt
    ]


def _story_links(links: set[str], settings: Settings) -> set[str]:
    source = settings.email.utm.source
    return {u for u in links if source in _utm_sources(u)}


@lru_cache(maxsize=1024)
def _utm_sources(url: str) -> tuple[str, ...]:
    """The `utm_source` values of a link's query (a link is in both parts: read once)."""
    return tuple(parse_qs(urlsplit(url).query).get("utm_source", ()))


def _same_links(mail: Email, settings: Settings) -> list[str]:
    hrefs = {href for href, _ in mail.page.links}
    html = {href for href in hrefs if _TEXT_LINK.fullmatch(href)}
    text = set(mail.text_links)
    problems = _web_version(mail, settings, hrefs, text)
    for link in sorted(set(mail.page.outlook_links) - hrefs):  # the VML button's, say
        problems.append(f"the link {link[:80]} is only in Outlook's markup, not in the HTML's")
    for tag in sorted(_tags(settings)):
        if (tag in hrefs) != _in_text(mail.text, tag):
            where = "the HTML but not the text" if tag in hrefs else "the text but not the HTML"
            problems.append(f"the merge tag {tag} is in {where}")
    html_stories, text_stories = _story_links(html, settings), _story_links(text, settings)
    for link in sorted(html_stories - text_stories):
        problems.append(f"the story link {link} is in the HTML but not in the text")
    for link in sorted(text_stories - html_stories):
        problems.append(f"the story link {link} is in the text but not in the HTML")
    for link in sorted(html - text - html_stories):
        problems.append(f"the link {link} is in the HTML but not written out in the text")
    return problems


def _web_version(mail: Email, settings: Settings, hrefs: set[str], text: set[str]) -> list[str]:
    """List-Archive (`[email] web_url`) and its link in both parts, or neither without one."""
    pattern = settings.email.web_url
    problems = list_archive(mail.eml, web_url_regex(pattern) if pattern else None)
    web = archive_link(mail.eml)
    if pattern and web and not problems:
        problems += [
            f"the web version {web} of List-Archive is not linked in {where}"
            for where, links in (("the HTML", hrefs), ("the text", text))
            if web not in links
        ]
    return problems


def _link_schemes(mail: Email, settings: Settings) -> list[str]:
    # The scheme a browser reads decides, never a substring: `https://x/?q=javascript:` is a web
    # link, ` JaVa\tScRiPt:` is not. An ESP's configured merge tag is its own kind of link.
    tags = _tags(settings)
    links = [u for u, _ in mail.page.links] + mail.page.outlook_links
    wrong = [u for u in links if scheme_of(u) not in SCHEMES and u not in tags]
    wrong += [u for u in mail.page.sources if scheme_of(u) not in ("http", "https")]
    return [f"{u[:80]!r} is not an http, https or mailto link" for u in wrong]


def _inert(mail: Email, settings: Settings) -> list[str]:
    return [f"email/digest.html: {problem}" for problem in mail.page.active]


def _accessible(mail: Email, settings: Settings) -> list[str]:
    page, problems = mail.page, []
    if not page.lang:
        problems.append("<html> has no lang")
    if page.layout_tables:
        problems.append(f'{page.layout_tables} <table>(s) without role="presentation"')
    levels = page.headings
    if levels[:1] != [1] or any(b > a + 1 for a, b in pairwise(levels)):
        problems.append(f"headings skip a level or do not start at h1: {levels}")
    return problems


def _address(mail: Email, settings: Settings) -> list[str]:
    address = " ".join(settings.brand.postal_address.split())
    return [
        f"the postal address {address!r} is missing from {where}"
        for where, text in (("the HTML", mail.page.text), ("the text", mail.text))
        if address not in " ".join(text.split())
    ]


def _unsubscribe(mail: Email, settings: Settings) -> list[str]:
    url, problems = _written(settings.email.unsubscribe_url, settings), []
    tag = url in _tags(settings)
    if url not in {href for href, _ in mail.page.links}:
        problems.append(f"no unsubscribe link ({url}) in the HTML")
    elif tag and f'href="{url}"'.encode() not in mail.html:  # escaped, the ESP finds no tag
        problems.append(f"the unsubscribe tag {url} is not written as it is in the HTML")
    if not (_in_text(mail.text, url) if tag else url in mail.text_links):
        problems.append(f"no unsubscribe link ({url}) in the text")
    links = [url, _written(settings.email.unsubscribe_mailto, settings)]
    return problems + list_unsubscribe(mail.eml, links, tag=tag)


def _subject(mail: Email, settings: Settings) -> list[str]:
    # A folded header that is one long word reads back with a leading space: not the subject's.
    subject = str(mail.message.get("Subject", "")).strip() if mail.message else ""
    problems = []
    if not subject.strip():
        problems.append("the subject is empty")
    if len(subject) > MAX_SUBJECT:
        problems.append(
            f"the subject is {len(subject)} characters, over {MAX_SUBJECT}: {subject!r}"
        )
    # Only what can break a header or reorder the text around it: format characters that are
    # part of the language (ZWJ in an emoji, ZWNJ in Persian) are no reason to refuse.
    if any(c in BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in subject):
        problems.append(f"the subject holds control or bidi characters: {subject!r}")
    return problems


def _eml(mail: Email, settings: Settings) -> list[str]:
    msg = mail.message
    if msg is None or msg.get_content_type() != "multipart/alternative":
        return ["email/digest.eml is not a multipart/alternative message"]
    problems = [f"email/digest.eml has no {name} header" for name in _HEADERS if not msg.get(name)]
    problems += raw_ids(mail.eml, settings.email.list_id)
    return problems + part_problems(mail.eml, msg, mail.text, mail.html)


def _merge_tags(mail: Email, settings: Settings) -> list[str]:
    """Sent through an ESP, the email holds no template syntax but its configured tags: the
    ESP's engine would run it (or fail on it) in every reader's copy."""
    esp = ESPS.get(settings.email.merge_tags)
    if esp is None:
        return []
    subject = str(mail.message.get("Subject", "")) if mail.message else ""
    html = _STYLE.sub("", mail.html.decode("utf-8", errors="replace"))
    problems = []
    for where, text in (
        ("email/digest.html", html),
        ("email/digest.txt", mail.text),
        ("the subject", subject),
    ):
        for tag in _tags(settings):
            text = text.replace(tag, "")
        found = TEMPLATE_OPENER.search(text)
        if found:
            around = text[max(0, found.start() - 20) : found.end() + 20]
            problems.append(
                f"{where} holds {found.group()!r} outside a configured merge tag ({around!r}): "
                f"{esp.name} would read it as a template"
            )
    return problems


CHECKS: dict[str, Callable[[Email, Settings], list[str]]] = {
    "html-size": _html_size,
    "unsubscribe-early": _unsubscribe_early,
    "html-parses": _html_parses,
    "quoted-attributes": _quoted_attributes,
    "img-alt": _img_alt,
    "same-links": _same_links,
    "link-schemes": _link_schemes,
    "inert": _inert,
    "accessible": _accessible,
    "address": _address,
    "unsubscribe": _unsubscribe,
    "merge-tags": _merge_tags,
    "subject": _subject,
    "eml": _eml,
}
