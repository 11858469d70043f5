"""Dates as Vietnamese reports write them.

Two different dates: the *event* ("Chiều ngày 27/12/2022", "14 giờ 00 ngày 10 tháng 02 năm
2023", "Sáng 8/3") and the portal's *posting stamp* ("Thứ tư - 04/01/2023 16:04" from
NukeViet, "Ngày đăng 24/01/2022 | 10:15"). A bare d/m/yyyy is never taken as the event:
anniversary ranges "(18/11/1930-18/11/2023)", document references "Chỉ thị 05 CT/TW ngày
15/5/2016", terms "2019-2024" and ratios "45/45" are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật)"
_DMY = r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(?P<m>\d{1,2})(?:\s*(?:/|-|\.|\s+năm\s+)\s*(?P<y>\d{4}))?"
# An event phrase: a time of day and/or "ngày", then day and month, the year optional.
_EVENT = re.compile(
    r"(?<![\w/])(?:(?P<H>\d{1,2})\s*(?:giờ|h|g)\s*(?P<M>\d{1,2})?\s*(?:phút)?\s*,?\s*)?"
    r"(?:(?P<part>sáng|chiều|tối|trưa|đêm)\s+(?:nay\s+)?)?"
    rf"(?:(?P<weekday>{_WEEKDAY})\s*,?\s*)?"
    r"(?P<ngay>ngày\s+)?" + _DMY + r"(?![\d/])",
    re.IGNORECASE,
)
_RANGE_AFTER = re.compile(r"^\s*[-–—]\s*\d{1,2}/\d{1,2}")
_DOCUMENT = re.compile(
    r"(?:chỉ\s+thị|nghị\s+quyết|quyết\s+định|công\s+văn|kế\s+hoạch|thông\s+tư|nghị\s+định|luật|"
    r"hướng\s+dẫn|thông\s+báo|tờ\s+trình|văn\s+bản|số)\b[^.;:!?]{0,60}$",
    re.IGNORECASE,
)
_STAMPS = (
    # NukeViet's stamp under the title: "Thứ tư - 04/01/2023 16:04"
    re.compile(rf"^\s*{_WEEKDAY}\s*[-–,]\s*(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>\d{{4}})"
               r"(?:\s+(?P<H>\d{1,2})[:h](?P<M>\d{2}))?", re.IGNORECASE),
    # "Ngày đăng 24/01/2022 | 10:15  | Lượt xem: 75", "Đăng ngày: 24/01/2022", "Cập nhật lúc 10:15 24/01/2022"
    re.compile(r"^\s*(?:ngày\s+đăng|đăng\s+ngày|ngày\s+cập\s+nhật|cập\s+nhật|đăng\s+lúc|thời\s+gian\s+đăng)\s*:?\s*"
               r"(?:(?P<H2>\d{1,2})[:h](?P<M2>\d{2})\s*,?\s*)?"
               r"(?:ngày\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
               r"(?:\s*[|,\-–]?\s*(?P<H>\d{1,2})[:h](?P<M>\d{2}))?", re.IGNORECASE),
)


@dataclass(frozen=True)
class Stamp:
    value: datetime  # naive local time
    has_time: bool
    line: int  # index of the line it was found on


@dataclass(frozen=True)
class EventDate:
    value: datetime  # naive local time; midnight unless the phrase gave an hour
    has_time: bool
    phrase: str
    year_from: str | None = None  # "published" or "title" when the phrase had no year


def find_stamp(lines: list[str], within: int = 8) -> Stamp | None:
    """The posting stamp: looked for near the top only, where portals print it."""
    for index, line in enumerate(lines[:within]):
        for pattern in _STAMPS:
            match = pattern.match(line)
            if not match:
                continue
            hour = match["H"] or match.groupdict().get("H2")
            minute = match["M"] or match.groupdict().get("M2")
            value = _make(int(match["y"]), int(match["m"]), int(match["d"]), hour, minute)
            if value is not None:
                return Stamp(value, hour is not None, index)
    return None


def is_stamp_line(line: str) -> bool:
    return any(pattern.match(line) for pattern in _STAMPS)


def find_event(texts: list[str], published: datetime | None, title: str | None) -> EventDate | None:
    """The first event phrase in `texts` (title first, then the body's paragraphs)."""
    for text in texts:
        for match in _EVENT.finditer(text):
            found = _event(match, text, published, title)
            if found is not None:
                return found
    return None


def _event(match: re.Match, text: str, published: datetime | None, title: str | None) -> EventDate | None:
    has_prefix = match["part"] or match["ngay"] or match["H"]
    if not has_prefix:
        return None
    if match["ngay"] is None and match["part"] is None and "tháng" not in match.group(0):
        return None  # "14 giờ 10/2" without "ngày" is too loose
    if _RANGE_AFTER.match(text[match.end():]):
        return None  # "ngày 03/4/2013-03/4/2023": an anniversary, not the event
    before = text[max(0, match.start() - 80):match.start()]
    if _DOCUMENT.search(before) or re.match(r"\s+của\s", text[match.end():match.end() + 6]):
        return None
    day, month = int(match["d"]), int(match["m"])
    year_from = None
    if match["y"]:
        year = int(match["y"])
    else:
        year, year_from = _infer_year(day, month, published, title)
        if year is None:
            return None
    hour = match["H"]
    value = _make(year, month, day, hour, match["M"] if hour else None)
    if value is None:
        return None
    return EventDate(value, hour is not None, match.group(0).strip(), year_from)


def _infer_year(day: int, month: int, published: datetime | None, title: str | None):
    if published is not None:
        year = published.year
        if (month, day) > (published.month, published.day):
            year -= 1  # "Sáng 28/12" posted on 2/1 happened the year before
        return year, "published"
    years = re.findall(r"\bnăm\s+(\d{4})\b", title or "", flags=re.IGNORECASE)
    if len(set(years)) == 1:
        return int(years[0]), "title"
    return None, None


def _make(year: int, month: int, day: int, hour, minute) -> datetime | None:
    try:
        date(year, month, day)
        return datetime(year, month, day, int(hour or 0), int(minute or 0))
    except ValueError:
        return None


_LEADING = re.compile(
    r"^\s*(?:\d{1,2}\s*giờ\s*\d{0,2}\s*(?:phút)?\s*,?\s*)?(?:(?:sáng|chiều|tối|trưa|đêm)\s+)?(?:ngày\s+)?"
    r"\d{1,2}\s*(?:/|\s+tháng\s+)\s*\d{1,2}(?:\s*(?:/|\s+năm\s+)\s*\d{4})?\s*[,:]?\s*",
    re.IGNORECASE,
)


def strip_leading_date(text: str) -> tuple[str, str | None]:
    """("Chiều ngày 27/12/2022 Khối MTTQ …") -> ("Khối MTTQ …", "Chiều ngày 27/12/2022")."""
    match = _LEADING.match(text)
    if not match or match.end() >= len(text):
        return text, None
    rest = text[match.end():]
    return rest[:1].upper() + rest[1:], match.group(0).strip(" ,:")
