"""Writing an extracted article as a post: front-matter YAML, the loader's own check, no overwrite."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from phuongnews import urls
from phuongnews.content import parse_post
from phuongnews.errors import ErrorList
from phuongnews.importer.extract import Extracted
from phuongnews.markup import MarkdownRenderer
from phuongnews.models import SiteConfig
from phuongnews.vietnamese import slugify_vi

MARK = "phuongnews import"  # the comment that records where a post came from and its content hash
_MARK_LINE = re.compile(r"^# .*phuongnews import.*\bmã ([0-9a-f]{16})", re.MULTILINE)
_DATE_LINE = re.compile(r"^date:\s*[\"']?(\d{4}-\d{2}-\d{2})", re.MULTILINE)
_RESERVED = {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}


def scalar(value: object) -> str:
    text = str(value)
    plain = (
        text == text.strip() and text and "\n" not in text and ": " not in text and " #" not in text
        and not text.endswith(":") and text[0] not in "-?:,[]{}#&*!|>'\"%@`"
        and text.lower() not in _RESERVED and not re.fullmatch(r"[-+.\d:eE_ ]+", text)
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _moment(value, has_time: bool) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if has_time else value.strftime("%Y-%m-%d")


def old_address(url: str) -> tuple[str | None, str | None]:
    """(alias, None) or (None, message code): the old URL as a site path, domain stripped."""
    parts = urlsplit(url.strip())
    if parts.query:
        return None, "import.alias_query"
    path = parts.path if (parts.scheme or parts.netloc) else url.strip().split("#")[0]
    if not path.startswith("/"):
        path = "/" + path
    if urls.alias_path(path) is None:
        return None, "import.alias_invalid"
    return path, None


def post_text(ex: Extracted, origin: str) -> str:
    lines = ["---", f"# Nhập từ {origin} bằng {MARK} (mã {ex.fingerprint})"]
    lines += [f"# KIỂM TRA: {check}" for check in ex.checks]
    lines.append(f"title: {scalar(ex.title)}")
    lines.append(f"date: {_moment(ex.date, ex.date_has_time)}")
    if ex.published is not None and ex.published != ex.date:
        lines.append(f"published: {_moment(ex.published, ex.published_has_time)}")
    lines.append("units:")
    lines += [f"  - {scalar(unit)}" for unit in ex.units]
    for key in ("location", "author", "source", "summary"):
        value = getattr(ex, key)
        if value:
            lines.append(f"{key}: {scalar(value)}")
    if ex.draft:
        lines.append("draft: true")
    if ex.speakers:
        lines.append("speakers:")
        for person in ex.speakers:
            lines.append(f"  - name: {scalar(person.name)}")
            if person.role:
                lines.append(f"    role: {scalar(person.role)}")
            if person.note:
                lines.append(f"    note: {scalar(person.note)}")
    if ex.tasks:
        lines.append("tasks:")
        for task in ex.tasks:
            lines.append(f"  - unit: {scalar(task.unit)}" if task.unit else f"  - year: {task.year}")
            if task.unit:
                lines.append(f"    year: {task.year}")
            lines.append(f"    title: {scalar(task.title)}")
            lines.append("    items:")
            lines += [f"      - {scalar(item)}" for item in task.items]
    if ex.expires is not None and ex.expires > (ex.published or ex.date):
        lines.append(f"expires: {_moment(ex.expires, True)}")
    if ex.aliases:
        lines.append("aliases:")
        lines += [f"  - {scalar(alias)}" for alias in ex.aliases]
    lines.append("---")
    return "\n".join(lines) + "\n" + ex.body


@dataclass
class Existing:
    """Posts already in the output folder (and the site's posts): what a re-import must not repeat."""

    fingerprints: dict[str, str] = field(default_factory=dict)  # hash -> file
    dated: dict[str, str] = field(default_factory=dict)  # "2022/slug" -> its date
    taken: set[str] = field(default_factory=set)  # "2022/slug" in use

    @classmethod
    def scan(cls, folders: list[Path], site_dir: Path) -> Existing:
        found = cls()
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*.md")):
                if any(part.startswith(".") for part in path.relative_to(folder).parts):
                    continue
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                head = text[:4000]
                name = _display(path, site_dir)
                if mark := _MARK_LINE.search(head):
                    found.fingerprints.setdefault(mark.group(1), name)
                if date := _DATE_LINE.search(head):
                    key = f"{date.group(1)[:4]}/{path.stem}"
                    found.dated.setdefault(key, date.group(1))
                found.taken.add(f"{path.parent.name}/{path.stem}")
        return found


def _display(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def choose_path(ex: Extracted, out_dir: Path, existing: Existing) -> tuple[Path | None, str | None]:
    """(path to write, None), or (None, the post it duplicates)."""
    if ex.fingerprint in existing.fingerprints:
        return None, existing.fingerprints[ex.fingerprint]
    slug = slugify_vi(ex.title) or "bai-viet"
    year = f"{ex.date.year}"
    day = ex.date.strftime("%Y-%m-%d")
    candidate, n = slug, 1
    while f"{year}/{candidate}" in existing.taken or f"{year}/{candidate}" in existing.dated:
        if existing.dated.get(f"{year}/{candidate}") == day:
            return None, f"{year}/{candidate}.md"  # same slug, same day: the same article
        n += 1
        candidate = f"{slug}-{n}"
    return out_dir / year / f"{candidate}.md", None


def validate(text: str, path: Path, site_dir: Path, config: SiteConfig) -> tuple[ErrorList, list]:
    """The loader's own check, as `phuongnews check` will run it: (errors, renderer warnings)."""
    errors = ErrorList()
    renderer = MarkdownRenderer(config.base_path, config.embeds, config.relative)
    parse_post(text, _display(path, site_dir), path.stem, config, renderer, errors, site_dir / "static")
    return errors, list(renderer.warnings)


def write_new(path: Path, text: str) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        return False
    return True
