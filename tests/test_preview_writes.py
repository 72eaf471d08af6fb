"""The preview's writes over raw HTTP: what a POST must carry, what each form writes, and that a
refused one changes nothing at all (every file of the project byte for byte)."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from support.factories import BBC_SEEDS, EXAMPLE_SEED, project, snapshot
from support.preview import BBC, CHANNELS, EXAMPLE_SLUG, NOW

from digest.config import load_config
from digest.outbox.listing import pending_batches
from digest.outbox.pending import read_state
from digest.pipeline import unsent
from digest.preview.guard import MAX_BODY, Refused, Token, origin_of, own_origin
from digest.preview.server import CSP, PreviewServer, start_server
from digest.preview.site import Site
from digest.preview.writes import Writes
from digest.scheduler import Scheduler
from digest.seeds.edits import Sidecars, read_edits

EXAMPLE = "000_5d8e33db419e59d4.txt"
BATCH = "2026-11-28/morning-0800"
TOKEN = "<token>"  # stands for the preview's token in the tables


def approval_project(folder: Path, **schedule: object) -> Path:
    """The preview tests' project (the example seed and two BBC seeds), its schedule needing
    approval, prepared early enough that NOW (02:00 UTC) is within `prepare` of its 08:00."""
    values = {"name": "morning", "at": "08:00", "timezone": "Europe/London", "max_stories": 3}
    values |= {"approval": "required", "prepare": "8h"} | schedule
    project(folder, [values], channels=CHANNELS)
    shutil.copy(EXAMPLE_SEED, folder / "seeds")
    for name in BBC:
        shutil.copy(BBC_SEEDS / name, folder / "seeds")
    return folder / "config.toml"


def prepare_slots(config: Path) -> None:
    """A scheduler's wake-up at NOW: the 08:00 slot into outbox/.pending."""
    scheduler = Scheduler(load_config(config), lock=False)
    scheduler.start()
    scheduler.run_due(NOW)


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PreviewServer]]:
    folder = tmp_path_factory.mktemp("project")
    config = approval_project(folder)
    prepare_slots(config)
    assert [row["status"] for row in pending_batches(folder / "outbox")] == ["pending"]
    server = start_server(config, port=0, clock=lambda: NOW, editor="Ana Editor").start()
    try:
        yield folder, server
    finally:
        server.close()


def raw(
    server: PreviewServer, request: bytes, *, half_close: bool = False
) -> tuple[int, Message, bytes]:
    """Send `request` as it is; the status, headers and body of the answer."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(request)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = Message()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def origin(server: PreviewServer) -> str:
    return f"http://127.0.0.1:{server.httpd.server_address[1]}"


def token_of(server: PreviewServer) -> str:
    """The token in the forms of a story's summary view (a page that always has forms)."""
    request = f"GET /story/{EXAMPLE_SLUG}/summary.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    _, _, body = raw(server, f"{request}Connection: close\r\n\r\n".encode())
    found = re.search(rb'name="token" value="([^"]+)"', body)
    assert found, "the summary view has no form"
    return found.group(1).decode()


def post(
    server: PreviewServer,
    path: str,
    fields: dict[str, str] | None = None,
    *,
    headers: dict[str, str | None] | None = None,
    body: bytes | None = None,
    method: str = "POST",
    half_close: bool = False,
) -> tuple[int, Message, bytes]:
    """A request as a page of the preview sends its form, with `headers` changed (None: left
    out) and TOKEN in `fields` replaced by the preview's token."""
    token = token_of(server)
    if body is None:
        values = {k: token if v == TOKEN else v for k, v in (fields or {}).items()}
        body = urlencode(values).encode()
    sent: dict[str, str | None] = {
        "Host": f"127.0.0.1:{server.httpd.server_address[1]}",
        "Origin": origin(server),
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
        "Connection": "close",
    } | (headers or {})
    head = f"{method} {path} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in sent.items() if value is not None)
    return raw(server, head.encode() + b"\r\n" + body, half_close=half_close)


def edit(
    field: str = "headline", value: str = "Trains return to the line", **more: str
) -> dict[str, str]:
    return {"token": TOKEN, "story": EXAMPLE_SLUG, "field": field, "value": value, **more}


HOSTILE = {"Origin": "http://evil.example"}
# (id, path, fields, headers, status, what the answer says)
REFUSED: list[tuple[str, str, dict[str, str], dict[str, str | None], int, str]] = [
    (
        "no token",
        "/edit",
        {k: v for k, v in edit().items() if k != "token"},
        {},
        403,
        "without the preview's token",
    ),
    ("wrong token", "/edit", edit() | {"token": "x" * 43}, {}, 403, "with a wrong token"),
    ("empty token", "/edit", edit() | {"token": ""}, {}, 403, "with a wrong token"),
    ("foreign Origin", "/edit", edit(), HOSTILE, 403, "not the preview's own"),
    (
        "Origin of another port",
        "/edit",
        edit(),
        {"Origin": "http://127.0.0.1:1"},
        403,
        "not the preview's own",
    ),
    (
        "Origin of another loopback name",
        "/edit",
        edit(),
        {"Origin": "http://localhost"},
        403,
        "own",
    ),
    (
        "Origin https",
        "/edit",
        edit(),
        {"Origin": "https://127.0.0.1"},
        403,
        "not the preview's own",
    ),
    ("Origin null", "/edit", edit(), {"Origin": "null"}, 403, "Origin null and no Sec-Fetch-Site"),
    (
        "Origin null, cross-site",
        "/edit",
        edit(),
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        403,
        "cross-site",
    ),
    ("a second Origin", "/edit", edit(), {"origin": "http://evil.example"}, 403, "evil.example"),
    ("no Origin", "/edit", edit(), {"Origin": None}, 403, "no Origin header"),
    (
        "no Origin, cross-site",
        "/edit",
        edit(),
        {"Origin": None, "Sec-Fetch-Site": "cross-site"},
        403,
        "cross-site",
    ),
    (
        "Origin, but cross-site",
        "/edit",
        edit(),
        {"Sec-Fetch-Site": "cross-site"},
        403,
        "cross-site",
    ),
    (
        "same-site is not same-origin",
        "/edit",
        edit(),
        {"Sec-Fetch-Site": "same-site"},
        403,
        "same-site",
    ),
    ("wrong Host", "/edit", edit(), {"Host": "evil.example"}, 400, "bad Host header"),
    (
        "wrong Host, matching Origin",
        "/edit",
        edit(),
        {"Host": "evil.example", "Origin": "http://evil.example"},
        400,
        "bad Host",
    ),
    ("no Content-Type", "/edit", edit(), {"Content-Type": None}, 415, "must be a form"),
    ("text/plain", "/edit", edit(), {"Content-Type": "text/plain"}, 415, "not text/plain"),
    (
        "multipart",
        "/edit",
        edit(),
        {"Content-Type": "multipart/form-data; boundary=x"},
        415,
        "must be a form",
    ),
    ("no Content-Length", "/edit", edit(), {"Content-Length": None}, 411, "Content-Length"),
    (
        "chunked",
        "/edit",
        edit(),
        {"Content-Length": None, "Transfer-Encoding": "chunked"},
        411,
        "not in chunks",
    ),
    ("oversized", "/edit", edit(value="a" * MAX_BODY), {}, 413, "at most 16384"),
    ("unknown field name", "/edit", edit() | {"colour": "red"}, {}, 400, "unknown field 'colour'"),
    ("a field twice", "/edit", {}, {}, 400, "there twice"),  # body below
    (
        "no story field",
        "/edit",
        {k: v for k, v in edit().items() if k != "story"},
        {},
        400,
        "no 'story' field",
    ),
    ("not a field of an edits file", "/edit", edit(field="author"), {}, 400, "field 'author'"),
    ("bullet 0", "/edit", edit(field="bullets.0"), {}, 400, "field 'bullets.0'"),
    ("bullet not a number", "/edit", edit(field="bullets.two"), {}, 400, "field 'bullets.two'"),
    (
        "neither value nor reset",
        "/edit",
        {k: v for k, v in edit().items() if k != "value"},
        {},
        400,
        "no value and no reset",
    ),
    (
        "drop neither true nor false",
        "/edit",
        edit(field="drop", value="yes"),
        {},
        400,
        "true or false",
    ),
    ("back to another site", "/edit", edit(back="//evil.example/"), {}, 400, "back"),
    ("back to a path with a query", "/edit", edit(back="/index.html?x"), {}, 400, "back"),
    (
        "move sideways",
        "/move",
        {"token": TOKEN, "story": EXAMPLE_SLUG, "schedule": "morning", "direction": "left"},
        {},
        400,
        "up or down",
    ),
    (
        "move in no schedule",
        "/move",
        {"token": TOKEN, "story": EXAMPLE_SLUG, "schedule": "evening", "direction": "up"},
        {},
        400,
        "no such schedule",
    ),
    (
        "approve a malformed batch",
        "/approve",
        {"token": TOKEN, "batch": "../../etc", "sha256": "0" * 64},
        {},
        400,
        "DATE/SLOT",
    ),
    (
        "approve without a sha256",
        "/approve",
        {"token": TOKEN, "batch": BATCH},
        {},
        400,
        "no 'sha256' field",
    ),
    (
        "approve a short sha256",
        "/approve",
        {"token": TOKEN, "batch": BATCH, "sha256": "abc"},
        {},
        400,
        "64 hex",
    ),
    ("approve, no token", "/approve", {"batch": BATCH, "sha256": "0" * 64}, {}, 403, "token"),
    (
        "hold, foreign Origin",
        "/hold",
        {"token": TOKEN, "batch": BATCH, "reason": "x"},
        HOSTILE,
        403,
        "own",
    ),
]


@pytest.mark.parametrize(
    ("path", "fields", "headers", "status", "says"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_a_refused_post_changes_nothing(
    preview: tuple[Path, PreviewServer],
    path: str,
    fields: dict[str, str],
    headers: dict[str, str | None],
    status: int,
    says: str,
) -> None:
    folder, server = preview
    before = snapshot(folder, caches=False)
    body = None
    if not fields:  # a field twice
        body = (
            f"token={token_of(server)}&story={EXAMPLE_SLUG}&field=headline&value=a&value=b".encode()
        )
    answer, _, text = post(server, path, fields, headers=headers, body=body)
    assert (answer, snapshot(folder, caches=False)) == (status, before)
    assert says in text.decode(), text
    assert b"Traceback" not in text
    assert b"nothing was changed" in text or b"bad Host header" in text  # Host: as every request


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/edit", "POST"),
        ("GET", "/approve", "POST"),
        ("HEAD", "/hold", "POST"),
        ("PUT", "/move", "POST"),
        ("DELETE", "/edit", "POST"),
        ("POST", "/", "GET"),
        ("POST", "/index.html", "GET"),
        ("POST", f"/story/{EXAMPLE_SLUG}/summary.html", "GET"),
        ("POST", "/edit?field=headline", "GET"),
        ("POST", "/edit/", "GET"),
        ("POST", "/EDIT", "GET"),
        ("PUT", "/", "GET"),
    ],
)
def test_only_the_forms_paths_take_post_and_only_post(
    preview: tuple[Path, PreviewServer], method: str, path: str, allow: str
) -> None:
    folder, server = preview
    before = snapshot(folder, caches=False)
    status, headers, _ = post(server, path, edit(), method=method)
    assert (status, headers["Allow"], snapshot(folder, caches=False)) == (405, allow, before)


def test_a_form_that_ends_early_changes_nothing(preview: tuple[Path, PreviewServer]) -> None:
    folder, server = preview
    before = snapshot(folder, caches=False)
    status, _, text = post(
        server, "/edit", edit(), headers={"Content-Length": "400"}, half_close=True
    )
    assert (status, snapshot(folder, caches=False)) == (400, before)
    assert b"ended before its Content-Length" in text


@pytest.mark.parametrize(
    "body",
    [
        b"token=%FF%FE&story=x",
        b"\xff\xfe=1",
        b"novalue",
        b"a=1&&b=2",
        "&".join(["a=1"] * 13).encode(),
    ],
    ids=["bad percent-UTF-8", "raw non-UTF-8", "a field without =", "an empty field", "13 fields"],
)
def test_a_body_that_is_no_form_of_ours_changes_nothing(
    preview: tuple[Path, PreviewServer], body: bytes
) -> None:
    folder, server = preview
    before = snapshot(folder, caches=False)
    status, _, text = post(server, "/edit", body=body)
    assert (status, snapshot(folder, caches=False)) == (400, before), text


# (id, path, fields, status, what the page says): the library's refusals, shown on a page.
NOT_SAVED = [
    (
        "a bullet out of range",
        "/edit",
        edit(field="bullets.9", value="A ninth point."),
        422,
        "there is no bullet 9",
    ),
    (
        "a headline over the limit",
        "/edit",
        edit(value="Trains " * 12),
        422,
        "over the 70 a headline may have",
    ),
    (
        "a tagline over the limit",
        "/edit",
        edit(field="tagline", value="x" * 121),
        422,
        "over the 120",
    ),
    (
        "a bullet over the limit",
        "/edit",
        edit(field="bullets.1", value="y" * 201),
        422,
        "over the 200",
    ),
    ("an empty headline", "/edit", edit(value="   "), 422, "the text is empty"),
    ("a control character", "/edit", edit(value="Bell \x07 here"), 422, "control character"),
    ("an invisible character", "/edit", edit(value="Zero\u200bwidth"), 422, "invisible"),
    (
        "a javascript: link",
        "/edit",
        edit(value="see javascript:alert(1)"),
        422,
        "only http and https",
    ),
    (
        "a hashtag of two words",
        "/edit",
        edit(field="hashtags", value="Trains, No-Way"),
        422,
        "not one word",
    ),
    ("six hashtags", "/edit", edit(field="hashtags", value="A B C D E F"), 422, "over the 5"),
    ("a rank that is no number", "/edit", edit(field="rank", value="first"), 422, "whole number"),
    ("a story that is gone", "/edit", edit(story="no-such-story"), 409, "no story 'no-such-story'"),
    (
        "approve what changed since",
        "/approve",
        {"token": TOKEN, "batch": BATCH, "sha256": "0" * 64},
        409,
        "changed since it was looked at",
    ),
    (
        "approve a slot not prepared",
        "/approve",
        {"token": TOKEN, "batch": "2026-11-29/morning-0800", "sha256": "0" * 64},
        409,
        "no batch waiting for approval",
    ),
    (
        "hold without a reason",
        "/hold",
        {"token": TOKEN, "batch": BATCH, "reason": "  "},
        422,
        "reason: empty",
    ),
    (
        "hold with a long reason",
        "/hold",
        {"token": TOKEN, "batch": BATCH, "reason": "z" * 501},
        422,
        "501 characters",
    ),
]


@pytest.mark.parametrize(
    ("path", "fields", "status", "says"),
    [case[1:] for case in NOT_SAVED],
    ids=[case[0] for case in NOT_SAVED],
)
def test_what_the_library_refuses_is_shown_and_changes_nothing(
    preview: tuple[Path, PreviewServer], path: str, fields: dict[str, str], status: int, says: str
) -> None:
    folder, server = preview
    before = snapshot(folder, caches=False)
    answer, headers, body = post(server, path, fields)
    page = body.decode()
    assert (answer, snapshot(folder, caches=False)) == (status, before), page
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == CSP["form"]
    assert "<h1>Not saved</h1>" in page and "Nothing was changed" in page
    assert says.replace("'", "&#39;") in page, page
    assert "Traceback" not in page and str(folder) not in page  # no path of the editor's disk
    if path == "/edit" and status == 422:  # the form again, with what was sent, to correct it
        assert page.count('name="token"') == 1 and 'name="field"' in page


def test_an_edits_file_problem_names_the_file_and_line(preview: tuple[Path, PreviewServer]) -> None:
    _, server = preview
    _, _, body = post(server, "/edit", edit(field="bullets.9", value="A ninth point."))
    assert re.search(
        r"seeds/000_5d8e33db419e59d4\.edits\.toml:\d+: bullets\.9: the summary has \d bullets",
        body.decode(),
    )


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Path, PreviewServer]]:
    """A project of its own, for the writes that change it."""
    config = approval_project(tmp_path)
    prepare_slots(config)
    server = start_server(config, port=0, clock=lambda: NOW, editor="Ana Editor").start()
    try:
        yield tmp_path, server
    finally:
        server.close()


def sidecar(folder: Path, source: str = EXAMPLE) -> Any:
    return read_edits(folder / "seeds", source)


def test_an_edit_is_written_signed_and_the_page_shows_it(fresh: tuple[Path, PreviewServer]) -> None:
    folder, server = fresh
    back = f"/story/{EXAMPLE_SLUG}/summary.html"
    status, headers, _ = post(
        server, "/edit", edit(field="bullets.2", value="An editor's\r\nsecond point.", back=back)
    )
    assert status == 303
    assert headers["Location"] == f"{back}#story-{EXAMPLE_SLUG}"
    edits = sidecar(folder)
    assert edits.bullets == {2: "An editor's second point."}  # a text box's line break: a space
    assert (edits.by, edits.at) == ("Ana Editor", NOW)
    _, _, page = raw(
        server, f"GET {back} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )
    assert "An editor&#39;s second point." in page.decode()
    assert b'class="part-item edited" data-ref="b2"' in page
    # Restore the generated text: the only override gone, the file goes with it.
    assert post(server, "/edit", edit(field="bullets.2", reset="1"))[0] == 303
    assert not (folder / "seeds" / "000_5d8e33db419e59d4.edits.toml").exists()


def test_each_field_as_the_form_sends_it(fresh: tuple[Path, PreviewServer]) -> None:
    folder, server = fresh
    for field, value in [
        ("headline", "  Trains   return  "),
        ("tagline", "Service resumes after a week"),
        ("hashtags", "#Transport, London  #Rail"),
        ("rank", " 2 "),
        ("drop", "true"),
    ]:
        assert post(server, "/edit", edit(field=field, value=value))[0] == 303, field
    edits = sidecar(folder)
    assert (edits.headline, edits.tagline) == ("Trains return", "Service resumes after a week")
    assert (edits.hashtags, edits.rank, edits.drop) == (("Transport", "London", "Rail"), 2, True)
    assert post(server, "/edit", edit(field="hashtags", value=""))[0] == 303
    assert sidecar(folder).hashtags == ()  # none: an empty box publishes no hashtag
    for field, value in [("drop", "false"), ("rank", "")]:  # both remove the key
        assert post(server, "/edit", edit(field=field, value=value))[0] == 303
    edits = sidecar(folder)
    assert (edits.drop, edits.rank) == (False, None)
    assert "\ndrop =" not in (folder / "seeds" / "000_5d8e33db419e59d4.edits.toml").read_text()


def test_a_hand_written_edits_file_keeps_its_comments(fresh: tuple[Path, PreviewServer]) -> None:
    folder, server = fresh
    path = folder / "seeds" / "000_5d8e33db419e59d4.edits.toml"
    path.write_text(
        '# Checked with the desk on Monday.\ntagline = "As the desk wrote it"  # keep\n'
    )
    assert post(server, "/edit", edit(value="Trains return"))[0] == 303
    text = path.read_text()
    assert "# Checked with the desk on Monday." in text and '"As the desk wrote it"  # keep' in text
    assert sidecar(folder).headline == "Trains return"


def order(folder: Path) -> list[str]:
    """The slugs of the next slot's candidates, in the order they go out."""
    site = Site(folder / "config.toml", NOW)
    chosen = unsent(
        site.stories.values(), site.outbox, site.plans[0].slot, Sidecars(site.seeds_dir)
    )
    return [story.slug for story in chosen]


def test_move_up_and_down_reorders_the_next_slot(fresh: tuple[Path, PreviewServer]) -> None:
    folder, server = fresh
    first = order(folder)
    assert len(first) == 3
    last = first[-1]
    move = {"token": TOKEN, "story": last, "schedule": "morning", "direction": "up"}
    status, headers, _ = post(server, "/move", move)
    assert status == 303 and headers["Location"] == f"/slot/morning/summary.html#story-{last}"
    assert order(folder) == [first[0], first[2], first[1]]
    assert post(server, "/move", move)[0] == 303
    assert order(folder) == [first[2], first[0], first[1]]
    assert post(server, "/move", move)[0] == 303  # the first already: nothing changes
    assert order(folder) == [first[2], first[0], first[1]]
    assert post(server, "/move", move | {"direction": "down"})[0] == 303
    assert order(folder) == [first[0], first[2], first[1]]
    site = Site(folder / "config.toml", NOW)
    ranks = [
        getattr(sidecar(folder, site.stories[slug].source), "rank", None) for slug in order(folder)
    ]
    assert ranks == [1, 2, 3]


def test_approve_then_hold_the_pending_slot(fresh: tuple[Path, PreviewServer]) -> None:
    folder, server = fresh
    outbox = folder / "outbox"
    (row,) = pending_batches(outbox)
    approve = {"token": TOKEN, "batch": BATCH, "sha256": row["manifest_sha256"]}
    status, headers, _ = post(server, "/approve", approve)
    assert (status, headers["Location"]) == (303, "/index.html#pending")
    state = read_state(outbox, BATCH)
    assert (state.status, state.approved_by, state.approved_at) == ("approved", "Ana Editor", NOW)
    assert state.approved_manifest_sha256 == row["manifest_sha256"]
    assert not (outbox / BATCH).exists()  # its time has not come: published at 08:00
    _, _, index = raw(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert b'data-status="approved"' in index and b"by Ana Editor" in index
    hold = {"token": TOKEN, "batch": BATCH, "reason": "the figures are disputed"}
    assert post(server, "/hold", hold)[0] == 303
    state = read_state(outbox, BATCH)
    assert (state.status, state.reason) == ("held", "the figures are disputed")


def test_approving_a_slot_whose_time_has_come_publishes_it(tmp_path: Path) -> None:
    config = approval_project(tmp_path)
    prepare_slots(config)
    (row,) = pending_batches(tmp_path / "outbox")
    later = NOW.replace(hour=8, minute=30)  # within the 6 h catch-up of 08:00 UTC
    with_clock = start_server(config, port=0, clock=lambda: later, editor="Ana Editor").start()
    try:
        approve = {"token": TOKEN, "batch": BATCH, "sha256": row["manifest_sha256"]}
        assert post(with_clock, "/approve", approve)[0] == 303
    finally:
        with_clock.close()
    manifest = load_manifest(tmp_path / "outbox" / BATCH)
    assert manifest["approval"]["by"] == "Ana Editor"
    assert manifest["approval"]["manifest_sha256"] == row["manifest_sha256"]
    assert pending_batches(tmp_path / "outbox") == []


def load_manifest(batch: Path) -> dict[str, Any]:
    import json

    return dict(json.loads((batch / "manifest.json").read_text()))


@pytest.mark.parametrize("origin", [None, "null"])
def test_without_origin_sec_fetch_site_same_origin_stands_in(
    fresh: tuple[Path, PreviewServer], origin: str | None
) -> None:
    """What a page with referrer policy no-referrer, or a browser without Origin, sends."""
    folder, server = fresh
    headers = {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
    assert post(server, "/edit", edit(), headers=headers)[0] == 303
    assert sidecar(folder).headline == "Trains return to the line"


@pytest.mark.parametrize("name", ["localhost", "LOCALHOST", "127.0.0.1"])
def test_the_origin_of_each_loopback_name_it_is_asked_by(
    fresh: tuple[Path, PreviewServer], name: str
) -> None:
    folder, server = fresh
    port = server.httpd.server_address[1]
    headers = {"Host": f"{name}:{port}", "Origin": f"http://{name.lower()}:{port}"}
    assert post(server, "/edit", edit(), headers=headers)[0] == 303
    assert sidecar(folder).headline == "Trains return to the line"


def test_every_form_carries_the_token_and_none_is_in_a_page_without_forms(
    preview: tuple[Path, PreviewServer],
) -> None:
    _, server = preview
    token = token_of(server)
    for path, forms in [
        ("/", True),
        (f"/story/{EXAMPLE_SLUG}/summary.html", True),
        ("/slot/morning/summary.html", True),
        (f"/pending/{BATCH}/summary.html", False),
        (f"/story/{EXAMPLE_SLUG}/email.html", False),
        (f"/story/{EXAMPLE_SLUG}/social.html", False),
    ]:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        status, headers, body = raw(server, request.encode())
        page = body.decode()
        assert status == 200, path
        assert page.count("<form") == page.count(f'name="token" value="{token}"'), path
        assert (page.count("<form") > 0) == forms, path
        assert headers["Content-Security-Policy"] == CSP["form" if forms else "page"], path
        policy = "same-origin" if forms else "no-referrer"  # a form's POST names its origin
        assert headers["Referrer-Policy"] == policy, path
        assert f'<meta name="referrer" content="{policy}">' in page, path
        assert 'method="post"' in page if forms else "<form" not in page


def test_the_token_is_random_per_process() -> None:
    tokens = {Token().value for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) >= 43 for t in tokens)
    token = Token("abc")
    assert token.matches("abc")
    assert not any(token.matches(v) for v in (None, "", "ab", "abcd", "ABC", "abc "))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("HTTP://LOCALHOST:8000", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://[0:0::1]:8000", "http://[::1]:8000"),
        ("http://localhost", "http://localhost:80"),
        ("null", None),
        ("https://127.0.0.1:8000", None),
        ("http://127.0.0.1:8000/", None),
        ("http://127.0.0.1:8000/x", None),
        ("http://user@127.0.0.1:8000", None),
        ("http://127.0.0.1:99999", None),
        ("http://", None),
        ("", None),
    ],
)
def test_origin_of_reads_only_a_plain_http_origin(value: str, expected: str | None) -> None:
    assert origin_of(value) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost", "http://localhost:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("LocalHost:1", "http://localhost:8000"),  # the preview's own port, whatever Host says
    ],
)
def test_own_origin_is_the_host_asked_for_at_the_previews_port(host: str, expected: str) -> None:
    assert own_origin(host, 8000) == expected


def test_off_loopback_the_preview_shows_no_form_and_takes_no_post(tmp_path: Path) -> None:
    from digest.preview.watcher import Live

    live = Live(approval_project(tmp_path), clock=lambda: NOW, events=False)
    allowed = frozenset({"localhost", "127.0.0.1", "[::1]", "192.0.2.1"})
    writes = Writes(live, port=8000, allowed=allowed, loopback=False, by=None)
    assert writes.form_token is None
    headers = Message()
    headers["Host"], headers["Origin"] = "192.0.2.1:8000", "http://192.0.2.1:8000"
    with pytest.raises(Refused) as refused:
        writes.answer("/edit", headers, lambda n: b"", "192.0.2.7")
    assert refused.value.status == 403 and "loopback" in refused.value.reason
    local = Writes(live, port=8000, allowed=allowed, loopback=True, by=None)
    with pytest.raises(Refused):  # bound to loopback, a request from elsewhere is refused too
        local.answer("/edit", headers, lambda n: b"", "192.0.2.7")
    live.stop()


def test_a_form_that_stops_arriving_is_refused_at_the_timeout(tmp_path: Path) -> None:
    config = approval_project(tmp_path)
    server = start_server(config, port=0, clock=lambda: NOW, request_timeout=0.5).start()
    try:
        token = token_of(server)
        body = urlencode(edit() | {"token": token}).encode()
        port = server.httpd.server_address[1]
        head = (
            f"POST /edit HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body) + 10}\r\n\r\n"
        )
        before = snapshot(tmp_path)
        with socket.create_connection(server.httpd.server_address[:2], timeout=10) as conn:
            conn.sendall(head.encode() + body)  # ten bytes short, and the connection kept open
            answer = b""
            while chunk := conn.recv(65536):  # until the preview closes it
                answer += chunk
        assert answer.startswith(b"HTTP/1.0 408") or answer.startswith(b"HTTP/1.1 408"), answer
        assert b"did not arrive in time" in answer and snapshot(tmp_path) == before
    finally:
        server.close()


def test_the_login_name_signs_what_the_preview_writes_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass

    from digest.preview.writes import login_name

    monkeypatch.setattr(getpass, "getuser", lambda: "ana")
    assert login_name() == "ana"

    def unknown() -> str:
        raise OSError("no user name in this container")

    monkeypatch.setattr(getpass, "getuser", unknown)
    assert login_name() is None  # signed by nobody named, rather than not at all


@pytest.mark.parametrize(
    "text",
    ["x = " + "{a=" * 5000 + "1" + "}" * 5000, "x = " + "[" * 30000 + "]" * 30000],
    ids=["nested tables", "nested arrays"],
)
def test_an_edits_file_too_deep_to_read_is_named_and_the_page_renders(
    tmp_path: Path, text: str
) -> None:
    from support.preview import make_project

    from digest.preview.pages import respond

    config = make_project(tmp_path)
    name = "bbc-business-006.edits.toml"
    (tmp_path / "seeds" / name).write_text(text, encoding="utf-8")
    site = Site(config, NOW)
    response = respond(site, "/", live=True, token=TOKEN)
    assert response.status == 200
    html = response.body.decode()
    row = html[html.index('data-file="bbc-business-006.txt"') :]
    row = row[: row.index("</tr>")]
    assert f"seeds/{name}:1: nested too deeply to read" in row
    assert "left out of batches until it is fixed" in row


def test_approving_a_batch_the_edits_changed_since_rebuilds_it_and_shows_why(
    tmp_path: Path,
) -> None:
    config = approval_project(tmp_path)
    prepare_slots(config)
    outbox = tmp_path / "outbox"
    (row,) = pending_batches(outbox)
    edits = tmp_path / "seeds" / "bbc-business-006.edits.toml"
    edits.write_text('headline = "Japan escapes recession, narrowly"\n', encoding="utf-8")
    server = start_server(config, port=0, clock=lambda: NOW, editor="Ana Editor").start()
    try:
        looked_at = {"token": TOKEN, "batch": BATCH, "sha256": row["manifest_sha256"]}
        status, _, body = post(server, "/approve", looked_at)
        page = body.decode()
        assert status == 409 and "<h1>Not saved</h1>" in page, page
        assert "the pending batch was rebuilt with the latest seeds and edits" in page
        assert "look at it again" in page and str(tmp_path) not in page
        (rebuilt,) = pending_batches(outbox)
        assert rebuilt["status"] == "pending"
        assert rebuilt["manifest_sha256"] != row["manifest_sha256"]
        assert (
            b"Japan escapes recession, narrowly"
            in (outbox / ".pending" / BATCH / "email" / "digest.txt").read_bytes()
        )
        assert post(server, "/approve", looked_at)[0] == 409  # the old one: refused still
        again = looked_at | {"sha256": rebuilt["manifest_sha256"]}
        assert post(server, "/approve", again)[0] == 303
    finally:
        server.close()
    state = read_state(outbox, BATCH)
    assert (state.status, state.approved_by) == ("approved", "Ana Editor")
    assert state.approved_manifest_sha256 == rebuilt["manifest_sha256"]


@pytest.mark.parametrize(
    "fields",
    [
        edit(),
        edit(field="drop", value="true"),
        {"token": TOKEN, "story": EXAMPLE_SLUG, "schedule": "morning", "direction": "down"},
    ],
    ids=["a headline", "a drop", "a move"],
)
def test_a_write_of_the_preview_prepares_the_waiting_slot_again_at_once(
    fresh: tuple[Path, PreviewServer], fields: dict[str, str]
) -> None:
    folder, server = fresh
    outbox = folder / "outbox"
    (before,) = pending_batches(outbox)
    approved = {"token": TOKEN, "batch": BATCH, "sha256": before["manifest_sha256"]}
    assert post(server, "/approve", approved)[0] == 303
    path = "/move" if "direction" in fields else "/edit"
    assert post(server, path, fields)[0] == 303
    (after,) = pending_batches(outbox)
    assert after["manifest_sha256"] != before["manifest_sha256"]
    assert after["status"] == "pending"  # the approval of what was there is withdrawn
    again = approved | {"sha256": after["manifest_sha256"]}
    assert post(server, "/approve", again)[0] == 303
    state = read_state(outbox, BATCH)
    assert (state.status, state.approved_manifest_sha256) == ("approved", after["manifest_sha256"])
