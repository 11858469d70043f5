"""Python-Markdown's inline treeprocessor, without the pattern tries that cannot succeed.

The stock InlineProcessor runs the regex of every inline pattern over every text and tail,
although most text of a ward's post (plain Vietnamese sentences) holds none of the
characters those regexes need. `SkippingInlineProcessor` tries a pattern only if the text
holds one of the strings that every match of its regex contains; the patterns tried, their
order and what they see are the stock processor's, so the tree it makes is the same. A
pattern whose regex is not in `NEEDS` (another extension, a regex changed by an upgrade of
Markdown, an old-style Pattern) is always tried.
"""

from __future__ import annotations

import re

from markdown import Markdown
from markdown.inlinepatterns import Pattern
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

# The regex of each inline pattern that Markdown and the extensions extra and sane_lists
# register (named in the comments), and the strings of which each of its matches holds at
# least one. The placeholders Markdown leaves in text (STX klzzwxh:N ETX for inline nodes,
# STX wzxhzdk:N ETX for stashed HTML) contain none of these strings, so they never make a
# pattern match, and a match only replaces text with such a placeholder.
NEEDS: dict[str, frozenset[str]] = {
    # backtick: both branches need a backtick, as the match or right after it (lookahead).
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": frozenset("`"),
    r"\\(.)": frozenset("\\"),  # escape
    r"\[\^([^\]]*)\]": frozenset("["),  # footnote
    r"(?<!\!)\[": frozenset("["),  # reference, link, short_reference
    r"\!\[": frozenset("["),  # image_link, image_reference, short_image_ref
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": frozenset("<"),  # autolink
    r"<([^<> !]+@[^@<> ]+)>": frozenset("<"),  # automail
    r"  \n": frozenset({"  \n"}),  # linebreak: two spaces at the end of a line
    (  # html
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+"""
        r"""\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"""
    ): frozenset("<"),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": frozenset("&"),  # entity
    r"\*|_": frozenset("*_"),  # em_strong
}
# Finds every needed string in a text, the longest first where they overlap.
_NEEDED = re.compile("|".join(re.escape(s) for s in sorted({s for needs in NEEDS.values() for s in needs},
                                                            key=len, reverse=True)))


class SkippingInlineProcessor(InlineProcessor):
    """The stock InlineProcessor, skipping a pattern when the text lacks what its regex needs."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._patterns: tuple[Pattern, ...] = ()
        self._needs: tuple[frozenset[str] | None, ...] = ()  # per pattern; None: always tried
        self._last_always_tried = -1

    def run(self, tree, ancestors=None):
        patterns = tuple(self.inlinePatterns)  # priority order, as the stock processor walks them
        if patterns != self._patterns:
            self._patterns = patterns
            self._needs = tuple(NEEDS.get(pattern.getCompiledRegExp().pattern) for pattern in patterns)
            self._last_always_tried = max((i for i, needs in enumerate(self._needs) if needs is None), default=-1)
        return super().run(tree, ancestors)

    # Overrides the stock InlineProcessor.__handleInline, which its run and __applyPattern
    # call for every text: the same loop, where a pattern that cannot match is passed over
    # as the stock __applyPattern passes over it, returning (data, False, 0).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        present = set(_NEEDED.findall(data))  # only shrinks as matches are replaced: a safe superset
        if not present and patternIndex > self._last_always_tried:
            return data
        patterns, needs = self._patterns, self._needs
        apply = self._InlineProcessor__applyPattern
        startIndex = 0
        count = len(patterns)
        while patternIndex < count:
            wanted = needs[patternIndex]
            if wanted is not None and wanted.isdisjoint(present):
                startIndex = 0
                patternIndex += 1
                continue
            data, matched, startIndex = apply(patterns[patternIndex], data, patternIndex, startIndex)
            if not matched:
                patternIndex += 1
        return data


def use_skipping_inline(md: Markdown) -> None:
    """Put a SkippingInlineProcessor in the place (and priority) of md's stock inline processor."""
    if type(md.treeprocessors["inline"]) is not InlineProcessor:
        return
    priority = md.treeprocessors._priority[md.treeprocessors.get_index_for_name("inline")].priority
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", priority)
