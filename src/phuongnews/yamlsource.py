"""YAML that remembers where each key stood, refuses what a clerk did not mean, and never
runs code.

PyYAML's composer gives nodes with positions; we build plain Python values from them
ourselves so that every value keeps its line, duplicate keys are errors (not last-one-wins),
tags and aliases are refused (no object construction, no billion-laughs expansion), and
dates stay text for our own stricter parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from phuongnews.errors import ErrorList

try:  # libyaml is several times faster where the wheel ships it
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the platform's wheel
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):
    # Even libyaml's composer asks Python for every node's tag: a loop over regexes, 45 times
    # a post. A tag depends on the node's kind, text and style alone (SafeLoader has no path
    # resolvers), and keys and names recur from post to post: remembered, the front matter
    # of a seed-like post parses in 139 µs instead of 167.
    resolve = staticmethod(lru_cache(maxsize=4096)(yaml.resolver.Resolver().resolve))

Path = tuple  # a key path into the document: ("speakers", 0, "name")

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MAX_NODES = 20_000  # far beyond any real front-matter; stops pathological input early
_MAX_DEPTH = 50  # real front-matter nests 4 deep; deeper would exhaust Python's stack
_constructor = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class YamlDoc:
    """Plain values plus, for every key path, its line (1-based, in the whole file) and,
    for scalars, the text exactly as written."""

    data: object
    lines: dict
    raw: dict

    def line(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def parse_yaml(text: str, source: str, errors: ErrorList, first_line: int = 1) -> YamlDoc | None:
    """Parse one YAML document; on failure add errors and return None."""
    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + mark.line + 1 if mark else first_line
        problem = (exc.problem or exc.context or "").strip()
        if "maximum nesting depth" in problem:  # PyYAML 6.0.3 and later stop there themselves
            errors.add(source, first_line, "yaml.too_deep")
        elif "\t" in text and ("tab" in problem.lower() or _tab_at(text, exc.problem_mark)):
            errors.add(source, line, "yaml.tab")
        elif "quoted scalar" in (exc.context or "") and "end of stream" in problem and exc.context_mark:
            # The stream ends at the closing ---: the line to fix is where the quote opened.
            errors.add(source, offset + exc.context_mark.line + 1, "yaml.unclosed_quote")
        else:
            errors.add(source, line, "yaml.syntax", problem=problem)
        return None
    except yaml.YAMLError as exc:
        errors.add(source, first_line, "yaml.syntax", problem=str(exc).strip())
        return None
    except RecursionError:
        errors.add(source, first_line, "yaml.too_deep")
        return None
    if node is None:
        return YamlDoc(None, {(): first_line}, {})
    builder = _Builder(source, errors, offset)
    before = len(errors)
    try:
        data = builder.build(node, ())
    except _TooLarge:
        errors.add(source, first_line, "yaml.too_large")
        return None
    except _TooDeep:
        errors.add(source, first_line, "yaml.too_deep")
        return None
    except _AliasUsed:  # reported once, where it is used; whatever else follows would mislead
        return None
    if data is None and len(errors) > before:  # the whole document was refused (a tag on it)
        return None
    return YamlDoc(data, builder.lines, builder.raw)


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    pass


class _AliasUsed(Exception):
    pass


def _tab_at(text: str, mark) -> bool:
    """Whether the line a YAML error points at is indented with a Tab (libyaml does not
    always say so: "found character that cannot start any token")."""
    if mark is None:
        return False
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    return "\t" in line[: len(line) - len(line.lstrip(" \t"))]


def _short_tag(tag: str) -> str:
    """Show a tag as the clerk wrote it: !!python/object, not tag:yaml.org,2002:python/object."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    def __init__(self, source: str, errors: ErrorList, offset: int):
        self.source, self.errors, self.offset = source, errors, offset
        self.lines: dict = {}
        self.raw: dict = {}
        self.seen_nodes: set[int] = set()
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> object:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLarge
        if len(path) > _MAX_DEPTH:
            raise _TooDeep
        line = self.offset + node.start_mark.line + 1
        if id(node) in self.seen_nodes:
            # The same node twice means an alias (*name): refuse rather than expand, and stop
            # at the first one, so a billion-laughs file gives one line, not thousands.
            # An alias node carries its anchor's position; the key (or, in a list, the list)
            # that uses it is where the clerk looks.
            self.errors.add(self.source, self.lines.get(path, self.lines.get(path[:-1], line)), "yaml.alias")
            raise _AliasUsed
        self.lines.setdefault(path, line)
        self.seen_nodes.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path, line)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.errors.add(self.source, line, "yaml.tag", tag=_short_tag(node.tag))
                return None
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag != _MAP_TAG:
            self.errors.add(self.source, line, "yaml.tag", tag=_short_tag(node.tag))
            return None
        return self._mapping(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: Path, line: int) -> object:
        self.raw[path] = node.value
        if node.tag not in _SCALAR_TAGS:
            # Reported once here; keeping the text stops a second, misleading "missing" error.
            self.errors.add(self.source, line, "yaml.tag", tag=_short_tag(node.tag))
            return node.value
        if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            return node.value  # dates are parsed by our own rules, not YAML 1.1's
        try:
            return _constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key_line = self.offset + key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.errors.add(self.source, key_line, "yaml.complex_key")
                continue
            key = key_node.value
            if key in result:
                self.errors.add(
                    self.source, key_line, "yaml.duplicate_key", key=key, first=self.lines[path + (key,)]
                )
                continue
            self.lines[path + (key,)] = key_line
            result[key] = self.build(value_node, path + (key,))
        return result
