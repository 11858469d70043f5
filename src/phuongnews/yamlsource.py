"""YAML that remembers where each key stood, refuses what a clerk did not mean, and never
runs code.

PyYAML's composer gives nodes with positions; we build plain Python values from them
ourselves so that every value keeps its line, duplicate keys are errors (not last-one-wins),
tags and aliases are refused (no object construction, no billion-laughs expansion), and
dates stay text for our own stricter parser.
"""

from __future__ import annotations

import re
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
    plain = _PlainReader(first_line - 1).read(text)
    return plain if plain is not None else _composed(text, source, errors, first_line)


def _composed(text: str, source: str, errors: ErrorList, first_line: int) -> YamlDoc | None:
    """parse_yaml through PyYAML's composer: any YAML, every error."""
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
        return _scalar_value(node.tag, node.value)

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


# Dates are parsed by our own rules, not YAML 1.1's: kept as text.
_TEXT_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})


def _scalar_value(tag: str, text: str) -> object:
    """The value of a scalar whose tag is one of _SCALAR_TAGS."""
    return text if tag in _TEXT_TAGS else _constructed(tag, text)


@lru_cache(maxsize=4096)
def _constructed(tag: str, text: str) -> object:
    # Numbers, booleans and nulls: immutable, and the same few recur from post to post.
    try:
        return _constructor.construct_object(yaml.ScalarNode(tag, text), deep=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        return text


# What _PlainReader takes line by line. A key: letters, digits, "_" and "-" (a key is never
# resolved, so "yes" or "2023" stay text, as _Builder keeps them).
_PLAIN_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_-]*):(?: (\S.*))?")
# A plain scalar's first character may not be one of YAML's indicators; after it, ": " and
# " #" would start a mapping or a comment, and a final ":" a mapping.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A flow list of plain items, each without anything that means something there.
_FLOW_LIST = re.compile(r"\[([^\[\]{}#'\":?]*)\]")
_DOUBLE_QUOTED = re.compile(r'"[^"\\]*"')
_SINGLE_QUOTED = re.compile(r"'[^']*'")
# The first characters YAML 1.1's implicit resolvers look at (all of them, if one looks at any).
_RESOLVED_FIRST = (frozenset(map(chr, range(0x110000))) if None in _Loader.yaml_implicit_resolvers
                   else frozenset(_Loader.yaml_implicit_resolvers))
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_LIMIT = 100_000  # characters; a larger document goes to PyYAML, which counts its nodes


class _Unsure(Exception):
    """The text is not of the kind _PlainReader takes: PyYAML reads it."""


class _PlainReader:
    """The YAML a clerk writes in a front matter, read line by line: block mappings with
    simple keys, block lists, plain or simply quoted one-line scalars, flow lists of plain
    items. It makes the very YamlDoc that PyYAML's composer and _Builder make (every scalar
    tagged by the same resolver) in half the instructions: even libyaml's composer calls back
    into Python for every node, and _Builder walks the nodes again. Anything else (comments
    after a value, anchors, tags, block scalars, a value over several lines, a duplicate key,
    any doubt) gives None, and PyYAML reads the text and reports what is wrong."""

    def __init__(self, offset: int):
        self.offset = offset
        self.lines: dict = {}
        self.raw: dict = {}
        self.rows: list[tuple[int, int, str]] = []  # (line in the file, indent, text after the indent)
        self.at = 0

    def read(self, text: str) -> YamlDoc | None:
        if len(text) > _PLAIN_LIMIT or "\t" in text or "\r" in text:
            return None
        for number, line in enumerate(text.split("\n"), self.offset + 1):
            content = line.lstrip(" ")
            # Python's printable characters are a subset of YAML's; its line breaks besides
            # \n (\x85, \u2028, \u2029) are not printable.
            if not line.isprintable():
                return None
            if content and content[0] != "#":
                if line[-1] == " ":
                    return None
                self.rows.append((number, len(line) - len(content), content))
        if not self.rows or self.rows[0][1] != 0:
            return None
        try:
            self.lines[()] = self.rows[0][0]
            data = self._mapping(0, ())
            if self.at != len(self.rows):
                raise _Unsure
        except _Unsure:
            return None
        return YamlDoc(data, self.lines, self.raw)

    def _mapping(self, indent: int, path: Path) -> dict:
        result: dict = {}
        rows = self.rows
        while self.at < len(rows):
            number, column, content = rows[self.at]
            if column < indent:
                break
            found = _PLAIN_KEY.fullmatch(content) if column == indent else None
            if found is None:
                raise _Unsure
            key, rest = found.groups()
            if key in result or len(path) >= _MAX_DEPTH:
                raise _Unsure
            inner = path + (key,)
            self.lines[inner] = number
            self.at += 1
            if rest is not None:
                result[key] = self._inline(rest, number, inner)
            elif self.at < len(rows) and (rows[self.at][1] > indent
                                          or (rows[self.at][1] == indent and rows[self.at][2][:2] == "- ")):
                result[key] = self._block(rows[self.at][1], inner)
            else:  # "key:" and nothing under it
                result[key] = self._scalar("", True, inner)
        return result

    def _block(self, indent: int, path: Path) -> object:
        if self.rows[self.at][2][:2] == "- ":
            return self._list(indent, path)
        return self._mapping(indent, path)

    def _list(self, indent: int, path: Path) -> list:
        items: list = []
        rows = self.rows
        while self.at < len(rows):
            number, column, content = rows[self.at]
            if column < indent or (column == indent and content[:2] != "- "):
                break  # the end of the list; what comes next is for the mapping around it to judge
            if column > indent or content[2:3] in ("", " ") or len(path) >= _MAX_DEPTH:
                raise _Unsure
            inner = path + (len(items),)
            self.lines.setdefault(inner, number)
            item = content[2:]
            if _PLAIN_KEY.fullmatch(item):  # "- name: …": a mapping, its keys two columns in
                rows[self.at] = (number, indent + 2, item)
                items.append(self._mapping(indent + 2, inner))
            else:
                self.at += 1
                items.append(self._inline(item, number, inner))
        return items

    def _inline(self, text: str, number: int, path: Path) -> object:
        """A value written on its key's or its dash's line."""
        if text[0] == "[":
            found = _FLOW_LIST.fullmatch(text)
            if found is None:
                raise _Unsure
            inside = found.group(1)
            if not inside.strip(" "):
                return []
            items = []
            for index, item in enumerate(inside.split(",")):
                item = item.strip(" ")
                if not item or item[0] in _INDICATORS or len(path) >= _MAX_DEPTH:
                    raise _Unsure
                self.lines.setdefault(path + (index,), number)
                items.append(self._scalar(item, True, path + (index,)))
            return items
        if text[0] == '"' or text[0] == "'":
            if not (_DOUBLE_QUOTED if text[0] == '"' else _SINGLE_QUOTED).fullmatch(text):
                raise _Unsure
            return self._scalar(text[1:-1], False, path)
        if text[0] in _INDICATORS or ": " in text or " #" in text or text[-1] == ":":
            raise _Unsure
        return self._scalar(text, True, path)

    def _scalar(self, text: str, plain: bool, path: Path) -> object:
        # Tagged as libyaml's composer tags it, implicit (plain, quoted): a quoted scalar, or
        # plain text that no implicit resolver looks at (by its first character), is a string.
        if plain and (not text or text[0] in _RESOLVED_FIRST):
            tag = _Loader.resolve(yaml.ScalarNode, text, (True, False))
        else:
            tag = _STR_TAG
        if tag not in _SCALAR_TAGS:  # "=", "<<": PyYAML's way reports them
            raise _Unsure
        self.raw[path] = text
        return _scalar_value(tag, text)
