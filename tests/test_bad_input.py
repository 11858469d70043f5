"""Bad input of every kind a ward's computer can produce, as a clerk meets it: each case runs
`phuongnews check` or `build` (in-process through `cli.main`, or as a real process where a
second process or a kill is the point) and asserts the exact lines printed on stderr and the
exit status.

Line numbers count the opening `---` as line 1, so in `post()` title is line 2, date 3,
units 4 and the first `extra` line 5. Cases already in test_validation.py, test_cli.py and
test_site_output.py are not repeated here.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from phuongnews.build import BuildOptions, load_site
from tests.conftest import MINIMAL_CONFIG, make_site, post
from tests.test_validation import check, failed_en, failed_vi, run, snapshot

A = "content/posts/2023/a.md"
KNOWN = "mttq (MTTQ), doan-tn (Đoàn TN), hoi-ccb (Hội CCB)"
ARTICLE = "tin-tuc/2023/hoi-nghi-tong-ket/index.html"

# Hints, as printed.
TAB_HINT = "    gợi ý: thay mỗi Tab bằng hai dấu cách"
QUOTE_HINT = "    gợi ý: thêm dấu ngoặc đóng ở cuối giá trị, hoặc bỏ dấu ngoặc mở"
TAG_HINT = "    gợi ý: bỏ phần bắt đầu bằng ! hoặc !! và viết giá trị bình thường"
ALIAS_HINT = "    gợi ý: viết lại đầy đủ giá trị thay vì tham chiếu"
LIST_HINT = "    gợi ý: mỗi mục viết trên một dòng bắt đầu bằng '- '"
DUPLICATE_HINT = "    gợi ý: xóa một trong hai dòng; phuongnews không tự chọn giúp"
YEAR_HINT = "    gợi ý: có thể gõ nhầm năm"
IMPOSSIBLE_HINT = "    gợi ý: kiểm tra lại ngày và tháng (tháng 2 chỉ có 28 hoặc 29 ngày)"
FORMAT_HINT = "    gợi ý: viết ngày theo dạng năm-tháng-ngày, ví dụ 2023-01-04 hoặc 2023-01-04 16:04"
UTF16_HINT = "    gợi ý: mở tệp và lưu lại với bảng mã UTF-8 (trong Notepad: Lưu thành… → Mã hóa: UTF-8)"
NOT_UTF8_HINT = "    gợi ý: mở tệp và lưu lại với bảng mã UTF-8; nếu chữ bị lỗi phông, chuyển mã bằng Unikey trước"
BINARY_HINT = "    gợi ý: hãy kiểm tra đây có đúng là bài viết Markdown không; ảnh hoặc tệp Word không đặt đuôi .md"
EMPTY_HINT = "    gợi ý: xóa tệp nếu không dùng đến, hoặc mở tệp kiểm tra xem nội dung đã được lưu chưa"
NOT_MAPPING = "phần đầu bài viết phải là một bảng dạng khóa: giá trị"
OUTSIDE_HINT = "    gợi ý: chép hẳn tệp vào trong thư mục {folder} thay cho lối tắt"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63646060f80f00010401005d6be4c20000000049454e44ae426082"
)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 saves it: â ê ô ơ ư ă đ precomposed, tone marks as separate bytes."""
    out = []
    for ch in text:
        parts = nfd(ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
                   + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


def billion_laughs(levels: int = 9) -> str:
    """Nine anchors, each a list of nine aliases of the one before: 9**9 "lol"s if expanded."""
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines)


# --- Front-matter, YAML and dates: one mistake, the exact lines ----------------------------

POST_CASES = [
    # The fences
    pytest.param(
        "title: Hội nghị\ndate: 2023-12-22\nunits: [mttq]\n\nNội dung.\n",
        [f"{A}:1: bài viết thiếu phần thông tin đầu bài (front-matter)",
         "    gợi ý: dòng đầu tiên của tệp phải là ---, tiếp theo là title:, date:, units:, rồi một dòng --- nữa"],
        id="fields-written-without-the-dashes",
    ),
    pytest.param(
        "---\ntitle: Hội nghị\ndate: 2023-12-22\nunits: [mttq]\n----\nNội dung.\n",
        [f"{A}:1: phần thông tin đầu bài mở bằng --- nhưng không có dòng --- đóng lại",
         "    gợi ý: thêm một dòng chỉ có --- sau dòng thông tin cuối cùng, trước nội dung bài"],
        id="closed-with-four-dashes",
    ),
    # YAML that does not parse
    pytest.param(
        '---\ntitle: "Hội nghị tổng kết\ndate: 2023-12-22\nunits: [mttq]\n---\nNội dung.\n',
        [f"{A}:2: dấu ngoặc kép (\" hoặc ') mở ở dòng này nhưng không được đóng lại", QUOTE_HINT],
        id="unclosed-double-quote-at-its-own-line",
    ),
    pytest.param(
        post(extra="summary: 'Tóm tắt chưa đóng ngoặc"),
        [f"{A}:5: dấu ngoặc kép (\" hoặc ') mở ở dòng này nhưng không được đóng lại", QUOTE_HINT],
        id="unclosed-single-quote",
    ),
    pytest.param(
        "---\ntitle: Hội nghị\ndate: 2023-12-22\nunits:\n\t- mttq\n---\n",
        [f"{A}:5: dùng phím Tab để thụt lề; YAML chỉ chấp nhận dấu cách", TAB_HINT],
        id="tab-before-a-list-item",
    ),
    pytest.param(
        post(extra="speakers:\n  - name: Hồ Sỹ Tùng\n\t  role: Bí thư"),
        [f"{A}:7: dùng phím Tab để thụt lề; YAML chỉ chấp nhận dấu cách", TAB_HINT],
        id="tab-inside-a-speaker",
    ),
    # YAML that is not a mapping
    pytest.param("---\n- Hội nghị\n- 2023-12-22\n---\nNội dung.\n", [f"{A}:2: {NOT_MAPPING}"], id="yaml-is-a-list"),
    pytest.param(
        "---\nHội nghị tổng kết năm 2023\n---\nNội dung.\n", [f"{A}:2: {NOT_MAPPING}"], id="yaml-is-plain-text",
    ),
    # Duplicate keys are errors, never last-one-wins
    pytest.param(
        post(extra="speakers:\n  - name: Hồ Sỹ Tùng\n    name: Nguyễn Văn A"),
        [f"{A}:7: khóa 'name' bị lặp lại (đã có ở dòng 6)", DUPLICATE_HINT],
        id="duplicate-key-inside-a-speaker",
    ),
    pytest.param(
        post(extra='"title": Tiêu đề khác'),
        [f"{A}:5: khóa 'title' bị lặp lại (đã có ở dòng 2)", DUPLICATE_HINT],
        id="duplicate-key-written-in-quotes",
    ),
    # Tags: never constructed, one error each, nothing misleading after it
    pytest.param(
        "---\n!!python/object/apply:os.system\nargs: ['touch pwned']\n---\n",
        [f"{A}:2: không dùng thẻ YAML (!!python/object/apply:os.system) trong phuongnews", TAG_HINT],
        id="python-apply-tag-on-the-whole-front-matter",
    ),
    pytest.param(
        post(extra="author: !!python/object/apply:os.system ['touch pwned']"),
        [f"{A}:5: không dùng thẻ YAML (!!python/object/apply:os.system) trong phuongnews", TAG_HINT],
        id="python-apply-tag-on-a-value",
    ),
    pytest.param(
        post(extra="summary: !include tom-tat.md"),
        [f"{A}:5: không dùng thẻ YAML (!include) trong phuongnews", TAG_HINT],
        id="custom-include-tag",
    ),
    # Anchors and aliases: refused at the first use, never expanded
    pytest.param(
        "---\ntitle: Hội nghị\ndate: 2023-12-22\nunits: [mttq]\n" + billion_laughs() + "\n---\n",
        [f"{A}:6: không dùng neo và bí danh YAML (& và *)", ALIAS_HINT],
        id="billion-laughs-one-line",
    ),
    pytest.param(
        "---\nsummary: &t Hội nghị tổng kết\ntitle: *t\ndate: 2023-12-22\nunits: [mttq]\n---\n",
        [f"{A}:3: không dùng neo và bí danh YAML (& và *)", ALIAS_HINT],
        id="alias-for-the-title-is-not-also-missing-title",
    ),
    pytest.param(
        "---\ntitle: " + "[" * 1000 + "]" * 1000 + "\ndate: 2023-12-22\nunits: [mttq]\n---\n",
        [f"{A}:2: YAML lồng nhau quá sâu"],
        id="nested-a-thousand-deep",
    ),
    # Wrong types
    pytest.param(
        post(extra='speakers: "Nguyễn Văn A"'),
        [f"{A}:5: 'speakers' phải là một danh sách", LIST_HINT],
        id="speakers-as-text",
    ),
    pytest.param(
        post(extra="tasks: Ra quân Tháng Thanh niên"),
        [f"{A}:5: 'tasks' phải là một danh sách", LIST_HINT],
        id="tasks-as-text",
    ),
    pytest.param(
        post(units="{mttq: true}"),
        [f"{A}:4: 'units' phải là một danh sách", LIST_HINT],
        id="units-as-mapping",
    ),
    # Dates
    pytest.param(
        post(date="04/01/2023"),
        [f"{A}:3: ngày '04/01/2023' viết theo kiểu ngày/tháng/năm",
         "    gợi ý: viết theo dạng năm-tháng-ngày: 2023-01-04"],
        id="date-day-first-04/01/2023",
    ),
    pytest.param(
        post(extra="published: 22/12/2023 8h05"),
        [f"{A}:5: ngày '22/12/2023 8h05' viết theo kiểu ngày/tháng/năm",
         "    gợi ý: viết theo dạng năm-tháng-ngày: 2023-12-22 08:05"],
        id="published-day-first-with-8h05",
    ),
    pytest.param(
        post(date="2023-02-29"), [f"{A}:3: ngày '2023-02-29' không có trên lịch", IMPOSSIBLE_HINT],
        id="date-29-feb-2023",
    ),
    pytest.param(
        post(date="2023-04-31"), [f"{A}:3: ngày '2023-04-31' không có trên lịch", IMPOSSIBLE_HINT], id="date-31-april",
    ),
    pytest.param(
        post(date="1023-01-04"),
        [f"{A}:3: năm của ngày '1023-01-04' nằm ngoài khoảng 1900–2100", YEAR_HINT],
        id="date-year-far-past",
    ),
    pytest.param(
        post(date="9999-12-31"),
        [f"{A}:3: năm của ngày '9999-12-31' nằm ngoài khoảng 1900–2100", YEAR_HINT],
        id="date-year-far-future",
    ),
    pytest.param(
        post(date="2023-01-04T10:00:00+07:00"),
        [f"{A}:3: ngày '2023-01-04T10:00:00+07:00' không đúng dạng", FORMAT_HINT],
        id="date-with-a-time-zone",
    ),
    # Encodings and bytes
    pytest.param(
        b"\xfe\xff" + post().encode("utf-16-be"),
        [f"{A}:1: tệp được lưu bằng bảng mã UTF-16, phuongnews chỉ đọc UTF-8", UTF16_HINT],
        id="utf16-big-endian",
    ),
    pytest.param(
        post().encode("utf-16-le"),
        [f"{A}:1: tệp được lưu bằng bảng mã UTF-16, phuongnews chỉ đọc UTF-8", UTF16_HINT],
        id="utf16-without-bom-is-not-called-binary",
    ),
    pytest.param(
        cp1258(post(title="Hội nghị tổng kết")),
        [f"{A}:2: tệp không phải bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3)", NOT_UTF8_HINT],
        id="windows-1258-whole-file",
    ),
    pytest.param(
        post(body="Nội dung.").encode() + cp1258("Đoạn hai: Mặt trận Tổ quốc.\n"),
        [f"{A}:7: tệp không phải bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3)", NOT_UTF8_HINT],
        id="windows-1258-pasted-into-the-body-at-its-line",
    ),
    pytest.param(
        post(body="Dòng một\nDòng\x00 hai").encode(),
        [f"{A}:7: tệp này không phải văn bản (có byte NUL)", BINARY_HINT],
        id="nul-byte-at-its-line",
    ),
    pytest.param(PNG, [f"{A}:3: tệp này không phải văn bản (có byte NUL)", BINARY_HINT], id="png-named-md"),
    pytest.param(b"", [f"{A}: tệp trống, không có nội dung", EMPTY_HINT], id="empty-file"),
    pytest.param(
        b"\xef\xbb\xbf\r\n  \r\n\t\n", [f"{A}: tệp trống, không có nội dung", EMPTY_HINT],
        id="only-bom-and-blank-lines",
    ),
    # Line ends: CRLF, LF and a lone CR (old Mac) in one file; line numbers stay right
    pytest.param(
        b"---\r\ntitle: H\xe1\xbb\x99i ngh\xe1\xbb\x8b\ndate: 2023-02-30\r\nunits: [mttq]\r---\nN\xe1\xbb\x99i dung.\n",
        [f"{A}:3: ngày '2023-02-30' không có trên lịch", IMPOSSIBLE_HINT],
        id="mixed-line-ends-keep-line-numbers",
    ),
    pytest.param(
        b"---\rtitle: Hoi nghi\rdate: 2023-12-22\runits: [mtq]\r---\rNoi dung.\r",
        [f"{A}:4: không có đơn vị 'mtq' trong site.yaml", f"    gợi ý: có phải ý bạn là 'mttq'? Các đơn vị: {KNOWN}"],
        id="cr-only-line-ends",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POST_CASES)
def test_bad_post_prints_exact_lines(site_factory, capsys, text, expected):
    site = site_factory({A: text}, templates=False)
    code, out, err = check(capsys, site)
    assert (code, out) == (1, "")
    assert err.splitlines() == expected + [failed_vi(1, 1)]


def test_a_python_tag_runs_nothing(site_factory, capsys, monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(os, "system", lambda command: ran.append(command) or 0)
    monkeypatch.chdir(tmp_path)
    site = site_factory({
        A: post(extra="author: !!python/object/apply:os.system ['touch pwned']"),
        "content/posts/2023/b.md": "---\n!!python/object/apply:os.system\nargs: ['touch pwned']\n---\n",
    }, templates=False)
    code, _, err = check(capsys, site, "--lang", "en")
    assert code == 1
    assert err.splitlines()[-1] == failed_en(2, 2)
    assert ran == []
    assert not (tmp_path / "pwned").exists()


def test_billion_laughs_is_refused_quickly(site_factory, capsys):
    # Ten levels would be 10**10 strings if anything expanded them.
    site = site_factory({A: "---\ntitle: x\ndate: 2023-12-22\nunits: [mttq]\n" + billion_laughs(10) + "\n---\n"},
                        templates=False)
    started = time.perf_counter()
    code, _, err = check(capsys, site)
    assert time.perf_counter() - started < 2
    assert code == 1
    assert err.splitlines() == [f"{A}:6: không dùng neo và bí danh YAML (& và *)", ALIAS_HINT, failed_vi(1, 1)]


# --- What bad-looking input is accepted, and how it comes out ------------------------------

@pytest.mark.parametrize(("data", "title", "units"), [
    pytest.param(post(units="Đoàn Thanh niên"), "Hội nghị tổng kết năm 2023", ("doan-tn",),
                 id="one-unit-by-name-as-text"),
    pytest.param(b"\xef\xbb\xbf" + post(title="Hội nghị có BOM").encode(), "Hội nghị có BOM", ("mttq",), id="utf8-bom"),
    pytest.param(post(title="Dòng CRLF").replace("\n", "\r\n").encode(), "Dòng CRLF", ("mttq",), id="crlf"),
    pytest.param(b"---\r\ntitle: Mixed\rdate: 2023-12-22\nunits: [mttq]\r\n---\rA\r\nB\n", "Mixed", ("mttq",),
                 id="mixed-line-ends"),
    pytest.param(nfd(post(title="Hội nghị Mặt trận")), "Hội nghị Mặt trận", ("mttq",), id="nfd-text"),
])
def test_accepted_odd_input(site_factory, data, title, units):
    site = site_factory({A: data}, templates=False)
    (article,) = load_site(BuildOptions(site_dir=site)).articles
    assert (article.title, article.units) == (title, units)
    assert "\r" not in article.body_html and "\ufeff" not in article.body_html


def test_nfd_text_is_published_as_nfc(site_factory, tmp_path, capsys):
    title = "Hội nghị tổng kết công tác Mặt trận"
    site = site_factory({"content/posts/2023/hoi-nghi-tong-ket.md": nfd(post(title=title, body="Phường Quỳnh Thiện."))})
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"))
    assert (code, err) == (0, "")
    html = (tmp_path / "web" / ARTICLE).read_bytes()
    assert title.encode() in html and "Phường Quỳnh Thiện.".encode() in html
    assert nfd(title).encode() not in html and nfd("Quỳnh").encode() not in html


# --- File names -----------------------------------------------------------------------------

def test_nfd_file_name_gives_nfc_slug_and_nfc_path_in_messages(site_factory, tmp_path, capsys):
    """macOS writes file names decomposed: the slug and every message use the composed form."""
    name = "content/posts/2023/Hội nghị tổng kết.md"
    site = site_factory({nfd(name): post()})
    assert run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"))[0] == 0
    assert (tmp_path / "web" / ARTICLE).is_file()
    (site / nfd(name)).write_text(post(date="2023-02-30"), encoding="utf-8")
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines() == [f"{name}:3: ngày '2023-02-30' không có trên lịch", IMPOSSIBLE_HINT, failed_vi(1, 1)]
    assert nfd("Hội") not in err


def test_file_name_with_spaces_and_vietnamese_letters_gives_a_slug(site_factory, tmp_path, capsys):
    site = site_factory({
        "content/posts/2023/Hội nghị tổng kết.md": post(),
        "content/posts/2023/Báo cáo quý I (bản cuối).md": post(title="Báo cáo quý I", extra="slug: bao-cao-quy-1"),
    })
    out_dir = tmp_path / "web"
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert (code, err) == (0, "")
    assert sorted(p.relative_to(out_dir).as_posix() for p in (out_dir / "tin-tuc/2023").rglob("*.html")) == [
        "tin-tuc/2023/bao-cao-quy-1/index.html", "tin-tuc/2023/hoi-nghi-tong-ket/index.html",
    ]
    assert 'href="/tin-tuc/2023/hoi-nghi-tong-ket/"' in (out_dir / "index.html").read_text(encoding="utf-8")


def test_file_names_differing_only_in_case_and_tone_marks_collide(site_factory, capsys):
    site = site_factory({"content/posts/2023/Hội Nghị.md": post(), "content/posts/2023/hoi-nghi.md": post()})
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines() == [
        ("content/posts/2023/hoi-nghi.md: hai nội dung cùng ghi vào /tin-tuc/2023/hoi-nghi/index.html"
         " (cùng với content/posts/2023/Hội Nghị.md)"),
        "    gợi ý: đổi tên một trong hai tệp, hoặc thêm dòng slug: với tên khác vào một trong hai bài",
        failed_vi(1, 1),
    ]


def test_50_mb_file_is_refused_without_being_read(site_factory, capsys, monkeypatch):
    site = site_factory({}, templates=False)
    big = site / "content/posts/2023/dan-nham.md"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as handle:
        handle.write(post().encode())
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB really written
    real_read = Path.read_bytes

    def read_bytes(self):
        assert self.name != big.name, "the 50 MB file was read"
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    started = time.perf_counter()
    code, _, err = check(capsys, site)
    assert time.perf_counter() - started < 2
    assert code == 1
    assert err.splitlines() == [
        "content/posts/2023/dan-nham.md: tệp quá lớn (50 MB) để là một bài viết",
        "    gợi ý: ảnh và tệp đính kèm đặt trong static/, không dán vào bài",
        failed_vi(1, 1),
    ]


NO_PERMISSION = [
    f"{A}: không có quyền đọc tệp này",
    "    gợi ý: nhờ người quản trị máy cho phép đọc tệp, hoặc chép nội dung sang một tệp mới rồi xóa tệp cũ",
]


def test_unreadable_file_is_named_in_plain_words(site_factory, capsys, monkeypatch):
    """Simulated, so that it runs as root too (root reads anything)."""
    site = site_factory({A: post(), "content/posts/2023/b.md": post(title="Bài đọc được")}, templates=False)
    real_read = Path.read_bytes

    def read_bytes(self):
        if self.name == "a.md":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines() == NO_PERMISSION + [failed_vi(1, 1)]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_chmod_000_file_is_named_in_plain_words(site_factory, capsys):
    site = site_factory({A: post()}, templates=False)
    (site / A).chmod(0)
    try:
        code, _, err = check(capsys, site)
    finally:
        (site / A).chmod(0o644)
    assert code == 1
    assert err.splitlines() == NO_PERMISSION + [failed_vi(1, 1)]


# --- Shortcuts (symlinks) -----------------------------------------------------------------------

def test_symlink_to_a_file_outside_content_is_refused(site_factory, tmp_path, capsys):
    secret = tmp_path / "elsewhere" / "ghi-chu-rieng.md"
    secret.parent.mkdir()
    secret.write_text(post(title="Ghi chú riêng"), encoding="utf-8")
    site = site_factory({"content/posts/2023/tot.md": post()})
    (site / "content/posts/2023/lien-ket.md").symlink_to(secret)
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"))
    assert code == 1
    assert err.splitlines() == [
        (f"content/posts/2023/lien-ket.md: đây là lối tắt (liên kết) tới {secret}, nằm ngoài thư mục content/;"
         " phuongnews không đăng tệp ở nơi khác trên máy"),
        OUTSIDE_HINT.format(folder="content/"),
        failed_vi(1, 1),
    ]
    assert not (tmp_path / "web").exists()


@pytest.mark.parametrize("link", ["content/posts/cu", "content/posts"])
def test_symlink_to_a_folder_outside_content_is_refused(site_factory, tmp_path, capsys, link):
    elsewhere = tmp_path / "Tài liệu"
    elsewhere.mkdir()
    (elsewhere / "bai.md").write_text(post(title="Bài ở nơi khác"), encoding="utf-8")
    site = site_factory({"content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nx\n"}, templates=False)
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    (site / link).symlink_to(elsewhere, target_is_directory=True)
    code, _, err = check(capsys, site, "--lang", "en")
    assert code == 1
    assert err.splitlines() == [
        (f"{link}: this is a shortcut (link) to {elsewhere}, outside the content/ folder;"
         " phuongnews does not publish files from elsewhere on the computer"),
        "    hint: copy the file itself into content/ instead of the shortcut",
        failed_en(1, 1),
    ]


def test_symlink_inside_content_is_followed(site_factory, tmp_path, capsys):
    site = site_factory({"content/chung/hoi-nghi-tong-ket.md": post()})
    (site / "content/posts/2023").mkdir(parents=True)
    (site / "content/posts/2023/hoi-nghi-tong-ket.md").symlink_to(site / "content/chung/hoi-nghi-tong-ket.md")
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"))
    assert (code, err) == (0, "")
    assert "Hội nghị tổng kết năm 2023" in (tmp_path / "web" / ARTICLE).read_text(encoding="utf-8")


def test_broken_symlink_to_a_post_is_reported_not_skipped(site_factory, capsys):
    site = site_factory({"content/posts/2023/a.md": post()})
    (site / "content/posts/2023/b.md").symlink_to(site / "content/chung/da-xoa.md")
    code, _, err = run(capsys, "check", "--site", str(site))
    assert code == 1
    assert err.splitlines() == [
        "content/posts/2023/b.md: tệp này là lối tắt (symlink) tới một tệp không còn nữa",
        "    gợi ý: xóa lối tắt, hoặc chép bài vào đây thay cho lối tắt",
        failed_vi(1, 1),
    ]


def test_symlink_in_static_to_a_file_outside_is_refused(site_factory, tmp_path, capsys):
    private = tmp_path / "mat-khau.txt"
    private.write_text("bí mật", encoding="utf-8")
    site = site_factory({"content/posts/2023/tot.md": post()})
    (site / "static/tai-lieu.txt").symlink_to(private)
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(tmp_path / "web"))
    assert code == 1
    assert err.splitlines() == [
        (f"static/tai-lieu.txt: đây là lối tắt (liên kết) tới {private}, nằm ngoài thư mục static/;"
         " phuongnews không đăng tệp ở nơi khác trên máy"),
        OUTSIDE_HINT.format(folder="static/"),
        failed_vi(1, 1),
    ]
    assert not (tmp_path / "web").exists()


# --- Templates and site.yaml ----------------------------------------------------------------

def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


TEMPLATE_CASES = [
    pytest.param(
        "base.html", "</main>", "{% endif %}</main>",
        ["templates/base.html:{line}: lỗi cú pháp trong mẫu trang: Encountered unknown tag 'endif'."],
        id="syntax-error-in-base",
    ),
    pytest.param(
        "base.html", "</main>", "{{ site.titel }}</main>",
        [("templates/base.html:{line}: mẫu trang dùng giá trị không có: "
         "'phuongnews.models.SiteConfig object' has no attribute 'titel'"),
         "    gợi ý: kiểm tra tên biến; xem danh sách biến trong README, mục Mẫu trang"],
        id="undefined-in-base-reported-once-for-every-page",
    ),
    pytest.param(
        "units.html", None, None, ["templates/units.html: không thấy mẫu trang 'units.html'"],
        id="missing-template",
    ),
    pytest.param(
        "base.html", "</main>", "{% include '_khong-co.html' %}</main>",
        ["templates/base.html:{line}: không thấy mẫu trang '_khong-co.html'"],
        id="include-of-a-missing-template",
    ),
    pytest.param(
        "_footer.html", "</footer>", "{% endif %}</footer>",
        ["templates/_footer.html:{line}: lỗi cú pháp trong mẫu trang: Encountered unknown tag 'endif'."],
        id="syntax-error-in-a-shared-partial",
    ),
    pytest.param(
        "_header.html", "</header>", "{{ meta.title }}</header>",
        ["templates/_header.html:{line}: mẫu trang dùng giá trị không có: 'meta' is undefined",
         "    gợi ý: kiểm tra tên biến; xem danh sách biến trong README, mục Mẫu trang"],
        id="a-shared-partial-sees-no-page-values",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), TEMPLATE_CASES)
def test_template_fault_names_file_and_line(site_factory, capsys, name, old, new, expected):
    site = site_factory({"content/posts/2023/tot.md": post()})
    template = site / "templates" / name
    line = None
    if old is None:
        template.unlink()
    else:
        text = template.read_text(encoding="utf-8")
        assert old in text
        template.write_text(text.replace(old, new, 1), encoding="utf-8")
        line = _line_of(template, new)
    code, out, err = check(capsys, site)
    assert (code, out) == (1, "")
    assert err.splitlines() == [e.format(line=line) for e in expected] + [failed_vi(1, 1)]


CONFIG_CASES = [
    pytest.param(
        MINIMAL_CONFIG.replace("  mttq:", "\tmttq:"),
        ["site.yaml:8: dùng phím Tab để thụt lề; YAML chỉ chấp nhận dấu cách", TAB_HINT],
        id="tab",
    ),
    pytest.param(
        MINIMAL_CONFIG.replace("title: Phường Mẫu", 'title: "Phường Mẫu'),
        ["site.yaml:1: dấu ngoặc kép (\" hoặc ') mở ở dòng này nhưng không được đóng lại", QUOTE_HINT],
        id="unclosed-quote",
    ),
    pytest.param("- Phường Mẫu\n- https://phuong-mau.example.vn/\n",
                 ["site.yaml:1: site.yaml phải là một bảng dạng khóa: giá trị"], id="a-list"),
    pytest.param("", ["site.yaml: tệp trống, không có nội dung", EMPTY_HINT], id="empty"),
    pytest.param(
        MINIMAL_CONFIG.encode("utf-16"),
        ["site.yaml:1: tệp được lưu bằng bảng mã UTF-16, phuongnews chỉ đọc UTF-8", UTF16_HINT],
        id="utf16",
    ),
    pytest.param(
        "!!python/object/apply:os.system\n" + MINIMAL_CONFIG,
        ["site.yaml:1: không dùng thẻ YAML (!!python/object/apply:os.system) trong phuongnews", TAG_HINT],
        id="python-tag-on-the-whole-file",
    ),
    pytest.param(
        MINIMAL_CONFIG + "urls:\n  article: tin//{year}/{slug}/\n",
        ["site.yaml:23: mẫu địa chỉ urls.article = 'tin//{year}/{slug}/' không dùng được",
         ("    gợi ý: cần có {slug}, không bắt đầu bằng /, không chứa .. và kết thúc bằng /"
         " (trang danh sách) hoặc .html")],
        id="url-pattern-with-an-empty-folder",
    ),
]


@pytest.mark.parametrize(("config", "expected"), CONFIG_CASES)
def test_bad_site_yaml_names_file_and_line(site_factory, capsys, config, expected):
    site = site_factory({"site.yaml": config, A: post()}, templates=False)
    code, out, err = check(capsys, site)
    assert (code, out) == (1, "")
    assert err.splitlines() == expected + [failed_vi(1, 1)]


# --- Output safety: refused before anything is touched ----------------------------------------

CONTAINS_SITE = [
    "không dựng vào {folder}: thư mục này chứa trang nguồn hoặc là thư mục nhà",
    "    gợi ý: chọn một thư mục riêng, ví dụ --out public",
]
NOT_OURS = [
    "không dựng vào {folder}: thư mục đã có tệp mà phuongnews không tạo ra",
    "    gợi ý: phuongnews thay toàn bộ thư mục đầu ra mỗi lần dựng; chọn thư mục trống hoặc thư mục mới",
]


def _home(tmp_path: Path, site: Path) -> Path:
    home = tmp_path / "home" / "can-bo"  # a fresh account: an empty home folder
    home.mkdir(parents=True)
    return home


def _site_link(tmp_path: Path, site: Path) -> Path:
    link = tmp_path / "loi-tat-toi-trang"
    link.symlink_to(site, target_is_directory=True)
    return link


def _git_checkout(tmp_path: Path, site: Path) -> Path:
    folder = tmp_path / "du-an"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("where", "expected"), [
    pytest.param(_home, CONTAINS_SITE, id="the-home-folder"),
    pytest.param(_site_link, CONTAINS_SITE, id="a-symlink-to-the-site-folder"),
    pytest.param(_git_checkout, NOT_OURS, id="a-folder-holding-only-hidden-files"),
])
def test_out_folder_refused_before_anything_is_touched(site_factory, tmp_path, capsys, monkeypatch, where, expected):
    monkeypatch.setenv("HOME", str(tmp_path / "home" / "can-bo"))
    site = site_factory({"content/posts/2023/tot.md": post()})
    out_dir = where(tmp_path, site)
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert (code, out) == (1, "")
    assert err.splitlines() == [line.format(folder=out_dir) for line in expected]
    assert snapshot(tmp_path) == before  # no lock, no staging folder, nothing written anywhere


# --- Output safety: concurrent, killed and failing builds --------------------------------------

def _process(*argv: str) -> subprocess.Popen:
    """`python -m phuongnews ARGV`, or `python -c CODE ARGV` when argv starts with -c."""
    env = {**os.environ, "PYTHONUTF8": "1"}
    command = [sys.executable, *argv] if argv[0] == "-c" else [sys.executable, "-m", "phuongnews", *argv]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env=env)


def _many_posts(count: int, folder: str = "content/posts/2023") -> dict[str, str]:
    return {f"{folder}/bai-{i:04d}.md": post(title=f"Bài số {i}", date=f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                                            units="[mttq, doan-tn]") for i in range(count)}


def _work_folders(parent: Path, out_name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith((f".{out_name}.phuongnews-tmp-", f".{out_name}.phuongnews-old-")))


BIG_CONFIG = MINIMAL_CONFIG.replace("per_page: 2", "per_page: 1000")


# `phuongnews build` in a process that, once its site is planned, waits until every other
# such process is ready to write too, so that they really try to write at once; it logs when
# it starts replacing the output (the clean-up that follows taking the lock) and when it has
# put the new site in place (argv: barrier folder, number of processes, then the command line).
_TOGETHER = """
import os, sys, time
from pathlib import Path
from phuongnews import cli, writer
barrier, count = Path(sys.argv[1]), int(sys.argv[2])
log = barrier / f"log-{os.getpid()}"
open_staging, recover, commit = writer.Staging.open, writer._recover, writer.Staging.commit
def together(*args, **kwargs):
    (barrier / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while len(list(barrier.glob("ready-*"))) < count and time.monotonic() < deadline:
        time.sleep(0.001)
    return open_staging(*args, **kwargs)
def logged(step, function):
    def run(*args, **kwargs):
        if step == "start":
            log.open("a").write(f"start {time.monotonic()}\\n")
        result = function(*args, **kwargs)
        if step == "end":
            log.open("a").write(f"end {time.monotonic()}\\n")
        return result
    return run
writer.Staging.open = together
writer._recover, writer.Staging.commit = logged("start", recover), logged("end", commit)
sys.exit(cli.main(sys.argv[3:]))
"""


def test_two_builds_at_once_on_one_output_are_serialised(tmp_path, capsys):
    site = make_site(tmp_path / "site", {"site.yaml": BIG_CONFIG, **_many_posts(200)})
    reference, out_dir, barrier = tmp_path / "reference", tmp_path / "web", tmp_path / "barrier"
    barrier.mkdir()
    assert run(capsys, "build", "--site", str(site), "--out", str(reference))[0] == 0
    assert run(capsys, "build", "--site", str(site), "--out", str(out_dir))[0] == 0  # a previous site to replace
    # Without the cache, so that both really write (with it, an unchanged site writes nothing).
    first, second = (_process("-c", _TOGETHER, str(barrier), "2", "build", "--site", str(site), "--out", str(out_dir),
                              "--no-cache") for _ in range(2))
    results = [process.communicate(timeout=120) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], results
    assert [stderr for _, stderr in results] == ["", ""]
    assert snapshot(out_dir) == snapshot(reference)
    assert _work_folders(tmp_path, "web") == []
    # One replaced the output entirely before the other began: never both at once.
    spans = sorted(
        tuple(float(line.split()[1]) for line in log.read_text(encoding="utf-8").splitlines())
        for log in barrier.glob("log-*")
    )
    assert len(spans) == 2 and all(len(span) == 2 for span in spans), spans
    assert spans[0][1] <= spans[1][0], spans


def test_a_killed_build_leaves_the_previous_site_and_the_next_build_cleans_up(tmp_path, capsys):
    site = make_site(tmp_path / "site", {"site.yaml": BIG_CONFIG, "content/posts/2023/hoi-nghi-tong-ket.md": post()})
    out_dir = tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out_dir))[0] == 0
    before = snapshot(out_dir)
    make_site(site, {"site.yaml": BIG_CONFIG, **_many_posts(1200, "content/posts/bulk")}, templates=False)

    process = _process("build", "--site", str(site), "--out", str(out_dir))
    deadline = time.monotonic() + 120
    staging = []
    while not staging and process.poll() is None and time.monotonic() < deadline:
        # Kill once pages are being written into the staging folder, not before.
        staging = [p for p in tmp_path.glob(".web.phuongnews-tmp-*") if (p / "tin-tuc").is_dir()]
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert staging, "the build finished before it could be killed mid-way"
    assert process.returncode == -signal.SIGKILL
    assert staging[0].exists()  # the half-written site is left behind…
    assert snapshot(out_dir) == before  # …and the previous one is untouched, byte for byte

    shutil.rmtree(site / "content/posts/bulk")  # keep the next build quick; the cleanup is the point
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert (code, err) == (0, "")
    assert _work_folders(tmp_path, "web") == []
    assert snapshot(out_dir) == before


@pytest.mark.parametrize(("number", "expected"), [
    pytest.param(errno.ENOSPC, [
        "không ghi được {path}: ổ đĩa đã đầy. Trang cũ vẫn giữ nguyên.",
        "    gợi ý: xóa bớt tệp không cần trên ổ đĩa, hoặc chọn thư mục đầu ra ở ổ khác bằng --out, rồi dựng lại",
    ], id="disk-full"),
    pytest.param(errno.EACCES, [
        "không có quyền đọc hoặc ghi {path}. Trang cũ vẫn giữ nguyên.",
        "    gợi ý: chọn thư mục đầu ra khác bằng --out, hoặc nhờ người quản trị máy cấp quyền cho thư mục này",
    ], id="no-permission"),
])
def test_a_failing_disk_leaves_the_previous_site(site_factory, tmp_path, capsys, monkeypatch, number, expected):
    site = site_factory({"content/posts/2023/hoi-nghi-tong-ket.md": post(),
                         "content/posts/2023/bai-hai.md": post(title="Bài hai")})
    out_dir = tmp_path / "web"
    assert run(capsys, "build", "--site", str(site), "--out", str(out_dir))[0] == 0
    before = snapshot(out_dir)
    (site / "content/posts/2023/bai-ba.md").write_text(post(title="Bài ba"), encoding="utf-8")
    real_open = os.open
    written = []

    def failing_open(path, flags, *args, **kwargs):  # the writer's put() opens each page with os.open
        if flags & os.O_CREAT and str(path).endswith(ARTICLE):  # partway: the home page and others are already written
            raise OSError(number, os.strerror(number), str(path))
        if flags & os.O_CREAT:
            written.append(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    code, out, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert written, "the failure did not come partway through the writing"
    assert (code, out) == (1, "")
    assert err.splitlines() == [line.format(path=out_dir / ARTICLE) for line in expected]
    assert snapshot(out_dir) == before
    assert _work_folders(tmp_path, "web") == []
