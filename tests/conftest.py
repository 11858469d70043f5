"""Shared test helpers: inline mini-sites built in temporary folders (never in the repo)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MINIMAL_CONFIG = """\
title: Phường Mẫu
description: Trang tin thử nghiệm
base_url: https://phuong-mau.example.vn/
language: vi
timezone: Asia/Ho_Chi_Minh
per_page: 2
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
footer:
  agency: UBND phường Mẫu
  email: lienhe@phuong-mau.example.vn
"""


def post(title: str = "Hội nghị tổng kết năm 2023", date: str = "2023-12-22", units: str = "[mttq]",
         body: str = "Nội dung bài viết.", extra: str = "") -> str:
    """A valid post's text; `extra` adds front-matter lines."""
    extra = textwrap.dedent(extra).strip("\n")
    lines = ["---", f"title: {title}", f"date: {date}", f"units: {units}"]
    if extra:
        lines.append(extra)
    return "\n".join(lines + ["---", body, ""])


def make_site(root: Path, files: dict[str, str | bytes], templates: bool = True) -> Path:
    """Write a mini-site: `files` maps relative paths to text (dedented) or bytes.
    site.yaml defaults to MINIMAL_CONFIG; the example site's templates and CSS are copied in."""
    root.mkdir(parents=True, exist_ok=True)
    files = {"site.yaml": MINIMAL_CONFIG, **files}
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    if templates:
        shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
        shutil.copytree(REPO / "static", root / "static", dirs_exist_ok=True)
    return root


@pytest.fixture
def site_factory(tmp_path):
    """make_site bound to a fresh temp folder: site_factory({...}) -> site folder."""
    counter = iter(range(1000))

    def factory(files: dict[str, str | bytes], templates: bool = True) -> Path:
        return make_site(tmp_path / f"site{next(counter)}", files, templates)

    return factory
