"""Speakers and guests: "Đ/c Nguyễn Đình Ninh – Bí thư Đảng uỷ phát biểu…", "đồng chí: Hồ Sỹ
Tùng-Thị ủy viên, Bí thư Đảng ủy phường;", "bà Nguyễn Thị A, Chủ tịch Hội LHPN phường"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TRIGGER = re.compile(r"(?<![\w/])(?P<who>[Đđ]/[Cc]|[Đđ]ồng\s+chí|ĐỒNG\s+CHÍ|[Bb]à|[Ôô]ng)\s*:?\s+")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_]*", re.UNICODE)
# Capitalised words that start a role, not a name: "các đồng chí Chủ tịch MTTQ".
_ROLE_WORDS = frozenset(
    ["Chủ", "Phó", "Bí", "Trưởng", "Giám", "Ủy", "Uỷ", "Thường", "Lãnh", "Cán", "Tổ", "Đại", "Hội", "Ban", "Thị", "Huyện", "Tỉnh", "Đảng", "Chi", "Bộ", "Thứ", "Nguyên"]
)
_ABBREVIATIONS = (
    (r"PBT", "Phó Bí thư"), (r"BT", "Bí thư"), (r"PCT", "Phó Chủ tịch"), (r"CT", "Chủ tịch"),
    (r"ThUV", "Thị ủy viên"), (r"TUV", "Tỉnh ủy viên"), (r"HUV", "Huyện ủy viên"), (r"QUV", "Quận ủy viên"),
    (r"UV", "Ủy viên"), (r"CB", "Cán bộ"), (r"TT", "Thường trực"), (r"BTV", "Ban Thường vụ"),
)
# Where a role stops: a verb of the report, a new person, or the end of the clause.
_ROLE_END = re.compile(
    r"\s+(?:phát\s+biểu|đã|trân\s+trọng|ghi\s+nhận|nhấn\s+mạnh|đề\s+nghị|yêu\s+cầu|chúc\s+mừng|khẳng\s+định|"
    r"biểu\s+dương|cho\s+biết|thông\s+tin|đánh\s+giá|chủ\s+trì|trao|tặng|gửi|mong|kết\s+luận|phát\s+động|"
    r"tham\s+dự|dự\s+và|cùng|và\s+các|và\s+đại|tới\s+dự|đến\s+dự|về\s+dự|chỉ\s+đạo|lên)\b|[;.()]|"
    r",\s*(?=[Đđ]/[Cc]|[Đđ]ồng\s+chí|[Bb]à\s|[Ôô]ng\s)",
)
_NOTE_VERBS = re.compile(r"^\s*(phát\s+biểu[^;.()]*|chủ\s+trì[^;.()]*|dự\s+và[^;.()]*)", re.IGNORECASE)
_LEAD_NOTE = re.compile(
    r"^\s*(?:đến\s+|về\s+|tới\s+)?(dự\s+và\s+(?:chỉ\s+đạo|chủ\s+trì)(?:\s+(?:hội\s+nghị|buổi\s+làm\s+việc|lễ|chương\s+trình))?|"
    r"phát\s+biểu[^:;,.]*?)(?=\s*[:,]|\s+có\b|\s+của\b)",
    re.IGNORECASE,
)


@dataclass
class Found:
    name: str
    role: str | None
    note: str | None


def find_speakers(paragraphs: list[str]) -> list[Found]:
    people: dict[str, Found] = {}
    for text in paragraphs:
        for match in _TRIGGER.finditer(text):
            if re.search(r"\bcác\s*$", text[max(0, match.start() - 5):match.start()]):
                continue
            name, end = _name(text, match.end())
            if name is None:
                continue
            role, role_end = _role(text, end)
            note = _note(text, match.start(), role_end)
            known = people.get(name)
            if known is None:
                people[name] = Found(name, role, note)
            else:
                known.role = known.role or role
                if note and (known.note is None or ("phát biểu" in note.lower() and "phát biểu" not in known.note.lower())):
                    known.note = note
    return list(people.values())


def _name(text: str, start: int) -> tuple[str | None, int]:
    words, position = [], start
    for match in _NAME_WORD.finditer(text, start):
        gap = text[position:match.start()]
        if words and gap != " " or not words and gap.strip():
            break
        word = match.group(0)
        if not (word[0].isupper() and (len(word) == 1 or word[1:].islower())):
            break
        if not words and word in _ROLE_WORDS:
            return None, start
        words.append(word)
        position = match.end()
        if len(words) == 5:
            break
    if len(words) < 2:
        return None, start
    return " ".join(words), position


def _role(text: str, start: int) -> tuple[str | None, int]:
    separator = re.match(r"\s*(?:[-–—,:]|\()\s*", text[start:])
    if not separator:
        return None, start
    begin = start + separator.end()
    end = _ROLE_END.search(text, begin)
    stop = end.start() if end else len(text)
    role = text[begin:stop].strip(" ,-–")
    if not role or len(role) > 160 or role[0].islower() and not re.match(r"(?:chủ|phó|bí|trưởng|ủy)", role):
        return None, start
    return expand_role(role), stop


def expand_role(role: str) -> str:
    parts = [part.strip() for part in role.split(",")]
    out = []
    for part in parts:
        for short, long in _ABBREVIATIONS:
            part = re.sub(rf"^{short}\b", long, part)
            part = re.sub(rf"(?<=\s){short}(?=\s+Đảng)", long, part)  # "Phó Bí thư TT Đảng ủy"
        part = re.sub(r"^(chủ tịch|phó chủ tịch|bí thư|phó bí thư|trưởng|phó|ủy viên)\b", lambda m: m.group(1).capitalize(), part)
        part = re.sub(r"\b(Phó|Bí|Chủ) (bí thư|thư|tịch)\b", lambda m: f"{m.group(1)} {m.group(2)[0].upper()}{m.group(2)[1:]}"
                      if m.group(2) == "bí thư" else m.group(0), part)
        out.append(part)
    return ", ".join(p for p in out if p)


def _note(text: str, start: int, role_end: int) -> str | None:
    after = _NOTE_VERBS.match(text[role_end:])
    if after:
        return after.group(1).strip().rstrip(" )").lower()
    sentence_start = text.rfind(". ", 0, start) + 1
    lead = _LEAD_NOTE.search(text[sentence_start:start])
    if lead:
        return lead.group(1).strip().lower()
    return None
