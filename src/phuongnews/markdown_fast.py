"""Python-Markdown, without the work that cannot change its result: `speed_up(md)`.

Markdown runs every preprocessor over the whole text, every block processor on every block
and every inline pattern on every text, although most of a ward's post (plain Vietnamese
sentences) holds none of the characters they need. Here one is passed over when its input
lacks every string that it needs to change anything; all others run in the stock order on
the stock input, so the HTML is the stock HTML. Only what is listed below, with the regex
it was checked for, is ever passed over, and only with a Markdown version the code was
checked against (CHECKED_VERSIONS): anything else is always run.
"""

from __future__ import annotations

import markdown
from markdown import Markdown, util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.htmlparser import htmlparser
from markdown.inlinepatterns import Pattern
from markdown.preprocessors import Preprocessor
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


class SkippingInlineProcessor(InlineProcessor):
    """The stock InlineProcessor, passing over a pattern when the text lacks what its regex needs."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._patterns: tuple[Pattern, ...] = ()
        self._needs: tuple[frozenset[str] | None, ...] = ()  # per pattern; None: always tried
        self._last_always_tried = -1
        # Every string some pattern needs; `in` finds them faster than a regex would.
        self._needed = tuple(sorted({s for needs in INLINE_NEEDS.values() for s in needs}))

    def run(self, tree, ancestors=None):
        patterns = tuple(self.inlinePatterns)  # priority order, as the stock processor walks them
        if patterns != self._patterns:
            self._patterns = patterns
            self._needs = tuple(INLINE_NEEDS.get(pattern.getCompiledRegExp().pattern) for pattern in patterns)
            self._last_always_tried = max((i for i, needs in enumerate(self._needs) if needs is None), default=-1)
        if self._last_always_tried < 0 and self._nothing_to_change(tree):
            self.stashed_nodes, self.parent_map = {}, {}  # as the stock run (3.11.4) leaves them
            return tree
        return super().run(tree, ancestors)

    def _nothing_to_change(self, tree) -> bool:
        """Whether no text or tail in the tree holds a needed string, or a placeholder's STX:
        then no pattern matches, and the stock run puts every text back as it was."""
        needed = (*self._needed, util.STX)
        for element in tree.iter():
            for text in (element.text, element.tail):
                if text and not isinstance(text, AtomicString):
                    for string in needed:
                        if string in text:
                            return False
        return True

    # Overrides the stock InlineProcessor.__handleInline, which its run and __applyPattern
    # call for every text: the same loop, where a pattern that cannot match is passed over
    # as the stock __applyPattern passes over it, returning (data, False, 0).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        present = {s for s in self._needed if s in data}  # only shrinks as matches are replaced
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
# regex their test (or run) relies on (None: none; a tuple: each checked version's), and the strings of which a block must
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
    "markdown.extensions.abbr.AbbrBlockprocessor": ((  # 3.11.3; 3.11.4 keeps the abbreviation on one line
        r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$",
        r"^[*]\[(?P<abbr>[^\\\n]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$"), ("[",)),
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
    pattern = used.pattern if used is not None else None
    return needs if (pattern in regex if isinstance(regex, tuple) else pattern == regex) else None


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


# --- Preprocessors --------------------------------------------------------------------

class SkippingPreprocessor(Preprocessor):
    """A stock preprocessor, run only if `changes(text)` says that the text holds what it
    changes; otherwise the lines come back as the stock one gives back such a text."""

    def __init__(self, md: Markdown, stock: Preprocessor, changes, unchanged) -> None:
        super().__init__(md)
        self.stock, self.changes, self.unchanged = stock, changes, unchanged

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if not self.changes(text):
            return self.unchanged(text)
        return self.stock.run(lines)


# What the stock preprocessors change; `in` scans a text faster than any regex.

def _whitespace_to_normalize(text: str) -> bool:
    # NormalizeWhitespace removes STX and ETX, turns CR into LF, expands tabs and empties
    # lines of spaces (" \n", also where the two line feeds it appends meet a space).
    return ("\x02" in text or "\x03" in text or "\r" in text or "\t" in text or " \n" in text
            or text.endswith(" "))


def _fence(text: str) -> bool:
    return "```" in text or "~~~" in text  # every fenced block opens with one


def _html(text: str) -> bool:
    # Where there is no < and no &, its HTML parser sees the text as one run of data.
    return "<" in text or "&" in text


def _split(text: str) -> list[str]:
    return text.split("\n")


def _split_with_end(text: str) -> list[str]:
    return (text + "\n\n").split("\n")


def _preprocessor_needs(preprocessor: Preprocessor) -> tuple[object, object] | None:
    """For a stock preprocessor that may be passed over: whether it would change a text,
    and what it gives back when it would not."""
    cls = type(preprocessor)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name == "markdown.preprocessors.NormalizeWhitespace":
        return _whitespace_to_normalize, _split_with_end
    if name == "markdown.extensions.fenced_code.FencedBlockPreprocessor":
        if preprocessor.FENCED_BLOCK_RE.pattern.startswith("\n(?P<fence>^(?:~{3,}|`{3,}))"):
            return _fence, _split
    if name == "markdown.extensions.md_in_html.HtmlBlockPreprocessor":
        if htmlparser.interesting_normal.pattern == "[&<]":  # the only characters it looks at in text
            return _html, _split
    return None


# --- Installing ------------------------------------------------------------------------

# The versions of Markdown whose code the tables and loops above were checked against; with
# any other, Markdown runs as it is (and tests/test_markdown_fast.py says so).
CHECKED_VERSIONS = frozenset({"3.11.3", "3.11.4"})


def speed_up(md: Markdown) -> bool:
    """Make md pass over what cannot change its result, where md uses the stock parts;
    whether it does."""
    if markdown.__version__ not in CHECKED_VERSIONS:
        return False
    if type(md.treeprocessors["inline"]) is InlineProcessor:
        _replace(md.treeprocessors, "inline", SkippingInlineProcessor(md))
    if type(md.parser) is BlockParser:
        # The parser is referred to by every block processor (and by the footnotes
        # extension): it is given the subclass, not replaced.
        md.parser.__class__ = SkippingBlockParser
    for item in list(md.preprocessors._priority):
        stock = md.preprocessors[item.name]
        known = _preprocessor_needs(stock)
        if known is not None:
            md.preprocessors.register(SkippingPreprocessor(md, stock, *known), item.name, item.priority)
    return True


def _replace(registry: util.Registry, name: str, new) -> None:
    registry.register(new, name, registry._priority[registry.get_index_for_name(name)].priority)
