"""The one configured Markdown renderer for post and page bodies."""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor

EXTENSIONS = ["extra", "sane_lists"]


class _DemoteHeadings(Treeprocessor):
    """The page title is the only <h1>; a clerk's `# Heading` becomes <h2>, so headings stay
    in order for screen readers."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5"):
                element.tag = f"h{int(element.tag[1]) + 1}"


class _RootLinks(Treeprocessor):
    """A clerk's `/images/a.jpg` means the site's root; under a sub-path that is base_path."""

    def __init__(self, md: markdown.Markdown, base_path: str) -> None:
        super().__init__(md)
        self.base_path = base_path

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value and value.startswith("/") and not value.startswith("//"):
                    element.set(attribute, self.base_path + value[1:])


class MarkdownRenderer:
    def __init__(self, base_path: str = "/") -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
        self._md.treeprocessors.register(_DemoteHeadings(self._md), "demote_headings", 0)
        if base_path != "/":
            self._md.treeprocessors.register(_RootLinks(self._md, base_path), "root_links", 0)

    def render(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)
