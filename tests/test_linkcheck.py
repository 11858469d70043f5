"""Internal links and images are checked on every build and `check`: each broken one is an
error at the post's (or template's) file and line. External links are never fetched."""

from __future__ import annotations

import pytest

from phuongnews.cli import main
from tests.conftest import MINIMAL_CONFIG, post

POST = "content/posts/2023/a.md"
BROKEN_HINT = "    gợi ý: kiểm tra lại đường dẫn; ảnh và tệp đính kèm phải nằm trong thư mục static/"


def check(capsys, site, *extra) -> tuple[int, list[str]]:
    code = main(["check", "--site", str(site), *extra])
    return code, capsys.readouterr().err.splitlines()


def test_links_that_resolve_pass(site_factory, capsys):
    body = ("[Đơn vị](/don-vi/mttq/) [năm](/nam/2023/) [không gạch cuối](/don-vi) [ảnh](/css/style.css)\n\n"
            "[ngoài](https://example.com/x) [thư](mailto:a@b.vn) [gọi](tel:0200) [neo](#noi-dung)\n\n"
            "[tương đối](../../../don-vi/) [trang khác](../b/)")
    site = site_factory({POST: post(body=body), "content/posts/2023/b.md": post(title="Bài B")})
    assert check(capsys, site) == (0, [])


def test_broken_links_and_images_are_errors_at_their_line(site_factory, capsys):
    # A missing photo (![Ảnh](…)) is reported earlier, when the post is read: see test_images.py.
    body = "Mở đầu.\n\nXem [bài cũ](/tin-tuc/2020/khong-co/).\n\n[Ảnh](/images/hoi-nghi.jpg)\n\n[lên](../../)"
    site = site_factory({POST: post(body=body)})
    code, err = check(capsys, site)
    assert code == 1
    assert err == [
        f"{POST}:8: liên kết '/tin-tuc/2020/khong-co/' không dẫn tới trang hay tệp nào của trang web", BROKEN_HINT,
        f"{POST}:10: liên kết '/images/hoi-nghi.jpg' không dẫn tới trang hay tệp nào của trang web", BROKEN_HINT,
        f"{POST}:12: liên kết '../../' không dẫn tới trang hay tệp nào của trang web", BROKEN_HINT,
        "Có 3 lỗi trong 1 tệp. Chưa ghi gì: trang đã dựng trước đó vẫn giữ nguyên.",
    ]


def test_a_page_link_is_reported_in_the_page(site_factory, capsys):
    site = site_factory({POST: post(), "content/pages/lien-he.md": "---\ntitle: Liên hệ\n---\n[Bản đồ](/ban-do/)\n"})
    code, err = check(capsys, site, "--lang", "en")
    assert code == 1
    assert err[0] == "content/pages/lien-he.md:4: the link '/ban-do/' leads to no page or file of the site"


def test_a_broken_template_link_is_reported_in_the_template(site_factory, capsys):
    site = site_factory({POST: post()})
    base = site / "templates/_header.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        '<li><a href="{{ url(units_url) }}">Đơn vị</a></li>',
        '<li><a href="{{ url(units_url) }}">Đơn vị</a></li>\n        <li><a href="{{ url(\'hoi-dap/\') }}">Hỏi đáp</a></li>'),
        encoding="utf-8")
    code, err = check(capsys, site)
    assert code == 1
    line = base.read_text(encoding="utf-8").splitlines().index(
        "        <li><a href=\"{{ url('hoi-dap/') }}\">Hỏi đáp</a></li>") + 1
    assert err[0] == f"templates/_header.html:{line}: liên kết 'hoi-dap/' không dẫn tới trang hay tệp nào của trang web"
    assert err[-1].startswith("Có 1 lỗi trong 1 tệp.")  # once, not once per page


@pytest.mark.parametrize(("href", "ok"), [("/don-vi/mttq/", True), ("/phuong-x/don-vi/mttq/", False)])
def test_under_a_sub_path_root_links_are_rewritten_and_checked(site_factory, capsys, href, ok):
    config = MINIMAL_CONFIG.replace("https://phuong-mau.example.vn/", "https://tinh.example.vn/phuong-x/")
    site = site_factory({"site.yaml": config, POST: post(body=f"[MTTQ]({href})")})
    code, err = check(capsys, site)
    assert code == (0 if ok else 1)
    if not ok:  # the clerk wrote the sub-path by hand: it gets doubled, so the check flags it
        assert err[0] == f"{POST}:6: liên kết '/phuong-x/don-vi/mttq/' không dẫn tới trang hay tệp nào của trang web"


def test_relative_link_climbing_out_of_the_sub_path(site_factory, capsys):
    config = MINIMAL_CONFIG.replace("https://phuong-mau.example.vn/", "https://tinh.example.vn/phuong-x/")
    site = site_factory({"site.yaml": config, POST: post(body="[Tỉnh](../../../../)")})
    code, err = check(capsys, site)
    assert code == 1
    assert err[:2] == [
        f"{POST}:6: liên kết '../../../../' ra ngoài địa chỉ gốc của trang web",
        "    gợi ý: liên kết trong trang viết từ gốc trang, ví dụ /don-vi/mttq/, hoặc ghi đủ https://…",
    ]


def test_build_fails_on_a_broken_link_and_keeps_the_previous_site(site_factory, capsys):
    site = site_factory({POST: post()})
    assert main(["build", "--site", str(site)]) == 0
    before = (site / "public/tin-tuc/2023/a/index.html").read_bytes()
    (site / POST).write_text(post(body="[x](/khong-co/)"), encoding="utf-8")
    assert main(["build", "--site", str(site)]) == 1
    assert (site / "public/tin-tuc/2023/a/index.html").read_bytes() == before
