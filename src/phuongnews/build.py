"""The orchestrator: load the site, plan its pages, render them, write them — in that order,
and nothing is written unless every step succeeded."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from phuongnews import images, indexpatch, search, urls, workers
from phuongnews.buildcache import FIXED_PARTS, BuildCache, LastBuild, LastInputs, OutputRecord, Readings
from phuongnews.config import CONFIG_NAME, load_config
from phuongnews.content import ParseReuse, load_content, parse_scope
from phuongnews.errors import BuildFailed, ErrorList
from phuongnews.fingerprint import FileDigests, program_digest, text_digest
from phuongnews.gcpause import collector_paused
from phuongnews.holdings import Holdings, changes_since, posts_to_plan
from phuongnews.incremental import LastSigned, as_left, environment_digest, output_stamp, output_stamps, render_and_write
from phuongnews.indexpatch import LastIndex
from phuongnews.linkcheck import check_links, check_page, link_root, link_targets
from phuongnews.messages import Phrase
from phuongnews.models import Article, Site, SiteConfig
from phuongnews.plan import RAW, Output, plan, search_outputs, settings_digest
from phuongnews.quickedit import build_after_body_edits
from phuongnews.render import TEMPLATES_DIR, compile_ahead, make_environment, render_outputs, render_page
from phuongnews.schedule import schedule
from phuongnews.sources import read_source
from phuongnews.vietnamese import nfc
from phuongnews.writer import MARKER, check_output_folder, interrupted, static_files, tidy

DEFAULT_OUT = "public"
# Set by the command (cli.run), which ends its process without tearing it down: what a build
# made is then kept to the end, not freed one object at a time as the build returns (the plan
# and the loaded site: 0.07 s at 10,000 posts).
KEPT_TO_EXIT: list | None = None


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None  # default: <site>/public
    base_url: str | None = None
    drafts: bool = False
    relative: bool = False  # links that work opened from disk (feeds and canonical stay absolute)
    now: datetime | None = None  # the moment scheduled and expiring posts are judged at; None: now
    jobs: int = 0  # processes to parse and render on; 0: one per core
    cache: bool = True  # reuse and keep <site>/.phuongnews-cache/build
    need_site: bool = False  # the caller needs BuildResult.site even when nothing changed
    # Everything but writing (check_site): the output folder, and what the build cache knows
    # of it, stay as they are; the posts' parses are kept.
    dry: bool = False

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / DEFAULT_OUT


@dataclass(frozen=True)
class BuildResult:
    posts: int
    pages: int
    files: int
    seconds: float
    out_dir: Path
    warnings: tuple = ()
    site: Site | None = None
    timings: dict = dataclasses.field(default_factory=dict)  # seconds per step
    rendered: int = 0  # pages rendered (the others were unchanged)
    written: int = 0  # files written
    removed: int = 0  # files removed from the output folder
    now: datetime | None = None  # the moment scheduled and expiring posts were judged at
    next_change: datetime | None = None  # when a scheduled or expiring post next changes the site


def load_site(options: BuildOptions, reuse: Callable[[SiteConfig], ParseReuse | None] | None = None,
              jobs: int = 1, earlier: Site | None = None, changed: Collection[str] = ()) -> Site:
    """Read and validate everything; raise BuildFailed with every error found. `reuse(config)`
    gives what parsing may take from the build cache. `earlier`, `changed`: the preview's
    (see load_content); `earlier` is used only if its settings are this load's."""
    errors = ErrorList()
    config = load_config(options.site_dir, errors, options.base_url)
    if config is None:
        raise BuildFailed(errors)
    if options.relative:
        config = dataclasses.replace(config, relative=True)
    same_settings = earlier is not None and earlier.config == config
    content = load_content(options.site_dir, config, errors, drafts=options.drafts,
                           reuse=reuse(config) if reuse else None, jobs=jobs,
                           earlier=earlier.content if same_settings else None, changed=changed)
    # --drafts previews everything, scheduled and expired posts included.
    now = options.now or datetime.now(config.timezone)
    timing = schedule(content.articles, now if now.tzinfo else now.replace(tzinfo=config.timezone))
    articles = content.articles if options.drafts else timing.visible
    site = Site(config=config, articles=articles, pages=content.pages, warnings=content.warnings,
                next_change=None if options.drafts else timing.next_change, content=content)
    if errors:
        # Report URL clashes among the files that did parse now, not on the clerk's next run.
        _check_collisions(plan(site), {}, errors)
        raise BuildFailed(errors)
    return site


# Given the planned outputs and the statics: pages already made as they would be rendered
# (output path -> bytes), and whether links in those must be checked again.
Published = Callable[[list[Output], Mapping[str, Path]], tuple[dict[str, bytes], bool]]


def render_site(site: Site, site_dir: Path, statics: dict[str, Path], published: Published | None = None) -> dict[str, bytes]:
    """Plan and render every page; raise BuildFailed on URL collisions or template faults.
    `statics` is updated as `prepare_outputs` says. `published`: where pages may be taken
    from instead of rendered (incremental.published_pages); the result is the same."""
    errors = ErrorList()
    outputs = prepare_outputs(site, site_dir, statics)
    taken, check_taken = published(outputs, statics) if published else ({}, False)
    stale = [output for output in outputs if urls.output_path(output.url) not in taken] if taken else outputs
    rendered = render_outputs(make_environment(site, site_dir / TEMPLATES_DIR), stale, errors)
    files = {}  # in the plan's order, as rendering them all gives
    for output in outputs:
        path = urls.output_path(output.url)
        data = taken[path] if path in taken else rendered.get(path)
        if data is not None:
            files[path] = data
    if not errors:
        check_links(outputs if check_taken else stale, files, statics, link_root(site.config),
                    lambda name: _read_text(site_dir / name), errors)
    if errors:
        raise BuildFailed(errors)
    return files


def check_site(options: BuildOptions) -> BuildResult:
    """`phuongnews check`: everything a build would report (every error, each once, and the
    warnings), with nothing written but to the build cache, for the next check or build: the
    posts' parses and the files' digests, as a build keeps them, and photo variants, as a
    build makes them. Raises BuildFailed.

    When a build left the output folder (and no killed build's update of it waits), the check
    is that build's work done again without writing (BuildOptions.dry): only what changed since
    is parsed, rendered and checked, the other pages were checked by that build. Otherwise it
    parses what the cache has no parse of and renders every page, on every core. At 10,000
    posts: 0.4 s after an edited body, 1.2 s after an added post, 3.4 s with no build to start
    from (7 s with nothing cached), where it took 10-12 s on one core."""
    out_dir = options.output
    if options.cache and (out_dir / MARKER).is_file() and not interrupted(out_dir) \
            and (options.site_dir / CONFIG_NAME).is_file():
        cache = BuildCache(options.site_dir)
        try:  # its record, not the 14,000 of its files
            built = cache.last_build(out_dir.absolute()) is not None
        finally:
            cache.close()
        if built:
            return build(dataclasses.replace(options, dry=True))
    started = time.perf_counter()
    jobs = options.jobs or workers.default_jobs()
    cache = BuildCache(options.site_dir) if options.cache and (options.site_dir / CONFIG_NAME).is_file() else None
    try:
        digests = FileDigests(options.site_dir, cache.file_digests() if cache else None)
        parses: list[ParseReuse] = []

        def reuse(config: SiteConfig) -> ParseReuse | None:
            if cache is None:
                return None
            # Whole parses, not light ones: every page is rendered, so every body is read.
            parses.append(ParseReuse(parse_scope(config, options.site_dir), digests, cache.parses, signatures=False,
                                     store=cache.parse_writer(), held=cache.parses_held))
            return parses[-1]

        try:
            site = load_site(options, reuse, jobs)
        finally:  # a failed check too: the next one, after the clerk's fix, parses only that file
            if parses:
                cache.keep_parses({key: value for key, value in parses[0].new.items() if key not in parses[0].stored},
                                  digests.used)
        statics = static_files(options.site_dir / "static")
        outputs = prepare_outputs(site, options.site_dir, statics, jobs)
        errors = _rendered_and_checked(site, outputs, statics, options.site_dir, jobs,
                                       cache.templates_folder if cache else None)
        if errors:
            raise BuildFailed(errors)
        return BuildResult(posts=len(site.articles), pages=len(outputs), files=len(outputs) + len(statics),
                           seconds=time.perf_counter() - started, out_dir=out_dir, warnings=site.warnings, site=site,
                           rendered=len(outputs), next_change=site.next_change)
    finally:
        if cache is not None:
            cache.close()


def _rendered_and_checked(site: Site, outputs: list[Output], statics: Mapping[str, Path], site_dir: Path, jobs: int,
                          templates_cache: Path | None) -> ErrorList:
    """Every page rendered and its links checked on `jobs` processes, as a build's workers do
    (incremental.render_and_write), keeping nothing but the faults: each template fault and
    broken link once, in the plan's order."""
    env = make_environment(site, site_dir / TEMPLATES_DIR, templates_cache)
    compile_ahead(env, (output.template for output in outputs if output.template))
    targets = link_targets([urls.output_path(output.url) for output in outputs], statics)
    base = link_root(site.config)

    def faults(output: Output) -> ErrorList:
        page_errors, reported = ErrorList(), set()
        page = render_page(env, output, page_errors, reported)
        if page is not None:
            check_page(output, page.data if page.text is None else page.text, targets, base,
                       lambda name: _read_text(site_dir / name), page_errors, reported)
        return page_errors

    errors, reported = ErrorList(), set()
    with collector_paused():  # thousands of pages' values and texts; no cycles
        for page_errors in workers.run(faults, outputs, jobs):
            errors.extend_new(page_errors, reported)
    return errors


# From this many posts on, the search index (a third of planning: 0.45 s at 10,000 posts) is
# made on another core while the rest is planned; below, forking costs about what it saves.
SEARCH_APART_FROM = 2_000


def prepare_outputs(site: Site, site_dir: Path, statics: dict[str, Path], jobs: int = 1,
                    last_index: LastIndex | None = None, posts_planned: Collection[str] | None = None,
                    search_files: Callable[[], list[Output]] | None = None) -> list[Output]:
    """Plan every page, make the photos, and refuse what cannot be written (BuildFailed).

    The site's photos are made (or taken from the cache) here, and `statics` is updated in
    place: their variants are added (output path -> cached file) and the originals of photos
    kept in static/ are taken out, so whoever writes or serves `statics` publishes the variants
    and never an original with its GPS position. `jobs`: cores the planning may use.
    `last_index`: what the last build left of the search index, to patch (indexpatch.py).
    `posts_planned`: the posts whose own pages get their values (see plan). `search_files`:
    gives the search index's files, if the caller has them made already (search_apart)."""
    errors = ErrorList()
    with contextlib.ExitStack() as stack:
        if search_files is None:
            search_files = stack.enter_context(search_apart(site, jobs, last_index))
        outputs = plan(site, search_files=search_files, posts_planned=posts_planned)
    _check_static_links(site_dir / "static", statics, errors)
    _add_photos(site, site_dir, statics, errors)
    _check_collisions(outputs, statics, errors)
    if not (site_dir / TEMPLATES_DIR).is_dir():
        errors.add(TEMPLATES_DIR, None, "template.folder_missing")
    if errors:
        raise BuildFailed(errors)
    return outputs


def search_apart(site: Site, jobs: int, last_index: LastIndex | None = None):
    """A context giving a function that gives the search index's files, made meanwhile on
    another core from SEARCH_APART_FROM posts on (workers.started)."""
    apart = jobs if len(site.articles) >= SEARCH_APART_FROM else 1
    return workers.started(lambda: search_outputs(site, last_index=last_index), apart)


def _add_photos(site: Site, site_dir: Path, statics: dict[str, Path], errors: ErrorList) -> images.Published | None:
    photos = [photo for item in (*site.articles, *site.pages) for photo in item.photos]
    covers = [article.cover_photo for article in site.articles if article.cover_photo is not None]
    cache_dir = site_dir / images.CACHE_FOLDER / "images"
    if not photos and not covers:
        if cache_dir.is_dir():  # the last photo was deleted: its variants go from the cache too
            images.prune(cache_dir, set())
        return None
    published = images.publish(images.variants(photos, covers), cache_dir)
    for photo, code in published.broken:
        errors.add(photo.source, photo.line, code, src=photo.name)
    for photo in (*photos, *covers):
        if photo.name.startswith("static/"):
            statics.pop(photo.name.removeprefix("static/"), None)
    statics.update(published.files)
    return published


def _read_text(path: Path) -> str | None:
    """A file's text, decoded as the loader did (so line numbers agree), for locating a line
    in an error message; None if it cannot be read."""
    return read_source(path, path.name, ErrorList())


def build(options: BuildOptions) -> BuildResult:
    """Build the site into its output folder, doing only the work the changes since the last
    build need (see buildcache and incremental); the result is byte for byte a clean build's."""
    # A build makes millions of objects and next to no reference cycles (about 800 in a cold
    # build of 10,000 posts): the collector's passes over the loaded site, which found
    # nothing, cost the build process 0.6 s at that size. Its workers inherit the pause.
    with collector_paused():
        return _build(options)


def _build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    check_output_folder(options.output, options.site_dir)
    # One moment for the whole build, so that --verify can judge scheduled posts at it too.
    moment_given = options.now is not None
    options = dataclasses.replace(options, now=options.now or datetime.now(UTC))
    jobs = options.jobs or workers.default_jobs()
    # A folder that is no site (no site.yaml) gets no cache folder.
    cache = BuildCache(options.site_dir) if options.cache and (options.site_dir / CONFIG_NAME).is_file() else None
    stack = contextlib.ExitStack()
    try:
        out_dir = options.output.absolute()
        records = cache.outputs(options.output) if cache else {}
        folders = cache.folders(options.output) if cache else None
        if records and not options.dry:
            # A killed build's journal is carried out first: the check below must see the
            # files as this build will find them. (Without records it has nothing to judge.)
            tidy(options.output)
        # Whether the output folder is as the last build left it (incremental.as_left: a stat
        # call per file and per folder, 0.1 s at 10,000 posts) is found out on the other core
        # while this one reads the sources' state and, if need be, loads the site: forked now,
        # the process is small. Every kind of build below asks it.
        left = stack.enter_context(workers.started(lambda: as_left(out_dir, records, folders),
                                                   jobs if records and folders else 1))
        digests = FileDigests(options.site_dir, cache.file_digests() if cache else None)
        # A first build into this folder (no file's digest known, no build to compare with)
        # takes the state of its sources after loading them: the parse workers digest the
        # files they read (ParseReuse.digest_in_workers), instead of this process reading and
        # digesting every one before they start.
        first = cache is not None and not digests.known and cache.last_build(options.output.absolute()) is None
        parts = source_parts(options, digests) if cache and not first else []
        state = text_digest(*parts) if parts else ""
        unchanged = (_unchanged_build(cache, options, state, records, left)
                     if cache and not (first or options.need_site or moment_given) else None)
        if unchanged is not None:
            cache.save_digests(digests.used)
            return dataclasses.replace(unchanged, seconds=time.perf_counter() - started, now=options.now,
                                       timings={"total": time.perf_counter() - started},
                                       rendered=0, written=0, removed=0)
        quick = (build_after_body_edits(options, cache, digests, parts, state, records, left, options.dry)
                 if cache and not (first or options.need_site or moment_given) else None)
        if quick is not None:
            last, done = quick
            return dataclasses.replace(last.result, seconds=time.perf_counter() - started, now=options.now,
                                       timings={**done.timings, "total": time.perf_counter() - started},
                                       rendered=done.rendered, written=done.written, removed=0)
        parses: list[ParseReuse] = []

        def reuse(config: SiteConfig) -> ParseReuse | None:
            if cache is None:
                return None
            # Light: a post's body and derived values are read when first asked for (buildcache).
            parses.append(ParseReuse(parse_scope(config, options.site_dir), digests, lambda keys: cache.parses(keys, light=True),
                                     store=cache.parse_writer(), held=cache.parses_held, digest_in_workers=first))
            return parses[-1]

        site = load_site(options, reuse, jobs)
        if first:  # the sources as they were parsed: their digests are known now
            parts = source_parts(options, digests)
            state = text_digest(*parts)
        loaded = time.perf_counter()
        statics = static_files(options.site_dir / "static")
        holdings = cache.holdings(options.output.absolute()) if cache else None
        last_index = (_last_index(cache, options.output.absolute(), site, parses[0].digest_of, records, holdings, parts)
                      if cache and parses and not first else None)
        # Begun before what changed is worked out: after a few changes the index is made (patched)
        # meanwhile, and the plan does not wait for it.
        search_files = stack.enter_context(search_apart(site, jobs, last_index))
        last_signed = _last_signed(cache, holdings, site, digests, parses[0].digest_of) if cache and parses else None
        # Only the posts whose pages may change get their pages' values planned (holdings.py).
        posts_planned = posts_to_plan(last_signed.changes, site.articles) if last_signed else None
        outputs = prepare_outputs(site, options.site_dir, statics, jobs, last_index, posts_planned, search_files)
        planned = time.perf_counter()

        def full_plan() -> list[Output]:  # the same pages, every one with its values; the same index files
            index_files = [output for output in outputs if output.template == RAW]
            return plan(site, search_files=lambda: index_files)

        written = render_and_write(
            site, outputs, statics, options.site_dir, options.output, records, digests,
            parses[0].digest_of if parses else None, lambda name: _read_text(options.site_dir / name), jobs,
            last_signed, keep_readings=cache is not None and not options.dry,
            templates_cache=cache.templates_folder if cache else None,
            folders=folders, full_plan=full_plan, left=left, dry=options.dry)
        finished = time.perf_counter()
        result = BuildResult(
            posts=len(site.articles), pages=len(outputs), files=len(outputs) + len(statics),
            seconds=finished - started, out_dir=options.output, warnings=site.warnings, site=site,
            timings={"load": loaded - started, "plan": planned - loaded, **written.timings, "total": finished - started},
            rendered=written.rendered, written=written.written, removed=written.removed, now=options.now,
            next_change=site.next_change,
        )
        unsaved = {key: value for key, value in parses[0].new.items() if key not in parses[0].stored} if parses else {}
        if cache is not None and options.dry:
            cache.keep_parses(unsaved, digests.used)
        elif cache is not None:
            summary = dataclasses.replace(result, site=None, timings={}, seconds=0.0)
            cache.save(parses[0].used, unsaved, digests.used, options.output.absolute(), written.records,
                       LastBuild(state, options.now, site.next_change, summary), written.holdings,
                       LastInputs(tuple(parts), site.pages),
                       Readings(written.rendered_paths, written.gone, written.readings), folders=written.folders)
        if KEPT_TO_EXIT is not None:
            KEPT_TO_EXIT.append((site, outputs, written, parses))
        return result
    finally:
        stack.close()
        if cache is not None:
            cache.close()


def _last_signed(cache: BuildCache, holdings: Holdings | None, site: Site, digests: FileDigests,
                 digest_of: Mapping[int, str]) -> LastSigned | None:
    """What the signing step may take from the last build, whose `holdings` those are."""
    loaded = site.content.loaded if site.content is not None else None
    if loaded is None or not loaded.keys:
        return None
    keys = {loaded.results[index][0].source: loaded.keys[index] for index in loaded.order}

    def versions(wanted: list[str]) -> dict[str, Article]:
        return {key: value[0] for key, (_, value) in cache.parses(wanted).items()}

    env = environment_digest(site, digests, digest_of)
    return LastSigned(holdings, keys, env, changes_since(holdings, env, site.articles, digest_of, versions))


def _last_index(cache: BuildCache, out_dir: Path, site: Site, digest_of: Mapping[int, str],
                records: Mapping[str, OutputRecord], holdings: Holdings | None, parts: Sequence[str]) -> LastIndex | None:
    """What the last build into `out_dir` left of the search index, for this build to patch;
    None unless it was made by the same program with the same options and site.yaml, and
    its files are as it wrote them."""
    inputs = cache.inputs(out_dir)
    if inputs is None or holdings is None or not digest_of \
            or tuple(inputs.parts[:FIXED_PARTS]) != tuple(parts[:FIXED_PARTS]):
        return None
    folder = urls.search(site.config.urls)
    names = search.index_names(records, folder)
    if folder + search.INDEX not in names:
        return None
    try:
        if any(output_stamp(os.lstat(out_dir / name)) != records[name].stamp for name in names):
            return None  # changed since: the index is made afresh
    except OSError:
        return None
    now = {article.source: digest_of.get(id(article)) for article in site.articles}
    changed = [source for source in holdings.posts if now.get(source) != holdings.digests.get(source)]
    if not indexpatch.few(len(changed), len(site.articles)):
        return None
    parsed = cache.parses([holdings.keys[source] for source in changed])
    settings = settings_digest(site.config)
    entries = {}
    for source in changed:
        value = parsed.get(holdings.keys[source])
        derived = getattr(value[1][0], "derived", None) if value is not None else None
        if getattr(derived, "settings", None) != settings:
            return None  # its entry then is not at hand
        entries[source] = derived.search

    def read(url: str) -> bytes:
        return (out_dir / urls.output_path(url)).read_bytes()

    return LastIndex(holdings.posts, entries, read, frozenset(names))


def source_parts(options: BuildOptions, digests: FileDigests) -> list[str]:
    """Everything a build reads and is asked, whose digest is the build's *state*: the
    program, the options, site.yaml and its digest, then the path and digest of every file
    under content/, templates/ and static/ (digests come from the cache while stamps hold)."""
    parts = [program_digest(), repr((options.base_url, options.drafts, options.relative)),
             CONFIG_NAME, digests(CONFIG_NAME)]
    for folder in ("content", "templates", "static"):
        for root, dirs, files in os.walk(options.site_dir / folder, followlinks=True):
            dirs.sort()
            prefix = Path(root).relative_to(options.site_dir).as_posix() + "/"
            for name in sorted(files):
                parts += [prefix + name, digests(prefix + name)]
    return parts


def _unchanged_build(cache: BuildCache, options: BuildOptions, state: str, records: Mapping[str, OutputRecord],
                     left: Callable[[], bool]) -> BuildResult | None:
    """The last build's result, if it is still exactly what this build would make: the same
    sources and options, no scheduled post due since, and its output folder as it left it
    (`left()`: whether incremental.as_left finds it so; `records`: the files it left)."""
    last = cache.last_build(options.output.absolute())
    if last is None or last.state != state:
        return None
    if options.now < last.moment or (last.next_change is not None and options.now >= last.next_change):
        return None
    out_dir = options.output.absolute()
    if not left() \
            and (not records or output_stamps(out_dir) != {path: record.stamp for path, record in records.items()}):
        return None
    return last.result


def verify(options: BuildOptions) -> tuple[int, ErrorList]:
    """Build the site again from nothing (no cache, a fresh folder) and compare it with the
    output folder byte for byte: (files compared, an error for each file that differs)."""
    with tempfile.TemporaryDirectory(prefix=".phuongnews-verify-", dir=options.output.absolute().parent) as temporary:
        clean = Path(temporary) / "site"
        build(dataclasses.replace(options, out_dir=clean, cache=False))
        built, fresh = _tree(options.output), _tree(clean)
        errors = ErrorList()
        for path in sorted(built.keys() | fresh.keys()):
            if path not in fresh:
                how = "verify.only_built"
            elif path not in built:
                how = "verify.only_clean"
            elif (options.output / path).read_bytes() != (clean / path).read_bytes():
                how = "verify.bytes"
            else:
                continue
            errors.add(nfc(str(options.output / path)), None, "verify.differs", how=Phrase(how))
        return len(fresh), errors


def _tree(folder: Path) -> dict[str, int]:
    """Relative path -> size of every file under `folder`."""
    return {path.relative_to(folder).as_posix(): path.stat().st_size for path in folder.rglob("*") if path.is_file()}


def _check_static_links(static_dir: Path, statics: dict[str, Path], errors: ErrorList) -> None:
    """static/ is published as it is: a shortcut (symlink) leading out of it would publish a
    file from elsewhere on the machine, so it is an error naming it, as in content/."""
    root = Path(os.path.realpath(static_dir))
    for relative, path in statics.items():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(root):
            errors.add(f"static/{nfc(relative)}", None, "source.outside_folder",
                       target=nfc(str(target)), folder="static/")


def _check_collisions(outputs: list[Output], statics: dict[str, Path], errors: ErrorList) -> None:
    """Two things that would write one file: an error naming both, never a silent overwrite.
    Compared case-insensitively, since Windows and macOS hosts fold case."""
    owners: dict[str, tuple[str, str]] = {}  # folded path -> (path, who)
    for relative in statics:
        owners[relative.casefold()] = (relative, f"static/{relative}")
    for output in outputs:
        path = urls.output_path(output.url)
        who = output.source or f"{TEMPLATES_DIR}/{output.template}"
        previous = owners.get(path.casefold())
        if previous is None:
            owners[path.casefold()] = (path, who)
        else:
            # Reported on the clerk's file; when that file came first, the other is the generated page.
            place, other = (output.source, previous[1]) if output.source else (previous[1], who)
            errors.add(place, None, "output.collision", url="/" + path, other=other)
