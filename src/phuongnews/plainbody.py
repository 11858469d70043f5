"""The HTML of a plain body, made directly: `plain_html(text)`.

Most of a ward's post is paragraphs of plain sentences, now and then a heading: nothing for
Markdown to change but to wrap them, and nothing for the sanitiser to remove. For such a
body (what counts as plain is below, and deliberately narrow) this gives the very bytes that
Markdown, its extensions (markup.EXTENSIONS), the heading demotion and the sanitiser give,
in a fifth of the time or less (80 µs against 420 for a bench post of 2-8 KB, 25 against 380
for one of the example site's); for any other body it gives None and the full pipeline runs.
tests/test_plainbody.py checks the two agree on generated bodies and on every plain body
of the example site.

A body is plain when, once Markdown's own clean-up of line ends and blank lines is done:
- no character of it could start any Markdown or HTML construct (PLAIN_REFUSED), no
  control character but the line end, no tab, and no no-break space (the sanitiser writes
  it as an entity); an `&` only where it cannot start an entity (it becomes `&amp;`);
- no line starts or ends with a space (indented code, list continuations, hard breaks);
- every line starts with a letter, or a digit not followed (after more digits) by a dot
  (an ordered list item), or it is a heading (`#` to `######`, a space, then text without
  `#`) standing alone between blank lines.
"""

from __future__ import annotations

import re

# Each of these starts (or is part of) some construct of Markdown, its extra extensions or
# HTML: escapes, code, emphasis, links and images, footnotes, abbreviations, raw HTML and
# autolinks, attribute lists, tables, fenced code.
PLAIN_REFUSED = frozenset("\\`*_[]<>{}|~\t\xa0")
# ... and the control characters but \n and \r (line ends), C1's included.
_REFUSED = re.compile("[" + re.escape("".join(sorted(PLAIN_REFUSED))) + "\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ENTITY = re.compile(r"&#?\w+;")  # wider than HTML's entities, as Markdown's serializer reads them
_LINE_START = re.compile(r"[^\W\d_]|\d+(?![\d.])")  # a letter; digits, not as "1." of a list
_HEADING = re.compile(r"(#{1,6}) ([^#\s](?:[^#\n]*[^#\s])?)")
# A line of spaces alone is an empty line to Markdown (its NormalizeWhitespace preprocessor).
_BLANK_RUNS = re.compile(r"\n(?: *\n)+")


def plain_html(text: str) -> str | None:
    """The HTML the full pipeline makes of `text` if it is plain (see the module's
    docstring), else None."""
    if _REFUSED.search(text) is not None or ("&" in text and _ENTITY.search(text) is not None):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.strip(" \n") == "":
        return ""
    blocks = _BLANK_RUNS.split(text.strip("\n"))
    html = []
    for block in blocks:
        if block.startswith("#"):
            heading = _HEADING.fullmatch(block)
            if heading is None:
                return None  # a heading sharing its block, a "#hashtag", or something else
            level = min(len(heading.group(1)) + 1, 6)  # the page title is the only <h1>
            html.append(f"<h{level}>{_escaped(heading.group(2))}</h{level}>")
            continue
        for line in block.split("\n"):
            if line[-1] == " " or _LINE_START.match(line) is None:
                return None
        html.append(f"<p>{_escaped(block)}</p>")
    return "\n".join(html)


def _escaped(text: str) -> str:
    # < and > never get here (PLAIN_REFUSED), nor an & that could start an entity.
    return text.replace("&", "&amp;")
