"""The README's examples are what clerks copy: they must stay valid."""

from __future__ import annotations

import re

from phuongnews.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(language: str, marker: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"expected one {language} block containing {marker!r}"
    return found[0]


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 6), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def test_quick_start_has_exactly_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)```", quick_start, flags=re.DOTALL)
    assert [c.strip() for c in commands] == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/phuongnews build",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
    ]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest" in ci


def test_readme_site_yaml_and_post_build(site_factory, capsys):
    config = _block("yaml", "units:")
    post = _block("markdown", "speakers:")
    site = site_factory({
        "site.yaml": config,
        "content/posts/2022/hoi-nghi-tong-ket-cong-tac-mat-tran-nam-2022.md": post,
        "static/images/2022/tong-ket.jpg": _jpeg(),  # a cover must be a real photo: it is resized
    })
    out = site / "out"
    assert main(["build", "--site", str(site), "--out", str(out)]) == 0, capsys.readouterr().err
    page = (out / "tin-tuc/2022/tong-ket-mat-tran-2022/index.html").read_text(encoding="utf-8")
    assert "Hồ Sỹ Tùng" in page and "Bí thư Đảng ủy phường" in page
    assert "Tổ chức tốt Tháng Thanh niên." in page
    assert 'href="/phuong-quynh-thien/don-vi/doan-tn/"' in page
