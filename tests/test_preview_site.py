"""The preview's parts without a browser: the Site, the views, the frames, the watcher."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from support.factories import make_digest, settings
from support.preview import EXAMPLE_SLUG, NOW, make_project

from digest.config import load_config
from digest.pipeline import build
from digest.platforms import PLATFORMS
from digest.preview.frames import force_scheme, offline
from digest.preview.model import Item
from digest.preview.pages import respond, site_paths
from digest.preview.site import Site
from digest.preview.views.email import email_view, preheader
from digest.preview.views.social import marked, post_text, social_view
from digest.preview.views.summary import Part, mark, summary_view
from digest.preview.watcher import Live, fingerprint
from digest.render import render
from digest.scheduler.slots import next_slots


def test_the_site_reads_seeds_slots_and_batches(tmp_path: Path) -> None:
    config = make_project(tmp_path, max_stories=2)
    (tmp_path / "seeds" / "bad.txt").write_bytes(b"\x00")
    site = Site(config, NOW)
    assert [r.file for r in site.rows] == sorted(p.name for p in (tmp_path / "seeds").iterdir())
    assert [r.error.reason[:8] for r in site.rows if r.error] == ["NUL byte"]
    assert len(site.stories) == 3
    plan = site.plans[0]
    assert plan.slot.batch_id == "morning@2026-11-28T08:00:00Z"
    assert len(plan.stories) == 2
    assert site.batches == []
    assert site.expires == plan.slot.utc


def test_the_next_slot_skips_a_published_one_and_what_it_carried(tmp_path: Path) -> None:
    config = make_project(tmp_path, max_stories=2)
    settings_ = load_config(config)
    build(settings_, next_slots(settings_.schedules[0], NOW, 1)[0], durable=False)
    site = Site(config, NOW)
    plan = site.plans[0]
    assert plan.slot.batch_id == "morning@2026-11-29T08:00:00Z"
    assert len(plan.stories) == 1  # the third story; the batch carried two
    assert [site.batch_key(b) for b in site.batches] == ["2026-11-28/morning-0800"]


def test_a_date_folder_that_is_a_file_or_a_link_holds_the_next_slot(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    day = tmp_path / "outbox" / "2026-11-28"
    day.parent.mkdir()
    day.write_text("not a folder")  # a build refuses to publish here: the slot is still next
    assert Site(config, NOW).plans[0].slot.batch_id == "morning@2026-11-28T08:00:00Z"
    day.unlink()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "morning-0800").mkdir(parents=True)  # looks published, through the link
    day.symlink_to(elsewhere, target_is_directory=True)
    site = Site(config, NOW)
    assert site.plans[0].slot.batch_id == "morning@2026-11-28T08:00:00Z"
    assert site.batches == [] and any("symbolic link" in w for w in site.warnings)


def test_the_slot_sample_is_the_batch_build_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.assemble

    config = make_project(tmp_path, max_stories=2)
    site = Site(config, NOW)
    first, second = site.plans[0].stories
    real = digest.assemble.summarize

    def inventing(story, max_bullets=5):  # type: ignore[no-untyped-def]
        summary = real(story, max_bullets)
        if story.slug == first.slug:  # a name no seed has: the story is left out
            return summary.model_copy(update={"bullets": (*summary.bullets, "Zorblax agreed.")})
        return summary

    monkeypatch.setattr(digest.assemble, "summarize", inventing)
    subject = site.subject("slot", "morning")
    assert subject is not None
    shown = [item.story for item in site.sample(subject).items]
    settings_ = load_config(config)
    built = build(settings_, site.plans[0].slot, durable=False)
    assert shown == list(built.stories) and len(shown) == 2  # the third seed took its place
    assert first not in shown and second in shown
    assert [e.path.name for e in built.rejected] == [first.source]


def test_the_story_sample_is_what_render_makes(tmp_path: Path) -> None:
    site = Site(make_project(tmp_path), NOW)
    subject = site.subject("story", EXAMPLE_SLUG)
    assert subject is not None
    sample = site.sample(subject)
    assert site.sample(subject) is sample  # rendered once per Site
    story = site.stories[EXAMPLE_SLUG]
    assert sample.items[0].story == story
    digest = make_digest([story])
    expected = render(digest.model_copy(update={"slot": site.plans[0].slot}), site.settings)
    assert sample.files == {f.path: f.content for f in expected.files}


def test_a_broken_template_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    config = make_project(tmp_path, own_templates=True)
    (tmp_path / "templates" / "social" / "x.txt.j2").write_text("{{ headline ")
    site = Site(config, NOW)
    response = respond(site, f"/story/{EXAMPLE_SLUG}/social.html")
    assert response.status == 200
    assert b"social/x.txt.j2" in response.body and b"Traceback" not in response.body


def test_every_site_path_answers(tmp_path: Path) -> None:
    site = Site(make_project(tmp_path), NOW)
    paths = site_paths(site)
    assert len(paths) == 4 + 5 * (3 + 1)  # index, static; five leaves of three stories and a slot
    for path in paths:
        assert respond(site, path, live=False).status == 200, path


def test_unknown_pages_are_404(tmp_path: Path) -> None:
    site = Site(make_project(tmp_path), NOW)
    for path in (
        "/x",
        "/story/nope/email.html",
        "/story/a/b/email.html",
        "/slot/evening/email.html",
        "/batch/2026-11-28/morning-0800/email.html",
        f"/story/{EXAMPLE_SLUG}/other.html",
    ):
        assert respond(site, path).status == 404, path


def test_mark_wraps_each_source_sentence_and_escapes_the_rest() -> None:
    parts = [
        Part("h", "Headline", "T", ("A <b> & c.",)),
        Part("b1", "Bullet 1", "x", ("A <b> & c. Then",)),
        Part("b2", "Bullet 2", "y", ("not   there",)),
    ]
    found: set[tuple[str, str]] = set()
    html = mark("Start. A <b> & c. Then end.", parts, found)
    assert html == (
        'Start. <mark class="src r-h r-b1">A &lt;b&gt; &amp; c.</mark><sup class="ref r-h">H</sup>'
        '<mark class="src r-b1"> Then</mark><sup class="ref r-b1">B1</sup> end.'
    )
    assert found == {("h", "A <b> & c."), ("b1", "A <b> & c. Then")}


def test_mark_matches_across_line_breaks_and_spaces() -> None:
    found: set[tuple[str, str]] = set()
    mark("one  two\nthree", [Part("t", "Tagline", "", ("one two three",))], found)
    assert found == {("t", "one two three")}


def test_the_summary_view_lists_sources_it_cannot_find() -> None:
    digest = make_digest()
    entry = digest.entries[0]
    view = summary_view((Item(entry.summary, entry.story, entry.story.source),))[0]
    assert view["missing"] == []
    assert [p.ref for p in view["parts"]][:2] == ["h", "t"]
    gone = summary_view((Item(entry.summary, None, "old.txt"),))[0]
    assert gone["seed_gone"] and len(gone["missing"]) >= 3


def test_force_scheme_switches_the_emails_own_dark_styles() -> None:
    html = (
        '<style>:root { color-scheme: light dark; }</style><meta name="color-scheme" '
        'content="light dark" /><style>@media (prefers-color-scheme: dark) { .a { x: 1 } }'
        "@media screen and (prefers-color-scheme:light) { .b { y: 2 } }</style>"
    )
    dark = force_scheme(html, "dark")
    assert "@media (min-width: 0px) { .a" in dark and "(max-width: -1px) { .b" in dark
    assert "color-scheme: dark;" in dark and 'content="dark"' in dark
    light = force_scheme(html, "light")
    assert "@media (max-width: -1px) { .a" in light and "(min-width: 0px) { .b" in light


def test_offline_replaces_every_remote_resource() -> None:
    html = (
        '<link href="https://fonts.example/css" rel="stylesheet">'
        '<style>@import url("https://f.example/a.css");'
        ".x{background:url(https://img.example/bg.png)}</style>"
        '<img src="https://example.org/logo.png" '
        'srcset="https://example.org/l2.png 2x" alt="Logo"><td background="//cdn.example/t.png">'
        '<a href="https://example.org/story">read</a><img src="data:image/png;base64,AA" alt="">'
    )
    out, count = offline(html, "p.svg")
    assert count == 6
    assert "example.org/story" in out  # links stay: clicking is not loading
    assert not [
        u
        for u in ("fonts.example", "f.example", "img.example", "logo.png", "l2.png", "cdn.example")
        if u in out
    ]
    assert 'src="p.svg"' in out and 'background="p.svg"' in out and 'url("p.svg")' in out


def test_the_email_view_reads_subject_preheader_and_checks() -> None:
    digest = make_digest()
    files = {f.path: f.content for f in render(digest, settings()).files}
    view = email_view(files, settings())
    assert view is not None
    assert view["subject"] == digest.entries[0].summary.headline
    assert view["preheader"] == digest.entries[0].summary.tagline
    assert view["failed"] == 0 and len(view["checks"]) >= 10
    assert {"src": "https://example.org/static/logo.png", "alt": ""} in view["images"]
    assert "https://example.org/unsubscribe" in view["links"]
    assert email_view({}, settings()) is None
    assert preheader("<html><body><p>no preheader</p></body></html>") == ""


@pytest.mark.parametrize(
    ("html", "found"),
    [
        # The theme's preheader partial: first inside MRML's wrapper <div>.
        (
            '<body style="a"><div role="article" lang="en"><div class="preheader" '
            'style="display:none;mso-hide:all;">Rates &amp; cuts\u034f\u00a0\u034f\u00a0</div><p>',
            "Rates & cuts",
        ),
        # What <mj-preview> writes (a project's own template may still use it).
        (
            '<body style="a">\n<div style="display:none;font-size:1px;color:#ffffff;">'
            "Rates &amp; cuts\u034f\u00a0</div><div>",
            "Rates & cuts",
        ),
        # Hidden text further down is not a preheader.
        ('<body><div><p>Hello</p><div style="display:none">later</div></div>', ""),
    ],
    ids=["partial", "mj-preview", "not-first"],
)
def test_the_preheader_is_read_from_the_partial_or_an_mj_preview(html: str, found: str) -> None:
    assert preheader(html) == found


def test_the_social_view_counts_with_measure_and_orders_thread_parts() -> None:
    digest = make_digest()
    items = tuple(Item(e.summary, e.story, e.story.source) for e in digest.entries)
    files = {f.path: f.content for f in render(digest, settings()).files}
    platforms = social_view(files, items, settings())
    assert [p["id"] for p in platforms] == list(PLATFORMS)
    for platform in platforms:
        envelopes = json.loads(files[f"social/{platform['id']}.json"])
        cards = [card for story in platform["stories"] for card in story["cards"]]
        texts = [post_text(platform["id"], e["request"]) for e in envelopes]
        assert [c["text"] for c in cards] == texts
        assert [c["key"] for c in cards] == [e["idempotency_key"] for e in envelopes]
        for card in cards:
            assert card["count"] == PLATFORMS[platform["id"]].measure(card["text"])
        assert [c["part"] for c in cards] == [e["part"] for e in envelopes]
        assert [c["part"] for c in cards] == list(range(1, len(cards) + 1))
    # Bare API bodies (no envelope) are not what the pipeline writes: a problem, not a crash.
    x = json.loads(files["social/x.json"])
    bare = [{**e["request"], "idempotency_key": e["idempotency_key"]} for e in x]
    before = {**files, "social/x.json": json.dumps(bare).encode()}
    problem = social_view(before, items, settings())[0]["problem"]
    assert problem.startswith("social/x.json: not posts as the pipeline writes them")


def test_post_text_reads_each_platforms_own_field() -> None:
    assert post_text("x", {"text": "a"}) == "a"
    assert post_text("threads", {"text": "b"}) == "b"
    assert post_text("bluesky", {"record": {"text": "c"}}) == "c"
    assert post_text("mastodon", {"status": "d"}) == "d"
    assert post_text("linkedin", {"commentary": r"e \(1\) {hashtag|\#|Tag}"}) == "e (1) #Tag"


def test_marked_escapes_and_sets_links_and_tags_apart() -> None:
    assert str(marked("<b> #Tag https://x.org/a?b=1&c")) == (
        '&lt;b&gt; <span class="tag">#Tag</span> <span class="link">https://x.org/a?b=1&amp;c</span>'
    )


def test_fingerprint_sees_edits_additions_and_removals(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("1")
    watched = [(tmp_path / "a", 1), (tmp_path / "missing.toml", 0)]
    first = fingerprint(watched)
    (tmp_path / "a" / "one.txt").write_text("one")
    second = fingerprint(watched)
    assert second != first
    (tmp_path / "a" / ".one.txt.swp").write_text("editor")
    assert fingerprint(watched) == second  # hidden files are not seeds
    (tmp_path / "a" / "one.txt").unlink()
    assert fingerprint(watched) != second


def test_live_bumps_on_a_change_and_wakes_waiters(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    live = Live(config, clock=lambda: NOW, interval=60)
    site, generation = live.site()
    assert generation == 0 and live.site()[0] is site
    assert not live.poll()
    woke: list[int] = []
    waiter = threading.Thread(target=lambda: woke.append(live.wait(0, timeout=10)))
    waiter.start()
    (tmp_path / "seeds" / "new.txt").write_text("New story\n\nIt happened today.\n")
    assert live.poll()
    waiter.join(timeout=10)
    assert woke == [1]
    assert "new" in live.site()[0].stories
    live.stop()


def test_live_reads_again_when_the_next_slot_passes(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    now = [NOW]
    live = Live(config, clock=lambda: now[0], interval=60)
    assert live.site()[0].plans[0].slot.day.isoformat() == "2026-11-28"
    now[0] = NOW + timedelta(hours=7)
    assert live.poll()
    assert live.site()[0].plans[0].slot.day.isoformat() == "2026-11-29"
    live.stop()


def test_the_watcher_thread_notices_a_save(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    live = Live(config, clock=lambda: NOW, interval=0.02)
    live.start()
    try:
        (tmp_path / "seeds" / "new.txt").write_text("New story\n\nIt happened today.\n")
        assert live.wait(0, timeout=5) == 1
    finally:
        live.stop()
    started = time.perf_counter()
    assert live.wait(1, timeout=5) == 1  # stopped: waiting returns at once
    assert time.perf_counter() - started < 5


def test_a_damaged_outbox_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    batch = tmp_path / "outbox" / "2026-11-27" / "morning-0800"
    batch.mkdir(parents=True)
    (batch / "manifest.json").write_text("{}")
    site = Site(config, NOW)
    assert len(site.warnings) == 1 and "not a valid manifest" in site.warnings[0]
    response = respond(site, "/")
    assert response.status == 200 and b"not a valid manifest" in response.body
    (tmp_path / "outbox" / "2026-11-26").write_text("not a folder")
    site = Site(config, NOW)
    assert any("2026-11-26" in warning for warning in site.warnings), site.warnings
    assert respond(site, "/").status == 200


def test_an_email_template_error_is_named_with_its_line(tmp_path: Path) -> None:
    config = make_project(tmp_path, own_templates=True)
    partial = tmp_path / "templates" / "email" / "partials" / "story.mjml.j2"
    original = partial.read_text(encoding="utf-8")
    page = f"/story/{EXAMPLE_SLUG}/email.html"
    # A syntax error, on line 3 of a partial the digest includes.
    partial.write_text("<mj-raw>\n</mj-raw>\n{% if %}\n" + original, encoding="utf-8")
    body = respond(Site(config, NOW), page).body.decode()
    assert "templates/email/partials/story.mjml.j2:3: Expected an expression" in body
    # An error met while rendering (an undefined name), on line 2.
    partial.write_text("<mj-raw></mj-raw>\n{{ nowhere.at_all }}\n" + original, encoding="utf-8")
    body = respond(Site(config, NOW), page).body.decode()
    assert "templates/email/partials/story.mjml.j2:2: &#39;nowhere&#39; is undefined" in body
    assert str(tmp_path) not in body


def test_a_roundup_thread_is_shown_together_under_its_own_heading(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("roundup = false", "roundup = true", 1), encoding="utf-8")
    site = Site(config, NOW)
    body = respond(site, "/slot/morning/social.html").body.decode()
    x = body[body.index('id="x"') :]
    x = x[: x.index("</section>")] if "</section>" in x else x
    assert x.count('class="story-posts"') == 1, "the roundup is split across stories"
    assert "Roundup: one thread for the whole digest" in x
    assert "(a story not in this sample)" not in body
