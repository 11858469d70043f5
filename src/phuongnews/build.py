"""The orchestrator: load the site, plan its pages, render them, write them — in that order,
and nothing is written unless every step succeeded."""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from phuongnews import images, urls
from phuongnews.config import load_config
from phuongnews.content import load_content
from phuongnews.errors import BuildFailed, ErrorList
from phuongnews.linkcheck import check_links
from phuongnews.models import Site
from phuongnews.plan import Output, plan
from phuongnews.render import TEMPLATES_DIR, make_environment, render_outputs
from phuongnews.schedule import schedule
from phuongnews.sources import read_source
from phuongnews.vietnamese import nfc
from phuongnews.writer import check_output_folder, static_files, write_site

DEFAULT_OUT = "public"


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None  # default: <site>/public
    base_url: str | None = None
    drafts: bool = False
    relative: bool = False  # links that work opened from disk (feeds and canonical stay absolute)
    now: datetime | None = None  # the moment scheduled and expiring posts are judged at; None: now

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


def load_site(options: BuildOptions) -> Site:
    """Read and validate everything; raise BuildFailed with every error found."""
    errors = ErrorList()
    config = load_config(options.site_dir, errors, options.base_url)
    if config is None:
        raise BuildFailed(errors)
    if options.relative:
        config = dataclasses.replace(config, relative=True)
    content = load_content(options.site_dir, config, errors, drafts=options.drafts)
    # --drafts previews everything, scheduled and expired posts included.
    now = options.now or datetime.now(config.timezone)
    timing = schedule(content.articles, now if now.tzinfo else now.replace(tzinfo=config.timezone))
    articles = content.articles if options.drafts else timing.visible
    site = Site(config=config, articles=articles, pages=content.pages, warnings=content.warnings,
                next_change=None if options.drafts else timing.next_change)
    if errors:
        # Report URL clashes among the files that did parse now, not on the clerk's next run.
        _check_collisions(plan(site), {}, errors)
        raise BuildFailed(errors)
    return site


def render_site(site: Site, site_dir: Path, statics: dict[str, Path]) -> dict[str, bytes]:
    """Plan and render every page; raise BuildFailed on URL collisions or template faults.

    The site's photos are made (or taken from the cache) first, and `statics` is updated in
    place: their variants are added (output path -> cached file) and the originals of photos
    kept in static/ are taken out, so whoever writes or serves `statics` publishes the variants
    and never an original with its GPS position."""
    errors = ErrorList()
    outputs = plan(site)
    _check_static_links(site_dir / "static", statics, errors)
    _add_photos(site, site_dir, statics, errors)
    _check_collisions(outputs, statics, errors)
    templates = site_dir / TEMPLATES_DIR
    if not templates.is_dir():
        errors.add(TEMPLATES_DIR, None, "template.folder_missing")
    if errors:
        raise BuildFailed(errors)
    files = render_outputs(make_environment(site, templates), outputs, errors)
    if not errors:
        # Relative links are checked against a virtual root; they never contain base_path.
        link_root = "/" if site.config.relative else site.config.base_path
        check_links(outputs, files, statics, link_root, lambda name: _read_text(site_dir / name), errors)
    if errors:
        raise BuildFailed(errors)
    return files


def _add_photos(site: Site, site_dir: Path, statics: dict[str, Path], errors: ErrorList) -> images.Published | None:
    photos = [photo for item in (*site.articles, *site.pages) for photo in item.photos]
    covers = [article.cover_photo for article in site.articles if article.cover_photo is not None]
    if not photos and not covers:
        return None
    published = images.publish(images.variants(photos, covers), site_dir / images.CACHE_FOLDER / "images")
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
    started = time.perf_counter()
    check_output_folder(options.output, options.site_dir)
    site = load_site(options)
    loaded = time.perf_counter()
    statics = static_files(options.site_dir / "static")
    files = render_site(site, options.site_dir, statics)
    rendered = time.perf_counter()
    write_site(files, statics, options.output)
    finished = time.perf_counter()
    return BuildResult(
        posts=len(site.articles), pages=len(files), files=len(files) + len(statics),
        seconds=finished - started, out_dir=options.output, warnings=site.warnings, site=site,
        timings={"load": loaded - started, "render": rendered - loaded, "write": finished - rendered,
                 "total": finished - started},
    )


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
