"""`phuongnews import`: articles from the old portal (pasted text, saved pages, feeds, a
NukeViet dump) written as posts. Nothing is guessed silently: every field it could not find,
and every choice it made for the clerk, is a line of the report.

Layout: decoding (bytes -> text), htmltext/feeds/nukeviet (formats -> Documents), extract
(Document -> fields) with datephrases, units, speakers, tasks and body, and posts (writing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from phuongnews.config import resolver
from phuongnews.errors import SourceError
from phuongnews.importer.decoding import decode
from phuongnews.importer.extract import Document, Extracted, extract
from phuongnews.importer.feeds import feed_documents, looks_like_feed
from phuongnews.importer.htmltext import page_document
from phuongnews.importer.nukeviet import (
    DEFAULT_OLD_URL,
    dump_documents,
    looks_like_dump,
)
from phuongnews.importer.posts import (
    Existing,
    choose_path,
    old_address,
    post_text,
    validate,
    write_new,
)
from phuongnews.importer.units import UnitMatcher
from phuongnews.models import SiteConfig
from phuongnews.vietnamese import fold, nfc

__all__ = ["DEFAULT_OLD_URL", "ImportOptions", "ImportResult", "Outcome", "import_sources", "read_documents"]

MAX_BYTES = 200 * 1024 * 1024  # a whole portal's dump can be large; a single article is not


@dataclass(frozen=True)
class ImportOptions:
    site_dir: Path
    out_dir: Path | None = None  # default <site>/content/posts; a relative path is inside the site folder
    units: tuple[str, ...] = ()  # unit keys added to every imported post (--unit)
    dry_run: bool = False
    old_url: str = DEFAULT_OLD_URL  # how a dump's article addresses looked on the old portal


@dataclass
class Outcome:
    origin: str
    status: str  # written, dry_run, duplicate, skipped, refused, invalid
    path: str | None = None
    notes: list[SourceError] = field(default_factory=list)
    extracted: Extracted | None = None
    text: str | None = None  # the post as written (or as it would be)


@dataclass
class ImportResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(outcome.status in statuses for outcome in self.outcomes)


def _name(path: Path) -> str:
    return nfc(path.as_posix())


def read_documents(path: Path, config: SiteConfig, old_url: str = DEFAULT_OLD_URL) -> tuple[list[Document], list[SourceError]]:
    """One file -> its articles, and what was said about reading it."""
    origin = _name(path)
    notes: list[SourceError] = []
    try:
        if path.stat().st_size > MAX_BYTES:
            return [], [SourceError(origin, None, "import.too_large")]
        data = path.read_bytes()
    except OSError as exc:
        return [], [SourceError(origin, None, "source.unreadable", {"reason": exc.strerror or str(exc)})]
    decoded = decode(data)
    if decoded.text is None:
        return [], [SourceError(origin, None, decoded.refused, dict(decoded.params))]
    if decoded.encoding not in ("utf-8", None):
        notes.append(SourceError(origin, None, "import.decoded_as", {"encoding": decoded.encoding}))
    text, suffix = decoded.text, path.suffix.lower()
    zone = config.timezone
    if suffix == ".sql" or (suffix not in (".txt", ".html", ".htm") and looks_like_dump(text)):
        documents = dump_documents(text, origin, zone, old_url)
    elif suffix in (".xml", ".rss", ".atom") or (suffix != ".txt" and looks_like_feed(text)):
        documents, problem = feed_documents(text, origin, zone)
        if problem:
            notes.append(SourceError(origin, None, problem))
    elif suffix in (".html", ".htm") or (suffix != ".txt" and "<html" in text[:3000].lower()):
        documents = [page_document(text, origin, zone)]
    else:
        documents = [Document(origin=origin, text=text)]
    if not documents and not notes:
        notes.append(SourceError(origin, None, "import.no_articles"))
    return documents, notes


def import_sources(paths: list[Path], config: SiteConfig, options: ImportOptions) -> ImportResult:
    site_dir = options.site_dir
    out_dir = options.out_dir or Path("content/posts")
    if not out_dir.is_absolute():
        out_dir = site_dir / out_dir
    existing = Existing.scan([out_dir, site_dir / "content" / "posts"], site_dir)
    matcher = UnitMatcher(config)
    table = resolver(config)
    forced = tuple(dict.fromkeys(table.get(fold(unit), unit) for unit in options.units))
    result = ImportResult()
    for path in paths:
        documents, notes = read_documents(path, config, options.old_url)
        if not documents:
            result.outcomes.append(Outcome(_name(path), "refused", notes=notes))
            continue
        for index, document in enumerate(documents):
            outcome = _one(document, matcher, forced, out_dir, site_dir, config, existing, options.dry_run)
            if index == 0:  # what reading the file said, once, with its first article
                outcome.notes[:0] = notes
            result.outcomes.append(outcome)
    return result


def _one(doc: Document, matcher: UnitMatcher, forced: tuple[str, ...], out_dir: Path, site_dir: Path,
         config: SiteConfig, existing: Existing, dry_run: bool) -> Outcome:
    ex = extract(doc, matcher, forced)
    outcome = Outcome(doc.origin, "skipped", extracted=ex)

    def note(code: str, **params) -> None:
        outcome.notes.append(SourceError(doc.origin, None, code, params))

    for code, params in ex.notes:
        note(code, **params)
    if doc.url:
        alias, problem = old_address(doc.url)
        if alias:
            ex.aliases.append(alias)
        else:
            note(problem, url=doc.url)
    if ex.title is None:
        return outcome
    if ex.date is None:
        if ex.published is None:
            note("import.no_date_skipped")
            return outcome
        ex.date, ex.date_has_time = ex.published.replace(hour=0, minute=0), False
        ex.draft = True
        ex.checks.insert(0, "không tìm thấy ngày diễn ra sự kiện; date tạm lấy ngày đăng, hãy sửa rồi bỏ dòng draft")
        note("import.no_date_draft", date=ex.date.strftime("%Y-%m-%d"))
    if not ex.units:
        note("import.no_units", known=", ".join(unit.key for unit in config.units))
        return outcome
    path, duplicate_of = choose_path(ex, out_dir, existing)
    if path is None:
        outcome.status, outcome.path = "duplicate", duplicate_of
        note("import.duplicate", path=duplicate_of)
        return outcome
    text = post_text(ex, doc.origin)
    errors, warnings = validate(text, path, site_dir, config)
    shown = _shown(path, site_dir)
    outcome.text, outcome.path = text, shown
    if errors:
        outcome.status = "invalid"
        for error in errors:
            note("import.invalid", error=error.format("vi"), error_en=error.format("en"))
        return outcome
    outcome.notes.extend(warnings)
    year_slug = f"{path.parent.name}/{path.stem}"
    existing.taken.add(year_slug)
    existing.dated[year_slug] = ex.date.strftime("%Y-%m-%d")
    existing.fingerprints[ex.fingerprint] = shown
    if dry_run:
        outcome.status = "dry_run"
        return outcome
    if not write_new(path, text):  # appeared meanwhile: still never overwritten
        outcome.status = "duplicate"
        note("import.exists", path=shown)
        return outcome
    outcome.status = "written"
    return outcome


def _shown(path: Path, site_dir: Path) -> str:
    try:
        return nfc(path.resolve().relative_to(site_dir.resolve()).as_posix())
    except ValueError:
        return nfc(path.as_posix())
