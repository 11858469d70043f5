"""The one configured Markdown renderer for post and page bodies, and the raw-HTML policy.

Policy: clerks may write raw HTML in Markdown (tables pasted from Word, a <br>), but every
body is passed through nh3 (the Ammonia sanitiser) with an allow-list, so what is published
is always inert: no scripts, event handlers, javascript: links, forms or foreign frames.
Word's inline styles and classes are dropped silently (they are noise, not content); anything
removed that a clerk may have meant (a script, an embed, a handler, a link) is reported as a
warning with its file and line, so nothing disappears unnoticed. Video embeds are allowed
only from the hosts listed under `embeds:` in site.yaml.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import posixpath
import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from phuongnews import images
from phuongnews.errors import ErrorList
from phuongnews.images import Photo, PhotoProblem, PhotoResolver
from phuongnews.markdown_fast import speed_up
from phuongnews.plainbody import plain_html
from phuongnews.urls import relative_link

EXTENSIONS = ["extra", "sane_lists"]  # as a site would name them; made by markdown_extensions()


def markdown_extensions() -> list:
    """EXTENSIONS as new instances: "sane_lists", and for "extra" the extensions it stands for
    (Markdown's own list, in its order), each made by its module. Named, Markdown would look
    each name up among the entry points of every installed package first (importlib.metadata,
    40-60 ms a process: a tenth of a quick build), and a package that registered the same name
    would change the site's HTML. tests/test_markdown_fast.py checks these register what the
    names do."""
    from markdown.extensions import extra

    names = [part for name in EXTENSIONS for part in (extra.extensions if name == "extra" else [name])]
    return [importlib.import_module(f"markdown.extensions.{name}").makeExtension() for name in names]


ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small", "source", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading", "decoding"},
    "source": {"srcset", "sizes", "type"},  # inside <picture> only: nh3 drops <audio>/<video>
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "li": {"id"},  # footnotes
    "sup": {"id"},  # footnote references
    "iframe": {"src", "title", "width", "height", "allowfullscreen"},
}
ALLOWED_CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}, "figure": {"photo", "gallery"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed together with their content: what is inside them is code, not text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "object", "embed", "applet", "noscript", "iframe"})
# Removed elements a clerk should hear about; the rest (Word's <o:p>, <font> …) go quietly.
REPORTED_TAGS = DROPPED_WITH_CONTENT | {"form", "input", "button", "select", "textarea", "frame", "frameset",
                                        "link", "meta", "base", "svg", "math"}
_URL_ATTRIBUTES = ("href", "src")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


class _DemoteHeadings(Treeprocessor):
    """The page title is the only <h1>; a clerk's `# Heading` becomes <h2>, so headings stay
    in order for screen readers."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5"):
                element.tag = f"h{int(element.tag[1]) + 1}"


class MarkdownRenderer:
    """Markdown → sanitised HTML. `warnings` collects what the sanitiser removed."""

    def __init__(self, base_path: str = "/", embeds: tuple[str, ...] = (), relative: bool = False,
                 photos: PhotoResolver | None = None) -> None:
        self.photos = photos  # None: local images stay plain <img> (no site folder to find them in)
        self.found: list[Photo] = []  # the photos of the last render, for the build to publish
        self.errors = ErrorList()  # the last render's images that cannot be published
        self._text, self._source, self._first_line = "", None, 1
        self.base_path = base_path
        self.relative = relative
        self._page_url = ""  # the page being rendered, for --relative links
        self.embeds = frozenset(host.lower() for host in embeds)
        self.warnings = ErrorList()
        tags = set(ALLOWED_TAGS) | ({"iframe"} if self.embeds else set())
        self._cleaner = nh3.Cleaner(
            tags=tags,
            clean_content_tags=set(DROPPED_WITH_CONTENT) - tags,
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items() if tag in tags},
            attribute_filter=self._filter_attribute,
            allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
            url_schemes=set(URL_SCHEMES),
            link_rel=None,
            strip_comments=True,
        )

    @functools.cached_property
    def _md(self) -> markdown.Markdown:
        # Made when a body first needs it: a build that meets only plain bodies (plainbody.py),
        # as a quick build after an edit mostly does, skips importing the extensions and
        # setting them up (about 20 ms).
        md = markdown.Markdown(extensions=markdown_extensions(), output_format="html")
        speed_up(md)
        md.treeprocessors.register(_DemoteHeadings(md), "demote_headings", 0)
        md.treeprocessors.register(_Photos(md, self), "photos", 5)
        return md

    def render(self, text: str, source: str | None = None, first_line: int = 1, page_url: str = "") -> str:
        self.found, self.errors = [], ErrorList()
        plain = plain_html(text)
        if plain is not None:  # paragraphs and headings alone: the same HTML, made directly
            return plain
        self._md.reset()
        self._page_url = page_url
        self._text, self._source, self._first_line = text, source, first_line
        html = self._md.convert(text)
        if source is not None:
            for line_offset, code, params in _dangers(html, text, self.embeds):
                self.warnings.add(source, first_line + line_offset, code, **params)
        return self._cleaner.clean(html)

    def _filter_attribute(self, element: str, attribute: str, value: str) -> str | None:
        if attribute == "srcset":  # "url 480w, url 960w": each URL as a src
            candidates = [part.split() for part in value.split(",") if part.strip()]
            if any(_unsafe_url(url) for url, *_ in candidates):
                return None
            return ", ".join(" ".join([self._rewrite(url), *rest]) for url, *rest in candidates)
        if attribute not in _URL_ATTRIBUTES:
            return value
        if _unsafe_url(value):  # nh3 lets " java\tscript:" pass as relative; browsers run it
            return None
        if element == "iframe" and not _embed_allowed(value, self.embeds):
            return None
        return self._rewrite(value)

    def _rewrite(self, value: str) -> str:
        if self.relative:
            return _relative_url(value, self._page_url)
        # A clerk's `/images/a.jpg` means the site's root; under a sub-path that is base_path.
        if value.startswith("/") and not value.startswith("//"):
            return self.base_path + value[1:]
        return value


class _Photos(Treeprocessor):
    """Markdown images → <figure><picture>: a WebP <source> and a JPEG <img> with srcset,
    sizes, width, height and loading="lazy". A paragraph of only images is a figure (several:
    a gallery grid); its caption is an image's title or an italic line right after it (in the
    same paragraph or the next). Raw HTML <img> never comes here: it stays under the sanitiser."""

    def __init__(self, md: markdown.Markdown, renderer: MarkdownRenderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        found: dict[etree.Element, Photo | None] = {}
        cursor = 0
        for img in root.iter("img"):  # document order, so repeated files get their own lines
            found[img], cursor = self._resolve(img, cursor)
        if not found:
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        for paragraph in list(root.iter("p")):
            self._figure(paragraph, parents[paragraph], found)
        parents = {child: parent for parent in root.iter() for child in parent}
        for img in [img for img in root.iter("img") if parents.get(img) is not None and parents[img].tag != "picture"]:
            _replace(parents[img], img, _picture(img, found.get(img), images.SIZES_SINGLE, not _in_link(img, parents)))

    def _resolve(self, img: etree.Element, cursor: int) -> tuple[Photo | None, int]:
        renderer, src = self.renderer, img.get("src") or ""
        text = renderer._text
        index = text.find(src, cursor) if src else -1
        if index < 0:
            index = text.find(src) if src else -1
        line = renderer._first_line + (text[:index].count("\n") if index >= 0 else 0)
        cursor = index + len(src) if index >= 0 else cursor
        source = renderer._source
        if source is None:
            return None, cursor
        if not (img.get("alt") or "").strip():
            renderer.warnings.add(source, line, "image.no_alt", src=src)
        if renderer.photos is None or not src or not renderer.photos.local(src):
            return None, cursor
        try:
            photo = renderer.photos.find(src, source)
        except PhotoProblem as problem:
            renderer.errors.add(source, line, problem.code, **{"src": src, **problem.params})
            return None, cursor
        photo = dataclasses.replace(photo, source=source, line=line)
        renderer.found.append(photo)
        return photo, cursor

    def _figure(self, paragraph: etree.Element, parent: etree.Element, found: dict) -> None:
        children = list(paragraph)
        if (paragraph.text or "").strip() or not children or any((c.tail or "").strip() for c in children):
            return
        caption = children[-1] if children[-1].tag == "em" and len(children) > 1 else None
        photos = children[:-1] if caption is not None else children
        if any(c.tag != "img" for c in photos):
            return
        siblings = list(parent)
        after = siblings[siblings.index(paragraph) + 1] if siblings.index(paragraph) + 1 < len(siblings) else None
        if (caption is None and after is not None and after.tag == "p" and not (after.text or "").strip()
                and len(after) == 1 and after[0].tag == "em" and not (after[0].tail or "").strip()):
            caption = after[0]
            parent.remove(after)
        gallery = len(photos) > 1
        figure = etree.Element("figure", {"class": "gallery" if gallery else "photo"})
        for img in photos:
            holder = etree.SubElement(figure, "figure", {"class": "photo"}) if gallery else figure
            title = img.attrib.pop("title", None)
            element = _picture(img, found.get(img), images.SIZES_GALLERY if gallery else images.SIZES_SINGLE)
            element.tail = None
            holder.append(element)
            if title and (gallery or caption is None):
                etree.SubElement(holder, "figcaption").text = title
        if caption is not None:
            figcaption = etree.SubElement(figure, "figcaption")
            figcaption.text = caption.text
            figcaption.extend(caption)
        _replace(parent, paragraph, figure)


def _replace(parent: etree.Element, old: etree.Element, new: etree.Element) -> None:
    if new is old:
        return
    index = list(parent).index(old)
    new.tail = old.tail
    parent.remove(old)
    parent.insert(index, new)


def _in_link(element: etree.Element, parents: dict) -> bool:
    while (element := parents.get(element)) is not None:
        if element.tag == "a":
            return True
    return False


def _picture(img: etree.Element, photo: Photo | None, sizes: str, link: bool = True) -> etree.Element:
    """A <picture> for a processed photo; other images (external, drawings) as they are. When
    the site publishes originals (and the image is not inside a link already), the picture
    links to the photo's original, so a reader can open it full size."""
    if photo is None:
        return img
    alt, title = img.get("alt") or "", img.get("title")
    picture = etree.Element("picture")
    etree.SubElement(picture, "source", {"type": "image/webp", "srcset": images.srcset(photo, "webp"), "sizes": sizes})
    widest = photo.widths[-1]
    attributes = {
        "src": "/" + photo.url(images.fallback_width(photo), "jpg"), "srcset": images.srcset(photo, "jpg"),
        "sizes": sizes, "width": str(widest), "height": str(photo.height_at(widest)), "alt": alt,
        "loading": "lazy", "decoding": "async",
    }
    if title:
        attributes["title"] = title
    etree.SubElement(picture, "img", attributes)
    if link and photo.original_url:
        anchor = etree.Element("a", {"href": "/" + photo.original_url})
        anchor.append(picture)
        return anchor
    return picture


def _relative_url(value: str, page_url: str) -> str:
    """With --relative: /a/b/ and ../b/ become paths from the page that name index.html."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path:
        return value
    path = posixpath.normpath(posixpath.join("/" + page_url, parts.path)) + ("/" if parts.path.endswith("/") else "")
    link = relative_link(page_url, path.lstrip("/"))
    return link + ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")


def _embed_allowed(url: str, embeds: frozenset[str]) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "") in embeds


# HTML made only of text and bare tags (no attributes) that the sanitiser keeps: what Markdown
# makes of most bodies, and nothing in it is what _DangerFinder reports. Lower case only, as
# the finder lower-cases names: <SCRIPT> is left to it.
_BARE_TAG_NAMES = sorted(ALLOWED_TAGS - REPORTED_TAGS - {"iframe"}, key=lambda name: (-len(name), name))
_ONLY_BARE_KEPT_TAGS = re.compile(r"(?:[^<]++|</?(?:%s)>)*+" % "|".join(_BARE_TAG_NAMES))


def _dangers(html: str, markdown_text: str, embeds: frozenset[str]) -> list[tuple[int, str, dict]]:
    """What the sanitiser will remove that matters, as (line offset in the body, code, params)."""
    if _ONLY_BARE_KEPT_TAGS.fullmatch(html):
        return []
    return _found_dangers(html, markdown_text, embeds)


def _found_dangers(html: str, markdown_text: str, embeds: frozenset[str]) -> list[tuple[int, str, dict]]:
    """_dangers by an HTML parser's pass over every tag."""
    finder = _DangerFinder(embeds)
    finder.feed(html)
    finder.close()
    found = []
    for raw, code, params in finder.found:
        # Raw HTML passes through Markdown verbatim, so its first line locates it in the body;
        # a Markdown link [x](javascript:…) is found by its URL instead.
        index = markdown_text.find(raw.split("\n", 1)[0])
        if index < 0 and params.get("url"):
            index = markdown_text.find(params["url"])
        found.append((markdown_text[:index].count("\n") if index >= 0 else 0, code, params))
    return found


class _DangerFinder(HTMLParser):
    def __init__(self, embeds: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.embeds = embeds
        self.found: list[tuple[str, str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}"
        values = dict(attrs)
        if tag == "iframe":
            url = values.get("src") or ""
            if not self.embeds:
                self.found.append((raw, "html.embed_none", {"url": url}))
            elif not _embed_allowed(url, self.embeds):
                self.found.append((raw, "html.embed_host", {"url": url, "hosts": ", ".join(sorted(self.embeds))}))
            return
        if tag in REPORTED_TAGS:
            self.found.append((raw, "html.removed_tag", {"tag": tag}))
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((raw, "html.removed_handler", {"attribute": name, "tag": tag}))
            elif name in _URL_ATTRIBUTES and value and _unsafe_url(value):
                self.found.append((raw, "html.removed_url", {"url": value.strip()[:60], "tag": tag}))

    handle_startendtag = handle_starttag


def _unsafe_url(url: str) -> bool:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    compact = "".join(ch for ch in url if ch > " ").lower()
    scheme = _SCHEME.match(compact)
    return scheme is not None and scheme[1] not in URL_SCHEMES
