"""Posts per second for each platform, composing in each platform's mode as config.toml says,
against the cost of only measuring the same posts, all in one run.

Usage: .venv/bin/python benchmarks/social_posts.py [ROUNDS] [ROWS]
Two sets of stories, summarized once outside the timing: the example seed (with a link) and the
first ROWS (default 200) articles of ../shared/data/cnn_highlights.dev.jsonl (not in the
repository: benchmarks/_shared.py says where it is looked for). Each round composes every
story's post or thread for every platform (`compose_posts`: templates, shortening, thread
splitting, the platform's `fits`), then measures the finished posts once more with the
platform's `measure` alone (the baseline: the least any composer must spend). The X line adds a
second baseline: the Python port's parse_tweet run once on each finished X post, beside
digest's own count (which follows the JS library). Medians over ROUNDS (default 5),
interleaved. Figures are read by people, never asserted.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from _shared import data_file  # noqa: E402
from support.factories import example_story, make_digest, settings  # noqa: E402
from twitter_text import parse_tweet  # noqa: E402

from digest.channels import PLATFORM_NAMES  # noqa: E402
from digest.models import Digest  # noqa: E402
from digest.platforms import PLATFORMS  # noqa: E402
from digest.render.social import compose_posts  # noqa: E402
from digest.seeds import story_from_text  # noqa: E402


def cnn_digest(rows: int) -> Digest:
    path = data_file("cnn_highlights")
    lines = path.read_text("utf-8").splitlines()[:rows]
    stories = []
    for line in lines:
        row = json.loads(line)
        story = story_from_text(row["id"], row["article"], row.get("title"))
        stories.append(story.model_copy(update={"url": f"https://edition.cnn.com/{story.slug}"}))
    return make_digest(stories)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main(rounds: int, rows: int) -> None:
    config = settings()
    example = make_digest([example_story().model_copy(update={"url": "https://example.org/a"})])
    sets = {"example": example, f"cnn{rows}": cnn_digest(rows)}
    modes = ", ".join(f"{n} {config.platforms.mode_of(n)}" for n in PLATFORM_NAMES)
    print(f"{rounds} rounds; modes: {modes}")
    print(
        f"{'set':<9} {'platform':<9} {'stories':>7} {'posts':>6} "
        f"{'posts/s':>9} {'measure/s':>10} {'compose÷measure':>16}"
    )
    for label, digest in sets.items():
        # the example seed is one story: repeat it as often as there are CNN stories
        repeat = max(1, rows // len(digest.entries))
        for name in PLATFORM_NAMES:
            platform = PLATFORMS[name]

            def compose(d: Digest = digest, n: str = name) -> list[str]:
                return [p.text for e in d.entries for p in compose_posts(e, n, d, config)]

            texts = compose()
            many = texts * repeat
            composing, measuring = [], []
            for _ in range(rounds):
                composing.append(timed(lambda c=compose, r=repeat: [c() for _ in range(r)]))
                measuring.append(timed(lambda t=many, p=platform: [p.measure(x) for x in t]))
            posts = len(texts) * repeat
            per_compose = posts / statistics.median(composing)
            per_measure = posts / statistics.median(measuring)
            print(
                f"{label:<9} {name:<9} {len(digest.entries):>7} {len(texts):>6} "
                f"{per_compose:>9.0f} {per_measure:>10.0f} {per_measure / per_compose:>15.1f}x"
            )
            if name == "x":
                x_texts = many
        parser = statistics.median(
            timed(lambda t=x_texts: [parse_tweet(x) for x in t]) for _ in range(rounds)
        )
        fits = statistics.median(
            timed(lambda t=x_texts: [PLATFORMS["x"].fits(x, 280) for x in t]) for _ in range(rounds)
        )
        count = len(x_texts)
        print(
            f"{label:<9} x: twitter-text parse_tweet {count / parser:.0f}/s, digest X.fits "
            f"{count / fits:.0f}/s on the same posts ({parser / fits:.1f}x faster)"
        )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [5, 200][len(args) :]))
