"""A deterministic synthetic ward site for benchmarks: N posts shaped like content/posts/*.md
(several units, speakers, task lists, 2–8 KB Markdown bodies), plus the example site's
site.yaml, pages, templates and static files."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNITS = ["dang-uy", "mttq", "doan-tn", "hoi-ccb", "hoi-lhpn"]
PEOPLE = ["Nguyễn Đình Ninh", "Bùi Anh Toàn", "Hoàng Thị Tuyên", "Vi Văn Nghiệp", "Trần Phúc Nam",
          "Lê Thị Hoa", "Phạm Văn Đức", "Đỗ Thị Lan", "Hồ Sỹ Tùng", "Vũ Minh Châu"]
ROLES = ["Bí thư Đảng ủy", "Chủ tịch UBND", "Chủ tịch Ủy ban MTTQ", "Bí thư Đoàn Thanh niên",
         "Chủ tịch Hội Cựu chiến binh", "Chủ tịch Hội LHPN"]
EVENTS = ["Hội nghị tổng kết công tác", "Sơ kết 6 tháng đầu năm", "Ra quân Tháng Thanh niên",
          "Tập huấn nghiệp vụ", "Gặp mặt kỷ niệm ngày thành lập", "Hội nghị giám sát, phản biện xã hội"]
SENTENCES = [
    "Hội nghị đã đánh giá kết quả thực hiện các phong trào thi đua, các cuộc vận động lớn trên địa bàn.",
    "Các đại biểu thảo luận, đóng góp nhiều ý kiến tâm huyết vào dự thảo báo cáo và chương trình hành động.",
    "Công tác tuyên truyền, vận động đoàn viên, hội viên và nhân dân được triển khai đồng bộ, hiệu quả.",
    "Phong trào xây dựng nông thôn mới, đô thị văn minh tiếp tục được các tầng lớp nhân dân hưởng ứng.",
    "Công tác giám sát và phản biện xã hội được thực hiện đúng quy định, góp phần xây dựng Đảng và chính quyền.",
    "Các chi hội, chi đoàn đã chủ động phối hợp tổ chức nhiều hoạt động thiết thực tại khu dân cư.",
    "Hội nghị cũng chỉ ra một số tồn tại, hạn chế và đề ra giải pháp khắc phục trong thời gian tới.",
]


def make_site(root: Path, count: int, seed: int = 2023) -> Path:
    """Write a site of `count` posts under `root` (replacing it) and return it."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    for number in range(count):
        year = 2015 + number % 10
        folder = root / "content" / "posts" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"bai-viet-so-{number:04d}.md").write_text(post_text(rng, number, year), encoding="utf-8")
    return root


def post_text(rng: random.Random, number: int, year: int) -> str:
    units = rng.sample(UNITS, rng.randint(1, 3))
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    lines = [
        "---",
        f"title: {rng.choice(EVENTS)} năm {year} (bài số {number})",
        f"date: {year}-{month:02d}-{day:02d}",
        "units: [" + ", ".join(units) + "]",
        f"location: Hội trường UBND phường, tổ dân phố {rng.randint(1, 12)}",
        f"author: {rng.choice(PEOPLE)}",
        f"summary: Ngày {day:02d}/{month:02d}/{year}, các đơn vị tổ chức hội nghị (bài số {number}).",
        "speakers:",
    ]
    for _ in range(rng.randint(1, 3)):
        lines += [f"  - name: {rng.choice(PEOPLE)}", f"    role: {rng.choice(ROLES)}", "    note: phát biểu tại hội nghị"]
    lines += ["tasks:", f"  - unit: {units[0]}", f"    year: {year + 1}",
              f"    title: Nhiệm vụ trọng tâm năm {year + 1}", "    items:"]
    lines += [f"      - {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 5))]
    lines.append("---")
    target = rng.randint(2000, 8000)
    body: list[str] = []
    size = 0
    while size < target:
        if rng.random() < 0.15:
            paragraph = f"## {rng.choice(EVENTS)}"
        else:
            paragraph = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 5)))
        body.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    return "\n".join(lines) + "\n" + "\n\n".join(body) + "\n"
