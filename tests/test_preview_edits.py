"""What the preview shows of editors' work, page by page (no server): the "edited" marks in the
summary, email and social views, the warnings of edited text, a broken edits file, drop and
rank, the slots waiting for approval on the index, a pending batch's own views, the export
without any form; and the ranks a move writes (hypothesis, against the pipeline's `unsent`)."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support.factories import BBC_SEEDS, EXAMPLE_SEED, project, slot
from support.preview import BBC, CHANNELS, EXAMPLE_SLUG, NOW

from digest.config import load_config
from digest.models import Story
from digest.outbox.approval import approve, expire, hold
from digest.outbox.listing import pending_batches
from digest.outbox.pending import pending_path
from digest.pipeline import build, unsent
from digest.preview.actions import moved
from digest.preview.events import Relevant
from digest.preview.export import export_site
from digest.preview.pages import respond
from digest.preview.site import Site
from digest.preview.watcher import fingerprint, watched
from digest.scheduler import Scheduler
from digest.scheduler.slots import next_slots
from digest.seeds.edits import Edits, Sidecars

EDITS = "000_5d8e33db419e59d4.edits.toml"
BATCH = "2026-11-28/morning-0800"
TOKEN = "a-token-for-the-pages"


def make(folder: Path, **schedule: object) -> Path:
    """The preview tests' project: the example seed and two BBC seeds, one schedule."""
    values = {"name": "morning", "at": "08:00", "timezone": "Europe/London", "max_stories": 3}
    project(folder, [values | schedule], channels=CHANNELS)
    shutil.copy(EXAMPLE_SEED, folder / "seeds")
    for name in BBC:
        shutil.copy(BBC_SEEDS / name, folder / "seeds")
    return folder / "config.toml"


def page(site: Site, path: str, token: str | None = TOKEN) -> str:
    response = respond(site, path, live=True, token=token)
    assert response.status == 200, (path, response.body[:400])
    return response.body.decode()


EDITED = """# The desk's corrections.
by = "Ana Editor"
at = 2026-11-27T18:30:00Z
headline = "Edited: <b>42</b> trains & a Zorblax depot"
hashtags = ["Transport", "Zorblax"]

[bullets]
2 = "An editor's second point, with 1234 passengers."
"""


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A project whose example story has an editor's headline, hashtags and bullet 2."""
    folder = tmp_path_factory.mktemp("edited")
    config = make(folder)
    (folder / "seeds" / EDITS).write_text(EDITED, encoding="utf-8")
    return Site(config, NOW)


def test_the_summary_view_marks_each_edited_part_with_who_and_when(edited: Site) -> None:
    html = page(edited, f"/story/{EXAMPLE_SLUG}/summary.html")
    parts = re.findall(
        r'<li class="part-item( edited)?" data-ref="(\w+)" data-key="([\w.]+)"', html
    )
    assert [(bool(mark), key) for mark, _, key in parts][:3] == [
        (True, "headline"),
        (False, "tagline"),
        (False, "bullets.1"),
    ]
    assert (True, "bullets.2") in [(bool(mark), key) for mark, _, key in parts]
    assert sum(1 for mark, _, _ in parts if mark) == 2
    assert 'class="part-item hashtags-item edited"' in html
    assert "edited by Ana Editor, 2026-11-27 18:30 UTC" in html
    assert (
        'title="edited by Ana Editor, 2026-11-27 18:30 UTC: Headline, Bullet 2, Hashtags"' in html
    )


def test_edited_text_is_escaped_in_its_form_and_marks(edited: Site) -> None:
    html = page(edited, f"/story/{EXAMPLE_SLUG}/summary.html")
    assert "<b>42</b>" not in html
    assert "Edited: &lt;b&gt;42&lt;/b&gt; trains &amp; a Zorblax depot</textarea>" in html


def test_the_warnings_of_edited_text_are_shown_beside_it(edited: Site) -> None:
    html = page(edited, f"/story/{EXAMPLE_SLUG}/summary.html")
    warnings = re.findall(r'<ul class="edit-warnings"[^>]*>(.*?)</ul>', html, re.S)
    text = " | ".join(warnings)
    assert "42" in text and "1234" in text and "Zorblax" in text, text
    assert all("sent as written" in w for w in warnings)
    bullet = html[html.index('data-key="bullets.2"') :]
    assert "1234" in bullet[: bullet.index("</li>")]  # under its own part


@pytest.mark.parametrize("kind", ["story", "slot"])
def test_the_email_view_lists_the_edited_stories_beside_the_frame(edited: Site, kind: str) -> None:
    key = EXAMPLE_SLUG if kind == "story" else "morning"
    html = page(edited, f"/{kind}/{key}/email.html")
    side = html[html.index('<aside class="email-side">') : html.index("</aside>")]
    assert side.count('class="edited-story"') == 1
    assert "Headline, Bullet 2, Hashtags" in side and "by Ana Editor" in side
    # The mark is the preview's own: the email itself is as readers get it.
    frame = respond(edited, f"/{kind}/{key}/frame-light.html").body.decode()
    assert "badge" not in frame and "Editors' text" not in frame and "edited-story" not in frame


def test_the_social_view_marks_the_edited_storys_posts(edited: Site) -> None:
    html = page(edited, "/slot/morning/social.html")
    platforms = html.count('class="platform"')
    assert platforms == 5
    headings = re.findall(r'<div class="story-posts">\s*<h3>(.*?)</h3>', html, re.S)
    marked = [h for h in headings if 'class="badge edited"' in h]
    assert len(marked) == platforms  # one edited story, on every platform
    assert all("Edited: &lt;b&gt;42" in h for h in marked)
    assert len(headings) == 3 * platforms


def test_the_index_marks_the_edited_seed(edited: Site) -> None:
    html = page(edited, "/")
    row = html[html.index('data-file="000_5d8e33db419e59d4.txt"') :]
    assert '<span class="badge edited">edited</span>' in row[: row.index("</tr>")]


def test_a_published_batch_shows_its_marks_but_no_form(tmp_path: Path) -> None:
    config = make(tmp_path)
    (tmp_path / "seeds" / EDITS).write_text(EDITED, encoding="utf-8")
    settings = load_config(config)
    build(settings, next_slots(settings.schedules[0], NOW, 1)[0], durable=False)
    site = Site(config, NOW)
    (batch,) = site.batches
    html = page(site, f"/batch/{site.batch_key(batch)}/summary.html")
    assert "<form" not in html and 'class="part-item edited"' in html
    assert "edited by Ana Editor" in html


def test_a_broken_edits_file_is_named_and_its_story_shown_as_generated(tmp_path: Path) -> None:
    config = make(tmp_path)
    (tmp_path / "seeds" / EDITS).write_text('headline = "x"\ncolour = "red"\n', encoding="utf-8")
    site = Site(config, NOW)
    where = f"seeds/{EDITS}:2: unknown key &#39;colour&#39;"
    index = page(site, "/")
    row = index[index.index('data-file="000_5d8e33db419e59d4.txt"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="badge bad">edits file</span>' in row and where in row
    story = page(site, f"/story/{EXAMPLE_SLUG}/summary.html")
    assert where in story and "left out of batches until its edits file is fixed" in story
    assert 'class="part-item edited"' not in story  # the generated text, unmarked
    slot_view = page(site, "/slot/morning/summary.html")
    left_out = slot_view[slot_view.index("Left out of this slot") :]
    listed = left_out[: left_out.index("</ul>")]
    assert f"<li>seeds/{EDITS}:2: " in listed and "unknown key &#39;colour&#39;" in listed


def test_an_edit_over_a_limit_in_the_file_is_named_with_its_line(tmp_path: Path) -> None:
    config = make(tmp_path)
    (tmp_path / "seeds" / EDITS).write_text(f'# note\n\nheadline = "{"x" * 80}"\n')
    story = page(Site(config, NOW), f"/story/{EXAMPLE_SLUG}/summary.html")
    assert f"seeds/{EDITS}:3: headline: 80 characters, over the 70" in story


def test_a_dropped_story_leaves_the_slot_and_can_be_put_back(tmp_path: Path) -> None:
    config = make(tmp_path)
    (tmp_path / "seeds" / EDITS).write_text("drop = true\n")
    site = Site(config, NOW)
    assert EXAMPLE_SLUG not in [s.slug for s in site.plans[0].stories]
    index = page(site, "/")
    row = index[index.index('data-file="000_5d8e33db419e59d4.txt"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="badge dropped">dropped</span>' in row
    assert 'name="field" value="drop"' in row and 'name="value" value="false"' in row
    story = page(site, f"/story/{EXAMPLE_SLUG}/summary.html")
    assert "Dropped: this story is left out of batches" in story
    assert "Put it back in batches" in story


def test_ranked_stories_go_first_in_the_next_slot_and_say_so(tmp_path: Path) -> None:
    config = make(tmp_path)
    (tmp_path / "seeds" / "bbc-business-006.edits.toml").write_text("rank = 1\n")
    site = Site(config, NOW)
    assert site.plans[0].stories[0].source == "bbc-business-006.txt"
    carried = page(site, "/")
    carried = carried[carried.index('<ol class="carried">') :]
    assert carried.index("rank 1") < carried.index("</li>")
    slot_view = page(site, "/slot/morning/summary.html")
    articles = re.findall(r'<article class="summary"[^>]* id="story-([\w-]+)"', slot_view)
    assert articles[0] == "bbc-business-006"
    ranks = re.findall(
        r'name="field" value="rank">\s*<label>Rank <input[^>]*value="(\d*)"', slot_view
    )
    assert ranks == ["1", "", ""]


def test_the_slot_view_moves_each_story_within_the_slot(tmp_path: Path) -> None:
    site = Site(make(tmp_path), NOW)
    html = page(site, "/slot/morning/summary.html")
    moves = re.findall(
        r'<form class="inline" method="post" action="../../move">.*?</form>', html, re.S
    )
    assert len(moves) == 3
    assert 'value="up" disabled' in moves[0] and 'value="down" disabled' not in moves[0]
    assert "disabled" not in moves[1]
    assert 'value="down" disabled' in moves[2]
    assert all('name="schedule" value="morning"' in m for m in moves)
    story = page(site, f"/story/{EXAMPLE_SLUG}/summary.html")
    assert "../../move" not in story  # a story alone has no place in a slot to move


def test_the_preview_reads_the_edits_beside_the_seeds_it_is_given(tmp_path: Path) -> None:
    config = make(tmp_path)
    other = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "seeds", other)
    (other / EDITS).write_text('headline = "From the other folder"\n')
    site = Site(config, NOW, seeds=other)
    assert "From the other folder" in page(site, f"/story/{EXAMPLE_SLUG}/email.html")
    assert "From the other folder" in page(site, "/slot/morning/summary.html")


def test_an_export_has_no_form_and_no_token(tmp_path: Path) -> None:
    config = make(tmp_path, approval="required", prepare="8h")
    (tmp_path / "seeds" / EDITS).write_text(EDITED, encoding="utf-8")
    prepare_slot(config)
    out = tmp_path / "review"
    assert export_site(config, out, NOW) > 10
    files = [p for p in out.rglob("*.html")]
    assert any("pending" in p.parts for p in files)  # the pending batch's views are there
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "<form" not in text and 'name="token"' not in text, path
        assert "form-action 'self'" not in text, path
    summary = (out / "story" / EXAMPLE_SLUG / "summary.html").read_text(encoding="utf-8")
    assert 'class="part-item edited"' in summary  # the marks stay


def prepare_slot(config: Path) -> None:
    scheduler = Scheduler(load_config(config), lock=False)
    scheduler.start()
    scheduler.run_due(NOW)


@pytest.fixture
def waiting(tmp_path: Path) -> Path:
    """A project whose 08:00 slot is waiting for approval in outbox/.pending."""
    config = make(tmp_path, approval="required", prepare="8h")
    prepare_slot(config)
    return config


def decide(site: Site) -> str:
    html = page(site, "/")
    row = html[html.index(f'data-batch="{BATCH}"') :]
    return row[: row.index("</tr>")]


def test_the_index_shows_each_status_with_what_can_be_done(waiting: Path) -> None:
    settings = load_config(waiting)
    row = decide(Site(waiting, NOW))
    assert 'data-status="pending"' in row
    assert 'action="approve"' in row and 'action="hold"' in row
    assert "once approved, it is published at its time" in row
    assert "Sat 28 Nov 2026, 08:00 GMT" in row and "open until Sat 28 Nov 2026, 14:00 GMT" in row
    approve(settings, BATCH, by="Ana Editor", now=NOW)
    row = decide(Site(waiting, NOW))
    assert 'data-status="approved"' in row and "by Ana Editor at 2026-11-28T02:00:00+00:00" in row
    assert 'action="approve"' not in row and 'action="hold"' in row
    hold(settings, BATCH, reason="the <figures> are disputed", now=NOW)
    row = decide(Site(waiting, NOW))
    assert 'data-status="held"' in row and "the &lt;figures&gt; are disputed" in row
    assert "Approve (lifts the hold)" in row and 'action="hold"' not in row
    later = NOW + timedelta(hours=13)  # past 08:00 + catch_up 6h
    row = decide(Site(waiting, later))
    assert "<form" not in row and "past its catch-up" in row
    expire(settings.paths.outbox, slot(), later, "6h")
    row = decide(Site(waiting, later))
    assert (
        'data-status="expired"' in row
        and "<form" not in row
        and "nothing to decide: expired" in row
    )
    assert "held (the &lt;figures&gt; are disputed) and not approved within catch_up (6h)" in row


def test_the_approve_form_names_the_manifest_the_editor_sees(waiting: Path) -> None:
    (pending,) = pending_batches(load_config(waiting).paths.outbox)
    row = decide(Site(waiting, NOW))
    assert f'name="sha256" value="{pending["manifest_sha256"]}"' in row
    assert f'name="batch" value="{BATCH}"' in row


def test_due_slots_say_that_approving_publishes_at_once(waiting: Path) -> None:
    row = decide(Site(waiting, NOW.replace(hour=9)))
    assert "its time has passed: approving publishes it now" in row and 'action="approve"' in row


def test_a_pending_batch_has_its_own_views_from_its_files(waiting: Path) -> None:
    site = Site(waiting, NOW)
    html = page(site, f"/pending/{BATCH}/summary.html")
    assert "The batch waiting for approval" in html and "<form" not in html
    assert html.count('<article class="summary"') == 3
    email = page(site, f"/pending/{BATCH}/email.html")
    assert 'src="frame-light.html"' in email
    frame = respond(site, f"/pending/{BATCH}/frame-light.html")
    source = (pending_path(site.outbox, BATCH) / "email" / "digest.html").read_text()
    title = re.search(r"<title>.*?</title>", source, re.S)
    assert title and (frame.status, frame.kind) == (200, "frame")
    assert title.group(0) in frame.body.decode()


def test_a_pending_batch_whose_file_was_changed_is_not_shown(waiting: Path) -> None:
    site_before = Site(waiting, NOW)
    outbox = site_before.outbox
    text = pending_path(outbox, BATCH) / "email" / "digest.txt"
    text.write_text(text.read_text() + "\nA line nobody approved.\n")
    html = page(Site(waiting, NOW), f"/pending/{BATCH}/email.html")
    assert "does not match its sha256 in the manifest" in html
    assert "A line nobody approved." not in html
    assert str(outbox) not in html


def test_without_a_schedule_that_needs_approval_the_index_has_no_pending_section(
    tmp_path: Path,
) -> None:
    assert 'id="pending"' not in page(Site(make(tmp_path), NOW), "/")
    (tmp_path / "needs").mkdir()
    needs = make(tmp_path / "needs", approval="required")
    html = page(Site(needs, NOW), "/")
    assert 'id="pending"' in html and "Nothing waiting" in html


def test_the_watcher_follows_the_pending_area(waiting: Path) -> None:
    site = Site(waiting, NOW)
    paths = watched(site)
    names = [str(path) for path, _ in paths]
    pending = str(site.outbox / ".pending")
    assert names.index(pending) < names.index(str(site.outbox))  # its filter comes first
    relevant = Relevant(paths)
    assert relevant(None, f"{pending}/{BATCH}.state.json")
    assert relevant(None, f"{pending}/{BATCH}/manifest.json")
    assert not relevant(None, f"{pending}/.lock")
    before = fingerprint(paths)
    approve(load_config(waiting), BATCH, by="Ana Editor", now=NOW)
    assert fingerprint(paths) != before


class Ranked(Sidecars):
    """Edits files that say only ranks, from a dict."""

    def __init__(self, folder: Path, ranks: dict[str, int | None]) -> None:
        super().__init__(folder)
        self.ranks = ranks

    def of(self, source: str) -> Edits | None:
        rank = self.ranks.get(source)
        return None if rank is None else Edits(rank=rank, file=source)

    def none_for(self, sources: object) -> bool:
        return False


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox")


def story(number: int, priority: int) -> Story:
    name = f"s{number:02d}"
    return Story(
        id=f"{name}-00000000",
        slug=name,
        source=f"{name}.txt",
        content_hash="0" * 64,
        title=name,
        articles=(),
        priority=priority,
    )


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(-3, 4)), st.integers(0, 2)),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 7),
    st.sampled_from([-1, 1]),
)
def test_a_move_swaps_exactly_two_neighbours_of_the_slot(
    empty: Path, stories: list[tuple[int | None, int]], index: int, step: int
) -> None:
    candidates = [story(n, priority) for n, (_, priority) in enumerate(stories)]
    ranks = {f"s{n:02d}.txt": rank for n, (rank, _) in enumerate(stories)}
    before = [s.source for s in unsent(candidates, empty, slot(), Ranked(empty, ranks))]
    index = min(index, len(before) - 1)
    changed = moved(before, {s: ranks[s] for s in before}, index, step)
    after = [s.source for s in unsent(candidates, empty, slot(), Ranked(empty, ranks | changed))]
    expected = list(before)
    other = index + step
    if 0 <= other < len(before):
        expected[index], expected[other] = expected[other], expected[index]
    assert after == expected
    assert all(ranks[source] != rank for source, rank in changed.items())  # only real changes
    assert all(rank >= 1 for rank in changed.values())
