"""digest: news stories in, newsletters and social posts out, on a schedule."""

from __future__ import annotations

__version__ = "0.1.0"
