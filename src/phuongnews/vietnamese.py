"""Vietnamese text helpers: normalisation, slugs, search folding, collation and dates.

Everything here is a pure function of its arguments. Nothing uses `locale`, because the
build machine's locale is unknown (and often C/POSIX) while the site must always print
Vietnamese the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache, wraps
from types import MappingProxyType
from typing import TypeVar

from slugify import slugify

__all__ = [
    "MONTHS_EN",
    "WEEKDAYS",
    "WEEKDAYS_EN",
    "clean_text",
    "collation_key",
    "fold",
    "format_date_en",
    "format_date_vi",
    "format_month_year_vi",
    "name_sort_key",
    "nfc",
    "slugify_vi",
    "strip_honorific",
]

# Invisible characters that editors and copy-paste from Word/Zalo leave inside titles.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# A regex, not str.translate: translating through a table raises and catches a KeyError for
# every character missing from it, which made clean_text the slowest step of reading a post.
_ZERO_WIDTH_RUN = re.compile("[" + "".join(sorted(_ZERO_WIDTH)) + "]+")

# Names, unit labels and words recur in thousands of posts, so the string functions below
# remember their answers; texts longer than this go straight through, so a bounded cache
# never holds whole bodies.
_MEMO_MAX_CHARS = 200
_Result = TypeVar("_Result")


def _memoised(maxsize: int) -> Callable[[Callable[..., _Result]], Callable[..., _Result]]:
    """Memoise a pure function whose first argument is a string, for short strings only."""

    def decorate(function: Callable[..., _Result]) -> Callable[..., _Result]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: str, *args, **kwargs) -> _Result:
            if len(text) <= _MEMO_MAX_CHARS:
                return cached(text, *args, **kwargs)
            return function(text, *args, **kwargs)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate


def nfc(text: str) -> str:
    """Compose to NFC: text typed on Windows/macOS may arrive decomposed (NFD)."""
    return unicodedata.normalize("NFC", text)


def _collapse_spaces(text: str) -> str:
    # str.split() without arguments splits on every Unicode whitespace, NBSP included.
    return " ".join(text.split())


@_memoised(maxsize=16_384)
def clean_text(text: str) -> str:
    """Tidy a one-line field: NFC, no zero-width characters, single ASCII spaces, stripped."""
    # Zero-width characters go first: while present they block NFC composition, so removing
    # them afterwards could leave a string that is no longer NFC.
    without_invisible = _ZERO_WIDTH_RUN.sub("", text)
    return _collapse_spaces(nfc(without_invisible))


def _replace_d_bar(text: str) -> str:
    # đ/Đ have no decomposition, so diacritic stripping alone never turns them into d.
    return text.replace("đ", "d").replace("Đ", "D")


@_memoised(maxsize=16_384)
def slugify_vi(text: str, max_length: int = 80) -> str:
    """URL slug: lowercase ASCII words joined by hyphens; "" when nothing usable is left.

    A max_length of 0 or less means no limit.
    """
    prepared = _replace_d_bar(clean_text(text))
    return slugify(
        prepared,
        max_length=max(0, max_length),
        word_boundary=True,
        # Keep the leading words of a title rather than whichever later words happen to fit.
        save_order=True,
        lowercase=True,
    )


class _MarkRemover(dict):
    """A str.translate table that deletes combining marks. Filled in as characters are met:
    a table over all of Unicode would cost a noticeable moment at every start."""

    def __missing__(self, code_point: int) -> int | None:
        kept = None if unicodedata.combining(chr(code_point)) else code_point
        self[code_point] = kept
        return kept


_REMOVE_MARKS = _MarkRemover()


def _strip_marks(text: str) -> str:
    return nfc(unicodedata.normalize("NFD", text).translate(_REMOVE_MARKS))


@_memoised(maxsize=16_384)
def fold(text: str) -> str:
    """Diacritic- and case-insensitive form for search: "Đoàn Thanh Niên" -> "doan thanh nien"."""
    lowered = _replace_d_bar(clean_text(text).lower())
    return _collapse_spaces(_strip_marks(lowered))


# --- Collation --------------------------------------------------------------------------

# Vietnamese alphabet with the foreign letters f, j, w, z in their Latin places.
_ALPHABET = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
)  # fmt: skip
_LETTER_WEIGHT = MappingProxyType({letter: index for index, letter in enumerate(_ALPHABET)})

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
# Which (base, modifier) pairs make a distinct Vietnamese letter; anything else, e.g. "ĉ",
# keeps its mark as a secondary difference.
_LETTER_MODIFIERS = MappingProxyType({
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
})

# Tones in dictionary order: none (0), huyền, hỏi, ngã, sắc, nặng.
_TONE_WEIGHT = MappingProxyType({"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5})
_OTHER_MARK_BASE = 16  # marks that are not Vietnamese tones sort after nặng, by code point

# Primary classes: word separator < digits < letters of the alphabet < everything else.
_CLASS_SPACE, _CLASS_DIGIT, _CLASS_LETTER, _CLASS_OTHER = 0, 1, 2, 3


def _clusters(decomposed: str) -> list[tuple[str, list[str]]]:
    """Split NFD text into (base character, following combining marks)."""
    clusters: list[tuple[str, list[str]]] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and clusters:
            clusters[-1][1].append(ch)
        else:
            # A mark with nothing before it stands alone as an "other" character.
            clusters.append((ch, []))
    return clusters


def _cluster_weights(base: str, marks: list[str]) -> tuple[tuple[int, int], tuple[int, ...], int]:
    lower = base.lower() if len(base.lower()) == 1 else base
    is_upper = 1 if lower != base else 0
    remaining = list(marks)
    for mark in marks:
        letter = _LETTER_MODIFIERS.get((lower, mark))
        if letter is not None:
            lower = letter
            remaining.remove(mark)
            break

    if base == " ":
        primary = (_CLASS_SPACE, 0)
    elif lower in _LETTER_WEIGHT:
        primary = (_CLASS_LETTER, _LETTER_WEIGHT[lower])
    elif base.isdecimal():
        # Non-ASCII digits compare by value, next to their ASCII counterparts.
        primary = (_CLASS_DIGIT, unicodedata.decimal(base) * 0x110000 + ord(base))
    else:
        primary = (_CLASS_OTHER, ord(lower))

    secondary = tuple(_TONE_WEIGHT.get(mark, _OTHER_MARK_BASE + ord(mark)) for mark in remaining)
    return primary, secondary, is_upper


# A key holds a few small tuples per character: fewer of them are kept.
@_memoised(maxsize=4_096)
def collation_key(text: str) -> tuple:
    """Sort key for Vietnamese alphabetical order.

    Compares all base letters first (ă, â, ê, ô, ơ, ư, đ are letters of their own), then tone
    marks, then case (lowercase first); a space sorts before any letter so "Hà Nam" < "Hàn".
    The last element is the NFC text itself, so distinct strings never tie and sorting is
    deterministic whatever the input order.
    """
    cleaned = clean_text(text)
    primary: list[tuple[int, int]] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[int] = []
    for base, marks in _clusters(unicodedata.normalize("NFD", cleaned)):
        p, s, t = _cluster_weights(base, marks)
        primary.append(p)
        secondary.append(s)
        tertiary.append(t)
    tie_breaker = tuple(ord(ch) for ch in nfc(text))
    return (tuple(primary), tuple(secondary), tuple(tertiary), tie_breaker)


# Titles written before a name in meeting minutes and lists of officials.
_HONORIFIC = re.compile(r"^(?:đ/c|đồng chí|ông|bà)\.?\s+(?=\S)", re.IGNORECASE)


@_memoised(maxsize=16_384)
def strip_honorific(name: str) -> str:
    """The name alone, tidied: "Đ/c Hồ  Sỹ Tùng" -> "Hồ Sỹ Tùng"."""
    return _HONORIFIC.sub("", clean_text(name), count=1)


@_memoised(maxsize=4_096)
def name_sort_key(full_name: str) -> tuple:
    """Sort people the Vietnamese way: given name (last word), then family name, then middle."""
    name = strip_honorific(full_name)
    words = name.split(" ") if name else []
    given = words[-1] if words else ""
    family = words[0] if len(words) > 1 else ""
    middle = " ".join(words[1:-1])
    return (
        collation_key(given),
        collation_key(family),
        collation_key(middle),
        collation_key(name),
    )


# --- Dates ------------------------------------------------------------------------------

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _time_suffix(d: date | datetime, with_time: bool) -> str:
    if with_time and isinstance(d, datetime):
        return f" {d.hour:02d}:{d.minute:02d}"
    return ""


def format_date_vi(d: date | datetime, with_weekday: bool = True, with_time: bool = False) -> str:
    """"Thứ Năm, 29/12/2022" (+ " 16:04" for a datetime when with_time)."""
    text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    if with_weekday:
        text = f"{WEEKDAYS[d.weekday()]}, {text}"
    return text + _time_suffix(d, with_time)


def format_date_en(d: date | datetime, with_weekday: bool = True, with_time: bool = False) -> str:
    """"Thursday, 29 December 2022" (+ " 16:04" for a datetime when with_time)."""
    text = f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    if with_weekday:
        text = f"{WEEKDAYS_EN[d.weekday()]}, {text}"
    return text + _time_suffix(d, with_time)


def format_month_year_vi(year: int, month: int) -> str:
    """Archive heading: "Tháng 12/2022", "Tháng 1/2023"."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return f"Tháng {month}/{year}"
