"""Errors as values: every mistake in a clerk's files becomes a SourceError with a position.

Errors carry a message code and parameters rather than text, so the same error prints in
Vietnamese or English at the edge (cli) and tests can assert either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from phuongnews.messages import message_text


@dataclass(frozen=True)
class SourceError:
    path: str  # as the clerk knows it: relative to the site folder, forward slashes
    line: int | None
    code: str
    params: dict[str, object] = field(default_factory=dict, compare=False)

    def format(self, lang: str = "vi") -> str:
        message, hint = message_text(self.code, lang, self.params)
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {message}"
        if hint:
            text += "\n    " + message_text("hint.prefix", lang, {})[0] + " " + hint
        return text

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.code)


class BuildFailed(Exception):
    """Raised with every collected error once a stage cannot go on; the cli prints them."""

    def __init__(self, errors: list[SourceError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(errors, key=SourceError.sort_key)

    def __reduce__(self):  # raised in a worker process, it travels to the build pickled
        return type(self), (self.errors,)


class ErrorList(list):
    """A list of SourceError with a shorthand to add one."""

    def add(self, path: str, line: int | None, code: str, **params: object) -> None:
        self.append(SourceError(path, line, code, params))

    def extend_new(self, errors: Iterable[SourceError], seen: set[tuple]) -> None:
        """Add those of `errors` not in `seen` (what was added before), noting them there: the
        errors of pages rendered by several workers, a fault many pages hit reported once."""
        for error in errors:
            key = (error.path, error.line, error.code, repr(error.params))
            if key not in seen:
                seen.add(key)
                self.append(error)
