"""Digests that decide what a build may reuse: of the program itself, of files (remembered by
their stamps, as git's index does), and of a page's planned values.

A digest is the whole truth about what it covers: two equal digests must mean equal results,
so anything a result depends on goes into its digest, and anything unknown makes none."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import os
import pickle
import stat
from collections.abc import Callable, Collection, Mapping
from functools import cache
from pathlib import Path

Stamp = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns


def text_digest(*parts: str | bytes) -> str:
    """One digest of several parts; their boundaries count ("ab","c" differs from "a","bc")."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@cache
def program_digest() -> str:
    """The code that makes a site: every result cached by one version is void in another,
    including an edited checkout of the same version."""
    package = Path(__file__).resolve().parent
    parts = []
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    return text_digest(*parts)


def stamp_of(info: os.stat_result) -> Stamp:
    # ctime too: a file copied in with its old mtime kept (cp -p, unzip) still counts as new.
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


class FileDigests:
    """Digest of a site file's bytes and of where it really lives (a shortcut leading
    elsewhere is a different file), read again only when its stamp moved. `known`: earlier
    digests by site-relative path, as (stamp, digest); `used` holds this build's. `scanned`:
    stamps just taken by whoever calls (the preview's scan), as ("file", *stamp) for regular
    files; those files are not looked at again."""

    ABSENT = "-"

    def __init__(self, site_dir: Path, known: Mapping[str, tuple[Stamp, str]] | None = None,
                 scanned: Mapping[str, tuple] | None = None):
        self.site_dir = site_dir
        self._prefix = os.path.join(site_dir, "")
        self.known = dict(known or {})
        self.scanned = scanned or {}
        self.used: dict[str, tuple[Stamp, str]] = {}
        self._real_folders: dict[str, str] = {}  # folder -> os.path.realpath of it

    def __call__(self, relative: str) -> str:
        """The digest of the file at `relative`: a site-relative path, or an absolute one (the
        static files and photo variants a build copies are named by where they are)."""
        return self.read(relative)[0]

    def read(self, relative: str) -> tuple[str, bytes | None]:
        """The file's digest, and its bytes if they were read to make it (None if the digest
        was known by the file's stamp): whoever needs the bytes too reads the file once, and
        parses the very bytes its digest names."""
        found = self.used.get(relative)
        if found is not None:
            return found[1], None
        # A string: Path objects cost more than the stat.
        path = relative if os.path.isabs(relative) else self._prefix + relative
        scanned = self.scanned.get(relative)
        if scanned is not None and scanned[0] == "file":
            stamp = scanned[1:]
        else:
            try:
                info = os.stat(path)
            except OSError:
                return self.ABSENT, None
            if not stat.S_ISREG(info.st_mode):
                return self.ABSENT, None
            stamp = stamp_of(info)
        before = self.known.get(relative)
        data = None
        if before is not None and tuple(before[0]) == stamp:
            digest = before[1]
        else:
            try:
                data = _read_bytes(path, stamp[0])
            except OSError:
                return self.ABSENT, None
            digest = text_digest(self._realpath(path), data)
        self.used[relative] = (stamp, digest)
        return digest, data

    def _realpath(self, path: str) -> str:
        """os.path.realpath(path), its folder's looked up once: a cold build digests 10,000
        files in a few folders, and realpath checks every part of every path."""
        folder, _, name = path.rpartition("/")
        if not folder or name in ("", ".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        real = self._real_folders.get(folder)
        if real is None:
            real = self._real_folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)

    def of_folder(self, folder: str) -> str:
        """One digest of every file under a site folder (hidden ones left out, as the build does)."""
        top = self.site_dir / folder
        parts = []
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    relative = Path(root, name).relative_to(self.site_dir).as_posix()
                    parts += [relative, self(relative)]
        return text_digest(*parts)


def _read_bytes(path: str, size: int) -> bytes:
    """The file's bytes, in one read when it still has the `size` its stamp gave: three system
    calls, where open() and read() make seven (an fstat, an isatty, a seek and a second read)."""
    handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(handle, size + 1)
        if len(data) > size:  # it grew since: read to the end
            parts = [data]
            while chunk := os.read(handle, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
        return data
    finally:
        os.close(handle)


class Unsigned(Exception):
    """A value whose content cannot be told from outside: the page is always rendered."""


def signature(parts: tuple[str, ...], context: Mapping, reduce_known: Mapping[type, Callable]) -> str:
    """The digest of a page's inputs: `parts` (the template and what the whole environment
    depends on) and its planned values. The values are serialised with pickle, which records
    every value with its type (so Markup and str, 1 and "1" never look alike); `reduce_known`
    (see `known_reducers`) swaps an already digested value, a post, for its digest, so a page
    listing twenty posts costs twenty look-ups rather than twenty serialisations."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = reduce_known
    # No memo: whether two equal strings are one object or two (a fresh parse or one loaded
    # from the cache) must not change the bytes. Contexts are trees, so nothing loops.
    pickler.fast = True
    try:
        pickler.dump((parts, context))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise Unsigned(str(exc)) from None
    return hashlib.blake2b(buffer.getvalue(), digest_size=20).hexdigest()


def known_reducers(types: tuple[type, ...], digest_of: Mapping[int, str],
                   held: list[set[int]] | None = None) -> dict[type, Callable]:
    """A pickle dispatch table for `signature`: an object of `types` is written as its digest
    when it has one. `held`, if given, is a list of one set: the ids of the `types` objects a
    signature wrote are added to it."""
    table: dict[type, Callable] = _Reducers()
    held = held if held is not None else [set()]

    def reduce_known(value):
        held[-1].add(id(value))
        digest = digest_of.get(id(value))
        return (_Digested, (digest,)) if digest is not None else value.__reduce_ex__(5)

    table.update({kind: reduce_known for kind in types})
    return table


def swap_digested(context: Mapping, digest_of: Mapping[int, str], kinds: tuple[type, ...], held: set[int],
                  names: Collection[str] | None = None) -> dict:
    """`context` (its `names` alone, if given) for `signature`, with each value of `kinds` that
    has a digest, on its own or in a list or tuple, swapped for its digest as bytes; their ids
    are added to `held`, as known_reducers would add them. Known_reducers' reduction names a
    global, which pickle checks by importing its module each time (about 3 µs a value), and an
    article page holds six posts, a listing twenty: signing 14,500 pages takes 30 % less.
    Bytes, as no page's value is bytes where a post can be."""
    swapped = {}
    for name, value in context.items():
        if names is not None and name not in names:
            continue
        kind = type(value)
        if kind in kinds:
            value = _swapped(value, digest_of, held)
        elif (kind is list or kind is tuple) and value and type(value[0]) in kinds:
            value = kind([_swapped(item, digest_of, held) if type(item) in kinds else item for item in value])
        swapped[name] = value
    return swapped


def _swapped(value, digest_of: Mapping[int, str], held: set[int]):
    digest = digest_of.get(id(value))
    if digest is None:
        return value  # serialised whole by known_reducers
    held.add(id(value))
    return digest.encode("ascii")


class _Digested(str):
    """Stands for a digested value inside a signature; never unpickled."""


class _Reducers(dict):
    """A dispatch table that also writes any dataclass as its class and its fields' values
    in order (see _fields_reducer), found the first time a type is met. Pickle's own way, a
    state dict naming every field, costs three times as much; a page of a person who spoke
    at 2,000 meetings holds 2,000 appearances, each a post and a speaker."""

    def __missing__(self, kind: type) -> Callable:
        fields = getattr(kind, "__dataclass_fields__", None)
        if issubclass(kind, tuple) and hasattr(kind, "_fields"):  # a named tuple: a pager's links
            reducer = _named_tuple_reducer(kind)
        elif fields is None or "__slots__" in kind.__dict__:
            reducer = _pickles_own_way
        else:
            reducer = _fields_reducer(kind, tuple(field.name for field in dataclasses.fields(kind)))
        self[kind] = reducer
        return reducer


def _pickles_own_way(value):
    return value.__reduce_ex__(5)


def _named_tuple_reducer(kind: type) -> Callable:
    def reduce_named_tuple(value):
        # Pickle's own way calls __getnewargs__ and copyreg in Python for each one.
        return (kind, tuple(value)) if not hasattr(value, "__dict__") else value.__reduce_ex__(5)

    return reduce_named_tuple


def _fields_reducer(kind: type, names: tuple[str, ...]) -> Callable:
    if len(names) > 1:
        values = operator.attrgetter(*names)
    else:  # attrgetter gives a lone value for one name, and takes no empty list
        def values(value):
            return tuple(getattr(value, name) for name in names)

    def reduce_fields(value):
        # Every attribute is a field (nothing set beside them): then the fields are the whole value.
        if len(value.__dict__) != len(names):
            return value.__reduce_ex__(5)
        return (kind, values(value))

    return reduce_fields
