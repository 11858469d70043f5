"""`phuongnews new`: a post skeleton a clerk fills in. It never overwrites a file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from phuongnews.config import resolver
from phuongnews.errors import ErrorList
from phuongnews.models import SiteConfig
from phuongnews.vietnamese import clean_text, fold, slugify_vi


def post_skeleton(title: str, units: list[str], when: date) -> str:
    """The text of a new post; the commented keys show a clerk what else a post can hold."""
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a valid YAML scalar
    return f"""---
title: {quoted}
date: {when.isoformat()}
units: [{", ".join(units)}]
# Bỏ dấu # ở đầu các dòng dưới đây để điền thêm thông tin:
# published: {when.isoformat()} 08:00
# location: Hội trường phường
# author: Họ và tên người viết
# source: Nguồn tin
# summary: Một hai câu tóm tắt nội dung bài.
# speakers:
#   - name: Nguyễn Văn A
#     role: Bí thư Đảng ủy phường
#     note: phát biểu chỉ đạo hội nghị
# tasks:
#   - unit: {units[0]}
#     year: {when.year + 1}
#     title: Nhiệm vụ trọng tâm năm {when.year + 1}
#     items:
#       - Nhiệm vụ thứ nhất
#       - Nhiệm vụ thứ hai
---
Viết nội dung bài ở đây. Mỗi đoạn cách nhau một dòng trống.
"""


def create_post(site_dir: Path, config: SiteConfig, title: str, unit_labels: list[str], when: date,
                errors: ErrorList) -> str | None:
    title = clean_text(title)
    table = resolver(config)
    units = []
    for label in unit_labels:
        key = table.get(fold(label))
        if key is None:
            known = ", ".join(f"{unit.key} ({unit.short})" for unit in config.units)
            errors.add("--unit", None, "units.unknown", value=label, known=known)
        elif key not in units:
            units.append(key)
    slug = slugify_vi(title)
    if not slug:
        errors.add("--title", None, "new.empty_title")
    if errors:
        return None
    relative = f"content/posts/{when.year}/{slug}.md"
    path = site_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
            handle.write(post_skeleton(title, units, when))
    except FileExistsError:
        errors.add(relative, None, "new.exists")
        return None
    return relative
