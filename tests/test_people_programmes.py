"""People pages, each unit's yearly task programme, and related posts."""

from __future__ import annotations

import re

from phuongnews.build import BuildOptions, load_site
from phuongnews.cli import main
from phuongnews.indexes import related
from tests.conftest import post

NFD_TUNG = "Ho\u0302\u0300 Sy\u0303 Tu\u0300ng"  # "Hồ Sỹ Tùng" as macOS may store it

POSTS = {
    "content/posts/2023/a.md": post("Tổng kết năm 2023", "2023-12-22", "[mttq, doan-tn]", extra="""\
        speakers:
          - name: Đ/c Hồ Sỹ Tùng
            role: Bí thư Đảng ủy phường
          - name: Nguyễn Văn An
            role: Chủ tịch Ủy ban MTTQ
            id: nguyen-van-an-mttq
        tasks:
          - year: 2024
            title: Nhiệm vụ trọng tâm năm 2024
            items: [Việc chung một, Việc chung hai]
          - unit: doan-tn
            year: 2024
            title: Nhiệm vụ của Đoàn năm 2024
            items: [Tháng Thanh niên]
        """),
    "content/posts/2023/b.md": post("Sơ kết 6 tháng", "2023-06-26", "[mttq]", extra=f"""\
        speakers:
          - name: "đồng chí  {NFD_TUNG}"
            role: Phó Bí thư Đảng ủy
          - name: Nguyễn Văn An
            role: Cựu chiến binh
            id: nguyen-van-an-ccb
          - name: Ân Thị Bình
        tasks:
          - unit: mttq
            year: 2024
            title: Chỉ tiêu năm 2024
            items: [Chỉ tiêu một]
        """),
    "content/posts/2022/c.md": post("Hội nghị năm 2022", "2022-01-20", "[hoi-ccb]"),
}


def build(site_factory, capsys):
    site = site_factory(POSTS)
    assert main(["build", "--site", str(site)]) == 0, capsys.readouterr().err
    return site / "public"


def main_text(path) -> str:
    html = path.read_text(encoding="utf-8")
    return html[html.index("<main"):html.index("</main>")]


def test_people_are_merged_however_the_name_was_typed_and_sorted_by_given_name(site_factory, capsys):
    out = build(site_factory, capsys)
    names = re.findall(r'<a href="/nhan-vat/([^/]+)/">([^<]+)</a> <span class="count">\((\d+) bài\)',
                       main_text(out / "nhan-vat/index.html"))
    # Vietnamese order by given name: An, An (told apart by id), Bình, Tùng.
    assert names == [("nguyen-van-an-ccb", "Nguyễn Văn An", "1"), ("nguyen-van-an-mttq", "Nguyễn Văn An", "1"),
                     ("an-thi-binh", "Ân Thị Bình", "1"), ("ho-sy-tung", "Hồ Sỹ Tùng", "2")]


def test_a_person_page_lists_appearances_newest_first_with_each_role(site_factory, capsys):
    out = build(site_factory, capsys)
    page = main_text(out / "nhan-vat/ho-sy-tung/index.html")
    assert "<h1>Hồ Sỹ Tùng</h1>" in page
    titles = re.findall(r'<h2 class="post-item-title"><a href="([^"]+)">', page)
    assert titles == ["/tin-tuc/2023/a/", "/tin-tuc/2023/b/"]
    assert page.index("Bí thư Đảng ủy phường") < page.index("Phó Bí thư Đảng ủy")
    article = main_text(out / "tin-tuc/2023/b/index.html")
    assert '<strong><a href="/nhan-vat/ho-sy-tung/">Hồ Sỹ Tùng</a></strong> – Phó Bí thư Đảng ủy' in article


def test_a_person_who_spoke_often_gets_pages_of_per_page_appearances(site_factory, capsys):
    """per_page is 2 here: five appearances make three pages, newest first across them, each
    linked to the others; the people page counts all five."""
    speaker = "speakers:\n  - name: Đ/c Hồ Sỹ Tùng\n    role: Bí thư Đảng ủy phường\n"
    site = site_factory({f"content/posts/2023/hop-{n}.md": post(f"Họp lần {n}", f"2023-0{n}-15", "[mttq]", extra=speaker)
                         for n in range(1, 6)})
    assert main(["build", "--site", str(site)]) == 0, capsys.readouterr().err
    out = site / "public/nhan-vat/ho-sy-tung"
    pages = [main_text(out / "index.html"), main_text(out / "trang-2/index.html"), main_text(out / "trang-3/index.html")]
    assert not (out / "trang-4").exists()
    shown = [re.findall(r'<h2 class="post-item-title"><a href="/tin-tuc/2023/hop-(\d)/">', page) for page in pages]
    assert shown == [["5", "4"], ["3", "2"], ["1"]]
    assert "<h1>Hồ Sỹ Tùng</h1>" in pages[0]
    assert '<h1>Hồ Sỹ Tùng <span class="page-number">– trang 2</span></h1>' in pages[1]
    assert '<a href="/nhan-vat/ho-sy-tung/trang-3/" rel="next">Trang sau ›</a>' in pages[1]
    assert '<a href="/nhan-vat/ho-sy-tung/" rel="prev">‹ Trang trước</a>' in pages[1]
    head = (out / "trang-2/index.html").read_text(encoding="utf-8")
    assert "<title>Hồ Sỹ Tùng — trang 2" in head
    assert "(5 bài)" in main_text(site / "public/nhan-vat/index.html")
    assert "nhan-vat/ho-sy-tung/trang-3/" in (site / "public/sitemap.xml").read_text(encoding="utf-8")


def test_a_bad_person_id_is_an_error(site_factory, capsys):
    site = site_factory({"content/posts/2023/a.md": post(extra="speakers:\n  - name: A\n    id: Người A")})
    assert main(["check", "--site", str(site)]) == 1
    assert capsys.readouterr().err.splitlines()[:2] == [
        "content/posts/2023/a.md:7: id 'Người A' của người phát biểu chỉ được có chữ thường không dấu, số và dấu gạch ngang",
        "    gợi ý: id dùng để phân biệt hai người trùng tên, ví dụ: nguoi-a",
    ]


def test_programme_gathers_every_task_of_a_unit_and_year(site_factory, capsys):
    out = build(site_factory, capsys)
    mttq = main_text(out / "don-vi/mttq/nhiem-vu/2024/index.html")
    assert re.findall(r"<h2 [^>]*>([^<]+)</h2>", mttq) == ["Nhiệm vụ trọng tâm năm 2024", "Chỉ tiêu năm 2024"]
    assert re.findall(r"<li>([^<]+)</li>", mttq) == ["Việc chung một", "Việc chung hai", "Chỉ tiêu một"]
    assert 'Theo bài <a href="/tin-tuc/2023/b/">Sơ kết 6 tháng</a>' in mttq
    doan = main_text(out / "don-vi/doan-tn/nhiem-vu/2024/index.html")
    assert re.findall(r"<li>([^<]+)</li>", doan) == ["Việc chung một", "Việc chung hai", "Tháng Thanh niên"]
    assert not (out / "don-vi/hoi-ccb/nhiem-vu").exists()
    unit_page = main_text(out / "don-vi/mttq/index.html")
    assert '<a href="/don-vi/mttq/nhiem-vu/2024/">Nhiệm vụ năm 2024</a>' in unit_page
    css = (out / "css/style.css").read_text(encoding="utf-8")
    assert "@media print" in css and ".no-print" in css


def test_related_posts_share_units_are_close_in_time_and_never_the_post_itself(site_factory):
    site_dir = site_factory({
        "content/posts/2023/a.md": post("A", "2023-12-22", "[mttq, doan-tn]"),
        "content/posts/2023/b.md": post("B", "2023-12-01", "[mttq, doan-tn]"),
        "content/posts/2023/c.md": post("C", "2023-12-20", "[mttq]"),
        "content/posts/2020/d.md": post("D", "2020-01-01", "[mttq]"),
        "content/posts/2023/e.md": post("E", "2023-12-21", "[hoi-ccb]"),
    })
    articles = load_site(BuildOptions(site_dir=site_dir)).articles
    found = {url: [a.slug for a in items] for url, items in related(articles).items()}
    assert found["tin-tuc/2023/a/"] == ["b", "c", "d"]  # both units first, then nearest in time
    assert found["tin-tuc/2023/e/"] == []
    assert all(url.rstrip("/").rsplit("/", 1)[1] not in slugs for url, slugs in found.items())
