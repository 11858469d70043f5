"""Old addresses (aliases → redirects), scheduled and expiring posts, and the build report."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from phuongnews.build import BuildOptions, load_site
from phuongnews.cli import main
from phuongnews.schedule import schedule
from tests.conftest import post

A = "content/posts/2023/a.md"
ICT = timezone(timedelta(hours=7))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- Aliases ---------------------------------------------------------------------------------

def test_aliases_become_redirect_pages_and_a_redirects_file(site_factory, capsys):
    site = site_factory({A: post(extra="aliases:\n  - /index.php/vi/news/hoi-nghi-123.html\n  - /tin-cu/hội nghị/")})
    assert run(capsys, "build", "--site", str(site))[0] == 0
    out = site / "public"
    page = (out / "index.php/vi/news/hoi-nghi-123.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=/tin-tuc/2023/a/">' in page
    assert '<link rel="canonical" href="https://phuong-mau.example.vn/tin-tuc/2023/a/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<a href="/tin-tuc/2023/a/">Hội nghị tổng kết năm 2023</a>' in page
    assert (out / "tin-cu/hội nghị/index.html").is_file()
    assert (out / "_redirects").read_text(encoding="utf-8") == (
        "/index.php/vi/news/hoi-nghi-123.html /tin-tuc/2023/a/ 301\n"
        "/tin-cu/h%E1%BB%99i%20ngh%E1%BB%8B/ /tin-tuc/2023/a/ 301\n")
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "index.php" not in sitemap and "tin-cu" not in sitemap


def test_no_redirects_file_without_aliases(site_factory, capsys):
    site = site_factory({A: post()})
    assert run(capsys, "build", "--site", str(site))[0] == 0
    assert not (site / "public/_redirects").exists()


@pytest.mark.parametrize("alias", ["https://cu.gov.vn/tin/1", "tin/1.html", "/tin.php?id=1", "/../etc/", "/"])
def test_an_alias_must_be_a_path_on_the_site(site_factory, capsys, alias):
    site = site_factory({A: post(extra=f"aliases: ['{alias}']")})
    code, _, err = run(capsys, "check", "--site", str(site))
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{A}:5: địa chỉ cũ '{alias}' phải là đường dẫn trong trang, bắt đầu bằng /",
        "    gợi ý: ví dụ: /index.php/vi/news/tin-tuc/hoi-nghi-123.html (không ghi tên miền, không có ?…)",
    ]


def test_an_alias_colliding_with_a_real_page_is_an_error(site_factory, capsys):
    site = site_factory({A: post(extra="aliases: [/don-vi/mttq/]")})
    code, _, err = run(capsys, "check", "--site", str(site))
    assert code == 1
    assert err.splitlines()[0] == (
        f"{A}: hai nội dung cùng ghi vào /don-vi/mttq/index.html (cùng với templates/listing.html)")


def test_two_posts_claiming_one_old_address_is_an_error(site_factory, capsys):
    site = site_factory({
        A: post(extra="aliases: [/tin/1.html]"),
        "content/posts/2023/b.md": post(title="B", extra="aliases: [/tin/1.html]"),
    })
    code, _, err = run(capsys, "check", "--site", str(site))
    assert code == 1
    assert err.splitlines()[0] == (
        "content/posts/2023/a.md: hai nội dung cùng ghi vào /tin/1.html (cùng với content/posts/2023/b.md)")


# --- Scheduled and expiring posts --------------------------------------------------------------

def test_schedule_is_pure_and_finds_the_next_change(site_factory):
    site_dir = site_factory({
        A: post(extra="published: 2030-01-02 08:00"),
        "content/posts/2023/b.md": post(title="B", extra="expires: 2029-01-01"),
        "content/posts/2023/c.md": post(title="C"),
    })
    articles = load_site(BuildOptions(site_dir=site_dir, drafts=True)).articles
    assert len(articles) == 3
    now = datetime(2026, 11, 23, 9, 0, tzinfo=ICT)
    plan = schedule(articles, now)
    assert sorted(a.slug for a in plan.visible) == ["b", "c"]
    assert plan.next_change == datetime(2029, 1, 1, tzinfo=ICT)
    later = schedule(articles, datetime(2029, 6, 1, tzinfo=ICT))
    assert [a.slug for a in later.visible] == ["c"] and later.next_change == datetime(2030, 1, 2, 8, 0, tzinfo=ICT)
    assert schedule(articles, datetime(2031, 1, 1, tzinfo=ICT)).next_change is None


def test_build_leaves_out_future_and_expired_posts_and_says_when_to_rebuild(site_factory, capsys):
    site = site_factory({
        A: post(extra="published: 2030-01-02 08:00"),
        "content/posts/2023/b.md": post(title="Bài hết hạn", extra="expires: 2029-01-01"),
    })
    code, out, _ = run(capsys, "build", "--site", str(site), "--now", "2026-11-23 09:00",
                       "--report", str(site / "bao-cao.json"))
    assert code == 0
    assert out.splitlines()[1] == ("Có bài hẹn giờ đăng hoặc hết hạn: lần dựng lại tiếp theo sẽ thay đổi trang"
                                   " lúc Thứ Hai, 01/01/2029 00:00.")
    assert not (site / "public/tin-tuc/2023/a").exists()
    assert (site / "public/tin-tuc/2023/b/index.html").is_file()
    assert json.loads((site / "bao-cao.json").read_text(encoding="utf-8"))["next_change"] == "2029-01-01T00:00:00+07:00"
    # Once the moment has passed, the next build publishes the scheduled post and drops the expired one.
    assert run(capsys, "build", "--site", str(site), "--now", "2030-01-02 08:00")[0] == 0
    assert (site / "public/tin-tuc/2023/a/index.html").is_file()
    assert not (site / "public/tin-tuc/2023/b").exists()


def test_drafts_flag_previews_scheduled_posts(site_factory, capsys):
    site = site_factory({A: post(extra="published: 2030-01-02 08:00")})
    assert run(capsys, "build", "--site", str(site), "--drafts")[0] == 0
    assert (site / "public/tin-tuc/2023/a/index.html").is_file()


def test_expires_must_come_after_publishing(site_factory, capsys):
    site = site_factory({A: post(extra="expires: 2023-01-01")})
    code, _, err = run(capsys, "check", "--site", str(site), "--lang", "en")
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{A}:5: the expiry date (expires) must come after the posting date",
        "    hint: remove the expires line if the post does not expire",
    ]


# --- Build report --------------------------------------------------------------------------------

def test_build_writes_text_and_json_reports(site_factory, capsys):
    site = site_factory({A: post(extra="summary: Tóm tắt."), "content/posts/2022/b.md": post(title="B", date="2022-05-01")})
    code, _, _ = run(capsys, "build", "--site", str(site), "--report", str(site / "r.json"),
                     "--report", str(site / "r.txt"))
    assert code == 0
    data = json.loads((site / "r.json").read_text(encoding="utf-8"))
    assert data["posts"] == 2 and data["by_year"] == {"2023": 1, "2022": 1}
    assert data["missing_summary"] == ["content/posts/2022/b.md"]
    assert set(data["seconds"]) == {"load", "plan", "sign", "render", "write", "total"}
    assert data["next_change"] is None
    text = (site / "r.txt").read_text(encoding="utf-8")
    assert text.startswith("Báo cáo dựng trang: Phường Mẫu\n2 bài viết, 0 trang tĩnh, ")
