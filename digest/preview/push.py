"""What the event stream sends an open page when a file changes: the page itself, built at once.

A page that says which path it shows (`/events?page=<path>`) gets a "page" event instead of a
bare "change": the new generation, the whole page as a request for that path would answer it,
and, for an email view, the two email frames it may show. The page swaps them in without a
second request, and writes the frame into its iframe instead of reloading it. The path is looked
up by `pages.respond` like any request's, so nothing a request could not name is ever sent.
"""

from __future__ import annotations

import json
import logging

from digest.preview.pages import FRAMES, failure, respond
from digest.preview.site import Site

log = logging.getLogger(__name__)
EMAIL_VIEW = "email.html"
SCHEME_FRAMES = FRAMES[:2]  # frame-light.html, frame-dark.html: what the iframe can show


def checked_path(path: str) -> str | None:
    """`path` (percent-decoded, without a query) when a request may name it, else None."""
    segments = path.split("/")
    if not path.startswith("/") or any(s in (".", "..") or "\\" in s for s in segments):
        return None
    if "\x00" in path:
        return None
    return path


def payload(site: Site, path: str, generation: int, token: str | None = None) -> bytes | None:
    """The "page" event's data for `path`, one line of JSON; None when `path` is not a page
    (a frame, a stylesheet): such a page is only told that something changed. With the
    server's form `token`, a page with forms has them, as a request would get it."""
    try:
        response = respond(site, path, live=True, generation=generation, token=token)
    except Exception:  # the page that a request would get: one that keeps live reload
        log.exception("preview: %s failed", path)
        response = failure(path, generation)
    if response.kind not in ("page", "form"):
        return None
    data: dict[str, object] = {"generation": generation, "page": response.body.decode()}
    if path.endswith("/" + EMAIL_VIEW) and response.status == 200:
        data["frames"] = _frames(site, path.removesuffix(EMAIL_VIEW), generation)
    # json.dumps escapes every line break, so the data is one line of the event stream.
    return json.dumps(data, ensure_ascii=False).encode()


def _frames(site: Site, folder: str, generation: int) -> dict[str, str]:
    """The email frames beside an email view, by their file name; none when it has no email."""
    out = {}
    for leaf in SCHEME_FRAMES:
        try:
            response = respond(site, folder + leaf, live=True, generation=generation)
        except Exception:  # the iframe then loads it, as it would have
            log.exception("preview: %s%s failed", folder, leaf)
            continue
        if response.status == 200 and response.kind == "frame":
            out[leaf] = response.body.decode()
    return out
