"""A plain body's HTML, made directly (plainbody.py), is byte for byte what Markdown, its
extensions and the sanitiser make of it; anything not plain goes to them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from phuongnews import markup
from phuongnews.errors import ErrorList
from phuongnews.frontmatter import split_front_matter
from phuongnews.markup import MarkdownRenderer
from phuongnews.plainbody import plain_html
from tests.test_markdown_fast import MARKDOWN

ROOT = Path(__file__).resolve().parent.parent


def full_renderer(monkeypatch, **options) -> MarkdownRenderer:
    """The renderer with the plain path turned off: Markdown and the sanitiser, always."""
    monkeypatch.setattr(markup, "plain_html", lambda text: None)
    return MarkdownRenderer(**options)


# Words of a ward's post and the characters around the edges of what is plain: entities and
# ampersands, digits that may start a list, marks and invisible or unusual spaces.
WORDS = st.sampled_from([
    "Hội", "nghị", "đồng", "chí", "Đảng", "ủy", "MTTQ", "2023", "1.5", "45/45", "&", "A&B", "&amp;", "&#7;", "&đ;",
    "(bài", "số", "1)", "1.", "–", "“Tập", "trung”", "100%", "x:y", "#1", "!", "?", "ễ\u0301", "\u200b", "\ufeff",
    "\u2028", "\u2003", "\u00a0", "a'b", '"q"', "a=b", "a+b", "-", "*", "_", "ǅ", "\U0001f600", "http://e.vn/a",
])
LINES = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
PARAGRAPHS = st.lists(LINES, min_size=1, max_size=4).map("\n".join)
HEADINGS = st.tuples(st.integers(1, 7), LINES).map(lambda h: "#" * h[0] + " " + h[1])
SEPARATORS = st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\r\n\r\n", "\r\r", "\n  \n\n", "\n", " \n\n"])
BODIES = st.builds(
    lambda start, blocks, separator, end: start + separator.join(blocks) + end,
    st.sampled_from(["", "\n", "\n\n", " "]), st.lists(st.one_of(PARAGRAPHS, PARAGRAPHS, HEADINGS), min_size=1, max_size=6),
    SEPARATORS, st.sampled_from(["", "\n", "\n\n", " ", "  "]),
)


@given(st.one_of(BODIES, MARKDOWN))
@settings(max_examples=1500, deadline=None)
@example("Khối MTTQ & các đoàn thể\nphối hợp chặt chẽ.\n\n## Nhiệm vụ năm 2024\n\n###### Mục nhỏ")
@example("Ngày 22/12/2023 &nbsp; hội nghị")  # an entity: not plain
@example("Hội nghị\u00a0lần thứ hai")  # the sanitiser writes a no-break space as &nbsp;
@example("2023. Năm bản lề")  # an ordered list item
@example("Đoạn một\n## Tiêu đề trong đoạn")
def test_a_plain_body_gets_the_html_markdown_and_the_sanitiser_give(body):
    made = plain_html(body)
    if made is not None:
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert made == full_renderer(monkeypatch).render(body)


@pytest.mark.parametrize("options", [{}, {"base_path": "/tinh/phuong/", "relative": True, "embeds": ("youtube.com",)}])
def test_the_example_site_posts_take_the_plain_path_and_keep_their_html(monkeypatch, options):
    posts = sorted((ROOT / "content" / "posts").rglob("*.md"))
    bodies = [split_front_matter(path.read_text(encoding="utf-8"), str(path), ErrorList()).body for path in posts]
    assert len(bodies) == 5 and all(plain_html(body) is not None for body in bodies)  # all five are plain prose
    fast, full = MarkdownRenderer(**options), full_renderer(monkeypatch, **options)
    for body in bodies:
        assert fast.render(body, "a.md", 9, "tin-tuc/a/") == full.render(body, "a.md", 9, "tin-tuc/a/")
        assert fast.found == [] and not fast.errors


@pytest.mark.parametrize("body", [
    "- một\n- hai", "1. một", "Đoạn\n  thụt vào", "    mã", "Dòng  \nngắt", "*nghiêng*", "a_b", "[liên kết](x)",
    "<b>đậm</b>", "a > b", "Tiêu đề\n===", "Mục\n---", "#hashtag", "## Tiêu đề ##", "Thuật ngữ\n: Định nghĩa",
    "| a | b |", "```\nmã\n```", "~~~", "Đoạn {: .lop }", "a\\b", "&copy;", "Tab\tở giữa", "\x02klzzwxh:0\x03",
])
def test_anything_markdown_or_the_sanitiser_would_change_is_left_to_them(body):
    assert plain_html(body) is None


def test_a_renderer_that_took_the_plain_path_reports_no_photos_or_errors_of_an_earlier_body(tmp_path):
    renderer = MarkdownRenderer()
    renderer.render("![ảnh](khong-co.jpg)\n\n<script>x</script>", "a.md", 3)
    assert renderer.warnings  # the sanitiser's warning, kept across renders as before
    warned = len(renderer.warnings)
    assert renderer.render("Đoạn văn thường.", "b.md", 3) == "<p>Đoạn văn thường.</p>"
    assert renderer.found == [] and not renderer.errors and len(renderer.warnings) == warned


def test_markdown_is_set_up_only_when_a_body_needs_it():
    renderer = MarkdownRenderer()
    assert renderer.render("Đoạn một.\n\n## Mục") == "<p>Đoạn một.</p>\n<h3>Mục</h3>"
    assert "_md" not in vars(renderer)  # a quick build meeting plain bodies alone skips it
    assert renderer.render("*nghiêng*") == "<p><em>nghiêng</em></p>"
    assert "_md" in vars(renderer)
