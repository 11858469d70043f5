"""HTML -> plain text with one paragraph per line, and a saved portal page -> a Document."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from html.parser import HTMLParser

from phuongnews.importer.datephrases import is_stamp_line
from phuongnews.importer.extract import _AUTHOR, _SOURCE, Document

_BLOCK = frozenset(
    ["p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article", "blockquote", "figure", "figcaption", "ul", "ol", "main", "hr", "dd", "dt", "pre", "caption", "center", "address"]
)
_SKIP = frozenset(["script", "style", "noscript", "nav", "header", "footer", "form", "iframe", "button", "select", "textarea", "svg", "aside", "template", "object", "embed"])
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"])
# Where portals keep the article itself (NukeViet 4: <div id="news-bodyhtml" class="bodytext …">).
_CONTAINER = re.compile(r"(?:^|\s)(?:news-bodyhtml|bodytext|news-content|entry-content|article-content|"
                        r"detail-content|content-detail|post-content|news-detail-content|noidung)(?:\s|$)")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.body: list[str] | None = None  # the container's text, once one is found
        self.stack: list[str] = []
        self.skip = 0
        self.container_depth: int | None = None
        self.lists: list[list] = []  # [kind, counter]
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.h1: list[str] = []
        self._in: str | None = None  # "title" or "h1" while inside one

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self.container_depth is not None and self.body is not None:
            self.body.append(text)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = (attributes.get("property") or attributes.get("name") or "").lower()
            if key:
                self.meta.setdefault(key, attributes.get("content", ""))
            return
        if tag == "link" and "canonical" in attributes.get("rel", "").lower():
            self.meta.setdefault("canonical", attributes.get("href", ""))
            return
        if tag in _VOID:
            if tag in ("br", "hr") and not self.skip:
                self._emit("\n")
            return
        self.stack.append(tag)
        if tag in _SKIP:
            self.skip += 1
            return
        if tag in ("title", "h1"):
            self._in = tag
            if tag == "h1":
                self.h1.append("")
        if self.container_depth is None and self.body is None:
            marker = f"{attributes.get('id', '')} {attributes.get('class', '')}"
            if _CONTAINER.search(" " + marker + " "):
                self.container_depth, self.body = len(self.stack), []
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        if tag in _BLOCK and not self.skip:
            self._emit("\n")
        if tag == "li" and not self.skip:
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self._emit(f"{self.lists[-1][1]}. ")
            else:
                self._emit("- ")

    def handle_endtag(self, tag):
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag in _SKIP:
                self.skip -= 1
            if open_tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            if open_tag in _BLOCK and not self.skip:
                self._emit("\n")
            if open_tag == self._in:
                self._in = None
            if self.container_depth is not None and len(self.stack) < self.container_depth:
                self.container_depth = None
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._in == "title":
            self.title_parts.append(data)
            return
        if self.skip:
            return
        if self._in == "h1" and self.h1:
            self.h1[-1] += data
        self._emit(data)


def _lines(parts: list[str]) -> str:
    text = "".join(parts).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return _lines(parser.parts)


def local_time(value: datetime, zone: tzinfo) -> datetime:
    return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value


def page_document(html: str, origin: str, zone: tzinfo) -> Document:
    parser = _Text()
    parser.feed(html)
    parser.close()
    whole = _lines(parser.parts)
    title = (parser.meta.get("og:title") or next((h.strip() for h in parser.h1 if len(h.strip()) > 15), "")
             or re.split(r"\s+[-|–]\s+", " ".join("".join(parser.title_parts).split()))[0])
    text = whole
    if parser.body:
        inner = _lines(parser.body)
        around = [line for line in whole.split("\n") if is_stamp_line(line)][:1]
        tail = [line for line in whole.split("\n") if _AUTHOR.match(line) or _SOURCE.match(line)]
        text = "\n".join(around + [inner] + tail)
    published = None
    stamp = parser.meta.get("article:published_time") or parser.meta.get("pubdate")
    if stamp:
        try:
            published = local_time(datetime.fromisoformat(stamp.strip()), zone)
        except ValueError:
            published = None
    url = parser.meta.get("canonical") or parser.meta.get("og:url") or None
    return Document(origin=origin, text=text, title=" ".join(title.split()) or None, published=published, url=url)
