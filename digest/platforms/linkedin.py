"""LinkedIn: the Posts API body, whose `commentary` is "little text"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import regex

from digest.platforms.base import Platform, Post

if TYPE_CHECKING:
    from digest.config import Settings

AUTHOR_PLACEHOLDER = "urn:li:person:UNSET"  # set [platforms.linkedin] author in config
# Unescaped, any of these makes LinkedIn drop the rest of the post.
RESERVED = frozenset("\\|{}@[]()<>#*_~")
# A hashtag: letters, marks, digits, "_" and joiners with a letter, in any script.
_HASHTAG = regex.compile(
    r"(?<!\S)#([\p{L}\p{M}\p{Nd}_\u200c\u200d]*\p{L}[\p{L}\p{M}\p{Nd}_\u200c\u200d]*)(?!\S)"
)
_READ = re.compile(r"\{hashtag\|\\#\|((?:\\.|[^\\{}|])*)\}|\\(.)", re.DOTALL)


_ESCAPED = str.maketrans({c: "\\" + c for c in RESERVED})
# What a `#Tag` template adds to the escaped text: "{hashtag|\\#|" and "}" (13) for "\\#" (2).
TEMPLATE_EXTRA = len("{hashtag|\\#|}") - len("\\#")


def escape_little(text: str) -> str:
    """LinkedIn "little" text: backslash-escape every reserved character."""
    return text.translate(_ESCAPED)


def little_length(text: str) -> int:
    """`len(little_text(text))`, without writing it: one more per reserved character, and
    each hashtag template's extra."""
    escapes = sum(text.count(c) for c in RESERVED)
    tags = sum(1 for _ in _HASHTAG.finditer(text)) if "#" in text else 0
    return len(text) + escapes + TEMPLATE_EXTRA * tags


def little_text(text: str) -> str:
    """A post as LinkedIn commentary: escaped, with `#Tag` words as hashtag templates."""
    out, position = [], 0
    for match in _HASHTAG.finditer(text):
        out.append(escape_little(text[position : match.start()]))
        out.append("{hashtag|\\#|" + escape_little(match.group(1)) + "}")
        position = match.end()
    return "".join(out) + escape_little(text[position:])


def read_little(commentary: str) -> str:
    """The text a reader sees for `commentary`: templates shown as `#Tag`, escapes removed."""

    def shown(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return match.group(2)
        return "#" + re.sub(r"\\(.)", r"\1", match.group(1), flags=re.DOTALL)

    return _READ.sub(shown, commentary)


class LinkedIn(Platform):
    name, limit, tags, unit = "linkedin", 3000, (1, 3), "escaped characters"
    label = "LinkedIn"

    def account(self, settings: Settings) -> str | None:
        return settings.platforms.linkedin.author

    def text_of(self, request: dict[str, Any]) -> str:
        return read_little(str(request["commentary"]))

    threads = False  # a LinkedIn post has no replies by its author

    def accepts_tag(self, tag: str) -> bool:
        return bool(_HASHTAG.fullmatch(f"#{tag}"))  # else it is written as escaped text

    def measure(self, text: str) -> int:
        return little_length(text)

    def payload(self, post: Post) -> dict[str, Any]:
        return {
            "author": post.account or AUTHOR_PLACEHOLDER,
            "commentary": little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
