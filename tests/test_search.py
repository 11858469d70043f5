"""Search (/tim-kiem/): the folding rule, the index files and the page, without a browser.
The same cases run through the page's script in tests/test_search_browser.py."""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from phuongnews import search
from phuongnews.build import BuildOptions, build
from phuongnews.cli import main
from phuongnews.models import Unit
from phuongnews.vietnamese import fold as vietnamese_fold
from tests.conftest import post

SUB_URL = "https://tinh.example.gov.vn/phuong-quynh-thien/"

# (typed, folded): the script must fold every one of these the same way (see the browser test).
FOLD_CASES = [
    ("Đoàn Thanh Niên", "doan thanh nien"),
    ("quynh thien", "quynh thien"),
    ("Quỳnh Thiện", "quynh thien"),
    ("QUỲNH THIỆN", "quynh thien"),
    ("Quy\u0300nh Thie\u0302\u0323n", "quynh thien"),  # decomposed (NFD), as macOS may type it
    ("Đảng ủy", "dang uy"),
    ("Đảng uỷ", "dang uy"),  # old tone placement
    ("ĐẢNG ỦY", "dang uy"),
    ("Hội  LHPN,\u200bphường", "hoi lhpn phuong"),
    ("Nghị quyết số 12-NQ/ĐU", "nghi quyet so 12 nq du"),
    ("Trường THCS “Ngô Sĩ Liên”!", "truong thcs ngo si lien"),
    ("ưu tiên, ơn, ăn, ân, ê, ô", "uu tien on an an e o"),
    ("café naïve", "cafe naive"),
]
MARK_CASES = [
    ("uỷ", "uy2"), ("ủy", "uy2"), ("Thiện", "thiên5"), ("thiên", "thiên"), ("Đảng", "đang2"),
    ("dang", "dang"), ("QUỲNH", "quynh1"), ("Quy\u0300nh", "quynh1"),
]


def test_folding_cases():
    for typed, folded in FOLD_CASES:
        assert search.fold(typed) == folded, typed
        # The same rule as the rest of phuongnews (unit names, aliases), word by word.
        assert search.fold(typed) == " ".join(re.findall(r"[^\W_]+", vietnamese_fold(typed))), typed


def test_marked_forms_keep_letters_and_tone_whatever_its_placement():
    for word, marked in MARK_CASES:
        assert search.marked_word(word) == unicodedata.normalize("NFC", marked), word
    assert search.marked_word("thiện") != search.marked_word("thiên")


@given(st.lists(st.integers(0, 5000), unique=True).map(sorted))
def test_postings_round_trip(ids):
    encoded = search.encode_postings(ids)
    assert search.decode_postings(encoded) == ids
    assert '"' not in encoded and "\\" not in encoded


def test_dense_postings_become_a_bitmap_and_sparse_ones_a_delta_list():
    dense = search.encode_postings(list(range(0, 3000, 2)))
    sparse = search.encode_postings([5, 900, 4000])
    assert dense.startswith(search.BITMAP) and len(dense) < 520
    assert not sparse.startswith(search.BITMAP) and len(sparse) <= 8


# --- A mini-site ------------------------------------------------------------------------

POSTS = {
    # Newest first: Quỳnh Thiên (another tone) is newer than Quỳnh Thiện.
    "content/posts/2024/le-hoi.md": post("Lễ hội làng Quỳnh Thiên", "2024-02-10", "[mttq]",
                                         body="Nhân dân vui xuân đón Tết."),
    "content/posts/2023/hoi-nghi.md": post("Hội nghị tổng kết phường Quỳnh Thiện", "2023-12-22", "[mttq, doan-tn]",
                                           body="Đồng chí Bí thư **Đảng ủy** phường dự và phát biểu.",
                                           extra="summary: Tổng kết công tác Mặt trận năm 2023."),
    "content/posts/2023/thang-thanh-nien.md": post("Ra quân Tháng Thanh niên", "2023-03-05", "[doan-tn]",
                                                   body="Đoàn Thanh niên phường ra quân dọn vệ sinh.",
                                                   extra="""\
        speakers:
          - name: Nguyễn Thị Hà
            role: Bí thư Đoàn phường
        """),
    "content/posts/2022/ccb.md": post("Hội Cựu chiến binh gặp mặt", "2022-12-06", "[hoi-ccb]",
                                      body="Thường trực Đảng uỷ phường (cách viết cũ) chúc mừng các hội viên."),
}


def read_index(out: Path, folder: str = "tim-kiem/"):
    base = out / folder
    manifest = json.loads((base / search.INDEX).read_text(encoding="utf-8"))
    return base, manifest


def lookup(out: Path, query: str, folder: str = "tim-kiem/") -> list[str]:
    """A Python reader of the index, as the script reads it: AND of the words, exact marks
    first, then title matches, then newer. Returns result URLs."""
    base, manifest = read_index(out, folder)
    starts = [s.encode("utf-16-be") for s in manifest["shards"]]
    scores: dict[int, int] | None = None
    for word in dict.fromkeys(search.words(query)):
        term, marked = search.fold_word(word), search.marked_word(word)
        shard = bisect.bisect_right(starts, term.encode("utf-16-be")) - 1
        entry = json.loads((base / f"chi-muc/{shard}.json").read_text(encoding="utf-8")).get(term, {}) if shard >= 0 else {}
        exact, in_title, anywhere = set(), set(), set()
        for form, (title, other) in entry.items():
            titles, others = search.decode_postings(title), search.decode_postings(other)
            in_title.update(titles)
            anywhere.update(titles, others)
            if marked != term and form == marked:
                exact.update(titles, others)
        found = {doc: 1000 * (doc in exact) + (doc in in_title) for doc in anywhere}
        scores = found if scores is None else {d: scores[d] + s for d, s in found.items() if d in scores}
    ranked = sorted(scores or {}, key=lambda d: (-(scores or {})[d], -d))  # a larger number is newer
    return [document(out, doc, folder)[1] for doc in ranked]


def document(out: Path, number: int, folder: str = "tim-kiem/") -> list:
    """The row of document `number`, from the chunk that holds it."""
    base, manifest = read_index(out, folder)
    chunk = json.loads((base / f"bai/{number // manifest['chunk']}.json").read_text(encoding="utf-8"))
    [row] = [row for row in chunk if row[0] == number]
    return row


def build_site(site_factory, tmp_path, files=POSTS, base_url=None) -> Path:
    site = site_factory(files)
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, base_url=base_url))
    return out


HOI_NGHI, LE_HOI, THANH_NIEN, CCB = ("tin-tuc/2023/hoi-nghi/", "tin-tuc/2024/le-hoi/",
                                     "tin-tuc/2023/thang-thanh-nien/", "tin-tuc/2022/ccb/")


def test_queries_with_and_without_marks_find_the_same_posts(site_factory, tmp_path):
    out = build_site(site_factory, tmp_path)
    plain = lookup(out, "quynh thien")
    assert set(plain) == {HOI_NGHI, LE_HOI}
    assert plain == [LE_HOI, HOI_NGHI]  # no marks typed: newer first
    assert lookup(out, "Quỳnh Thiện") == lookup(out, "QUỲNH THIỆN") == [HOI_NGHI, LE_HOI]  # exact marks first
    assert lookup(out, "Quỳnh Thiên") == [LE_HOI, HOI_NGHI]
    assert lookup(out, "doan thanh nien") == [THANH_NIEN, HOI_NGHI]  # title match first; unit name counts
    assert set(lookup(out, "dang uy")) == {HOI_NGHI, CCB}  # đ folds to d; uỷ/ủy alike
    assert lookup(out, "Đảng ủy") == lookup(out, "Đảng uỷ")
    assert lookup(out, "Nguyễn Thị Hà") == [THANH_NIEN]  # speakers are indexed
    assert lookup(out, "khong co tu nay") == []


def test_index_files_are_small_pieces_with_years_as_ranges(site_factory, tmp_path):
    out = build_site(site_factory, tmp_path)
    base, manifest = read_index(out)
    assert manifest["count"] == 4
    # One post a day at most: a number a day, counted from 2000-01-01.
    assert (manifest["stride"], manifest["day0"], manifest["chunk"]) == (1, "2000-01-01", search.CHUNK_NUMBERS)
    day = {iso: (date.fromisoformat(iso) - date(2000, 1, 1)).days
           for iso in ("2024-02-10", "2023-12-22", "2023-03-05", "2022-12-06")}
    year_start = {year: (date(year, 1, 1) - date(2000, 1, 1)).days for year in (2022, 2023, 2024, 2025)}
    assert manifest["years"] == [[2024, year_start[2024], year_start[2025], 1],
                                 [2023, year_start[2023], year_start[2024], 2],
                                 [2022, year_start[2022], year_start[2023], 1]]
    assert [u[0] for u in manifest["units"]] == ["doan-tn", "hoi-ccb", "mttq"]
    assert re.fullmatch(r"[0-9a-f]{12}", manifest["version"])
    assert search.decode_postings(json.loads((base / "don-vi/doan-tn.json").read_text())) == \
        [day["2023-03-05"], day["2023-12-22"]]
    number, url, title, iso, date_text, units, excerpt = document(out, day["2023-12-22"])
    assert (url, title, iso, date_text, units) == (HOI_NGHI, "Hội nghị tổng kết phường Quỳnh Thiện", "2023-12-22",
                                                   "22/12/2023", ["mttq", "doan-tn"])
    assert excerpt.startswith("Tổng kết công tác Mặt trận năm 2023. Đồng chí Bí thư Đảng ủy phường")
    assert "<" not in excerpt


def test_shards_are_cut_by_size_and_the_build_is_deterministic(site_factory, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_BYTES", 200)
    site = site_factory(POSTS)
    outs = []
    for name in ("a", "b"):
        build(BuildOptions(site_dir=site, out_dir=tmp_path / name))
        outs.append({p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
                     for p in sorted((tmp_path / name / "tim-kiem").rglob("*.json"))})
    assert outs[0] == outs[1]
    base, manifest = read_index(tmp_path / "a")
    assert len(manifest["shards"]) > 5
    assert manifest["shards"] == sorted(manifest["shards"])
    for number, start in enumerate(manifest["shards"]):
        shard = json.loads((base / f"chi-muc/{number}.json").read_text(encoding="utf-8"))
        assert min(shard) == start
    assert lookup(tmp_path / "a", "Quỳnh Thiện") == [HOI_NGHI, LE_HOI]


def test_the_page_works_under_a_sub_path_and_says_what_to_do_without_javascript(site_factory, tmp_path):
    out = build_site(site_factory, tmp_path, base_url=SUB_URL)
    page = (out / "tim-kiem/index.html").read_text(encoding="utf-8")
    assert '<h1>Tìm kiếm</h1>' in page
    assert 'data-index="/phuong-quynh-thien/tim-kiem/chi-muc.json"' in page
    assert 'data-home="/phuong-quynh-thien/"' in page
    assert '<script src="/phuong-quynh-thien/js/tim-kiem.js" defer></script>' in page
    nojs = page[page.index('class="search-nojs"'):page.index("</ul>", page.index('class="search-nojs"'))]
    assert "cần JavaScript" in nojs
    assert 'href="/phuong-quynh-thien/don-vi/"' in nojs and 'href="/phuong-quynh-thien/nam/"' in nojs
    assert re.findall(r'<option value="(\d+)">', page) == ["2024", "2023", "2022"]
    assert '<option value="doan-tn">Đoàn TN</option>' in page
    assert (out / "js/tim-kiem.js").is_file()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="/phuong-quynh-thien/tim-kiem/">Tìm kiếm</a>' in home


def test_the_search_address_can_be_changed_but_must_be_a_folder(site_factory, tmp_path, capsys):
    config = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
    base_config = config.split('MINIMAL_CONFIG = """\\\n', 1)[1].split('"""', 1)[0]
    site = site_factory({**POSTS, "site.yaml": base_config + "urls:\n  search: search/\n"})
    assert main(["build", "--site", str(site)]) == 0, capsys.readouterr().err
    assert (site / "public/search/chi-muc.json").is_file()
    assert lookup(site / "public", "doan thanh nien", "search/") == [THANH_NIEN, HOI_NGHI]
    bad = site_factory({**POSTS, "site.yaml": base_config + "urls:\n  search: tim-kiem.html\n"})
    assert main(["build", "--site", str(bad)]) != 0
    assert "search" in capsys.readouterr().err


def test_an_empty_site_still_has_a_search_page(site_factory, tmp_path):
    out = build_site(site_factory, tmp_path, files={})
    _, manifest = read_index(out)
    assert manifest["count"] == 0 and manifest["shards"] == [] and manifest["years"] == []
    assert lookup(out, "bất kỳ") == []


# Words whose folded terms collide ("hội", "hỏi", "hơi" all fold to "hoi") and do not, so
# patches add and remove marked forms of a term as well as whole terms.
_VOCABULARY = ["hội", "hỏi", "hơi", "nghị", "đảng", "dang", "ủy", "uỷ", "phường", "quỳnh", "thiện", "2023",
               "đoàn", "thanh", "niên", "mặt", "trận", "cựu", "chiến", "binh"]
_UNITS = (Unit("mttq", "Mặt trận", "MTTQ"), Unit("doan-tn", "Đoàn TN", "Đoàn TN"), Unit("hoi-ccb", "Hội CCB", "CCB"))


@dataclass(frozen=True)
class _Units:
    units: tuple


def _entry(url: str, year: int, units: tuple, title: list[str], other: list[str], day: int = 1) -> search.SearchEntry:
    """A document dated the `day`-th day of `year`."""
    iso = date.fromordinal(date(year, 1, 1).toordinal() + day - 1).isoformat()
    return search.SearchEntry(url=url, title=" ".join(title), iso_date=iso, date_text=iso,
                              year=year, units=units, excerpt=" ".join(other)[:40],
                              title_keys=search._packed_keys(" ".join(title)),
                              other_keys=search._packed_keys(" ".join(other)))


_words = st.lists(st.sampled_from(_VOCABULARY), max_size=6)
# (year, day of the year, units, title words, other words): a few days, so that a day holds
# several posts and the numbers per day (the stride) change as posts come and go.
_doc = st.tuples(st.sampled_from([2022, 2023]), st.integers(1, 3),
                 st.sets(st.sampled_from([u.key for u in _UNITS]), min_size=1), _words, _words)
_edit = st.tuples(st.sampled_from(["change", "change", "change", "add", "remove", "swap", "units"]),
                  st.integers(0, 1000), _doc)


@settings(max_examples=150, deadline=None)
@given(st.lists(_doc, min_size=1, max_size=25), st.lists(_edit, min_size=1, max_size=12))
def test_an_index_patched_after_each_edit_is_byte_for_byte_a_fresh_one(start, edits):
    """The preview's IndexMemo patches the last index; whatever the edits (a post's words or
    units changed, posts added, removed or reordered, the units renamed), the files must be
    exactly those assembled from nothing."""
    made = iter(range(10_000))

    def doc(spec) -> search.SearchEntry:
        year, day, units, title, other = spec
        return _entry(f"tin-tuc/{next(made)}/", year, tuple(sorted(units)), title, other, day)

    docs = [doc(spec) for spec in start]
    config = _Units(_UNITS)
    memo = search.IndexMemo()
    with mock.patch.object(search, "SHARD_BYTES", 60), mock.patch.object(search.IndexMemo, "MAX_CHANGED", 1.0):
        assert memo.build(list(docs), config, "tim-kiem/") == search.assemble(docs, config, "tim-kiem/")
        for kind, at, spec in edits:
            at %= len(docs)
            if kind == "change":  # the same post (same URL and place), other words
                _year, _day, _units, title, other = spec
                docs[at] = dataclasses.replace(docs[at], title=" ".join(title), excerpt=" ".join(other)[:40],
                                               title_keys=search._packed_keys(" ".join(title)),
                                               other_keys=search._packed_keys(" ".join(other)))
            elif kind == "units":
                docs[at] = dataclasses.replace(docs[at], units=tuple(sorted(spec[2])))
            elif kind == "add":
                docs.insert(at, doc(spec))
            elif kind == "remove" and len(docs) > 1:
                docs.pop(at)
            elif kind == "swap":
                docs[0], docs[at] = docs[at], docs[0]
            else:
                config = _Units(tuple(reversed(config.units)))
            assert memo.build(list(docs), config, "tim-kiem/") == search.assemble(docs, config, "tim-kiem/")


def test_an_index_memo_reuses_the_files_of_unchanged_words():
    # A post a day, newest first, from the 200th day of 2023 back.
    docs = [_entry(f"tin-tuc/{n}/", 2023, ("mttq",), ["hội", "nghị", str(n)], ["phường", "quỳnh", "thiện"] * (n % 3),
                   day=200 - n)
            for n in range(200)]
    config = _Units(_UNITS)
    memo = search.IndexMemo()
    with mock.patch.object(search, "SHARD_BYTES", 60):
        before = memo.build(list(docs), config, "tim-kiem/")
        docs[7] = _entry("tin-tuc/7/", 2023, ("mttq",), ["hội", "nghị", "7", "mới"], [], day=193)
        after = memo.build(list(docs), config, "tim-kiem/")
        assert after == search.assemble(docs, config, "tim-kiem/")
    differ = sorted(name for name in after if before.get(name) is not after[name])
    # The shard of the new word, those of the words the post lost (7's shards move with it),
    # the post's document chunk and the manifest; every other file is the same object.
    number = (date(2023, 1, 1) - date(2000, 1, 1)).days + 192
    chunk = json.loads(after["tim-kiem/chi-muc.json"])["chunk"]
    assert f"tim-kiem/bai/{number // chunk}.json" in differ and "tim-kiem/chi-muc.json" in differ
    assert f"tim-kiem/bai/{number // chunk - 1}.json" in after and f"tim-kiem/bai/{number // chunk - 1}.json" not in differ
    assert len(differ) < len(after) / 4


def test_numbers_start_at_the_oldest_post_when_it_is_older_than_2000():
    # Day 0 is 2000-01-01, or the oldest post's day: no number is negative, and a year is
    # still the range of its days.
    docs = [_entry("tin-tuc/moi/", 2001, ("mttq",), ["hội", "nghị"], [], day=5),
            _entry("tin-tuc/cu/", 1998, ("mttq",), ["hội", "nghị"], ["đảng", "ủy"], day=40)]
    numbering, numbers = search.numbered(docs)
    assert numbering == search.Numbering(date(1998, 2, 9).toordinal(), 1)
    assert numbers == [(date(2001, 1, 5) - date(1998, 2, 9)).days, 0]
    files = search.assemble(docs, _Units(_UNITS), "tim-kiem/")
    manifest = json.loads(files["tim-kiem/chi-muc.json"])
    assert manifest["day0"] == "1998-02-09"
    # The range of day 0's year starts below 0 (its days before day 0 hold no post).
    assert numbering.year_range(1998) == (-39, (date(1999, 1, 1) - date(1998, 2, 9)).days)
    assert manifest["years"] == [[2001, *numbering.year_range(2001), 1], [1998, *numbering.year_range(1998), 1]]
    out = search.decode_postings(json.loads(files["tim-kiem/chi-muc/0.json"])["dang"]["đang2"][1])
    assert out == [0]
