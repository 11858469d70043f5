"""Task lists: numbered or dashed items under a "nhiệm vụ / phương hướng / chỉ tiêu" heading,
one list per unit when the items sit under a unit's own heading ("* Đoàn Thanh niên phường",
"1. Đối với Hội CCB phường: …"), each with the year it is for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from phuongnews.importer.body import list_marker, tidy
from phuongnews.importer.units import UnitMatcher
from phuongnews.vietnamese import fold

_KEYWORD = re.compile(r"nhiem vu|phuong huong|chi tieu|giai phap|noi dung sau|can tap trung|trong tam")
_YEAR = re.compile(r"\b(?:năm\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)
_FOR_UNIT = re.compile(r"^(?:đối\s+với|với)\s+(?P<label>[^:]{2,60}?)\s*:\s*(?P<rest>.+)$", re.IGNORECASE)


@dataclass
class TaskSection:
    unit: str | None
    year: int | None
    title: str
    items: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # body lines it was made from
    paragraph: int | None = None  # the one paragraph under a heading without items


def _headingish(line: str) -> bool:
    bare = line.lstrip("*•#+ ").strip()
    if not bare or len(bare) > 110:
        return False
    return line.lstrip().startswith(("*", "•", "#")) or bare.endswith(":") or bare.isupper() or not re.search(r"[.;!?]\s", bare)


def _year_of(text: str) -> int | None:
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;])\s+(?=[A-ZĐÀ-ỸƠƯĂÂÊÔ“\"])", text)
    return [item for item in (finish_item(p) for p in parts) if item]


def finish_item(text: str) -> str:
    text = tidy(text).strip().rstrip(";,").strip()
    if text and not text.endswith((".", "!", "?", "…", "...", "”.", "\"")):
        text += "."
    return text


def find_tasks(lines: list[str], matcher: UnitMatcher, default_year: int | None) -> list[TaskSection]:
    done: list[TaskSection] = []
    context: TaskSection | None = None  # the task heading we are under
    current: TaskSection | None = None

    def close(by_heading: bool) -> None:
        nonlocal current
        if current is not None:
            if not current.items and current.paragraph is not None and by_heading:
                current.items = split_sentences(lines[current.paragraph])
                current.lines.append(current.paragraph)
            if current.items:
                done.append(current)
        current = None

    for index, line in enumerate(lines):
        marker, rest = list_marker(line)
        starred = line.lstrip().startswith(("*", "•"))
        folded = fold(line)
        if (marker is None or starred) and _KEYWORD.search(folded) and (_headingish(line) or line.rstrip().endswith(":")):
            close(by_heading=True)
            heading = line.lstrip("*•#+ ").strip().rstrip(":").strip()
            year = _year_of(heading) or default_year
            title = _title(heading, year) if _headingish(line) else (f"Nhiệm vụ trọng tâm năm {year}" if year else "Nhiệm vụ")
            context = current = TaskSection(None, year, title)
            if _headingish(line):
                current.lines.append(index)
            continue
        if context is None:
            continue
        if (marker is None or starred) and _headingish(line):
            unit = matcher.resolve(line)
            if unit is not None:
                close(by_heading=True)
                label = line.lstrip("*•#+ ").strip().rstrip(":").strip()
                current = TaskSection(unit, context.year, f"Nhiệm vụ năm {context.year} của {label}" if context.year else label)
                current.lines.append(index)
                continue
        if marker is not None and not starred and rest:
            per_unit = _FOR_UNIT.match(rest)
            unit = matcher.resolve(per_unit["label"]) if per_unit else None
            if per_unit and unit is not None:
                if current is not None and current.unit is None and current.items:
                    close(by_heading=True)
                elif current is not None and current.unit is None:
                    current = None  # the heading only introduced the per-unit items
                else:
                    close(by_heading=True)
                label = per_unit["label"].strip()
                current = TaskSection(unit, context.year, f"{context.title} đối với {label}")
                current.items = split_sentences(per_unit["rest"])
                current.lines.append(index)
                continue
            if current is None:
                current = TaskSection(context.unit, context.year, context.title)
            current.items.append(finish_item(rest))
            current.lines.append(index)
            continue
        # an ordinary paragraph
        if current is not None and not current.items and current.paragraph is None and current.lines:
            current.paragraph = index
            continue
        close(by_heading=False)
        context = None
    close(by_heading=False)
    return done


def _title(heading: str, year: int | None) -> str:
    title = heading[:1].upper() + heading[1:].lower() if heading.isupper() else heading
    if len(title) > 80:
        title = f"Nhiệm vụ trọng tâm năm {year}" if year else "Nhiệm vụ"
    return title
