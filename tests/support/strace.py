"""strace for the kill tests: its path, or a skip (a failure where CI requires it)."""

from __future__ import annotations

import os
import shutil

import pytest


def strace() -> str:
    found = shutil.which("strace")
    if found:
        return found
    if os.environ.get("DIGEST_REQUIRE_STRACE") == "1":
        pytest.fail("strace is not installed; install it (apt-get install -y strace)")
    pytest.skip("strace is not installed (CI installs it and sets DIGEST_REQUIRE_STRACE=1)")
