"""Python-Markdown, without the work that cannot change its result: `speed_up(md)`.

Markdown tries every block processor on every block and every inline pattern on every
text, although most of a ward's post (plain Vietnamese sentences) holds none of the
characters that those processors and patterns need. Here a processor or pattern is passed
over when its input lacks every string that it needs to succeed; all others are tried in
the stock order on the stock input, so the HTML is the stock HTML. Only what is listed
below, with the regex it was checked for, is ever passed over: another extension, or a
regex changed by an upgrade of Markdown, is always tried.
"""

from __future__ import annotations

import re

from markdown import Markdown, util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import Pattern
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

# --- Inline patterns -------------------------------------------------------------------

# The regex of each inline pattern that Markdown and the extensions extra and sane_lists
# register (named in the comments), and the strings of which each of its matches holds at
# least one. The placeholders Markdown leaves in text (STX klzzwxh:N ETX for inline nodes,
# STX wzxhzdk:N ETX for stashed HTML) contain none of these strings, so they never make a
# pattern match, and a match only replaces text with such a placeholder.
INLINE_NEEDS: dict[str, frozenset[str]] = {
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


def _finder(needs: dict) -> re.Pattern:
    """A regex that finds every needed string in a text, the longest first where they overlap."""
    strings = sorted({s for wanted in needs.values() for s in wanted}, key=lambda s: (-len(s), s))
    return re.compile("|".join(map(re.escape, strings)))


class SkippingInlineProcessor(InlineProcessor):
    """The stock InlineProcessor, passing over a pattern when the text lacks what its regex needs."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._patterns: tuple[Pattern, ...] = ()
        self._needs: tuple[frozenset[str] | None, ...] = ()  # per pattern; None: always tried
        self._last_always_tried = -1
        self._needed = _finder(INLINE_NEEDS)

    def run(self, tree, ancestors=None):
        patterns = tuple(self.inlinePatterns)  # priority order, as the stock processor walks them
        if patterns != self._patterns:
            self._patterns = patterns
            self._needs = tuple(INLINE_NEEDS.get(pattern.getCompiledRegExp().pattern) for pattern in patterns)
            self._last_always_tried = max((i for i, needs in enumerate(self._needs) if needs is None), default=-1)
        return super().run(tree, ancestors)

    # Overrides the stock InlineProcessor.__handleInline, which its run and __applyPattern
    # call for every text: the same loop, where a pattern that cannot match is passed over
    # as the stock __applyPattern passes over it, returning (data, False, 0).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        present = set(self._needed.findall(data))  # only shrinks as matches are replaced: a safe superset
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


# --- Block processors ------------------------------------------------------------------

# Block processors of Markdown, extra and sane_lists that may be passed over: by class, the
# regex their test (or run) relies on (None: none), and the strings of which a block must
# hold at least one for that test to pass, or for run to do anything but put the block back
# and return False. The others (empty, indent, defindent, code, olist, ulist, paragraph)
# look at the block's first characters only, which costs less than a check would.
BLOCK_NEEDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    # run: HTML_PLACEHOLDER_RE.match(block), a stashed element's placeholder opening the block
    "markdown.extensions.md_in_html.MarkdownInHtmlProcessor": (util.HTML_PLACEHOLDER % "([0-9]+)", ("\x02",)),
    # test: a row that splits into cells, or a single cell with a border: either needs a pipe
    # (the `border` it leaves behind is read only by a run after a test that passed).
    "markdown.extensions.tables.TableProcessor": (None, ("|",)),
    "markdown.blockprocessors.HashHeaderProcessor": (
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)", ("#",)),
    # match at the start, `.` not crossing lines: the first line, then a line of = or -.
    "markdown.blockprocessors.SetextHeaderProcessor": (r"^.*?\n(?:=+|-+)[ ]*(\n|$)", ("\n=", "\n-")),
    "markdown.blockprocessors.HRProcessor": (  # the regex is its SEARCH_RE
        r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$",
        ("-", "_", "*")),
    "markdown.extensions.def_list.DefListProcessor": (r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)", (":",)),
    "markdown.blockprocessors.BlockQuoteProcessor": (r"(^|\n)[ ]{0,3}>[ ]?(.*)", (">",)),
    # These three test True and find their definitions in run.
    "markdown.extensions.footnotes.FootnoteBlockProcessor": (r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$", ("[",)),
    "markdown.extensions.abbr.AbbrBlockprocessor": (
        r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$", ("[",)),
    "markdown.blockprocessors.ReferenceProcessor": (
        r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
        ("[",)),
}


def _block_needs(processor: BlockProcessor) -> tuple[str, ...] | None:
    cls = type(processor)
    known = BLOCK_NEEDS.get(f"{cls.__module__}.{cls.__qualname__}")
    if known is None:
        return None
    regex, needs = known
    if cls.__qualname__ == "MarkdownInHtmlProcessor":
        used = util.HTML_PLACEHOLDER_RE
    else:
        used = getattr(processor, "SEARCH_RE" if cls.__qualname__ == "HRProcessor" else "RE", None)
    return needs if (used.pattern if used is not None else None) == regex else None


class SkippingBlockParser(BlockParser):
    """The stock BlockParser, passing over a block processor that cannot take the block."""

    _processors: tuple[BlockProcessor, ...] = ()
    _steps: tuple[tuple[BlockProcessor, tuple[str, ...] | None], ...] = ()

    def parseBlocks(self, parent, blocks: list[str]) -> None:
        processors = tuple(self.blockprocessors)  # priority order, as the stock parser walks them
        if processors != self._processors:
            self._processors = processors
            self._steps = tuple((processor, _block_needs(processor)) for processor in processors)
        steps = self._steps
        # The stock loop, with the check in front of each test.
        while blocks:
            for processor, needs in steps:
                if needs is not None:
                    block = blocks[0]
                    for needed in needs:
                        if needed in block:
                            break
                    else:
                        continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break


# --- Installing ------------------------------------------------------------------------

def speed_up(md: Markdown) -> None:
    """Make md skip what cannot succeed, where it still uses the stock parts."""
    if type(md.treeprocessors["inline"]) is InlineProcessor and hasattr(InlineProcessor, "_InlineProcessor__applyPattern"):
        priority = md.treeprocessors._priority[md.treeprocessors.get_index_for_name("inline")].priority
        md.treeprocessors.register(SkippingInlineProcessor(md), "inline", priority)
    if type(md.parser) is BlockParser:
        # The parser is referred to by every block processor (and by the footnotes
        # extension): it is given the subclass, not replaced.
        md.parser.__class__ = SkippingBlockParser
