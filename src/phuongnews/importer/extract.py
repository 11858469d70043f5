"""One article's text -> the fields of a post, with a note for everything it could not find.

Readers (plain text, HTML, feeds, SQL dumps) all produce a `Document`: plain text with one
paragraph per line, plus whatever the format states outright (title, posting time, author,
old address). Everything else is read from the words by the helpers of this package.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from phuongnews.importer import body as bodytext
from phuongnews.importer.datephrases import (
    find_event,
    find_stamp,
    is_stamp_line,
    strip_leading_date,
)
from phuongnews.importer.speakers import Found, find_speakers
from phuongnews.importer.tasks import TaskSection, find_tasks
from phuongnews.importer.units import UnitMatcher
from phuongnews.vietnamese import fold

_AUTHOR = re.compile(
    r"^(?:tác\s+giả(?:\s+bài\s+viết)?|người\s+viết|tin\s*(?:,|và)\s*ảnh|bài\s*(?:,|và)\s*ảnh|tin\s+bài|phóng\s+viên|"
    r"người\s+đăng|cộng\s+tác\s+viên)\s*:\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^(?:nguồn\s+tin|nguồn|theo)\s*:\s*(?P<value>.+)$", re.IGNORECASE)
_VOWELS = set("aăâeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


@dataclass
class Document:
    """An article as a reader found it."""

    origin: str  # how the report names it: "cu/bai.txt", "dump.sql: news_rows id 42"
    text: str  # plain text, one paragraph per line
    title: str | None = None
    published: datetime | None = None  # naive local time
    published_has_time: bool = True
    author: str | None = None
    source: str | None = None
    url: str | None = None  # its address on the old portal
    expires: datetime | None = None
    draft_reason: tuple | None = None  # (message code, params) when the old portal had not published it
    notes: list = field(default_factory=list)  # (code, params) the reader has to say


@dataclass
class Extracted:
    title: str | None = None
    date: datetime | None = None
    date_has_time: bool = False
    published: datetime | None = None
    published_has_time: bool = False
    units: list[str] = field(default_factory=list)
    location: str | None = None
    author: str | None = None
    source: str | None = None
    summary: str | None = None
    speakers: list[Found] = field(default_factory=list)
    tasks: list[TaskSection] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    expires: datetime | None = None
    body: str = ""
    draft: bool = False
    checks: list[str] = field(default_factory=list)  # "KIỂM TRA" comment lines for the post
    notes: list = field(default_factory=list)  # (code, params) for the report
    fingerprint: str = ""


def extract(doc: Document, matcher: UnitMatcher, forced_units: tuple[str, ...] = ()) -> Extracted:
    out = Extracted(notes=list(doc.notes))
    lines = _content_lines(doc.text)
    spam = bodytext.spam_words("\n".join([doc.title or ""] + lines))
    if spam:
        lines = [bodytext.remove_spam(line) for line in lines]
        out.draft = True
        out.notes.append(("import.spam", {"words": ", ".join(spam)}))
        out.checks.append(f"bài có chữ quảng cáo cờ bạc chèn vào ({', '.join(spam)}), đã bỏ; đọc lại toàn bài trước khi đăng")

    # the title: given by the format, or the first line (after a short ALL-CAPS category line)
    title_line = doc.title
    if title_line is None:
        if len(lines) > 1 and lines[0].isupper() and len(lines[0].split()) <= 4 and not lines[1].isupper():
            lines = lines[1:]
        title_line = lines.pop(0) if lines else None
    if title_line is not None:
        title_line = bodytext.remove_spam(title_line) if spam else bodytext.tidy(title_line)
        lines = [line for line in lines if fold(line) != fold(title_line)]

    stamp = find_stamp(lines)
    out.published, out.published_has_time = doc.published, doc.published_has_time if doc.published else False
    if stamp is not None:
        if out.published is None:
            out.published, out.published_has_time = stamp.value, stamp.has_time
        del lines[stamp.line]
    lines = [line for line in lines if not is_stamp_line(line)]

    lines, out.author, out.source = _signature(lines, doc.author, doc.source)
    lines = [bodytext.tidy(line) for line in lines]

    if title_line:
        title, leading_date = strip_leading_date(title_line)
        out.title = _sentence_case(title, "\n".join(lines)) if title.isupper() else title
    else:
        out.notes.append(("import.no_title", {}))
        return out

    event = find_event([title_line] + lines, out.published, out.title)
    if event is not None:
        out.date, out.date_has_time = event.value, event.has_time
        if event.year_from:
            out.notes.append((f"import.year_from_{event.year_from}", {"phrase": event.phrase, "year": event.value.year}))
            out.checks.append(f"“{event.phrase}” không ghi năm: đã lấy năm {event.value.year}, hãy kiểm tra")

    units, grouped = matcher.units_of(out.title, lines[:2])
    out.units = list(dict.fromkeys(list(forced_units) + units))
    if grouped:
        out.notes.append(("import.units_grouped", {"units": ", ".join(grouped)}))

    out.speakers = find_speakers(lines)
    default_year = _last_year(out.title) or (out.date.year if out.date else None)
    out.tasks = find_tasks(lines, matcher, default_year)
    for task in out.tasks:
        if task.unit is None and len(out.units) == 1:
            task.unit = out.units[0]
        if task.unit is not None and task.unit not in out.units:
            out.units.append(task.unit)
        if task.year is None and out.date is not None:
            task.year = out.date.year
    out.tasks = [task for task in out.tasks if task.year is not None]
    used = {index for task in out.tasks for index in task.lines}
    lines = [line for index, line in enumerate(lines) if index not in used]

    # the lead: the sentence that gives the event's date becomes the summary
    if event is not None:
        lead = title_line if event.phrase in title_line else next((line for line in lines[:2] if event.phrase in line), None)
        if lead is not None and len(lead) <= 400:
            # from the sentence that gives the date to the end of the lead
            begins = max(0, lead.rfind(". ", 0, lead.find(event.phrase)) + 2) if ". " in lead[:lead.find(event.phrase)] else 0
            summary = lead[begins:]
            if lead is title_line and leading_date:
                summary = f"{leading_date}, {out.title}"
            summary = bodytext.tidy(summary)
            out.summary = summary if summary.endswith((".", "!", "?", "…")) else summary + "."
            out.location = _location(lead, event.phrase)
            if lead is not title_line and begins == 0:
                lines.remove(lead)
    if doc.expires is not None:
        out.expires = doc.expires
    if doc.draft_reason is not None:
        out.draft = True
        out.notes.append(doc.draft_reason)
    out.body = bodytext.to_markdown(lines)
    # what makes it the same article again: its words, whatever file or format they came in
    words = "\n".join([out.title, out.date.strftime("%Y-%m-%d") if out.date else "", out.summary or "", out.body])
    out.fingerprint = hashlib.sha256(fold(words).encode("utf-8")).hexdigest()[:16]
    missing = [name for name, value in (("ngày đăng", out.published), ("tác giả", out.author), ("người phát biểu", out.speakers),
                                        ("nhiệm vụ", out.tasks)) if not value]
    if missing:
        out.notes.append(("import.missing", {"fields": ", ".join(missing)}))
    return out


def _content_lines(text: str) -> list[str]:
    lines = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if bodytext.is_trailer(line):
            break
        if not bodytext.is_chrome(line):
            lines.append(line)
    return lines


def _signature(lines: list[str], author: str | None, source: str | None):
    """Author and source lines near the end ("Tác giả bài viết: …", "Nguồn tin: …", a bare name)."""
    kept = list(lines)
    for index in range(len(kept) - 1, max(-1, len(kept) - 6), -1):
        line = kept[index]
        if match := _AUTHOR.match(line):
            author = author or _person(match["value"])
            del kept[index]
        elif match := _SOURCE.match(line):
            source = source or match["value"].strip(" :.")
            del kept[index]
    if author is None and kept and _looks_like_name(kept[-1]):
        author = " – ".join(part.strip().title() for part in re.split(r"\s+[-–—]\s+|\s*,\s*", kept[-1]))
        kept.pop()
    return kept, author, source


def _person(text: str) -> str:
    text = bodytext.tidy(text).strip(" .:")
    return re.sub(r"(?<=\w)\s*[-–]\s*(?=[A-ZĐ]{2})", " – ", text)  # "Nguyễn Phương-CT MTTQ" -> "Nguyễn Phương – CT MTTQ"


def _looks_like_name(line: str) -> bool:
    words = re.findall(r"[^\W\d_]+", line)
    if not 2 <= len(words) <= 9 or re.search(r"\d|[.:;!?]$", line) or len(line) > 60:
        return False
    capitalised = sum(word[0].isupper() for word in words)
    return capitalised >= 0.7 * len(words)


def _sentence_case(title: str, text: str) -> str:
    """An ALL-CAPS title written as the body writes its words: "ỦY BAN MTTQ … PHỐ LU" -> "Ủy ban MTTQ … Phố Lu"."""
    forms: dict[str, Counter] = {}
    for word in re.findall(r"[^\W_]+", text):
        forms.setdefault(word.lower(), Counter())[word] += 1
    out = []
    for position, word in enumerate(title.split()):
        core = re.sub(r"^\W+|\W+$", "", word)
        lower = core.lower()
        seen = forms.get(lower)
        if seen:
            # the commonest form that does not merely start a sentence
            choice = max(seen, key=lambda form: (seen[form] if form != lower.capitalize() or form.isupper() else seen[form] / 2))
            if choice.isupper() and len(choice) > 1 and set(lower) & _VOWELS and lower in seen:
                choice = lower
        elif not set(lower) & _VOWELS or len(core) <= 1 and core.isdigit():
            choice = core
        else:
            choice = lower
        if position == 0:
            choice = choice[:1].upper() + choice[1:]
        out.append(word.replace(core, choice) if core else word)
    return " ".join(out)


def _last_year(text: str) -> int | None:
    years = re.findall(r"\b((?:19|20)\d\d)\b", text)
    return int(years[-1]) if years else None


def _location(lead: str, phrase: str) -> str | None:
    after = lead[lead.find(phrase) + len(phrase):]
    match = re.match(r"\s*,?\s*tại\s+(?P<place>[^,.;]{4,60})[,.;]", after)
    if not match:
        return None
    place = match["place"].strip()
    return place[:1].upper() + place[1:]
