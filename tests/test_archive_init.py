"""build_archive: the whole site from the outbox, incremental (only what changed is rendered and
written), deterministic, in an order where every file comes after what it links to; skipped
batches keep their page, departed ones lose it; after_publish never raises."""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.archive import BASE_URL, FIRST_DAY, project_with_batches, publish_days, write_seeds
from support.archive_site import own_files, site_files, site_problems

import digest.archive as archive
import digest.archive.site as archive_site
from digest.archive import build_archive
from digest.archive.site import LOCK
from digest.archive.state import STATE
from digest.config import Settings, load_config
from digest.outbox.published import published
from digest.pipeline import build
from digest.scheduler.slots import slot_on

LISTINGS = [
    "schedules/morning/index.html",
    "schedules/morning/feed.xml",
    "schedules/morning/feed.json",
    "index.html",
    "feed.xml",
    "feed.json",
    "sitemap.xml",
]


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each issue page was rendered (web_version called for it)."""
    counts: Counter[str] = Counter()
    real = archive.web_version

    def counting(issue: Any, *args: Any, **kwargs: Any) -> bytes:
        counts[issue.page] += 1
        return real(issue, *args, **kwargs)

    monkeypatch.setattr(archive, "web_version", counting)
    return counts


def with_config(settings: Settings, old: str, new: str) -> Settings:
    path = settings.paths.site.parent / "config.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_config(path)


def page(day: int, slot: str = "morning-0800") -> str:
    return f"2026-12-0{day}/{slot}/index.html"


def test_a_first_run_writes_the_whole_site_and_its_links_resolve(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=3, schedules=("morning", "evening"))
    result = build_archive(settings)
    assert result.out == settings.paths.site and result.issues == 6
    assert result.unchanged == 0 and result.removed == () and result.skipped == ()
    pages = [page(d, s) for d in (3, 2, 1) for s in ("evening-0900", "morning-0800")]
    assert sorted(result.written) == sorted(
        [
            *pages,
            *LISTINGS,
            "schedules/evening/index.html",
            "schedules/evening/feed.xml",
            "schedules/evening/feed.json",
        ]
    )
    assert site_problems(settings.paths.site, BASE_URL) == []
    assert own_files(settings.paths.site) == [".digest-archive.json", ".digest-archive.lock"]


def test_a_second_run_renders_and_writes_nothing(tmp_path: Path, rendered: Counter[str]) -> None:
    settings = project_with_batches(tmp_path, days=3)
    first = build_archive(settings)
    before = site_files(settings.paths.site)
    rendered.clear()
    again = build_archive(settings)
    assert again.written == () and again.removed == ()
    assert again.unchanged == len(first.written) and again.issues == 3
    assert rendered == Counter()
    assert site_files(settings.paths.site) == before


def test_a_new_batch_writes_its_page_and_the_listings_only(
    tmp_path: Path, rendered: Counter[str]
) -> None:
    settings = project_with_batches(tmp_path, days=3)
    build_archive(settings)
    write_seeds(settings.paths.seeds, 8)
    publish_days(settings, 1, first=FIRST_DAY.replace(day=4))
    rendered.clear()
    result = build_archive(settings)
    assert list(result.written) == [page(4), *LISTINGS]
    assert rendered == Counter({page(4): 1})
    assert result.unchanged == 3  # the three earlier pages, known from the state
    assert site_problems(settings.paths.site, BASE_URL) == []


def test_a_batch_rebuilt_with_force_rewrites_its_page(
    tmp_path: Path, rendered: Counter[str]
) -> None:
    settings = project_with_batches(tmp_path, days=3)
    build_archive(settings)
    seed = settings.paths.seeds / "story-0003.txt"
    seed.write_text(seed.read_text().replace("Story number 3", "Story number three"))
    rebuilt = build(settings, slot_on(settings.schedules[0], FIRST_DAY.replace(day=2)), force=True)
    assert rebuilt.batch is not None
    rendered.clear()
    result = build_archive(settings)
    assert rendered == Counter({page(2): 1})
    assert result.written[0] == page(2) and set(result.written[1:]) <= set(LISTINGS)
    assert "Story number three" in (settings.paths.site / page(2)).read_text()
    assert b"Story number three" in (settings.paths.site / "feed.xml").read_bytes()


def test_a_lost_or_garbled_state_renders_again_and_writes_only_what_differs(
    tmp_path: Path, rendered: Counter[str]
) -> None:
    settings = project_with_batches(tmp_path, days=2)
    build_archive(settings)
    state = settings.paths.site / STATE
    for damage in (state.unlink, lambda: state.write_text("{not json")):
        damage()
        rendered.clear()
        result = build_archive(settings)
        assert rendered == Counter({page(1): 1, page(2): 1})
        assert result.written == () and result.removed == ()
        assert state.is_file()


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", ".digest-archive.lock"])
def test_a_state_naming_a_path_outside_the_site_is_a_lost_state_not_an_error(
    tmp_path: Path, rendered: Counter[str], caplog: pytest.LogCaptureFixture, path: str
) -> None:
    settings = project_with_batches(tmp_path, days=2)
    build_archive(settings)
    state = settings.paths.site / STATE
    value = json.loads(state.read_bytes())
    value["files"][path] = "0" * 64
    state.write_text(json.dumps(value))
    rendered.clear()
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        result = build_archive(settings)
    assert "not the archive's state" in caplog.text and repr(path) in caplog.text
    assert rendered == Counter({page(1): 1, page(2): 1})  # a lost state: rendered and compared
    assert result.written == () and result.removed == ()
    assert path not in json.loads(state.read_bytes())["files"]
    assert (settings.paths.site / LOCK).is_file()


def test_a_page_changed_on_disk_is_rendered_and_written_again(
    tmp_path: Path, rendered: Counter[str]
) -> None:
    settings = project_with_batches(tmp_path, days=2)
    build_archive(settings)
    target = settings.paths.site / page(1)
    good = target.read_bytes()
    target.write_bytes(good.replace(b"Story number 1", b"Defaced"))
    rendered.clear()
    result = build_archive(settings)
    assert rendered == Counter({page(1): 1})
    assert result.written == (page(1),)
    assert target.read_bytes() == good


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            'base_url = "https://example.org/archive/"\n',
            'base_url = "https://example.org/archive/"\nnoindex = true\n',
        ),
        ("[brand]\n", '[brand]\nfont_url = "https://fonts.example.net/css?family=Inter"\n'),
    ],
)
def test_settings_that_reach_the_pages_render_every_page_again(
    tmp_path: Path, rendered: Counter[str], old: str, new: str
) -> None:
    settings = project_with_batches(tmp_path, days=2)
    build_archive(settings)
    rendered.clear()
    changed = with_config(settings, old, new)
    result = build_archive(changed)
    assert rendered == Counter({page(1): 1, page(2): 1})
    assert {page(1), page(2)} <= set(result.written)


def test_files_are_written_after_everything_they_link_to(tmp_path: Path) -> None:
    settings = project_with_batches(
        tmp_path, days=5, schedules=("morning", "evening"), archive={"per_page": 2}
    )
    written = list(build_archive(settings).written)
    issue_pages = [w for w in written if w.startswith("2026-")]
    assert written[: len(issue_pages)] == issue_pages
    later = written[len(issue_pages) :]
    first_top = later.index("page/5/index.html")
    assert all(w.startswith("schedules/") for w in later[:first_top])
    assert later[first_top:] == [
        *(f"page/{n}/index.html" for n in (5, 4, 3, 2)),
        "index.html",
        "feed.xml",
        "feed.json",
        "sitemap.xml",
    ]
    schedule = [w for w in later if w.startswith("schedules/morning/")]
    assert schedule[:3] == [f"schedules/morning/page/{n}/index.html" for n in (3, 2)] + [
        "schedules/morning/index.html"
    ]


def test_fewer_index_pages_remove_the_ones_no_longer_needed(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=3, archive={"per_page": 1})
    build_archive(settings)
    assert (settings.paths.site / "page/3/index.html").is_file()
    fewer = with_config(settings, "per_page = 1", "per_page = 2")
    result = build_archive(fewer)
    assert sorted(result.removed) == [
        "page/3/index.html",
        "schedules/morning/page/3/index.html",
    ]
    assert not (settings.paths.site / "page/3").exists()
    assert site_problems(settings.paths.site, BASE_URL) == []


class Stopped(Exception):
    """A run stopped after some writes, as a SIGKILL would (tests/test_archive_kill.py kills)."""


def stopped_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """Every run from now on stops right after its `writes`-th file (none the state)."""
    real = archive_site.Site.put
    done = [0]

    def put(self: archive_site.Site, path: str, data: bytes) -> bool:
        if done[0] >= writes:
            raise Stopped(path)
        wrote = real(self, path, data)
        done[0] += wrote
        return wrote

    monkeypatch.setattr(archive_site.Site, "put", put)


@pytest.mark.parametrize("writes", [1, 2, 4, 6, 8, 10, 12])
def test_pages_a_stopped_run_wrote_go_when_a_later_run_needs_them_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writes: int
) -> None:
    settings = project_with_batches(tmp_path, days=4, archive={"per_page": 4})
    build_archive(settings)
    start = tmp_path / "start"
    shutil.copytree(settings.paths.site, start)
    write_seeds(settings.paths.seeds, 10)
    publish_days(settings, 1, first=FIRST_DAY.replace(day=5))  # a page the next run drops again
    more = with_config(settings, "per_page = 4", "per_page = 1")
    stopped_after(monkeypatch, writes)
    with pytest.raises(Stopped):
        build_archive(more)  # wrote issue page 5, then index pages 5, 4 ... and stopped
    monkeypatch.undo()
    shutil.rmtree(settings.paths.outbox / "2026-12-05")
    fewer = with_config(more, "per_page = 1", "per_page = 2")
    result = build_archive(fewer)
    fresh = tmp_path / "fresh"
    shutil.copytree(start, fresh)
    build_archive(fewer, fresh)
    assert site_files(settings.paths.site) == site_files(fresh)
    assert (settings.paths.site / STATE).read_bytes() == (fresh / STATE).read_bytes()
    assert own_files(settings.paths.site) == [STATE, LOCK]
    assert all(p.startswith(("page/", "schedules/", "2026-12-05/")) for p in result.removed)


def test_a_batch_that_left_the_outbox_loses_its_page(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=3)
    build_archive(settings)
    shutil.rmtree(settings.paths.outbox / "2026-12-01")
    result = build_archive(settings)
    assert result.removed == (page(1),) and result.issues == 2
    assert not (settings.paths.site / "2026-12-01").exists()
    assert b"2026-12-01" not in (settings.paths.site / "index.html").read_bytes()
    assert site_problems(settings.paths.site, BASE_URL) == []


def test_a_skipped_batch_keeps_its_page_untouched_and_out_of_every_listing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project_with_batches(tmp_path, days=3)
    build_archive(settings)
    site = settings.paths.site
    kept = (site / page(2)).read_bytes()
    html = settings.paths.outbox / "2026-12-02/morning-0800/email/digest.html"
    html.write_bytes(html.read_bytes().replace(b"Story number", b"Story numbr"))
    with caplog.at_level(logging.WARNING, logger="digest.archive"):
        result = build_archive(settings)
    assert [s.folder for s in result.skipped] == ["2026-12-02/morning-0800"]
    assert "2026-12-02/morning-0800" in caplog.text
    assert page(2) not in result.written and result.removed == ()
    assert (site / page(2)).read_bytes() == kept
    for listing in ("index.html", "feed.xml", "feed.json", "sitemap.xml"):
        assert b"2026-12-02" not in (site / listing).read_bytes(), listing
    # Still skipped next time: still kept, still the archive's (removed once its batch is gone).
    assert build_archive(settings).removed == ()
    shutil.rmtree(settings.paths.outbox / "2026-12-02")
    assert build_archive(settings).removed == (page(2),)


def test_a_skipped_batch_that_verifies_again_is_listed_again(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=2)
    build_archive(settings)
    html = settings.paths.outbox / "2026-12-02/morning-0800/email/digest.html"
    good = html.read_bytes()
    html.write_bytes(good + b" ")
    assert len(build_archive(settings).skipped) == 1
    html.write_bytes(good)
    result = build_archive(settings)
    assert result.skipped == () and result.issues == 2
    assert b"2026-12-02" in (settings.paths.site / "index.html").read_bytes()


def test_the_out_folder_can_be_chosen_and_nothing_depends_on_its_path(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=3, schedules=("morning", "evening"))
    one = build_archive(settings, tmp_path / "one" / "site")
    other = build_archive(settings, tmp_path / "elsewhere" / "public")
    assert one.out == tmp_path / "one" / "site"
    assert not settings.paths.site.exists()
    assert site_files(one.out) == site_files(other.out)
    assert (one.out / STATE).read_bytes() == (other.out / STATE).read_bytes()


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Six published batches of two schedules, to archive any subset of."""
    return project_with_batches(
        tmp_path_factory.mktemp("pool"),
        days=3,
        schedules=("morning", "evening"),
        archive={"per_page": 2},
    )


def outbox_of(pool: Settings, folder: Path, batches: frozenset[int]) -> Settings:
    """`pool`'s settings over an outbox holding only the chosen batches (by number)."""
    all_batches = published(pool.paths.outbox)
    outbox = folder / "outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    for number in sorted(batches):
        batch = all_batches[number].path
        shutil.copytree(batch, outbox / batch.relative_to(pool.paths.outbox))
    return pool.model_copy(update={"paths": pool.paths.model_copy(update={"outbox": outbox})})


def runs() -> st.SearchStrategy[list[frozenset[int]]]:
    return st.lists(st.frozensets(st.integers(0, 5)), min_size=1, max_size=3)


@hypothesis_settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(runs())
def test_any_sequence_of_runs_ends_as_a_fresh_build_of_the_last_outbox(
    pool: Settings, tmp_path_factory: pytest.TempPathFactory, sequence: list[frozenset[int]]
) -> None:
    folder = tmp_path_factory.mktemp("runs")
    site = folder / "site"
    for batches in sequence:
        build_archive(outbox_of(pool, folder, batches), site)
        assert site_problems(site, BASE_URL) == []
    fresh = build_archive(outbox_of(pool, folder, sequence[-1]), folder / "fresh")
    assert site_files(site) == site_files(fresh.out)
    assert (site / STATE).read_bytes() == (fresh.out / STATE).read_bytes()


def test_after_publish_does_nothing_when_the_archive_is_off(tmp_path: Path) -> None:
    settings = project_with_batches(tmp_path, days=1)
    assert not settings.archive.enabled
    assert archive.after_publish(settings) is None
    assert not settings.paths.site.exists()


def test_after_publish_builds_and_logs_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = project_with_batches(tmp_path, days=2, archive={"enabled": True})
    with caplog.at_level(logging.INFO, logger="digest.archive"):
        assert archive.after_publish(settings) is None
    assert (settings.paths.site / page(2)).is_file()
    assert "archived 2 issues into" in caplog.text


def failures() -> Iterator[tuple[str, Exception]]:
    yield "OSError", OSError(28, "No space left on device")
    yield "RuntimeError", RuntimeError("template exploded")


@pytest.mark.parametrize(("name", "error"), list(failures()))
def test_after_publish_logs_a_failure_and_never_raises(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    name: str,
    error: Exception,
) -> None:
    settings = project_with_batches(tmp_path, days=1, archive={"enabled": True})

    def broken(settings_: Settings, out: Path | None = None) -> None:
        raise error

    monkeypatch.setattr(archive, "build_archive", broken)
    with caplog.at_level(logging.ERROR, logger="digest.archive"):
        reason = archive.after_publish(settings)
    assert reason is not None and str(error) in reason and name in reason
    assert "the archive was not updated" in caplog.text and "Traceback" not in caplog.text
