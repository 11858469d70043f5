"""The Jinja environment and turning planned outputs into bytes.

Autoescaping on, StrictUndefined (a typo in a template is an error, not an empty string),
and every template fault reported as templates/<name>:<line>.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from phuongnews import urls
from phuongnews.errors import ErrorList
from phuongnews.models import Article, Site
from phuongnews.plan import RAW, Output, task_groups
from phuongnews.vietnamese import format_date_en, format_date_vi

TEMPLATES_DIR = "templates"


# A post's fields that show its body: the HTML, and what the plan derives from it (the search
# index's words and excerpt).
_BODY = frozenset({"body_html", "derived"})


class BodyReadingEnvironment(jinja2.Environment):
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
        url=_url_function(config),
        abs_url=lambda target: urls.absolute(config.base_url, target),
        unit_by_key=config.unit,
        task_groups=lambda article: task_groups(article, config.unit),
        unit_url=lambda key: urls.unit(config.urls, key),
        year_url=lambda year: urls.year(config.urls, year),
        units_url=urls.units(config.urls),
        years_url=urls.years(config.urls),
        people_url=urls.people(config.urls),
        person_url=lambda key: urls.person(config.urls, key),
        search_url=urls.search(config.urls),
    )
    env.globals["shared"] = _shared_function(env, config)
    return env


def _shared_function(env: jinja2.Environment, config) -> Callable:
    """shared(name) in templates: `{% include name %}` for a partial that is the same on every
    page (the header, the footer), rendered once per build instead of once per page. It sees
    the site-wide values only (`site`, `pages`, the URL helpers), never the page's; with
    --relative its links depend on how deep the page is, so it is rendered once per depth."""
    rendered: dict[tuple[str, str], Markup] = {}

    @jinja2.pass_context
    def shared(context, name: str) -> Markup:
        meta = context.get("meta") if config.relative else None
        depth = urls.relative_link(meta.url, "") if meta is not None else ""
        found = rendered.get((name, depth))
        if found is None:
            # Only the page's address, for url(): a fragment reading anything else of the
            # page would show the first page's values on all of them, so it gets an error.
            values = {"meta": _Address(meta.url)} if meta is not None else {}
            text = env.get_template(name).render(values)
            found = rendered[(name, depth)] = Markup(text.removesuffix("\n"))  # as {% include %} on its own line
        return found

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
    if output.template == RAW:  # data files (the search index): bytes made by the planner
        return output.context["data"]
    try:
        if body_reads is None:
            return env.get_template(output.template).render(output.context).encode("utf-8")
        env.body_reads = body_reads
        try:
            return env.get_template(output.template).render(output.context).encode("utf-8")
        finally:
            env.body_reads = None
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
