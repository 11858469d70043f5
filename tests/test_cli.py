"""The `phuongnews` command end to end: a few real subprocesses, the rest in-process through
`phuongnews.cli.main(argv) -> exit status`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from importlib.metadata import version
from zoneinfo import ZoneInfo

import pytest

from phuongnews import __version__
from phuongnews.cli import main
from phuongnews.writer import MARKER
from tests.conftest import MINIMAL_CONFIG, post

POST = "content/posts/2023/hoi-nghi.md"
ARTICLE = "tin-tuc/2023/hoi-nghi/index.html"
FAILED_VI = "Có {count} lỗi trong {files} tệp. Chưa ghi gì: trang đã dựng trước đó vẫn giữ nguyên."
BUILT_VI = re.compile(r"^Đã dựng (\d+) bài viết thành (\d+) trang \((\d+) tệp\) vào (.+) trong \d+,\d\d giây\.$")
CHECKED_VI = re.compile(r"^Không có lỗi: (\d+) bài viết, (\d+) trang \(\d+,\d\d giây\)\.$")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def phuongnews(*argv: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUTF8": "1"}
    return subprocess.run([sys.executable, "-m", "phuongnews", *argv], check=False, capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env, timeout=60)


def snapshot(folder) -> dict[str, bytes | None]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def today_candidates() -> set:
    """Today in the site's zone; both sides of a midnight that falls during the test."""
    return {datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()}


# --- Real processes ---------------------------------------------------------------------

def test_build_process_succeeds_with_summary(site_factory, tmp_path):
    site = site_factory({POST: post()})
    out_dir = tmp_path / "web"
    result = phuongnews("build", "--site", str(site), "--out", str(out_dir))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary, changes = result.stdout.splitlines()
    match = BUILT_VI.match(summary)
    assert match, result.stdout
    assert changes == f"Tệp thay đổi: ghi {match[3]}, xóa 0; 0 tệp giữ nguyên (dựng lại {match[2]} trang)."
    posts, pages, files, where = match.groups()
    assert (posts, where) == ("1", str(out_dir))
    written = [p for p in out_dir.rglob("*") if p.is_file() and p.name != MARKER]
    assert int(files) == len(written)
    assert int(pages) == len([p for p in written if not (site / "static" / p.relative_to(out_dir)).is_file()])
    assert (out_dir / ARTICLE).is_file()


def test_a_reader_that_stops_reading_does_not_turn_a_built_site_into_an_error_message(site_factory, tmp_path):
    # `phuongnews build | head -0`: the summary cannot be printed, the site is built all the same.
    site = site_factory({POST: post()})
    out_dir = tmp_path / "web"
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: printing fails with a broken pipe
    try:
        result = subprocess.run([sys.executable, "-m", "phuongnews", "build", "--site", str(site), "--out", str(out_dir)],
                                stdout=writer, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                env={**os.environ, "PYTHONUTF8": "1"}, timeout=60, check=False)
    finally:
        os.close(writer)
    assert result.returncode == 141
    assert result.stderr == ""  # not "could not write …, the old site is kept": it was written
    assert (out_dir / ARTICLE).is_file()


def test_check_process_reports_errors_without_traceback(site_factory):
    site = site_factory({POST: post(date="29/12/2022", units="[mtq]")}, templates=False)
    result = phuongnews("check", cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{POST}:3: ngày '29/12/2022' viết theo kiểu ngày/tháng/năm",
        "    gợi ý: viết theo dạng năm-tháng-ngày: 2022-12-29",
        f"{POST}:4: không có đơn vị 'mtq' trong site.yaml",
        "    gợi ý: có phải ý bạn là 'mttq'? Các đơn vị: mttq (MTTQ), doan-tn (Đoàn TN), hoi-ccb (Hội CCB)",
        FAILED_VI.format(count=2, files=1),
    ]


def test_process_without_site_yaml_is_a_clear_error(tmp_path):
    result = phuongnews("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "site.yaml: không thấy site.yaml trong thư mục .",
        "    gợi ý: chạy lệnh trong thư mục của trang, hoặc thêm --site THƯ_MỤC",
        FAILED_VI.format(count=1, files=1),
    ]
    assert list(tmp_path.iterdir()) == []


def test_version_process():
    result = phuongnews("--version")
    assert result.returncode == 0
    assert result.stdout == f"phuongnews {__version__}\n"


# --- build ------------------------------------------------------------------------------

def test_build_defaults_to_public_inside_the_site(site_factory, capsys):
    site = site_factory({POST: post()})
    code, out, err = run(capsys, "build", "--site", str(site))
    assert (code, err) == (0, "")
    assert BUILT_VI.match(out.splitlines()[0]).group(4) == str(site / "public")
    page = (site / "public" / ARTICLE).read_text(encoding="utf-8")
    assert "Hội nghị tổng kết năm 2023" in page
    assert (site / "public" / MARKER).is_file()


def test_build_out_and_base_url_override(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    out_dir = tmp_path / "web"
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir),
                       "--base-url", "https://tinh.gov.vn/phuong-mau")
    assert (code, err) == (0, "")
    sitemap = (out_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://tinh.gov.vn/phuong-mau/tin-tuc/2023/hoi-nghi/</loc>" in sitemap
    assert "phuong-mau.example.vn" not in sitemap
    assert 'href="/phuong-mau/tin-tuc/2023/hoi-nghi/"' in (out_dir / "index.html").read_text(encoding="utf-8")
    assert not (site / "public").exists()


def test_bad_base_url_option_is_an_error(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    code, out, err = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"), "--base-url", "tinh.gov.vn")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "--base-url: base_url 'tinh.gov.vn' phải là địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://",
        "    gợi ý: ví dụ: https://phuong.example.gov.vn/ hoặc https://tinh.gov.vn/phuong-quynh-thien/",
        FAILED_VI.format(count=1, files=1),
    ]
    assert not (tmp_path / "web").exists()


def test_draft_is_published_only_with_drafts(site_factory, tmp_path, capsys):
    site = site_factory({
        POST: post(),
        "content/posts/2023/bai-nhap.md": post(title="Bài nháp chưa duyệt", extra="draft: true"),
    })
    plain, with_drafts = tmp_path / "plain", tmp_path / "drafts"
    code, out, _ = run(capsys, "build", "--site", str(site), "--out", str(plain))
    assert code == 0 and BUILT_VI.match(out.splitlines()[0]).group(1) == "1"
    code, out, _ = run(capsys, "build", "--site", str(site), "--out", str(with_drafts), "--drafts")
    assert code == 0 and BUILT_VI.match(out.splitlines()[0]).group(1) == "2"
    assert not (plain / "tin-tuc/2023/bai-nhap").exists()
    assert "Bài nháp chưa duyệt" not in (plain / "index.html").read_text(encoding="utf-8")
    assert "Bài nháp chưa duyệt" in (with_drafts / "tin-tuc/2023/bai-nhap/index.html").read_text(encoding="utf-8")
    assert "Bài nháp chưa duyệt" in (with_drafts / "index.html").read_text(encoding="utf-8")


def test_rebuild_replaces_previous_output(site_factory, capsys):
    site = site_factory({POST: post()})
    assert run(capsys, "build", "--site", str(site))[0] == 0
    (site / POST).unlink()
    (site / "content/posts/2023/moi.md").write_text(post(title="Bài mới"), encoding="utf-8")
    assert run(capsys, "build", "--site", str(site))[0] == 0
    assert (site / "public/tin-tuc/2023/moi/index.html").is_file()
    assert not (site / "public/tin-tuc/2023/hoi-nghi").exists()


def test_build_into_existing_empty_folder(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    out_dir = tmp_path / "empty"
    out_dir.mkdir()
    assert run(capsys, "build", "--site", str(site), "--out", str(out_dir))[0] == 0
    assert (out_dir / ARTICLE).is_file()


def test_build_into_folder_holding_only_os_junk(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    out_dir = tmp_path / "from-a-mac"
    out_dir.mkdir()
    (out_dir / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    assert run(capsys, "build", "--site", str(site), "--out", str(out_dir))[0] == 0
    assert (out_dir / ARTICLE).is_file()


# --- --out refusals ------------------------------------------------------------------------

NOT_OURS = "thư mục đã có tệp mà phuongnews không tạo ra"
NOT_OURS_HINT = "    gợi ý: phuongnews thay toàn bộ thư mục đầu ra mỗi lần dựng; chọn thư mục trống hoặc thư mục mới"


def test_out_folder_with_user_files_is_refused_and_untouched(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    out_dir = tmp_path / "Tài liệu"
    (out_dir / "2023").mkdir(parents=True)
    (out_dir / "bao-cao.docx").write_bytes(b"PK\x03\x04 bao cao")
    (out_dir / "2023" / "ghi-chu.txt").write_text("Ghi chú của cán bộ", encoding="utf-8")
    before = snapshot(out_dir)
    code, out, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"không dựng vào {out_dir}: {NOT_OURS}", NOT_OURS_HINT]
    assert snapshot(out_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Tài liệu", site.name]


def test_out_refusal_in_english(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    out_dir = tmp_path / "docs"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir), "--lang", "en")
    assert code == 1
    assert err.splitlines() == [
        f"refusing to build into {out_dir}: it holds files phuongnews did not create",
        "    hint: each build replaces the whole output folder; choose an empty or new folder",
    ]
    assert (out_dir / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("where", "expected"), [
    (".", ["không dựng vào {out}: thư mục này chứa trang nguồn hoặc là thư mục nhà",
           "    gợi ý: chọn một thư mục riêng, ví dụ --out public"]),
    ("..", ["không dựng vào {out}: thư mục này chứa trang nguồn hoặc là thư mục nhà",
            "    gợi ý: chọn một thư mục riêng, ví dụ --out public"]),
    ("content", ["không dựng vào {out}: thư mục này nằm trong content/, templates/ hoặc static/",
                 "    gợi ý: chọn một thư mục riêng, ví dụ --out public"]),
    ("static/web", ["không dựng vào {out}: thư mục này nằm trong content/, templates/ hoặc static/",
                    "    gợi ý: chọn một thư mục riêng, ví dụ --out public"]),
    ("site.yaml", ["không dựng vào {out}: đó là một tệp, không phải thư mục"]),
])
def test_out_folder_that_would_lose_sources_is_refused(site_factory, capsys, where, expected):
    site = site_factory({POST: post()})
    before = snapshot(site)
    out_dir = site / where
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert code == 1
    assert err.splitlines() == [line.format(out=out_dir) for line in expected]
    assert snapshot(site) == before


# --- check --------------------------------------------------------------------------------

def outside_the_cache(snapshot: dict) -> dict:
    return {path: data for path, data in snapshot.items() if path.split("/")[0] != ".phuongnews-cache"}


@pytest.mark.parametrize("extra", [[], ["--no-cache"]])
def test_check_succeeds_and_writes_nothing_but_the_build_cache(site_factory, capsys, extra):
    site = site_factory({POST: post()})
    before = snapshot(site)
    code, out, err = run(capsys, "check", "--site", str(site), *extra)
    assert (code, err) == (0, "")
    match = CHECKED_VI.match(out.rstrip("\n"))
    assert match and match.group(1) == "1", out
    after = snapshot(site)
    assert outside_the_cache(after) == before  # no site written, no source touched
    assert (after == before) == bool(extra)  # what it parsed is kept for the next check or build


@pytest.mark.parametrize("extra", [[], ["--no-cache"]])
def test_check_fails_on_errors_and_writes_nothing_but_the_build_cache(site_factory, capsys, extra):
    site = site_factory({POST: post(date="2023-02-30")})
    before = snapshot(site)
    code, out, err = run(capsys, "check", "--site", str(site), *extra)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"{POST}:3: ngày '2023-02-30' không có trên lịch"
    assert outside_the_cache(snapshot(site)) == before


def test_check_in_english(site_factory, capsys):
    site = site_factory({POST: post()})
    code, out, _ = run(capsys, "check", "--site", str(site), "--lang", "en")
    assert code == 0
    assert re.fullmatch(r"No errors: 1 posts, \d+ pages \(\d+\.\d\d s\)\.\n", out), out


# --- new ----------------------------------------------------------------------------------

def test_new_creates_post_dated_today_that_passes_check(site_factory, capsys):
    site = site_factory({})
    before = today_candidates()
    code, out, err = run(capsys, "new", "Tiêu đề có dấu", "--unit", "mttq", "--site", str(site))
    today = (before | today_candidates())
    assert (code, err) == (0, "")
    (created,) = (site / "content/posts").rglob("*.md")
    relative = created.relative_to(site).as_posix()
    assert relative in {f"content/posts/{d.year}/tieu-de-co-dau.md" for d in today}
    assert out == f"Đã tạo {relative}. Mở tệp để viết bài, rồi chạy: phuongnews build\n"
    lines = created.read_text(encoding="utf-8").splitlines()
    assert lines[:4] == ["---", 'title: "Tiêu đề có dấu"', lines[2], "units: [mttq]"]
    assert lines[2] in {f"date: {d.isoformat()}" for d in today}
    code, out, err = run(capsys, "check", "--site", str(site))
    assert (code, err) == (0, "")
    assert CHECKED_VI.match(out.rstrip("\n")).group(1) == "1"


def test_new_slug_turns_d_bar_into_d_and_resolves_unit_names(site_factory, capsys):
    site = site_factory({})
    code, out, _ = run(capsys, "new", "Đại hội Đoàn: nhiệm kỳ 2023–2028!", "--unit", "Đoàn Thanh niên",
                       "--unit", "UBMTTQ", "--unit", "doan-tn", "--date", "2023-05-01", "--site", str(site))
    assert code == 0
    path = site / "content/posts/2023/dai-hoi-doan-nhiem-ky-2023-2028.md"
    assert out == "Đã tạo content/posts/2023/dai-hoi-doan-nhiem-ky-2023-2028.md. Mở tệp để viết bài, rồi chạy: phuongnews build\n"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1:4] == ['title: "Đại hội Đoàn: nhiệm kỳ 2023–2028!"', "date: 2023-05-01", "units: [doan-tn, mttq]"]
    assert run(capsys, "check", "--site", str(site))[0] == 0


def test_new_never_overwrites(site_factory, capsys):
    site = site_factory({})
    argv = ["new", "Hội nghị tổng kết", "--unit", "mttq", "--date", "2023-12-22", "--site", str(site)]
    assert run(capsys, *argv)[0] == 0
    path = site / "content/posts/2023/hoi-nghi-tong-ket.md"
    path.write_text(post(title="Hội nghị tổng kết", body="Bài đã viết xong."), encoding="utf-8")
    written = path.read_bytes()
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "content/posts/2023/hoi-nghi-tong-ket.md: đã có tệp này; phuongnews không ghi đè",
        "    gợi ý: đổi tiêu đề hoặc mở tệp đó để sửa",
        FAILED_VI.format(count=1, files=1),
    ]
    assert path.read_bytes() == written
    assert [p.name for p in path.parent.iterdir()] == ["hoi-nghi-tong-ket.md"]


def test_new_with_unknown_unit_is_an_error_and_creates_nothing(site_factory, capsys):
    site = site_factory({})
    code, out, err = run(capsys, "new", "Hội nghị", "--unit", "hoi-nong-dan", "--site", str(site))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "--unit: không có đơn vị 'hoi-nong-dan' trong site.yaml",
        "    gợi ý: các đơn vị: mttq (MTTQ), doan-tn (Đoàn TN), hoi-ccb (Hội CCB); đơn vị mới thì thêm vào mục units của site.yaml",
        FAILED_VI.format(count=1, files=1),
    ]
    assert not (site / "content").exists()


def test_new_with_title_without_letters_is_an_error(site_factory, capsys):
    site = site_factory({})
    code, _, err = run(capsys, "new", "!!!", "--unit", "mttq", "--site", str(site), "--lang", "en")
    assert code == 1
    assert err.splitlines()[0] == "--title: the title needs letters or digits"
    assert not (site / "content").exists()


# --- version, language, missing site.yaml, no command -------------------------------------

def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"phuongnews {version('phuongnews')}\n"


def test_lang_en_switches_success_messages(site_factory, tmp_path, capsys):
    site = site_factory({POST: post()})
    code, out, _ = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"), "--lang", "en")
    assert code == 0
    assert re.fullmatch(rf"Built 1 posts into \d+ pages \(\d+ files\) in {re.escape(str(tmp_path / 'web'))} in \d+\.\d\d s\.\n"
                        r"Changed files: (\d+) written, 0 removed; 0 left as they were \(\d+ pages rendered\)\.\n", out), out
    code, out, _ = run(capsys, "new", "Hội nghị", "--unit", "mttq", "--date", "2024-01-05", "--site", str(site), "--lang", "en")
    assert (code, out) == (0, "Created content/posts/2024/hoi-nghi.md. Open it to write the post, then run: phuongnews build\n")


def test_site_language_en_is_the_default_for_messages(site_factory, capsys):
    site = site_factory({"site.yaml": MINIMAL_CONFIG.replace("language: vi", "language: en"), POST: post()})
    code, out, _ = run(capsys, "check", "--site", str(site))
    assert code == 0 and out.startswith("No errors: 1 posts, ")
    code, out, _ = run(capsys, "check", "--site", str(site), "--lang", "vi")
    assert code == 0 and out.startswith("Không có lỗi: 1 bài viết, ")


@pytest.mark.parametrize("command", [["build"], ["check"], ["new", "Hội nghị", "--unit", "mttq"]])
def test_missing_site_yaml_is_a_clear_error(tmp_path, capsys, command):
    code, out, err = run(capsys, *command, "--site", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"site.yaml: không thấy site.yaml trong thư mục {tmp_path}",
        "    gợi ý: chạy lệnh trong thư mục của trang, hoặc thêm --site THƯ_MỤC",
        FAILED_VI.format(count=1, files=1),
    ]
    assert list(tmp_path.iterdir()) == []


def test_missing_site_yaml_in_english(tmp_path, capsys):
    code, _, err = run(capsys, "check", "--site", str(tmp_path), "--lang", "en")
    assert code == 1
    assert err.splitlines() == [
        f"site.yaml: no site.yaml in {tmp_path}",
        "    hint: run the command in the site's folder, or pass --site DIR",
        "1 error(s) in 1 file(s). Nothing was written: the previous site is untouched.",
    ]


def test_no_command_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 2
    assert out.startswith("usage: phuongnews")
    assert "build" in out and "check" in out and "new" in out


def test_site_and_lang_may_come_before_the_command(site_factory, capsys):
    site = site_factory({POST: post(date="29/12/2023")})
    code, _, err = run(capsys, "--site", str(site), "--lang", "en", "check")
    assert code == 1
    assert err.splitlines()[0] == f"{POST}:3: the date '29/12/2023' is written day/month/year"
