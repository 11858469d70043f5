"""`build --relative`: the site works opened straight from disk or a USB stick."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from phuongnews.cli import main
from tests.conftest import post

LINK = re.compile(r'<(?:a|link|img)\b[^>]*?\s(?:href|src)="([^"]*)"')


def test_relative_build_links_resolve_on_disk_and_absolute_urls_stay(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/a.md": post(body="[Đơn vị](/don-vi/) [B](../b/) ![Ảnh](/css/style.css) [neo](#noi-dung)"),
        "content/posts/2023/b.md": post(title="Bài B", date="2023-12-21"),
        "content/pages/lien-he.md": "---\ntitle: Liên hệ\n---\n[Trang chủ](/)\n",
    })
    out = site / "public"
    assert main(["build", "--site", str(site), "--relative"]) == 0, capsys.readouterr().err
    checked = 0
    for page in out.rglob("*.html"):
        for href in LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(href)
            if parts.scheme in ("https", "mailto") or href.startswith("#"):
                continue
            assert not href.startswith("/"), f"{page}: {href}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(out)}: {href} -> {target}"  # a file, never a folder
            assert out.resolve() in target.parents
            checked += 1
    assert checked > 100
    article = (out / "tin-tuc/2023/a/index.html").read_text(encoding="utf-8")
    assert '<a href="../../../don-vi/index.html">Đơn vị</a>' in article
    assert '<a href="../b/index.html">B</a>' in article
    assert '<link rel="canonical" href="https://phuong-mau.example.vn/tin-tuc/2023/a/">' in article
    assert '<meta property="og:url" content="https://phuong-mau.example.vn/tin-tuc/2023/a/">' in article
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="text/html" href="https://phuong-mau.example.vn/tin-tuc/2023/a/"/>' in feed
    assert "<loc>https://phuong-mau.example.vn/tin-tuc/2023/a/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_relative_menu_links_lead_to_their_pages_from_every_folder(site_factory, capsys):
    # The menu is drawn once per folder: pages at one depth need not have the same links
    # (from trang/gioi-thieu/ the menu's Liên hệ is ../lien-he/, from don-vi/mttq/ it is not).
    site = site_factory({
        "content/posts/2023/a.md": post(),
        "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nPhường Mẫu.\n",
        "content/pages/lien-he.md": "---\ntitle: Liên hệ\n---\nĐiện thoại.\n",
    })
    out = site / "public"
    assert main(["build", "--site", str(site), "--relative"]) == 0, capsys.readouterr().err
    menu_link = re.compile(r'<li><a href="([^"]*)">Liên hệ</a></li>')
    pages = list(out.rglob("*.html"))
    for page in pages:
        hrefs = menu_link.findall(page.read_text(encoding="utf-8"))
        assert len(hrefs) == 1, page
        assert (page.parent / hrefs[0]).resolve() == (out / "trang/lien-he/index.html").resolve(), page
    assert {page.parent.relative_to(out).as_posix() for page in pages} >= {"trang/gioi-thieu", "don-vi/mttq"}


def test_relative_build_still_reports_broken_links(site_factory, capsys):
    site = site_factory({"content/posts/2023/a.md": post(body="[cũ](/tin-tuc/2020/khong-co/)")})
    assert main(["build", "--site", str(site), "--relative"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "content/posts/2023/a.md:6: liên kết '/tin-tuc/2020/khong-co/' không dẫn tới trang hay tệp nào của trang web")
    assert not Path(site / "public").exists()
