"""The build cache: what earlier builds of a site learnt, kept in
`<site>/.phuongnews-cache/build/cache.sqlite` so that CI can keep the folder between runs.

Its tables are each keyed so that a stale entry can never be mistaken for a fresh one:
- `parses`: a post's or page's parse (model and warnings) by the digest of everything parsing
  depends on, with the site files it consulted (photos, a cover) and their digests then; a
  post's body and derived values in a column apart (`heavy`, models.LightArticle), which a
  build that renders a few pages reads for those pages' posts alone;
- `files`: the digest of each site file by its stamp, so unchanged files are not read again;
- `outputs`: for the output folder last written, each file's page signature and its stamp on
  disk then, so an unchanged page is neither rendered nor written again;
- `builds`: per output folder, the last build (LastBuild), to answer a build with no change;
- `holdings`: per output folder, which pages hold which posts (holdings.py), so that after an
  edit of posts' bodies only their pages are signed again;
- `sources`: per output folder, what the last build was made from (LastInputs: the digest of
  every site file, the fixed pages), so that the next one can tell which files changed;
- `folders`: per output folder, the date of each of its folders once written (incremental.as_left);
- `patches`: what quick builds (quickedit.py) changed in `files`, `outputs`, `folders`,
  `holdings` and `sources` since the last full build, entry by entry, so that a quick build
  writes kilobytes rather than every value again; read over the values they patch;
- `readers` and `body_reads`: per output folder, the pages that read posts' bodies, with their
  planned values (pagevalues.py), and whose bodies each read (quickedit.py).
`files` and `outputs` are read and written whole by every build: each is kept as one pickled
value (per output folder), which loads in milliseconds where ten thousand rows take a second.

The cache only ever saves work: a missing, foreign or damaged cache file means a full build.
SQLite gives atomic commits, so a build killed while saving leaves the previous cache whole.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import pickle
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from phuongnews import models
from phuongnews.errors import BuildFailed, SourceError
from phuongnews.fingerprint import Stamp, program_digest
from phuongnews.holdings import Holdings

FOLDER = Path(".phuongnews-cache") / "build"
TEMPLATES_FOLDER = Path(".phuongnews-cache") / "templates"  # Jinja's compiled templates (render.make_environment)
_SCHEMA = 5
# A cached post takes about 11 KB: on SQLite's usual 4 KB pages, three pages and a system
# call (and later a read) for each, and the WAL writes every page twice. 10,000 such rows on
# 64 KB pages: written with half the CPU (0.42 → 0.22 s), read back in two thirds of the
# time (0.14 → 0.10 s), for 6 % more on disk.
PAGE_SIZE = 65536
MAX_PATCHES = 5_000  # read by every build: past this many, the next build is a full one and writes all whole
FIXED_PARTS = 4  # build.source_parts: the program, the options, site.yaml and its digest, then path, digest …


@dataclass(frozen=True)
class OutputRecord:
    signature: str | None  # None: a file copied as it is (static/, photo variants)
    stamp: Stamp  # the output file's stamp once written
    source: str = ""  # for a copied file: its source's digest


@dataclass(frozen=True)
class LastBuild:
    """The last successful build into an output folder, to answer the next one that would
    make exactly the same site without making it again."""

    state: str  # the digest of build.source_parts: the sources and options it was made from
    moment: datetime  # the moment scheduled posts were judged at
    next_change: datetime | None  # from then on, the same sources make another site
    result: object  # its BuildResult, less the loaded site


@dataclass(frozen=True)
class LastInputs:
    """What the last build into an output folder was made from, for quickedit.py."""

    parts: tuple[str, ...]  # build.source_parts: the program, the options, then every site file and its digest
    pages: tuple  # the fixed pages (models.Page) it showed


@dataclass(frozen=True)
class Readings:
    """What a build learnt of which pages read which posts' bodies (quickedit.py)."""

    rendered: Iterable[str]  # output paths of the pages rendered: what they read before is void
    gone: Iterable[str]  # output paths of the files removed
    # Of those rendered that read a body: the sources read, and the page's planned output
    # frozen (pagevalues.freeze) by whoever rendered it: a render worker, in parallel, and
    # 50,000 of them are not held twice in memory.
    pages: Mapping[str, tuple[tuple[str, ...], bytes]]


class BuildCache:
    def __init__(self, site_dir: Path):
        self.folder = site_dir / FOLDER
        self.db: sqlite3.Connection | None = None
        self._reader: _HeavyReader | None = None
        self.templates_folder: Path | None = None  # None: templates are compiled every build
        with contextlib.suppress(OSError, sqlite3.Error):
            self.folder.mkdir(parents=True, exist_ok=True)
            self.db = self._open()
        with contextlib.suppress(OSError):
            (site_dir / TEMPLATES_FOLDER).mkdir(parents=True, exist_ok=True)
            self.templates_folder = site_dir / TEMPLATES_FOLDER

    def _open(self) -> sqlite3.Connection:
        path = self.folder / "cache.sqlite"
        try:
            return self._connect(path)
        except sqlite3.DatabaseError:  # damaged, or written by another version: start afresh
            for leftover in self.folder.glob("cache.sqlite*"):
                leftover.unlink(missing_ok=True)
            return self._connect(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        if db.execute("PRAGMA page_size").fetchone()[0] != PAGE_SIZE:
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                db.close()  # made with other pages: made afresh (_open), as a page size stays a file's
                raise sqlite3.DatabaseError("the cache has another page size")
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL, which fixes it
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        program = program_digest()
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='program'").fetchone()
        if version != _SCHEMA or row is None or row[0] != program:
            # Another schema or another program: nothing in it can be trusted.
            db.executescript("DROP TABLE IF EXISTS parses; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS outputs; DROP TABLE IF EXISTS builds; DROP TABLE IF EXISTS holdings; "
                             "DROP TABLE IF EXISTS sources; DROP TABLE IF EXISTS readers; DROP TABLE IF EXISTS body_reads; "
                             "DROP TABLE IF EXISTS folders; DROP TABLE IF EXISTS patches;")
        db.executescript("""
            CREATE TABLE IF NOT EXISTS parses (key TEXT PRIMARY KEY, deps BLOB, value BLOB, heavy BLOB);
            CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY CHECK (id = 1), value BLOB);
            CREATE TABLE IF NOT EXISTS builds (folder TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS outputs (folder TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS holdings (folder TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS sources (folder TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS folders (folder TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS patches (kind TEXT, folder TEXT, key TEXT, value BLOB, PRIMARY KEY (kind, folder, key));
            CREATE TABLE IF NOT EXISTS readers (folder TEXT, path TEXT, value BLOB, PRIMARY KEY (folder, path));
            CREATE TABLE IF NOT EXISTS body_reads (folder TEXT, source TEXT, path TEXT, PRIMARY KEY (folder, source, path));
        """)
        db.execute(f"PRAGMA user_version={_SCHEMA}")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('program', ?)", (program,))
        return db

    # --- reading -------------------------------------------------------------------------------

    def file_digests(self) -> dict[str, tuple[Stamp, str]]:
        if self.db is None:
            return {}
        return {**(self._value("SELECT value FROM files", ()) or {}), **self._patches("files", "")}

    def parses(self, keys: Iterable[str], light: bool = False) -> dict[str, tuple[dict[str, str], object]]:
        """key -> (deps: site path -> digest, value) for the keys that are cached. `light`: each
        post's body and derived values are read from the cache when first asked for (by this
        process or a forked one), not now; for a build, which is done with them before the
        cache can change (see _HeavyReader)."""
        if self.db is None:
            return {}
        found = {}
        keys = list(keys)
        heavy_column = "NULL" if light else "heavy"
        if len(keys) >= SCAN_FROM:
            # Most of the table (it holds one site's worth): reading it through is four times
            # quicker than looking up each key (0.03 s against 0.13 s at 10,000 posts).
            wanted = set(keys)
            rows = (row for row in self.db.execute(f"SELECT key, deps, value, {heavy_column} FROM parses") if row[0] in wanted)
        else:
            chunks = (keys[start:start + 900] for start in range(0, len(keys), 900))  # SQLite's limit on parameters
            rows = (row for chunk in chunks for row in self.db.execute(
                f"SELECT key, deps, value, {heavy_column} FROM parses WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        reader = self._heavy_reader() if light else None
        for key, deps, value, heavy in rows:
            with contextlib.suppress(Exception):  # an entry that does not load is a miss
                result = pickle.loads(value)
                if type(result[0]) is models.Article:  # kept light (parse_parts)
                    if heavy is None and reader is None:
                        continue  # its heavy part is missing: a miss
                    models.give_heavy(result[0], heavy if heavy is not None else (reader, key))
                found[key] = ({} if deps == _NO_DEPS else pickle.loads(deps), result)
        return found

    def _heavy_reader(self) -> _HeavyReader:
        if self._reader is None:
            self._reader = _HeavyReader(self.folder / "cache.sqlite")
        return self._reader

    def parses_held(self, keys: list[str]) -> set[str]:
        """Those of `keys` the parses table holds."""
        if self.db is None:
            return set()
        found = set()
        with contextlib.suppress(sqlite3.Error):
            for start in range(0, len(keys), 900):
                chunk = keys[start:start + 900]
                marks = ",".join("?" * len(chunk))
                found.update(key for (key,) in self.db.execute(f"SELECT key FROM parses WHERE key IN ({marks})", chunk))
        return found

    def parse_writer(self):
        """A function that keeps parses, (key, pickled deps, light and heavy part: parse_parts) each, in the parses
        table from another process (a forked parse worker), on a connection of its own: a
        connection must not cross a fork. Parses are keyed by everything they depend on, so one
        kept by a build that then fails is still true. None without a cache."""
        if self.db is None:
            return None
        path = self.folder / "cache.sqlite"

        def keep(rows: list[tuple[str, bytes, bytes, bytes | None]]) -> None:
            with contextlib.suppress(sqlite3.Error):  # not kept: the build saves them itself (parses_held)
                db = sqlite3.connect(path, timeout=60, isolation_level=None)
                try:
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany("INSERT OR REPLACE INTO parses VALUES (?, ?, ?, ?)", rows)
                    db.execute("COMMIT")
                finally:
                    db.close()

        return keep

    def outputs(self, out_dir: Path) -> dict[str, OutputRecord]:
        if self.db is None:
            return {}
        records = self._value("SELECT value FROM outputs WHERE folder=?", (_folder(out_dir),)) or {}
        return {**records, **self._patches("outputs", _folder(out_dir))} if records else {}

    def folders(self, out_dir: Path) -> dict[str, int] | None:
        if self.db is None:
            return None
        folders = self._value("SELECT value FROM folders WHERE folder=?", (_folder(out_dir),))
        return {**folders, **self._patches("folders", _folder(out_dir))} if folders is not None else None

    def holdings(self, out_dir: Path) -> Holdings | None:
        if self.db is None:
            return None
        holdings = self._value("SELECT value FROM holdings WHERE folder=?", (_folder(out_dir),))
        digests, keys = self._patches("digests", _folder(out_dir)), self._patches("keys", _folder(out_dir))
        if holdings is None or not (digests or keys):
            return holdings
        return dataclasses.replace(holdings, digests={**holdings.digests, **digests}, keys={**holdings.keys, **keys})

    def inputs(self, out_dir: Path) -> LastInputs | None:
        if self.db is None:
            return None
        inputs = self._value("SELECT value FROM sources WHERE folder=?", (_folder(out_dir),))
        moved = self._patches("parts", _folder(out_dir))
        if inputs is None or not moved:
            return inputs
        parts = list(inputs.parts)
        for at in range(FIXED_PARTS, len(parts), 2):
            parts[at + 1] = moved.get(parts[at], parts[at + 1])
        return dataclasses.replace(inputs, parts=tuple(parts))

    def _patches(self, kind: str, folder: str) -> dict:
        try:
            return {key: pickle.loads(value) for key, value in
                    self.db.execute("SELECT key, value FROM patches WHERE kind=? AND folder=?", (kind, folder))}
        except Exception:  # noqa: BLE001 -- a patch that does not load: the value it patches is void
            return {}

    def readers(self, out_dir: Path, sources: Iterable[str]) -> dict[str, bytes]:
        """Output path -> frozen values (pagevalues.py) of every page that read the body of a
        post in `sources` when it was last rendered."""
        if self.db is None:
            return {}
        sources = list(sources)
        marks = ",".join("?" * len(sources))
        found = {}
        for path, value in self.db.execute(
                f"SELECT DISTINCT r.path, r.value FROM body_reads b JOIN readers r ON r.folder = b.folder AND r.path = b.path "
                f"WHERE b.folder=? AND b.source IN ({marks})", (_folder(out_dir), *sources)):
            found[path] = value
        return found

    def last_build(self, out_dir: Path) -> LastBuild | None:
        if self.db is None:
            return None
        return self._value("SELECT value FROM builds WHERE folder=?", (_folder(out_dir),))

    def _value(self, query: str, parameters: tuple):
        try:
            row = self.db.execute(query, parameters).fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception:  # noqa: BLE001 -- an entry that does not load is no entry
            return None

    # --- writing -------------------------------------------------------------------------------

    def save(self, parses_used: Iterable[str], new_parses: Mapping[str, tuple[dict, object]],
             files: Mapping[str, tuple[Stamp, str]], out_dir: Path,
             outputs: Mapping[str, OutputRecord], last: LastBuild, holdings: Holdings | None = None,
             inputs: LastInputs | None = None, readings: Readings | None = None,
             folders: Mapping[str, int] | None = None) -> None:
        """Keep this build's entries and drop the rest, so the cache holds one site's worth.
        `readings`: the pages rendered and what they read, for quickedit.py; the pages not
        rendered keep what the cache recorded of them."""
        if self.db is None:
            return
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            self._save_parses(new_parses)
            db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
            db.execute("DELETE FROM used")
            db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((key,) for key in parses_used))
            db.execute("DELETE FROM parses WHERE key NOT IN (SELECT key FROM used)")
            db.execute("INSERT OR REPLACE INTO files VALUES (1, ?)", (pickle.dumps(dict(files), 5),))
            folder = _folder(out_dir)
            db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?)", (folder, pickle.dumps(dict(outputs), 5)))
            db.execute("DELETE FROM folders WHERE folder=?", (folder,))
            if folders is not None:
                db.execute("INSERT INTO folders VALUES (?, ?)", (folder, pickle.dumps(dict(folders), 5)))
            db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (folder, pickle.dumps(last, 5)))
            db.execute("DELETE FROM holdings WHERE folder=?", (folder,))
            if holdings is not None:
                db.execute("INSERT INTO holdings VALUES (?, ?)", (folder, pickle.dumps(holdings, 5)))
            db.execute("DELETE FROM sources WHERE folder=?", (folder,))
            # quickedit.py trusts the readings only beside the sources of the same build.
            if inputs is not None and readings is not None:
                db.execute("INSERT INTO sources VALUES (?, ?)", (folder, pickle.dumps(inputs, 5)))
            self._save_readings(folder, readings)
            db.execute("DELETE FROM patches WHERE folder=? OR kind='files'", (folder,))  # all written whole above
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")

    def save_edits(self, out_dir: Path, new_parses: Mapping[str, tuple[dict, object]], dropped_parses: Iterable[str],
                   last: LastBuild, readings: Readings, changed: Mapping[str, Mapping[str, object]]) -> None:
        """What a quick build (quickedit.py) changed: its parses, its last-build record and
        readings, and `changed`: kind ("files", "outputs", "folders", "digests" and "keys"
        of the holdings, "parts" of the inputs: path -> digest) -> key -> new value, kept as
        patches. Past MAX_PATCHES of them, they go back to a full build's care: the next
        build is a full one."""
        if self.db is None:
            return
        db, folder = self.db, _folder(out_dir)
        try:
            db.execute("BEGIN IMMEDIATE")
            self._save_parses(new_parses)
            db.executemany("DELETE FROM parses WHERE key=?", ((key,) for key in dropped_parses if key not in new_parses))
            db.executemany("INSERT OR REPLACE INTO patches VALUES (?, ?, ?, ?)",
                           ((kind, "" if kind == "files" else folder, key, pickle.dumps(value, 5))
                            for kind, values in changed.items() for key, value in values.items()))
            if db.execute("SELECT count(*) FROM patches WHERE folder=?", (folder,)).fetchone()[0] > MAX_PATCHES:
                db.execute("DELETE FROM sources WHERE folder=?", (folder,))  # no quick build: a full one saves all anew
            db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)", (folder, pickle.dumps(last, 5)))
            self._save_readings(folder, readings)
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")

    def _save_parses(self, new_parses: Mapping[str, tuple[dict, object]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO parses VALUES (?, ?, ?, ?)",
                            ((key, pickle.dumps(deps, 5), *parse_parts(value)) for key, (deps, value) in new_parses.items()))

    def _save_readings(self, folder: str, readings: Readings | None) -> None:
        db = self.db
        if readings is None:  # nothing known of what pages read: none may be taken as reading nothing
            db.execute("DELETE FROM readers WHERE folder=?", (folder,))
            db.execute("DELETE FROM body_reads WHERE folder=?", (folder,))
            return
        # What the pages rendered or removed read before is void; the others' stands.
        if db.execute("SELECT 1 FROM readers WHERE folder=? LIMIT 1", (folder,)).fetchone() is not None:
            self._drop_readings(folder, (*readings.rendered, *readings.gone))
        db.executemany("INSERT INTO readers VALUES (?, ?, ?)",
                       ((folder, path, frozen) for path, (_, frozen) in readings.pages.items()))
        db.executemany("INSERT INTO body_reads VALUES (?, ?, ?)",
                       ((folder, source, path) for path, (sources, _) in readings.pages.items() for source in sources))

    def _drop_readings(self, folder: str, paths: Iterable[str]) -> None:
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS void (path TEXT PRIMARY KEY)")
        db.execute("DELETE FROM void")
        db.executemany("INSERT OR IGNORE INTO void VALUES (?)", ((path,) for path in paths))
        db.execute("DELETE FROM readers WHERE folder=? AND path IN (SELECT path FROM void)", (folder,))
        db.execute("DELETE FROM body_reads WHERE folder=? AND path IN (SELECT path FROM void)", (folder,))

    def keep_parses(self, new_parses: Mapping[str, tuple[dict, object]], files: Mapping[str, tuple[Stamp, str]]) -> None:
        """Parses made outside a build (`phuongnews check`, build.check_site), and the files'
        digests it learnt, for the next check or build. None is dropped: the last build's
        versions of the posts edited since are what the next build compares them with
        (holdings.changes_since); that build drops whatever it does not use."""
        if self.db is None:
            return
        if new_parses:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self._save_parses(new_parses)
                self.db.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
        self.save_digests(files)

    def save_digests(self, files: Mapping[str, tuple[Stamp, str]]) -> None:
        """Remember files whose stamps moved though their bytes did not (a fresh clone)."""
        if self.db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("BEGIN IMMEDIATE")
            known = self.file_digests()
            if any(known.get(path) != entry for path, entry in files.items()):
                known.update(files)
                self.db.execute("INSERT OR REPLACE INTO files VALUES (1, ?)", (pickle.dumps(known, 5),))
                self.db.execute("DELETE FROM patches WHERE kind='files'")
            self.db.execute("COMMIT")

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


def parse_parts(result: tuple) -> tuple[bytes, bytes | None]:
    """A parse (model, errors, warnings) pickled as the parses table keeps it: a post less its
    body and derived values, and those apart (None for a page)."""
    data, cut = parse_record(result)
    return (data[:cut], data[cut:]) if cut < len(data) else (data, None)


def parse_record(result: tuple) -> tuple[bytes, int]:
    """parse_parts' two parts written into one bytes object, and where the second begins
    (its length, for a page). A parse worker sends that and keeps views of it for the cache:
    one buffer a post, not three, or the worker's memory would grow with the holes that
    thousands of short-lived ones leave (6 MB a worker at 10,000 posts)."""
    buffer = io.BytesIO()
    model = result[0]
    if type(model) is not models.Article:
        pickle.dump(result, buffer, 5)
        return buffer.getvalue(), buffer.tell()
    pickle.dump((models.LightArticle(model), *result[1:]), buffer, 5)
    cut = buffer.tell()
    models.write_heavy(model, buffer)
    return buffer.getvalue(), cut


class _HeavyReader:
    """Reads posts' heavy parts (parse_parts) from the cache as a light post's are first asked
    for, on a connection of each process's own: a connection must not cross a fork, and a
    render worker reads the bodies of the pages it renders.

    The build that loaded those posts keeps their keys, so the rows stay until it saves. Only
    another build of the site with other settings, saving meanwhile, could drop them: then
    this build stops with a message to run it again, and writes nothing; the next one parses
    those posts again."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def __call__(self, key: str) -> bytes:
        row = None
        with contextlib.suppress(sqlite3.Error):
            if self._pid != os.getpid():
                self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
                self._pid = os.getpid()
            row = self._db.execute("SELECT heavy FROM parses WHERE key=?", (key,)).fetchone()
        if row is None or row[0] is None:
            raise BuildFailed([SourceError(str(FOLDER / "cache.sqlite"), None, "cache.changed")])
        return row[0]

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db, self._pid = None, 0


# From this many keys asked for, BuildCache.parses reads the whole table.
SCAN_FROM = 1_000
_NO_DEPS = pickle.dumps({}, 5)  # a parse that consulted no other file (most posts)


def _folder(out_dir: Path) -> str:
    return str(out_dir.absolute())
