"""Every internal link and image of the built site must reach a built page or a static file.

Checked on the rendered bytes, so links written by clerks (bodies) and by templates are both
covered; each broken link is reported where a person can fix it: the post or page whose text
holds it, else the template that rendered it. External links are never fetched (CI is offline).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urljoin, urlsplit

from phuongnews import urls
from phuongnews.errors import ErrorList
from phuongnews.plan import Output

# Our templates and the sanitiser always write double-quoted attributes.
_LINK = re.compile(r'<(?:a|link|img|script|iframe|source)\b[^>]*?\s(?:href|src)="([^"]*)"')


def check_links(
    outputs: Iterable[Output], files: dict[str, bytes], statics: Iterable[str], base_path: str,
    read_text: Callable[[str], str | None], errors: ErrorList,
) -> None:
    """`files`: output path -> bytes; `read_text(relative)`: a source or template's text, for
    finding the line of a broken link."""
    targets = {path.casefold() for path in files} | {path.casefold() for path in statics}
    reported: set[tuple] = set()
    for output in outputs:
        path = urls.output_path(output.url)
        data = files.get(path)
        if data is None or not path.endswith(".html"):
            continue
        page_url = base_path + output.url
        for match in _LINK.finditer(data.decode("utf-8")):
            href = html.unescape(match[1])
            problem = _problem(href, page_url, base_path, targets)
            if problem is None:
                continue
            where, line = _locate(href, base_path, output, read_text)
            key = (where, line, href)
            if key not in reported:
                reported.add(key)
                errors.add(where, line, problem, href=href)


def _problem(href: str, page_url: str, base_path: str, targets: set[str]) -> str | None:
    """None if `href` is external or reaches a built file; else the message code."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not (parts.path or parts.query):
        return None  # external, mailto:, tel:, or a #fragment on the same page
    resolved = urlsplit(urljoin(page_url, href)).path
    if not resolved.startswith(base_path):
        return "link.outside"
    relative = unquote(resolved[len(base_path):])
    candidates = (urls.output_path(relative), relative + "/index.html")
    return None if any(c.casefold() in targets for c in candidates) else "link.broken"


def _locate(href: str, base_path: str, output: Output, read_text) -> tuple[str, int | None]:
    """The clerk's file and line holding the link, else the template's."""
    written = [href]
    if href.startswith(base_path) and len(href) > len(base_path):
        # As a clerk writes it (/don-vi/) and as a template passes it to url() ('don-vi/').
        written += ["/" + href[len(base_path):], href[len(base_path):]]
    if output.source:
        line = _line_of(read_text(output.source), written)
        if line is not None:
            return output.source, line
    for template in (f"templates/{output.template}", "templates/base.html"):
        line = _line_of(read_text(template), written)
        if line is not None:
            return template, line
    return f"templates/{output.template}", None


def _line_of(text: str | None, needles: list[str]) -> int | None:
    if not text:
        return None
    for needle in needles:
        index = text.find(needle)
        if index >= 0:
            return text[:index].count("\n") + 1
    return None
