"""Reading published batches as archive issues: what each field comes from, which batches are
issues, which are skipped (and said so), and where each issue's page is."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.archive import (
    BASE_URL,
    project_with_batches,
    publish_days,
    write_project,
    write_seeds,
)

from digest.archive import build_archive
from digest.archive.issues import read_issues
from digest.archive.model import Issue
from digest.config import Settings
from digest.config.email_links import ESPS, TEMPLATE_OPENER
from digest.errors import ConfigError
from digest.jsonfile import json_file
from digest.outbox.published import published

WEB_URL = BASE_URL + "{date}/{slot}/"


def batch_of(settings: Settings, folder: str) -> Path:
    return settings.paths.outbox / folder


def resign(batch: Path) -> None:
    """Make the manifest list the batch's files as they now are (a batch built that way)."""
    manifest = json.loads((batch / "manifest.json").read_bytes())
    for record in manifest["files"]:
        data = (batch / record["path"]).read_bytes()
        record["bytes"], record["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    (batch / "manifest.json").write_bytes(json_file(manifest))


def headers(batch: Path) -> email.message.EmailMessage:
    raw = (batch / "email/digest.eml").read_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


# --- the fields -------------------------------------------------------------------------------


def test_each_field_comes_from_the_batch(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=2, stories_per_batch=2)
    issues, skipped = read_issues(settings)
    assert skipped == []
    assert [i.folder for i in issues] == ["2026-12-02/morning-0800", "2026-12-01/morning-0800"]
    issue = issues[1]
    batch = batch_of(settings, issue.folder)
    manifest = json.loads((batch / "manifest.json").read_bytes())
    assert issue.batch_id == manifest["batch_id"] == "morning@2026-12-01T08:00:00Z"
    assert issue.schedule == "morning" and issue.date == "2026-12-01"
    assert issue.local.isoformat() == manifest["slot"]["local"].replace("Z", "+00:00")
    assert issue.utc.isoformat() == "2026-12-01T08:00:00+00:00"
    assert issue.subject == str(headers(batch)["Subject"]) == "Story number 1"
    assert issue.lang == "en"
    assert issue.email_html == (batch / "email/digest.html").read_text(encoding="utf-8")
    assert [s.slug for s in issue.stories] == [s["slug"] for s in manifest["stories"]]
    assert [s.slug for s in issue.stories] == ["story-0001", "story-0002"]
    lead = issue.lead
    record = json.loads((batch / "stories/story-0001.json").read_bytes())
    assert lead.headline == record["summary"]["headline"] == "Story number 1"
    assert lead.tagline == record["summary"]["tagline"]
    assert lead.bullets == tuple(record["summary"]["bullets"])
    assert lead.url == "https://news.example.org/story/1"
    assert issue.fingerprint == hashlib.sha256((batch / "manifest.json").read_bytes()).hexdigest()
    assert issue.web_link is None  # the example config has no web_url
    assert issue.page == "2026-12-01/morning-0800/index.html"
    assert issue.url == BASE_URL + "2026-12-01/morning-0800/"


def test_the_way_out_is_the_list_unsubscribe_links_and_the_configs(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1)
    (issue,), _ = read_issues(settings)
    assert issue.way_out == {
        "https://example.org/unsubscribe",
        "mailto:unsubscribe@example.org?subject=unsubscribe",
        "https://example.org/preferences",
    }
    # The config changed since the batch: the links it sent stay a way out, the new ones join.
    later = write_project(
        tmp_path,
        email={
            "unsubscribe_url": "https://example.org/leave",
            "preferences_url": "https://example.org/prefs?a=1&b=2",
        },
    )
    (issue,), _ = read_issues(later)
    assert issue.way_out == {
        "https://example.org/unsubscribe",  # in the batch's List-Unsubscribe
        "mailto:unsubscribe@example.org?subject=unsubscribe",
        "https://example.org/leave",
        "https://example.org/prefs?a=1&b=2",
    }


PRESETS = [
    ("listmonk", "{{ UnsubscribeURL }}", "{{ UnsubscribeURL }}?manage=true"),
    ("mailchimp", "*|UNSUB|*", "*|UPDATE_PROFILE|*"),
    ("ses", "{{amazonSESUnsubscribeUrl}}", None),
    ("postmark", "{{{ pm:unsubscribe }}}", None),
    ("sendgrid", "<%asm_group_unsubscribe_raw_url%>", "<%asm_preferences_raw_url%>"),
]


@pytest.mark.parametrize(("preset", "tag", "preferences"), PRESETS)
def test_a_merge_tag_in_list_unsubscribe_is_a_way_out(
    tmp_path: Path, preset: str, tag: str, preferences: str | None
) -> None:
    settings = project_with_batches(
        tmp_path,
        days=1,
        email={"merge_tags": preset, "unsubscribe_url": None, "preferences_url": preferences},
    )
    (issue,), skipped = read_issues(settings)
    assert skipped == []
    assert f"<{tag}>" in str(headers(batch_of(settings, issue.folder))["List-Unsubscribe"])
    assert tag in issue.way_out and f'href="{tag}"' in issue.email_html
    assert issue.way_out == {
        "mailto:unsubscribe@example.org?subject=unsubscribe",
        *ESPS[preset].unsubscribe[:1],
        *ESPS[preset].preferences[:1],
    }


def test_web_link_is_the_list_archive_url_and_names_the_page(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=2, email={"web_url": WEB_URL})
    issues, _ = read_issues(settings)
    for issue in issues:
        archive = str(headers(batch_of(settings, issue.folder))["List-Archive"])
        assert archive == f"<{issue.web_link}>"
        assert issue.web_link == issue.url == f"{BASE_URL}{issue.folder}/"
        assert issue.page == f"{issue.folder}/index.html"


# --- which batches are issues, in which order -------------------------------------------------


def test_newest_first_by_utc_then_batch_id(tmp_path: Path) -> None:
    # Two schedules at the same instant and one an hour later, on three days.
    settings = project_with_batches(
        tmp_path,
        days=3,
        stories_per_batch=1,
        schedules=(
            {"name": "alpha", "at": "08:00"},
            {"name": "beta", "at": "08:00"},
            {"name": "gamma", "at": "07:00"},
        ),
    )
    issues, skipped = read_issues(settings)
    assert skipped == []
    keys = [(i.utc, i.batch_id) for i in issues]
    assert keys == sorted(keys, reverse=True) and len(issues) == 9
    assert [i.schedule for i in issues[:3]] == ["beta", "alpha", "gamma"]


def test_only_the_archived_schedules(tmp_path: Path) -> None:
    settings = project_with_batches(
        tmp_path, days=2, schedules=("morning", "evening"), archive={"schedules": ["evening"]}
    )
    issues, skipped = read_issues(settings)
    assert {i.schedule for i in issues} == {"evening"} and len(issues) == 2 and skipped == []


def test_a_social_only_batch_is_no_issue_and_not_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project_with_batches(
        tmp_path, days=2, schedules=("morning", {"name": "social", "channels": ["x"]})
    )
    assert len(published(settings.paths.outbox)) == 4
    with caplog.at_level(logging.INFO, logger="digest.archive"):
        issues, skipped = read_issues(settings)
    assert {i.schedule for i in issues} == {"morning"} and skipped == []
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("social-0900" in line and "no email" in line for line in infos)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_empty_outbox_has_no_issues(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=0)
    assert read_issues(settings) == ([], [])


def test_without_base_url_it_names_the_key(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1, archive={"base_url": None})
    with pytest.raises(ConfigError) as caught:
        read_issues(settings)
    assert [key for key, _ in caught.value.problems] == ["archive.base_url"]
    assert "https://example.org/archive/" in str(caught.value)


def test_the_same_batches_read_the_same(tmp_path: Path) -> None:
    one = project_with_batches(tmp_path / "one", days=2, schedules=("a", "b"))
    two = project_with_batches(tmp_path / "two", days=2, schedules=("a", "b"))
    assert read_issues(one) == read_issues(two) == read_issues(one)


# --- damaged batches --------------------------------------------------------------------------


def _alter(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"Story", b"St0ry", 1))


def _replace_with_link(path: Path) -> None:
    data = path.read_bytes()
    path.unlink()
    (path.parent / "elsewhere").mkdir(exist_ok=True)
    (path.parent / "elsewhere" / path.name).write_bytes(data)
    path.symlink_to(path.parent / "elsewhere" / path.name)


DAMAGES = [
    # (what is done to the batch, a part of the reason)
    (lambda b: _alter(b / "email/digest.html"), "email/digest.html: content does not match"),
    (lambda b: _alter(b / "stories/story-0003.json"), "stories/story-0003.json: content"),
    (lambda b: (b / "email/digest.eml").unlink(), "email/digest.eml: missing"),
    (lambda b: (b / "notes.txt").write_text("hi"), "notes.txt: not listed in the manifest"),
    (lambda b: _replace_with_link(b / "email/digest.html"), "symbolic link"),
    (lambda b: (b / "manifest.json").write_text("{"), "manifest.json is not a valid manifest"),
    (lambda b: (b / "manifest.json").write_text("[]"), "manifest.json is not a valid manifest"),
    (lambda b: _replace_with_link(b / "manifest.json"), "cannot read manifest.json"),
]


@pytest.mark.parametrize(("damage", "reason"), DAMAGES)
def test_a_damaged_batch_is_skipped_with_a_warning_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object, reason: str
) -> None:
    settings = project_with_batches(tmp_path, days=3)
    batch = batch_of(settings, "2026-12-02/morning-0800")
    damage(batch)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        issues, skipped = read_issues(settings)
    assert [i.folder for i in issues] == ["2026-12-03/morning-0800", "2026-12-01/morning-0800"]
    assert [s.folder for s in skipped] == ["2026-12-02/morning-0800"]
    assert reason in skipped[0].reason, skipped[0].reason
    assert "digest build --slot morning@2026-12-02 --force" in skipped[0].reason
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith(f"{batch}: left out of the archive: ") and reason in warning


def test_a_batch_rebuilt_differently_has_another_fingerprint(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1)
    (before,), _ = read_issues(settings)
    batch = batch_of(settings, before.folder)
    path = batch / "email/digest.html"
    path.write_text(path.read_text().replace("Story number 1", "Story number one"))
    resign(batch)
    (after,), skipped = read_issues(settings)
    assert skipped == [] and after.fingerprint != before.fingerprint
    assert "Story number one" in after.email_html


# Story records and HTML as a batch may hold them (the manifest agreeing): what is kept.
STORY_URLS = [
    ("https://news.example.org/a", "https://news.example.org/a"),
    ("http://news.example.org/a?b=1&c=2", "http://news.example.org/a?b=1&c=2"),
    ("mailto:desk@example.org", None),
    ("javascript:alert(1)", None),
    ("//news.example.org/a", None),
    ("/relative", None),
    ("", None),
    (None, None),
    (5, None),
]


@pytest.mark.parametrize(("url", "kept"), STORY_URLS)
def test_a_story_url_is_kept_only_when_http_or_https(
    tmp_path: Path, url: object, kept: str | None
) -> None:
    settings = project_with_batches(tmp_path, days=1, stories_per_batch=1)
    batch = batch_of(settings, "2026-12-01/morning-0800")
    path = batch / "stories/story-0001.json"
    record = json.loads(path.read_bytes())
    record["url"] = url
    path.write_bytes(json_file(record))
    resign(batch)
    (issue,), _ = read_issues(settings)
    assert issue.lead.url == kept


NOT_STORIES = [
    {"summary": {"headline": "h", "tagline": "t"}},
    {"summary": {"headline": 1, "tagline": "t", "bullets": []}},
    {"summary": {"headline": "h", "tagline": "t", "bullets": "b"}},
    {"summary": {"headline": "h", "tagline": "t", "bullets": [1]}},
    {"summary": "h"},
    [],
]


@pytest.mark.parametrize("record", NOT_STORIES)
def test_a_story_file_that_is_no_story_record_skips_the_batch(
    tmp_path: Path, record: object
) -> None:
    settings = project_with_batches(tmp_path, days=1, stories_per_batch=1)
    batch = batch_of(settings, "2026-12-01/morning-0800")
    (batch / "stories/story-0001.json").write_bytes(json_file(record))
    resign(batch)
    issues, (skipped,) = read_issues(settings)
    assert issues == [] and "stories/story-0001.json is not a story record" in skipped.reason


def test_a_batch_without_stories_is_skipped(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1, stories_per_batch=1)
    batch = batch_of(settings, "2026-12-01/morning-0800")
    manifest = json.loads((batch / "manifest.json").read_bytes())
    manifest["stories"] = []
    (batch / "manifest.json").write_bytes(json_file(manifest))
    issues, (skipped,) = read_issues(settings)
    assert issues == [] and "lists no story" in skipped.reason


@pytest.mark.parametrize(
    ("html_tag", "lang"),
    [
        ('<html lang="en" dir="auto">', "en"),
        ("<html lang='pt-BR'>", "pt-BR"),
        ("<HTML LANG=de>", "de"),
        ("<html>", "und"),
        ('<html lang="">', "und"),
        ('<html lang="e n">', "und"),
        ('<html data-lang="fr">', "und"),
    ],
)
def test_lang_is_the_html_lang(tmp_path: Path, html_tag: str, lang: str) -> None:
    settings = project_with_batches(tmp_path, days=1, stories_per_batch=1)
    batch = batch_of(settings, "2026-12-01/morning-0800")
    path = batch / "email/digest.html"
    html = path.read_text()
    start = html.index("<html")
    path.write_text(html[:start] + html_tag + html[html.index(">", start) + 1 :])
    resign(batch)
    (issue,), _ = read_issues(settings)
    assert issue.lang == lang


# --- where each page is -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_web_url", "read_web_url", "page"),
    [
        # The batch's own List-Archive under base_url: its page, whatever the config says now.
        (WEB_URL, None, "2026-12-01/morning-0800/index.html"),
        (
            BASE_URL + "{schedule}/{date}/{slot}/",
            None,
            "morning/2026-12-01/morning-0800/index.html",
        ),
        (BASE_URL + "issues/{date}-{slot}.html", WEB_URL, "issues/2026-12-01-morning-0800.html"),
        # Elsewhere, or where the archive cannot put it: the config's pattern.
        ("https://other.example.net/{date}/{slot}/", None, "2026-12-01/morning-0800/index.html"),
        (
            "https://other.example.net/{date}/{slot}/",
            BASE_URL + "i/{slot}/{date}/",
            "i/morning-0800/2026-12-01/index.html",
        ),
        (BASE_URL + "page/{date}/{slot}/", None, "2026-12-01/morning-0800/index.html"),
        (BASE_URL + "{date}/{slot}/?x=1", None, "2026-12-01/morning-0800/index.html"),
        (BASE_URL + "{date}/{slot}", None, "2026-12-01/morning-0800/index.html"),
        ("https://example.org/archived/{date}/{slot}/", None, "2026-12-01/morning-0800/index.html"),
    ],
)
def test_the_page_is_the_batchs_own_web_url_when_the_archive_can_serve_it(
    tmp_path: Path, sent_web_url: str, read_web_url: str | None, page: str
) -> None:
    # Published with no base_url (any web_url goes), read with base_url and today's web_url.
    sent = project_with_batches(
        tmp_path, days=1, email={"web_url": sent_web_url}, archive={"base_url": None}
    )
    settings = write_project(tmp_path, email={"web_url": read_web_url})
    assert sent.paths.outbox == settings.paths.outbox
    (issue,), skipped = read_issues(settings)
    assert skipped == []
    assert issue.web_link == sent_web_url.replace("{date}", "2026-12-01").replace(
        "{slot}", "morning-0800"
    ).replace("{schedule}", "morning")
    assert issue.page == page
    assert issue.url == BASE_URL + page.removesuffix("index.html")


def test_batches_with_and_without_web_url_in_one_archive(tmp_path: Path) -> None:
    project_with_batches(tmp_path, days=2, stories_per_batch=1)
    later = write_project(
        tmp_path, stories_per_batch=1, email={"web_url": BASE_URL + "x/{slot}-{date}/"}
    )
    write_seeds(later.paths.seeds, 4)  # two more
    publish_days(later, 2, first=date(2026, 12, 3))
    issues, skipped = read_issues(later)
    assert skipped == []
    assert [(i.page, i.web_link is not None) for i in issues] == [
        ("x/morning-0800-2026-12-04/index.html", True),
        ("x/morning-0800-2026-12-03/index.html", True),
        ("x/morning-0800-2026-12-02/index.html", False),  # no link of its own: today's pattern
        ("x/morning-0800-2026-12-01/index.html", False),
    ]


def test_two_issues_on_one_page_the_older_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Sent with a web_url of one page a day; two schedules publish each day.
    project_with_batches(
        tmp_path,
        days=2,
        schedules=("morning", "evening"),
        email={"web_url": BASE_URL + "{date}/"},
        archive={"base_url": None},
    )
    settings = write_project(tmp_path, schedules=("morning", "evening"))
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        issues, skipped = read_issues(settings)
    assert [(i.folder, i.page) for i in issues] == [
        ("2026-12-02/evening-0900", "2026-12-02/index.html"),
        ("2026-12-01/evening-0900", "2026-12-01/index.html"),
    ]
    assert [s.folder for s in skipped] == ["2026-12-01/morning-0800", "2026-12-02/morning-0800"]
    assert all("is the page of" in s.reason and "{slot}" in s.reason for s in skipped)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("left out of the archive" in w for w in warnings)


# --- hostile text -----------------------------------------------------------------------------

HOSTILE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda t: t.strip() and "\n" not in t and "\r" not in t and "+++" not in t)
FRAGMENTS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "&amp; & <b>",
        "=?utf-8?q?=0D=0ABcc:_x@y?=",
        "{{ UnsubscribeURL }}",
        "*|UNSUB|*",
        "<%asm_group_unsubscribe_raw_url%>",
        "\"quoted\" 'single'",
        "\u202eRTL override\u202c",
        "עברית ومرحبا",
        "emoji 👩‍👩‍👧 𝔘",
        "]]> <!-- -->",
    ]
)
TITLES = st.lists(
    st.one_of(HOSTILE, FRAGMENTS, st.tuples(FRAGMENTS, HOSTILE).map(" ".join)),
    min_size=2,
    max_size=2,
)


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(titles=TITLES, preset=st.sampled_from(["none", "listmonk", "sendgrid"]))
def test_hostile_headlines_read_back_as_the_batch_says(titles: list[str], preset: str) -> None:
    email_keys = {} if preset == "none" else {"merge_tags": preset, "unsubscribe_url": None}
    with tempfile.TemporaryDirectory() as folder:
        settings = project_with_batches(
            Path(folder), days=1, titles=titles, email=email_keys | {"web_url": WEB_URL}
        )
        if not published(settings.paths.outbox):
            return  # no story of these seeds could be published: nothing to read
        (issue,), skipped = read_issues(settings)
        batch = batch_of(settings, issue.folder)
        assert skipped == []
        assert issue.subject == str(headers(batch)["Subject"])
        assert "\n" not in issue.subject and "\r" not in issue.subject
        for story in issue.stories:
            record = json.loads((batch / f"stories/{story.slug}.json").read_bytes())
            assert story.headline == record["summary"]["headline"]
            assert story.bullets == tuple(record["summary"]["bullets"])
        if preset != "none":  # the email, its subject and its stories hold no template syntax
            assert not TEMPLATE_OPENER.search(issue.subject)
        assert issue.web_link == issue.url and issue.page == f"{issue.folder}/index.html"


def test_an_issue_is_a_frozen_value(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1)
    (issue,), _ = read_issues(settings)
    assert isinstance(issue, Issue)
    with pytest.raises(AttributeError):
        issue.subject = "x"  # type: ignore[misc]


# --- folders that are no batch of their own --------------------------------------------------

# (what is done to 2026-12-01/morning-0800, where the copy or the moved folder goes, a part of
# the reason it is skipped), the original (when still there) kept.
COPIES = [
    ("copy", "2026-12-09/morning-0800", "does not name its manifest's slot"),  # another day
    ("copy", "2026-11-30/morning-0800", "does not name its manifest's slot"),  # the day before
    ("copy", "2026-12-01/evening-1800", "is not its manifest's schedule"),
    ("copy", "2026-12-01/morning-0900", "does not name its manifest's slot"),  # later that day
    ("copy", "2026-12-01/morning-2500", "does not name its manifest's slot"),  # no time
    ("copy", "2026-12-01/morning-0700", "is that of 2026-12-01/morning-0800 too"),  # in a gap?
    ("move", "2026-12-09/morning-0800", "does not name its manifest's slot"),
]


@pytest.mark.parametrize(("how", "target", "reason"), COPIES)
def test_a_copied_or_moved_batch_folder_is_skipped_and_no_id_is_listed_twice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str, target: str, reason: str
) -> None:
    settings = project_with_batches(tmp_path, days=2)
    source = batch_of(settings, "2026-12-01/morning-0800")
    (settings.paths.outbox / target).parent.mkdir(exist_ok=True)
    if how == "copy":
        shutil.copytree(source, settings.paths.outbox / target, symlinks=True)
    else:
        source.rename(settings.paths.outbox / target)
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        issues, skipped = read_issues(settings)
    kept = ["2026-12-02/morning-0800"] + (["2026-12-01/morning-0800"] if how == "copy" else [])
    assert [i.folder for i in issues] == kept
    assert len({i.batch_id for i in issues}) == len(issues)
    assert [s.folder for s in skipped] == [target]
    assert reason in skipped[0].reason, skipped[0].reason
    assert (
        f"{target}: left out of the archive" in caplog.text
        or str(settings.paths.outbox / target) in caplog.text
    )
    build_archive(settings)
    for feed in ("feed.xml", "schedules/morning/feed.xml"):
        ids = re.findall(rb"<id>(tag:[^<]*)</id>", (settings.paths.site / feed).read_bytes())
        assert len(ids) == len(set(ids)) == len(kept), ids
    items = json.loads((settings.paths.site / "feed.json").read_bytes())["items"]
    assert sorted(item["id"] for item in items) == sorted(i.batch_id for i in issues)


def test_a_copy_that_sorts_first_still_leaves_the_original_its_issue(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1)
    source = batch_of(settings, "2026-12-01/morning-0800")
    for name in ("morning-0600", "morning-0759"):  # both within a spring-forward gap's reach
        shutil.copytree(source, source.with_name(name))
    issues, skipped = read_issues(settings)
    assert [i.folder for i in issues] == ["2026-12-01/morning-0800"]
    assert [s.folder for s in skipped] == ["2026-12-01/morning-0600", "2026-12-01/morning-0759"]


def test_a_slot_moved_by_a_spring_forward_gap_is_its_folders(tmp_path: Path) -> None:
    # 01:30 does not exist in London on 2027-03-28: the slot is 02:30 BST, its folder -0130.
    settings = write_project(tmp_path, schedules=({"name": "night", "at": "01:30"},))
    write_seeds(settings.paths.seeds, 2)
    publish_days(settings, 1, first=date(2027, 3, 28))
    (issue,), skipped = read_issues(settings)
    assert skipped == [] and issue.folder == "2027-03-28/night-0130"
    assert issue.local.isoformat() == "2027-03-28T02:30:00+01:00"


def _link_to_elsewhere(batch: Path) -> None:
    elsewhere = batch.parent.parent.parent / "elsewhere" / batch.name
    elsewhere.parent.mkdir(exist_ok=True)
    batch.rename(elsewhere)
    batch.symlink_to(elsewhere, target_is_directory=True)


def _date_link(batch: Path) -> None:
    day = batch.parent
    elsewhere = day.parent.parent / "elsewhere-day"
    day.rename(elsewhere)
    day.symlink_to(elsewhere, target_is_directory=True)


# (what is done to 2026-12-01/morning-0800, the folder skipped, a part of its reason)
PASSED_OVER = [
    (_link_to_elsewhere, "2026-12-01/morning-0800", "a symbolic link, not a batch folder"),
    (_date_link, "2026-12-01", "a symbolic link, not a date folder"),
    (lambda b: (b / "manifest.json").unlink(), "2026-12-01/morning-0800", "no manifest.json"),
    (
        lambda b: (shutil.rmtree(b), b.write_text("x")),
        "2026-12-01/morning-0800",
        "not a folder",
    ),
]


@pytest.mark.parametrize(("damage", "folder", "reason"), PASSED_OVER)
def test_an_entry_published_passes_over_is_skipped_not_forgotten(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object, folder: str, reason: str
) -> None:
    settings = project_with_batches(tmp_path, days=2, schedules=("morning", "evening"))
    damage(batch_of(settings, "2026-12-01/morning-0800"))  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        issues, skipped = read_issues(settings)
    assert [s.folder for s in skipped] == [folder]
    assert reason in skipped[0].reason
    assert "2026-12-01/morning-0800" not in [i.folder for i in issues]
    # published() warned of it, once; the archive says no more of it.
    assert [r for r in caplog.records if "2026-12-01" in r.getMessage()] != []
    assert not [r for r in caplog.records if "left out of the archive" in r.getMessage()]
    result = build_archive(settings)
    assert [s.folder for s in result.skipped] == [folder]  # so digest archive exits 2


def test_entries_that_are_no_batch_of_an_archived_schedule_are_not_skipped(
    tmp_path: Path,
) -> None:
    settings = project_with_batches(
        tmp_path, days=1, schedules=("morning", "evening"), archive={"schedules": ["morning"]}
    )
    day = settings.paths.outbox / "2026-12-01"
    _link_to_elsewhere(day / "evening-0900")  # a schedule the archive leaves out
    (day / "notes.txt").write_text("not named like a batch")
    (day / "morning").mkdir()
    (settings.paths.outbox / "README").write_text("x")
    issues, skipped = read_issues(settings)
    assert skipped == [] and [i.folder for i in issues] == ["2026-12-01/morning-0800"]


# --- an email digest did not build ------------------------------------------------------------

# Markup a batch's email may be given by anyone who can write the outbox (and its manifest),
# which digest's own email checks refuse: the batch is skipped, its page not made from it.
UNSAFE = [
    ("<script>alert(1)</script>", "a <script> element"),
    ("<body onload=alert(1)>", "event handler onload"),
    ('<a href="javascript:alert(1)">x</a>', "runs code"),
    ('<a href="data:text/html,x">x</a>', "not an http, https or mailto link"),
    ('<img src="data:image/png;base64,AAAA" alt="">', "not an http or https image"),
    ('<iframe src="https://evil.example/"></iframe>', "a <iframe> element"),
    ('<object data="https://evil.example/x"></object>', "a <object> element"),
    ('<base href="https://evil.example/">', "a <base> element"),
    ('<form action="https://evil.example/"><input name="q"></form>', "a <form> element"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "runs code"),
    ('<!--[if mso]><v:rect href="javascript:alert(1)"><![endif]-->', "javascript"),
]


@pytest.mark.parametrize(("markup", "reason"), UNSAFE)
def test_an_email_failing_digests_own_checks_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, markup: str, reason: str
) -> None:
    settings = project_with_batches(tmp_path, days=2)
    batch = batch_of(settings, "2026-12-01/morning-0800")
    html = batch / "email/digest.html"
    html.write_text(html.read_text().replace("</p>", "</p>" + markup, 1))
    resign(batch)  # the manifest agrees: verify passes, as it would for a tampered batch
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        issues, skipped = read_issues(settings)
    assert [i.folder for i in issues] == ["2026-12-02/morning-0800"]
    assert [s.folder for s in skipped] == ["2026-12-01/morning-0800"]
    assert "fails digest's own checks" in skipped[0].reason and reason in skipped[0].reason
    assert "left out of the archive" in caplog.text


@pytest.mark.parametrize("preset", ["none", "listmonk", "mailchimp", "ses", "postmark", "sendgrid"])
def test_every_email_digest_builds_passes(tmp_path: Path, preset: str) -> None:
    email = {"web_url": WEB_URL}
    if preset != "none":
        email |= {"merge_tags": preset, "unsubscribe_url": None}
    settings = project_with_batches(tmp_path, days=2, email=email)
    issues, skipped = read_issues(settings)
    assert skipped == [] and len(issues) == 2
