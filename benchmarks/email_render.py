"""Median cost of rendering one five-story email, MJML compile included, against its parts.

Usage: .venv/bin/python benchmarks/email_render.py [ROUNDS]
The digest is five BBC seeds, summarized once outside the timing. Each round times, interleaved
so that drift affects all alike: the Jinja render of the MJML alone, the MJML compile alone (of
the same source), the HTML (both), the plain text, the whole email (HTML, text and .eml), and the
checks every build runs on it. Figures are read by people, never asserted.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.factories import BBC_SEEDS, make_digest, settings  # noqa: E402

from digest.render.email import (  # noqa: E402
    compile_mjml,
    render_email,
    render_html,
    render_mjml,
    render_text,
)
from digest.render.email.checks import check_email, read_email  # noqa: E402
from digest.seeds import read_seed  # noqa: E402


def main(rounds: int) -> None:
    config = settings()
    stories = [read_seed(p) for p in sorted(BBC_SEEDS.glob("*.txt"))[:5]]
    stories = [
        s.model_copy(update={"url": f"https://www.bbc.co.uk/news/{s.slug}"}) for s in stories
    ]
    digest = make_digest(stories, channels=("email",))
    source = render_mjml(digest, config)
    html = render_html(digest, config)
    files = render_email(digest, config)
    parts: dict[str, Callable[[], object]] = {
        "jinja (MJML source)": lambda: render_mjml(digest, config),
        "mjml compile": lambda: compile_mjml(source),
        "html = jinja + mjml": lambda: render_html(digest, config),
        "plain text": lambda: render_text(digest, config),
        "email (html, txt, eml)": lambda: render_email(digest, config),
        "checks": lambda: check_email(read_email(*(f.content for f in files)), config),
    }
    timings: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(rounds):
        for name, run in parts.items():
            started = time.perf_counter()
            run()
            timings[name].append((time.perf_counter() - started) * 1000)
    median = {name: statistics.median(values) for name, values in timings.items()}
    size = len(html.encode())
    print(f"one email: {len(digest.entries)} stories; {rounds} rounds; medians")
    print(
        f"HTML {size} bytes ({100 * size / 100_000:.0f}% of the 100 KB check; Gmail clips at "
        f"~102 KB); MJML source {len(source.encode())} bytes"
    )
    for name, value in median.items():
        print(f"{name:<24} {value:8.2f} ms")
    html_ms = median["html = jinja + mjml"]
    print(f"ratio html / jinja alone       {html_ms / median['jinja (MJML source)']:6.1f}x")
    print(f"ratio html / mjml alone        {html_ms / median['mjml compile']:6.1f}x")
    print(f"ratio email / html             {median['email (html, txt, eml)'] / html_ms:6.1f}x")
    email_ms = median["email (html, txt, eml)"]
    print(f"ratio checks / email           {median['checks'] / email_ms:6.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
