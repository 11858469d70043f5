"""RSS 2.0 and Atom feeds saved from the old portal: one Document per item."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, tzinfo
from email.utils import parsedate_to_datetime

from phuongnews.importer.extract import Document
from phuongnews.importer.htmltext import html_to_text, local_time

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def looks_like_feed(text: str) -> bool:
    head = text[:2000].lower()
    return "<rss" in head or ("<feed" in head and "atom" in head)


def feed_documents(text: str, origin: str, zone: tzinfo) -> tuple[list[Document], str | None]:
    """(documents, None) or ([], message code) when the XML cannot be read."""
    try:
        root = ET.fromstring(text.lstrip("\ufeff").encode("utf-8"))
    except ET.ParseError:
        return [], "import.bad_feed"
    if root.tag == f"{_ATOM}feed":
        return [_atom(entry, origin, index, zone) for index, entry in enumerate(root.iter(f"{_ATOM}entry"), 1)], None
    return [_rss(item, origin, index, zone) for index, item in enumerate(root.iter("item"), 1)], None


def _text(element, tag: str) -> str | None:
    found = element.find(tag)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _rss(item, origin: str, index: int, zone: tzinfo) -> Document:
    html = _text(item, _CONTENT) or _text(item, "description") or ""
    published = None
    if stamp := _text(item, "pubDate"):
        try:
            published = local_time(parsedate_to_datetime(stamp), zone)
        except (TypeError, ValueError):
            published = None
    return Document(
        origin=f"{origin} (mục {index})", text=html_to_text(html), title=_text(item, "title"), published=published,
        author=_text(item, _DC_CREATOR) or _text(item, "author"), url=_text(item, "link") or _text(item, "guid"),
    )


def _atom(entry, origin: str, index: int, zone: tzinfo) -> Document:
    body = entry.find(f"{_ATOM}content")
    if body is None:
        body = entry.find(f"{_ATOM}summary")
    raw = "".join(body.itertext()) if body is not None else ""
    text = html_to_text(raw) if body is not None and body.get("type", "text") in ("html", "xhtml") else raw
    published = None
    if stamp := (_text(entry, f"{_ATOM}published") or _text(entry, f"{_ATOM}updated")):
        try:
            published = local_time(datetime.fromisoformat(stamp), zone)
        except ValueError:
            published = None
    url = None
    for link in entry.findall(f"{_ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            url = link.get("href")
            break
    author = entry.find(f"{_ATOM}author")
    return Document(
        origin=f"{origin} (mục {index})", text=text, title=_text(entry, f"{_ATOM}title"), published=published,
        author=_text(author, f"{_ATOM}name") if author is not None else None, url=url,
    )
