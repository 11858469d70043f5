"""The build report: what the site holds and what needs an editor's attention, as data (JSON)
and as text for a person. Pure: the CLI decides where it goes."""

from __future__ import annotations

import json
from datetime import datetime

from phuongnews import indexes
from phuongnews.models import Site
from phuongnews.vietnamese import collation_key


def build_report(site: Site, files: int, timings: dict[str, float], next_change: datetime | None,
                 lang: str = "vi") -> dict:
    config = site.config
    by_unit = indexes.by_unit(site.articles)
    units = sorted(config.units, key=lambda u: collation_key(u.name))
    return {
        "site": config.title,
        "base_url": config.base_url,
        "posts": len(site.articles),
        "pages": len(site.pages),
        "files": files,
        "by_year": {str(year): len(items) for year, items in indexes.by_year(site.articles).items()},
        "by_unit": {
            unit.key: {
                "name": unit.name,
                "posts": len(by_unit.get(unit.key, ())),
                "by_year": {str(y): n for y, n in _count_years(by_unit.get(unit.key, ())).items()},
            }
            for unit in units
        },
        "missing_summary": sorted(a.source for a in site.articles if not a.summary),
        "missing_cover": sorted(a.source for a in site.articles if not a.cover),
        "warnings": [w.format(lang) for w in sorted(site.warnings, key=lambda w: w.sort_key())],
        "next_change": next_change.isoformat() if next_change else None,
        "seconds": {name: round(value, 3) for name, value in timings.items()},
    }


def _count_years(articles) -> dict[int, int]:
    counts: dict[int, int] = {}
    for article in articles:
        counts[article.year] = counts.get(article.year, 0) + 1
    return dict(sorted(counts.items(), reverse=True))


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


_LABELS = {
    "vi": {
        "title": "Báo cáo dựng trang: {site}", "totals": "{posts} bài viết, {pages} trang tĩnh, {files} tệp",
        "years": "Theo năm", "units": "Theo đơn vị", "none": "không có",
        "missing_summary": "Bài chưa có tóm tắt (summary)", "missing_cover": "Bài chưa có ảnh bìa (cover)",
        "warnings": "Cảnh báo", "next_change": "Lần dựng lại tiếp theo sẽ thay đổi trang lúc: {when}",
        "seconds": "Thời gian (giây)", "posts": "bài",
    },
    "en": {
        "title": "Build report: {site}", "totals": "{posts} posts, {pages} pages, {files} files",
        "years": "By year", "units": "By unit", "none": "none",
        "missing_summary": "Posts without a summary", "missing_cover": "Posts without a cover image",
        "warnings": "Warnings", "next_change": "The next rebuild that changes the site: {when}",
        "seconds": "Time (seconds)", "posts": "posts",
    },
}


def report_text(report: dict, lang: str = "vi") -> str:
    labels = _LABELS["en" if lang == "en" else "vi"]
    lines = [labels["title"].format(site=report["site"]), labels["totals"].format(**report), ""]
    lines.append(labels["years"] + ":")
    lines += [f"  {year}: {count} {labels['posts']}" for year, count in report["by_year"].items()] or [f"  {labels['none']}"]
    lines += ["", labels["units"] + ":"]
    for unit in report["by_unit"].values():
        years = ", ".join(f"{y}: {n}" for y, n in unit["by_year"].items())
        lines.append(f"  {unit['name']}: {unit['posts']} {labels['posts']}" + (f" ({years})" if years else ""))
    for key in ("missing_summary", "missing_cover", "warnings"):
        lines += ["", f"{labels[key]} ({len(report[key])}):"]
        lines += [f"  {item}" for item in report[key]] or [f"  {labels['none']}"]
    if report["next_change"]:
        lines += ["", labels["next_change"].format(when=report["next_change"])]
    lines += ["", labels["seconds"] + ": " + ", ".join(f"{k} {v}" for k, v in report["seconds"].items())]
    return "\n".join(lines) + "\n"
