"""The site's own search index: built with the site, read by static/js/tim-kiem.js, no server.

Pure: articles in, {site URL: bytes} out. Layout under the search page's folder:

- ``chi-muc.json``  the manifest: document count, each shard's first term, years as ranges
  of document numbers, unit names, and a version stamp the script adds to every other fetch;
- ``chi-muc/<n>.json``  shard n of the inverted index: folded term -> {marked form:
  [title postings, other postings]}; terms are sorted and cut into shards of about
  SHARD_BYTES, so a query fetches one small shard per word, never the whole index;
- ``bai/<n>.json``  documents n*DOCS_PER_CHUNK … : [url, title, ISO date, date text, units,
  excerpt], fetched only for the results shown;
- ``don-vi/<unit>.json``  the unit's documents, fetched only when a unit filter is chosen.

Documents are numbered newest event first, so a year is a range of numbers and "newer
first" is "smaller number first".

Folding (identical in tim-kiem.js, tested on the same cases): NFC, lower case, strip every
combining mark (Unicode category M), đ -> d. The *marked form* keeps the letters' own marks
(ă â ê ô ơ ư đ) and moves the tone to a trailing digit, so "uỷ" and "ủy" (old and new tone
placement) are the same marked form "uy2"; a query word typed with marks ranks documents
holding that exact marked form first.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from phuongnews.models import Article, SiteConfig
from phuongnews.vietnamese import clean_text, collation_key

SHARD_BYTES = 16_000  # a shard is cut after the term that takes it past this size
DOCS_PER_CHUNK = 10  # documents per bai/<n>.json: one page of results touches few chunks
EXCERPT_CHARS = 320  # plain text kept per document for the result snippet
MAX_TERM = 40  # longer "words" (URLs, hashes) are not indexed

INDEX = "chi-muc.json"
_TOKEN = re.compile(r"[\w\u0300-\u036f]+")  # letters, digits, _ and combining marks
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_TAG = re.compile(r"<[^>]*>")
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Postings: deltas between ascending document numbers, each in base 32 with most significant
# digits first; every digit but the last comes from _MORE, so no separators are needed.
_LAST = "0123456789abcdefghijklmnopqrstuv"
_MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz_-"
BITMAP = "!"  # …or "!" + base64 of a bitmap (bit i of byte i//8, low bit first), if shorter


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """A lower-case word without any mark: "đảng" -> "dang"."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D").lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M")))


@lru_cache(maxsize=200_000)
def marked_word(word: str) -> str:
    """A lower-case word with its letters' marks, tone as a trailing digit: "ủy" -> "uy2"."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = next((_TONES[ch] for ch in decomposed if ch in _TONES), "")
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES)) + tone


def _prepared(text: str) -> str:
    # clean_text without collapsing spaces (words ignore them), and much faster on long bodies.
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text)).lower()


def words(text: str) -> list[str]:
    """The words of a text, lower case, marks kept, in order."""
    return _TOKEN.findall(_prepared(text))


@lru_cache(maxsize=200_000)
def _key(word: str) -> tuple[str, str] | None:
    term = fold_word(word)
    return (term, marked_word(word)) if term and len(term) <= MAX_TERM else None


def fold(text: str) -> str:
    """A query or text as the index sees it: folded words joined by spaces."""
    return " ".join(w for w in (fold_word(w) for w in words(text)) if w)


def plain_text(body_html: str) -> str:
    return html.unescape(_TAG.sub(" ", body_html))


@dataclass(frozen=True)
class Doc:
    url: str
    title: str
    iso_date: str
    date_text: str
    year: int
    units: tuple[str, ...]
    excerpt: str


def _excerpt(article: Article, body: str) -> str:
    text = clean_text(f"{article.summary or ''} {body[:EXCERPT_CHARS * 3]}")
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > EXCERPT_CHARS // 2 else EXCERPT_CHARS] + " …"


def _other_text(article: Article, config: SiteConfig, body: str) -> str:
    parts = [article.summary or "", article.location or "", article.author or ""]
    for key in article.units:
        unit = config.unit(key)
        parts += [unit.name, unit.short]
    for speaker in article.speakers:
        parts += [speaker.name, speaker.role or "", speaker.note or ""]
    for tasks in article.tasks:
        parts += [tasks.title, *tasks.items]
    parts.append(body)
    return " ".join(parts)


def encode_postings(ids: Sequence[int]) -> str:
    """Ascending document numbers as the shorter of a delta list and a bitmap."""
    if not ids:
        return ""
    out = []
    previous = -1
    for doc in ids:
        delta = doc - previous - 1
        previous = doc
        digits = [_LAST[delta & 31]]
        delta >>= 5
        while delta:
            digits.append(_MORE[delta & 31])
            delta >>= 5
        out.append("".join(reversed(digits)))
    deltas = "".join(out)
    if len(deltas) * 6 <= ids[-1]:  # a bitmap costs about ids[-1]/6 characters: cannot be shorter
        return deltas
    bits = bytearray((ids[-1] >> 3) + 1)
    for doc in ids:
        bits[doc >> 3] |= 1 << (doc & 7)
    bitmap = BITMAP + base64.b64encode(bytes(bits)).decode("ascii")
    return bitmap if len(bitmap) < len(deltas) else deltas


def decode_postings(text: str) -> list[int]:
    """The inverse of encode_postings (the script's decoder is tested against this one)."""
    if text.startswith(BITMAP):
        data = base64.b64decode(text[1:])
        return [i * 8 + b for i, byte in enumerate(data) for b in range(8) if byte >> b & 1]
    ids, value, previous = [], 0, -1
    for ch in text:
        if ch in _MORE:
            value = value * 32 + _MORE.index(ch)
        else:
            previous += value * 32 + _LAST.index(ch) + 1
            ids.append(previous)
            value = 0
    return ids


def _utf16(text: str) -> bytes:
    # The script compares strings by UTF-16 code units: shards are cut in that order.
    return text.encode("utf-16-be")


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def build_index(articles: Sequence[Article], config: SiteConfig, folder: str,
                date_text: Callable) -> dict[str, bytes]:
    """Site URL -> bytes of every index file under `folder` (the search page's URL)."""
    # Millions of small lists and strings, none of them cyclic: with the collector on, each of
    # its full passes walks the whole loaded site again (10,000 posts: 7.9 s with it, 6.6 s off).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_index(articles, config, folder, date_text)
    finally:
        if enabled:
            gc.enable()


def _build_index(articles: Sequence[Article], config: SiteConfig, folder: str, date_text: Callable) -> dict[str, bytes]:
    total = len(articles)
    # (term, marked form) -> (title ids, other ids); ids are appended in ascending order.
    postings: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    docs: list[Doc] = []
    unit_docs: dict[str, list[int]] = {unit.key: [] for unit in config.units}
    for number, article in enumerate(articles):
        body = plain_text(article.body_html)
        for field, text in ((0, article.title), (1, _other_text(article, config, body))):
            keys = {_key(word) for word in set(_TOKEN.findall(_prepared(text)))}
            keys.discard(None)
            for key in keys:
                lists = postings.get(key)
                if lists is None:
                    lists = postings[key] = ([], [])
                lists[field].append(number)
        for key in article.units:
            unit_docs[key].append(number)
        docs.append(Doc(article.url, article.title, article.date.date().isoformat(), date_text(article.date),
                        article.year, article.units, _excerpt(article, body)))

    files: dict[str, bytes] = {}
    shard_starts: list[str] = []
    shard: dict[str, dict] = {}
    size = 0

    def flush():
        files[f"{folder}chi-muc/{len(shard_starts) - 1}.json"] = _json(shard)

    by_term: dict[str, dict[str, tuple[list[int], list[int]]]] = {}
    for (term, form), lists in postings.items():
        by_term.setdefault(term, {})[form] = lists
    for term in sorted(by_term, key=_utf16):
        entry = {form: [encode_postings(t), encode_postings(o)] for form, (t, o) in sorted(by_term[term].items())}
        if not shard:
            shard_starts.append(term)
        shard[term] = entry
        size += len(term) + sum(len(form) + len(t) + len(o) + 10 for form, (t, o) in entry.items())
        if size >= SHARD_BYTES:
            flush()
            shard, size = {}, 0
    if shard:
        flush()

    for start in range(0, total, DOCS_PER_CHUNK):
        chunk = [[d.url, d.title, d.iso_date, d.date_text, list(d.units), d.excerpt]
                 for d in docs[start:start + DOCS_PER_CHUNK]]
        files[f"{folder}bai/{start // DOCS_PER_CHUNK}.json"] = _json(chunk)
    for key, ids in sorted(unit_docs.items()):
        files[f"{folder}don-vi/{key}.json"] = _json(encode_postings(ids))

    years: list[list[int]] = []
    for number, doc in enumerate(docs):
        if years and years[-1][0] == doc.year:
            years[-1][2] = number + 1
        else:
            years.append([doc.year, number, number + 1])
    units = sorted(config.units, key=lambda u: collation_key(u.name))
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    manifest = {
        "version": digest.hexdigest()[:12],
        "count": total,
        "chunk": DOCS_PER_CHUNK,
        "shards": shard_starts,
        "years": years,
        "units": [[u.key, u.short, u.name] for u in units],
    }
    files[folder + INDEX] = _json(manifest)
    return files
