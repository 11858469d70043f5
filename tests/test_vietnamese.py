"""Tests for phuongnews.vietnamese: slugs, folding, collation and dates as a ward clerk sees them."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from phuongnews.vietnamese import (
    WEEKDAYS,
    clean_text,
    collation_key,
    fold,
    format_date_en,
    format_date_vi,
    format_month_year_vi,
    name_sort_key,
    nfc,
    slugify_vi,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def shuffled(items: list[str], seed: int) -> list[str]:
    copy = list(items)
    random.Random(seed).shuffle(copy)
    return copy


# Text that is likely to hit the interesting paths: Vietnamese letters, tone marks on their
# own, odd spaces and zero-width characters, plus arbitrary Unicode.
VIETNAMESE_CHARS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
    "ÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ"
    "0123456789 -–/.,:;!?()\"'&"
)
ODD_CHARS = "\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b\u00a0\u2003\u3000\t\n\u200b\u200c\u200d\ufeff"
viet_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(VIETNAMESE_CHARS),
        st.sampled_from(ODD_CHARS),
        st.characters(),
    ),
    max_size=40,
)
pure_viet_text = st.text(alphabet=st.sampled_from(VIETNAMESE_CHARS[:-24]), max_size=30)

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


# --- nfc / clean_text -------------------------------------------------------------------


def test_nfc_composes_decomposed_input():
    assert nfc("Quy\u0300nh Thie\u0302\u0323n") == "Quỳnh Thiện"
    assert len(nfc(nfd("Thiện"))) == 5


def test_clean_text_collapses_every_kind_of_space():
    raw = "  Đoàn\u00a0Thanh\tniên\n phường\u2003Quỳnh\u3000Thiện  "
    assert clean_text(raw) == "Đoàn Thanh niên phường Quỳnh Thiện"


def test_clean_text_removes_zero_width_characters():
    assert clean_text("\ufeffUBND\u200b phường\u200c Quỳnh\u200d Thiện") == "UBND phường Quỳnh Thiện"


def test_clean_text_returns_nfc():
    assert clean_text(nfd("  Hội Cựu chiến binh ")) == "Hội Cựu chiến binh"


def test_clean_text_zero_width_does_not_block_composition():
    # A zero-width space between a letter and its tone mark must not survive as "a" + U+0301.
    assert clean_text("a\u200b\u0301") == "á"


def test_clean_text_of_blank_is_empty():
    assert clean_text(" \u00a0\t\n\u200b ") == ""


@given(viet_text)
@example("a\u200b\u0301")
def test_clean_text_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


@given(viet_text)
def test_clean_text_output_shape(text):
    out = clean_text(text)
    assert out == out.strip()
    assert "  " not in out
    assert not any(ch.isspace() and ch != " " for ch in out)
    assert not any(ch in out for ch in "\u200b\u200c\u200d\ufeff")
    assert unicodedata.is_normalized("NFC", out)


# --- slugify_vi -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Đoàn Thanh niên", "doan-thanh-nien"),
        ("Hội LHPN Quỳnh Thiện", "hoi-lhpn-quynh-thien"),
        ("Ủy ban MTTQ", "uy-ban-mttq"),
        ("ĐẢNG ỦY PHƯỜNG QUỲNH THIỆN", "dang-uy-phuong-quynh-thien"),
        ("Hội Cựu chiến binh", "hoi-cuu-chien-binh"),
        ("Kế hoạch số 12/KH-UBND – năm 2023", "ke-hoach-so-12-kh-ubnd-nam-2023"),
        ("Tổng kết công tác năm 2022 — phương hướng 2023", "tong-ket-cong-tac-nam-2022-phuong-huong-2023"),
        ("Trạm Y tế / Công an phường", "tram-y-te-cong-an-phuong"),
        ("  Thư\u00a0ngỏ: “Chung tay vì người nghèo”! ", "thu-ngo-chung-tay-vi-nguoi-ngheo"),
        ("đường Đặng Thái Mai", "duong-dang-thai-mai"),
    ],
)
def test_slugify_real_titles(text, slug):
    assert slugify_vi(text) == slug


def test_slugify_nfd_input_gives_same_slug_as_nfc():
    title = "Đảng ủy phường Quỳnh Thiện tổ chức Hội nghị học tập Nghị quyết"
    assert slugify_vi(nfd(title)) == slugify_vi(title)
    assert slugify_vi(nfd(title)) == "dang-uy-phuong-quynh-thien-to-chuc-hoi-nghi-hoc-tap-nghi-quyet"


def test_slugify_maps_d_bar_to_d_not_dropped():
    assert slugify_vi("đ") == "d"
    assert slugify_vi("Đ") == "d"
    assert slugify_vi("ĐĐđđ") == "dddd"


@pytest.mark.parametrize("text", ["", "   ", "– / –", "!!!", "\u200b", "“…”"])
def test_slugify_without_letters_is_empty(text):
    assert slugify_vi(text) == ""


def test_slugify_truncates_at_word_boundary():
    title = "Hội Liên hiệp Phụ nữ phường Quỳnh Thiện"
    assert slugify_vi(title, max_length=20) == "hoi-lien-hiep-phu-nu"
    assert slugify_vi(title, max_length=18) == "hoi-lien-hiep-phu"
    assert slugify_vi(title, max_length=19) == "hoi-lien-hiep-phu"


def test_slugify_default_max_length_is_80():
    title = " ".join(["Quỳnh Thiện"] * 20)
    slug = slugify_vi(title)
    # 6 x "quynh-thien-" = 72, one more "quynh" = 77; "-thien" would pass 80.
    assert slug == "-".join(["quynh", "thien"] * 6 + ["quynh"])


@given(viet_text, st.integers(min_value=-5, max_value=120))
def test_slugify_shape_property(text, max_length):
    slug = slugify_vi(text, max_length=max_length)
    assert slug == "" or SLUG_RE.match(slug)
    if max_length > 0:
        assert len(slug) <= max_length


@given(viet_text)
def test_slugify_ignores_normalization_form(text):
    assert slugify_vi(nfd(text)) == slugify_vi(nfc(text))


@given(pure_viet_text)
def test_slugify_of_vietnamese_with_letters_is_never_empty(text):
    has_alnum = any(ch.isalnum() for ch in text)
    assert (slugify_vi(text) != "") == has_alnum


# --- fold -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đoàn Thanh Niên", "doan thanh nien"),
        ("QUỲNH THIỆN", "quynh thien"),
        ("Hội  Cựu\u00a0chiến\tbinh", "hoi cuu chien binh"),
        ("Ủy ban MTTQ", "uy ban mttq"),
        ("ƯU ĐÃI ĐƯỢC TIẾP ĐÓN", "uu dai duoc tiep don"),
        ("kế hoạch 12/KH-UBND", "ke hoach 12/kh-ubnd"),
    ],
)
def test_fold_examples(text, folded):
    assert fold(text) == folded


def test_fold_matches_regardless_of_accents_and_form():
    assert fold(nfd("Quỳnh Thiện")) == fold("quynh thien") == fold("QUYNH THIEN")


@given(viet_text)
def test_fold_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@given(pure_viet_text)
def test_fold_of_vietnamese_is_lowercase_ascii(text):
    out = fold(text)
    assert out.isascii()
    assert out == out.lower()


# --- collation_key ----------------------------------------------------------------------


def sort_vi(words: list[str]) -> list[str]:
    return sorted(words, key=collation_key)


def test_letter_order_of_the_alphabet():
    alphabet = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    for seed in range(5):
        assert sort_vi(shuffled(alphabet, seed)) == alphabet


def test_foreign_letters_sort_in_their_latin_place():
    letters = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
    assert sort_vi(shuffled(letters, 1)) == letters


def test_modified_letters_are_distinct_primary_letters():
    assert collation_key("a") < collation_key("ă") < collation_key("â") < collation_key("b")
    assert collation_key("d") < collation_key("đ") < collation_key("e") < collation_key("ê")
    assert collation_key("o") < collation_key("ô") < collation_key("ơ") < collation_key("p")
    assert collation_key("u") < collation_key("ư") < collation_key("v")
    # The letter wins over any tone: "ắ" is still an ă, after every a.
    assert collation_key("ạ") < collation_key("ă")
    assert collation_key("dz") < collation_key("đa")


def test_tone_order_same_base():
    ordered = ["a", "à", "ả", "ã", "á", "ạ"]
    for seed in range(5):
        assert sort_vi(shuffled(ordered, seed)) == ordered
    ordered_e = ["ê", "ề", "ể", "ễ", "ế", "ệ"]
    assert sort_vi(shuffled(ordered_e, 3)) == ordered_e
    ordered_words = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sort_vi(shuffled(ordered_words, 4)) == ordered_words


def test_base_letters_compared_before_tones():
    # "ạb" has the heavier tone but its letters a-b come before a-c.
    assert sort_vi(["ác", "ạb"]) == ["ạb", "ác"]
    assert sort_vi(["Ba Vì", "Bà Rịa"]) == ["Bà Rịa", "Ba Vì"]


def test_space_sorts_before_letters():
    assert sort_vi(["Hàn", "Hà Nam"]) == ["Hà Nam", "Hàn"]
    assert sort_vi(["tính", "tin tức", "tin"]) == ["tin", "tin tức", "tính"]


def test_case_is_only_tertiary_lowercase_first():
    assert sort_vi(["An", "an"]) == ["an", "An"]
    # Tone difference outranks case difference.
    assert sort_vi(["Á", "à", "A", "a"]) == ["a", "A", "à", "Á"]
    # Letter difference outranks case difference.
    assert sort_vi(["b", "A"]) == ["A", "b"]


def test_digits_before_letters_and_other_characters_after():
    assert sort_vi(["a", "#1", "1", "Z"]) == ["1", "a", "Z", "#1"]


def test_sort_of_the_brief_example_list():
    words = ["Đảng ủy", "Cựu chiến binh", "Ân", "An", "Ăn", "Bình", "Dung", "Đức", "Yến", "Ánh", "Anh", "Ảnh"]
    expected = [
        "An", "Anh", "Ảnh", "Ánh", "Ăn", "Ân", "Bình",
        "Cựu chiến binh", "Dung", "Đảng ủy", "Đức", "Yến",
    ]  # fmt: skip
    for seed in range(5):
        assert sort_vi(shuffled(words, seed)) == expected


def test_sort_of_realistic_portal_words():
    expected = [
        "10 năm", "2023", "dương", "Điện", "đường", "Gia đình", "Giáo dục",
        "Hà", "hạ", "Hà Nam", "Hai", "Hàn", "on", "ôn", "ơn", "phường",
        "Quang", "Quỳnh", "Thiện", "tin", "tin tức", "tính", "uống", "ưu", "xã", "y tế",
    ]  # fmt: skip
    for seed in range(10):
        assert sort_vi(shuffled(expected, seed)) == expected


def test_collation_key_same_for_nfd_and_nfc():
    assert collation_key(nfd("Nguyễn Thị Ánh")) == collation_key("Nguyễn Thị Ánh")


def test_non_vietnamese_marks_sort_after_the_tones():
    # Cedilla and a circumflex on c are not Vietnamese tones: after nặng, same base letter.
    assert sort_vi(["ç", "ĉ", "cạ", "c", "cb"]) == ["c", "ĉ", "ç", "cạ", "cb"]
    assert collation_key("ç") < collation_key("d")
    assert collation_key("c\u0323") < collation_key("ç")


def test_collation_key_is_plain_hashable_tuple():
    key = collation_key("Đảng ủy phường")
    assert type(key) is tuple
    hash(key)

    def only_ints_and_tuples(value) -> bool:
        if type(value) is tuple:
            return all(only_ints_and_tuples(item) for item in value)
        return type(value) is int

    assert only_ints_and_tuples(key)


@given(viet_text)
def test_collation_key_never_raises_and_is_hashable(text):
    key = collation_key(text)
    hash(key)
    assert key == collation_key(text)


@given(st.lists(viet_text, max_size=12), st.randoms(use_true_random=False))
def test_collation_sort_is_deterministic(words, rnd):
    other = list(words)
    rnd.shuffle(other)
    first = [nfc(w) for w in sorted(words, key=collation_key)]
    second = [nfc(w) for w in sorted(other, key=collation_key)]
    assert first == second


@given(viet_text, viet_text)
@example("a  b", "a b")
@example("An\u200b", "An")
@example(" Hà", "Hà")
def test_collation_keys_equal_only_for_canonically_equal_text(a, b):
    assert (collation_key(a) == collation_key(b)) == (nfc(a) == nfc(b))


@given(viet_text, viet_text)
@example("ç", "é")
@example("ĉ", "c\u0301")
@example("x\u0327", "x")
def test_collation_keys_always_comparable(a, b):
    # Mixed element types inside the keys would raise TypeError here.
    ka, kb = collation_key(a), collation_key(b)
    assert (ka < kb) + (ka == kb) + (ka > kb) == 1


# --- name_sort_key ----------------------------------------------------------------------

NAMES_SORTED = ["Dương Ngọc Dũng", "Bùi Thị Hạnh", "Nguyễn Bá Thành", "Đoàn Anh Thư", "Hồ Sỹ Tùng"]


def test_names_sort_by_given_name():
    names = ["Hồ Sỹ Tùng", "Nguyễn Bá Thành", "Bùi Thị Hạnh", "Dương Ngọc Dũng", "Đoàn Anh Thư"]
    assert sorted(names, key=name_sort_key) == NAMES_SORTED
    for seed in range(5):
        assert sorted(shuffled(names, seed), key=name_sort_key) == NAMES_SORTED


def test_names_with_same_given_name_sort_by_family_then_middle():
    names = ["Trần Văn An", "Lê Văn An", "Lê Thị An", "Nguyễn An"]
    assert sorted(names, key=name_sort_key) == ["Lê Thị An", "Lê Văn An", "Nguyễn An", "Trần Văn An"]


@pytest.mark.parametrize("honorific", ["Đ/c", "đ/c", "Đồng chí", "đồng chí", "ông", "bà", "Ông", "Bà"])
def test_honorific_is_ignored(honorific):
    assert name_sort_key(f"{honorific} Hồ Sỹ Tùng") == name_sort_key("Hồ Sỹ Tùng")


def test_names_with_honorifics_sort_like_bare_names():
    names = ["Đ/c Hồ Sỹ Tùng", "Ông Nguyễn Bá Thành", "bà Bùi Thị Hạnh", "đồng chí Dương Ngọc Dũng", "Bà Đoàn Anh Thư"]
    result = sorted(shuffled(names, 7), key=name_sort_key)
    assert result == ["đồng chí Dương Ngọc Dũng", "bà Bùi Thị Hạnh", "Ông Nguyễn Bá Thành", "Bà Đoàn Anh Thư", "Đ/c Hồ Sỹ Tùng"]


def test_name_sort_key_cleans_text_first():
    assert name_sort_key(" Hồ\u00a0Sỹ  Tùng\u200b ") == name_sort_key("Hồ Sỹ Tùng")
    assert name_sort_key(nfd("Hồ Sỹ Tùng")) == name_sort_key("Hồ Sỹ Tùng")


def test_family_name_that_looks_like_an_honorific_prefix_is_kept():
    # "Bàng" starts with "Bà" but is a family name, not the honorific.
    assert name_sort_key("Bàng Văn Tú") != name_sort_key("ng Văn Tú")
    assert sorted(["Bàng Văn Tú", "An Văn Tú"], key=name_sort_key) == ["An Văn Tú", "Bàng Văn Tú"]


@given(viet_text)
def test_name_sort_key_never_raises(text):
    hash(name_sort_key(text))


# --- dates ------------------------------------------------------------------------------


def test_weekday_names_follow_python_weekday():
    monday = date(2023, 1, 2)
    assert [WEEKDAYS[(monday + timedelta(days=i)).weekday()] for i in range(7)] == [
        "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật",
    ]  # fmt: skip
    assert isinstance(WEEKDAYS, tuple)


def test_format_date_vi_known_dates():
    assert format_date_vi(date(2022, 12, 29)) == "Thứ Năm, 29/12/2022"
    assert format_date_vi(date(2023, 1, 4)) == "Thứ Tư, 04/01/2023"
    assert format_date_vi(date(2023, 1, 1)) == "Chủ Nhật, 01/01/2023"
    assert format_date_vi(date(2023, 9, 2)) == "Thứ Bảy, 02/09/2023"


def test_format_date_vi_without_weekday():
    assert format_date_vi(date(2023, 1, 4), with_weekday=False) == "04/01/2023"


def test_format_date_vi_with_time():
    moment = datetime(2022, 12, 29, 16, 4)
    assert format_date_vi(moment, with_time=True) == "Thứ Năm, 29/12/2022 16:04"
    assert format_date_vi(datetime(2023, 1, 4, 7, 5), with_weekday=False, with_time=True) == "04/01/2023 07:05"
    # Time only when asked for, and only when there is one.
    assert format_date_vi(moment) == "Thứ Năm, 29/12/2022"
    assert format_date_vi(date(2022, 12, 29), with_time=True) == "Thứ Năm, 29/12/2022"


def test_format_date_en():
    assert format_date_en(date(2022, 12, 29)) == "Thursday, 29 December 2022"
    assert format_date_en(date(2023, 1, 1)) == "Sunday, 1 January 2023"
    assert format_date_en(date(2023, 1, 4), with_weekday=False) == "4 January 2023"
    assert format_date_en(datetime(2022, 12, 29, 16, 4), with_time=True) == "Thursday, 29 December 2022 16:04"
    assert format_date_en(datetime(2022, 12, 29, 16, 4)) == "Thursday, 29 December 2022"


def test_format_month_year_vi():
    assert format_month_year_vi(2022, 12) == "Tháng 12/2022"
    assert format_month_year_vi(2023, 1) == "Tháng 1/2023"
    with pytest.raises(ValueError):
        format_month_year_vi(2023, 13)
    with pytest.raises(ValueError):
        format_month_year_vi(2023, 0)


VI_DATE_RE = re.compile(r"^(Thứ Hai|Thứ Ba|Thứ Tư|Thứ Năm|Thứ Sáu|Thứ Bảy|Chủ Nhật), (\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})$")


@settings(max_examples=200)
@given(st.datetimes(min_value=datetime(1000, 1, 1)))
def test_format_date_vi_round_trips(moment):
    match = VI_DATE_RE.match(format_date_vi(moment, with_time=True))
    assert match, format_date_vi(moment, with_time=True)
    weekday, day, month, year, hour, minute = match.groups()
    assert weekday == WEEKDAYS[moment.weekday()]
    assert (int(year), int(month), int(day), int(hour), int(minute)) == (
        moment.year, moment.month, moment.day, moment.hour, moment.minute,
    )  # fmt: skip
