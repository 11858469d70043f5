"""Builds for the preview server: the whole site kept in memory, rebuilt after each save with
only the work the change needs, and swapped in whole or not at all.

Nothing here writes to disk. Which work a change needs is decided from what is on disk, not
from the editor's events (those only say when to look): each rebuild scans the sources'
stamps and compares them with the scan of the last good build, so temp-and-rename saves,
bursts, deleted or renamed files and new folders all come down to "these files differ".

- only static files changed, none added or removed: nothing to render; the tabs showing
  them reload;
- only templates changed: every page is rendered again from the already-loaded site;
- only posts under content/posts changed (edited, added, deleted, renamed): those posts are
  parsed again, the site is planned again, and only the pages whose values changed are
  rendered and link-checked ("fast");
- anything else (site.yaml, pages, shortcuts, a failed fast build's fallback): the same
  `load_site` + `render_site` as `phuongnews build`.

The fast path's result is byte for byte what a full build gives (tests/test_serve.py checks
this); whenever it cannot be sure, it hands over to the full build.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from phuongnews import urls
from phuongnews.build import BuildOptions, load_site, render_site
from phuongnews.config import CONFIG_NAME
from phuongnews.content import parse_post
from phuongnews.errors import BuildFailed, ErrorList, SourceError
from phuongnews.linkcheck import check_links
from phuongnews.markup import MarkdownRenderer
from phuongnews.models import Article, Site
from phuongnews.plan import Output, plan
from phuongnews.render import TEMPLATES_DIR, make_environment, render_outputs
from phuongnews.sources import read_source, relative_name
from phuongnews.vietnamese import nfc
from phuongnews.writer import static_files

WATCHED_FOLDERS = ("content", "templates", "static")
POSTS = "content/posts/"
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
    recorded, never followed."""
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
                    _stamp(Path(root, name), prefix + name, found)
    return found


def _stamp(path: Path, relative: str, found: dict[str, Stamp]) -> None:
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
        found[relative] = ("file", info.st_mtime_ns, info.st_size, info.st_ino, info.st_ctime_ns)


@dataclass
class Good:
    """The last build that succeeded: everything the server shows. Never changed once made;
    a rebuild makes a new one."""

    site: Site
    files: Mapping[str, bytes]  # output path -> bytes
    statics: Mapping[str, Path]  # output path -> file under static/
    stamps: Mapping[str, Stamp]  # the scan this build was made from
    articles: Mapping[str, Article] = field(repr=False)  # source -> article, as published
    warnings: Mapping[str, tuple[SourceError, ...]] = field(repr=False)  # source -> warnings
    _outputs: dict[str, Output] | None = field(default=None, repr=False)
    _env: jinja2.Environment | None = field(default=None, repr=False)

    @property
    def base_path(self) -> str:
        return self.site.config.base_path

    def outputs(self) -> dict[str, Output]:
        if self._outputs is None:  # after a full build, planned again only when a fast one needs it
            self._outputs = _by_path(plan(self.site))
        return self._outputs

    def env(self, site_dir: Path) -> jinja2.Environment:
        if self._env is None:
            self._env = make_environment(self.site, site_dir / TEMPLATES_DIR)
        return self._env


@dataclass(frozen=True)
class Outcome:
    ok: bool
    kind: str  # "none", "static", "templates", "fast", "full"
    changed: frozenset[str] = frozenset()  # output paths whose bytes differ from the last good build
    errors: tuple[SourceError, ...] = ()
    new_warnings: tuple[SourceError, ...] = ()  # warnings the last good build did not have
    rendered: int = 0  # pages rendered
    seconds: float = 0.0


class LiveSite:
    """The site's last good build, and rebuilds of it. Not thread-safe: one builder thread."""

    def __init__(self, site_dir: Path, drafts: bool = False, incremental: bool = True):
        self.site_dir = site_dir
        self.options = BuildOptions(site_dir=site_dir, drafts=drafts)
        self.incremental = incremental
        self.good: Good | None = None

    def rebuild(self, touched: Iterable[str] = ()) -> Outcome:
        """Bring the build up to date with the disk. `touched`: site-relative paths the watcher
        saw change (they count as changed even if their stamp did not move)."""
        started = time.perf_counter()
        stamps = scan(self.site_dir)
        try:
            outcome = self._rebuild(stamps, set(touched))
        except BuildFailed as failed:
            outcome = Outcome(False, "full", errors=tuple(failed.errors))
        except Exception as exc:  # noqa: BLE001 -- the preview must survive anything a build raises
            error = SourceError(CONFIG_NAME, None, "serve.internal", {"problem": f"{type(exc).__name__}: {exc}"})
            outcome = Outcome(False, "full", errors=(error,))
        return dataclasses.replace(outcome, seconds=time.perf_counter() - started)

    def _rebuild(self, stamps: dict[str, Stamp], touched: set[str]) -> Outcome:
        good = self.good
        if good is None or not self.incremental:
            return self._full(stamps)
        changed = {path for path in good.stamps.keys() | stamps.keys() if good.stamps.get(path) != stamps.get(path)}
        changed |= touched & good.stamps.keys() & stamps.keys()
        changed = {path for path in changed if _matters(path, good.stamps.get(path) or stamps[path])}
        if not changed:
            return Outcome(True, "none")
        statics_changed = {path for path in changed if path.startswith(STATIC)}
        static_keys = frozenset(path[len(STATIC):] for path in statics_changed)
        others = changed - statics_changed
        if statics_changed and set(static_files(self.site_dir / "static")) != set(good.statics):
            return self._full(stamps, static_keys)  # added or removed: covers and links may break or mend
        if not others:
            self.good = dataclasses.replace(good, stamps=stamps)
            return Outcome(True, "static", changed=static_keys)
        if all(path.startswith(TEMPLATES_DIR + "/") for path in others):
            return self._templates(good, stamps, static_keys)
        if all(path.startswith(POSTS) for path in others) and not _has_links(stamps, "content"):
            return self._fast(good, stamps, others, static_keys)
        return self._full(stamps, static_keys)

    def _full(self, stamps: dict[str, Stamp], static_keys: frozenset[str] = frozenset()) -> Outcome:
        site = load_site(self.options)
        statics = static_files(self.site_dir / "static")
        files = render_site(site, self.site_dir, statics)
        return self._swap(Good(
            site=site, files=files, statics=statics, stamps=stamps,
            articles={article.source: article for article in site.articles},
            warnings=_group(site.warnings),
        ), "full", len(files), set(files) | set(self.good.files if self.good else ()) | set(statics), static_keys)

    def _templates(self, good: Good, stamps: dict[str, Stamp], static_keys: frozenset[str]) -> Outcome:
        statics = static_files(self.site_dir / "static")
        files = render_site(good.site, self.site_dir, statics)
        new = dataclasses.replace(good, files=files, statics=statics, stamps=stamps, _outputs=None, _env=None)
        return self._swap(new, "templates", len(files), set(files) | set(good.files), static_keys)

    def _fast(self, good: Good, stamps: dict[str, Stamp], posts: set[str], static_keys: frozenset[str]) -> Outcome:
        config = good.site.config
        errors = ErrorList()
        renderer = MarkdownRenderer(config.base_path, config.embeds, config.relative)
        articles, warnings = dict(good.articles), dict(good.warnings)
        for relative in sorted(posts):
            path = self.site_dir / relative
            source = relative_name(path, self.site_dir)
            articles.pop(source, None)
            warnings.pop(source, None)
            if relative not in stamps or not relative.lower().endswith(".md"):
                continue  # deleted, renamed away, or not a post
            text = read_source(path, source, errors)
            if text is None:
                continue
            before = len(renderer.warnings)
            article = parse_post(text, source, path.stem, config, renderer, errors, self.site_dir / "static")
            if len(renderer.warnings) > before:
                warnings[source] = tuple(renderer.warnings[before:])
            if article is not None and (self.options.drafts or not article.draft):
                articles[source] = article
        if errors:
            raise BuildFailed(errors)
        site = dataclasses.replace(
            good.site,
            articles=tuple(sorted(articles.values(), key=lambda a: (a.date, a.published, a.slug), reverse=True)),
            warnings=tuple(w for source in sorted(warnings) for w in warnings[source]),
        )
        outputs = plan(site)
        by_path = _by_path(outputs)
        if by_path is None or _collides(by_path, good.statics):
            files = render_site(site, self.site_dir, good.statics)  # reports the collision by name
            new = Good(site, files, good.statics, stamps, articles, warnings)
            return self._swap(new, "fast", len(files), set(files) | set(good.files), static_keys)
        old = good.outputs()
        stale = [output for path, output in by_path.items()
                 if (before := old.get(path)) is None or before.template != output.template
                 or before.context != output.context]
        errors = ErrorList()
        env = good.env(self.site_dir)
        fresh = render_outputs(env, stale, errors)
        if errors:
            raise BuildFailed(errors)
        files = {path: fresh[path] if path in fresh else good.files[path] for path in by_path}
        # Pages that link to a page that is gone must be checked too; otherwise only new bytes.
        removed = good.files.keys() - files.keys()
        link_root = "/" if config.relative else config.base_path
        check_links(outputs if removed else stale, files, good.statics, link_root, self._read_text, errors)
        if errors:
            raise BuildFailed(errors)
        new = Good(site, files, good.statics, stamps, articles, warnings, by_path, env)
        return self._swap(new, "fast", len(stale), set(fresh) | removed, static_keys)

    def _swap(self, new: Good, kind: str, rendered: int, candidates: set[str], static_keys=frozenset()) -> Outcome:
        """Make `new` the good build; `candidates`: the output paths that may have changed."""
        old = self.good
        if old is None:
            changed = frozenset(candidates)
        else:
            changed = frozenset(path for path in candidates
                                if _bytes_of(old, path) != _bytes_of(new, path)) | static_keys
        previous = {w for ws in old.warnings.values() for w in ws} if old else set()
        new_warnings = tuple(w for ws in new.warnings.values() for w in ws if w not in previous)
        self.good = new
        return Outcome(True, kind, changed=changed, new_warnings=new_warnings, rendered=rendered)

    def _read_text(self, name: str) -> str | None:
        """A source or template's text, for the line of a broken link (as build.py reads it)."""
        try:
            return nfc((self.site_dir / name).read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n"))
        except OSError:
            return None


def _matters(path: str, stamp: Stamp) -> bool:
    """Whether a changed file can change the site: under content/ only Markdown files are
    read, and shortcuts, which may lead to folders of them."""
    return not path.startswith("content/") or path.lower().endswith(".md") or stamp[0] == "link"


def _has_links(stamps: Mapping[str, Stamp], folder: str) -> bool:
    return any((path == folder or path.startswith(folder + "/")) and stamp[0] == "link" for path, stamp in stamps.items())


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
    that folds case (build.py then names them)."""
    seen = {path.casefold() for path in statics}
    for path in by_path:
        if path.casefold() in seen:
            return True
        seen.add(path.casefold())
    return False


def _bytes_of(good: Good, path: str) -> bytes | Path | None:
    data = good.files.get(path)
    return data if data is not None else good.statics.get(path)


def _group(warnings: Iterable[SourceError]) -> dict[str, tuple[SourceError, ...]]:
    grouped: dict[str, list[SourceError]] = {}
    for warning in warnings:
        grouped.setdefault(warning.path, []).append(warning)
    return {path: tuple(items) for path, items in grouped.items()}
