"""Built mini-sites checked as a reader, a feed reader and a search engine see them: page
contents, feeds, sitemap, every internal link (at a domain root and under a sub-path),
determinism, atomic replacement and the output-folder safety rules."""

from __future__ import annotations

import base64
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
import pytest

from phuongnews.build import BuildOptions, build
from phuongnews.cli import main
from phuongnews.errors import BuildFailed
from phuongnews.messages import message_text
from phuongnews.writer import MARKER, OutputRefused, check_output_folder
from tests.conftest import make_site, post

ROOT_URL = "https://phuong-mau.example.vn/"
SUB_URL = "https://tinh.example.gov.vn/phuong-quynh-thien/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

# A site that exercises everything: speakers, task lists for several units, pagination
# (per_page 2), an old event published last, a time of day, a draft, a unit without posts,
# pages whose Vietnamese order differs from code-point order, a cover and a body image.
RICH_CONFIG = """\
title: Phường Mẫu
description: Trang tin thử nghiệm của phường Mẫu
base_url: https://phuong-mau.example.vn/
language: vi
timezone: Asia/Ho_Chi_Minh
per_page: 2
feed_items: 3
units:
  mttq:
    name: Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu
    short: MTTQ
    aliases: [UBMTTQ, Mặt trận Tổ quốc]
  doan-tn:
    name: Đoàn Thanh niên phường Mẫu
    short: Đoàn TN
    aliases: [ĐTN, Đoàn Thanh niên]
  hoi-ccb:
    name: Hội Cựu chiến binh phường Mẫu
    short: Hội CCB
  hoi-lhpn:
    name: Hội Liên hiệp Phụ nữ phường Mẫu
    short: Hội LHPN
footer:
  agency: UBND phường Mẫu
  address: Số 1 đường Mẫu
  phone: 0200 000 0000
  email: lienhe@phuong-mau.example.vn
  editor: Trưởng ban biên tập
"""

A_TITLE = "Tổng kết công tác Mặt trận năm 2022"
B_TITLE = "Hội nghị Cựu chiến binh quý I năm 2023"
C_TITLE = "Sơ kết 6 tháng đầu năm 2023"
D_TITLE = 'Hội nghị "Dân vận khéo" & tổng kết năm 2023'
E_TITLE = "Đại hội Mặt trận nhiệm kỳ 2021–2026"

POST_A = post(A_TITLE, "2022-12-29", "[mttq, Đoàn Thanh niên]", extra="""\
    published: 2023-01-04 16:04
    location: Hội trường UBND phường
    author: Nguyễn Phương – CT MTTQ phường
    source: phuong-mau.gov.vn
    summary: Ngày 29/12/2022, Ủy ban MTTQ phường tổ chức hội nghị tổng kết công tác năm 2022.
    cover: images/bia.png
    aliases: [/index.php/vi/news/tong-ket-2022.html, /tin-cu/tong-ket-mat-tran/]
    speakers:
      - name: Hồ Sỹ Tùng
        role: Bí thư Đảng ủy phường
        note: phát biểu chỉ đạo hội nghị
      - name: Trần Phúc Nam
        role: Chủ tịch UBND phường
      - name: Lê Thị Hoa
    tasks:
      - unit: doan-tn
        year: 2023
        title: Nhiệm vụ năm 2023 của Đoàn Thanh niên
        items:
          - Tổ chức tốt Tháng Thanh niên.
      - year: 2023
        title: Nhiệm vụ trọng tâm năm 2023
        items:
          - Đẩy mạnh cuộc vận động "Toàn dân đoàn kết".
          - Làm tốt công tác giám sát và phản biện xã hội.
      - unit: Mặt trận Tổ quốc
        year: 2023
        items:
          - Tổ chức Ngày hội Đại đoàn kết.
    """, body="""\
Sáng ngày 29/12/2022, Ủy ban MTTQ phường tổ chức hội nghị **tổng kết**.

![Quang cảnh hội nghị tổng kết](/images/bia.png)

Xem thêm [các đơn vị](/don-vi/).

# Kết quả nổi bật

Phường đã hoàn thành các chỉ tiêu.

## Số liệu

| Chỉ tiêu | Kết quả |
|----------|---------|
| Hộ nghèo | 12 |

Xem thêm [trang giới thiệu](../../../trang/gioi-thieu/).
""")
POST_B = post(B_TITLE, "2023-03-05 08:30", "[hoi-ccb, mttq]")
POST_C = post(C_TITLE, "2023-07-10", "[mttq, hoi-ccb]")
POST_D = post(D_TITLE, "2023-12-22", "[mttq, doan-tn]", extra="published: 2023-12-23")
POST_E = post(E_TITLE, "2021-05-01", "[hoi-ccb]", extra="published: 2023-12-30 09:00")
DRAFT = post("Bài nháp chưa đăng", "2023-11-11", "[hoi-ccb]", extra="draft: true")

A_URL = "tin-tuc/2022/tong-ket-2022/"
B_URL = "tin-tuc/2023/hoi-nghi-ccb/"
C_URL = "tin-tuc/2023/so-ket-6-thang/"
D_URL = "tin-tuc/2023/tong-ket-2023/"
E_URL = "tin-tuc/2021/dai-hoi-2021/"

RICH_FILES: dict[str, str | bytes] = {
    "site.yaml": RICH_CONFIG,
    "content/posts/2022/tong-ket-2022.md": POST_A,
    "content/posts/2023/hoi-nghi-ccb.md": POST_B,
    "content/posts/2023/so-ket-6-thang.md": POST_C,
    "content/posts/2023/tong-ket-2023.md": POST_D,
    "content/posts/2021/dai-hoi-2021.md": POST_E,
    "content/posts/2023/ban-nhap.md": DRAFT,
    "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nPhường Mẫu có **12** khu phố.\n",
    "content/pages/lien-he.md": "---\ntitle: Liên hệ\n---\nGọi 0200 000 0000.\n",
    "content/pages/duong-day-nong.md": "---\ntitle: Đường dây nóng\n---\nSố máy trực.\n",
    "content/pages/nhap.md": "---\ntitle: Trang nháp\ndraft: true\n---\nChưa xong.\n",
    "static/images/bia.png": PNG,
}


# --- Helpers ----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag, self.attrs, self.children = tag, attrs, []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
        return [
            n for n in self.iter()
            if (tag is None or n.tag == tag)
            and (cls is None or cls in (n.attrs.get("class") or "").split())
            and all(n.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child.text if isinstance(child, Node) else child)
        return " ".join("".join(parts).split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def page(out: Path, url: str) -> Node:
    path = out / (url + "index.html" if url == "" or url.endswith("/") else url)
    assert path.is_file(), f"{url} was not built"
    return parse_html(path.read_text(encoding="utf-8"))


def item_titles(doc: Node) -> list[str]:
    return [n.find("a").text for n in doc.find_all("li", cls="post-item")]


def item_links(doc: Node) -> list[str]:
    return [n.find("a").attrs["href"] for n in doc.find_all("li", cls="post-item")]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def do_build(site: Path, out: Path, **options):
    return build(BuildOptions(site_dir=site, out_dir=out, **options))


def failure(site: Path, out: Path, **options) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        do_build(site, out, **options)
    return [error.format() for error in caught.value.errors]


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def page_url(out: Path, base_url: str, file: Path) -> str:
    relative = file.relative_to(out).as_posix()
    return base_url + (relative.removesuffix("index.html"))


def file_for(out: Path, base_url: str, target: str) -> Path | None:
    """The output file an absolute URL points to, or None if it leaves base_url."""
    path = unquote(urlsplit(target).path)
    base_path = urlsplit(base_url).path
    if not path.startswith(base_path):
        return None
    relative = path[len(base_path):]
    return out / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)


def broken_links(out: Path, base_url: str) -> list[str]:
    """Every internal href/src (and og:url/og:image) of every page, resolved against the page's
    own URL: the file must exist, stay under base_url, and a #fragment must name an id there."""
    base = urlsplit(base_url)
    ids: dict[Path, set[str]] = {}

    def ids_of(file: Path) -> set[str]:
        if file not in ids:
            doc = parse_html(file.read_text(encoding="utf-8")) if file.suffix == ".html" else Node("x", {})
            ids[file] = {n.attrs["id"] for n in doc.iter() if n.attrs.get("id")}
        return ids[file]

    problems, checked = [], 0
    for file in html_files(out):
        here = page_url(out, base_url, file)
        doc = parse_html(file.read_text(encoding="utf-8"))
        for node in doc.iter():
            values = [node.attrs.get("href"), node.attrs.get("src")]
            if node.tag == "meta" and node.attrs.get("property") in ("og:url", "og:image"):
                values.append(node.attrs.get("content"))
            for value in filter(None, values):
                target = urljoin(here, value)
                parts = urlsplit(target)
                if parts.scheme in ("mailto", "tel") or (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
                    continue  # not a link into this site
                checked += 1
                where = f"{file.relative_to(out).as_posix()}: <{node.tag}> {value!r}"
                target_file = file_for(out, base_url, target)
                if target_file is None:
                    problems.append(f"{where} leaves {base_url}")
                elif not target_file.is_file():
                    problems.append(f"{where} -> missing {target_file.relative_to(out).as_posix()}")
                elif parts.fragment and parts.fragment not in ids_of(target_file):
                    problems.append(f"{where} -> no id {parts.fragment!r}")
    assert checked > 50, "the link checker found almost nothing to check"
    return problems


# --- Built sites ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rich_site(tmp_path_factory) -> Path:
    return make_site(tmp_path_factory.mktemp("rich") / "site", RICH_FILES)


@pytest.fixture(scope="module")
def out(rich_site, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rich-out") / "public"
    result = do_build(rich_site, folder)
    assert (result.posts, result.out_dir) == (5, folder)
    return folder


@pytest.fixture(scope="module")
def sub_out(rich_site, tmp_path_factory) -> Path:
    """The same site under a sub-path, built through the command line's --base-url."""
    folder = tmp_path_factory.mktemp("rich-sub") / "public"
    assert main(["build", "--site", str(rich_site), "--out", str(folder), "--base-url", SUB_URL]) == 0
    return folder


# --- Pages a reader sees ----------------------------------------------------------------

def test_every_page_is_vietnamese(out):
    pages = html_files(out)
    assert len(pages) > 25
    for file in pages:
        assert parse_html(file.read_text(encoding="utf-8")).find("html").attrs.get("lang") == "vi", file


def test_home_lists_latest_posts_by_published(out):
    home = page(out, "")
    assert home.find("h1").text == "Phường Mẫu"
    assert item_titles(home) == [E_TITLE, D_TITLE, C_TITLE, B_TITLE, A_TITLE]
    assert item_links(home) == ["/" + u for u in (E_URL, D_URL, C_URL, B_URL, A_URL)]
    assert "Bài nháp chưa đăng" not in (out / "index.html").read_text(encoding="utf-8")
    units = [a.text for a in home.find("section", aria_labelledby="don-vi").find_all("a")]
    assert units == ["Đoàn Thanh niên phường Mẫu", "Hội Cựu chiến binh phường Mẫu",
                     "Hội Liên hiệp Phụ nữ phường Mẫu", "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu"]
    years = [li.text for li in home.find("section", aria_labelledby="theo-nam").find_all("li")]
    assert years == ["Năm 2023 (3 bài)", "Năm 2022 (1 bài)", "Năm 2021 (1 bài)"]


def test_article_page_shows_what_the_clerk_wrote(out):
    doc = page(out, A_URL)
    article = doc.find("article")
    assert article.find("h1").text == A_TITLE
    time = article.find("p", cls="article-meta").find("time")
    assert (time.text, time.attrs["datetime"]) == ("Thứ Năm, 29/12/2022", "2022-12-29")
    assert article.find("span", cls="location").text == "Hội trường UBND phường"
    units = [(a.attrs["href"], a.text, a.attrs["title"]) for a in article.find("ul", cls="unit-tags").find_all("a")]
    assert units == [("/don-vi/mttq/", "MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu"),
                     ("/don-vi/doan-tn/", "Đoàn TN", "Đoàn Thanh niên phường Mẫu")]
    assert article.find("p", cls="lead").text.startswith("Ngày 29/12/2022, Ủy ban MTTQ phường")
    speakers = [li.text for li in article.find("section", cls="speakers").find_all("li")]
    assert speakers == ["Hồ Sỹ Tùng – Bí thư Đảng ủy phường (phát biểu chỉ đạo hội nghị)",
                        "Trần Phúc Nam – Chủ tịch UBND phường", "Lê Thị Hoa"]
    body = article.find("div", cls="article-body")
    assert body.find("strong").text == "tổng kết"
    assert [h.tag for h in body.iter() if re.fullmatch(r"h\d", h.tag)] == ["h2", "h3"]  # demoted below the h1
    footer = article.find("footer", cls="article-footer")
    assert footer.find("span", cls="author").text == "Nguyễn Phương – CT MTTQ phường"
    assert "Nguồn tin: phuong-mau.gov.vn" in footer.text
    assert "Đăng lúc Thứ Tư, 04/01/2023 16:04" in footer.text


def test_article_task_lists_are_grouped_by_unit_in_the_posts_order(out):
    tasks = page(out, A_URL).find("section", cls="tasks")
    groups = tasks.find_all("div", cls="task-group")
    assert [g.find("h3").text for g in groups] == [
        "Nhiệm vụ chung", "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu", "Đoàn Thanh niên phường Mẫu"]
    assert [g.find("h3").find_all("a")[0].attrs["href"] for g in groups[1:]] == ["/don-vi/mttq/", "/don-vi/doan-tn/"]
    assert [[h.text for h in g.find_all("h4")] for g in groups] == [
        ["Nhiệm vụ trọng tâm năm 2023"], ["Nhiệm vụ năm 2023"], ["Nhiệm vụ năm 2023 của Đoàn Thanh niên"]]
    assert [li.text for li in groups[0].find_all("li")] == [
        "Đẩy mạnh cuộc vận động \"Toàn dân đoàn kết\".", "Làm tốt công tác giám sát và phản biện xã hội."]
    assert [li.text for li in groups[2].find_all("li")] == ["Tổ chức tốt Tháng Thanh niên."]


def test_article_previous_and_next_follow_the_event_order(out):
    nav = page(out, A_URL).find("nav", cls="prev-next")
    assert nav.find("li", cls="older").find("a").attrs == {"href": "/" + E_URL, "rel": "prev"}
    assert nav.find("li", cls="newer").find("a").attrs == {"href": "/" + B_URL, "rel": "next"}
    assert nav.find("li", cls="newer").find("a").text == B_TITLE
    newest = page(out, D_URL).find("nav", cls="prev-next")
    assert newest.find_all("li", cls="newer") == [] and newest.find("li", cls="older").find("a").text == C_TITLE
    oldest = page(out, E_URL).find("nav", cls="prev-next")
    assert oldest.find_all("li", cls="older") == [] and oldest.find("li", cls="newer").find("a").text == A_TITLE


def test_article_with_a_time_of_day_and_no_optional_fields(out):
    doc = page(out, B_URL)
    time = doc.find("p", cls="article-meta").find("time")
    assert (time.text, time.attrs["datetime"]) == ("Chủ Nhật, 05/03/2023 08:30", "2023-03-05T08:30:00+07:00")
    assert doc.find_all("section", cls="speakers") == [] and doc.find_all("section", cls="tasks") == []
    assert doc.find_all("span", cls="location") == [] and doc.find_all("span", cls="author") == []
    assert "Đăng" not in doc.find("footer", cls="article-footer").text  # published not stated


def test_unit_index_is_newest_first_and_paginated(out):
    first = page(out, "don-vi/mttq/")
    assert first.find("h1").text == "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu"
    assert item_titles(first) == [D_TITLE, C_TITLE]
    second = page(out, "don-vi/mttq/trang-2/")
    assert second.find("h1").text == "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu – trang 2"
    assert item_titles(second) == [B_TITLE, A_TITLE]
    assert not (out / "don-vi/mttq/trang-3").exists()
    pager = first.find("nav", cls="pager")
    assert [a.attrs["href"] for a in pager.find_all("a")] == ["/don-vi/mttq/trang-2/", "/don-vi/mttq/trang-2/"]
    assert pager.find("span", aria_current="page").text == "1"
    pager2 = second.find("nav", cls="pager")
    assert pager2.find("a", rel="prev").attrs["href"] == "/don-vi/mttq/"
    assert pager2.find_all("a", rel="next") == []
    assert pager2.find("span", aria_current="page").text == "2"
    assert item_titles(page(out, "don-vi/hoi-ccb/")) == [C_TITLE, B_TITLE]
    assert item_titles(page(out, "don-vi/hoi-ccb/trang-2/")) == [E_TITLE]
    assert item_titles(page(out, "don-vi/doan-tn/")) == [D_TITLE, A_TITLE]
    assert page(out, "don-vi/doan-tn/").find_all("nav", cls="pager") == []
    assert not (out / "don-vi/doan-tn/trang-2").exists()


def test_unit_without_posts_says_so(out):
    doc = page(out, "don-vi/hoi-lhpn/")
    assert item_titles(doc) == []
    assert "Chưa có bài viết." in doc.find("main").text
    feed = ET.parse(out / "don-vi/hoi-lhpn/feed.xml").getroot()
    assert feed.findall(f"{ATOM}entry") == []


def test_unit_year_pages(out):
    unit = page(out, "don-vi/mttq/")
    years = unit.find("nav", cls="year-links")
    assert [(a.text, a.attrs["href"]) for a in years.find_all("a")] == [
        ("Năm 2023", "/don-vi/mttq/2023/"), ("Năm 2022", "/don-vi/mttq/2022/")]
    y2023 = page(out, "don-vi/mttq/2023/")
    assert y2023.find("h1").text == "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu — năm 2023"
    assert item_titles(y2023) == [D_TITLE, C_TITLE]
    assert item_titles(page(out, "don-vi/mttq/2023/trang-2/")) == [B_TITLE]
    assert item_titles(page(out, "don-vi/mttq/2022/")) == [A_TITLE]
    assert not (out / "don-vi/mttq/2021").exists()
    assert item_titles(page(out, "don-vi/hoi-ccb/2021/")) == [E_TITLE]
    back = y2023.find("main").find_all("a", href="/don-vi/mttq/")
    assert back and back[0].text == "Tất cả tin của MTTQ"


def test_year_pages_group_by_event_date(out):
    years = page(out, "nam/")
    assert [(a.text, a.attrs["href"]) for a in years.find("main").find_all("a")] == [
        ("Năm 2023", "/nam/2023/"), ("Năm 2022", "/nam/2022/"), ("Năm 2021", "/nam/2021/")]
    assert item_titles(page(out, "nam/2023/")) == [D_TITLE, C_TITLE]
    assert item_titles(page(out, "nam/2023/trang-2/")) == [B_TITLE]
    assert item_titles(page(out, "nam/2022/")) == [A_TITLE]  # held 2022, published 2023
    assert item_titles(page(out, "nam/2021/")) == [E_TITLE]
    assert not (out / "nam/2023/trang-3").exists()
    assert page(out, "nam/2022/").find("h1").text == "Tin năm 2022"


def test_units_page_in_vietnamese_order_with_counts(out):
    rows = page(out, "don-vi/").find("ul", cls="unit-list").find_all("li")
    assert [(r.find("a").text, r.find("p").text) for r in rows] == [
        ("Đoàn Thanh niên phường Mẫu", "Đoàn TN · 2 bài viết"),
        ("Hội Cựu chiến binh phường Mẫu", "Hội CCB · 3 bài viết"),
        ("Hội Liên hiệp Phụ nữ phường Mẫu", "Hội LHPN · 0 bài viết"),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu", "MTTQ · 4 bài viết"),
    ]


def test_pages_under_trang_and_in_the_menu_in_vietnamese_order(out):
    doc = page(out, "trang/gioi-thieu/")
    assert doc.find("h1").text == "Giới thiệu"
    assert doc.find("div", cls="article-body").find("strong").text == "12"
    menu = [(a.text, a.attrs["href"]) for a in page(out, "").find("nav", cls="site-nav").find_all("a")]
    assert menu == [("Trang chủ", "/"), ("Đơn vị", "/don-vi/"), ("Theo năm", "/nam/"), ("Nhân vật", "/nhan-vat/"),
                    ("Tìm kiếm", "/tim-kiem/"), ("Đường dây nóng", "/trang/duong-day-nong/"), ("Giới thiệu", "/trang/gioi-thieu/"),
                    ("Liên hệ", "/trang/lien-he/")]
    assert not (out / "trang/nhap").exists()


def test_head_has_canonical_open_graph_and_feed(out):
    doc = page(out, A_URL)
    head = doc.find("head")
    canonical = ROOT_URL + A_URL
    assert head.find("link", rel="canonical").attrs["href"] == canonical
    og = {m.attrs["property"]: m.attrs["content"] for m in head.find_all("meta") if "property" in m.attrs}
    assert og["og:url"] == canonical
    assert og["og:type"] == "article"
    assert og["og:title"] == A_TITLE
    assert og["og:description"].startswith("Ngày 29/12/2022")
    assert re.fullmatch(re.escape(ROOT_URL) + r"anh/[0-9a-f]{16}-1\.jpg", og["og:image"])  # the cover, made a JPEG
    assert og["og:locale"] == "vi_VN" and og["og:site_name"] == "Phường Mẫu"
    assert og["article:published_time"] == "2023-01-04T16:04:00+07:00"
    assert head.find("title").text == f"{A_TITLE} – Phường Mẫu"
    home = page(out, "").find("head")
    assert home.find("link", type="application/atom+xml").attrs["href"] == "/feed.xml"
    assert home.find("link", rel="canonical").attrs["href"] == ROOT_URL
    assert home.find("meta", property="og:type").attrs["content"] == "website"
    listing = page(out, "don-vi/mttq/trang-2/").find("head")
    assert listing.find("link", rel="canonical").attrs["href"] == ROOT_URL + "don-vi/mttq/trang-2/"
    assert listing.find("link", type="application/atom+xml").attrs["href"] == "/don-vi/mttq/feed.xml"


@pytest.mark.parametrize(("url", "title", "published"), [
    (A_URL, A_TITLE, "2023-01-04T16:04:00+07:00"),
    (D_URL, D_TITLE, "2023-12-23T00:00:00+07:00"),  # quotes and & survive the escaping
    (B_URL, B_TITLE, "2023-03-05T08:30:00+07:00"),  # published defaults to the event date
])
def test_json_ld_news_article(out, url, title, published):
    scripts = page(out, url).find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
    assert data["headline"] == title
    assert data["datePublished"] == published
    assert data["mainEntityOfPage"] == ROOT_URL + url
    assert data["inLanguage"] == "vi"
    assert data["publisher"] == {"@type": "Organization", "name": "UBND phường Mẫu"}
    if url == A_URL:
        assert data["author"] == {"@type": "Person", "name": "Nguyễn Phương – CT MTTQ phường"}
        assert re.fullmatch(re.escape(ROOT_URL) + r"anh/[0-9a-f]{16}-1\.jpg", data["image"])
        assert [o["name"] for o in data["about"]] == ["Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu",
                                                      "Đoàn Thanh niên phường Mẫu"]


def test_page_titles_are_escaped_not_raw(out):
    text = (out / D_URL / "index.html").read_text(encoding="utf-8")
    assert "<h1>Hội nghị &#34;Dân vận khéo&#34; &amp; tổng kết năm 2023</h1>" in text
    assert page(out, D_URL).find("h1").text == D_TITLE


# --- Feeds, sitemap, robots, 404, static ---------------------------------------------------

def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def test_site_feed_is_atom_with_latest_entries_by_published(out):
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Phường Mẫu"
    assert feed.find(f"{ATOM}id").text == ROOT_URL + "feed.xml"
    assert feed.find(f"{ATOM}link[@rel='self']").attrib["href"] == ROOT_URL + "feed.xml"
    assert feed.find(f"{ATOM}link[@rel='alternate']").attrib["href"] == ROOT_URL
    assert feed.find(f"{ATOM}updated").text == "2023-12-30T09:00:00+07:00"
    items = entries(feed)
    assert [e.find(f"{ATOM}title").text for e in items] == [E_TITLE, D_TITLE, C_TITLE]  # feed_items: 3
    assert [e.find(f"{ATOM}link").attrib["href"] for e in items] == [ROOT_URL + u for u in (E_URL, D_URL, C_URL)]
    assert [e.find(f"{ATOM}id").text for e in items] == [ROOT_URL + u for u in (E_URL, D_URL, C_URL)]
    assert [e.find(f"{ATOM}published").text for e in items] == [
        "2023-12-30T09:00:00+07:00", "2023-12-23T00:00:00+07:00", "2023-07-10T00:00:00+07:00"]
    assert [c.attrib["term"] for c in items[1].findall(f"{ATOM}category")] == ["mttq", "doan-tn"]
    assert items[0].find(f"{ATOM}content").attrib["type"] == "html"


def test_feed_content_carries_the_whole_article_with_absolute_links(rich_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(rich_site, site)
    (site / "site.yaml").write_text(RICH_CONFIG.replace("feed_items: 3", "feed_items: 20"), encoding="utf-8")
    do_build(site, tmp_path / "out")
    feed = ET.parse(tmp_path / "out" / "feed.xml").getroot()
    assert len(entries(feed)) == 5
    entry = next(e for e in entries(feed) if e.find(f"{ATOM}title").text == A_TITLE)
    content = parse_html(entry.find(f"{ATOM}content").text)
    assert "Hồ Sỹ Tùng – Bí thư Đảng ủy phường" in content.find("section", cls="speakers").text
    assert [s.text for s in content.find_all("strong")] == ["Hồ Sỹ Tùng", "Trần Phúc Nam", "Lê Thị Hoa", "tổng kết"]
    links = [a.attrs["href"] for a in content.find("section", cls="tasks").find_all("a")]
    assert links == [ROOT_URL + "don-vi/mttq/", ROOT_URL + "don-vi/doan-tn/"]


def test_unit_feed_has_the_units_latest_posts(out):
    feed = ET.parse(out / "don-vi/hoi-ccb/feed.xml").getroot()
    assert feed.find(f"{ATOM}title").text == "Phường Mẫu — Hội CCB"
    assert feed.find(f"{ATOM}link[@rel='self']").attrib["href"] == ROOT_URL + "don-vi/hoi-ccb/feed.xml"
    assert feed.find(f"{ATOM}link[@rel='alternate']").attrib["href"] == ROOT_URL + "don-vi/hoi-ccb/"
    assert [e.find(f"{ATOM}title").text for e in entries(feed)] == [E_TITLE, C_TITLE, B_TITLE]
    mttq = ET.parse(out / "don-vi/mttq/feed.xml").getroot()
    assert [e.find(f"{ATOM}title").text for e in entries(mttq)] == [D_TITLE, C_TITLE, B_TITLE]
    assert mttq.find(f"{ATOM}updated").text == "2023-12-23T00:00:00+07:00"


def test_sitemap_lists_every_page_with_absolute_urls(out):
    root = ET.parse(out / "sitemap.xml").getroot()
    urls = {u.find(f"{SITEMAP}loc").text: getattr(u.find(f"{SITEMAP}lastmod"), "text", None)
            for u in root.findall(f"{SITEMAP}url")}
    redirects = {ROOT_URL + "index.php/vi/news/tong-ket-2022.html", ROOT_URL + "tin-cu/tong-ket-mat-tran/"}
    expected = {page_url(out, ROOT_URL, f) for f in html_files(out)} - {ROOT_URL + "404.html"} - redirects
    assert set(urls) == expected
    assert len(urls) == len(root.findall(f"{SITEMAP}url"))  # no duplicates
    assert urls[ROOT_URL + A_URL] == "2023-01-04"
    assert urls[ROOT_URL + E_URL] == "2023-12-30"
    assert urls[ROOT_URL + "nam/"] is None


def test_robots_txt_points_to_the_sitemap(out, sub_out):
    assert (out / "robots.txt").read_text(encoding="utf-8").splitlines() == [
        "User-agent: *", "Allow: /", "", f"Sitemap: {ROOT_URL}sitemap.xml"]
    assert f"Sitemap: {SUB_URL}sitemap.xml" in (sub_out / "robots.txt").read_text(encoding="utf-8")


def test_404_page_works_from_any_address(out, sub_out):
    for folder, prefix in ((out, "/"), (sub_out, "/phuong-quynh-thien/")):
        doc = page(folder, "404.html")
        assert doc.find("h1").text == "Không tìm thấy trang"
        assert doc.find_all("link", rel="canonical") == []
        hrefs = [n.attrs.get("href") or n.attrs.get("src") for n in doc.iter() if {"href", "src"} & n.attrs.keys()]
        internal = [h for h in hrefs if not h.startswith(("#", "mailto:", "tel:", "http"))]
        assert internal and all(h.startswith(prefix) for h in internal), internal  # never relative


def test_static_files_are_copied_byte_for_byte(out, rich_site):
    assert not (out / "images/bia.png").exists()  # a photo's original is not published: test_images.py
    assert (out / "css/style.css").read_bytes() == (rich_site / "static/css/style.css").read_bytes()


def test_output_holds_every_kind_of_file_and_no_leftovers(out):
    files = set(snapshot(out))
    assert (out / MARKER).is_file()
    assert {"index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "don-vi/index.html",
            "nam/index.html", A_URL + "index.html", "don-vi/hoi-lhpn/feed.xml"} <= files
    assert not any("ban-nhap" in f or "nhap/" in f for f in files)
    assert [p.name for p in out.parent.iterdir() if "phuongnews-tmp" in p.name or "phuongnews-old" in p.name] == []


# --- Links ----------------------------------------------------------------------------------

def test_every_internal_link_resolves_at_the_domain_root(out):
    assert broken_links(out, ROOT_URL) == []


def test_every_internal_link_resolves_under_a_sub_path(sub_out):
    assert broken_links(sub_out, SUB_URL) == []
    home = page(sub_out, "")
    assert home.find("link", rel="canonical").attrs["href"] == SUB_URL
    assert home.find("nav", cls="site-nav").find("a").attrs["href"] == "/phuong-quynh-thien/"
    assert home.find("link", rel="stylesheet").attrs["href"] == "/phuong-quynh-thien/css/style.css"


def test_the_link_checker_notices_broken_and_escaping_links(tmp_path, out):
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "nam/2021/index.html").unlink()
    problems = broken_links(copy, ROOT_URL)
    assert problems and all(p.endswith("-> missing nam/2021/index.html") for p in problems)
    # Built for the domain root but served under a sub-path: every root-relative link escapes.
    escaping = broken_links(out, ROOT_URL + "phuong-quynh-thien/")
    assert escaping and all(p.endswith("leaves https://phuong-mau.example.vn/phuong-quynh-thien/") for p in escaping)
    assert any("<link> '/css/style.css'" in p for p in escaping)


def test_feeds_and_sitemap_under_a_sub_path(sub_out):
    feed = ET.parse(sub_out / "feed.xml").getroot()
    hrefs = [link.attrib["href"] for link in feed.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith(SUB_URL) for h in hrefs)
    for href in hrefs:
        assert file_for(sub_out, SUB_URL, href).is_file(), href
    locs = [loc.text for loc in ET.parse(sub_out / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert locs and all(loc.startswith(SUB_URL) and file_for(sub_out, SUB_URL, loc).is_file() for loc in locs)
    data = json.loads(page(sub_out, A_URL).find("script").text)
    assert data["mainEntityOfPage"] == SUB_URL + A_URL


# --- Determinism, atomicity, drafts ----------------------------------------------------------

def test_two_builds_are_byte_identical(rich_site, out, tmp_path):
    again = tmp_path / "again"
    do_build(rich_site, again)
    assert snapshot(again) == snapshot(out)


@pytest.fixture
def built(rich_site, tmp_path):
    """A private copy of the rich site, built once: (site, out, snapshot)."""
    site = tmp_path / "site"
    shutil.copytree(rich_site, site)
    out_dir = tmp_path / "out"
    do_build(site, out_dir)
    return site, out_dir, snapshot(out_dir)


def test_a_broken_post_leaves_the_previous_output_untouched(built):
    site, out_dir, before = built
    (site / "content/posts/2023/hong.md").write_text(post(date="22/12/2023"), encoding="utf-8")
    errors = failure(site, out_dir)
    assert errors == [("content/posts/2023/hong.md:3: ngày '22/12/2023' viết theo kiểu ngày/tháng/năm\n"
                      "    gợi ý: viết theo dạng năm-tháng-ngày: 2023-12-22")]
    assert snapshot(out_dir) == before
    assert not [p for p in out_dir.parent.iterdir() if "phuongnews-tmp" in p.name or "phuongnews-old" in p.name]


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_a_template_error_is_reported_with_its_line_and_writes_nothing(built):
    site, out_dir, before = built
    template = site / "templates/article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{{ article.title }}", "{{ article.titel }}"),
                        encoding="utf-8")
    line = line_of(template, "article.titel")
    assert failure(site, out_dir) == [
        (f"templates/article.html:{line}: mẫu trang dùng giá trị không có: "
        "'phuongnews.models.Article object' has no attribute 'titel'\n"
        "    gợi ý: kiểm tra tên biến; xem danh sách biến trong README, mục Mẫu trang")]
    assert snapshot(out_dir) == before


def test_an_error_in_an_included_template_names_that_template(built):
    site, out_dir, before = built
    template = site / "templates/_tasks.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{{ list.title }}", "{{ list.titel }}"),
                        encoding="utf-8")
    errors = failure(site, out_dir)
    assert errors == [(f"templates/_tasks.html:{line_of(template, 'list.titel')}: mẫu trang dùng giá trị không có: "
                      "'phuongnews.models.TaskList object' has no attribute 'titel'\n"
                      "    gợi ý: kiểm tra tên biến; xem danh sách biến trong README, mục Mẫu trang")]
    assert snapshot(out_dir) == before


def test_a_template_syntax_error_through_the_command(built, capsys):
    site, out_dir, before = built
    template = site / "templates/home.html"
    template.write_text(template.read_text(encoding="utf-8").replace("<h1>", "{% if %}<h1>", 1), encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out_dir)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"templates/home.html:{line_of(template, '{% if %}')}: lỗi cú pháp trong mẫu trang: ")
    assert err[-1] == "Có 1 lỗi trong 1 tệp. Chưa ghi gì: trang đã dựng trước đó vẫn giữ nguyên."
    assert snapshot(out_dir) == before


def test_removed_post_disappears_on_rebuild(built):
    site, out_dir, before = built
    (site / "content/posts/2021/dai-hoi-2021.md").unlink()
    do_build(site, out_dir)
    after = snapshot(out_dir)
    gone = set(before) - set(after)
    # Its page, the pages of a year and a unit's year it alone filled, and the search index's
    # file of its 128 numbers (no other post was dated within those days).
    assert gone == {E_URL + "index.html", "nam/2021/index.html", "don-vi/hoi-ccb/2021/index.html",
                    "don-vi/hoi-ccb/trang-2/index.html", "tim-kiem/bai/60.json"}
    assert set(after) <= set(before)
    assert E_TITLE not in after["feed.xml"].decode()
    assert ROOT_URL + E_URL not in after["sitemap.xml"].decode()
    assert not [p for p in out_dir.parent.iterdir() if "phuongnews-tmp" in p.name or "phuongnews-old" in p.name]


def test_drafts_only_with_the_drafts_option(built, tmp_path):
    site, _out_dir, before = built
    assert not any("ban-nhap" in name for name in before)
    assert "Bài nháp chưa đăng" not in before["feed.xml"].decode() + before["sitemap.xml"].decode()
    with_drafts = tmp_path / "drafts"
    assert do_build(site, with_drafts, drafts=True).posts == 6
    files = snapshot(with_drafts)
    assert "tin-tuc/2023/ban-nhap/index.html" in files
    assert "trang/nhap/index.html" in files
    assert "Bài nháp chưa đăng" in files["index.html"].decode()


# --- Output-folder safety ---------------------------------------------------------------------

def refusal(out_dir: Path, site: Path) -> str:
    with pytest.raises(OutputRefused) as caught:
        check_output_folder(out_dir, site)
    assert caught.value.folder == out_dir
    return caught.value.code


def test_output_folder_refusals(rich_site, tmp_path):
    assert refusal(rich_site, rich_site) == "output.contains_site"
    assert refusal(rich_site.parent, rich_site) == "output.contains_site"
    assert refusal(Path.home(), rich_site) == "output.contains_site"
    assert refusal(Path("/"), rich_site) == "output.contains_site"
    assert refusal(rich_site / "content", rich_site) == "output.inside_sources"
    assert refusal(rich_site / "static" / "public", rich_site) == "output.inside_sources"
    assert refusal(rich_site / "templates", rich_site) == "output.inside_sources"
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert refusal(a_file, rich_site) == "output.not_folder"
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "luan-van.docx").write_text("work")
    assert refusal(foreign, rich_site) == "output.not_ours"


def test_output_folders_that_may_be_replaced(rich_site, tmp_path):
    check_output_folder(tmp_path / "new", rich_site)  # missing
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty", rich_site)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / ".DS_Store").write_bytes(b"\0")
    check_output_folder(junk, rich_site)
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / MARKER).write_text("phuongnews\n")
    (ours / "index.html").write_text("old")
    check_output_folder(ours, rich_site)
    check_output_folder(rich_site / "public", rich_site)


@pytest.mark.parametrize(("where", "code"), [
    (lambda site, tmp: site, "output.contains_site"),
    (lambda site, tmp: site / "content" / "out", "output.inside_sources"),
    (lambda site, tmp: tmp / "foreign", "output.not_ours"),
])
def test_refusals_print_their_message_and_touch_nothing(rich_site, tmp_path, capsys, where, code):
    site = tmp_path / "site"
    shutil.copytree(rich_site, site)
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "anh-cuoi.jpg").write_bytes(b"photo")
    target = where(site, tmp_path)
    before_site, before_foreign = snapshot(site), snapshot(tmp_path / "foreign")
    assert main(["build", "--site", str(site), "--out", str(target)]) == 1
    out_text, err = capsys.readouterr()
    message, hint = message_text(code, "vi", {"folder": str(target)})
    assert out_text == ""
    assert err.splitlines()[0] == message
    assert message.startswith(f"không dựng vào {target}: ")
    if hint:
        assert err.splitlines()[1] == f"    gợi ý: {hint}"
    assert snapshot(site) == before_site and snapshot(tmp_path / "foreign") == before_foreign


# --- Collisions -------------------------------------------------------------------------------

def test_two_posts_writing_one_url_name_both_files(site_factory, tmp_path):
    site = site_factory({
        "content/posts/2023/hoi-nghi.md": post(),
        "content/posts/2023/thang-12/hop-mat.md": post("Họp mặt", extra="slug: hoi-nghi"),
    })
    [error] = failure(site, tmp_path / "out")
    assert error.startswith(
        "content/posts/2023/thang-12/hop-mat.md: hai nội dung cùng ghi vào /tin-tuc/2023/hoi-nghi/index.html "
        "(cùng với content/posts/2023/hoi-nghi.md)")
    assert not (tmp_path / "out").exists()


def test_a_page_colliding_with_a_generated_listing_names_the_listing(site_factory, tmp_path):
    site = site_factory({
        "site.yaml": RICH_CONFIG + "urls:\n  page: '{slug}/'\n",
        "content/posts/a.md": post(),
        "content/pages/nam.md": "---\ntitle: Năm\n---\nx\n",
    })
    [error] = failure(site, tmp_path / "out")
    assert error.startswith("content/pages/nam.md: hai nội dung cùng ghi vào /nam/index.html (cùng với templates/years.html)")


def test_a_long_listing_names_the_first_the_last_and_the_pages_near_this_one(site_factory, tmp_path):
    posts = {f"content/posts/bai-{n:02d}.md": post(f"Hội nghị số {n}", f"2023-01-{n:02d}") for n in range(1, 31)}
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site_factory(posts), out_dir=out))
    pager = page(out, "don-vi/mttq/trang-8/").find("nav", cls="pager")
    items = [li.text.strip() for li in pager.find_all("li")]
    assert items == ["‹ Trang trước", "1", "…", "6", "7", "8", "9", "10", "…", "15", "Trang sau ›"]
    hrefs = [a.attrs["href"] for a in pager.find_all("a") if "rel" not in a.attrs]
    assert hrefs == ["/don-vi/mttq/", "/don-vi/mttq/trang-6/", "/don-vi/mttq/trang-7/", "/don-vi/mttq/trang-9/",
                     "/don-vi/mttq/trang-10/", "/don-vi/mttq/trang-15/"]
    first = page(out, "don-vi/mttq/").find("nav", cls="pager")
    assert [li.text.strip() for li in first.find_all("li")] == ["1", "2", "3", "…", "15", "Trang sau ›"]


def test_the_header_and_footer_are_rendered_once_per_build_and_once_per_folder_with_relative_links(
        site_factory, tmp_path, monkeypatch):
    renders: Counter = Counter()
    real_render = jinja2.Template.render

    def counting(template, *args, **kwargs):
        renders[template.name] += 1
        return real_render(template, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    posts = {f"content/posts/bai-{n}.md": post(f"Hội nghị số {n}", f"2023-0{n}-01") for n in range(1, 4)}
    site = site_factory(posts)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "out", jobs=1))
    assert renders["article.html"] == 3
    assert (renders["_header.html"], renders["_footer.html"]) == (1, 1)
    renders.clear()
    relative = tmp_path / "relative"
    build(BuildOptions(site_dir=site, out_dir=relative, relative=True, jobs=1, cache=False))
    # Relative links depend on the folder a page is in (from trang/a/, a link to trang/b/ is
    # ../b/index.html; from don-vi/mttq/ it is not): one rendering for each folder.
    folders = {path.parent for path in relative.rglob("*.html")}
    assert renders["_header.html"] == renders["_footer.html"] == len(folders) > 1
    home_link = page(relative, "tin-tuc/2023/bai-1/").find("p", cls="site-title").find("a").attrs["href"]
    assert home_link == "../../../index.html"


def test_a_search_index_made_on_another_core_is_the_one_made_here(tmp_path, monkeypatch):
    # From SEARCH_APART_FROM posts on, the build has the index made by a forked process while
    # it plans the rest; the site must be the same, file for file, as one planned in order.
    from phuongnews import build as build_module

    posts = {f"content/posts/bai-{n:02d}.md": post(f"Hội nghị lần {n} của Mặt trận", f"2023-{1 + n % 12:02d}-{1 + n % 27:02d}",
                                                   "[mttq, doan-tn]" if n % 3 else "[hoi-ccb]", f"Nội dung đặc biệt số {n}.")
             for n in range(30)}
    site = make_site(tmp_path / "site", posts)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "here", jobs=1, cache=False))
    started = []
    real_started = build_module.workers.started

    def watched(task, jobs):
        started.append(jobs)
        return real_started(task, jobs)

    monkeypatch.setattr(build_module, "SEARCH_APART_FROM", 1)
    monkeypatch.setattr(build_module.workers, "started", watched)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "apart", jobs=2, cache=False))
    assert started == [1, 2]  # the output folder's check (nothing to check: here), the index apart
    here = {p.relative_to(tmp_path / "here"): p.read_bytes() for p in (tmp_path / "here").rglob("*") if p.is_file()}
    apart = {p.relative_to(tmp_path / "apart"): p.read_bytes() for p in (tmp_path / "apart").rglob("*") if p.is_file()}
    assert here == apart
    assert any(path.parts[0] == "tim-kiem" and path.suffix == ".json" for path in here)
