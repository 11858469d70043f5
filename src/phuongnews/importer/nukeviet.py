"""A NukeViet 4 MySQL dump (mysqldump or phpMyAdmin): the news module's tables.

`<prefix>_<lang>_<module>_rows` holds each article (title, alias, hometext, author, sourceid,
publtime, exptime, status…), `…_detail` its body (bodyhtml, or bodytext on old versions, and
sourcetext), `…_cat` the categories (for the old address) and `…_sources` the sources.
Column names come from the INSERT's column list or the dump's CREATE TABLE; the dump is read
as text, never run.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from phuongnews.importer.extract import Document
from phuongnews.importer.htmltext import html_to_text

_TABLE = re.compile(r"^(?P<prefix>\w+?)_(?P<lang>[a-z]{2})_(?P<module>\w+?)_(?P<kind>rows|detail|cat|sources)$")
_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(?P<table>\w+)`?\s*\(", re.IGNORECASE)
_INSERT = re.compile(r"INSERT\s+(?:IGNORE\s+)?INTO\s+`?(?P<table>\w+)`?\s*(?:\((?P<columns>[^)]*)\))?\s*VALUES\s*", re.IGNORECASE)
_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "Z": "\x1a"}
# NukeViet 4's column order, for a dump that gives neither column lists nor CREATE TABLE.
DEFAULT_COLUMNS = {
    "rows": ["id", "catid", "listcatid", "topicid", "admin_id", "author", "sourceid", "addtime", "edittime", "status", "weight", "publtime", "exptime", "archive", "title", "alias", "hometext", "homeimgfile", "homeimgalt", "homeimgthumb", "inhome", "allowed_comm", "allowed_rating", "external_link", "hitstotal", "hitscm", "total_rating", "click_rating"],
    "detail": ["id", "titlesite", "description", "bodyhtml", "sourcetext", "imgposition", "layout_func", "copyright", "allowed_send", "allowed_print", "allowed_save", "gid"],
    "cat": ["catid", "parentid", "title", "titlesite", "alias"],
    "sources": ["sourceid", "title", "link", "logo", "weight", "add_time", "edit_time"],
}
DEFAULT_OLD_URL = "/index.php/{lang}/{module}/{cat}/{alias}-{id}.html"


def looks_like_dump(text: str) -> bool:
    return bool(re.search(r"INSERT\s+INTO\s+`?\w+_news_rows`?", text[:5_000_000], re.IGNORECASE)) or bool(
        re.search(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?\w+_rows`?", text[:200_000], re.IGNORECASE))


def _values(text: str, start: int) -> tuple[list[list], int]:
    """Parse `(…),(…);` from `start`: strings with MySQL escapes, numbers, NULL."""
    rows, row, i, n = [], None, start, len(text)
    token: list[str] = []
    while i < n:
        ch = text[i]
        if row is None:
            if ch == "(":
                row, token = [], []
            elif ch == ";":
                return rows, i + 1
            i += 1
            continue
        if ch == "'":
            i += 1
            buf = []
            while i < n:
                c = text[i]
                if c == "\\" and i + 1 < n:
                    buf.append(_ESCAPES.get(text[i + 1], text[i + 1]))
                    i += 2
                    continue
                if c == "'":
                    if i + 1 < n and text[i + 1] == "'":
                        buf.append("'")
                        i += 2
                        continue
                    break
                buf.append(c)
                i += 1
            row.append("".join(buf))
            token = None  # a string was the value
            i += 1
            continue
        if ch in ",)":
            if token is not None:
                raw = "".join(token).strip()
                row.append(None if raw.upper() == "NULL" else _number(raw))
            token = []
            if ch == ")":
                rows.append(row)
                row = None
            i += 1
            continue
        if token is not None:
            token.append(ch)
        i += 1
    return rows, n


def _number(raw: str):
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return raw


def _definition(text: str, start: int) -> str:
    """The column definitions of a CREATE TABLE: up to its matching closing parenthesis."""
    depth, i, quote = 1, start, None
    while i < len(text) and depth:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        i += 1
    return text[start:i]


def read_tables(text: str) -> dict[str, list[dict]]:
    columns: dict[str, list[str]] = {}
    for match in _CREATE.finditer(text):
        names = re.findall(r"^\s*`(\w+)`", _definition(text, match.end()), re.MULTILINE)
        if names:
            columns[match["table"]] = names
    tables: dict[str, list[dict]] = {}
    for match in _INSERT.finditer(text):
        table = match["table"]
        kind = _TABLE.match(table)
        if not kind:
            continue
        names = re.findall(r"\w+", match["columns"]) if match["columns"] else columns.get(table, DEFAULT_COLUMNS[kind["kind"]])
        rows, _ = _values(text, match.end())
        tables.setdefault(table, []).extend(dict(zip(names, row)) for row in rows)
    return tables


def dump_documents(text: str, origin: str, zone: tzinfo, old_url: str = DEFAULT_OLD_URL) -> list[Document]:
    tables = read_tables(text)
    documents = []
    for table, rows in tables.items():
        parts = _TABLE.match(table)
        if parts["kind"] != "rows":
            continue
        stem = f"{parts['prefix']}_{parts['lang']}_{parts['module']}"
        details = {row.get("id"): row for row in tables.get(f"{stem}_detail", [])}
        cats = {row.get("catid"): row for row in tables.get(f"{stem}_cat", [])}
        sources = {row.get("sourceid"): row for row in tables.get(f"{stem}_sources", [])}
        for row in sorted(rows, key=lambda r: (r.get("publtime") or 0, r.get("id") or 0)):
            documents.append(_document(row, details.get(row.get("id"), {}), cats, sources, parts, origin, zone, old_url))
    return documents


def _stamp(value, zone: tzinfo) -> datetime | None:
    if not isinstance(value, int) or value <= 0:
        return None
    return datetime.fromtimestamp(value, zone).replace(tzinfo=None)


def _document(row, detail, cats, sources, parts, origin, zone, old_url) -> Document:
    body_html = detail.get("bodyhtml") or detail.get("bodytext") or row.get("bodytext") or ""
    hometext = str(row.get("hometext") or "").strip()
    paragraphs = [html_to_text(hometext)] if hometext else []
    paragraphs.append(html_to_text(str(body_html)))
    source = sources.get(row.get("sourceid"), {}).get("title") or detail.get("sourcetext") or None
    catid = row.get("catid") or int(str(row.get("listcatid") or "0").split(",")[0] or 0)
    cat_alias = cats.get(catid, {}).get("alias") or "tin-tuc"
    url = None
    if row.get("alias"):
        url = old_url.format(lang=parts["lang"], module=parts["module"], cat=cat_alias, alias=row["alias"], id=row.get("id"))
    draft_reason = None
    if row.get("status") not in (1, None):
        draft_reason = ("import.not_published", {"status": row.get("status")})
    return Document(
        origin=f"{origin} ({parts['module']}_rows id {row.get('id')})",
        text="\n".join(p for p in paragraphs if p),
        title=str(row.get("title") or "").strip() or None,
        published=_stamp(row.get("publtime"), zone) or _stamp(row.get("addtime"), zone),
        author=str(row.get("author") or "").strip() or None,
        source=str(source).strip() if source else None,
        url=url,
        expires=_stamp(row.get("exptime"), zone),
        draft_reason=draft_reason,
    )
