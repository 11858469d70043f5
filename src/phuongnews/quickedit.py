"""A build after edits of posts' bodies alone, without loading or planning the site.

A clerk's usual change is a few more sentences in a post. Planning reads nothing of a body
(bodyedit.py), so the plan after such an edit is the last plan with the new posts in place of
the old, and the only files whose bytes can change are the pages that read an edited body
(its own page, the feeds that carry it: render.BodyReadingEnvironment notes which) and the
search index (its words). Every build keeps, in the build cache, what each page read and the
planned values of the pages that read a body (pagevalues.py), so this build:

1. finds the changed files from the digests of every site file (as the no-change check does);
2. gives up, for a full build, unless they are published posts whose new parse differs from
   the last one in the body alone, with the same warnings, and the output folder is as the
   last build left it;
3. renders again the pages that read those bodies, with the posts as they are now, checks
   their links, and patches the search index (search.patched_files);
4. writes what changed through the same journal as every build, and updates the cache.

At 10,000 posts that is one post parsed and a few pages rendered instead of every cached
parse loaded and the whole site planned. The result is byte for byte a full build's
(tests/test_quickedit.py, and the random change sequences of tests/test_incremental.py).
Anything it is not sure of, including any error, goes to the full build, which reports it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from phuongnews import pagevalues, search, urls
from phuongnews.buildcache import FIXED_PARTS, BuildCache, LastBuild, OutputRecord, Readings
from phuongnews.config import load_config
from phuongnews.content import file_parser, parse_key, parse_scope, stem_of
from phuongnews.errors import ErrorList
from phuongnews.fingerprint import FileDigests, text_digest
from phuongnews.incremental import output_stamp
from phuongnews.linkcheck import check_page, link_root, link_targets
from phuongnews.models import Article, Site
from phuongnews.plan import settings_digest
from phuongnews.render import TEMPLATES_DIR, make_environment, render_output
from phuongnews.sources import read_source
from phuongnews.vietnamese import nfc
from phuongnews.writer import Staging

# More changed files than this, and a full build is about as quick.
MAX_CHANGED = 8


@dataclasses.dataclass(frozen=True)
class QuickResult:
    """What a quick build did, for build() to report beside the last build's numbers."""

    rendered: int
    written: int
    timings: dict


def build_after_body_edits(options, cache: BuildCache, digests: FileDigests, parts: Sequence[str], state: str,
                           records: Mapping[str, OutputRecord], left: Callable[[], bool],
                           dry: bool = False) -> tuple[LastBuild, QuickResult] | None:
    """Bring the output folder up to the site when only posts' bodies changed since the last
    build into it; None (nothing done) for a full build. `parts`: this build's source_parts,
    `state`: their digest; `records`: the files the last build left, `left()` whether the
    output folder is still as it left it (incremental.as_left); `dry`: write nothing, to the
    folder or the cache (a check, see build.check_site). Returns the last build's record and
    what was done (or would be)."""
    started = time.perf_counter()
    out_dir = options.output.absolute()
    found = _changed_posts(options, cache, parts)
    if found is None:
        return None
    inputs, last, holdings, changed = found
    errors = ErrorList()
    config = load_config(options.site_dir, errors, options.base_url)
    if config is None or errors:
        return None
    if options.relative:
        config = dataclasses.replace(config, relative=True)
    edited = _parsed_again(options.site_dir, config, cache, digests, holdings, changed)
    if edited is None:
        return None
    if not left():
        return None  # the output folder is not as the last build left it, or that is not sure
    parsed = time.perf_counter()

    made = _pages_made_again(options, config, cache, holdings, inputs.pages, records, edited)
    if made is None:
        return None
    files, readings = made
    index = _patched_index(out_dir, config, records, edited)
    if index is None:
        return None
    files.update(index)
    rendered = time.perf_counter()

    written = _write(out_dir, files, dry)
    if dry:
        return last, QuickResult(rendered=len(readings), written=len(written),
                                 timings={"parse": parsed - started, "render": rendered - parsed,
                                          "write": time.perf_counter() - rendered})
    # A page rendered again keeps its recorded signature: it was made from the post's old
    # version, so the next build that signs the page finds it moved and renders it again
    # (the same bytes, not written). Never the other way round.
    records = {path: dataclasses.replace(records[path], stamp=output_stamp(os.lstat(out_dir / path))) for path in written}
    # A file replaced moved its folder's date; no folder came or went.
    folders = {folder: os.stat(os.path.join(out_dir, folder)).st_mtime_ns
               for folder in {path.rpartition("/")[0] for path in written}}
    now_digests = _file_digests(parts)
    cache.save_edits(out_dir, {edit.key: edit.entry for edit in edited}, [holdings.keys[edit.source] for edit in edited],
                     dataclasses.replace(last, state=state, moment=options.now),
                     Readings(list(readings), (), {path: r for path, r in readings.items() if r[0]}), {
                         "files": {path: entry for path, entry in digests.used.items() if digests.known.get(path) != entry},
                         "outputs": records,
                         "folders": folders,
                         "digests": {edit.source: edit.digest for edit in edited},
                         "keys": {edit.source: edit.key for edit in edited},
                         "parts": {path: now_digests[path] for path in changed},
                     })
    finished = time.perf_counter()
    return last, QuickResult(rendered=len(readings), written=len(written),
                             timings={"parse": parsed - started, "render": rendered - parsed, "write": finished - rendered})


def _patched_index(out_dir: Path, config, records, edited: list[_Edit]) -> dict[str, bytes] | None:
    """The search index's files that the edits change (output path -> bytes), patched from
    those in the output folder; None if that cannot be done without a file coming or going."""
    folder = urls.search(config.urls)

    @functools.cache  # the manifest and the posts' files are read for each edit, then patched
    def read(url: str) -> bytes:
        return (out_dir / urls.output_path(url)).read_bytes()

    try:
        numbers = [search.document_number(read, folder, edit.old_entry) for edit in edited]
        if None in numbers:
            return None
        names = search.index_names(records, folder)
        patched = search.patched_files(read, names, folder, config.units,
                                       [(number, edit.old_entry, edit.new_entry) for number, edit in zip(numbers, edited)])
    except (OSError, ValueError, KeyError):  # files not as the last build wrote them: the full build sees to it
        return None
    if patched is None or patched.gone or not patched.changed <= names:
        return None
    return {urls.output_path(url): patched.files[url] for url in patched.changed}


def _file_digests(parts: Sequence[str]) -> dict[str, str]:
    """Site path -> digest, from build.source_parts."""
    return dict(zip(parts[FIXED_PARTS::2], parts[FIXED_PARTS + 1::2]))


def _changed_posts(options, cache: BuildCache, parts: Sequence[str]):
    """(the last build's inputs, its record, its holdings, {changed path: source}) when the
    files that changed since the last build are a few published posts and nothing else, and
    no scheduled post came due since; else None."""
    out_dir = options.output.absolute()
    inputs = cache.inputs(out_dir)
    if inputs is None or tuple(inputs.parts[:FIXED_PARTS]) != tuple(parts[:FIXED_PARTS]):
        return None  # another program, other options, another site.yaml
    before, now = _file_digests(inputs.parts), _file_digests(parts)
    if before.keys() != now.keys():
        return None  # a file added or removed
    changed = {path: nfc(path) for path, digest in now.items() if before[path] != digest}
    if not changed or len(changed) > MAX_CHANGED:
        return None
    # The same transaction saved them and the inputs: they are of the same build.
    last, holdings = cache.last_build(out_dir), cache.holdings(out_dir)
    if last is None or holdings is None:
        return None
    if options.now < last.moment or (last.next_change is not None and options.now >= last.next_change):
        return None  # a scheduled post is due: the posts shown change
    if any(source not in holdings.keys or os.path.islink(options.site_dir / path) for path, source in changed.items()):
        return None  # not a published post (a template, a page, a photo, a draft …)
    return inputs, last, holdings, changed


def _pages_made_again(options, config, cache: BuildCache, holdings, fixed_pages, records,
                      edited: list[_Edit]) -> tuple[dict[str, bytes], dict] | None:
    """The pages that read an edited post's body, rendered with the posts as they are now
    and their links checked: (output path -> bytes, output path -> (bodies read, frozen
    output)); None on any fault, for the full build to report."""
    posts: dict[str, Article] = {edit.source: edit.article for edit in edited}

    def post_of(source: str) -> Article:
        found = posts.get(source)
        if found is None:  # as the last build parsed it
            value = cache.parses([holdings.keys[source]]).get(holdings.keys[source])
            if value is None:
                raise KeyError(source)
            found = posts[source] = value[1][0]
        return found

    settings = settings_digest(config)

    def json_ld_of(source: str):
        derived = post_of(source).derived
        if getattr(derived, "settings", None) != settings:
            raise KeyError(source)  # made for other settings: the plan would make it again
        return derived.json_ld

    out_dir = options.output.absolute()
    try:
        pages = {path: pagevalues.thaw(data, post_of, config.unit, json_ld_of)
                 for path, data in cache.readers(out_dir, [edit.source for edit in edited]).items()}
    except Exception:  # noqa: BLE001 -- a frozen page that does not thaw: build in full
        return None
    env = make_environment(Site(config=config, articles=(), pages=fixed_pages), options.site_dir / TEMPLATES_DIR,
                           cache.templates_folder)
    targets = link_targets(records)
    base = link_root(config)
    errors = ErrorList()
    files: dict[str, bytes] = {}
    readings: dict[str, tuple[tuple[str, ...], bytes]] = {}
    for path, output in sorted(pages.items()):
        reads: set[str] = set()
        data = render_output(env, output, errors, set(), reads)
        if data is None:
            return None
        check_page(output, data, targets, base, lambda name: None, errors, set())
        if errors:
            return None  # a broken link: the full build reports it where the clerk can mend it
        files[path] = data
        readings[path] = (tuple(sorted(reads)), pagevalues.freeze(output))
    return files, readings


@dataclasses.dataclass(frozen=True)
class _Edit:
    source: str
    key: str  # its parse key
    entry: tuple  # what the parse cache keeps: (consulted files, (model, errors, warnings))
    article: Article
    digest: str  # the post's digest for page signatures (content.load_content's digest_of)
    old_entry: search.SearchEntry
    new_entry: search.SearchEntry


def _parsed_again(site_dir: Path, config, cache: BuildCache, digests: FileDigests, holdings,
                  sources: dict[str, str]) -> list[_Edit] | None:
    """The changed posts parsed again, if each differs from its last parse in the body alone
    (and its derived values: the search entry), with the same warnings and photos; else None."""
    scope = parse_scope(config, site_dir)
    parse = file_parser(site_dir, config, site_dir / "static")
    old_keys = [holdings.keys[source] for source in sources.values()]
    cached = cache.parses(old_keys)
    settings = settings_digest(config)
    edits = []
    for path, source in sorted(sources.items()):
        previous = cached.get(holdings.keys[source])
        if previous is None:
            return None
        old_consulted, (old, _, old_warnings) = previous
        read_errors = ErrorList()
        text = read_source(site_dir / path, source, read_errors)
        if text is None:
            return None
        stem = stem_of(path)
        key = parse_key(scope, "posts", source, stem, digests(path))
        (new, file_errors, warnings), names = parse(("posts", source, stem, text))
        consulted = {name: digests(name) for name in names}
        if new is None or file_errors or not isinstance(old, Article) or consulted != old_consulted \
                or dataclasses.replace(new, body_html=old.body_html) != old \
                or _warnings(warnings) != _warnings(old_warnings):
            return None
        if getattr(old.derived, "settings", None) != settings or getattr(new.derived, "settings", None) != settings:
            return None
        digest = text_digest(key, *(f"{name}={value}" for name, value in sorted(consulted.items())))
        edits.append(_Edit(source, key, (consulted, (new, file_errors, warnings)), new, digest,
                           old.derived.search, new.derived.search))
    return edits


def _warnings(warnings) -> list[tuple]:
    return [(warning.path, warning.line, warning.code, repr(warning.params)) for warning in warnings]


def _write(out_dir: Path, files: dict[str, bytes], dry: bool = False) -> list[str]:
    """Write the files whose bytes differ from those on disk, through the writer's journal
    (`dry`: only name them)."""
    with Staging.open(out_dir, fresh=False, dry=dry) as staging:
        for path, data in sorted(files.items()):
            try:
                same = (out_dir / path).read_bytes() == data
            except OSError:
                same = False
            if not same:
                staging.put(path, data)
        written = sorted(set(staging.written))
        staging.commit(removed=())
    return written
