"""The Jinja environment and turning planned outputs into bytes.

Autoescaping on, StrictUndefined (a typo in a template is an error, not an empty string),
and every template fault reported as templates/<name>:<line>.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import jinja2
import jinja2.meta
import jinja2.nodes
from markupsafe import Markup

from phuongnews import urls
from phuongnews.errors import ErrorList
from phuongnews.fingerprint import text_digest
from phuongnews.models import Article, Site
from phuongnews.plan import RAW, Output, task_groups
from phuongnews.vietnamese import format_date_en, format_date_vi

try:  # MarkupSafe 3: the escaping itself, without the Markup made around it
    from markupsafe import _escape_inner as _escaped_text
except ImportError:  # pragma: no cover - MarkupSafe 2 (Jinja allows it): templates keep its escape
    _escaped_text = None

TEMPLATES_DIR = "templates"
# Renderings shared() keeps at most, per process: about 17 MB of posts drawn in listings (a
# rendering with its key is about 1.7 KB; at 50,000 posts a worker's share of the listings
# draws about 17,000, at 10,000 posts about 3,400, so there nothing is ever dropped).
SHARED_LIMIT = 10_000


def make_environment(site: Site, templates_dir: Path, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """`bytecode_dir`: where compiled templates are kept between builds (the build cache's),
    so that a build rendering a few pages does not compile the templates again."""
    config = site.config
    env = BodyReadingEnvironment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir is not None else None,
        loader=jinja2.FileSystemLoader(str(templates_dir), encoding="utf-8"),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # An environment serves one build (the preview makes a new one when a template
        # changes): no need to stat every template file again on each page and include.
        auto_reload=False,
        # A theme has a few dozen templates: kept in a plain dict, not Jinja's 400-entry LRU
        # cache, which takes a lock on each of the ~6 look-ups a page makes (extends, includes).
        cache_size=-1,
    )
    format_date = format_date_vi if config.language == "vi" else format_date_en
    env.filters["long_date"] = lambda d: format_date(d, with_weekday=True, with_time=False)
    env.filters["long_datetime"] = lambda d: format_date(d, with_weekday=True, with_time=True)
    env.filters["short_date"] = lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"
    env.filters["iso"] = lambda d: d.isoformat()
    env.filters["iso_day"] = lambda d: d.date().isoformat()
    env.filters["rfc3339"] = _rfc3339
    env.globals.update(
        site=config,
        pages=site.pages,
        units_url=urls.units(config.urls),
        years_url=urls.years(config.urls),
        people_url=urls.people(config.urls),
        search_url=urls.search(config.urls),
    )
    env.add_helpers(
        url=_url_function(config),
        abs_url=lambda target: urls.absolute(config.base_url, target),
        unit_by_key=config.unit,
        task_groups=lambda article: task_groups(article, config.unit),
        unit_url=lambda key: urls.unit(config.urls, key),
        year_url=lambda year: urls.year(config.urls, year),
        person_url=lambda key: urls.person(config.urls, key),
        shared=_shared_function(env, config),
    )
    return env


# What a page's values are always read for, whatever its template says: url() and shared()
# read the page's address (`meta`) themselves, with --relative.
ALWAYS_READ = frozenset({"meta"})


def read_names(env: jinja2.Environment, templates: Iterable[str]) -> dict[str, frozenset[str] | None]:
    """For each template name: the names of a page's values that rendering it with that
    template can read. Those are the names its template, and every template that one extends,
    includes or imports, looks up (found in their source, each parsed once, not compiled: a
    fifth of the time), plus ALWAYS_READ; a value under any other name cannot change the
    page's bytes. None when that cannot be told: a template named by a variable, or one that
    is missing or does not parse (its page's render says why)."""
    own: dict[str, tuple[set[str], list[str | None]] | None] = {}

    def parsed(name: str) -> tuple[set[str], list[str | None]] | None:
        if name not in own:
            try:
                tree = env.parse(env.loader.get_source(env, name)[0], name)
            except Exception:  # noqa: BLE001 -- whatever it is, the page's own render reports it
                own[name] = None
            else:
                # Every name looked up, including those the template sets itself: more than
                # it reads from the page, never less.
                looked_up = {node.name for node in tree.find_all(jinja2.nodes.Name) if node.ctx == "load"}
                own[name] = (looked_up, list(jinja2.meta.find_referenced_templates(tree)))
        return own[name]

    def reads(name: str) -> frozenset[str] | None:
        names, seen, todo = set(ALWAYS_READ), set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found = parsed(current)
            if found is None or None in found[1]:
                return None
            names |= found[0]
            todo += found[1]
        return frozenset(names)

    return {name: reads(name) for name in templates}


def read_names_kept(env: jinja2.Environment, templates: Iterable[str], folder: Path | None,
                    key: str) -> dict[str, frozenset[str] | None]:
    """read_names, kept between builds in `folder` (the build cache's, beside the compiled
    templates) under `key`, a digest of the program and the templates: parsing every template
    again is a tenth of a build after one added post. Anything amiss with the kept file, and
    they are found again."""
    names = sorted(set(templates))
    if folder is None:
        return read_names(env, names)
    path = folder / f"read-names-{text_digest(key, *names)}.pickle"
    with contextlib.suppress(Exception):
        found = pickle.loads(path.read_bytes())
        if isinstance(found, dict) and sorted(found) == names:
            return found
    found = read_names(env, names)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("read-names-*.pickle"):  # another program's or templates'
            old.unlink()
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(found, 5))
        os.replace(temporary, path)
    return found


# What jinja2.pass_context marks a function with.
_PASS_CONTEXT = jinja2.pass_context(lambda context: None).jinja_pass_arg


class _Context(jinja2.runtime.Context):
    """Calls the environment's helpers straight. Context.call looks for pass_context and its
    kin on each call, and most calls in a page are to url(), shared() and the like, whose
    kind is known when they are added: about a tenth of the time rendering takes."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 -- named as Context.call names it
        known = __self.environment.helpers.get(id(__obj))
        if known is None or known[0] is not __obj:
            return super().call(__obj, *args, **kwargs)
        # As Context.call does for a plain function and for one marked pass_context.
        loop_vars = kwargs.pop("_loop_vars", None)
        block_vars = kwargs.pop("_block_vars", None)
        try:
            if not known[1]:
                return __obj(*args, **kwargs)
            if loop_vars:
                __self = __self.derived(loop_vars)
            if block_vars:
                __self = __self.derived(block_vars)
            return __obj(__self, *args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


_new_str = str.__new__


def _escape(value) -> Markup:
    """markupsafe.escape, as templates call it for every value they print (about 80 times a
    page): the same Markup, made without Markup.__new__'s Python-level checks, which took
    half of each call (0.85 µs against 0.4 here)."""
    if type(value) is str:
        return _new_str(Markup, _escaped_text(value))
    html = getattr(value, "__html__", None)
    if html is not None:
        return _new_str(Markup, html())
    return _new_str(Markup, _escaped_text(str(value)))


class _Template(jinja2.Template):
    """A compiled template whose printed values go through _escape. Its code names the
    `escape` it imported from jinja2.runtime (markupsafe's) in its module's namespace, and
    looks it up there on every call, so the name is bound to ours once the module has run."""

    @classmethod
    def _from_namespace(cls, environment, namespace, globals):  # noqa: A002 -- Jinja's own name
        if _escaped_text is not None and namespace.get("escape") is jinja2.runtime.escape:
            namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


class _Environment(jinja2.Environment):
    """A Jinja environment whose helpers (add_helpers) templates call without Context.call's
    checks, and whose templates print through _escape."""

    context_class = _Context
    template_class = _Template

    def make_globals(self, d):
        # A plain dict, not Jinja's ChainMap over the environment's globals: every page's
        # context copies the globals, and a ChainMap is copied key by key in Python. Its
        # only use, seeing globals added after a template is loaded, is what Jinja's own
        # documentation says not to do; make_environment adds them all first.
        return {**self.globals, **(d or {})}

    def __init__(self, **options):
        super().__init__(**options)
        self.helpers: dict[int, tuple[Callable, bool]] = {}  # id -> (helper, takes the context)

    def add_helpers(self, **helpers: Callable) -> None:
        """Template globals that are plain functions or marked pass_context."""
        for name, helper in helpers.items():
            kind = getattr(helper, "jinja_pass_arg", None)
            if kind not in (None, _PASS_CONTEXT):
                raise ValueError(f"{name}: only plain and pass_context helpers are called straight")
            self.globals[name] = helper
            self.helpers[id(helper)] = (helper, kind is _PASS_CONTEXT)


# A post's fields that show its body: the HTML, and what the plan derives from it (the search
# index's words and excerpt).
_BODY = frozenset({"body_html", "derived"})


class BodyReadingEnvironment(_Environment):
    """A Jinja environment that notes whose bodies a page reads: while `body_reads` is a set,
    the source of every post whose `body_html` a template reads is added to it. A page that
    read no post's body renders the same bytes after an edit of a body (quickedit.py).

    Templates reach a post's fields only through `getattr`/`getitem` (`post.x`, `post['x']`,
    `map(attribute=…)`, `sort(attribute=…)`, the `attr` filter); `derived` (made from the
    body, among others) counts as the body, a name starting with "_" (`post.__dict__`) as
    reading everything, and printing a post whole shows no body (models.Article leaves it
    out of its repr, as it does `derived`)."""

    body_reads: set[str] | None = None

    def getattr(self, obj, attribute: str):
        # jinja2.Environment.getattr, with the note: it runs for every `.` in every template.
        if type(obj) is Article and self.body_reads is not None and (attribute in _BODY or attribute[:1] == "_"):
            self.body_reads.add(obj.source)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj, argument):
        if type(obj) is Article and self.body_reads is not None and isinstance(argument, str) \
                and (argument in _BODY or argument[:1] == "_"):
            self.body_reads.add(obj.source)
        return super().getitem(obj, argument)


def _shared_function(env: BodyReadingEnvironment, config) -> Callable:
    """shared(name, **values) in templates: `{% include name %}` for a partial that shows
    nothing of the page but `values`, rendered once per build for each set of values instead
    of once per page: the header and footer (no values), a post in a listing (`item=item`,
    which every listing the post is in shows alike). It sees the site-wide values (`site`,
    `pages`, the URL helpers) and `values`, never the page's others; with --relative its
    links depend on the page's folder, so it is rendered once per folder."""
    # key -> the rendering, and the posts whose bodies it read: a page that shows a kept
    # rendering reads them too (BodyReadingEnvironment).
    rendered: dict[tuple, tuple[Markup, frozenset[str]]] = {}
    # The values of each rendering, kept alive so that no other object takes their ids.
    kept: list[dict] = []

    @jinja2.pass_context
    def shared(context, name: str, **values) -> Markup:
        meta = context.get("meta") if config.relative else None
        folder = urls.relative_base(meta.url) if meta is not None else None
        # Told apart by identity: the plan hands the same post to every listing it is in,
        # and comparing posts field by field would cost more than rendering them.
        key = (name, folder, tuple(values), tuple(map(id, values.values())))
        found = rendered.get(key)
        if found is None:
            if len(rendered) >= SHARED_LIMIT:  # a bound on memory; what is dropped is rendered again
                rendered.clear()
                kept.clear()
            kept.append(values)
            # Only the page's address, for url(): a fragment reading anything else of the
            # page would show the first page's values on all of them, so it gets an error.
            given = {"meta": _Address(meta.url), **values} if meta is not None else values
            # Noted even for a page that notes nothing: the rendering may serve one that does.
            page_reads, env.body_reads = env.body_reads, set()
            try:
                text = env.get_template(name).render(given)
            finally:
                reads, env.body_reads = env.body_reads, page_reads
            # As {% include %} on its own line.
            found = rendered[key] = (Markup(text.removesuffix("\n")), frozenset(reads))
        if found[1] and env.body_reads is not None:
            env.body_reads.update(found[1])
        return found[0]

    return shared


@dataclass(frozen=True)
class _Address:
    url: str


def _url_function(config):
    """url(target) in templates: root-relative under base_path, or with --relative a path
    from the page being rendered (its `meta.url`)."""
    if not config.relative:
        return lambda target: urls.link(config.base_path, target)

    @jinja2.pass_context
    def relative_url(context, target: str) -> str:
        meta = context.get("meta")
        return urls.relative_link(meta.url, target) if meta is not None else urls.link(config.base_path, target)

    return relative_url


def _rfc3339(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def compile_ahead(env: jinja2.Environment, names: Iterable[str]) -> None:
    """Compile these templates here, before workers are forked, so they inherit them instead
    of each compiling its own; a template that fails is left for its pages to report."""
    for name in sorted(set(names)):
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001, S112 -- the page's own render reports the fault
            continue


def render_outputs(env: jinja2.Environment, outputs: list[Output], errors: ErrorList) -> dict[str, bytes]:
    """Output path -> bytes. A template fault is reported once, however many pages hit it."""
    files: dict[str, bytes] = {}
    reported: set[tuple] = set()
    for output in outputs:
        data = render_output(env, output, errors, reported)
        if data is not None:
            files[urls.output_path(output.url)] = data
    return files


def render_output(env: jinja2.Environment, output: Output, errors: ErrorList, reported: set[tuple],
                  body_reads: set[str] | None = None) -> bytes | None:
    """One planned output's bytes; None, with the fault in `errors`, if its template fails.
    `body_reads`: a set the sources of the posts whose bodies the page read are added to."""
    page = render_page(env, output, errors, reported, body_reads)
    return None if page is None else page.data


class Page(NamedTuple):
    data: bytes
    text: str | None  # what `data` encodes, for the link check to read without decoding; None for data files


def render_page(env: jinja2.Environment, output: Output, errors: ErrorList, reported: set[tuple],
                body_reads: set[str] | None = None) -> Page | None:
    """render_output's bytes, and the text they encode."""
    if output.template == RAW:  # data files (the search index): bytes made by the planner
        return Page(output.context["data"], None)
    try:
        env.body_reads = body_reads
        try:
            text = env.get_template(output.template).render(output.context)
        finally:
            env.body_reads = None
        return Page(text.encode("utf-8"), text)
    except jinja2.TemplateSyntaxError as exc:
        _report(errors, reported, _template_name(exc.filename, output.template), exc.lineno,
                "template.syntax", problem=exc.message or str(exc))
    except jinja2.TemplateNotFound as exc:
        if exc.name == output.template:
            _report(errors, reported, f"{TEMPLATES_DIR}/{output.template}", None, "template.missing", name=exc.name)
        else:  # an {% include %} or {% extends %} of a missing file: point at that line
            name, line = _template_position(output.template)
            _report(errors, reported, name, line, "template.missing", name=exc.name)
    except Exception as exc:  # noqa: BLE001 -- any fault raised while a template runs is the template's
        name, line = _template_position(output.template)
        code = "template.undefined" if isinstance(exc, jinja2.UndefinedError) else "template.runtime"
        _report(errors, reported, name, line, code, problem=str(exc))
    return None


def _report(errors: ErrorList, reported: set, path: str, line, code: str, **params) -> None:
    key = (path, line, code, tuple(params.items()))
    if key not in reported:
        reported.add(key)
        errors.add(path, line, code, **params)


def _template_name(filename: str | None, fallback: str) -> str:
    name = Path(filename).name if filename else fallback
    return f"{TEMPLATES_DIR}/{name}"


def _template_position(fallback: str) -> tuple[str, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template's file and line;
    the innermost such frame is where the fault is."""
    tb = sys.exc_info()[2]
    found: tuple[str, int | None] = (f"{TEMPLATES_DIR}/{fallback}", None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")) and Path(filename).parent.name == TEMPLATES_DIR:
            found = (f"{TEMPLATES_DIR}/{Path(filename).name}", tb.tb_lineno)
        tb = tb.tb_next
    return found
