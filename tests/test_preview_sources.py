"""The index's sources panel: each [[sources]] entry, its last fetch, status, reason, new items."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.feeds import FeedServer, feed, serve_fixture
from support.preview import NOW, make_project

from digest.config import load_config
from digest.errors import DigestError
from digest.preview.pages import respond
from digest.preview.site import Site


@dataclass(frozen=True)
class FakeStatus:
    """`digest.sources.state.SourceStatus`'s fields."""

    name: str
    url: str
    fetched_at: datetime | None
    status: str
    reason: str
    new_items: int
    new_files: tuple[str, ...] = ()


class Rows(HTMLParser):
    """The text of each cell of each `data-source` row of the page, by source name."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-source"):
            self._row = self.rows.setdefault(str(found["data-source"]), [])
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows_of(site: Site) -> dict[str, list[str]]:
    response = respond(site, "/")
    assert response.status == 200
    parser = Rows()
    parser.feed(response.body.decode())
    return parser.rows


def with_sources(config: Path, *names: str) -> Path:
    text = config.read_text(encoding="utf-8")
    for name in names:
        text += f'[[sources]]\nname = "{name}"\nurl = "https://example.org/{name}.xml?a=1&b=2"\n'
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time is Berlin's for the test."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def fake_state(monkeypatch: pytest.MonkeyPatch, answer: list[FakeStatus] | Exception) -> None:
    import digest.sources.state as state

    def load_status(seeds_dir: Path) -> list[FakeStatus]:
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(state, "load_status", load_status)


@pytest.mark.usefixtures("berlin")
def test_the_index_shows_each_source_with_its_last_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = with_sources(make_project(tmp_path), "city", "parks", "new-one")
    at = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    fake_state(
        monkeypatch,
        [
            FakeStatus("parks", "https://example.org/parks.xml", at, "failed", "HTTP 500", 0),
            FakeStatus("city", "https://example.org/city.xml", at, "ok", "", 3),
            FakeStatus("gone", "https://example.org/gone.xml", at, "ok", "", 9),  # not in config
        ],
    )
    rows = rows_of(Site(config, NOW))
    url = "https://example.org/{}.xml?a=1&b=2"
    # In config order, the time in the machine's local time; a source no longer in config is not
    # shown, one never fetched says so.
    assert rows == {
        "city": [f"city {url.format('city')}", "2026-11-28 00:30 CET", "ok", "3"],
        "parks": [f"parks {url.format('parks')}", "2026-11-28 00:30 CET", "failed HTTP 500", "0"],
        "new-one": [f"new-one {url.format('new-one')}", "never", "never fetched", "0"],
    }
    assert list(rows) == ["city", "parks", "new-one"]


def test_a_reason_is_escaped_and_names_no_folder_of_the_editors_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = with_sources(make_project(tmp_path), "city")
    hostile = f"not a feed: <script>alert(1)</script> in {tmp_path / 'seeds' / 'x.txt'}"
    at = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    fake_state(monkeypatch, [FakeStatus("city", "u", at, "failed", hostile, 0)])
    site = Site(config, NOW)
    body = respond(site, "/").body.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert str(tmp_path) not in body
    assert "in seeds/x.txt" in rows_of(site)["city"][2]


def test_a_state_that_cannot_be_read_is_a_warning_and_every_source_never_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = with_sources(make_project(tmp_path), "city")
    where = tmp_path / "seeds" / ".digest-sources.json"
    fake_state(monkeypatch, DigestError(f"{where}: not JSON"))
    site = Site(config, NOW)
    assert site.warnings == [
        "seeds/.digest-sources.json: not JSON; the sources' last fetches are unknown"
    ]
    assert rows_of(site)["city"][1:] == ["never", "never fetched", "0"]


def test_a_project_without_sources_has_no_sources_panel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_state(monkeypatch, RuntimeError("a project without sources never reads their state"))
    site = Site(make_project(tmp_path), NOW)
    assert site.sources == []
    assert b'id="sources"' not in respond(site, "/").body


feed_server = serve_fixture()


@pytest.mark.usefixtures("berlin")
def test_after_a_real_fetch_the_index_shows_what_each_source_did(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    from digest.sources import fetch_sources

    config = make_project(tmp_path)
    text = config.read_text(encoding="utf-8")
    feed_server.route("/city", body=feed("rss2.xml"))
    feed_server.route("/broken", status=500)
    for name in ("city", "broken"):
        text += f'[[sources]]\nname = "{name}"\nurl = "{feed_server.url("/" + name)}"\n'
    config.write_text(text, encoding="utf-8")
    at = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    [city, _] = fetch_sources(load_config(config), now=at)
    rows = rows_of(Site(config, NOW))
    assert rows["city"][1:3] == ["2026-11-28 02:00 CET", "ok"]
    names = [path.name for path in city.new]
    assert len(names) == 3 and rows["city"][3] == "3" + "".join(names)  # the count, then each
    assert rows["broken"][1] == "2026-11-28 02:00 CET"
    assert rows["broken"][2].startswith("failed ") and "500" in rows["broken"][2]
    assert rows["broken"][3] == "0"
