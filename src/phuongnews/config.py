"""site.yaml: the typed schema of a site's settings, validated with line numbers."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import timedelta, timezone
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phuongnews.errors import ErrorList
from phuongnews.models import Footer, SiteConfig, Unit, UrlPatterns
from phuongnews.schema import Reader
from phuongnews.sources import read_source
from phuongnews.vietnamese import fold
from phuongnews.yamlsource import parse_yaml

CONFIG_NAME = "site.yaml"
UNIT_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HOST_NAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
TOP_KEYS = (
    "title", "description", "base_url", "language", "timezone", "per_page", "feed_items",
    "units", "footer", "urls", "embeds", "photos",
)
UNIT_KEYS = ("name", "short", "aliases")
PHOTO_KEYS = ("originals",)
FOOTER_KEYS = ("agency", "address", "phone", "email", "editor")
LANGUAGES = ("vi", "en")
# Which placeholders each URL pattern must carry, so two pages never share one URL.
URL_PLACEHOLDERS = {
    "article": ("{slug}",), "page": ("{slug}",), "units": (), "unit": ("{unit}",),
    "unit_year": ("{unit}", "{year}"), "unit_feed": ("{unit}",), "years": (), "year": ("{year}",),
    "pagination": ("{n}",), "people": (), "person": ("{person}",), "programme": ("{unit}", "{year}"),
    "search": (),
}
# Placeholders a pattern may use ({year} is optional in an article's URL); any other would
# crash the build with a KeyError when the URL is formatted.
URL_ALLOWED = {key: {p.strip("{}") for p in needed} for key, needed in URL_PLACEHOLDERS.items()}
URL_ALLOWED["article"].add("year")
# Listings get …/trang-2/ appended and the search page keeps its index files beside it:
# these must be folders.
LISTING_PATTERNS = ("units", "unit", "unit_year", "years", "year", "pagination", "search")
# Vietnam has kept UTC+7 since 1975; a machine without tz data still builds correctly.
_FIXED_ZONES = {"Asia/Ho_Chi_Minh": timezone(timedelta(hours=7), "+07"), "Asia/Saigon": timezone(timedelta(hours=7), "+07")}


def load_config(site_dir: Path, errors: ErrorList, base_url: str | None = None) -> SiteConfig | None:
    path = site_dir / CONFIG_NAME
    if not path.is_file():
        errors.add(CONFIG_NAME, None, "config.missing", folder=str(site_dir))
        return None
    text = read_source(path, CONFIG_NAME, errors)
    if text is None:
        return None
    return parse_config(text, CONFIG_NAME, errors, base_url)


def parse_config(text: str, source: str, errors: ErrorList, base_url: str | None = None) -> SiteConfig | None:
    before = len(errors)
    doc = parse_yaml(text, source, errors)
    if doc is None:
        return None
    read = Reader(doc, source, errors)
    if read.mapping((), TOP_KEYS, "site.yaml") is None:
        return None
    title = read.text(("title",), required=True)
    description = read.text(("description",)) or ""
    url = _base_url(read, base_url)
    language = read.text(("language",)) or "vi"
    if language not in LANGUAGES:
        read.error(("language",), "config.language", value=language, allowed=", ".join(LANGUAGES))
    zone_name = read.text(("timezone",)) or "Asia/Ho_Chi_Minh"
    zone = _timezone(zone_name)
    if zone is None:
        read.error(("timezone",), "config.timezone", value=zone_name)
    per_page = read.integer(("per_page",), 20, 1, 1000)
    feed_items = read.integer(("feed_items",), 20, 1, 1000)
    units = _units(read)
    footer = _footer(read)
    urls = _urls(read)
    embeds = _embeds(read)
    photo_originals = _photo_originals(read)
    if len(errors) > before or title is None or url is None or zone is None:
        return None
    return SiteConfig(
        title=title, description=description, base_url=url, base_path=urlsplit(url).path,
        language=language, timezone_name=zone_name, timezone=zone, per_page=per_page,
        feed_items=feed_items, units=units, footer=footer, urls=urls, embeds=embeds,
        photo_originals=photo_originals,
    )


def _base_url(read: Reader, override: str | None) -> str | None:
    url = override if override is not None else read.text(("base_url",), required=True)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        if override is not None:
            read.errors.add("--base-url", None, "config.base_url", value=url)
        else:
            read.error(("base_url",), "config.base_url", value=url)
        return None
    return url if url.endswith("/") else url + "/"


def _timezone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _FIXED_ZONES.get(name)


def _units(read: Reader) -> tuple[Unit, ...]:
    if not read.has(("units",)):
        read.error(("units",), "field.required", key="units")
        return ()
    raw = read.get(("units",))
    if not isinstance(raw, dict) or not raw:
        read.error(("units",), "config.units_empty")
        return ()
    units: list[Unit] = []
    names_seen: dict[str, str] = {}  # folded name or alias -> unit key
    for key in raw:
        path = ("units", key)
        if not UNIT_KEY.match(key):
            read.error(path, "config.unit_key", key=key)
            continue
        if read.mapping(path, UNIT_KEYS, f"units.{key}") is None:
            continue
        name = read.text(path + ("name",), required=True)
        short = read.text(path + ("short",)) or name
        aliases = tuple(
            alias for alias in (read.text(p) for p in read.items(path + ("aliases",), "aliases", allow_single=True)) if alias
        )
        if name is None:
            continue
        for label in (key, name, short, *aliases):
            folded = fold(label)
            other = names_seen.setdefault(folded, key)
            if other != key:
                read.error(path, "config.unit_name_clash", label=label, key=key, other=other)
        units.append(Unit(key=key, name=name, short=short, aliases=aliases))
    return tuple(units)


def _footer(read: Reader) -> Footer:
    if not read.has(("footer",)):
        return Footer()
    if read.mapping(("footer",), FOOTER_KEYS, "footer") is None:
        return Footer()
    return Footer(**{key: read.text(("footer", key)) for key in FOOTER_KEYS})


def _urls(read: Reader) -> UrlPatterns:
    if not read.has(("urls",)):
        return UrlPatterns()
    if read.mapping(("urls",), tuple(URL_PLACEHOLDERS), "urls") is None:
        return UrlPatterns()
    patterns = {}
    for key, needed in URL_PLACEHOLDERS.items():
        pattern = read.text(("urls", key))
        if pattern is None:
            continue
        missing = [p for p in needed if p not in pattern]
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
        except ValueError:  # an unmatched { or }
            names = None
        if names is None or not names <= URL_ALLOWED[key]:
            missing = missing or list(needed) or ["-"]
        segments = pattern.split("/")[:-1] if pattern.endswith("/") else pattern.split("/")
        # Empty, "." or ".." folders (tin//x/, ./x/) give URLs that hosts rewrite or refuse.
        bad_path = pattern.startswith("/") or "%" in pattern or any(seg in ("", ".", "..") for seg in segments)
        # Listings get …/trang-2/ appended, so they must be folders.
        bad_end = not pattern.endswith("/") if key in LISTING_PATTERNS else not pattern.endswith(("/", ".html", ".xml"))
        if missing or bad_path or bad_end:
            read.error(("urls", key), "config.url_pattern", key=key, value=pattern, needed=" ".join(needed) or "-")
            continue
        patterns[key] = pattern
    return UrlPatterns(**patterns)


def _embeds(read: Reader) -> tuple[str, ...]:
    """Host names whose https frames (videos, maps) posts may embed, e.g. www.youtube.com."""
    hosts = []
    for path in read.items(("embeds",), "embeds", allow_single=True):
        host = read.text(path)
        if host is None:
            continue
        if not HOST_NAME.match(host):
            read.error(path, "config.embed_host", value=host)
            continue
        hosts.append(host.lower())
    return tuple(hosts)


def _photo_originals(read: Reader) -> bool:
    """`photos: {originals: true}`: publish each photo's original too (without EXIF/GPS)."""
    if not read.has(("photos",)) or read.mapping(("photos",), PHOTO_KEYS, "photos") is None:
        return False
    path = ("photos", "originals")
    value = read.get(path)
    if value is None or isinstance(value, bool):
        return bool(value)
    shown = read.doc.raw.get(path, "…") if not isinstance(value, (dict, list)) else "…"
    read.error(path, "config.photo_originals", value=shown)
    return False


def resolver(config: SiteConfig) -> Mapping[str, str]:
    """Folded key, name, short name or alias -> unit key; folding forgives tone placement
    (uỷ/ủy), capitals and missing diacritics. Read-only: one table serves every post."""
    return _unit_table(config.units)


@lru_cache(maxsize=8)
def _unit_table(units: tuple[Unit, ...]) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for unit in units:
        for label in (unit.key, unit.name, unit.short, *unit.aliases):
            table[fold(label)] = unit.key
    return MappingProxyType(table)
