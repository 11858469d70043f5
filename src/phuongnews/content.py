"""Posts and pages: `parse_post`/`parse_page` turn text into models (pure); `load_content`
is the only function here that touches the disk."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import pickle
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from phuongnews import plan, urls, workers
from phuongnews.buildcache import parse_record
from phuongnews.config import resolver
from phuongnews.dates import parse_date
from phuongnews.errors import ErrorList, SourceError
from phuongnews.fingerprint import FileDigests, program_digest, text_digest
from phuongnews.frontmatter import split_front_matter
from phuongnews.images import Photo, PhotoProblem, PhotoResolver
from phuongnews.markup import MarkdownRenderer
from phuongnews.messages import Phrase
from phuongnews.models import Article, Page, SiteConfig, Speaker, TaskList
from phuongnews.people import person_key
from phuongnews.schema import Reader
from phuongnews.sources import read_source, relative_name, source_from_bytes
from phuongnews.vietnamese import collation_key, fold, nfc, slugify_vi, strip_honorific
from phuongnews.yamlsource import parse_yaml

POST_KEYS = (
    "title", "date", "published", "units", "location", "author", "source", "summary",
    "cover", "draft", "slug", "speakers", "tasks", "expires", "aliases",
)
SPEAKER_KEYS = ("name", "role", "note", "id")
TASK_KEYS = ("unit", "year", "title", "items")
PAGE_KEYS = ("title", "slug", "draft")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Content:
    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    warnings: tuple[SourceError, ...] = ()  # what the HTML sanitiser removed
    loaded: Loaded | None = field(default=None, compare=False, repr=False)  # for a later load of the same files


@dataclass(frozen=True)
class Loaded:
    """Every content file of one load and what parsing it gave, so that a later load of the
    same files (the preview, after a save) looks at the changed files only."""

    listed: list[tuple[str, str, str, str, str]]  # (kind, path, name on disk, name as the clerk reads it, stem)
    listing_errors: tuple[SourceError, ...]  # found while listing the files (shortcuts leading out …)
    keys: list[str]  # parse keys (with ParseReuse)
    consulted: list[dict[str, str]]  # site files each parse looked at -> digest
    results: list[tuple]  # (model, errors, warnings)
    order: list[int]  # places in `listed` of the posts published (drafts as asked), newest first
    clean: bool  # no file had errors
    index_of: dict[str, int] | None = None  # name on disk -> place in `listed`: made by the first later load


@dataclass
class ParseReuse:
    """What `load_content` may take from earlier builds, and what it learnt for later ones.

    A parse is a pure function of the file's text and name, the settings, the program, and
    the site files it consulted (photos, a cover): `scope` is the digest of all but the file
    and the consulted files; `digests` tells what each consulted file holds now."""

    scope: str
    digests: FileDigests
    cached: Callable[[list[str]], dict[str, tuple[dict[str, str], tuple]]] = lambda keys: {}
    used: set[str] = field(default_factory=set)  # keys of this build's parses
    partial: bool = False  # set by a load that looked at changed files only (`earlier`): `digests` saw just those
    new: dict[str, tuple[dict[str, str], tuple]] = field(default_factory=dict)  # parsed this time
    digest_of: dict[int, str] = field(default_factory=dict)  # id(model) -> its key, for page signatures
    signatures: bool = True  # whether digest_of is wanted (the preview compares pages, it does not sign them)
    # The keys of earlier loads by what they are made of, for a caller that loads again and
    # again (the preview): a dict lookup instead of a digest per file.
    known_keys: dict[tuple, str] | None = None
    # Where forked parse workers keep their parses themselves (BuildCache.parse_writer): they
    # pickle each one to send it anyway, so the build neither pickles it again nor waits while
    # ten thousand are written. `stored` gets the keys of those the cache holds after parsing.
    store: Callable[[list[tuple[str, bytes, bytes]]], None] | None = None
    held: Callable[[list[str]], set[str]] | None = None  # of keys: those the cache holds
    stored: set[str] = field(default_factory=set)
    # A first build's (nothing cached, no digest known): each file is digested by the worker
    # that parses it, which reads it anyway, not here one by one before the workers start.
    digest_in_workers: bool = False

    def key(self, *parts: str) -> str:
        if self.known_keys is None:
            return parse_key(self.scope, *parts)
        found = self.known_keys.get(parts)
        if found is None:
            found = self.known_keys[parts] = parse_key(self.scope, *parts)
        return found


def parse_key(scope: str, kind: str, source: str, stem: str, digest: str) -> str:
    """The key of a file's parse in the build cache: everything its result depends on but the
    site files it consulted. One digest of the parts joined by NUL, which none of them can
    hold (a path cannot, the others are names and hex digests): half of text_digest's cost,
    which feeds each part in with its length (10,000 keys: 0.02 s against 0.04 s)."""
    return hashlib.blake2b("\0".join((scope, kind, source, stem, digest)).encode("utf-8", "surrogatepass"),
                           digest_size=20).hexdigest()


def parse_scope(config: SiteConfig, site_dir: Path) -> str:
    """ParseReuse.scope: what every parse of this site depends on besides its file."""
    return text_digest(program_digest(), repr(config), str(site_dir.resolve()))


def load_content(site_dir: Path, config: SiteConfig, errors: ErrorList, drafts: bool = False,
                 reuse: ParseReuse | None = None, jobs: int = 1, earlier: Content | None = None,
                 changed: Collection[str] = ()) -> Content:
    """Read every post and page; every error in every file is added to `errors`. With `reuse`,
    files parsed by an earlier build are not parsed again; the others are parsed on `jobs`
    processes. Either way the result, errors and warnings are those of parsing each file in turn.

    `earlier` and `changed` (site-relative names) are the preview's: its caller vouches that
    the content folder holds the files `earlier` was loaded from, with the same settings, and
    that only those in `changed` may differ, have come or have gone. Only they are looked at
    (the folders are listed again if one came or went); every other file's result (errors
    and warnings included) is `earlier`'s."""
    static_dir = site_dir / "static"
    before = earlier.loaded if earlier is not None and reuse is not None else None
    index_of = {}
    if before is not None:
        index_of = before.index_of or {entry[2]: index for index, entry in enumerate(before.listed)}
    same_listing = before is not None and all(name in index_of and os.path.lexists(site_dir / name) for name in changed)
    if same_listing:
        reuse.partial = True
        listed, listing_errors = before.listed, before.listing_errors
        keys, consulted, results = list(before.keys), list(before.consulted), list(before.results)
        todo = sorted(index_of[name] for name in changed)
        for index in todo:
            results[index], consulted[index] = None, {}
    else:
        found = ErrorList()
        # (kind, path, name as on disk, name as the clerk reads it, stem): posts first, in name order
        listed = [_listed(kind, path, relative, before, index_of)
                  for kind, recursive in (("posts", True), ("pages", False))
                  for path, relative in _markdown_files(site_dir, kind, found, recursive=recursive)]
        listing_errors = tuple(found)
        keys = [""] * len(listed)
        results = [None] * len(listed)
        consulted = [{} for _ in listed]
        todo = range(len(listed))
        if before is not None:
            # Files came or went (the preview): the others, unless saved, are as `earlier` had them.
            reuse.partial = True
            for index, entry in enumerate(listed):
                old = index_of.get(entry[2])
                if old is not None and entry[2] not in changed and before.listed[old] is entry:
                    keys[index], consulted[index], results[index] = before.keys[old], before.consulted[old], before.results[old]
            todo = [index for index, result in enumerate(results) if result is None]
    errors.extend(listing_errors)
    if reuse is not None and not reuse.digest_in_workers:
        # A file is named in its key by its bytes' digest, which the cache knows without reading
        # the file while its stamp holds: files parsed before are not even read.
        for index in todo:
            kind, _, relative, source, stem = listed[index]
            keys[index] = reuse.key(kind, source, stem, reuse.digests(relative))
        cached = reuse.cached([keys[index] for index in todo])
        for index in todo:
            hit = cached.get(keys[index])
            if hit is not None and all(reuse.digests(name) == digest for name, digest in hit[0].items()):
                results[index] = hit[1]
                consulted[index] = hit[0]
    missing = [index for index in todo if results[index] is None]
    parse = file_parser(site_dir, config, static_dir)
    kept: list[tuple[str, bytes, bytes, bytes | None]] = []  # a worker's parses for the cache, until its chunk is done

    def read_and_parse(index: int, data: bytes | None = None):
        """`data`: the file's bytes, if they were read already (to digest them)."""
        kind, path, _, source, stem = listed[index]
        read_errors = ErrorList()
        text = read_source(Path(path), source, read_errors) if data is None else source_from_bytes(data, source, read_errors)
        if text is None:
            return (None, tuple(read_errors), ()), []
        return parse((kind, source, stem, text))

    def parse_in_worker(index: int):
        """A file read and parsed (by a worker, which decodes it too), pickled there once: for
        the build, and for the cache if it may be kept. With `digest_in_workers`, its key and
        its (stamp, digest) come back too, for the build's FileDigests."""
        digested, data = None, None
        if reuse is not None and reuse.digest_in_workers:
            kind, _, relative, source, stem = listed[index]
            digest, data = reuse.digests.read(relative)  # its bytes too: the file is read once
            keys[index] = reuse.key(kind, source, stem, digest)
            digested = (keys[index], reuse.digests.used.get(relative))
        result, names = read_and_parse(index, data)
        if not workers.in_worker():
            return result, names, None  # made here: `keys` and the digests are this process's
        if reuse is not None and reuse.store is not None and result[0] is not None and not result[1]:
            data, cut = parse_record(result)  # as the cache keeps it: light and heavy apart
            view = memoryview(data)
            kept.append((keys[index], pickle.dumps({name: reuse.digests(name) for name in names}, 5),
                         view[:cut], view[cut:] if cut < len(data) else None))
        # Sent whole, pickled once more: a post made from its two parts here, as one object in
        # the cache's two, left the build and its render workers holding 25 MB more at 10,000
        # posts (100 MB at 50,000), for 0.3 s of the workers' CPU saved.
        return pickle.dumps(result, 5), names, digested

    def flush() -> None:
        if kept:
            reuse.store(kept)
            kept.clear()

    def received(sent: tuple[bytes, list[str], tuple | None]):
        return pickle.loads(sent[0]), sent[1], sent[2]

    for index, (result, names, digested) in zip(missing, workers.run(parse_in_worker, missing, jobs, flush, received,
                                                                     fresh=False)):
        if digested is not None:
            keys[index], stamp_and_digest = digested
            if stamp_and_digest is not None:  # None: the file could not be read, nor digested
                reuse.digests.used.setdefault(listed[index][2], stamp_and_digest)
        results[index] = result
        model, file_errors, _ = result
        if reuse is not None:
            consulted[index] = {name: reuse.digests(name) for name in names}
            if model is not None and not file_errors:  # failed files are parsed again
                reuse.new[keys[index]] = (consulted[index], result)

    if reuse is not None:
        reuse.used.update(keys)
        if reuse.store is not None and reuse.new and reuse.held is not None:
            reuse.stored = reuse.held(list(reuse.new))  # a worker that could not write: the build saves its parses
    if same_listing and not reuse.signatures and before.clean \
            and all(_same_place(before.results[i][0], results[i][0], drafts) for i in todo):
        return _patched_content(earlier, listed, todo, results, drafts, errors,
                                Loaded(listed, listing_errors, keys, consulted, results, before.order, True, index_of))
    posts, pages, warnings, clean = [], [], [], True
    for index, ((kind, *_), (model, file_errors, file_warnings)) in enumerate(zip(listed, results)):
        errors.extend(file_errors)
        warnings.extend(file_warnings)
        clean = clean and not file_errors
        if reuse is not None and model is not None and reuse.signatures:  # what its pages depend on: its text and the photos it shows
            # Its parse key alone, if it consulted no other file (most posts: a digest fewer each).
            reuse.digest_of[id(model)] = text_digest(keys[index], *(f"{name}={digest}" for name, digest
                                                                   in sorted(consulted[index].items()))) \
                if consulted[index] else keys[index]
        if model is not None and (drafts or not model.draft):
            if kind == "posts":
                posts.append(index)
            else:
                pages.append(model)
    order = sorted(posts, key=lambda i: _newest_first(results[i][0]), reverse=True)
    articles = [results[index][0] for index in order]
    pages.sort(key=lambda p: (collation_key(p.title), p.slug))
    return Content(tuple(articles), tuple(pages), tuple(warnings),
                   Loaded(listed, listing_errors, keys, consulted, results, order, clean))


def _listed(kind: str, path: str, relative: str, before: Loaded | None, index_of: Mapping[str, int]) -> tuple:
    """A listed file's entry: the earlier load's, if it listed the file as the same kind."""
    if before is not None and (old := index_of.get(relative)) is not None and before.listed[old][0] == kind:
        return before.listed[old]
    return kind, path, relative, nfc(relative), stem_of(relative)


def _patched_content(earlier: Content, listed, todo, results, drafts: bool, errors: ErrorList, loaded: Loaded) -> Content:
    """The content after saves of a few files that kept their posts' places (the preview):
    `earlier` had no errors, so only the saved files' errors are new; its warnings and pages
    stand unless a saved file had or has warnings or is a page. Ten thousand files are not
    gone over again."""
    before = earlier.loaded
    for index in todo:
        errors.extend(results[index][1])
    if any(results[index][1] for index in todo):
        loaded = dataclasses.replace(loaded, clean=False)
    warnings = earlier.warnings
    if any(results[index][2] or before.results[index][2] for index in todo):
        warnings = tuple(warning for _, _, file_warnings in results for warning in file_warnings)
    pages = earlier.pages
    if any(listed[index][0] == "pages" for index in todo):
        shown = [results[index][0] for index, (kind, *_) in enumerate(listed) if kind == "pages"]
        pages = tuple(sorted((page for page in shown if page is not None and (drafts or not page.draft)),
                             key=lambda p: (collation_key(p.title), p.slug)))
    return Content(tuple([results[index][0] for index in loaded.order]), pages, warnings, loaded)


def _newest_first(article: Article) -> tuple:
    return (article.date, article.published, article.slug)


def _same_place(old, new, drafts: bool) -> bool:
    """Whether a post's new version sorts and is left out exactly as its old one did."""
    if not isinstance(old, Article) or not isinstance(new, Article):
        return type(old) is type(new)  # both pages, or both failed: the posts' order is not theirs
    return _newest_first(old) == _newest_first(new) and (drafts or old.draft == new.draft)


class _ConsultingResolver(PhotoResolver):
    """A PhotoResolver that notes every site file it looks at, for the build cache."""

    def __init__(self, site_dir: Path, originals: bool):
        super().__init__(site_dir, originals)
        self.consulted: set[str] = set()

    def find(self, src: str, source: str, static_first: bool = False) -> Photo:
        self.consulted.update(self.candidates(src, source, static_first))
        return super().find(src, source, static_first)


def file_parser(site_dir: Path, config: SiteConfig, static_dir: Path):
    """parse(file) -> ((model, errors, warnings), consulted site files) for one file. One
    renderer serves all files of a process; each file's part of its warnings is taken out."""
    resolver = _ConsultingResolver(site_dir, config.photo_originals)
    renderer = MarkdownRenderer(config.base_path, config.embeds, config.relative, resolver)

    def parse(file: tuple[str, str, str, str]):
        kind, source, stem, text = file
        file_errors, warned = ErrorList(), len(renderer.warnings)
        resolver.consulted = set()
        if kind == "posts":
            model = parse_post(text, source, stem, config, renderer, file_errors, static_dir)
            if model is not None and model.cover and model.cover_photo is None:  # a cover checked in static/
                resolver.consulted.add(f"static/{model.cover.lstrip('/')}")
        else:
            model = parse_page(text, source, stem, config, renderer, file_errors)
        return (model, tuple(file_errors), tuple(renderer.warnings[warned:])), sorted(resolver.consulted)

    return parse


def _markdown_files(site_dir: Path, kind: str, errors: ErrorList, recursive: bool) -> list[tuple[str, str]]:
    """(path, site-relative posix name) of every post or page file; strings, as making ten
    thousand Path objects costs more than the rest of finding them."""
    folder = site_dir / "content" / kind
    if not folder.is_dir():
        return []
    content = Path(os.path.realpath(site_dir / "content"))
    if not _stays_inside(folder, content, site_dir, errors):
        return []
    files = []
    prefix = f"content/{kind}/"
    for parts, entry in _entries(folder, recursive):
        is_markdown = parts[-1].lower().endswith(".md")
        if not entry.is_symlink():
            if is_markdown and entry.is_file(follow_symlinks=False):
                files.append((entry.path, prefix + "/".join(parts)))
            continue
        path = folder.joinpath(*parts)
        if (is_markdown or path.is_dir()) and not _stays_inside(path, content, site_dir, errors):
            continue
        if is_markdown and path.is_file():
            files.append((str(path), prefix + "/".join(parts)))
        elif is_markdown and not path.exists():
            errors.add(relative_name(path, site_dir), None, "source.broken_link")
    return files


def _entries(folder: Path, recursive: bool) -> list[tuple[tuple[str, ...], os.DirEntry]]:
    """(names from `folder` down, entry) of everything in it, in path order, as rglob("*")
    (or glob("*")) finds it: folders that are shortcuts are listed but not entered. Hidden
    entries and whatever is below them are left out: editors leave lock and swap files
    (.#post.md, .post.md.swp) beside the real ones."""
    found = []
    stack: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while stack:
        top, above = stack.pop()
        try:
            with os.scandir(top) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError:
            continue
        for entry in entries:
            parts = (*above, entry.name)
            found.append((parts, entry))
            if recursive and entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, parts))
    found.sort(key=lambda item: item[0])  # Path order: name by name
    return found


def stem_of(relative: str) -> str:
    """Path(relative).stem, without making a Path."""
    return os.path.splitext(relative.rpartition("/")[2])[0]


def _stays_inside(path: Path, content: Path, site_dir: Path, errors: ErrorList) -> bool:
    """A published site must not pull in files from elsewhere on the machine: a shortcut
    (symlink) leading out of content/ is an error naming it; one to a file inside is fine.
    realpath, unlike resolve, does not raise on a shortcut that leads to itself."""
    target = Path(os.path.realpath(path))
    if target.is_relative_to(content):
        return True
    errors.add(relative_name(path, site_dir), None, "source.outside_folder", target=nfc(str(target)), folder="content/")
    return False


def parse_post(
    text: str, source: str, stem: str, config: SiteConfig, renderer: MarkdownRenderer,
    errors: ErrorList, static_dir: Path | None = None,
) -> Article | None:
    before = len(errors)
    parsed = _front_matter(text, source, POST_KEYS, Phrase("post"), errors)
    if parsed is None:
        return None
    split, read = parsed
    title = read.text(("title",), required=True)
    date, has_time = _date(read, ("date",), config, required=True)
    published, published_has_time = _date(read, ("published",), config, required=False)
    expires, _ = _date(read, ("expires",), config, required=False)
    units = _units(read, config)
    speakers = _speakers(read)
    tasks = _tasks(read, config, units)
    slug = _slug(read, stem)
    cover, cover_photo = _cover(read, static_dir, renderer)
    aliases = _aliases(read)
    draft = read.boolean(("draft",), False)
    fields = {key: read.text((key,)) for key in ("location", "author", "source", "summary")}
    if expires is not None and date is not None and expires <= (published or date):
        read.error(("expires",), "expires.before_published")
    url = urls.article(config.urls, date.year, slug) if date is not None and slug is not None else ""
    body_html, photos = _body(renderer, split, source, url, errors)
    if len(errors) > before or title is None or date is None or slug is None:
        return None
    article = Article(
        source=source, slug=slug, url=url, title=title,
        date=date, date_has_time=has_time, published=published or date, units=units,
        location=fields["location"], author=fields["author"], source_name=fields["source"],
        summary=fields["summary"], cover=cover, draft=draft, speakers=speakers, tasks=tasks,
        body_html=body_html, published_has_time=published_has_time,
        published_stated=published is not None, expires=expires, aliases=aliases,
        photos=photos, cover_photo=cover_photo,
    )
    return dataclasses.replace(article, derived=plan.derive(article, config))


def parse_page(
    text: str, source: str, stem: str, config: SiteConfig, renderer: MarkdownRenderer, errors: ErrorList
) -> Page | None:
    before = len(errors)
    parsed = _front_matter(text, source, PAGE_KEYS, Phrase("page"), errors)
    if parsed is None:
        return None
    split, read = parsed
    title = read.text(("title",), required=True)
    slug = _slug(read, stem)
    draft = read.boolean(("draft",), False)
    url = urls.page(config.urls, slug) if slug is not None else ""
    body_html, photos = _body(renderer, split, source, url, errors)
    if len(errors) > before or title is None or slug is None:
        return None
    return Page(source=source, slug=slug, url=url, title=title, draft=draft, body_html=body_html, photos=photos)


def _body(renderer: MarkdownRenderer, split, source: str, url: str, errors: ErrorList) -> tuple[str, tuple[Photo, ...]]:
    """The body as HTML and the photos it shows; an image that cannot be published is an error."""
    html = renderer.render(split.body, source, split.body_first_line, url)
    errors.extend(renderer.errors)
    return html, tuple(renderer.found)


def _front_matter(text: str, source: str, allowed: tuple[str, ...], what: Phrase, errors: ErrorList):
    """The `---` block as a Reader over a mapping of allowed keys, and the split file;
    None (with errors added) when there is no usable front-matter."""
    split = split_front_matter(text, source, errors)
    if split is None:
        return None
    doc = parse_yaml(split.yaml_text, source, errors, split.yaml_first_line)
    if doc is None:
        return None
    if doc.data is None:
        errors.add(source, split.yaml_first_line, "frontmatter.empty")
        return None
    read = Reader(doc, source, errors)
    if read.mapping((), allowed, what) is None:
        return None
    return split, read


def _date(read: Reader, path: tuple, config: SiteConfig, required: bool):
    if not read.has(path) or read.get(path) is None:
        if required:
            read.error(path, "field.required", key=path[0])
        return None, False
    raw = read.get(path)
    if isinstance(raw, (dict, list, bool)):
        read.error(path, "date.format", value=read.doc.raw.get(path, raw))
        return None, False
    parsed = parse_date(str(raw), config.timezone)
    if parsed.error:
        read.error(path, parsed.error, **dict(parsed.params))
        return None, False
    return parsed.value, parsed.has_time


def _units(read: Reader, config: SiteConfig) -> tuple[str, ...]:
    if not read.has(("units",)) or read.get(("units",)) in (None, []):
        read.error(("units",), "units.required", known=_known_units(config))
        return ()
    table = resolver(config)
    keys: list[str] = []
    before = len(read.errors)
    for path in read.items(("units",), "units", allow_single=True):
        label = read.text(path)
        if label is None:
            continue
        key = table.get(fold(label))
        if key is None:
            guess = difflib.get_close_matches(fold(label), list(table), n=1, cutoff=0.6)
            if guess:
                read.error(path, "units.unknown_guess", value=label, guess=table[guess[0]], known=_known_units(config))
            else:
                read.error(path, "units.unknown", value=label, known=_known_units(config))
        elif key not in keys:
            keys.append(key)
    if not keys and len(read.errors) == before:  # units: "" or [null]: still no unit at all
        read.error(("units",), "units.required", known=_known_units(config))
    return tuple(keys)


def _known_units(config: SiteConfig) -> str:
    return ", ".join(f"{unit.key} ({unit.short})" for unit in config.units)


def _speakers(read: Reader) -> tuple[Speaker, ...]:
    speakers = []
    for path in read.items(("speakers",), "speakers"):
        if not isinstance(read.get(path), dict):
            read.error(path, "speakers.not_mapping")
            continue
        read.mapping(path, SPEAKER_KEYS, "speakers")
        name = read.text(path + ("name",), required=True)
        person_id = read.text(path + ("id",))
        if person_id is not None and not SLUG.match(person_id):
            read.error(path + ("id",), "speakers.id", value=person_id, suggestion=slugify_vi(person_id) or "nguoi-1")
            continue
        if name:
            name = strip_honorific(name)
            speakers.append(Speaker(name=name, role=read.text(path + ("role",)), note=read.text(path + ("note",)),
                                    key=person_key(name, person_id)))
    return tuple(speakers)


def _tasks(read: Reader, config: SiteConfig, units: tuple[str, ...]) -> tuple[TaskList, ...]:
    table = resolver(config)
    tasks = []
    for path in read.items(("tasks",), "tasks"):
        if not isinstance(read.get(path), dict):
            read.error(path, "tasks.not_mapping")
            continue
        read.mapping(path, TASK_KEYS, "tasks")
        unit = None
        label = read.text(path + ("unit",))
        if label is not None:
            unit = table.get(fold(label))
            if unit is None:
                read.error(path + ("unit",), "units.unknown", value=label, known=_known_units(config))
            elif units and unit not in units:
                read.error(path + ("unit",), "tasks.unit_not_in_post", unit=unit)
        year = read.integer(path + ("year",), None, 1900, 2100)
        if year is None and not read.has(path + ("year",)):
            read.error(path + ("year",), "field.required", key="tasks.year")
        items = tuple(item for item in (read.text(p) for p in read.items(path + ("items",), "items", allow_single=True)) if item)
        if not items:
            read.error(path + ("items",), "tasks.no_items")
        title = read.text(path + ("title",))
        if year is not None and items:
            tasks.append(TaskList(unit=unit, year=year, title=title or f"Nhiệm vụ năm {year}", items=items))
    return tuple(tasks)


def _slug(read: Reader, stem: str) -> str | None:
    given = read.text(("slug",))
    if given is not None:
        if not SLUG.match(given):
            read.error(("slug",), "slug.invalid", value=given, suggestion=slugify_vi(given) or "bai-viet")
            return None
        return given
    slug = slugify_vi(stem)
    if not slug:
        read.errors.add(read.source, None, "slug.from_filename", name=stem)
        return None
    return slug


def _aliases(read: Reader) -> tuple[str, ...]:
    """Old addresses of a post (from the former portal) that must keep working: site paths
    such as /index.php/vi/news/123.html, each becoming a redirect page."""
    found = []
    for path in read.items(("aliases",), "aliases", allow_single=True):
        alias = read.text(path)
        if alias is None:
            continue
        target = urls.alias_path(alias)
        if target is None:
            read.error(path, "alias.invalid", value=alias)
        else:
            found.append(target)
    return tuple(dict.fromkeys(found))


def _cover(read: Reader, static_dir: Path | None, renderer: MarkdownRenderer) -> tuple[str | None, Photo | None]:
    """The cover's site path, and the photo behind it. With a site folder to look in, the
    cover is a photo like those in the body (next to the post, or in static/) and its path is
    the ~1200 px JPEG made for Open Graph; otherwise, as before, a file under static/."""
    cover = read.text(("cover",))
    if cover is None:
        return None, None
    relative = cover.lstrip("/")
    resolver = renderer.photos
    if "://" in cover or not relative or (resolver is None and ".." in relative.split("/")):
        read.error(("cover",), "cover.invalid", value=cover)
        return None, None
    if resolver is not None and resolver.local(cover):
        try:
            photo = resolver.find(cover, read.source, static_first=True)
        except PhotoProblem as problem:
            read.error(("cover",), problem.code, **{"src": cover, **problem.params})
            return None, None
        photo = dataclasses.replace(photo, source=read.source, line=read.line(("cover",)))
        return photo.url(photo.og_width, "jpg"), photo
    if static_dir is not None and not (static_dir / relative).is_file():
        read.error(("cover",), "cover.missing", value=cover)
        return None, None
    return relative, None
