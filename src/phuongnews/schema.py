"""Typed reading of parsed YAML: one place that turns values into text, numbers, flags and
lists, reporting wrong types, unknown keys and missing fields with their lines."""

from __future__ import annotations

import difflib

from phuongnews.errors import ErrorList
from phuongnews.vietnamese import clean_text
from phuongnews.yamlsource import YamlDoc


class Reader:
    def __init__(self, doc: YamlDoc, source: str, errors: ErrorList):
        self.doc, self.source, self.errors = doc, source, errors

    def get(self, path: tuple) -> object:
        value = self.doc.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        return value

    def has(self, path: tuple) -> bool:
        parent, last = self.get(path[:-1]), path[-1]
        if isinstance(parent, list):
            return isinstance(last, int) and last < len(parent)
        return isinstance(parent, dict) and last in parent

    def line(self, path: tuple) -> int:
        return self.doc.line(path)

    def error(self, path: tuple, code: str, **params: object) -> None:
        self.errors.add(self.source, self.line(path), code, **params)

    def mapping(self, path: tuple, allowed: tuple[str, ...], what: str) -> dict | None:
        """The mapping at `path` with unknown keys reported; None (and an error) if not a mapping."""
        value = self.get(path)
        if not isinstance(value, dict):
            self.error(path, "type.mapping", what=what)
            return None
        for key in value:
            if key not in allowed:
                guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                if guess:
                    self.error(path + (key,), "key.unknown_guess", key=key, guess=guess[0], what=what)
                else:
                    self.error(path + (key,), "key.unknown", key=key, what=what, allowed=", ".join(allowed))
        return value

    def text(self, path: tuple, required: bool = False, one_line: bool = True) -> str | None:
        value = self.get(path)  # None also wherever has(path) is false: one walk, not three
        if value is None:
            if required:
                self.error(path, "field.required", key=_name(path))
            return None
        if isinstance(value, (dict, list)):
            self.error(path, "type.text", key=_name(path))
            return None
        # A clerk's `author: No` or `title: 2023` means the text, not YAML 1.1's False or 2023.
        text = value if isinstance(value, str) else self.doc.raw.get(path, str(value))
        text = clean_text(text) if one_line else text.strip()
        if required and not text:
            self.error(path, "field.empty", key=_name(path))
            return None
        return text or None

    def integer(self, path: tuple, default: int | None, low: int, high: int) -> int | None:
        value = self.get(path)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "type.integer", key=_name(path))
            return default
        if not low <= value <= high:
            self.error(path, "range.integer", key=_name(path), low=low, high=high, value=value)
            return default
        return value

    def boolean(self, path: tuple, default: bool) -> bool:
        value = self.get(path)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, "type.boolean", key=_name(path))
            return default
        return value

    def items(self, path: tuple, what: str, allow_single: bool = False) -> list[tuple]:
        """The paths of a list's items. A single scalar is accepted as a one-item list where
        clerks naturally write one (`units: mttq`)."""
        value = self.get(path)
        if value is None:
            return []
        if isinstance(value, list):
            return [path + (i,) for i in range(len(value))]
        if allow_single and not isinstance(value, dict):
            return [path]
        self.error(path, "type.list", key=_name(path), what=what)
        return []


def _name(path: tuple) -> str:
    """A key path as a clerk would write it: speakers[2].name (items counted from 1)."""
    name = ""
    for part in path:
        name += f"[{part + 1}]" if isinstance(part, int) else ("." if name else "") + part
    return name
