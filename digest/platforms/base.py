"""What every platform has (a limit, a measure, a payload) and the post it is given."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from digest.config import Settings

# fits(text[start:end] + tail) for a span of one text, or None: measure that text itself.
PieceFits = Callable[[int, int, str], bool | None]


@dataclass(frozen=True)
class Post:
    """One post as composed: its text plus what the payload needs besides the text.

    A story posted as a thread becomes several Posts, `part` 1 to `parts`; every part after the
    first replies to the one before it, which the sender knows only once that one is sent.
    """

    story_id: str
    text: str
    idempotency_key: str
    part: int = 1
    parts: int = 1
    root_key: str | None = None  # the idempotency key of part 1, on later parts
    parent_key: str | None = None  # the idempotency key of the part this one replies to
    language: str = "en"
    created_at: str = ""  # ISO 8601 with Z: the slot's UTC instant
    url: str | None = None  # the story link this part shows as a card (Bluesky embed)
    title: str = ""  # link card title
    description: str = ""  # link card description
    topic_tag: str | None = None  # Threads' one topic tag, outside the text, on part 1
    account: str | None = None  # LinkedIn author URN, Bluesky repo handle

    @property
    def is_reply(self) -> bool:
        """Whether this part continues a thread (and so replies to the part before it)."""
        return self.part > 1


class Platform:
    """A social network's rule: its default limit, its measure and its payload."""

    name: ClassVar[str]
    label: ClassVar[str]  # how editors and readers see the name
    limit: ClassVar[int]
    unit: ClassVar[str] = "characters"  # what `measure` counts, for editors
    tags: ClassVar[tuple[int, int]] = (0, 0)  # hashtags written into a post: (fewest, most)
    threads: ClassVar[bool] = True  # whether a story may become a thread of replies
    topic_tag: ClassVar[bool] = False  # one topic tag outside the text, on part 1 (Threads)

    def measure(self, text: str) -> int:
        """The length of `text` as this platform counts it."""
        raise NotImplementedError

    def fits(self, text: str, limit: int) -> bool:
        """Whether `text` is a post this platform accepts within `limit`."""
        return bool(text) and self.measure(text) <= limit

    def piecewise(self, text: str, limit: int) -> PieceFits | None:
        """`fits(text[start:end] + tail)` for many spans of `text`, from counts of the whole
        text made once, where the count adds up: None, for the caller to measure each text.

        The answer is asked for `text[start:end]` without spaces at its ends, each end at an
        end of `text` or beside a space or line break, and `tail` empty or starting with one;
        the function answers None where it cannot say.
        """
        return None

    def accepts_tag(self, tag: str) -> bool:
        """Whether `#tag` is a hashtag on this platform (the tag is already a letter-word)."""
        return True

    def account(self, settings: Settings) -> str | None:
        """Who posts, when the request names it (LinkedIn's author, Bluesky's repo)."""
        return None

    def text_of(self, request: dict[str, Any]) -> str:
        """The text a reader sees, read back from a request `payload` built."""
        return str(request["text"])

    def payload(self, post: Post) -> dict[str, Any]:
        """Exactly the API request body for `post`, with no field the API does not take.

        The idempotency key and the thread links (`reply_to`) go in the envelope that
        `digest.render.social` wraps around this body, not in it.
        """
        raise NotImplementedError


def clean_cut(text: str, inside: Collection[int], start: int, end: int, tail: str) -> bool:
    """Whether the part `text[start:end] + tail` can be counted from the whole text's counts:
    neither end inside a link or mention (`inside`), each beside a space, a line break or an end
    of the text, and the tail starting with a space or line break (where counts add up)."""
    if start in inside or end in inside or tail[:1] not in ("", " ", "\n"):
        return False
    return (not start or text[start - 1] in " \n") and (end == len(text) or text[end] in " \n")
