"""`[archive]` of config.toml, and where each issue's page is: base_url, the page of web_url,
the site paths the archive keeps for itself; every problem named by its key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.archive import write_project
from support.factories import ROOT

from digest.config import load_config
from digest.config.archive import (
    DEFAULT_PAGE,
    RESERVED,
    Archive,
    page_file,
    page_pattern,
    page_url,
)
from digest.config.email_links import fill_web_url
from digest.errors import ConfigError

BASE = "https://example.org/archive/"
EXAMPLE = (ROOT / "config.toml").read_text(encoding="utf-8")


def problems(folder: Path, **keywords: object) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        write_project(folder, **keywords)  # type: ignore[arg-type]
    return dict(caught.value.problems)


def test_the_example_documents_every_key_with_its_default() -> None:
    settings = load_config(ROOT / "config.toml")
    assert settings.archive == Archive()
    block = EXAMPLE[EXAMPLE.index("\n[archive]") :]
    for key in Archive.model_fields:
        assert f"\n{key} = " in block or f"\n# {key} = " in block, key
    assert settings.paths.site == ROOT / "site"
    assert '\nsite = "site"' in EXAMPLE


def test_defaults() -> None:
    archive = Archive()
    assert (archive.enabled, archive.base_url, archive.title, archive.description) == (
        False,
        None,
        None,
        "",
    )
    assert (archive.per_page, archive.noindex, archive.subscribe_url) == (20, False, None)
    assert archive.schedules == [] and archive.archives("anything")


def test_archives_only_the_schedules_named() -> None:
    archive = Archive(schedules=["morning", "evening"])
    assert archive.archives("morning") and archive.archives("evening")
    assert not archive.archives("noon")


def test_site_is_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = write_project(tmp_path)
    assert settings.paths.site == tmp_path / "site"
    text = (tmp_path / "config.toml").read_text()
    assert text.count('\nsite = "site"') == 1
    text = text.replace('\nsite = "site"', '\nsite = "public/archive"')
    (tmp_path / "config.toml").write_text(text)
    assert load_config(tmp_path / "config.toml").paths.site == tmp_path / "public/archive"


@pytest.mark.parametrize(
    "url",
    [BASE, "https://example.org/", "https://news.example.org/a/b/", "https://example.org/%7Ex/"],
)
def test_a_base_url_is_an_https_folder(tmp_path: Path, url: str) -> None:
    assert write_project(tmp_path, archive={"base_url": url}).archive.base_url == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://example.org/archive/", "https"),
        ("https://example.org/archive", "with a / at the end"),
        ("https://example.org", "with a / at the end"),
        ("https://example.org/archive/?page=1", "no ? or #"),
        ("https://example.org/archive/#top", "no ? or #"),
        ("example.org/archive/", "https"),
        ("https://localhost/archive/", ""),
        ("https://127.0.0.1/", ""),
    ],
)
def test_a_base_url_that_is_no_https_folder_is_named(tmp_path: Path, url: str, says: str) -> None:
    found = problems(tmp_path, archive={"base_url": url})
    assert list(found) == ["archive.base_url"] and says in found["archive.base_url"]


@pytest.mark.parametrize(
    ("keys", "key", "says"),
    [
        ({"enabled": True, "base_url": None}, "archive.base_url", "required when the archive"),
        ({"per_page": 0}, "archive.per_page", "greater than or equal to 1"),
        ({"per_page": 501}, "archive.per_page", "less than or equal to 500"),
        ({"per_page": "ten"}, "archive.per_page", "integer"),
        ({"noindex": "sometimes"}, "archive.noindex", "boolean"),
        ({"subscribe_url": "http://example.org/join"}, "archive.subscribe_url", "https"),
        ({"title": "two\nlines"}, "archive.title", ""),
        ({"schedules": ["morning", "morning"]}, "archive.schedules", "repeated: morning"),
        ({"schedules": ["nightly"]}, "archive.schedules", "no schedule named 'nightly'"),
        ({"colour": "blue"}, "archive.colour", "unknown key"),
    ],
)
def test_each_problem_names_its_key(
    tmp_path: Path, keys: dict[str, object], key: str, says: str
) -> None:
    found = problems(tmp_path, archive=keys)
    assert key in found and says in found[key], found


@pytest.mark.parametrize("per_page", [1, 20, 500])
def test_per_page_bounds(tmp_path: Path, per_page: int) -> None:
    assert write_project(tmp_path, archive={"per_page": per_page}).archive.per_page == per_page


def test_enabled_with_base_url(tmp_path: Path) -> None:
    settings = write_project(tmp_path, archive={"enabled": True, "title": "A & B"})
    assert settings.archive.enabled and settings.archive.base_url == BASE


# --- page_pattern, page_file, page_url -------------------------------------------------------


@pytest.mark.parametrize(
    ("web_url", "pattern"),
    [
        (None, DEFAULT_PAGE),
        (BASE + "{date}/{slot}/", "{date}/{slot}/"),
        (BASE + "{schedule}/{date}-{slot}.html", "{schedule}/{date}-{slot}.html"),
        (BASE + "{slot}/{date}/index.html", "{slot}/{date}/index.html"),
    ],
)
def test_page_pattern(web_url: str | None, pattern: str) -> None:
    assert page_pattern(BASE, web_url) == pattern


@pytest.mark.parametrize(
    ("web_url", "says"),
    [
        ("https://example.org/other/{date}/{slot}/", "is not under base_url"),
        ("https://example.org/archived/{date}/{slot}/", "is not under base_url"),
        (BASE + "{date}/", "must hold {date} and {slot}"),
        (BASE + "{slot}/", "must hold {date} and {slot}"),
        (BASE + "{date}/{slot}/?x=1", "must end with / or .html"),
        (BASE + "{date}/{slot}/#top", "must end with / or .html"),
        (BASE + "{date}/{slot}", "must end with / or .html"),
        (BASE + "{date}/{slot}.htm", "must end with / or .html"),
    ],
)
def test_a_web_url_that_cannot_be_a_page_says_why(web_url: str, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("{", r"\{").replace("}", r"\}")):
        page_pattern(BASE, web_url)


DAY = {"date": "2026-12-01", "slot": "morning-0800", "schedule": "morning"}


@pytest.mark.parametrize(
    ("pattern", "page"),
    [
        ("{date}/{slot}/", "2026-12-01/morning-0800/index.html"),
        ("{schedule}/{date}/{slot}/", "morning/2026-12-01/morning-0800/index.html"),
        ("i/{date}-{slot}.html", "i/2026-12-01-morning-0800.html"),
        ("{date}/{slot}/index.html", "2026-12-01/morning-0800/index.html"),
        ("x/page/{date}/{slot}/", "x/page/2026-12-01/morning-0800/index.html"),  # not first
        ("{date}/feed.xml/{slot}/", "2026-12-01/feed.xml/morning-0800/index.html"),
        ("~{date}/{slot}/", "~2026-12-01/morning-0800/index.html"),
    ],
)
def test_page_file(pattern: str, page: str) -> None:
    assert page_file(pattern, **DAY) == page


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        *[(f"{name}/{{date}}/{{slot}}/", "which the archive writes itself") for name in RESERVED],
        ("Page/{date}/{slot}/", "in any case"),  # one folder on a case-blind file system
        ("FEED.XML/{date}/{slot}/", "in any case"),
        (".digest-archive.json/{date}/{slot}/", "which the archive writes itself"),
        (".digest/{date}/{slot}/", "which the archive writes itself"),
        ("", "which the archive writes itself"),  # the site's own index.html
        ("/", "empty"),
        ("{date}//{slot}/", "empty"),
        ("{date}/../{slot}/", "'..'"),
        ("{date}/./{slot}/", "'.'"),
        ("%2e%2e/{date}/{slot}/", "percent-escape"),  # a browser reads it as ..
        ("%2E./{date}/{slot}/", "percent-escape"),
        ("a%20b/{date}/{slot}/", "percent-escape"),  # a server looks for 'a b'
        ("a%2Fb/{date}/{slot}/", "percent-escape"),
    ],
)
def test_a_page_the_archive_cannot_serve_is_refused(pattern: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        page_file(pattern, **DAY)


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("index.html", BASE),
        ("2026-12-01/morning-0800/index.html", BASE + "2026-12-01/morning-0800/"),
        ("i/2026-12-01-morning-0800.html", BASE + "i/2026-12-01-morning-0800.html"),
        ("feed.xml", BASE + "feed.xml"),
        ("myindex.html", BASE + "myindex.html"),
        ("schedules/morning/index.html", BASE + "schedules/morning/"),
    ],
)
def test_page_url(page: str, url: str) -> None:
    assert page_url(BASE, page) == url


# --- the Settings check: every schedule's page, with web_url ----------------------------------


@pytest.mark.parametrize(
    ("web_url", "schedule", "says"),
    [
        ("https://example.org/other/{date}/{slot}/", "evening", "is not under base_url"),
        (BASE + "{date}/", "evening", "must hold {date} and {slot}"),
        (BASE + "{schedule}/{date}/{slot}/", "page", "would take 'page'"),
        (BASE + "{schedule}/{date}/{slot}/", "schedules", "would take 'schedules'"),
        (BASE + "%2e%2e/{date}/{slot}/", "evening", "percent-escape"),
        (BASE + "{date}/{slot}/x.htm", "evening", "must end with / or .html"),
        (BASE + "{date}/{slot}/.html", "evening", "starting with '.'"),
        (BASE + "{date}/.{slot}/", "evening", "starting with '.'"),
    ],
)
def test_web_url_is_checked_as_each_schedules_page(
    tmp_path: Path, web_url: str, schedule: str, says: str
) -> None:
    found = problems(tmp_path, email={"web_url": web_url}, schedules=("morning", schedule))
    # web_url is what names the pages, so the problem is under its key.
    assert list(found) == ["email.web_url"] and says in found["email.web_url"], found


def test_without_base_url_web_url_may_be_anywhere(tmp_path: Path) -> None:
    settings = write_project(
        tmp_path, email={"web_url": "https://other.example.net/{date}/"}, archive={"base_url": None}
    )
    assert settings.archive.base_url is None


PIECES = st.sampled_from(
    [
        "{schedule}",
        "-",
        "_",
        ".",
        "..",
        "x",
        "page",
        "Page",
        "index.html",
        "feed.xml",
        "%2e",
        "%20",
        "~",
        ".digest",
        "schedules",
        "",
    ]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    """A web_url's path after base_url: folders of pieces holding {date} and {slot} somewhere,
    ending with / or .html (most such are pages; some take a name the archive keeps)."""
    segments = draw(st.lists(st.lists(PIECES, max_size=3).map("".join), min_size=1, max_size=4))
    for placeholder in ("{date}", "{slot}"):
        at = draw(st.integers(0, len(segments) - 1))
        segments[at] += placeholder
    return "/".join(segments) + draw(st.sampled_from(["/", ".html", "/index.html"]))


NAMES = st.lists(
    st.sampled_from(["morning", "evening", "page", "feed", "a-b", "x9"]),
    min_size=1,
    max_size=3,
    unique=True,
)
DAYS = st.dates().map(lambda day: day.isoformat())
TIMES = st.integers(0, 2359).map(lambda at: f"{at:04d}")


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(pattern=patterns(), names=NAMES, day=DAYS, at=TIMES)
def test_an_accepted_web_url_gives_every_issue_a_page_at_its_own_link(
    tmp_path_factory: pytest.TempPathFactory, pattern: str, names: list[str], day: str, at: str
) -> None:
    folder = tmp_path_factory.mktemp("config")
    web_url = BASE + pattern
    try:
        settings = write_project(folder, email={"web_url": web_url}, schedules=tuple(names))
    except ConfigError as error:
        assert {key for key, _ in error.problems} <= {"archive.base_url", "email.web_url"}
        return
    # Accepted: any slot of any schedule on any day has its page, inside the site, not one of
    # the archive's own, and the email's link to it is the page's URL.
    found = page_pattern(BASE, settings.email.web_url)
    for name in names:
        slot = f"{name}-{at}"
        page = page_file(found, date=day, slot=slot, schedule=name)
        parts = page.split("/")
        assert "" not in parts and "%" not in page
        assert not [part for part in parts if part.startswith(".")]
        assert parts[0].lower() not in RESERVED and not parts[0].startswith(".digest")
        link = fill_web_url(web_url, date=day, slot=slot, schedule=name)
        assert link.startswith(BASE)
        assert page_file(link[len(BASE) :], date="", slot="", schedule="") == page
        assert page_url(BASE, page) in (link, link.removesuffix("index.html"))
