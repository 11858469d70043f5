"""Every internal link and image of the built site must reach a built page or a static file.

Checked on the rendered bytes, so links written by clerks (bodies) and by templates are both
covered; each broken link is reported where a person can fix it: the post or page whose text
holds it, else the template that rendered it. External links are never fetched (CI is offline).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from phuongnews import urls
from phuongnews.errors import ErrorList
from phuongnews.gcpause import collector_paused
from phuongnews.plan import Output

# Our templates and the sanitiser always write double-quoted attributes.
_LINK = re.compile(r'<(?:a|link|img|script|iframe|source)\b[^>]*?\s(?:href|src)="([^"]*)"')


def check_links(
    outputs: Iterable[Output], files: dict[str, bytes], statics: Iterable[str], base_path: str,
    read_text: Callable[[str], str | None], errors: ErrorList,
) -> None:
    """`files`: output path -> bytes; `read_text(relative)`: a source or template's text, for
    finding the line of a broken link."""
    targets = link_targets(files, statics)
    reported: set[tuple] = set()
    with collector_paused():  # the remembered links would set off full passes over the site
        for output in outputs:
            data = files.get(urls.output_path(output.url))
            if data is not None:
                check_page(output, data, targets, base_path, read_text, errors, reported)


def link_root(config) -> str:
    """Where site links start: relative links are checked against a virtual root, since they
    never contain base_path."""
    return "/" if config.relative else config.base_path


class LinkTargets(set):
    """What links may reach: every output path and static file, case folded (hosts fold case).
    And, per base path, the root-relative links found to reach one of them: the same on every
    page (the menu's, a post's in every listing it is in), so each is judged once per process,
    not on each of the ~30 pages of 14,000 that carry it."""

    def __init__(self, paths: Iterable[str]):
        super().__init__(paths)
        self.reaching: dict[str, set[str]] = {}


def link_targets(*paths: Iterable[str]) -> LinkTargets:
    return LinkTargets(path.casefold() for group in paths for path in group)


def check_page(
    output: Output, page: bytes | str, targets: LinkTargets, base_path: str,
    read_text: Callable[[str], str | None], errors: ErrorList, reported: set[tuple],
) -> None:
    """Check one built page's links (`page`: its bytes, or the text they encode);
    `reported`: what was reported already, not to repeat."""
    if not urls.output_path(output.url).endswith(".html"):
        return
    page_url = base_path + output.url
    text = page.decode("utf-8") if isinstance(page, bytes) else page
    reaching = targets.reaching.setdefault(base_path, set())
    # Each link once: a page repeats some (the home page's), and a second one would only
    # find the same problem at the same place, which is reported once anyway.
    for attribute in dict.fromkeys(_LINK.findall(text)):
        if attribute in reaching:
            continue
        href = html.unescape(attribute)
        problem = _problem(href, page_url, base_path, targets)
        if problem is None:
            if _rooted(href):
                reaching.add(attribute)
            continue
        where, line, written = _locate(href, page_url, base_path, output, read_text)
        key = (where, line, written)
        if key not in reported:
            reported.add(key)
            errors.add(where, line, problem, href=written)


def _rooted(href: str) -> bool:
    """Whether `href` is root-relative: reaching the same file from every page."""
    return href[:1] == "/" and href[1:2] not in _NOT_ROOTED


def _problem(href: str, page_url: str, base_path: str, targets: set[str]) -> str | None:
    """None if `href` is external or reaches a built file; else the message code."""
    if _rooted(href):
        # Root-relative, as templates and bodies write links unless --relative: the answer is
        # the same on every page, and the menu's links are on all of them.
        candidates = _rooted_candidates(href, base_path)
    else:
        candidates = _candidates(href, page_url, base_path)
    if candidates is None:
        return None
    if not candidates:
        return "link.outside"
    return "link.broken" if targets.isdisjoint(candidates) else None


# After "/", these make a link that depends on the page: "//" starts a host name (maybe an
# empty one, then the page's own path is used), and urlsplit drops tabs and line breaks.
_NOT_ROOTED = ("/", "\t", "\r", "\n")
# A root-relative link with nothing to resolve: no dot segments, query, fragment, %-escapes,
# parameters or spaces. urljoin would give it back unchanged.
_PLAIN_ROOTED = re.compile(r"/(?:[\w~-][\w.~-]*/)*(?:[\w~-][\w.~-]*)?", re.ASCII)


def _candidates(href: str, page_url: str, base_path: str) -> tuple[str, ...] | None:
    """The case-folded output paths any of which `href` on the page at `page_url` may reach;
    () if it leaves the site (base_path); None if there is nothing to check: external,
    mailto:, tel:, or a #fragment on the same page."""
    if _PLAIN_ROOTED.fullmatch(href):
        resolved = href
    else:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not (parts.path or parts.query):
            return None
        resolved = urlsplit(urljoin(page_url, href)).path
    if not resolved.startswith(base_path):
        return ()
    relative = unquote(resolved[len(base_path):])
    return (urls.output_path(relative).casefold(), (relative + "/index.html").casefold())


@lru_cache(maxsize=65_536)
def _rooted_candidates(href: str, base_path: str) -> tuple[str, ...] | None:
    return _candidates(href, base_path, base_path)


def _locate(href: str, page_url: str, base_path: str, output: Output, read_text) -> tuple[str, int | None, str]:
    """The clerk's file and line holding the link, else the template's; and the link as it is
    written there (the built page may carry a rewritten form: sub-path, --relative)."""
    resolved = urlsplit(urljoin(page_url, href)).path
    site_path = resolved[len(base_path):] if resolved.startswith(base_path) else ""
    folder = site_path.removesuffix("index.html")
    written = [href]
    if folder:
        # As a clerk writes it (/don-vi/) and as a template passes it to url() ('don-vi/').
        written += ["/" + folder, folder]
    if output.source:
        found = _find(read_text(output.source), written)
        if found is not None:
            return output.source, *found
    for name in _templates_of(output.template, read_text):
        found = _find(read_text(f"templates/{name}"), written)
        if found is not None:
            return f"templates/{name}", *found
    return f"templates/{output.template}", None, href


# How a template names another: {% extends/include/import/from "x" %}, or shared("x").
_REFERENCE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']|\bshared\(\s*["']([^"']+)["']\s*\)""")


def _templates_of(name: str, read_text) -> list[str]:
    """A page's template, then those it extends, includes or draws with shared(), nearest first."""
    order: list[str] = []
    queue = [name]
    while queue:
        current = queue.pop(0)
        if current in order:
            continue
        order.append(current)
        queue += [first or second for first, second in _REFERENCE.findall(read_text(f"templates/{current}") or "")]
    return order


def _find(text: str | None, needles: list[str]) -> tuple[int, str] | None:
    """(line, needle) of the first needle found in `text`."""
    if not text:
        return None
    for needle in needles:
        index = text.find(needle)
        if index >= 0:
            return text[:index].count("\n") + 1, needle
    return None
