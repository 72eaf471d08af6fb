"""What a write to the preview must show before anything is changed: the rules for its POSTs.

The preview writes only for its own forms (an edit, a move, an approval, a hold), and only
when each of these holds, checked in this order; the first that fails refuses the request
with nothing changed:

1. the preview listens on loopback and the request comes from this machine;
2. the request comes from a page of this preview: its `Origin` is the preview's own origin
   (`http://<the Host it was asked for>` at the preview's port), and `Sec-Fetch-Site`, when
   the browser sends one, says `same-origin`. Without an `Origin`, or with `Origin: null`
   (what a browser sends from a page whose referrer policy is no-referrer, and from sandboxed
   or opaque pages), only `Sec-Fetch-Site: same-origin` lets it through: a page cannot set
   that header, and a sandboxed or foreign page gets `cross-site`. The pages with forms send
   `Referrer-Policy: same-origin`, so that their browser names their origin;
3. its body is a form (`application/x-www-form-urlencoded`) of a stated length, at most
   `MAX_BODY` bytes, UTF-8, each field named once;
4. the form carries this preview process's token (`Token`: random per process, written into
   every form the pages show, compared in constant time).

A page of another site can make a browser send a POST here, but cannot read the token (no page
of the preview is readable from another origin) nor set `Origin`; a DNS-rebinding page is
already refused by the Host check every request passes.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from email.message import Message
from urllib.parse import parse_qsl, urlsplit

from digest.preview.hosts import canonical, host_allowed

MAX_BODY = 16 * 1024  # a form of the preview: a few fields, the longest a 200-character bullet
MAX_FIELDS = 12
FORM_TYPE = "application/x-www-form-urlencoded"


class Refused(Exception):
    """A write refused before anything was read or changed: `status` and why, in words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class Token:
    """The preview process's form token: random, never stored, the same in every form."""

    def __init__(self, value: str | None = None) -> None:
        self.value = value or secrets.token_urlsafe(32)

    def matches(self, given: str | None) -> bool:
        """Whether `given` is the token, compared in constant time."""
        if given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.value.encode("utf-8"))


def own_origin(host: str, port: int) -> str:
    """The origin a page of the preview asked for as `Host: host` has (`http://name:port`)."""
    value = host.strip().lower()
    name = value.partition("]")[0] + "]" if value.startswith("[") else value.partition(":")[0]
    return f"http://{canonical(name)}:{port}"


def origin_of(value: str) -> str | None:
    """An `Origin` header as `own_origin` spells it, or None when it is none of ours to read
    (not http, no host, a path, `null`)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port or 80
    except ValueError:
        return None
    if parts.scheme.lower() != "http" or not parts.hostname or parts.path or parts.query:
        return None
    if parts.username is not None or parts.password is not None or parts.fragment:
        return None
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"http://{canonical(name)}:{port}"


def check_sender(
    headers: Message, *, host: str, port: int, allowed: frozenset[str], local: bool
) -> None:
    """Rules 1 and 2: from this machine, from a page of this preview; raises `Refused`."""
    if not local:
        raise Refused(
            403,
            "the preview writes only when it listens on loopback (127.0.0.1) and the request "
            "comes from this machine; restart it without --host to edit or approve",
        )
    fetch_site = [value.strip().lower() for value in headers.get_all("Sec-Fetch-Site") or []]
    if fetch_site and fetch_site != ["same-origin"]:
        raise Refused(403, f"Sec-Fetch-Site is {', '.join(fetch_site)}: not a page of the preview")
    origins = headers.get_all("Origin") or []
    if not origins or origins == ["null"]:
        if fetch_site == ["same-origin"]:
            return
        what = "no Origin header" if not origins else "Origin null"
        raise Refused(403, f"{what} and no Sec-Fetch-Site: same-origin: not a page of the preview")
    expected = own_origin(host, port)
    if len(origins) != 1 or not host_allowed(host, allowed) or origin_of(origins[0]) != expected:
        shown = ", ".join(origins)[:200]
        raise Refused(403, f"Origin {shown!r} is not the preview's own ({expected})")


def read_form(
    headers: Message, read: Callable[[int], bytes], *, limit: int = MAX_BODY
) -> dict[str, str]:
    """Rule 3: the body as {name: value}; `read(n)` reads n bytes of it. Raises `Refused`."""
    kind = (headers.get("Content-Type") or "").partition(";")[0].strip().lower()
    if kind != FORM_TYPE:
        raise Refused(415, f"the body must be a form ({FORM_TYPE}), not {kind or 'nothing'}")
    if headers.get("Transfer-Encoding") is not None:
        raise Refused(411, "send the form with a Content-Length, not in chunks")
    lengths = headers.get_all("Content-Length") or []
    if len(lengths) != 1 or not lengths[0].strip().isdigit():
        raise Refused(411, "one Content-Length, a number of bytes, is needed")
    length = int(lengths[0])
    if length > limit:
        raise Refused(413, f"the form is {length} bytes; the preview takes at most {limit}")
    body = read(length)
    if len(body) != length:
        raise Refused(400, "the form ended before its Content-Length")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            encoding="utf-8",
            errors="strict",  # a percent-escape that is not UTF-8 is refused, not replaced
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise Refused(400, f"not a form of the preview ({error})") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise Refused(400, f"the field {name[:40]!r} is there twice")
        form[name] = value
    return form


def check_token(form: dict[str, str], token: Token) -> None:
    """Rule 4: the form's `token` is this preview's; raises `Refused`."""
    if not token.matches(form.get("token")):
        what = "without the preview's token" if "token" not in form else "with a wrong token"
        raise Refused(
            403, f"a form {what}: reload the page (the token changes when the preview restarts)"
        )
