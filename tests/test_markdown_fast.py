"""The quick paths of rendering Markdown give exactly what the plain code gives: each is
checked against the stock code it stands in for, on Markdown of every kind the extensions
read, raw HTML, entities, escapes, Vietnamese text and Markdown's own placeholder marks."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from phuongnews import inline_fast, markup
from phuongnews.markup import EXTENSIONS, MarkdownRenderer

# Pieces a clerk's Markdown (or a paste from Word) is made of; joined at random.
PIECES = [
    # text, Vietnamese and not
    "a", "b", "x1", " ", "  ", "\t", "\n", "\n\n", "Hội nghị", "Đảng ủy", "tỷ lệ 95,5%", "(bài số 24)", ".", ",",
    "Nguyễn Thị Ánh", "ư", "\u0301", "\u00a0",
    # inline syntax
    "*", "**", "***", "_", "__", "`", "``", "\\", "\\*", "\\_", "\\`", "\\[", "\\\\", "[", "]", "(", ")", "!", "![",
    "[x](http://e.vn/a \"t\")", "[x][r]", "[r]", "![ảnh](anh.jpg)", "[^1]", "[^note]", "  \n", "   \n",
    "<http://e.vn/a>", "<thu@e.vn>", "<", ">", "&", "&amp;", "&#123;", "&#x1F600;", "&nbsp;", "&copy", "@",
    "*nghiêng*", "**đậm**", "_a_", "__b__", "`mã`", "a_b_c", "2*3*4",
    # raw HTML
    "<b>", "</b>", "<br>", "<br/>", "<span title=\"t\">", "</span>", "<!-- c -->", "<?php ?>", "<![CDATA[x]]>",
    "<script>alert(1)</script>", "<a href=\"javascript:x\">", "<img src=x onerror=y>", "<div>", "</div>",
    "<div markdown=\"1\">", "<p>", "</p>", "<table><tr><td>ô</td></tr></table>",
    # block syntax
    "# ", "## ", "### ", "> ", "- ", "* ", "+ ", "1. ", "2) ", "    ", "---", "***\n", "===", "```\n", "~~~\n",
    "```python\n", "| a | b |\n|---|:-:|\n| 1 | 2 |\n", "Thuật ngữ\n: Định nghĩa\n", "{: #id .lop }", "{#h}",
    "*[MTTQ]: Mặt trận Tổ quốc\n", "MTTQ", "*[copy]: bản sao\n", "[^1]: Chú thích.\n", "[r]: http://e.vn/r\n", "[r]: <http://e.vn>\n",
    # Markdown's placeholder marks: the input may hold them, and they must not fool a fast path
    "\x02", "\x03", "klzzwxh:0000", "\x02klzzwxh:0000\x03", "\x02wzxhzdk:0\x03", "\x02amp\x03",
]
MARKDOWN = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    st.text(alphabet=st.sampled_from("ab Ư\n*_`\\[]()!<>&#;:/@ \x02\x03"), max_size=60),
)


def plain_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=EXTENSIONS, output_format="html")


def skipping_markdown() -> markdown.Markdown:
    md = plain_markdown()
    inline_fast.use_skipping_inline(md)
    return md


PLAIN, SKIPPING = plain_markdown(), skipping_markdown()


def convert(md: markdown.Markdown, text: str) -> str:
    md.reset()
    return md.convert(text)


def test_the_renderer_uses_the_skipping_processor_and_knows_every_pattern():
    # If a Markdown upgrade changes a pattern, the processor still works (it tries that
    # pattern always), but then the table in inline_fast wants looking at: this says so.
    md = MarkdownRenderer()._md
    processor = md.treeprocessors["inline"]
    assert isinstance(processor, inline_fast.SkippingInlineProcessor)
    assert md.treeprocessors.get_index_for_name("inline") == PLAIN.treeprocessors.get_index_for_name("inline")
    unknown = [p.getCompiledRegExp().pattern for p in md.inlinePatterns
               if p.getCompiledRegExp().pattern not in inline_fast.NEEDS]
    assert unknown == []


@given(MARKDOWN)
@settings(max_examples=1500, deadline=None)
@example("Hội nghị  \nlần thứ hai")
@example("a\\*b\\* `c` [d](e) ![f](g) <b>h</b> &amp; **i** _j_ <http://k.vn> <l@m.vn> [^1]\n\n[^1]: n")
@example("\x02klzzwxh:0000\x03 *a*")
@example("*[MTTQ]: Mặt trận\n\nMTTQ và *MTTQ*")
@example("&copy; và &nbsp;\n\n*[copy]: bản sao")
@example("<div markdown=\"1\">\n*a* b\n</div>")
@example("Đảng ủy {: .x }\n\n# Tiêu đề {#t}")
def test_skipping_inline_processor_makes_what_the_stock_one_makes(text):
    assert convert(SKIPPING, text) == convert(PLAIN, text)
    for repeat in (text + "\n\n" + text, "*a* " + text):  # state left by one text does not leak to the next
        assert convert(SKIPPING, repeat) == convert(PLAIN, repeat)


@pytest.mark.parametrize("regex, text", [
    (r"\*|_", "**đậm** và _nghiêng_"),
    (r"  \n", "dòng một  \ndòng hai"),
    # An entity left as text would be a word that an abbreviation can mark.
    (r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)", "&copy; 2023\n\n*[copy]: bản sao"),
    (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", "`mã`"),
])
def test_a_wrong_table_would_be_caught(monkeypatch, regex, text):
    # The comparison above has teeth: a pattern said to need a string it does not need is
    # skipped, and the HTML differs.
    monkeypatch.setitem(inline_fast.NEEDS, regex, frozenset("\x7f"))
    assert convert(skipping_markdown(), text) != convert(PLAIN, text)


def test_unknown_patterns_are_always_tried():
    md = plain_markdown()
    md.inlinePatterns.register(markdown.inlinepatterns.SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "del", 65)
    inline_fast.use_skipping_inline(md)
    assert convert(md, "a ~~b~~ c") == "<p>a <del>b</del> c</p>"


def test_only_the_stock_processor_is_replaced():
    md = plain_markdown()

    class Custom(InlineProcessor):
        pass

    md.treeprocessors.register(Custom(md), "inline", 20)
    inline_fast.use_skipping_inline(md)
    assert type(md.treeprocessors["inline"]) is Custom


# Pieces of the HTML a body may turn into: what Markdown makes, and raw HTML of every kind.
HTML_PIECES = [
    "a", "Hội nghị", " ", "\n", "&amp;", "&lt;", "&#60;", ">", "<", "</", "<p>", "</p>", "<h2>", "</h2>", "<em>", "</em>",
    "<strong>", "<br>", "<br/>", "<br />", "<hr>", "<li>", "<ul>", "</ul>", "<table>", "<td>", "<code>", "<pre>",
    "<P>", "<Br>", "<p >", "<p\n>", "<p id=\"x\">", "<a href=\"/a\">", "<a href=\"javascript:x\">", "<a href='java\tscript:x'>",
    "<img src=x onerror=y>", "<img src=\"data:x\">", "<div onclick=x>", "<span>", "<abbr title=\"t\">",
    "<script>", "</script>", "<SCRIPT>", "<style>", "<iframe src=\"https://www.youtube.com/embed/x\">",
    "<iframe src=\"http://e.vn\">", "<iframe>", "</iframe>", "<form>", "<input>", "<svg>", "<math>", "<object>", "<embed>",
    "<o:p>", "<font>", "<!-- c -->", "<!--", "-->", "<!DOCTYPE html>", "<?php ?>", "<![CDATA[x]]>", "<noscript>",
    "<p/>", "<pre>", "<textarea>", "<title>", "<xmp>", "<plaintext>",
]
HTML = st.lists(st.sampled_from(HTML_PIECES), max_size=25).map("".join)
EMBEDS = st.sampled_from([frozenset(), frozenset({"www.youtube.com"})])


@given(HTML, EMBEDS)
@settings(max_examples=1500, deadline=None)
@example("<p>Hội nghị</p>\n<h2>Tiêu đề</h2>\n<p>a<br>\nb</p>", frozenset())
@example("<p><script>alert(1)</script></p>", frozenset())
@example("<p><SCRIPT>alert(1)</SCRIPT></p>", frozenset())
@example("<p><a href=\"javascript:x\">a</a></p>", frozenset())
def test_danger_scan_skips_only_html_it_would_find_nothing_in(html, embeds):
    text = html.replace("<p>", "")  # the body the HTML came from, for the line numbers
    assert markup._dangers(html, text, embeds) == markup._found_dangers(html, text, embeds)


@given(MARKDOWN)
@settings(max_examples=500, deadline=None)
def test_danger_scan_of_rendered_markdown_is_the_full_scan(text):
    html = convert(PLAIN, text)
    assert markup._dangers(html, text, frozenset()) == markup._found_dangers(html, text, frozenset())


def test_a_wrong_bare_tag_pattern_would_be_caught(monkeypatch):
    monkeypatch.setattr(markup, "_ONLY_BARE_KEPT_TAGS", re.compile(r"(?:[^<]++|</?(?:p|script)>)*+"))
    html = "<p><script>alert(1)</script></p>"
    assert markup._dangers(html, html, frozenset()) != markup._found_dangers(html, html, frozenset())
