"""The site's own search index: built with the site, read by static/js/tim-kiem.js, no server.

Pure: articles in, {site URL: bytes} out, in two steps: post_entry does each post's share of
the work (its words, excerpt and date) as a SearchEntry that can be kept between builds, and
build_index assembles the files from the entries. Layout under the search page's folder:

- ``chi-muc.json``  the manifest: document count, each shard's first term, years as ranges
  of document numbers, unit names, and a version stamp the script adds to every other fetch;
- ``chi-muc/<n>.json``  shard n of the inverted index: folded term -> {marked form:
  [title postings, other postings]}; terms are sorted and cut into shards of about
  SHARD_BYTES, so a query fetches one small shard per word, never the whole index;
- ``bai/<n>.json``  the documents numbered n*chunk … (n+1)*chunk - 1, as [number, url, title,
  ISO date, date text, units, excerpt], fetched only for the results shown;
- ``don-vi/<unit>.json``  the unit's documents, fetched only when a unit filter is chosen.

Documents are numbered from their date (Numbering): a year is a range of numbers, "newer
first" is "larger number first", and a post added or removed renumbers no other day's posts.

Folding (identical in tim-kiem.js, tested on the same cases): NFC, lower case, strip every
combining mark (Unicode category M), đ -> d. The *marked form* keeps the letters' own marks
(ă â ê ô ơ ư đ) and moves the tone to a trailing digit, so "uỷ" and "ủy" (old and new tone
placement) are the same marked form "uy2"; a query word typed with marks ranks documents
holding that exact marked form first.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import hashlib
import html
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate, compress

from phuongnews.gcpause import collector_paused
from phuongnews.models import Article, SiteConfig
from phuongnews.vietnamese import (
    clean_text,
    collation_key,
    format_date_en,
    format_date_vi,
)

SHARD_BYTES = 16_000  # a shard is cut after the term that takes it past this size
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


Key = tuple[str, str]  # (folded term, marked form) of a word
_FORM, _NEXT = "\t", "\n"  # between term and form of a packed key; between packed keys


def _run_keys(run: str) -> tuple[str, ...]:
    """The distinct keys of a run's words, packed (see _packed_keys)."""
    keys = {_key(word) for word in _TOKEN.findall(_prepared(run))}
    keys.discard(None)
    return tuple([term + _FORM + form for term, form in keys])


# Runs of text between spaces repeat from post to post ("hội", "nghị", "(bài"), so their keys
# are remembered; very long runs (pasted links) are not worth keeping.
_cached_run_keys = lru_cache(maxsize=200_000)(_run_keys)
_CACHED_RUN_CHARS = 64


def _packed_keys(text: str) -> bytes:
    """The distinct keys of a text's words as an entry holds them: each packed as
    "term<TAB>form", sorted, joined by newlines. Tab and newline are never part of a word
    and sort before every character of one, so sorted packed keys are in the order of the
    (term, form) pairs, and no tuple is made per key. Found run by run between whitespace:
    no word character is whitespace, and NFC, lower case and the invisible characters never
    reach across it, so the words of the text are exactly the words of its runs."""
    runs = set(text.split())
    keys: set[str] = set()
    if runs and max(map(len, runs)) > _CACHED_RUN_CHARS:  # rare: a pasted link, say
        long_runs = {run for run in runs if len(run) > _CACHED_RUN_CHARS}
        runs -= long_runs
        keys.update(*map(_run_keys, long_runs))
    keys.update(*map(_cached_run_keys, runs))
    return _NEXT.join(sorted(keys)).encode("utf-8")


@dataclass(frozen=True)
class SearchEntry:
    """One post's part of the index: everything build_index needs from it.

    A small immutable value of strings, ints and tuples, so it pickles, and the same on every
    run (keys are sorted), so it can be stored between builds. See post_entry for what it
    depends on."""

    url: str
    title: str
    iso_date: str
    date_text: str
    year: int
    units: tuple[str, ...]
    excerpt: str
    # The distinct keys of the title's words, sorted, packed (see _packed_keys); then those of the
    # summary, place, author, units, speakers, tasks and body. One UTF-8 string each, not
    # thousands of tuples: a stored entry loads in microseconds, and takes half the memory of
    # a str (Vietnamese letters make Python store a str at two bytes a character).
    title_keys: bytes
    other_keys: bytes


def post_entry(article: Article, config: SiteConfig) -> SearchEntry:
    """The post's SearchEntry. A pure function of the article and, of the settings, only
    `config.language` (the date's wording) and `config.units` (names and short names of the
    post's units are indexed): a cached entry stays valid while those and the article do."""
    body = plain_text(article.body_html)
    format_date = format_date_vi if config.language == "vi" else format_date_en
    return SearchEntry(
        url=article.url,
        title=article.title,
        iso_date=article.date.date().isoformat(),
        date_text=format_date(article.date, with_weekday=False),
        year=article.year,
        units=article.units,
        excerpt=_excerpt(article, body),
        title_keys=_packed_keys(article.title),
        other_keys=_packed_keys(_other_text(article, config, body)),
    )


def _unpacked(packed: bytes) -> list[bytes]:
    return packed.split(b"\n") if packed else []


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


def _delta_digits(delta: int) -> str:
    digits = [_LAST[delta & 31]]
    delta >>= 5
    while delta:
        digits.append(_MORE[delta & 31])
        delta >>= 5
    return "".join(reversed(digits))


_SHORT_DELTAS = tuple(_delta_digits(delta) for delta in range(1024))  # one or two digits
# Numbers up to 2**20 (a posting's first number, made from its date, is about 150,000) as two
# look-ups: the digits of value >> 10, all from _MORE, then the last two digits.
_HIGH_DIGITS = ("",) + tuple(_delta_digits(high).translate(str.maketrans(_LAST, _MORE)) for high in range(1, 1024))
_LOW_DIGITS = tuple(_MORE[low >> 5] + _LAST[low & 31] for low in range(1024))


def _number(value: int) -> str:
    if value < 1024:
        return _SHORT_DELTAS[value]
    if value < 1 << 20:
        return _HIGH_DIGITS[value >> 10] + _LOW_DIGITS[value & 1023]
    return _delta_digits(value)


def encode_postings(ids: Sequence[int]) -> str:
    """Ascending document numbers as the shorter of a delta list and a bitmap that starts at
    the first number."""
    if not ids:
        return ""
    first, span = ids[0], ids[-1] - ids[0]
    bitmap_chars = _bitmap_chars(first, span)
    # Every delta takes at least one character: when even that many beat the bitmap, it wins
    # without the deltas being written out (the common words of a large site).
    if len(ids) * 6 > span and bitmap_chars < len(ids):
        return _bitmap(ids)
    deltas = _deltas(ids)
    if len(deltas) * 6 <= span:  # a bitmap costs about span/6 characters: cannot be shorter
        return deltas
    return _bitmap(ids) if bitmap_chars < len(deltas) else deltas


def _deltas(ids: Sequence[int]) -> str:
    out = []
    previous = -1
    for doc in ids:
        delta = doc - previous - 1
        previous = doc
        out.append(_SHORT_DELTAS[delta] if delta < 1024 else _number(delta))
    return "".join(out)


def _bitmap(ids: Sequence[int]) -> str:
    # The bits made as one ASCII digit per document read as a binary number: three times
    # quicker than setting the bits of a bytearray one by one.
    first, last = ids[0], ids[-1]
    digits = bytearray(b"0") * (last - first + 1)
    for doc in ids:
        digits[last - doc] = 49  # "1", most significant (the last document) first
    return _bitmap_text(first, int(digits, 2))


def _bitmap_text(first: int, bits: int) -> str:
    """"!", the first number (as a delta is written), then base64 of the bits from it: bit i
    of byte i // 8 is document first + i."""
    return BITMAP + _number(first) + base64.b64encode(bits.to_bytes((bits.bit_length() + 7) >> 3, "little")).decode("ascii")


def _bitmap_chars(first: int, span: int) -> int:
    """The length of the bitmap of numbers from `first` to `first + span`."""
    return len(BITMAP) + len(_number(first)) + 4 * (((span >> 3) + 3) // 3)  # base64: 4 per 3 bytes


class _DeltaValues(dict):
    """A delta's digits -> the delta + 1 (the step from one number to the next)."""

    def __missing__(self, digits: str) -> int:
        value = 0
        for ch in digits[:-1]:
            value = value * 32 + _MORE.index(ch)
        return value * 32 + _LAST.index(digits[-1]) + 1


_STEPS = _DeltaValues((digits, delta + 1) for delta, digits in enumerate(_SHORT_DELTAS))
_DELTA = re.compile(f"[{re.escape(_MORE)}]*[{_LAST}]")
_BITS = bytes.maketrans(b"01", b"\0\1")


def _bitmap_value(text: str) -> tuple[int, int]:
    """A bitmap's first number and its bits as an int (bit i: document first + i)."""
    digits = _DELTA.match(text, 1).group()
    return _STEPS[digits] - 1, int.from_bytes(base64.b64decode(text[1 + len(digits):]), "little")


def _numbers(first: int, bits: int) -> list[int]:
    # The set bits' places, found in C: the bits as b"\0"/b"\1" bytes select from a range.
    selectors = format(bits, "b").encode("ascii")[::-1].translate(_BITS)
    return list(compress(range(first, first + len(selectors)), selectors))


def decode_postings(text: str) -> list[int]:
    """The inverse of encode_postings (the script's decoder is tested against this one)."""
    if text.startswith(BITMAP):
        return _numbers(*_bitmap_value(text))
    return [step - 1 for step in accumulate(map(_STEPS.__getitem__, _DELTA.findall(text)))]


def _edited_postings(text: str, number: int, added: bool) -> str:
    """encode_postings of the numbers of `text` with `number` added or taken out (ValueError if
    it was there, or was not). A bitmap that stays one is changed as bits, without a list."""
    if not text.startswith(BITMAP):
        ids = decode_postings(text)
        _moved(ids, number, added)
        return encode_postings(ids)
    first, bits = _bitmap_value(text)
    if number < first:
        if not added:
            raise ValueError(number)
        bits, first = bits << (first - number), number
    place = number - first
    if (bits >> place & 1) == added:
        raise ValueError(number)
    bits ^= 1 << place
    if not bits:
        return ""
    low = (bits & -bits).bit_length() - 1  # the first number may have gone
    bits, first = bits >> low, first + low
    count, span = bits.bit_count(), bits.bit_length() - 1
    if count * 6 > span and _bitmap_chars(first, span) < count:  # encode_postings' first test: a bitmap
        return _bitmap_text(first, bits)
    return encode_postings(_numbers(first, bits))


# --- Document numbers -------------------------------------------------------------------------

EPOCH = date(2000, 1, 1).toordinal()  # day 0 of the numbers, unless a post is older
# bai/<n>.json holds the documents of this many numbers (of a day's numbers, if more): eight
# days at the 16 numbers a day of 10,000 posts, with about 20 posts; more days on a site with
# fewer posts a day, fewer on a larger one, so a file stays small and a results page fetches few.
CHUNK_NUMBERS = 128


@dataclass(frozen=True)
class Numbering:
    """A document's number is made from its date: (day - day 0) * stride + its place among
    that day's posts, oldest first. So a post added, removed or moved renumbers no other post
    but those of its own day: an index can be patched for it (patched_files), and a deploy
    uploads the few files that hold its words, not the whole index. Newer is a larger number,
    and a year is a range of numbers."""

    day0: int  # a proleptic Gregorian ordinal: EPOCH, or the oldest post's day if older
    stride: int  # numbers per day: the least power of two that is at least the most posts of a day

    @property
    def chunk(self) -> int:
        """Numbers per bai/<n>.json: a power of two, so that a day is never split."""
        return max(CHUNK_NUMBERS, self.stride)

    def year_range(self, year: int) -> tuple[int, int]:
        """The numbers [first, end) a post of `year` can have."""
        start = date(year, 1, 1).toordinal()
        return (start - self.day0) * self.stride, (date(year, 12, 31).toordinal() + 1 - self.day0) * self.stride


def numbered(docs: Sequence[SearchEntry]) -> tuple[Numbering, list[int]]:
    """The numbering of `docs` (in the site's order, newest first) and each one's number."""
    return numbered_days([day_of(doc.iso_date) for doc in docs])


def day_of(iso_date: str) -> int:
    return date.fromisoformat(iso_date).toordinal()


def numbered_days(days: Sequence[int]) -> tuple[Numbering, list[int]]:
    """`numbered` for documents on these days (date ordinals, newest first)."""
    counts: dict[int, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    busiest, stride = max(counts.values(), default=1), 1
    while stride < busiest:
        stride *= 2
    numbering = Numbering(min(EPOCH, min(days, default=EPOCH)), stride)
    numbers = [0] * len(days)
    placed: dict[int, int] = {}
    for at in range(len(days) - 1, -1, -1):  # oldest first
        day = days[at]
        place = placed.get(day, 0)
        placed[day] = place + 1
        numbers[at] = (day - numbering.day0) * stride + place
    return numbering, numbers


def _by_number(docs: Sequence[SearchEntry]) -> tuple[Numbering, dict[int, SearchEntry]]:
    numbering, numbers = numbered(docs)
    return numbering, dict(sorted(zip(numbers, docs), key=lambda pair: pair[0]))


def _row(number: int, doc: SearchEntry) -> list:
    return [number, doc.url, doc.title, doc.iso_date, doc.date_text, list(doc.units), doc.excerpt]


# --- Assembling -------------------------------------------------------------------------------

def _utf16(text: str) -> bytes:
    # The script compares strings by UTF-16 code units: shards are cut in that order.
    return text.encode("utf-16-be")


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def build_index(articles: Sequence[Article], config: SiteConfig, folder: str,
                entry_for: Callable[[Article], SearchEntry] | None = None,
                memo: IndexMemo | None = None) -> dict[str, bytes]:
    """Site URL -> bytes of every index file under `folder` (the search page's URL).

    Two steps: each post's SearchEntry (the per-post work: words, excerpt, date text), then
    the index assembled from the entries. `entry_for(article)` gives a post's entry; by
    default post_entry(article, config). A caller that keeps entries between builds passes
    its own, e.g. ``lambda article: stored.get(key(article)) or post_entry(article, config)``;
    the files are byte for byte those of post_entry's entries. A caller that builds again
    and again (the preview) passes an IndexMemo: the files are the same, made from the last
    ones."""
    make_entry = entry_for or (lambda article: post_entry(article, config))
    docs = [make_entry(article) for article in articles]
    with collector_paused():  # millions of small lists and strings, none of them cyclic
        return assemble(docs, config, folder) if memo is None else memo.build(docs, config, folder)


def assemble(docs: Sequence[SearchEntry], config: SiteConfig, folder: str) -> dict[str, bytes]:
    """The index files of `docs`, in the site's order (build_index's second step), made from
    nothing."""
    numbering, by_number = _by_number(docs)
    return _assembled(by_number, numbering, config.units, folder, _steps(by_number, config.units)).files


class IndexMemo:
    """The last index assembled, kept so that the next one, for documents of which only a few
    changed, re-encodes only the words they gained or lost and the files those words are in
    (a save in the preview: about 0.5 s less at 10,000 posts). The result is always byte for
    byte a fresh build_index's; tests/test_search.py checks that on random edits."""

    # Above this share of changed documents, assembling afresh is quicker than patching.
    MAX_CHANGED = 0.1

    def __init__(self) -> None:
        self._last: _Assembly | None = None

    def build(self, docs: Sequence[SearchEntry], config: SiteConfig, folder: str) -> dict[str, bytes]:
        numbering, by_number = _by_number(docs)
        last = self._last
        changed = _changed_documents(last, by_number, numbering, config, folder) if last is not None else None
        if changed is None or len(changed) > self.MAX_CHANGED * len(docs):
            assembly = _assembled(by_number, numbering, config.units, folder, _steps(by_number, config.units))
        elif not changed:
            assembly = dataclasses.replace(last, docs=by_number)
        else:
            assembly = _patched(last, by_number, changed)
        self._last = assembly  # replaced whole, never changed in place: a failed step leaves it as it was
        return assembly.files


@dataclass(frozen=True)
class _Assembly:
    """An assembled index and the intermediate steps an IndexMemo patches. Never changed once
    made: a patch copies what it changes."""

    docs: dict[int, SearchEntry]  # by number, ascending
    numbering: Numbering
    folder: str
    units: tuple  # config.units: the unit files and the manifest's names
    title_ids: dict[bytes, list[int]]  # packed key -> numbers of documents with the word in the title, ascending
    other_ids: dict[bytes, list[int]]  # … elsewhere in the document
    unit_docs: dict[str, list[int]]
    forms_of: dict[str, list[tuple[str, bytes]]]  # term -> (marked form, packed key), sorted
    order: list[str]  # the terms in the script's (UTF-16) order
    entries: dict[str, tuple[dict, int]]  # term -> (its shard entry, its share of SHARD_BYTES)
    shards: dict[tuple[str, str], bytes]  # (first term, last term) -> the shard's bytes
    chunks: dict[int, bytes]  # n -> bai/<n>.json
    files: dict[str, bytes]


def _steps(docs: dict[int, SearchEntry], units: tuple) -> dict:
    """The intermediate steps of an index (_Assembly's postings, forms, order and entries),
    made from every document."""
    title_ids: defaultdict[bytes, list[int]] = defaultdict(list)
    other_ids: defaultdict[bytes, list[int]] = defaultdict(list)
    for number, doc in docs.items():
        for key in _unpacked(doc.title_keys):
            title_ids[key].append(number)
        for key in _unpacked(doc.other_keys):
            other_ids[key].append(number)
    forms_of: dict[str, list[tuple[str, bytes]]] = {}
    for key in title_ids.keys() | other_ids.keys():
        term, form = key.decode("utf-8").split(_FORM)
        forms_of.setdefault(term, []).append((form, key))
    for forms in forms_of.values():
        forms.sort()
    order = sorted(forms_of, key=_utf16)
    return {"title_ids": dict(title_ids), "other_ids": dict(other_ids), "unit_docs": _unit_docs(docs, units),
            "forms_of": forms_of, "order": order,
            "entries": {term: _term_entry(term, forms_of[term], title_ids, other_ids) for term in order}}


def _unit_docs(docs: dict[int, SearchEntry], units: tuple) -> dict[str, list[int]]:
    unit_docs: dict[str, list[int]] = {unit.key: [] for unit in units}
    for number, doc in docs.items():
        for key in doc.units:
            unit_docs[key].append(number)
    return unit_docs


def _assembled(docs: dict[int, SearchEntry], numbering: Numbering, units: tuple, folder: str, steps: dict,
               last: _Assembly | None = None, touched: set[str] | None = None,
               changed: Sequence[int] = ()) -> _Assembly:
    """The index of `docs` from its intermediate `steps`. With `last`, `touched` (the terms
    whose postings changed since `last`) and `changed` (the numbers whose documents did),
    only the files that can differ from `last`'s are encoded again."""
    order, entries = steps["order"], steps["entries"]

    files: dict[str, bytes] = {}
    shards: dict[tuple[str, str], bytes] = {}
    reusable = last.shards if last is not None and touched is not None else {}
    touched_keys = sorted(map(_utf16, touched or ()))
    shard_starts: list[str] = []
    for start, end in _shard_cuts(order, lambda term: entries[term][1]):
        span = (order[start], order[end - 1])
        data = reusable.get(span)
        if data is None or _any_between(touched_keys, _utf16(span[0]), _utf16(span[1])):
            data = _json({t: entries[t][0] for t in order[start:end]})
        shards[span] = data
        files[f"{folder}chi-muc/{len(shard_starts)}.json"] = data
        shard_starts.append(span[0])

    size = numbering.chunk
    groups: dict[int, list[int]] = {}
    for number in docs:
        groups.setdefault(number // size, []).append(number)
    stale = {number // size for number in changed}
    chunks: dict[int, bytes] = {}
    for chunk, numbers in groups.items():
        data = last.chunks.get(chunk) if last is not None and chunk not in stale else None
        if data is None:
            data = _json([_row(number, docs[number]) for number in numbers])
        chunks[chunk] = files[f"{folder}bai/{chunk}.json"] = data
    for key, ids in sorted(steps["unit_docs"].items()):
        files[f"{folder}don-vi/{key}.json"] = _json(encode_postings(ids))

    counts: dict[int, int] = {}
    for doc in docs.values():
        counts[doc.year] = counts.get(doc.year, 0) + 1
    files[folder + INDEX] = _manifest(files, numbering, len(docs), shard_starts, counts, units)
    return _Assembly(docs=docs, numbering=numbering, folder=folder, units=units, shards=shards, chunks=chunks,
                     files=files, **steps)


def _manifest(files: dict[str, bytes], numbering: Numbering, count: int, shard_starts: list[str],
              year_counts: dict[int, int], units) -> bytes:
    """chi-muc.json for the other index `files` (all of them: the version stamp covers each)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    return _json({
        "version": digest.hexdigest()[:12],
        "count": count,
        "chunk": numbering.chunk,
        "stride": numbering.stride,
        "day0": date.fromordinal(numbering.day0).isoformat(),
        "shards": shard_starts,
        # Newest first: [year, its first number, the number after its last, its posts].
        "years": [[year, *numbering.year_range(year), n] for year, n in sorted(year_counts.items(), reverse=True) if n],
        "units": _unit_rows(units),
    })


def _unit_rows(units) -> list[list[str]]:
    return [[u.key, u.short, u.name] for u in sorted(units, key=lambda u: collation_key(u.name))]


def _term_entry(term: str, forms: list[tuple[str, bytes]], title_ids, other_ids, last: tuple[dict, int] | None = None,
                moves: Mapping[tuple[int, bytes], list[tuple[int, bool]]] | None = None) -> tuple[dict, int]:
    """A term's shard entry. `last`, `moves`: its entry in the index being patched, and the
    numbers each (field, key) gained or lost since: the postings that did not move keep
    their text, a bitmap is patched (_patched_postings)."""
    if last is None:
        entry = {form: [encode_postings(title_ids.get(key, ())), encode_postings(other_ids.get(key, ()))]
                 for form, key in forms}
    else:
        entry = {}
        for form, key in forms:
            texts = last[0].get(form)
            entry[form] = [_patched_postings(ids.get(key, ()), texts[which] if texts is not None else None,
                                             moves.get((which, key)))
                           for which, ids in ((0, title_ids), (1, other_ids))]
    return entry, _entry_size(term, entry)


def _patched_postings(ids: Sequence[int], text: str | None, moved: list[tuple[int, bool]] | None) -> str:
    """encode_postings(ids), given `text`, their encoding before the numbers in `moved` came
    or went (None: not known). A bitmap (a common word's) is patched as bits (_edited_postings)."""
    if text is None or (moved and not text.startswith(BITMAP)):
        return encode_postings(ids)
    for number, added in moved or ():
        text = _edited_postings(text, number, added)
    return text


def _entry_size(term: str, entry: dict) -> int:
    """A term's share of SHARD_BYTES: about its length in the shard's JSON."""
    return len(term) + sum(len(form) + len(t) + len(o) + 10 for form, (t, o) in entry.items())


def _shard_cuts(order: Sequence[str], size_of: Callable[[str], int]) -> list[tuple[int, int]]:
    """(start, end) in `order` of each shard: one is cut after the term that takes it to
    SHARD_BYTES, and after the last term."""
    cuts, first, size = [], 0, 0
    for number, term in enumerate(order):
        size += size_of(term)
        if size < SHARD_BYTES and number + 1 < len(order):
            continue
        cuts.append((first, number + 1))
        first, size = number + 1, 0
    return cuts


# --- Patching the files as they are -------------------------------------------------------------

def index_names(paths: Iterable[str], folder: str) -> set[str]:
    """Of a site's file URLs, those of the search index under `folder`."""
    return {path for path in paths if path == folder + INDEX
            or path.startswith((f"{folder}chi-muc/", f"{folder}bai/", f"{folder}don-vi/"))}


@dataclass(frozen=True)
class PatchedIndex:
    files: dict[str, bytes]  # site URL -> bytes of every index file
    changed: set[str]  # the URLs whose bytes are new (files that came included)
    gone: set[str]  # the URLs of files there are no more


Change = tuple[int, "SearchEntry | None", "SearchEntry | None"]  # (number, old entry, new entry)


def patched_files(read: Callable[[str], bytes], names: Iterable[str], folder: str, units: tuple,
                  changes: Sequence[Change], numbering: Numbering | None = None) -> PatchedIndex | None:
    """The index as assembling it afresh would make it, made from the files as they are
    (`read(site URL)` gives one's bytes, `names` are the URLs of the index files there are)
    and the `changes` since: (number, old entry or None, new entry or None), each number
    once, so documents change, come and go. `numbering`: the numbering the documents have
    now; None: the one the files were made with (an edit that moves no post). `units`: the
    settings' units. None if the files cannot be patched so (another numbering or other
    units: every number or unit file changes), or if they do not hold what `changes` says
    they held. Only the shards from the first one a changed word is in are parsed, and only
    until the shards' cuts fall where they fell (tests/test_quickedit.py)."""
    names = set(names)
    read = lru_cache(maxsize=None)(read)  # the shards are read to patch them and to stamp the version
    manifest = json.loads(read(folder + INDEX))
    made_with = Numbering(day_of(manifest["day0"]), manifest["stride"])
    if (numbering or made_with) != made_with or manifest["units"] != _unit_rows(units):
        return None
    numbering = made_with
    files: dict[str, bytes] = {}
    try:
        _patch_chunks(read, names, folder, numbering.chunk, changes, files)
        _patch_units(read, names, folder, changes, files)
        starts = _patch_shards(read, folder, manifest["shards"], changes, files)
    except (ValueError, KeyError):  # the files do not hold what the changes say
        return None
    gone = {name for name, data in files.items() if data is None}
    for name in gone:
        del files[name]
    changed = set(files)
    contents = {name: read(name) for name in names - gone - changed if name != folder + INDEX}
    contents.update(files)
    counts = {year: n for year, _, _, n in manifest["years"]}
    for _, old, new in changes:
        if old is not None:
            counts[old.year] -= 1
        if new is not None:
            counts[new.year] = counts.get(new.year, 0) + 1
    count = manifest["count"] + sum((new is not None) - (old is not None) for _, old, new in changes)
    manifest_bytes = _manifest(contents, numbering, count, starts, counts, units)
    contents[folder + INDEX] = manifest_bytes
    changed.add(folder + INDEX)
    return PatchedIndex(contents, changed, gone)


def document_number(read: Callable[[str], bytes], folder: str, entry: SearchEntry) -> int | None:
    """The number the index files under `folder` give the post of `entry` (by its address,
    among its day's numbers); None if they hold no such post."""
    manifest = json.loads(read(folder + INDEX))
    stride = manifest["stride"]
    first = (day_of(entry.iso_date) - day_of(manifest["day0"])) * stride
    try:
        rows = json.loads(read(f"{folder}bai/{first // manifest['chunk']}.json"))
    except OSError:
        return None
    found = [row[0] for row in rows if row[1] == entry.url and first <= row[0] < first + stride]
    return found[0] if found else None


def _patch_chunks(read, names: set[str], folder: str, size: int, changes: Sequence[Change], files: dict) -> None:
    rows_of: dict[str, list] = {}
    for number, old, new in changes:
        name = f"{folder}bai/{number // size}.json"
        rows = rows_of.get(name)
        if rows is None:
            rows = rows_of[name] = json.loads(read(name)) if name in names else []
        at = bisect.bisect_left([row[0] for row in rows], number)
        present = at < len(rows) and rows[at][0] == number
        if present != (old is not None) or (present and rows[at][1] != old.url):
            raise ValueError(number)
        if present:
            del rows[at]
        if new is not None:
            rows.insert(at, _row(number, new))
    for name, rows in rows_of.items():
        files[name] = _json(rows) if rows else None


def _patch_units(read, names: set[str], folder: str, changes: Sequence[Change], files: dict) -> None:
    unit_ids: dict[str, list[int]] = {}
    for number, old, new in changes:
        before, after = set(old.units if old else ()), set(new.units if new else ())
        for key in before ^ after:
            ids = unit_ids.get(key)
            if ids is None:
                name = f"{folder}don-vi/{key}.json"
                if name not in names:
                    raise KeyError(key)
                ids = unit_ids[key] = decode_postings(json.loads(read(name)))
            _moved(ids, number, key in after)
    for key, ids in unit_ids.items():
        files[f"{folder}don-vi/{key}.json"] = _json(encode_postings(ids))


def _moved(ids: list[int], number: int, added: bool) -> None:
    """`number` put into or taken out of ascending `ids`; ValueError if it was there or not."""
    at = bisect.bisect_left(ids, number)
    there = at < len(ids) and ids[at] == number
    if there == added:
        raise ValueError(number)
    if added:
        ids.insert(at, number)
    else:
        del ids[at]


def _patch_shards(read, folder: str, starts: list[str], changes: Sequence[Change], files: dict) -> list[str]:
    """The shards' postings patched and cut again where they changed: new shard files go into
    `files` (None for one there is no more); returns the new shards' first terms."""
    shard_bytes = [read(f"{folder}chi-muc/{number}.json") for number in range(len(starts))]
    start_keys = [_utf16(start) for start in starts]
    shards: dict[int, dict[str, dict]] = {}  # shard number -> its terms' entries, as changed
    for number, old, new in changes:
        for which, field_name in ((0, "title_keys"), (1, "other_keys")):
            before = set(_unpacked(getattr(old, field_name))) if old is not None else set()
            after = set(_unpacked(getattr(new, field_name))) if new is not None else set()
            for key in before ^ after:
                term, form = key.decode("utf-8").split(_FORM)
                at = max(0, bisect.bisect_right(start_keys, _utf16(term)) - 1) if starts else 0
                if at not in shards:
                    shards[at] = json.loads(shard_bytes[at]) if shard_bytes else {}
                entry = dict(shards[at].get(term, {}))
                pair = list(entry.get(form, ("", "")))
                pair[which] = _edited_postings(pair[which], number, key in after)
                if pair == ["", ""]:
                    entry.pop(form, None)
                else:
                    entry[form] = pair
                if entry:
                    shards[at][term] = entry
                else:
                    shards[at].pop(term, None)
    if not shards:
        return starts
    # The shards cut again from the first changed one, until a cut falls where one fell
    # after the last changed one: from there on, every shard is as it was.
    first, last = min(shards), max(shards)
    walked: list[dict[str, dict]] = []
    current: dict[str, dict] = {}
    size, resumed = 0, len(starts)
    for at in range(first, len(starts) or 1):
        terms = shards[at] if at in shards else json.loads(shard_bytes[at])
        for term in sorted(terms, key=_utf16):
            current[term] = terms[term]
            size += _entry_size(term, terms[term])
            if size >= SHARD_BYTES:
                walked.append(current)
                current, size = {}, 0
        if at >= last and not current:  # a cut at the end of an old shard: the rest stands
            resumed = at + 1
            break
    if current:
        walked.append(current)
    new_shards = list(zip(starts, shard_bytes))
    new_shards[first:resumed] = [(min(shard, key=_utf16), _json(shard)) for shard in walked]
    for number, (_, data) in enumerate(new_shards):
        if number >= len(shard_bytes) or data != shard_bytes[number]:
            files[f"{folder}chi-muc/{number}.json"] = data
    for number in range(len(new_shards), len(shard_bytes)):
        files[f"{folder}chi-muc/{number}.json"] = None
    return [start for start, _ in new_shards]


def _any_between(sorted_keys: list[bytes], low: bytes, high: bytes) -> bool:
    at = bisect.bisect_left(sorted_keys, low)
    return at < len(sorted_keys) and sorted_keys[at] <= high


# --- Patching the last assembly (the preview) -------------------------------------------------------

def _changed_documents(last: _Assembly, docs: dict[int, SearchEntry], numbering: Numbering, config: SiteConfig,
                       folder: str) -> list[int] | None:
    """Numbers whose documents differ from `last`'s (come, go or changed); None if it cannot
    be patched (another numbering, folder or units)."""
    if numbering != last.numbering or folder != last.folder or config.units != last.units:
        return None
    before = last.docs
    return sorted(number for number in docs.keys() | before.keys()
                  if docs.get(number) is not before.get(number) and docs.get(number) != before.get(number))


def _patched(last: _Assembly, docs: dict[int, SearchEntry], changed: list[int]) -> _Assembly:
    """`last` with the postings of the `changed` documents replaced; lists and dicts are copied
    before they change."""
    title_ids, other_ids = dict(last.title_ids), dict(last.other_ids)
    moves: dict[tuple[int, bytes], list[tuple[int, bool]]] = {}  # (0 title / 1 other, key) -> (number, added)
    touched_keys: set[bytes] = set()
    for postings, which, field_name in ((title_ids, 0, "title_keys"), (other_ids, 1, "other_keys")):
        for number in changed:
            old, new = last.docs.get(number), docs.get(number)
            before = set(_unpacked(getattr(old, field_name))) if old is not None else set()
            after = set(_unpacked(getattr(new, field_name))) if new is not None else set()
            for key in before ^ after:
                if (which, key) not in moves:
                    moves[(which, key)] = []
                    postings[key] = list(postings.get(key, ()))
                ids = postings.setdefault(key, [])  # (emptied and dropped by an earlier change)
                _moved(ids, number, key in after)
                moves[(which, key)].append((number, key in after))
                if not ids:
                    del postings[key]
                touched_keys.add(key)

    unit_docs = last.unit_docs
    if any((docs[n].units if n in docs else None) != (last.docs[n].units if n in last.docs else None)
           for n in changed):
        unit_docs = _unit_docs(docs, last.units)

    forms_of, order, entries = dict(last.forms_of), last.order, dict(last.entries)
    touched_terms: set[str] = set()
    for key in touched_keys:
        term, form = key.decode("utf-8").split(_FORM)
        touched_terms.add(term)
        was = key in last.title_ids or key in last.other_ids
        now = key in title_ids or key in other_ids
        if was == now:
            continue
        forms = [pair for pair in forms_of.get(term, ()) if pair[1] != key]
        if now:
            bisect.insort(forms, (form, key))
        if order is last.order and (not forms) != (term not in forms_of):
            order = list(order)  # a term comes or goes
        if forms:
            if term not in forms_of:
                bisect.insort(order, term, key=_utf16)
            forms_of[term] = forms
        else:
            del forms_of[term]
            order.remove(term)
    for term in touched_terms:
        if term in forms_of:
            entries[term] = _term_entry(term, forms_of[term], title_ids, other_ids, last.entries.get(term), moves)
        else:
            entries.pop(term, None)
    steps = {"title_ids": title_ids, "other_ids": other_ids, "unit_docs": unit_docs, "forms_of": forms_of,
             "order": order, "entries": entries}
    return _assembled(docs, last.numbering, last.units, last.folder, steps, last, touched_terms, changed)
