"""The preview's pages: a URL path in, a response out. The server and the export both use this.

Every page the preview has is named by the Site (its stories, next slots and batches), so a path
is looked up, never joined onto a folder: nothing outside the preview's own files can be named.
The one exception, archive/, serves only the archive's own kinds of file from the site folder,
walked part by part through no symbolic link (`digest.preview.archive`).

    index.html                          seeds, sources, slots waiting for approval, next
                                        slots, recent batches
    story/<slug>/<leaf>                 one story as its own digest
    slot/<schedule>/<leaf>              a schedule's next slot, as it would be published now
    batch/<date>/<schedule-HHMM>/<leaf> a published batch, from its files
    pending/<date>/<schedule-HHMM>/<leaf>  a batch waiting for approval in outbox/.pending
    static/<name>                       the preview's stylesheet, script and image
    archive/<site path>                 a file `digest archive` wrote, e.g. archive/index.html

where <leaf> is email.html, social.html, summary.html, or the email itself as the iframe shows
it: frame-light.html, frame-dark.html, and digest.html (the file as it is).

With a `token` (the live server's, see `guard`), the index and the summary views of a story
or a next slot carry forms (kind "form": their CSP lets them post to the preview itself); the
export, which has none, never does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from digest.preview.archive import MEDIA_TYPES, site_file, site_path
from digest.preview.frames import force_scheme, offline, with_csp
from digest.preview.model import Sample, Subject
from digest.preview.site import Site
from digest.preview.views.edited import edited_stories
from digest.preview.views.email import email_view
from digest.preview.views.social import social_view
from digest.preview.views.summary import summary_view
from digest.render.email.checks import FILES as EMAIL_FILES

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = {
    "preview.css": "text/css; charset=utf-8",
    "preview.js": "text/javascript; charset=utf-8",
    "remote-image.svg": "image/svg+xml",
}
VIEWS = ("email.html", "social.html", "summary.html")
FRAMES = ("frame-light.html", "frame-dark.html", "digest.html")
HTML = "text/html; charset=utf-8"
# An export has no server to send a CSP header, so its files carry their own: the same rules as
# the server's, less what a <meta> policy cannot say (frame-ancestors) or an export never does
# (connect to the event stream). Nothing remote, ever.
EXPORT_CSP = {
    "page": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; base-uri 'none'; form-action 'none'",
    "frame": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'",
}
# The files each view reads, named when one cannot be shown.
VIEW_FILES = {
    "email.html": ", ".join(EMAIL_FILES),
    "social.html": "social/*.json",
    "summary.html": "stories/*.json",
}


@dataclass(frozen=True)
class Response:
    """A page, a static file, or an email frame (`kind` picks the CSP the server sends)."""

    status: int
    content_type: str
    body: bytes
    kind: str = "page"  # "page", "form", "frame", "static" or "archive"
    location: str | None = None  # where a 303 sends the browser


@cache
def environment() -> Environment:
    """The preview's own templates: HTML-escaped, strict about undefined names."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def static(name: str) -> bytes:
    return (HERE / "static" / name).read_bytes()


def respond(
    site: Site, path: str, *, live: bool = True, generation: int = 0, token: str | None = None
) -> Response:
    """The response for `path` (already percent-decoded, without a query); with the live
    server's `token`, the pages that have forms show them."""
    parts = [p for p in path.split("/") if p]
    page = Page(site, live, generation, depth=max(len(parts) - 1, 0), token=token)
    if parts in ([], ["index.html"]):
        return page.render("index.html", title="Seeds and slots", forms=True)
    if len(parts) == 2 and parts[0] == "static" and parts[1] in STATIC:
        return Response(200, STATIC[parts[1]], static(parts[1]), kind="static")
    if parts and parts[0] == "archive":
        return archive_file(site, parts[1:], folder=path.endswith("/"))
    sized = {"story": 3, "slot": 3, "batch": 4, "pending": 4}
    if parts and sized.get(parts[0]) == len(parts) and parts[-1] in VIEWS + FRAMES:
        return page.subject(parts[0], "/".join(parts[1:-1]), parts[-1])
    return page.render("missing.html", status=404, title="Not found", path=path)


def archive_file(site: Site, parts: list[str], *, folder: bool) -> Response:
    """A file of the archive's site folder, as `digest archive` wrote it (read-only)."""
    path = site_path(parts, folder)
    data = site_file(site.site_dir, path) if path is not None else None
    if path is None or data is None:
        shown = site.shown(site.site_dir)
        text = f"not in the archive's site folder ({shown}); run digest archive to write it\n"
        return Response(404, "text/plain; charset=utf-8", text.encode(), kind="static")
    suffix = path[path.rindex(".") :]
    return Response(200, MEDIA_TYPES[suffix], data, kind="archive")


def not_saved(
    site: Site,
    problems: list[str],
    *,
    status: int,
    back: str,
    retry: dict[str, str] | None,
    generation: int,
    token: str,
) -> Response:
    """The page a write that the library refused answers with: what it said, each line
    scrubbed of the project's folders, and the form again (an edit) to correct and resend."""
    page = Page(site, True, generation, depth=0, token=token)
    shown = [site.scrub(problem) for problem in problems]
    return page.render(
        "not_saved.html",
        status=status,
        title="Not saved",
        problems=shown,
        back=back.lstrip("/") or "index.html",
        retry=retry,
        forms=True,
        watch=False,
    )


def failure(path: str, generation: int, *, live: bool = True) -> Response:
    """The page for `path` when building it failed: still a page live reload can replace."""
    depth = max(len([p for p in path.split("/") if p]) - 1, 0)
    context = {
        "site": None,
        "root": "../" * depth,
        "live": live,
        "generation": generation,
        "csp": Markup(EXPORT_CSP["page"]),
        "subject": None,
        "leaf": None,
        "title": "This page could not be built",
        "path": path,
        "token": None,
        "watch": live,
    }
    body = environment().get_template("failure.html").render(context)
    return Response(500, HTML, body.encode())


def site_paths(site: Site) -> list[str]:
    """Every path an export writes: the index, and each view and frame of each subject."""
    out = ["index.html", *(f"static/{name}" for name in STATIC)]
    for subject in site.subjects():
        out += [f"{subject.base}/{leaf}" for leaf in VIEWS + FRAMES[:2]]
    return out


class Page:
    """Renders one response; knows how far the page is from the root, for relative links."""

    def __init__(
        self, site: Site, live: bool, generation: int, depth: int, token: str | None = None
    ) -> None:
        self.site, self.live, self.generation = site, live, generation
        self.root = "../" * depth
        self.token = token if live else None  # an export has no server to post to

    def render(
        self, template: str, *, status: int = 200, forms: bool = False, **data: Any
    ) -> Response:
        """`template` as a page; `forms`: it has the preview's forms (with a token)."""
        token = self.token if forms else None
        context = {
            "site": self.site,
            "root": self.root,
            "live": self.live,
            "watch": self.live,  # the page follows the event stream
            "generation": self.generation,
            "csp": Markup(EXPORT_CSP["page"]),
            "subject": None,
            "leaf": None,
            "token": token,
            **data,
        }
        body = environment().get_template(template).render(context)
        return Response(status, HTML, body.encode(), kind="form" if token else "page")

    def subject(self, kind: str, key: str, leaf: str) -> Response:
        site = self.site
        if site.settings is None:
            return self.render("problem.html", status=503, title="config.toml has problems")
        subject = site.subject(kind, key)
        if subject is None:
            error = site.seed_error(key) if kind == "story" else None
            if error is not None:
                return self.render("seed_error.html", status=422, title="Seed error", error=error)
            return self.render("missing.html", status=404, title="Not found", path=key)
        sample = site.sample(subject)
        if leaf in FRAMES:
            return self.frame(sample, leaf)
        return self.view(subject, sample, leaf)

    def frame(self, sample: Sample, leaf: str) -> Response:
        data = sample.files.get("email/digest.html")
        if data is None:
            return Response(404, "text/plain; charset=utf-8", b"this sample has no email\n")
        html = data.decode("utf-8", errors="replace")
        if leaf != "digest.html":
            html = force_scheme(html, leaf.removeprefix("frame-").removesuffix(".html"))
            if not self.live:
                html, _ = offline(html, f"{self.root}static/remote-image.svg")
                html = with_csp(html, EXPORT_CSP["frame"])
        return Response(200, HTML, html.encode(), kind="frame")

    def view(self, subject: Subject, sample: Sample, leaf: str) -> Response:
        settings = self.site.settings
        assert settings is not None
        data: dict[str, Any] = {
            "subject": subject,
            "sample": sample,
            "leaf": leaf,
            "failure": None,
            "edited": edited_stories(sample.items),
        }
        try:
            if sample.files:
                if leaf == "email.html":
                    data["email"] = email_view(sample.files, settings)
                elif leaf == "social.html":
                    data["platforms"] = social_view(sample.files, sample.items, settings)
                else:
                    data["stories"] = summary_view(sample.items)
        except Exception as error:  # a damaged file: named on the page, which stays live
            log.warning("preview: the %s view of %s failed", leaf, subject.base, exc_info=True)
            origin = (
                f"in {self.site.shown(self.site.outbox / subject.key)}/"
                if subject.kind == "batch"
                else "as rendered now"
            )
            data["failure"] = self.site.scrub(
                f"{VIEW_FILES[leaf]} ({origin}): {type(error).__name__}: {error}"
            )
        title = f"{leaf.removesuffix('.html').capitalize()}: {subject.label}"
        # Only what is still to be published can be edited: a story, or a next slot.
        forms = leaf == "summary.html" and subject.kind in ("story", "slot")
        return self.render(leaf, title=title, forms=forms, **data)
