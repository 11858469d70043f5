"""Validation as a clerk sees it: every mistake in every file, one `path:line: message` line
each (plus a hint line where there is one), exit status 1, nothing written.

The expected texts are the exact lines `phuongnews check` prints on stderr. Line numbers
count the opening `---` as line 1, so in `post()` title is line 2, date 3, units 4 and the
first `extra` line 5.
"""

from __future__ import annotations

import re

import pytest

from phuongnews.build import BuildOptions, load_site
from phuongnews.cli import main
from tests.conftest import MINIMAL_CONFIG, post

A = "content/posts/2023/a.md"
KNOWN = "mttq (MTTQ), doan-tn (Đoàn TN), hoi-ccb (Hội CCB)"
POST_KEYS = "title, date, published, units, location, author, source, summary, cover, draft, slug, speakers, tasks, expires, aliases"
ERROR_LINE = re.compile(r"^\S+:\d+: ")


def failed_vi(count: int, files: int) -> str:
    return f"Có {count} lỗi trong {files} tệp. Chưa ghi gì: trang đã dựng trước đó vẫn giữ nguyên."


def failed_en(count: int, files: int) -> str:
    return f"{count} error(s) in {files} file(s). Nothing was written: the previous site is untouched."


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys, site, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "check", "--site", str(site), *extra)


def snapshot(folder) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder below `folder`, hidden ones included."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


# --- One mistake in one post: the exact lines printed -------------------------------------

POST_CASES = [
    pytest.param(
        post(extra="tittle: Hội nghị"),
        [f"{A}:5: khóa 'tittle' không có trong phần đầu bài viết", "    gợi ý: có phải ý bạn là 'title'?"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        post(extra="authr: Nguyễn Văn A"),
        [f"{A}:5: khóa 'authr' không có trong phần đầu bài viết", "    gợi ý: có phải ý bạn là 'author'?"],
        id="unknown-key-did-you-mean-author",
    ),
    pytest.param(
        post(extra="xyzzy: 1"),
        [f"{A}:5: khóa 'xyzzy' không có trong phần đầu bài viết", f"    gợi ý: các khóa được dùng: {POST_KEYS}"],
        id="unknown-key-lists-allowed",
    ),
    pytest.param(
        post(extra="speakers:\n  - name: Hồ Sỹ Tùng\n    rol: Bí thư Đảng ủy phường"),
        [f"{A}:7: khóa 'rol' không có trong speakers", "    gợi ý: có phải ý bạn là 'role'?"],
        id="unknown-nested-key",
    ),
    pytest.param(
        post(units="[mtq]"),
        [f"{A}:4: không có đơn vị 'mtq' trong site.yaml", f"    gợi ý: có phải ý bạn là 'mttq'? Các đơn vị: {KNOWN}"],
        id="unknown-unit-did-you-mean",
    ),
    pytest.param(
        post(units="[Hội Nông dân]"),
        [f"{A}:4: không có đơn vị 'Hội Nông dân' trong site.yaml",
         f"    gợi ý: các đơn vị: {KNOWN}; đơn vị mới thì thêm vào mục units của site.yaml"],
        id="unknown-unit-lists-known",
    ),
    pytest.param(
        post(units="\n  - mttq\n  - xyz"),
        [f"{A}:6: không có đơn vị 'xyz' trong site.yaml",
         f"    gợi ý: các đơn vị: {KNOWN}; đơn vị mới thì thêm vào mục units của site.yaml"],
        id="unknown-unit-line-of-the-item",
    ),
    pytest.param(
        "---\ntitle: Hội nghị\ndate: 2023-12-22\n---\nNội dung.\n",
        [f"{A}:2: bài viết phải thuộc ít nhất một đơn vị (units)", f"    gợi ý: ví dụ units: [mttq]; các đơn vị: {KNOWN}"],
        id="units-missing",
    ),
    pytest.param(
        post(units="[]"),
        [f"{A}:4: bài viết phải thuộc ít nhất một đơn vị (units)", f"    gợi ý: ví dụ units: [mttq]; các đơn vị: {KNOWN}"],
        id="units-empty-list",
    ),
    pytest.param(
        post(units='""'),
        [f"{A}:4: bài viết phải thuộc ít nhất một đơn vị (units)", f"    gợi ý: ví dụ units: [mttq]; các đơn vị: {KNOWN}"],
        id="units-empty-text",
    ),
    pytest.param(
        post(units="[null]"),
        [f"{A}:4: bài viết phải thuộc ít nhất một đơn vị (units)", f"    gợi ý: ví dụ units: [mttq]; các đơn vị: {KNOWN}"],
        id="units-only-null",
    ),
    pytest.param(
        "---\ndate: 2023-12-22\nunits: [mttq]\n---\nNội dung.\n",
        [f"{A}:2: thiếu 'title'"],
        id="title-missing",
    ),
    pytest.param(post(title='""'), [f"{A}:2: 'title' không được để trống"], id="title-empty"),
    pytest.param(post(title="[Hội nghị, tổng kết]"), [f"{A}:2: 'title' phải là một đoạn chữ"], id="title-not-text"),
    pytest.param(
        "---\ntitle: Hội nghị\nunits: [mttq]\n---\nNội dung.\n",
        [f"{A}:2: thiếu 'date'"],
        id="date-missing",
    ),
    pytest.param(
        post(date="29/12/2022"),
        [f"{A}:3: ngày '29/12/2022' viết theo kiểu ngày/tháng/năm", "    gợi ý: viết theo dạng năm-tháng-ngày: 2022-12-29"],
        id="date-day-first",
    ),
    pytest.param(
        post(date="29/12/2022 14:30"),
        [f"{A}:3: ngày '29/12/2022 14:30' viết theo kiểu ngày/tháng/năm",
         "    gợi ý: viết theo dạng năm-tháng-ngày: 2022-12-29 14:30"],
        id="date-day-first-with-time",
    ),
    pytest.param(
        post(date="4.1.2023"),
        [f"{A}:3: ngày '4.1.2023' viết theo kiểu ngày/tháng/năm", "    gợi ý: viết theo dạng năm-tháng-ngày: 2023-01-04"],
        id="date-day-first-dots",
    ),
    pytest.param(
        post(date="2023-02-30"),
        [f"{A}:3: ngày '2023-02-30' không có trên lịch",
         "    gợi ý: kiểm tra lại ngày và tháng (tháng 2 chỉ có 28 hoặc 29 ngày)"],
        id="date-impossible",
    ),
    pytest.param(
        post(date="2023-13-01"),
        [f"{A}:3: ngày '2023-13-01' không có trên lịch",
         "    gợi ý: kiểm tra lại ngày và tháng (tháng 2 chỉ có 28 hoặc 29 ngày)"],
        id="date-month-13",
    ),
    pytest.param(
        post(date="hôm qua"),
        [f"{A}:3: ngày 'hôm qua' không đúng dạng",
         "    gợi ý: viết ngày theo dạng năm-tháng-ngày, ví dụ 2023-01-04 hoặc 2023-01-04 16:04"],
        id="date-words",
    ),
    pytest.param(
        post(date="20231222"),
        [f"{A}:3: ngày '20231222' không đúng dạng",
         "    gợi ý: viết ngày theo dạng năm-tháng-ngày, ví dụ 2023-01-04 hoặc 2023-01-04 16:04"],
        id="date-digits-only",
    ),
    pytest.param(
        post(date="2203-01-01"),
        [f"{A}:3: năm của ngày '2203-01-01' nằm ngoài khoảng 1900–2100", "    gợi ý: có thể gõ nhầm năm"],
        id="date-year-typo",
    ),
    pytest.param(
        post(extra="tasks:\n  - unit: doan-tn\n    year: 2024\n    items:\n      - Ra quân Tháng Thanh niên"),
        [f"{A}:6: danh sách nhiệm vụ thuộc đơn vị 'doan-tn' nhưng bài không ghi đơn vị này trong units",
         "    gợi ý: thêm 'doan-tn' vào units của bài"],
        id="tasks-unit-not-in-post",
    ),
    pytest.param(
        post(extra="tasks:\n  - unit: mttq\n    items: [Nhiệm vụ]"),
        [f"{A}:6: thiếu 'tasks.year'"],
        id="tasks-year-missing",
    ),
    pytest.param(
        post(extra="title: Hội nghị lần hai"),
        [f"{A}:5: khóa 'title' bị lặp lại (đã có ở dòng 2)",
         "    gợi ý: xóa một trong hai dòng; phuongnews không tự chọn giúp"],
        id="duplicate-key",
    ),
    pytest.param(post(extra="draft: có"), [f"{A}:5: 'draft' phải là true hoặc false"], id="draft-not-boolean"),
    pytest.param(
        post(extra="slug: Hội Nghị"),
        [f"{A}:5: slug 'Hội Nghị' chỉ được có chữ thường không dấu, số và dấu gạch ngang", "    gợi ý: ví dụ: hoi-nghi"],
        id="slug-invalid",
    ),
    pytest.param(
        "Hội nghị tổng kết năm 2023\n\nNội dung.\n",
        [f"{A}:1: bài viết thiếu phần thông tin đầu bài (front-matter)",
         "    gợi ý: dòng đầu tiên của tệp phải là ---, tiếp theo là title:, date:, units:, rồi một dòng --- nữa"],
        id="front-matter-missing",
    ),
    pytest.param(
        "\n\n" + post(),
        [f"{A}:3: có dòng trống trước dấu --- mở đầu", "    gợi ý: xóa các dòng trống để --- là dòng đầu tiên của tệp"],
        id="front-matter-after-blank-lines",
    ),
    pytest.param(
        "---\ntitle: Hội nghị\ndate: 2023-12-22\nunits: [mttq]\n\nNội dung.\n",
        [f"{A}:1: phần thông tin đầu bài mở bằng --- nhưng không có dòng --- đóng lại",
         "    gợi ý: thêm một dòng chỉ có --- sau dòng thông tin cuối cùng, trước nội dung bài"],
        id="front-matter-unclosed",
    ),
    pytest.param(
        "---\n---\nNội dung.\n",
        [f"{A}:2: phần thông tin đầu bài trống", "    gợi ý: cần ít nhất title:, date: và units:"],
        id="front-matter-empty",
    ),
    pytest.param(
        "---\ntitle: Hội nghị\n\tdate: 2023-12-22\nunits: [mttq]\n---\n",
        [f"{A}:3: dùng phím Tab để thụt lề; YAML chỉ chấp nhận dấu cách", "    gợi ý: thay mỗi Tab bằng hai dấu cách"],
        id="yaml-tab",
    ),
    pytest.param(
        "---\ntitle: [Hội nghị\ndate: 2023-12-22\nunits: [mttq]\n---\n",
        [f"{A}:3: lỗi cú pháp YAML: did not find expected ',' or ']'",
         "    gợi ý: kiểm tra dấu hai chấm, dấu ngoặc kép và thụt lề ở dòng này hoặc dòng ngay trên"],
        id="yaml-syntax",
    ),
    pytest.param(
        b"---\ntitle: H\xf4i ngh\xf2\ndate: 2023-12-22\nunits: [mttq]\n---\n",  # Windows-1258 bytes
        [f"{A}:2: tệp không phải bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3)",
         "    gợi ý: mở tệp và lưu lại với bảng mã UTF-8; nếu chữ bị lỗi phông, chuyển mã bằng Unikey trước"],
        id="not-utf8",
    ),
    pytest.param(
        post().encode("utf-16"),
        [f"{A}:1: tệp được lưu bằng bảng mã UTF-16, phuongnews chỉ đọc UTF-8",
         "    gợi ý: mở tệp và lưu lại với bảng mã UTF-8 (trong Notepad: Lưu thành… → Mã hóa: UTF-8)"],
        id="utf16",
    ),
    pytest.param(
        ("\ufeff" + post(extra="tittle: Hội nghị")).replace("\n", "\r\n").encode("utf-8"),
        [f"{A}:5: khóa 'tittle' không có trong phần đầu bài viết", "    gợi ý: có phải ý bạn là 'title'?"],
        id="bom-and-crlf-keep-line-numbers",
    ),
    pytest.param(
        post(extra="author: !!python/object:os.system Nguyễn Văn A"),
        [f"{A}:5: không dùng thẻ YAML (!!python/object:os.system) trong phuongnews",
         "    gợi ý: bỏ phần bắt đầu bằng ! hoặc !! và viết giá trị bình thường"],
        id="yaml-tag-shown-as-written-and-nothing-else",
    ),
    pytest.param(
        post(date="&d 2023-12-22", extra="published: *d"),
        [f"{A}:5: không dùng neo và bí danh YAML (& và *)",
         "    gợi ý: viết lại đầy đủ giá trị thay vì tham chiếu"],
        id="scalar-alias-at-the-line-that-uses-it",
    ),
    pytest.param(
        post(date="2023-12-22 25:00"),
        [f"{A}:3: giờ trong '2023-12-22 25:00' không có thật",
         "    gợi ý: giờ từ 00:00 đến 23:59, ví dụ 2023-01-04 16:04"],
        id="impossible-hour",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POST_CASES)
def test_post_mistake_prints_exact_lines(site_factory, capsys, text, expected):
    site = site_factory({A: text}, templates=False)
    code, out, err = check(capsys, site)
    assert code == 1
    assert out == ""
    assert err.splitlines() == expected + [failed_vi(1, 1)]


EN_CASES = [
    pytest.param(
        post(extra="tittle: Hội nghị"),
        [f"{A}:5: unknown key 'tittle' in the post's front-matter", "    hint: did you mean 'title'?"],
        id="unknown-key",
    ),
    pytest.param(
        post(units="[mtq]"),
        [f"{A}:4: there is no unit 'mtq' in site.yaml", f"    hint: did you mean 'mttq'? Known units: {KNOWN}"],
        id="unknown-unit",
    ),
    pytest.param(
        post(date="29/12/2022"),
        [f"{A}:3: the date '29/12/2022' is written day/month/year", "    hint: write it year-month-day: 2022-12-29"],
        id="day-first",
    ),
    pytest.param(
        post(date="2023-02-30"),
        [f"{A}:3: the date '2023-02-30' does not exist", "    hint: check the day and the month"],
        id="impossible",
    ),
    pytest.param(
        "---\ndate: 2023-12-22\nunits: [mttq]\n---\n", [f"{A}:2: 'title' is missing"], id="title-missing"
    ),
    pytest.param(
        post(extra="title: again"),
        [f"{A}:5: the key 'title' appears twice (first on line 2)",
         "    hint: delete one of them; phuongnews will not pick one for you"],
        id="duplicate-key",
    ),
    pytest.param(
        "Body only\n",
        [f"{A}:1: the post has no front-matter",
         "    hint: the first line must be ---, then title:, date:, units:, then another --- line"],
        id="front-matter-missing",
    ),
    pytest.param(
        b"---\ntitle: H\xf4i ngh\xf2\n---\n",
        [f"{A}:2: the file is not UTF-8 (perhaps Windows-1258 or TCVN3)",
         "    hint: open the file and save it again as UTF-8"],
        id="not-utf8",
    ),
]


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_post_mistake_in_english_with_lang_en(site_factory, capsys, text, expected):
    site = site_factory({A: text}, templates=False)
    code, _out, err = check(capsys, site, "--lang", "en")
    assert code == 1
    assert err.splitlines() == expected + [failed_en(1, 1)]


def test_messages_follow_site_language_unless_lang_is_given(site_factory, capsys):
    site = site_factory({
        "site.yaml": MINIMAL_CONFIG.replace("language: vi", "language: en"),
        A: post(date="2023-02-30"),
    }, templates=False)
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines()[0] == f"{A}:3: the date '2023-02-30' does not exist"
    code, _, err = check(capsys, site, "--lang", "vi")
    assert code == 1
    assert err.splitlines()[0] == f"{A}:3: ngày '2023-02-30' không có trên lịch"


def test_several_mistakes_in_one_post_are_all_reported(site_factory, capsys):
    text = post(date="22/12/2023", units="[mttq, xyz]", extra="authr: Nguyễn Văn A\ndraft: có")
    site = site_factory({A: text}, templates=False)
    code, _, err = check(capsys, site)
    assert code == 1
    assert [line for line in err.splitlines() if ERROR_LINE.match(line)] == [
        f"{A}:3: ngày '22/12/2023' viết theo kiểu ngày/tháng/năm",
        f"{A}:4: không có đơn vị 'xyz' trong site.yaml",
        f"{A}:5: khóa 'authr' không có trong phần đầu bài viết",
        f"{A}:6: 'draft' phải là true hoặc false",
    ]
    assert err.splitlines()[-1] == failed_vi(4, 1)


def test_a_broken_draft_is_still_reported(site_factory, capsys):
    site = site_factory({A: post(date="2023-02-30", extra="draft: true")}, templates=False)
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines()[0] == f"{A}:3: ngày '2023-02-30' không có trên lịch"


def test_pages_are_validated_too(site_factory, capsys):
    site = site_factory({"content/pages/gioi-thieu.md": "---\ntitel: Giới thiệu\n---\nNội dung.\n"}, templates=False)
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines() == [  # errors on one line are ordered by message code
        "content/pages/gioi-thieu.md:2: thiếu 'title'",
        "content/pages/gioi-thieu.md:2: khóa 'titel' không có trong phần đầu trang",
        "    gợi ý: có phải ý bạn là 'title'?",
        failed_vi(2, 1),
    ]


# --- Every error in every file, in one run, and nothing written ---------------------------

BROKEN_FILES = {
    "content/posts/2023/a.md": post(extra="tittle: Hội nghị"),
    "content/posts/2023/b.md": post(date="29/12/2022"),
    "content/posts/2023/c.md": post(units="[mtq]", extra="title: Lặp"),
    "content/posts/2024/d.md": "Chỉ có nội dung, không có front-matter.\n",
    "content/posts/2024/e.md": b"---\ntitle: H\xf4i ngh\xf2\n---\n",
    "content/pages/gioi-thieu.md": "---\nslug: gioi-thieu\n---\n",
    "content/posts/2023/tot.md": post(title="Bài viết đúng"),
}
EXPECTED_ERROR_LINES = [
    "content/pages/gioi-thieu.md:2: thiếu 'title'",
    "content/posts/2023/a.md:5: khóa 'tittle' không có trong phần đầu bài viết",
    "content/posts/2023/b.md:3: ngày '29/12/2022' viết theo kiểu ngày/tháng/năm",
    "content/posts/2023/c.md:4: không có đơn vị 'mtq' trong site.yaml",
    "content/posts/2023/c.md:5: khóa 'title' bị lặp lại (đã có ở dòng 2)",
    "content/posts/2024/d.md:1: bài viết thiếu phần thông tin đầu bài (front-matter)",
    "content/posts/2024/e.md:2: tệp không phải bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3)",
]


def test_one_run_reports_every_error_in_every_file(site_factory, capsys):
    site = site_factory(BROKEN_FILES)
    out_dir = site / "out"
    code, out, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert [line for line in lines if ERROR_LINE.match(line)] == EXPECTED_ERROR_LINES
    hints = [line for line in lines if line.startswith("    gợi ý: ")]
    assert len(hints) == 6  # every one but the missing title has a hint in the catalogue
    assert len(lines) == len(EXPECTED_ERROR_LINES) + len(hints) + 1
    assert lines[-1] == failed_vi(7, 6)
    assert "Traceback" not in err
    assert not out_dir.exists()
    assert not any(p.name.startswith(".out.") for p in site.iterdir())  # no staging or lock left behind


def test_failed_build_leaves_previous_output_untouched(site_factory, capsys):
    site = site_factory({"content/posts/2023/tot.md": post()})
    out_dir = site / "out"
    assert run(capsys, "build", "--site", str(site), "--out", str(out_dir))[0] == 0
    before = snapshot(out_dir)
    assert "tin-tuc/2023/tot/index.html" in before
    (site / "content/posts/2023/tot.md").write_text(post(date="2023-02-30"), encoding="utf-8")
    (site / "content/posts/2023/moi.md").write_text(post(title="Bài mới"), encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", str(site), "--out", str(out_dir))
    assert code == 1
    assert err.splitlines()[0] == "content/posts/2023/tot.md:3: ngày '2023-02-30' không có trên lịch"
    assert snapshot(out_dir) == before


@pytest.mark.parametrize("extra", [[], ["--no-cache"]])
def test_check_with_errors_writes_nothing_but_the_build_cache(site_factory, capsys, extra):
    site = site_factory(BROKEN_FILES)
    before = snapshot(site)
    code, _, _ = check(capsys, site, *extra)
    assert code == 1
    after = snapshot(site)
    assert {path: data for path, data in after.items() if path.split("/")[0] != ".phuongnews-cache"} == before
    assert (after == before) == bool(extra)


# --- Two posts, one URL --------------------------------------------------------------------

def test_two_posts_with_the_same_url_name_both_files(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/hoi-nghi.md": post(),
        "content/posts/2023/tong-ket.md": post(extra="slug: hoi-nghi"),
    })
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines() == [
        ("content/posts/2023/tong-ket.md: hai nội dung cùng ghi vào /tin-tuc/2023/hoi-nghi/index.html"
        " (cùng với content/posts/2023/hoi-nghi.md)"),
        "    gợi ý: đổi tên một trong hai tệp, hoặc thêm dòng slug: với tên khác vào một trong hai bài",
        failed_vi(1, 1),
    ]


def test_a_url_clash_is_reported_with_the_other_errors_in_the_same_run(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/hoi-nghi.md": post(),
        "content/posts/2023/tong-ket.md": post(extra="slug: hoi-nghi"),
        "content/posts/2023/loi.md": post(date="29/12/2023"),
    })
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines() == [
        "content/posts/2023/loi.md:3: ngày '29/12/2023' viết theo kiểu ngày/tháng/năm",
        "    gợi ý: viết theo dạng năm-tháng-ngày: 2023-12-29",
        ("content/posts/2023/tong-ket.md: hai nội dung cùng ghi vào /tin-tuc/2023/hoi-nghi/index.html"
        " (cùng với content/posts/2023/hoi-nghi.md)"),
        "    gợi ý: đổi tên một trong hai tệp, hoặc thêm dòng slug: với tên khác vào một trong hai bài",
        failed_vi(2, 2),
    ]


def test_same_file_name_in_two_folders_with_the_same_year_collides(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/hoi-nghi.md": post(date="2023-12-22"),
        "content/posts/cu/hoi-nghi.md": post(date="2023-03-08"),
    })
    code, _, err = check(capsys, site, "--lang", "en")
    assert code == 1
    assert err.splitlines()[0] == (
        "content/posts/cu/hoi-nghi.md: two things would write /tin-tuc/2023/hoi-nghi/index.html"
        " (this and content/posts/2023/hoi-nghi.md)"
    )


def test_same_file_name_in_different_years_does_not_collide(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/hoi-nghi.md": post(date="2023-12-22"),
        "content/posts/2024/hoi-nghi.md": post(date="2024-12-20"),
    })
    code, out, err = check(capsys, site)
    assert (code, err) == (0, "")
    assert out.startswith("Không có lỗi: 2 bài viết, ")


def test_two_posts_differing_only_in_case_collide(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/Hoi-Nghi.md": post(),
        "content/posts/2023/hoi-nghi.md": post(),
    })
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines()[0] == (
        "content/posts/2023/hoi-nghi.md: hai nội dung cùng ghi vào /tin-tuc/2023/hoi-nghi/index.html"
        " (cùng với content/posts/2023/Hoi-Nghi.md)"
    )


def test_static_file_differing_in_case_from_a_post_collides(site_factory, capsys):
    site = site_factory({
        "content/posts/2023/hoi-nghi.md": post(),
        "static/Tin-Tuc/2023/Hoi-Nghi/index.html": "<p>cũ</p>",
    })
    code, _, err = check(capsys, site)
    assert code == 1
    assert err.splitlines()[0] == (
        "content/posts/2023/hoi-nghi.md: hai nội dung cùng ghi vào /tin-tuc/2023/hoi-nghi/index.html"
        " (cùng với static/Tin-Tuc/2023/Hoi-Nghi/index.html)"
    )


# --- What is accepted --------------------------------------------------------------------

@pytest.mark.parametrize(("units", "keys"), [
    ("mttq", ("mttq",)),
    ("[UBMTTQ]", ("mttq",)),
    ("[ubmttq]", ("mttq",)),
    ("[Mặt trận Tổ quốc]", ("mttq",)),
    ("[Mat tran To quoc]", ("mttq",)),
    ("[MTTQ, ĐTN]", ("mttq", "doan-tn")),
    ("[Đoàn Thanh niên, mttq, UBMTTQ]", ("doan-tn", "mttq")),
    ("[ĐOÀN THANH NIÊN phường Mẫu]", ("doan-tn",)),
    ("[Hội CCB]", ("hoi-ccb",)),
])
def test_unit_names_and_aliases_resolve_to_keys(site_factory, units, keys):
    site = site_factory({A: post(units=units)}, templates=False)
    (article,) = load_site(BuildOptions(site_dir=site)).articles
    assert article.units == keys


@pytest.mark.parametrize(("written", "iso", "has_time"), [
    ("2023-12-22", "2023-12-22T00:00:00+07:00", False),
    ('"2023-12-22"', "2023-12-22T00:00:00+07:00", False),
    ("2023-12-22 14:30", "2023-12-22T14:30:00+07:00", True),
    ("2024-02-29 08:05", "2024-02-29T08:05:00+07:00", True),
])
def test_iso_dates_are_accepted_in_site_time_zone(site_factory, written, iso, has_time):
    site = site_factory({A: post(date=written)}, templates=False)
    (article,) = load_site(BuildOptions(site_dir=site)).articles
    assert article.date.isoformat() == iso
    assert article.date_has_time is has_time


# --- site.yaml ----------------------------------------------------------------------------

def _config(old: str, new: str) -> str:
    assert old in MINIMAL_CONFIG
    return MINIMAL_CONFIG.replace(old, new, 1)


BASE_URL_HINT = "    gợi ý: ví dụ: https://phuong.example.gov.vn/ hoặc https://tinh.gov.vn/phuong-quynh-thien/"
CONFIG_CASES = [
    pytest.param(
        MINIMAL_CONFIG + "titel: Phường Mẫu\n",
        ["site.yaml:22: khóa 'titel' không có trong site.yaml", "    gợi ý: có phải ý bạn là 'title'?"],
        id="unknown-key",
    ),
    pytest.param(
        _config("    short: MTTQ\n", "    short: MTTQ\n    shrt: MT\n"),
        ["site.yaml:11: khóa 'shrt' không có trong units.mttq", "    gợi ý: có phải ý bạn là 'short'?"],
        id="unknown-unit-field",
    ),
    pytest.param(
        _config("base_url: https://phuong-mau.example.vn/", "base_url: phuong-mau.example.vn"),
        ["site.yaml:3: base_url 'phuong-mau.example.vn' phải là địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://",
         BASE_URL_HINT],
        id="base-url-without-scheme",
    ),
    pytest.param(
        _config("base_url: https://phuong-mau.example.vn/", "base_url: ftp://phuong-mau.example.vn/"),
        ["site.yaml:3: base_url 'ftp://phuong-mau.example.vn/' phải là địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://",
         BASE_URL_HINT],
        id="base-url-ftp",
    ),
    pytest.param(
        _config("language: vi", "language: fr"),
        ["site.yaml:4: language 'fr' không hỗ trợ; dùng một trong: vi, en"],
        id="language-unknown",
    ),
    pytest.param(
        _config("timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Hanoi_City"),
        ["site.yaml:5: không biết múi giờ 'Asia/Hanoi_City'", "    gợi ý: với Việt Nam dùng Asia/Ho_Chi_Minh"],
        id="timezone-unknown",
    ),
    pytest.param(
        _config("per_page: 2", "per_page: 0"),
        ["site.yaml:6: 'per_page' = 0 nằm ngoài khoảng cho phép (1–1000)"],
        id="per-page-zero",
    ),
    pytest.param(
        _config("per_page: 2", "per_page: -5"),
        ["site.yaml:6: 'per_page' = -5 nằm ngoài khoảng cho phép (1–1000)"],
        id="per-page-negative",
    ),
    pytest.param(_config("per_page: 2", "per_page: mười"), ["site.yaml:6: 'per_page' phải là một số nguyên"], id="per-page-word"),
    pytest.param(_config("per_page: 2", "per_page: 2.5"), ["site.yaml:6: 'per_page' phải là một số nguyên"], id="per-page-decimal"),
    pytest.param(_config("per_page: 2", "per_page: '10'"), ["site.yaml:6: 'per_page' phải là một số nguyên"], id="per-page-quoted"),
    pytest.param(_config("per_page: 2", "per_page: true"), ["site.yaml:6: 'per_page' phải là một số nguyên"], id="per-page-boolean"),
    pytest.param(
        MINIMAL_CONFIG + "per_page: 5\n",
        ["site.yaml:22: khóa 'per_page' bị lặp lại (đã có ở dòng 6)",
         "    gợi ý: xóa một trong hai dòng; phuongnews không tự chọn giúp"],
        id="duplicate-key",
    ),
    pytest.param(
        _config("aliases: [ĐTN, Đoàn Thanh niên]", "aliases: [ĐTN, MTTQ]"),
        ["site.yaml:12: tên 'MTTQ' của đơn vị 'doan-tn' trùng với đơn vị 'mttq'",
         "    gợi ý: mỗi tên gọi, tên tắt hay bí danh chỉ được thuộc một đơn vị"],
        id="alias-used-twice",
    ),
    pytest.param(
        "title: Phường Mẫu\nbase_url: https://phuong-mau.example.vn/\n",
        ["site.yaml:1: thiếu 'units'"],
        id="units-missing",
    ),
]


@pytest.mark.parametrize(("config", "expected"), CONFIG_CASES)
def test_site_yaml_mistake_prints_exact_lines(site_factory, capsys, config, expected):
    site = site_factory({"site.yaml": config, A: post()}, templates=False)
    code, out, err = check(capsys, site)
    assert code == 1
    assert out == ""
    assert err.splitlines() == expected + [failed_vi(1, 1)]


def test_every_site_yaml_mistake_is_reported_at_once(site_factory, capsys):
    config = (
        _config("base_url: https://phuong-mau.example.vn/", "base_url: phuong-mau.example.vn")
        .replace("language: vi", "language: fr")
        .replace("per_page: 2", "per_page: 0")
        + "titel: x\n"
    )
    site = site_factory({"site.yaml": config}, templates=False)
    code, _, err = check(capsys, site, "--lang", "en")
    assert code == 1
    assert [line for line in err.splitlines() if ERROR_LINE.match(line)] == [
        "site.yaml:3: base_url 'phuong-mau.example.vn' must be a full http:// or https:// address",
        "site.yaml:4: language 'fr' is not supported; use one of: vi, en",
        "site.yaml:6: 'per_page' = 0 is outside the allowed range (1–1000)",
        "site.yaml:22: unknown key 'titel' in site.yaml",
    ]
    assert err.splitlines()[-1] == failed_en(4, 1)
