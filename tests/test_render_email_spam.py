"""The `.eml` through SpamAssassin (Debian's, local rules only): the example batch and a six-story
batch score at most 0.5, and the rules they hit are listed (run with -s to see them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.factories import BBC_SEEDS, make_digest, settings
from support.spamassassin import Report, check, parse

from digest.cli import main
from digest.render.email import render_email
from digest.seeds import read_seed

MAX_SCORE = 0.5
SLOT, BATCH = "morning@2026-11-28", "2026-11-28/morning-0800"
# Rules that say the email hides text or dresses it up: none may be hit, whatever they score.
HIDING = ("HTML_FONT_LOW_CONTRAST", "HTML_FONT_INVALID_COLOR", "HTML_FONT_SIZE")


def _example_eml(folder: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The email of the first batch a new user builds: `digest init`, then `digest build`."""
    assert main(["init", str(folder)]) == 0
    monkeypatch.chdir(folder)
    assert main(["build", "--slot", SLOT]) == 0
    return (folder / "outbox" / BATCH / "email" / "digest.eml").read_bytes()


def _six_story_eml() -> bytes:
    """Six BBC stories, one or two from each section, each linked, one with an image."""
    paths = sorted(BBC_SEEDS.glob("*.txt"))
    stories = [read_seed(p) for p in paths[::5][:6]]
    stories = [
        s.model_copy(update={"url": f"https://www.bbc.co.uk/news/{s.slug}"}) for s in stories
    ]
    stories[2] = stories[2].model_copy(
        update={"image": "https://example.org/img/story.jpg", "image_alt": "A trading floor"}
    )
    out = {f.path: f.content for f in render_email(make_digest(stories), settings())}
    assert out["email/digest.txt"].count(b"https://www.bbc.co.uk/news/") >= 6
    return out["email/digest.eml"]


def _judged(report: Report, what: str) -> None:
    print(f"\nSpamAssassin on {what}: {report.listing()}")
    assert report.score <= MAX_SCORE, f"{what}: {report.listing()}"
    hiding = sorted(name for name in report.rules if name.startswith(HIDING))
    assert not hiding, f"{what}: {report.listing()}"


def test_the_example_batch_scores_at_most_half_a_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    eml = _example_eml(tmp_path / "news", monkeypatch)
    _judged(check(eml, tmp_path), "the example batch")


def test_a_six_story_batch_scores_at_most_half_a_point(tmp_path: Path) -> None:
    _judged(check(_six_story_eml(), tmp_path), "a six-story batch")


# spamassassin -L -t on the example batch before issue 15: its preheader was #ffffff text.
BEFORE = """X-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-25) on vm
X-Spam-Level:
X-Spam-Status: No, score=0.7 required=5.0 tests=HTML_FONT_LOW_CONTRAST,
\tHTML_MESSAGE,NO_RECEIVED,NO_RELAYS autolearn=no autolearn_force=no
\tversion=4.0.1
From: The Morning Digest <digest@example.org>

body
Content analysis details:   (0.7 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
-0.0 NO_RECEIVED            Informational: message has no Received headers
-0.0 NO_RELAYS              Informational: message was not relayed via SMTP
 0.0 HTML_MESSAGE           BODY: HTML included in message
 0.7 HTML_FONT_LOW_CONTRAST BODY: HTML font color similar or identical to
                            background

"""


def test_the_report_is_read_with_every_rule_and_its_points() -> None:
    report = parse(BEFORE)
    assert report.score == 0.7
    assert report.rules == {
        "NO_RECEIVED": -0.0,
        "NO_RELAYS": -0.0,
        "HTML_MESSAGE": 0.0,
        "HTML_FONT_LOW_CONTRAST": 0.7,
    }
    assert "HTML_FONT_LOW_CONTRAST" in report.listing() and "0.7" in report.listing()
    with pytest.raises(AssertionError, match="the header names"):
        parse(BEFORE.replace("NO_RELAYS autolearn", "NO_RELAYS,EXTRA autolearn"))
