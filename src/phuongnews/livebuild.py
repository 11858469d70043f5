"""Builds for the preview server: the whole site kept in memory, rebuilt after each save with
only the work the change needs, and swapped in whole or not at all. Nothing here writes.

Every rebuild goes through the same `load_site` as `phuongnews build`, so what it accepts,
refuses and publishes (drafts, schedules, URL clashes, errors of every file) is the build's
own. What makes a rebuild after a saved post cheap:

- **Parsing is remembered.** A parse is a pure function of the file's bytes, its name, the
  settings and the site files it consulted (photos, a cover). While the preview loads the
  site, a file whose stamp did not move is not read, and a post whose inputs are unchanged
  gets its earlier result back (the same Article object, with the same errors and warnings)
  instead of being parsed and rendered from Markdown again (_ParseStore). When only posts were
  saved, added or removed, the load looks at those files only and keeps the rest of the last
  load (content.Loaded).
- **Nothing is planned after an edit of bodies.** When the saved posts differ from their last
  versions in their bodies only, the last plan gets them swapped in (bodyedit) and the search
  index is patched (search.IndexMemo). After any other change of posts, only the families of
  pages it reaches (reach.py) are planned again; the others are taken from the last plan
  (plan.LastPlan).
- **Only changed pages are rendered.** A page's bytes depend on its template, the planned
  values its template reads (`Output.context`, render.read_names) and the environment made
  from the settings and the fixed pages. When templates, static files, settings and pages are
  unchanged, a page whose read values equal the last build's keeps its bytes; only the others
  are rendered and link-checked (all pages are link-checked when a page disappeared).

Which work a change needs is decided from the disk, not from the editor's events: each
rebuild compares the sources' stamps with the scan of the last good build, so temp-and-rename
saves, bursts, deleted or renamed files and new folders all come down to "these files differ".
The events only say when to look and which files to stamp again (a folder named means a scan
of everything); once no save waits, warm() scans everything and returns what the events
missed. Static files edited in place need no build at all. tests/test_serve.py checks that the
result is byte for byte `render_site`'s.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from phuongnews import bodyedit, urls
from phuongnews.bodyedit import References
from phuongnews.build import BuildOptions, Published, load_site, render_site
from phuongnews.buildcache import FOLDER as BUILD_CACHE
from phuongnews.buildcache import BuildCache
from phuongnews.config import CONFIG_NAME
from phuongnews.content import ParseReuse, parse_scope
from phuongnews.errors import BuildFailed, ErrorList, SourceError
from phuongnews.fingerprint import FileDigests, stamp_of
from phuongnews.gcpause import collector_paused, set_aside_survivors
from phuongnews.incremental import published_pages
from phuongnews.linkcheck import check_links, link_root
from phuongnews.models import Site, SiteConfig
from phuongnews.plan import RAW, LastPlan, Output, last_plan, plan, search_outputs
from phuongnews.reach import reached_families
from phuongnews.render import TEMPLATES_DIR, make_environment, read_names, render_outputs
from phuongnews.search import IndexMemo
from phuongnews.vietnamese import nfc
from phuongnews.writer import static_files

WATCHED_FOLDERS = ("content", "templates", "static")
STATIC = "static/"

# Files editors write next to the real one while saving (vim's 4913 probe and swap files,
# backups~, emacs #autosave#, JetBrains and Chrome temp files, dot-files of every kind).
_SCRATCH_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".crswap", "___jb_tmp___", "___jb_old___")


def is_scratch(name: str) -> bool:
    """An editor's temporary file, never part of a site."""
    return (name.startswith(".") or name.endswith(_SCRATCH_SUFFIXES) or name == "4913"
            or (name.startswith("#") and name.endswith("#")))


Stamp = tuple


def scan(site_dir: Path) -> dict[str, Stamp]:
    """Site-relative posix path -> stamp of every source file that can matter: site.yaml and
    the non-scratch files under content/, templates/ and static/. Shortcuts (symlinks) are
    recorded as such and not followed."""
    found: dict[str, Stamp] = {}
    _stamp(site_dir / CONFIG_NAME, CONFIG_NAME, found)
    for folder in WATCHED_FOLDERS:
        top = site_dir / folder
        if top.is_symlink():
            _stamp(top, folder, found)
        for root, dirs, files in os.walk(top, onerror=lambda _error: None):
            prefix = Path(root).relative_to(site_dir).as_posix() + "/"
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # hidden folders are never read
            for name in dirs:
                if os.path.islink(os.path.join(root, name)):
                    _stamp(Path(root, name), prefix + name, found)
            for name in files:
                if not is_scratch(name):
                    _stamp(os.path.join(root, name), prefix + name, found)  # a string: cheaper than a Path
    return found


def _stamp(path: Path | str, relative: str, found: dict[str, Stamp]) -> None:
    try:
        info = os.lstat(path)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.stat(path)
            found[relative] = ("link", os.readlink(path), target.st_mtime_ns, target.st_size)
        except OSError:
            found[relative] = ("link", None)
    elif stat.S_ISREG(info.st_mode):
        found[relative] = ("file", *stamp_of(info))  # as FileDigests takes it


@dataclass
class Good:
    """A build that succeeded: everything the server shows. Never changed once made."""

    site: Site
    files: Mapping[str, bytes]  # output path -> bytes
    statics: Mapping[str, Path]  # output path -> file published as it is (static/, photo variants)
    static_sources: frozenset[str]  # what static/ held (static_files) when this build was made
    stamps: Mapping[str, Stamp]  # the scan this build was made from
    _outputs: dict[str, Output] | None = field(default=None, repr=False)
    _env: jinja2.Environment | None = field(default=None, repr=False)
    _held: References | None = field(default=None, repr=False)  # which pages hold which post
    _photos: frozenset | None = field(default=None, repr=False)
    real: dict[str, str] = field(default_factory=dict, repr=False)  # static output path -> real path
    # template -> the names of a page's values it can read (render.read_names), with _env
    _reads: dict[str, frozenset[str] | None] = field(default_factory=dict, repr=False)
    _planned: LastPlan | None = field(default=None, repr=False)  # the plan as plan.LastPlan, reaching nothing
    _held_before: tuple | None = field(default=None, repr=False)  # (references, outputs) of the build before

    def __post_init__(self):
        if not self.real:
            self.real = {key: os.path.realpath(path) for key, path in self.statics.items()}

    @property
    def base_path(self) -> str:
        return self.site.config.base_path

    def outputs(self, index_memo: IndexMemo | None = None) -> dict[str, Output] | None:
        if self._outputs is None:  # after a full render, planned again only when needed
            self._outputs = _by_path(plan(self.site, index_memo))
        return self._outputs

    def photos(self) -> frozenset:
        if self._photos is None:
            self._photos = _photos(self.site)
        return self._photos

    def references(self, index_memo: IndexMemo | None = None) -> References | None:
        if self._held is None and self.outputs(index_memo) is not None:
            before, self._held_before = self._held_before, None
            # From the last build's, when most pages are its very outputs (0.2 s less at 10,000 posts).
            self._held = (bodyedit.references_after(before[0], before[1], self._outputs) if before is not None
                          else bodyedit.references(self._outputs))
        return self._held

    def planned(self, index_memo: IndexMemo | None = None) -> LastPlan | None:
        """This build's plan as plan.LastPlan, reaching nothing yet."""
        if self._planned is None and self.outputs(index_memo) is not None:
            self._planned = last_plan(self._outputs.values(), ())
        return self._planned

    def env(self, site_dir: Path) -> jinja2.Environment:
        if self._env is None:
            self._env = make_environment(self.site, site_dir / TEMPLATES_DIR)
        return self._env

    def reads(self, site_dir: Path, template: str) -> frozenset[str] | None:
        """The names of a page's values that `template` can read (render.read_names)."""
        if template not in self._reads:
            self._reads.update(read_names(self.env(site_dir), [template]))
        return self._reads[template]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    # "none"; "static" (no build needed); "body" (only posts' bodies changed: the pages that
    # hold them rendered, nothing planned); "pages" (changed pages rendered); "all"
    kind: str
    changed: frozenset[str] = frozenset()  # output paths whose bytes differ from the last good build
    errors: tuple[SourceError, ...] = ()
    new_warnings: tuple[SourceError, ...] = ()  # warnings the last good build did not have
    rendered: int = 0  # pages rendered
    seconds: float = 0.0


class LiveSite:
    """A site's last good build, and rebuilds of it. One builder thread at a time."""

    def __init__(self, site_dir: Path, drafts: bool = False, incremental: bool = True,
                 clock: Callable[[], datetime] | None = None):
        self.site_dir = Path(site_dir)
        self.options = BuildOptions(site_dir=self.site_dir, drafts=drafts)
        self.incremental = incremental
        self.clock = clock  # the moment scheduled posts are judged at; None: now
        self.good: Good | None = None
        self._parses = _ParseStore(self.site_dir, incremental)
        self._rendered_all = True  # since the last warm(): the old site's cycles may be garbage
        self._scanned: dict[str, Stamp] | None = None  # the scan the last rebuild went by
        self._index = IndexMemo()  # the search index of the last plan, patched by the next

    @property
    def next_change(self) -> datetime | None:
        """When a scheduled or expiring post changes the site without any file changing."""
        return getattr(self.good.site, "next_change", None) if self.good else None

    def warm(self) -> set[str]:
        """Work for the next rebuild, done while nothing waits: plan the last good build if a
        full render left it unplanned (the next saved post then costs one plan, not two), set
        the objects now alive aside from the garbage collector (gcpause), and scan the whole
        site: the paths whose stamps differ from the last rebuild's scan are returned, for
        the caller to rebuild them (a change the watcher did not report)."""
        if self.good is not None and self.incremental:
            try:
                self.good.references(self._index)
                self.good.planned(self._index)
            except Exception:  # noqa: BLE001, S110 -- only a head start; the rebuild reports faults
                pass
        set_aside_survivors(full=self._rendered_all)
        self._rendered_all = False
        if self._scanned is None:
            return set()
        stamps, last = scan(self.site_dir), self._scanned
        return {path for path in stamps.keys() | last.keys() if stamps.get(path) != last.get(path)}

    def rebuild(self, touched: Iterable[str] = (), force: bool = False) -> Outcome:
        """Bring the build up to date with the disk. `touched`: site-relative paths the watcher
        saw change (they count as changed even if their stamp did not move); `force`: load
        the site even if no file changed (the clock published a scheduled post)."""
        started = time.perf_counter()
        touched = set(touched)
        stamps = (self._rescanned(touched) if touched and not force else None) or scan(self.site_dir)
        self._scanned = stamps
        try:
            with collector_paused():  # warm() collects afterwards, when no save waits
                outcome = self._rebuild(stamps, touched, force)
        except BuildFailed as failed:
            outcome = Outcome(False, "all", errors=tuple(failed.errors))
        except Exception as exc:  # noqa: BLE001 -- the preview must survive anything a build raises
            error = SourceError(CONFIG_NAME, None, "serve.internal", {"problem": f"{type(exc).__name__}: {exc}"})
            outcome = Outcome(False, "all", errors=(error,))
        return dataclasses.replace(outcome, seconds=time.perf_counter() - started)

    def _rescanned(self, touched: set[str]) -> dict[str, Stamp] | None:
        """The last rebuild's scan with the `touched` paths stamped again: what `scan` would
        find now if the watcher reported every change, at the cost of a few stats instead of
        one per file of the site. None (scan everything) when a touched path is a folder, or
        was one, or there was no scan yet; warm() scans everything once no save waits, so a
        change the watcher missed is still found."""
        if self._scanned is None:
            return None
        stamps = dict(self._scanned)
        for path in touched:
            if path in WATCHED_FOLDERS:
                return None  # content/, templates/ or static/ itself came or went
            name = posixpath.basename(path)
            parents = path.split("/")[:-1]
            if (path != CONFIG_NAME and (not parents or parents[0] not in WATCHED_FOLDERS)) or is_scratch(name) \
                    or any(part.startswith(".") for part in parents):
                continue  # scan() never records it
            if any("/".join(parents[:depth]) in stamps for depth in range(1, len(parents) + 1)):
                continue  # under a folder that is a shortcut: recorded as the shortcut, not entered
            full = os.path.join(self.site_dir, path)
            try:
                folder = stat.S_ISDIR(os.lstat(full).st_mode)
            except OSError:
                folder = path not in stamps and any(key.startswith(path + "/") for key in stamps)
            if folder:
                return None
            stamps.pop(path, None)
            _stamp(full, path, stamps)
        return stamps

    def _rebuild(self, stamps: dict[str, Stamp], touched: set[str], force: bool) -> Outcome:
        good = self.good
        sources = static_files(self.site_dir / "static")
        if good is None:
            # Signed, so pages the last `phuongnews build` wrote can be taken instead of rendered.
            self._parses.sign = True
            try:
                site = self._load(stamps)
            finally:
                self._parses.sign = False
            return self._render_all(site, sources, stamps, published=self._published(site))
        changed = {path for path, stamp in stamps.items() if good.stamps.get(path) != stamp}
        changed |= good.stamps.keys() - stamps.keys()
        changed |= touched & good.stamps.keys() & stamps.keys()
        if not changed and not force:
            return Outcome(True, "none")
        static_changed = {path for path in changed if path.startswith(STATIC)}
        static_keys = frozenset(path[len(STATIC):] for path in static_changed)
        # A CSS file or a document edited in place is served from disk as it is: no build. Not
        # a photo (its variants are made from it), nor a file added, removed or made a shortcut.
        in_place = (set(sources) == good.static_sources
                    and all(key in sources and good.statics.get(key) == sources[key]
                            and stamps.get(STATIC + key, ("",))[0] == "file" for key in static_keys))
        if static_changed == changed and in_place and not force:
            self.good = dataclasses.replace(good, stamps=stamps)
            return Outcome(True, "static", changed=static_keys)
        # Posts or pages saved, added or removed (no shortcut among them): the last load's other files stand.
        posts_only = self.incremental and all(
            path.startswith("content/") and path.lower().endswith(".md")
            and good.stamps.get(path, ("file",))[0] == "file" and stamps.get(path, ("file",))[0] == "file" for path in changed)
        site = self._load(stamps, good.site, changed) if posts_only else self._load(stamps)
        swaps = bodyedit.body_edits(good.site.articles, site.articles)
        photos = good.photos() if swaps is not None else _photos(site)  # a body edit keeps every post's photos
        if (not self.incremental or static_changed or any(path.startswith(TEMPLATES_DIR + "/") for path in changed)
                or site.config != good.site.config or site.pages != good.site.pages or photos != good.photos()):
            return self._render_all(site, sources, stamps, static_keys)
        return self._render_changed(good, site, stamps, static_keys, photos, swaps)

    def _load(self, stamps: Mapping[str, Stamp], earlier: Site | None = None, changed: Iterable[str] = ()) -> Site:
        """Load the site as `phuongnews build` would; with `earlier`, looking only at the
        `changed` files (load_content)."""
        self._parses.scanned = stamps
        options = self.options if self.clock is None else dataclasses.replace(self.options, now=self.clock())
        try:
            return load_site(options, self._parses.reuse, earlier=earlier, changed=frozenset(changed))
        finally:
            self._parses.keep()

    def _render_all(self, site: Site, sources: dict[str, Path], stamps, static_keys=frozenset(),
                    published: Published | None = None) -> Outcome:
        statics = dict(sources)  # render_site swaps photos for their variants in it
        files = render_site(site, self.site_dir, statics, published)
        old = set(self.good.files) | set(self.good.statics) if self.good else set()
        new = Good(site, files, statics, frozenset(sources), stamps)
        self._rendered_all = True
        return self._swap(new, "all", len(files), set(files) | set(statics) | old, static_keys)

    def _published(self, site: Site) -> Published | None:
        """For the first build: the pages `phuongnews build` left in the output folder, where
        they are what rendering would give (incremental.published_pages). Rendering them all on
        one core takes about 10 s at 10,000 posts; reading them, under one."""
        signed, self._parses.signed = self._parses.signed, None
        if signed is None or not (self.site_dir / BUILD_CACHE).is_dir():
            return None
        digests, digest_of = signed
        out_dir = self.options.output

        def published(outputs: list[Output], statics: Mapping[str, Path]) -> tuple[dict[str, bytes], bool]:
            cache = BuildCache(self.site_dir)
            try:
                records = cache.outputs(out_dir)
            finally:
                cache.close()
            return published_pages(site, outputs, statics, digests, digest_of, out_dir, records)

        return published

    def _render_changed(self, good: Good, site: Site, stamps, static_keys: frozenset[str], photos: frozenset,
                        swaps: dict | None) -> Outcome:
        """`swaps`: bodyedit.body_edits of the last build's posts and these, if only bodies changed."""
        old = good.outputs(self._index)
        swaps = swaps if old is not None else None
        held = None
        if swaps is not None:
            by_path, stale, held = self._swapped(good, site, swaps)
            outputs = list(by_path.values())
        else:
            changed_posts = _changed_posts(good, site)
            last = _last_plan(good, site, changed_posts)
            outputs = plan(site, self._index, last=last)
            by_path = _by_path(outputs)
            if by_path is None or old is None or _collides(by_path, good.statics):
                sources = static_files(self.site_dir / "static")
                return self._render_all(site, sources, stamps, static_keys)  # render_site names the clash
            if last is not None and changed_posts is not None and not changed_posts[1]:
                _keep_equal_pages(by_path, old)
            # A page taken from the last plan is the very same output: not compared. Of the
            # others, only the values their template can read are (a person's pages hold the
            # count of all their appearances, which one added post changes, and show none).
            stale = [output for path, output in by_path.items()
                     if (before := old.get(path)) is not output and (
                         before is None or before.template != output.template
                         or _read_values_differ(before.context, output.context, good.reads(self.site_dir, output.template)))]
        errors = ErrorList()
        env = good.env(self.site_dir)  # made from the same settings and pages
        fresh = render_outputs(env, stale, errors)
        if errors:
            raise BuildFailed(errors)
        files = {path: fresh[path] if path in fresh else good.files[path] for path in by_path}
        # A page that is gone may be linked from pages that did not change: check them all then.
        removed = good.files.keys() - files.keys()
        check_links(outputs if removed else stale, files, good.statics, link_root(site.config), self._read_text, errors)
        if errors:
            raise BuildFailed(errors)
        held_before = (good._held, old) if held is None and good._held is not None and old is not None else None
        new = Good(site, files, good.statics, good.static_sources, stamps, by_path, env, held, photos, real=good.real,
                   _reads=good._reads, _held_before=held_before)
        return self._swap(new, "pages" if swaps is None else "body", len(stale), set(fresh) | removed, static_keys)

    def _swapped(self, good: Good, site: Site, swaps) -> tuple[dict[str, Output], list[Output], References]:
        """After an edit of posts' bodies only: the last plan with the new posts swapped in,
        the outputs to render (the pages that hold them, the search files that changed), and
        which pages hold which post now."""
        old, held = good.outputs(), good.references(self._index)
        changed = bodyedit.swapped(old, held, swaps)
        search_files = {urls.output_path(output.url): output for output in search_outputs(site, index_memo=self._index)}
        by_path = {path: output for path, output in old.items() if output.template != RAW}
        by_path.update(changed)
        by_path.update(search_files)
        stale = [*changed.values(), *(output for path, output in search_files.items()
                                      if good.files.get(path) != output.context["data"])]
        return by_path, stale, bodyedit.moved_references(held, swaps)

    def _swap(self, new: Good, kind: str, rendered: int, candidates: set[str], static_keys=frozenset()) -> Outcome:
        """Make `new` the good build; `candidates`: the output paths that may have changed."""
        old = self.good
        if old is None:
            changed = frozenset(candidates)
        else:
            changed = frozenset(path for path in candidates if _bytes_of(old, path) != _bytes_of(new, path))
            changed |= static_keys
        previous = set(old.site.warnings) if old else set()
        new_warnings = tuple(w for w in new.site.warnings if w not in previous)
        self.good = new
        return Outcome(True, kind, changed=changed, new_warnings=new_warnings, rendered=rendered)

    def _read_text(self, name: str) -> str | None:
        """A source or template's text, for the line of a broken link (read as build.py does)."""
        try:
            return nfc((self.site_dir / name).read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n"))
        except OSError:
            return None


class _ParseStore:
    """Parses of this site's files kept between rebuilds, used as `phuongnews build` uses the
    build cache (content.ParseReuse): a file whose stamp has not moved is not even read, and
    a file whose parse inputs (its bytes, the settings, the photos it consulted) are unchanged
    gets its earlier result back, the same Article object. Parses missing here are looked up
    in the build cache an earlier `phuongnews build` left, so a large site opens fast; the
    preview never writes to that cache. Entries the last load did not use are dropped, so the
    store holds one site's worth."""

    def __init__(self, site_dir: Path, enabled: bool = True):
        self.site_dir = site_dir
        self.enabled = enabled
        self._known: dict[str, tuple] = {}  # site path -> (stamp, digest) at the last load
        self._parses: dict[str, tuple] = {}  # parse key -> (consulted files, result)
        self._current: ParseReuse | None = None
        self._scope, self._keys = "", {}  # parse keys by their parts, while the settings hold
        self.scanned: Mapping[str, Stamp] = {}  # the scan the next load goes by
        self.sign = False  # whether the next load gives its models' digests, for page signatures
        self.signed: tuple[FileDigests, dict[int, str]] | None = None  # what a signed load gave

    def reuse(self, config: SiteConfig) -> ParseReuse | None:
        if not self.enabled:
            return None
        scope = parse_scope(config, self.site_dir)
        if scope != self._scope:
            self._scope, self._keys = scope, {}
        self._current = ParseReuse(scope, FileDigests(self.site_dir, self._known, self.scanned), self._cached,
                                   signatures=self.sign, known_keys=self._keys)
        return self._current

    def _cached(self, keys: list[str]) -> dict[str, tuple]:
        found = {key: self._parses[key] for key in keys if key in self._parses}
        missing = [key for key in keys if key not in found]
        if missing and (self.site_dir / BUILD_CACHE).is_dir():
            cache = BuildCache(self.site_dir)
            try:
                stored = cache.parses(missing)
            finally:
                cache.close()
            self._parses.update(stored)  # kept from now on like the store's own: read once
            found.update(stored)
        return found

    def keep(self) -> None:
        """After a load, failed or not: remember what it parsed and the stamps it saw."""
        current, self._current = self._current, None
        if current is None:
            return
        self.signed = (current.digests, current.digest_of) if current.signatures else None
        self._parses = {key: current.new.get(key) or self._parses.get(key) for key in current.used
                        if key in current.new or key in self._parses}
        if current.partial:  # only the changed files were looked at: the others' digests stand
            self._known.update(current.digests.used)
        else:
            self._known = dict(current.digests.used)
        self._keys = {parts: key for parts, key in self._keys.items() if key in current.used}


# Posts changed beyond this many (and this share of the site), the site is planned from nothing.
_REPLAN_MAX = 50
_REPLAN_SHARE = 0.1


_ABSENT = object()


def _read_values_differ(before: dict, after: dict, names: frozenset[str] | None) -> bool:
    """Whether a page's values under `names` differ (all of them when `names` is None)."""
    if names is None:
        return before != after
    # By the pages' few values, not the template's many names (most are its own variables).
    return any(before.get(key, _ABSENT) != value for key, value in after.items() if key in names) \
        or any(key in names and key not in after for key in before)


def _changed_posts(good: Good, site: Site) -> tuple[set[str], bool] | None:
    """The sources of the posts that are not the very objects the last good build held
    (changed, added or removed), and whether one of them equals its old version (a post
    parsed again to the same value); None if there are too many to plan the rest again."""
    before = {article.source: article for article in good.site.articles}
    new = {article.source: article for article in site.articles if before.get(article.source) is not article}
    if len(new) > max(_REPLAN_MAX, _REPLAN_SHARE * len(site.articles)):
        return None
    same_values = any(article == before[source] for source, article in new.items() if source in before)
    gone = before.keys() - {article.source for article in site.articles}
    return new.keys() | gone, same_values


def _last_plan(good: Good, site: Site, changed_posts: tuple[set[str], bool] | None) -> LastPlan | None:
    """What the plan of `site` may take from the last good build's (plan.LastPlan), or None.
    A post counts as changed unless it is the very object the last build held (the loads
    keep the objects of unchanged posts), so that the pages taken hold this site's posts."""
    planned = good.planned()
    if planned is None or changed_posts is None:
        return None
    reached = reached_families(good.site.articles, site.articles, changed_posts[0])
    return dataclasses.replace(planned, reached=frozenset(reached))


def _keep_equal_pages(by_path: dict[str, Output], old: Mapping[str, Output]) -> None:
    """Put back the last build's output for each page planned again to equal values: most
    pages of a listing a retitled post is in. Later builds then take them from the last plan
    and find them the same, and the pages holding each post are found again by walking only
    the others (bodyedit.references_after). Only when every changed post differs from its
    old version: a page equal to its old one then holds no changed post, and every post it
    holds is the very object the site holds."""
    for path, output in by_path.items():
        before = old.get(path)
        if before is not None and before is not output and before == output and before.context == output.context:
            by_path[path] = before


def _photos(site: Site) -> frozenset:
    """The photos a site publishes as variants: while they are the same, so are the variants."""
    items = (*site.articles, *site.pages)
    return frozenset((*(photo for item in items for photo in getattr(item, "photos", ())),
                      *(getattr(article, "cover_photo", None) for article in site.articles)))


def _by_path(outputs: list[Output]) -> dict[str, Output] | None:
    """Output path -> output; None if two outputs share a path."""
    found: dict[str, Output] = {}
    for output in outputs:
        path = urls.output_path(output.url)
        if path in found:
            return None
        found[path] = output
    return found


def _collides(by_path: Mapping[str, Output], statics: Mapping[str, Path]) -> bool:
    """Whether two outputs, or an output and a static file, would write one file on a host
    that folds case (render_site then names them)."""
    seen = {path.casefold() for path in statics}
    for path in by_path:
        if path.casefold() in seen:
            return True
        seen.add(path.casefold())
    return False


def _bytes_of(good: Good, path: str) -> bytes | Path | None:
    data = good.files.get(path)
    return data if data is not None else good.statics.get(path)
