"""The site's own search index: built with the site, read by static/js/tim-kiem.js, no server.

Pure: articles in, {site URL: bytes} out, in two steps: post_entry does each post's share of
the work (its words, excerpt and date) as a SearchEntry that can be kept between builds, and
build_index assembles the files from the entries. Layout under the search page's folder:

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
import bisect
import dataclasses
import hashlib
import html
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from phuongnews.gcpause import collector_paused
from phuongnews.models import Article, SiteConfig
from phuongnews.vietnamese import (
    clean_text,
    collation_key,
    format_date_en,
    format_date_vi,
)

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


def encode_postings(ids: Sequence[int]) -> str:
    """Ascending document numbers as the shorter of a delta list and a bitmap."""
    if not ids:
        return ""
    last = ids[-1]
    bitmap_bytes = (last >> 3) + 1
    bitmap_chars = len(BITMAP) + 4 * ((bitmap_bytes + 2) // 3)  # base64: 4 characters per 3 bytes
    # Every delta takes at least one character: when even that many beat the bitmap, it wins
    # without the deltas being written out (the common words of a large site).
    if len(ids) * 6 > last and bitmap_chars < len(ids):
        return _bitmap(ids)
    deltas = _deltas(ids)
    if len(deltas) * 6 <= last:  # a bitmap costs about last/6 characters: cannot be shorter
        return deltas
    return _bitmap(ids) if bitmap_chars < len(deltas) else deltas


def _deltas(ids: Sequence[int]) -> str:
    out = []
    previous = -1
    for doc in ids:
        delta = doc - previous - 1
        previous = doc
        out.append(_SHORT_DELTAS[delta] if delta < 1024 else _delta_digits(delta))
    return "".join(out)


def _bitmap(ids: Sequence[int]) -> str:
    # One ASCII digit per document read as a binary number, document n being bit n: three
    # times quicker than setting the bits of a bytearray one by one.
    digits = bytearray(b"0") * (ids[-1] + 1)
    for doc in ids:
        digits[doc] = 49  # "1"
    digits.reverse()
    bits = int(digits, 2).to_bytes((ids[-1] >> 3) + 1, "little")  # bit n of byte n // 8
    return BITMAP + base64.b64encode(bits).decode("ascii")


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
                entry_for: Callable[[Article], SearchEntry] | None = None,
                memo: IndexMemo | None = None) -> dict[str, bytes]:
    """Site URL -> bytes of every index file under `folder` (the search page's URL).

    Two steps: each post's SearchEntry (the per-post work: words, excerpt, date text), then
    the index assembled from the entries in the order of `articles` (document numbers).
    `entry_for(article)` gives a post's entry; by default post_entry(article, config). A
    caller that keeps entries between builds passes its own, e.g.
    ``lambda article: stored.get(key(article)) or post_entry(article, config)``; the files
    are byte for byte those of post_entry's entries. A caller that builds again and again
    (the preview) passes an IndexMemo: the files are the same, made from the last ones."""
    make_entry = entry_for or (lambda article: post_entry(article, config))
    docs = [make_entry(article) for article in articles]
    with collector_paused():  # millions of small lists and strings, none of them cyclic
        return assemble(docs, config, folder) if memo is None else memo.build(docs, config, folder)


def assemble(docs: list[SearchEntry], config: SiteConfig, folder: str) -> dict[str, bytes]:
    """The index files of `docs` (build_index's second step), made from nothing."""
    return _assembled(docs, config.units, folder, _steps(docs, config.units)).files


class IndexMemo:
    """The last index assembled, kept so that the next one, for documents of which only a few
    changed, re-encodes only the words they gained or lost and the files those words are in
    (a save in the preview: about 0.5 s less at 10,000 posts). The result is always byte for
    byte a fresh build_index's; tests/test_search.py checks that on random edits."""

    # Above this share of changed documents, assembling afresh is quicker than patching.
    MAX_CHANGED = 0.1

    def __init__(self) -> None:
        self._last: _Assembly | None = None

    def build(self, docs: list[SearchEntry], config: SiteConfig, folder: str) -> dict[str, bytes]:
        last = self._last
        changed = _changed_documents(last, docs, config, folder) if last is not None else None
        if changed is None or len(changed) > self.MAX_CHANGED * len(docs):
            assembly = _assembled(docs, config.units, folder, _steps(docs, config.units))
        elif not changed:
            assembly = dataclasses.replace(last, docs=docs)
        else:
            assembly = _patched(last, docs, changed)
        self._last = assembly  # replaced whole, never changed in place: a failed step leaves it as it was
        return assembly.files


@dataclass(frozen=True)
class _Assembly:
    """An assembled index and the intermediate steps an IndexMemo patches. Never changed once
    made: a patch copies what it changes."""

    docs: list[SearchEntry]
    folder: str
    units: tuple  # config.units: the unit files and the manifest's names
    title_ids: dict[bytes, list[int]]  # packed key -> ids of documents with the word in the title, ascending
    other_ids: dict[bytes, list[int]]  # … elsewhere in the document
    unit_docs: dict[str, list[int]]
    forms_of: dict[str, list[tuple[str, bytes]]]  # term -> (marked form, packed key), sorted
    order: list[str]  # the terms in the script's (UTF-16) order
    entries: dict[str, tuple[dict, int]]  # term -> (its shard entry, its share of SHARD_BYTES)
    shards: dict[tuple[str, str], bytes]  # (first term, last term) -> the shard's bytes
    chunks: list[bytes]  # bai/<n>.json
    files: dict[str, bytes]


def _steps(docs: list[SearchEntry], units: tuple) -> dict:
    """The intermediate steps of an index (_Assembly's postings, forms, order and entries),
    made from every document."""
    title_ids: defaultdict[bytes, list[int]] = defaultdict(list)
    other_ids: defaultdict[bytes, list[int]] = defaultdict(list)
    unit_docs: dict[str, list[int]] = {unit.key: [] for unit in units}
    for number, doc in enumerate(docs):
        for key in _unpacked(doc.title_keys):
            title_ids[key].append(number)
        for key in _unpacked(doc.other_keys):
            other_ids[key].append(number)
        for key in doc.units:
            unit_docs[key].append(number)
    forms_of: dict[str, list[tuple[str, bytes]]] = {}
    for key in title_ids.keys() | other_ids.keys():
        term, form = key.decode("utf-8").split(_FORM)
        forms_of.setdefault(term, []).append((form, key))
    for forms in forms_of.values():
        forms.sort()
    order = sorted(forms_of, key=_utf16)
    return {"title_ids": dict(title_ids), "other_ids": dict(other_ids), "unit_docs": unit_docs,
            "forms_of": forms_of, "order": order,
            "entries": {term: _term_entry(term, forms_of[term], title_ids, other_ids) for term in order}}


def _assembled(docs: list[SearchEntry], units: tuple, folder: str, steps: dict,
               last: _Assembly | None = None, touched: set[str] | None = None) -> _Assembly:
    """The index of `docs` from its intermediate `steps`. With `last` and `touched` (the terms
    whose postings changed since `last`), only the files that can differ from `last`'s are
    encoded again."""
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

    total = len(docs)
    chunks = []
    for start in range(0, total, DOCS_PER_CHUNK):
        part = docs[start:start + DOCS_PER_CHUNK]
        number = start // DOCS_PER_CHUNK
        if last is not None and number < len(last.chunks) and last.docs[start:start + DOCS_PER_CHUNK] == part:
            data = last.chunks[number]
        else:
            data = _json([[d.url, d.title, d.iso_date, d.date_text, list(d.units), d.excerpt] for d in part])
        chunks.append(data)
        files[f"{folder}bai/{number}.json"] = data
    for key, ids in sorted(steps["unit_docs"].items()):
        files[f"{folder}don-vi/{key}.json"] = _json(encode_postings(ids))

    years: list[list[int]] = []
    for number, doc in enumerate(docs):
        if years and years[-1][0] == doc.year:
            years[-1][2] = number + 1
        else:
            years.append([doc.year, number, number + 1])
    sorted_units = sorted(units, key=lambda u: collation_key(u.name))
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    manifest = {
        "version": digest.hexdigest()[:12],
        "count": total,
        "chunk": DOCS_PER_CHUNK,
        "shards": shard_starts,
        "years": years,
        "units": [[u.key, u.short, u.name] for u in sorted_units],
    }
    files[folder + INDEX] = _json(manifest)
    return _Assembly(docs=docs, folder=folder, units=units, shards=shards, chunks=chunks, files=files, **steps)


def _term_entry(term: str, forms: list[tuple[str, bytes]], title_ids, other_ids) -> tuple[dict, int]:
    entry = {form: [encode_postings(title_ids.get(key, ())), encode_postings(other_ids.get(key, ()))]
             for form, key in forms}
    return entry, _entry_size(term, entry)


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


def patched_files(read: Callable[[str], bytes], folder: str,
                  changes: Sequence[tuple[int, SearchEntry, SearchEntry]]) -> dict[str, bytes] | None:
    """The index files that change when documents change in their words and excerpt alone,
    made from the files as they are (`read(site URL)` gives one's bytes), not from every
    document: site URL -> new bytes. `changes`: (document number, old entry, new entry).
    None if the change is more than that (another address, year or units), or if it would
    change which index files there are (a shard more or less): then the index is assembled
    afresh. What it returns is what assembling afresh would give for those files
    (tests/test_quickedit.py). Only the shards from the first one a changed word is in are
    read back, and only until the shards' cuts fall where they fell."""
    manifest = json.loads(read(folder + INDEX))
    count, starts = manifest["count"], manifest["shards"]
    for number, old, new in changes:
        if number >= count or (old.url, old.year, old.units) != (new.url, new.year, new.units):
            return None
    files: dict[str, bytes] = {}
    # The documents' chunks.
    chunks: dict[int, list] = {}
    for number, _, new in changes:
        rows = chunks.get(number // DOCS_PER_CHUNK)
        if rows is None:
            rows = chunks[number // DOCS_PER_CHUNK] = json.loads(read(f"{folder}bai/{number // DOCS_PER_CHUNK}.json"))
        rows[number % DOCS_PER_CHUNK] = [new.url, new.title, new.iso_date, new.date_text, list(new.units), new.excerpt]
    for number, rows in chunks.items():
        files[f"{folder}bai/{number}.json"] = _json(rows)

    # The postings each change adds or removes, in the shard whose range holds the term.
    shard_bytes = [read(f"{folder}chi-muc/{number}.json") for number in range(len(starts))]
    start_keys = [_utf16(start) for start in starts]
    shards: dict[int, dict[str, dict]] = {}  # shard number -> its terms' entries, as changed
    for number, old, new in changes:
        for which, field_name in ((0, "title_keys"), (1, "other_keys")):
            before, after = set(_unpacked(getattr(old, field_name))), set(_unpacked(getattr(new, field_name)))
            for key in before ^ after:
                term, form = key.decode("utf-8").split(_FORM)
                at = max(0, bisect.bisect_right(start_keys, _utf16(term)) - 1) if starts else 0
                if at not in shards:
                    shards[at] = json.loads(shard_bytes[at]) if shard_bytes else {}
                entry = dict(shards[at].get(term, {}))
                pair = list(entry.get(form, ("", "")))
                ids = decode_postings(pair[which])
                if key in after:
                    bisect.insort(ids, number)
                else:
                    ids.remove(number)
                pair[which] = encode_postings(ids)
                if pair == ["", ""]:
                    entry.pop(form, None)
                else:
                    entry[form] = pair
                if entry:
                    shards[at][term] = entry
                else:
                    shards[at].pop(term, None)

    # The shards cut again from the first changed one, until a cut falls where one fell
    # after the last changed one: from there on, every shard is as it was.
    new_shards: list[tuple[str, bytes]] = [(start, data) for start, data in zip(starts, shard_bytes)]
    if shards:
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
        new_shards[first:resumed] = [(min(shard, key=_utf16), _json(shard)) for shard in walked]
        if len(new_shards) != len(starts):
            return None
        for number, (_, data) in enumerate(new_shards):
            if data != shard_bytes[number]:
                files[f"{folder}chi-muc/{number}.json"] = data

    # The manifest's version stamp covers every index file.
    names = [f"{folder}bai/{n}.json" for n in range((count + DOCS_PER_CHUNK - 1) // DOCS_PER_CHUNK)]
    names += [f"{folder}don-vi/{unit[0]}.json" for unit in manifest["units"]]
    contents = {name: files.get(name) or read(name) for name in names}
    contents.update({f"{folder}chi-muc/{number}.json": data for number, (_, data) in enumerate(new_shards)})
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode("utf-8") + b"\0" + contents[name] + b"\0")
    manifest["version"], manifest["shards"] = digest.hexdigest()[:12], [start for start, _ in new_shards]
    files[folder + INDEX] = _json(manifest)
    return files


def _any_between(sorted_keys: list[bytes], low: bytes, high: bytes) -> bool:
    at = bisect.bisect_left(sorted_keys, low)
    return at < len(sorted_keys) and sorted_keys[at] <= high


def _changed_documents(last: _Assembly, docs: list[SearchEntry], config: SiteConfig, folder: str) -> list[int] | None:
    """Numbers of the documents that differ from `last`'s; None if it cannot be patched (the
    documents were renumbered, or the folder or units changed)."""
    if len(docs) != len(last.docs) or folder != last.folder or config.units != last.units:
        return None
    changed = [number for number, (new, old) in enumerate(zip(docs, last.docs)) if new is not old and new != old]
    if any(docs[number].url != last.docs[number].url for number in changed):
        return None  # another post at that number: the order moved
    return changed


def _patched(last: _Assembly, docs: list[SearchEntry], changed: list[int]) -> _Assembly:
    """`last` with the postings of the `changed` documents replaced; lists and dicts are copied
    before they change."""
    title_ids, other_ids = dict(last.title_ids), dict(last.other_ids)
    copied: set[tuple[int, bytes]] = set()
    touched_keys: set[bytes] = set()
    for postings, which, field_name in ((title_ids, 0, "title_keys"), (other_ids, 1, "other_keys")):
        for number in changed:
            before = set(_unpacked(getattr(last.docs[number], field_name)))
            after = set(_unpacked(getattr(docs[number], field_name)))
            for key in before ^ after:
                if (which, key) not in copied:
                    copied.add((which, key))
                    postings[key] = list(postings.get(key, ()))
                ids = postings[key]
                if key in after:
                    bisect.insort(ids, number)
                else:
                    ids.remove(number)
                    if not ids:
                        del postings[key]
                touched_keys.add(key)

    unit_docs = last.unit_docs
    if any(docs[number].units != last.docs[number].units for number in changed):
        unit_docs = {key: [] for key in last.unit_docs}
        for number, doc in enumerate(docs):
            for key in doc.units:
                unit_docs[key].append(number)

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
            entries[term] = _term_entry(term, forms_of[term], title_ids, other_ids)
        else:
            entries.pop(term, None)
    steps = {"title_ids": title_ids, "other_ids": other_ids, "unit_docs": unit_docs, "forms_of": forms_of,
             "order": order, "entries": entries}
    return _assembled(docs, last.units, last.folder, steps, last, touched_terms)
