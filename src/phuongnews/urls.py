"""Every URL and output-path rule in one place.

A site URL here is site-relative with no leading slash ("tin-tuc/2022/ten-bai/"), so the
same site works at a domain root or under a sub-path: links prefix the base path, feeds
and canonical links the whole base URL.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from phuongnews.models import UrlPatterns


def article(patterns: UrlPatterns, year: int, slug: str) -> str:
    return patterns.article.format(year=year, slug=slug)


def page(patterns: UrlPatterns, slug: str) -> str:
    return patterns.page.format(slug=slug)


def units(patterns: UrlPatterns) -> str:
    return patterns.units


def unit(patterns: UrlPatterns, key: str) -> str:
    return patterns.unit.format(unit=key)


def unit_year(patterns: UrlPatterns, key: str, year: int) -> str:
    return patterns.unit_year.format(unit=key, year=year)


def unit_feed(patterns: UrlPatterns, key: str) -> str:
    return patterns.unit_feed.format(unit=key)


def years(patterns: UrlPatterns) -> str:
    return patterns.years


def year(patterns: UrlPatterns, value: int) -> str:
    return patterns.year.format(year=value)


def people(patterns: UrlPatterns) -> str:
    return patterns.people


def person(patterns: UrlPatterns, key: str) -> str:
    return patterns.person.format(person=key)


def programme(patterns: UrlPatterns, unit_key: str, year: int) -> str:
    return patterns.programme.format(unit=unit_key, year=year)


def search(patterns: UrlPatterns) -> str:
    """The search page; its index files live in the same folder."""
    return patterns.search


def paginated(patterns: UrlPatterns, first: str, number: int) -> str:
    """Page 1 of a listing lives at the listing's own URL; page n at …/trang-n/."""
    return first if number == 1 else first + patterns.pagination.format(n=number)


def output_path(url: str) -> str:
    """The file a URL is written to, relative to the output folder."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def link(base_path: str, url: str) -> str:
    """A root-relative link that works under a sub-path: base_path always ends with /."""
    return base_path + url


def absolute(base_url: str, url: str) -> str:
    return base_url + url


def relative_link(from_url: str, target: str) -> str:
    """A link from the page at `from_url` to `target` that works opened from disk or a USB
    stick: relative, and naming the index.html file since there is no server to add it."""
    path, hash_mark, fragment = target.partition("#")
    link = relative_path(output_path(path), relative_base(from_url).rstrip("/") or ".")
    return link + hash_mark + fragment


def relative_path(path: str, folder: str) -> str:
    """posixpath.relpath(path, folder). For site paths ('a/b/index.html' from 'c/d': no '.'
    or '..' parts, not absolute) it is worked out here, without relpath's two getcwd() calls
    and normalising, which took a third of the time a --relative build spent rendering."""
    to = [part for part in path.split("/") if part]
    start = [part for part in folder.split("/") if part]
    if not to or path[:1] == "/" or folder[:1] == "/" or "." in to or ".." in to or "." in start or ".." in start:
        return posixpath.relpath(path, folder)
    common = 0
    for mine, theirs in zip(to, start):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:]) or "."


def relative_base(from_url: str) -> str:
    """The folder relative links on the page at `from_url` start from: pages in one folder
    have the same links, pages at the same depth need not ('../lien-he/' from 'trang/a/')."""
    return from_url if from_url.endswith("/") else posixpath.dirname(from_url)


def alias_path(alias: str) -> str | None:
    """An old address as a site URL for its redirect page, or None if it cannot be one.
    /a/b.html stays a file; /a/b/ and /a/b (also /index.php/x) become folders with index.html."""
    parts = urlsplit(alias)
    if parts.scheme or parts.netloc or parts.query or parts.fragment or not alias.startswith("/"):
        return None
    path = unquote(parts.path)
    segments = path.strip("/").split("/")
    if not path.strip("/") or any(seg in ("", ".", "..") or "\\" in seg or "\0" in seg for seg in segments):
        return None
    relative = "/".join(segments)
    return relative if relative.endswith((".html", ".htm")) else relative + "/"
