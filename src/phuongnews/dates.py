"""Dates as clerks write them in front-matter: ISO only, with helpful errors for the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

MIN_YEAR, MAX_YEAR = 1900, 2100
_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?:[ T,]+(?P<H>\d{1,2})[:h](?P<M>\d{2}))?$")


@dataclass(frozen=True)
class ParsedDate:
    value: datetime | None = None
    has_time: bool = False
    error: str | None = None  # a message code
    params: tuple = ()  # (name, value) pairs for the message


def parse_date(text: str, zone: tzinfo) -> ParsedDate:
    """`YYYY-MM-DD` or `YYYY-MM-DD HH:MM` local time -> an aware datetime in `zone`."""
    text = text.strip()
    match = _ISO.match(text)
    if not match:
        day_first = _DAY_FIRST.match(text)
        if day_first:
            iso = f"{day_first['y']}-{int(day_first['m']):02d}-{int(day_first['d']):02d}"
            if day_first["H"]:
                iso += f" {int(day_first['H']):02d}:{day_first['M']}"
            return ParsedDate(error="date.day_first", params=(("value", text), ("iso", iso)))
        return ParsedDate(error="date.format", params=(("value", text),))
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    hour, minute, second = int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return ParsedDate(error="date.year_range", params=(("value", text), ("low", MIN_YEAR), ("high", MAX_YEAR)))
    if hour > 23 or minute > 59 or second > 59:
        return ParsedDate(error="date.impossible_time", params=(("value", text),))
    try:
        value = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return ParsedDate(error="date.impossible", params=(("value", text),))
    return ParsedDate(value=value, has_time=match["H"] is not None)
