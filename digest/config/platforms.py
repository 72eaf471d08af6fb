"""The `[platforms]` tables of `config.toml`: each platform's limit, account and mode."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from digest.channels import PLATFORM_NAMES
from digest.config.texts import HttpsUrl, LineText, shown
from digest.config.values import KeyProblems, Section

# The most a platform accepts whatever the account (X Premium: 25,000); Mastodon's is per instance.
PLATFORM_CAPS = {"x": 25_000, "bluesky": 300, "linkedin": 3000, "threads": 500}

# A handle as the platforms write them: @name, @name@instance (Mastodon), or a domain (Bluesky).
HANDLE = r"^@?[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}(@[A-Za-z0-9][A-Za-z0-9.-]{0,252})?$"
# Bluesky's repo: a domain handle or a DID (atproto's own syntax).
_BLUESKY = (
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]*"
    r"|did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]"
)
# Below this a post cannot hold a word and its thread number (1 leaves no room at all, and the
# story is left out of every batch); the platforms themselves allow 280 and more.
MIN_LIMIT = 10


class PlatformOptions(Section):
    enabled: bool = True
    limit: int | None = Field(default=None, ge=MIN_LIMIT, le=100_000)
    author: LineText | None = Field(  # LinkedIn: urn:li:person:… or urn:li:organization:…
        default=None, pattern=r"^urn:li:(person|organization):[A-Za-z0-9_-]{1,100}$"
    )
    handle: LineText | None = Field(default=None, pattern=HANDLE)  # the email's follow row
    url: HttpsUrl | None = None  # the profile page for the follow row
    # "post": one post per story (headline, link, tags); "summary": one post with the tagline
    # and the key points that fit; "thread": a story longer than one post becomes a numbered
    # thread. Unset: "post" on X and Bluesky, "summary" elsewhere (see Platforms.mode_of).
    mode: Literal["post", "summary", "thread"] | None = None
    thread: bool | None = None  # the older spelling: true is mode "thread", false "summary"
    max_parts: int = Field(default=4, ge=2, le=25)  # the longest thread

    @model_validator(mode="after")
    def _mode_and_thread_agree(self) -> PlatformOptions:
        if self.mode and self.thread is not None and (self.mode == "thread") != self.thread:
            problem = (
                f"mode = {self.mode!r} and thread = {str(self.thread).lower()} disagree; "
                "keep only `mode`"
            )
            raise KeyProblems(("thread", problem))
        return self


class BlueskyOptions(PlatformOptions):
    handle: LineText | None = None  # the repo of createRecord, checked below

    @field_validator("handle")
    @classmethod
    def _a_domain_or_did(cls, handle: str | None) -> str | None:
        if handle and not re.fullmatch(_BLUESKY, handle.removeprefix("@")):
            raise ValueError(
                f"{shown(handle)} is not a Bluesky handle; write the account's domain, "
                "e.g. @example.org, or its DID, e.g. did:plc:abc123"
            )
        return handle


# A story's posts when [platforms.<name>] sets no mode: X and Bluesky post the headline, link
# and tags (a thread's second part is often a minor detail); the roomier platforms summarize.
DEFAULT_MODES = {"x": "post", "bluesky": "post"}


class Platforms(Section):
    # One numbered roundup thread for the whole digest ("<brand>, <date>: N stories", then one
    # part per story with its headline and link) instead of each story's own posts.
    roundup: bool = False
    x: PlatformOptions = PlatformOptions()
    bluesky: BlueskyOptions = BlueskyOptions()
    mastodon: PlatformOptions = PlatformOptions()
    linkedin: PlatformOptions = PlatformOptions()
    threads: PlatformOptions = PlatformOptions()

    @field_validator("linkedin")
    @classmethod
    def _linkedin_has_no_threads(cls, linkedin: PlatformOptions) -> PlatformOptions:
        if linkedin.thread or linkedin.mode == "thread":
            key = "mode" if linkedin.mode == "thread" else "thread"
            problem = 'LinkedIn posts have no threads; write mode = "post" or "summary"'
            raise KeyProblems((key, problem))
        return linkedin

    @field_validator("x", "bluesky", "linkedin", "threads")
    @classmethod
    def _within_the_platforms_own_cap(
        cls, section: PlatformOptions, info: ValidationInfo
    ) -> PlatformOptions:
        cap = PLATFORM_CAPS[info.field_name or ""]
        if section.limit and section.limit > cap:
            problem = (
                f"limit {section.limit} is more than {info.field_name} accepts ({cap}); "
                "a lower limit is fine"
            )
            raise KeyProblems(("limit", problem))
        return section

    def mode_of(self, name: str) -> str:
        """How platform `name` posts a story: "post", "summary" or "thread"."""
        section: PlatformOptions = getattr(self, name)
        if section.mode:
            return section.mode
        if section.thread is not None:
            return "thread" if section.thread else "summary"
        return DEFAULT_MODES.get(name, "summary")

    def enabled(self) -> tuple[str, ...]:
        """Names of the enabled platforms, in registry order."""
        return tuple(n for n in PLATFORM_NAMES if getattr(self, n).enabled)
