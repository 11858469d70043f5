"""The build report: counts per unit and year, posts needing attention, warnings."""

from __future__ import annotations

import json

from phuongnews.build import BuildOptions, load_site
from phuongnews.report import build_report, report_json, report_text
from tests.conftest import post


def test_report_counts_and_lists_posts_needing_attention(site_factory):
    site_dir = site_factory({
        "content/posts/2023/a.md": post(units="[mttq, doan-tn]", extra="summary: Tóm tắt."),
        "content/posts/2023/b.md": post(title="B", date="2023-05-01", units="[mttq]"),
        "content/posts/2022/c.md": post(title="C", date="2022-03-08", units="[mttq]", body="<script>x</script>"),
    })
    site = load_site(BuildOptions(site_dir=site_dir))
    report = build_report(site, files=40, timings={"total": 0.1234}, next_change=None)
    assert report["posts"] == 3 and report["files"] == 40
    assert report["by_year"] == {"2023": 2, "2022": 1}
    assert report["by_unit"]["mttq"] == {"name": "Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu", "posts": 3,
                                         "by_year": {"2023": 2, "2022": 1}}
    assert report["by_unit"]["doan-tn"]["posts"] == 1
    assert report["by_unit"]["hoi-ccb"] == {"name": "Hội Cựu chiến binh phường Mẫu", "posts": 0, "by_year": {}}
    # Units in Vietnamese order of their names: Đoàn, Hội, Ủy ban.
    assert list(report["by_unit"]) == ["doan-tn", "hoi-ccb", "mttq"]
    assert report["missing_summary"] == ["content/posts/2022/c.md", "content/posts/2023/b.md"]
    assert len(report["missing_cover"]) == 3
    assert report["warnings"][0].startswith("content/posts/2022/c.md:6: cảnh báo: đã bỏ thẻ <script>")
    assert report["seconds"] == {"total": 0.123}
    assert json.loads(report_json(report)) == report

    text = report_text(report)
    assert "3 bài viết, 0 trang tĩnh, 40 tệp" in text
    assert "  Ủy ban Mặt trận Tổ quốc Việt Nam phường Mẫu: 3 bài (2023: 2, 2022: 1)" in text
    assert "Bài chưa có tóm tắt (summary) (2):\n  content/posts/2022/c.md\n  content/posts/2023/b.md" in text
    assert "Posts without a summary (2):" in report_text(report, "en")
