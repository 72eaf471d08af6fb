"""How many random hostile subjects add, drop or split a header of the built `.eml`.

Usage: .venv/bin/python benchmarks/header_fuzz.py [COUNT]   (default 10,000; seed 7)

Each subject is made of RFC 2047 encoded words holding CR/LF and `To:`/`Bcc:` lines, raw CR, LF,
U+2028, NUL, bidi and other line-breaking characters. A message is broken when its header names
or its To differ from those of the same digest with an ordinary subject. Prints the count.
"""

from __future__ import annotations

import email
import email.policy
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.factories import make_digest, settings

from digest.models import Digest
from digest.render.email import render_email

PIECES = ["?=", "=0D=0A", "\r", "\n", "\r\n", "\u2028", "\x00", "\u202e", "\x0b", "\x0c", "\x85"]
PIECES += ["=?UTF-8?B?DQpUbzogYUBldmlsLm9yZw==?=", "Bcc: b@evil.org", "Budget", "news", ":"]
INNER = ["=0D=0A", "=0A", "=0D", "To:_a@evil.org", "Bcc:_b@evil.org", "_", "x"]


def subject(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.5:
            inner = "".join(rng.choice(INNER) for _ in range(rng.randint(1, 5)))
            words.append(rng.choice(["=?utf-8?q?", "=?UTF-8?Q?", "=?iso-8859-1?q?"]) + inner + "?=")
        else:
            words.append(rng.choice(PIECES))
    return " ".join(words)


def headers(digest: Digest) -> tuple[list[str], str] | None:
    """The built message's header names and To, or None when the build refused it."""
    try:
        files = render_email(digest, settings())
    except Exception:  # refused to build: not a broken message
        return None
    eml = next(f.content for f in files if f.path.endswith(".eml"))
    message = email.message_from_bytes(eml, policy=email.policy.default)
    return [name.lower() for name, _ in message.items()], str(message["To"])


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rng, base = random.Random(7), make_digest()
    clean = headers(base)
    broken = 0
    for _ in range(count):
        entry = base.entries[0]
        summary = entry.summary.model_copy(update={"headline": subject(rng)})
        digest = base.model_copy(
            update={"entries": (entry.model_copy(update={"summary": summary}),)}
        )
        built = headers(digest)
        broken += built is not None and built != clean
    print(f"{broken} of {count} hostile subjects added, dropped or split a header")


if __name__ == "__main__":
    main()
