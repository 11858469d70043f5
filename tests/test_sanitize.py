"""The raw-HTML policy: whatever a clerk pastes, the published HTML is inert, the text is
kept, and every removal that matters is reported as a warning with its line."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from phuongnews.cli import main
from phuongnews.markup import MarkdownRenderer
from tests.conftest import MINIMAL_CONFIG, post

POST = "content/posts/2023/a.md"
BODY_LINE = 6  # post(): ---, title, date, units, ---, then the body


def render(body: str, **options) -> tuple[str, list[str]]:
    renderer = MarkdownRenderer(**options)
    html = renderer.render(body, POST, BODY_LINE)
    return html, [w.format("vi").splitlines()[0] for w in renderer.warnings]


@pytest.mark.parametrize(("body", "expected_html", "warning"), [
    pytest.param("<script>alert(1)</script>\n\nChữ.", "<p>Chữ.</p>",
                 f"{POST}:6: cảnh báo: đã bỏ thẻ <script> khỏi bài (trang tin không đăng mã chạy, biểu mẫu hay nội dung nhúng)",
                 id="script"),
    pytest.param("Dòng một.\n\n<p onclick=\"steal()\" onmouseover='x()'>Bấm</p>", "<p>Dòng một.</p>\n<p>Bấm</p>",
                 f"{POST}:8: cảnh báo: đã bỏ thuộc tính onclick của thẻ <p> (mã chạy trên trang không được phép)",
                 id="event-handler"),
    pytest.param("[Bấm](javascript:alert(1))", "<p><a>Bấm</a></p>",
                 f"{POST}:6: cảnh báo: đã bỏ liên kết 'javascript:alert(1)' của thẻ <a>: chỉ dùng liên kết http, https, mailto hoặc tel",
                 id="javascript-markdown-link"),
    pytest.param('<a href=" JaVa\tScript:alert(1)">x</a>', "<p><a>x</a></p>",
                 f"{POST}:6: cảnh báo: đã bỏ liên kết 'JaVa  Script:alert(1)' của thẻ <a>: chỉ dùng liên kết http, https, mailto hoặc tel",
                 id="javascript-disguised"),
    pytest.param('<img src="data:text/html;base64,PHNjcmlwdD4=" alt="x">', '<p><img alt="x"></p>',
                 f"{POST}:6: cảnh báo: đã bỏ liên kết 'data:text/html;base64,PHNjcmlwdD4=' của thẻ <img>: chỉ dùng liên kết http, https, mailto hoặc tel",
                 id="data-url"),
    pytest.param('<iframe src="https://www.youtube.com/embed/x"></iframe>', "",
                 f"{POST}:6: cảnh báo: đã bỏ khung nhúng 'https://www.youtube.com/embed/x': site.yaml chưa cho phép nhúng từ trang nào",
                 id="iframe-without-embeds"),
    pytest.param("<form action=\"/x\"><input name=q>Tìm</form>", "Tìm",
                 f"{POST}:6: cảnh báo: đã bỏ thẻ <form> khỏi bài (trang tin không đăng mã chạy, biểu mẫu hay nội dung nhúng)",
                 id="form"),
])
def test_dangerous_html_is_removed_and_reported(body, expected_html, warning):
    html, warnings = render(body)
    assert html.strip() == expected_html
    assert warnings[0] == warning


def test_word_paste_loses_styles_and_classes_quietly():
    body = ('<p class="MsoNormal" style="margin:0cm;font-family:Times New Roman">Hội nghị <o:p></o:p>'
            '<span lang="VI" style="color:red">tổng kết</span></p>\n\n'
            '<table class="MsoTableGrid" border="1"><tr><td colspan="2" style="width:50pt">Ô</td></tr></table>')
    html, warnings = render(body)
    assert html == ('<p>Hội nghị <span lang="VI">tổng kết</span></p>\n\n'
                    '<table><tbody><tr><td colspan="2">Ô</td></tr></tbody></table>')
    assert warnings == []


def test_ordinary_markdown_survives_untouched():
    body = ("# Kết quả\n\n**Đậm**, *nghiêng*, [liên kết](https://example.vn/a?b=1&c=2), [thư](mailto:a@b.vn).\n\n"
            "1. Một\n2. Hai\n\n> Trích dẫn\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nChú thích[^1].\n\n[^1]: Nguồn.")
    html, warnings = render(body)
    assert warnings == []
    for fragment in ("<h2>Kết quả</h2>", "<strong>Đậm</strong>", "<em>nghiêng</em>",
                     '<a href="https://example.vn/a?b=1&amp;c=2">liên kết</a>', '<a href="mailto:a@b.vn">thư</a>',
                     "<ol>\n<li>Một</li>", "<blockquote>", "<td>1</td>", 'class="footnote-ref"', 'id="fn:1"'):
        assert fragment in html, fragment


def test_embeds_from_listed_hosts_only():
    body = ('<iframe src="https://www.youtube.com/embed/abc" title="Video" width="560" allowfullscreen></iframe>\n\n'
            '<iframe src="https://tracker.example.com/x"></iframe>\n\n'
            '<iframe src="http://www.youtube.com/embed/plain-http"></iframe>')
    html, warnings = render(body, embeds=("www.youtube.com",))
    assert '<iframe src="https://www.youtube.com/embed/abc" title="Video" width="560" allowfullscreen="">' in html
    assert "tracker.example.com" not in html and "plain-http" not in html
    assert warnings == [
        (f"{POST}:8: cảnh báo: khung nhúng 'https://tracker.example.com/x' không thuộc các trang được phép nhúng"
        " (www.youtube.com), nên bị để trống"),
        (f"{POST}:10: cảnh báo: khung nhúng 'http://www.youtube.com/embed/plain-http' không thuộc các trang được phép"
        " nhúng (www.youtube.com), nên bị để trống"),
    ]


def test_root_relative_links_in_raw_html_follow_the_sub_path():
    html, _ = render('<a href="/don-vi/">Đơn vị</a> ![Ảnh](/images/a.png) <a href="//cdn.example.vn/x">x</a>',
                     base_path="/phuong-x/")
    assert '<a href="/phuong-x/don-vi/">' in html
    assert '<img alt="Ảnh" src="/phuong-x/images/a.png">' in html
    assert '<a href="//cdn.example.vn/x">' in html


def test_build_prints_warnings_and_publishes_inert_html(site_factory, capsys):
    site = site_factory({POST: post(body="Chữ <b onmouseover=\"x()\">đậm</b>.\n\n<script>alert('x')</script>")})
    out = site / "public"
    assert main(["build", "--site", str(site)]) == 0
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{POST}:6: cảnh báo: đã bỏ thuộc tính onmouseover của thẻ <b> (mã chạy trên trang không được phép)",
        "    gợi ý: thường do dán từ trang web khác; xóa thuộc tính này khỏi tệp",
        f"{POST}:8: cảnh báo: đã bỏ thẻ <script> khỏi bài (trang tin không đăng mã chạy, biểu mẫu hay nội dung nhúng)",
        "    gợi ý: phần chữ thường của bài vẫn được giữ; xóa thẻ này khỏi tệp để hết cảnh báo",
    ]
    page = (out / "tin-tuc/2023/a/index.html").read_text(encoding="utf-8")
    assert "<p>Chữ <b>đậm</b>.</p>" in page
    assert "alert" not in page and "onmouseover" not in page
    assert "alert" not in (out / "feed.xml").read_text(encoding="utf-8")


def test_check_prints_the_same_warnings_and_succeeds(site_factory, capsys):
    site = site_factory({POST: post(body="<iframe src=\"https://x.example.com/\"></iframe>")})
    assert main(["check", "--site", str(site), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (f"{POST}:6: warning: removed the embedded frame 'https://x.example.com/':"
                                   " site.yaml allows no embeds")
    # Again, the post's parse taken from the build cache: its warnings with it.
    assert main(["check", "--site", str(site), "--lang", "en"]) == 0
    assert capsys.readouterr().err == err


@pytest.mark.parametrize("value", ["https://www.youtube.com", "www.youtube.com/embed", "youtube"])
def test_embeds_must_be_host_names(site_factory, capsys, value):
    site = site_factory({"site.yaml": MINIMAL_CONFIG + f"embeds:\n  - {value}\n", POST: post()})
    assert main(["check", "--site", str(site)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == [
        f"site.yaml:23: '{value}' không phải tên máy chủ",
        "    gợi ý: chỉ ghi tên máy chủ, không có https:// hay đường dẫn, ví dụ www.youtube.com",
    ]


def test_hostile_title_and_names_stay_inert_in_json_ld_open_graph_and_feeds(site_factory, capsys):
    hostile = 'Tin "nóng" </script><script>alert(1)</script> & <b>đậm</b>'
    site = site_factory({POST: post(title=f"'{hostile}'", extra="""\
        author: "</title><script>alert(2)</script>"
        speakers:
          - name: "Nguyễn Văn A\\"><img src=x onerror=alert(3)>"
            role: Bí thư
        """)})
    assert main(["build", "--site", str(site)]) == 0, capsys.readouterr().err
    out = site / "public"
    page = (out / "tin-tuc/2023/a/index.html").read_text(encoding="utf-8")

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.scripts, self.og, self.tags = [], {}, []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            attrs = dict(attrs)
            if tag == "meta" and attrs.get("property", "").startswith("og:"):
                self.og[attrs["property"]] = attrs["content"]

        def handle_data(self, data):
            if self.lasttag == "script":
                self.scripts.append(data)

    parser = Collect()
    parser.feed(page)
    assert parser.tags.count("script") == 1  # only the JSON-LD block
    assert "img" not in parser.tags
    assert parser.og["og:title"] == hostile
    data = json.loads(parser.scripts[0])
    assert data["headline"] == hostile
    assert data["author"]["name"] == "</title><script>alert(2)</script>"
    feed = ElementTree.parse(out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:entry/a:title", ns).text == hostile
    content = feed.find("a:entry/a:content", ns).text
    assert "<img" not in content and "&lt;img src=x onerror=alert(3)&gt;" in content


@pytest.mark.parametrize(("slug", "suggestion"), [
    ("../../etc/passwd", "etc-passwd"), ("/tuyet-doi", "tuyet-doi"), ("https://x.vn/a", "https-x-vn-a"),
    ("..", None),
])
def test_a_slug_that_is_a_path_or_url_is_refused(site_factory, capsys, slug, suggestion):
    site = site_factory({POST: post(extra=f"slug: '{slug}'")})
    assert main(["check", "--site", str(site)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"{POST}:5: slug '{slug}' chỉ được có chữ thường không dấu, số và dấu gạch ngang"
    if suggestion:
        assert lines[1] == f"    gợi ý: ví dụ: {suggestion}"
    assert not (site / "public").exists()
