"""The errors digest reports to people: each says what, where, and how to fix it."""

from __future__ import annotations

from pathlib import Path


class DigestError(Exception):
    """Base of every error the CLI turns into one clean line and an exit status."""


class SeedError(DigestError):
    """A seed that cannot be read; names the file, the line (1-based) and the reason."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")


class ConfigError(DigestError):
    """Every problem of a config file at once, each as (dotted key, message)."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]) -> None:
        self.path = Path(path)
        self.problems = problems
        lines = [f"{self.path}: {len(problems)} problem(s)"]
        lines += [f"  {key}: {message}" for key, message in problems]
        super().__init__("\n".join(lines))


class BatchExistsError(DigestError):
    """A batch for this slot is already published."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path}: a batch for this slot is already published; "
            "pass --force to replace it, or pick another --date"
        )


class RenderError(DigestError):
    """A template or compiler failed, or a rendered file broke a rule it must keep."""


class EmailCheckError(RenderError):
    """A built email broke a check; nothing was published. Names each failed check."""

    def __init__(self, where: str, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        named = "; ".join(f"check {name!r} failed: {problem}" for name, problem in failures)
        super().__init__(
            f"{where}: the email is not fit to send, so nothing was published: {named}"
        )


class PublishError(DigestError):
    """Writing a batch failed (disk full, I/O error); nothing was published."""
