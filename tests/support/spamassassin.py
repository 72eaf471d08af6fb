"""Debian's SpamAssassin for the email's spam score: local rules only, nothing learnt, the same
answer on every run (no network test, no Bayes, no auto-learning, no user preferences)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

# Settings that keep the score a function of the message alone: `-L` turns off every network
# test (DNS blocklists, URIBL, Razor, Pyzor, DCC, SPF/DKIM/DMARC lookups); these turn off the
# learnt ones, which would depend on what earlier runs fed the Bayes database.
LOCAL_ONLY = ["use_bayes 0", "bayes_auto_learn 0"]
_STATUS = re.compile(r"^X-Spam-Status: .*?(?=^\S)", re.M | re.S)
_ROW = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")


@dataclass(frozen=True)
class Report:
    """What SpamAssassin says of one message: its score and each rule hit, with its points."""

    score: float
    rules: dict[str, float]  # rule name -> points, as the report lists them
    descriptions: dict[str, str]

    def listing(self) -> str:
        """One line per rule hit, as SpamAssassin's report table shows them."""
        rows = [
            f"{points:5.1f} {name} ({self.descriptions.get(name, '')})"
            for name, points in sorted(self.rules.items())
        ]
        return f"score {self.score:.1f}: " + ("; ".join(rows) if rows else "no rule hit")


def spamassassin() -> str:
    """The `spamassassin` command, or a skip (a failure under DIGEST_REQUIRE_SPAMASSASSIN=1, as
    in CI)."""
    found = shutil.which("spamassassin")
    if found:
        return found
    message = "spamassassin is not installed: apt-get install -y spamassassin"
    if os.environ.get("DIGEST_REQUIRE_SPAMASSASSIN") == "1":
        pytest.fail(message)
    pytest.skip(f"{message} (CI installs it and sets DIGEST_REQUIRE_SPAMASSASSIN=1)")


def check(eml: bytes, home: Path) -> Report:
    """SpamAssassin's report on `eml`, run with local tests only and `home` as its home folder
    (an empty preferences file there: nothing of the user running the tests gets in)."""
    prefs = home / "user_prefs"
    prefs.write_text("", encoding="utf-8")
    command = [spamassassin(), "-L", "-t", "-x", "-p", str(prefs)]
    command += [f"--cf={line}" for line in LOCAL_ONLY]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"}
    done = subprocess.run(command, input=eml, capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return parse(done.stdout.decode("utf-8", errors="replace"))


def parse(output: str) -> Report:
    """The score from the X-Spam-Status header and the rules from the report table of a
    `spamassassin -t` output."""
    status = _STATUS.search(output)
    assert status, f"no X-Spam-Status header in spamassassin's output:\n{output[:2000]}"
    unfolded = re.sub(r",\s+", ",", " ".join(status[0].split()))  # folded after a comma
    score = re.search(r"score=(-?\d+(?:\.\d+)?)", unfolded)
    tests = re.search(r"tests=(\S*)", unfolded)
    assert score and tests, unfolded
    table = output[output.rindex("Content analysis details:") :]
    rules: dict[str, float] = {}
    descriptions: dict[str, str] = {}
    for line in table.splitlines():
        row = _ROW.match(line)
        if row:
            rules[row[2]] = float(row[1])
            descriptions[row[2]] = row[3].strip()
    named = {name for name in tests[1].split(",") if name and name != "none"}
    assert named == set(rules), f"the header names {sorted(named)}, the report {sorted(rules)}"
    return Report(float(score[1]), rules, descriptions)
