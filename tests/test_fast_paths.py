"""The quick paths of the build's pure middle give exactly what the plain code they replaced
gave: each is checked against that code, kept here as the reference."""

from __future__ import annotations

import base64
import collections
import dataclasses
import functools
import json
import pickle
import posixpath
import re
import shutil
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import jinja2
import markupsafe
import yaml
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import Markup

from phuongnews import fingerprint, indexes, linkcheck, render, schema, search, urls, yamlsource
from phuongnews.build import BuildOptions, load_site
from phuongnews.errors import ErrorList
from phuongnews.models import Speaker, TaskList
from phuongnews.plan import Output, _indented_json, plan
from phuongnews.render import make_environment, render_outputs
from phuongnews.schema import Reader
from phuongnews.vietnamese import clean_text, fold, slugify_vi
from phuongnews.writer import Staging
from phuongnews.yamlsource import YamlDoc

REPO = Path(__file__).resolve().parent.parent
WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]
TRICKY = [
    *"aăâđêôơưAĐƯ0_-.,;()/:?#%&~", "Σ", "σ", "İ", "ﬁ", "\u1e9e", "\u0301", "\u0309", "\u0323", "\u0345",
    "\u200b", "\u200d", "\ufeff", "\u2060", "\u180e", "uỷ", "ủy", "Đảng", "x" * 70,
]


def reference_keys(text: str) -> tuple:
    keys = {search._key(word) for word in search.words(text)}
    keys.discard(None)
    return tuple(sorted(keys))


def reference_packed(keys: tuple) -> bytes:
    return "\n".join([term + "\t" + form for term, form in keys]).encode("utf-8")


@given(st.lists(st.sampled_from(TRICKY + WHITESPACE), max_size=40).map("".join))
@example("đa db Đảng dang uỷ ủy tỷ ty a_b ab a2 à")  # terms and marked forms in different orders
def test_keys_run_by_run_are_the_keys_of_the_whole_text(text):
    # Also sorted packed, they are in the order of the sorted tuples.
    assert search._packed_keys(text) == reference_packed(reference_keys(text))


def test_no_whitespace_is_part_of_a_word_or_changed_by_nfc_and_lower_case():
    # What splitting at whitespace before finding the words rests on.
    for space in WHITESPACE:
        assert not search._TOKEN.fullmatch(space)
        assert unicodedata.normalize("NFC", space).lower().isspace()


def reference_postings(ids: list[int]) -> str:
    def digits(number: int) -> str:
        out = [search._LAST[number & 31]]
        number >>= 5
        while number:
            out.append(search._MORE[number & 31])
            number >>= 5
        return "".join(reversed(out))

    previous = -1
    deltas = ""
    for doc in ids:
        deltas += digits(doc - previous - 1)
        previous = doc
    first, span = ids[0], ids[-1] - ids[0]
    if len(deltas) * 6 <= span:
        return deltas
    bits = bytearray((span >> 3) + 1)
    for doc in ids:
        bits[(doc - first) >> 3] |= 1 << ((doc - first) & 7)
    bitmap = search.BITMAP + digits(first) + base64.b64encode(bytes(bits)).decode("ascii")
    return bitmap if len(bitmap) < len(deltas) else deltas


@given(st.one_of(
    st.sets(st.integers(0, 60), min_size=1),  # dense: bitmaps
    st.sets(st.integers(700_000, 700_100), min_size=1),  # dense, far from 0: bitmaps from the first
    st.sets(st.integers(0, 3000), min_size=1, max_size=400),
    st.sets(st.integers(0, 2_000_000), min_size=1, max_size=30),  # sparse: long deltas
))
def test_postings_are_encoded_as_before(ids):
    ids = sorted(ids)
    assert search.encode_postings(ids) == reference_postings(ids)
    assert search.decode_postings(search.encode_postings(ids)) == ids


@given(st.one_of(st.sets(st.integers(0, 60), min_size=1), st.sets(st.integers(700_000, 700_300), min_size=1),
                 st.sets(st.integers(0, 3000), min_size=1, max_size=400)),
       st.integers(0, 3000) | st.integers(699_900, 700_400))
def test_a_number_put_into_or_taken_out_of_postings_as_encoded_afresh(ids, number):
    # What the index patch does to each word's postings: a bitmap is changed as bits.
    text = search.encode_postings(sorted(ids))
    added = number not in ids
    assert search._edited_postings(text, number, added) == search.encode_postings(sorted(ids ^ {number}))
    with pytest.raises(ValueError):
        search._edited_postings(text, number, not added)


def reference_problem(href, page_url, base_path, targets):
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not (parts.path or parts.query):
        return None
    resolved = urlsplit(urljoin(page_url, href)).path
    if not resolved.startswith(base_path):
        return "link.outside"
    relative = unquote(resolved[len(base_path):])
    candidates = (urls.output_path(relative), relative + "/index.html")
    return None if any(c.casefold() in targets for c in candidates) else "link.broken"


HREF_PARTS = ["/", "//", ".", "..", "a", "B", "x.html", "index.html", "?q", "#top", ";p", "%2e", "%41", " ",
              "\t", "\n", "\x01", "http:", "mailto:", ":", "~", "ư", "\\", "sub"]
TARGETS = {"index.html", "a/index.html", "b/index.html", "x.html", "sub/index.html", "sub/a/index.html"}


@given(st.lists(st.sampled_from(HREF_PARTS), max_size=8).map("".join),
       st.sampled_from(["/", "/sub/", "/Sub/a/"]), st.sampled_from(["", "a/", "a/b/x.html", "sub/"]))
# An empty host and path ("//?q", also behind a line break that urlsplit drops) leaves the
# page's own path: such a link is not root-relative.
@example("//?q", "/", "a/b/x.html")
@example("/\n/?q", "/", "a/b/x.html")
@example("/\t/;p", "/", "a/b/x.html")
@example("/a/../b/", "/", "")
def test_links_are_judged_as_urljoin_judges_them(href, base_path, page):
    page_url = base_path + page
    assert linkcheck._problem(href, page_url, base_path, TARGETS) == reference_problem(href, page_url, base_path, TARGETS)


JSON_VALUES = st.recursive(
    st.one_of(st.text(max_size=6), st.integers(), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_json_ld_text_is_what_json_dumps_writes(value):
    assert _indented_json(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)


@given(st.lists(st.sampled_from(TRICKY + WHITESPACE + ["Đ/c ", "Ông "]), max_size=20).map("".join))
def test_remembered_answers_are_fresh_answers(text):
    for function in (clean_text, fold, slugify_vi):
        for value in (text, text * 20):  # short texts are remembered, long ones not
            assert function(value) == function(value) == function.__wrapped__(value)



YAML_SCALARS = ["12", "1.5", "true", "yes", "no", "~", "null", "", "2023-12-22", "0x1F", "1e3", ".inf", "Đảng ủy", "=", "<<"]


@given(st.lists(st.tuples(st.sampled_from(YAML_SCALARS), st.sampled_from(["{}", "'{}'", '"{}"'])), min_size=1, max_size=12))
def test_front_matter_values_read_as_the_stock_loader_reads_them(values):
    # Tags are remembered by kind, text and style (yamlsource._Loader): the same text plain
    # and quoted, earlier or later in a file, must still give each its own value.
    text = "".join(f"k{i}: {style.format(value)}\n" for i, (value, style) in enumerate(values))
    stock = yamlsource._BaseLoader
    expected = yamlsource._Builder("a.md", ErrorList(), 0).build(yaml.compose(text, Loader=stock), ())
    read = yamlsource.parse_yaml(text, "a.md", ErrorList()).data
    assert read == expected
    assert list(map(type, expected.values())) == list(map(type, read.values()))


# Pieces of front-matter lines: what clerks write, and what a line-by-line reader could get wrong.
YAML_INDENTS = ["", "", " ", "  ", "  ", "   ", "    ", "      "]
YAML_LEADS = ["", "", "", "- ", "- ", "-", "-  ", "# ", "#"]
YAML_KEYS = ["title:", "units:", "speakers:", "name:", "items:", "yes:", "2023:", "a-b:", "tiêu đề:", "<<:", "k:",
             "title :", "? k", ""]
YAML_VALUES = ["", "Hội nghị tổng kết", "2023", "2019-08-05", "2022-01-24 10:15", "yes", "No", "~", "null", "1.5", ".5",
               "0x1F", "1_000", "10:15", "-1", "+1", "=", "<<", "[mttq, doan-tn]", "[]", "[ a ,b ]", "[a,,b]", "[a, [b]]",
               "[a, yes, 2]", "[a: b]", '"quoted: x"', '"a\\"b"', "'it''s'", "'x'", "a: b", "a #c", "#c", "a:", "a # b",
               "http://x.vn/a", "&a x", "*a", "!!str x", "|", ">", "- x", "Đ/c Hồ Sỹ Tùng – Bí thư Đảng ủy phường",
               "x ", "a\tb", "a\u00a0b", "{a: b}", "@x", "`x`", "%x", "?x", ",x", "--- x", "...", "a  b", "a\u2028b",
               "\ufeffa", "(bài số 5)", "a, b", "100%"]
YAML_LINES = st.tuples(st.sampled_from(YAML_INDENTS), st.sampled_from(YAML_LEADS), st.sampled_from(YAML_KEYS),
                       st.sampled_from(["", " ", "  "]), st.sampled_from(YAML_VALUES)).map("".join)
YAML_USUAL_VALUES = ["Hội nghị tổng kết", "mttq", "Bí thư Đảng ủy phường", "2023", "2019-08-05", "Đẩy mạnh tuyên truyền.",
                     "'Giữ vững: an ninh'", '"Tiêu đề: x"', "no", "", "3", "[mttq, hoi-ccb]", "'2023'", '"yes"',
                     "''", "x "]
# A front matter as a clerk lays it out, with values usual and odd, and a line or two more.
YAML_TREES = st.dictionaries(
    st.sampled_from(["title", "units", "k", "2023", "yes", "a-b", "name", "role"]),
    st.recursive(st.one_of(st.sampled_from(YAML_USUAL_VALUES), st.sampled_from(YAML_VALUES)), lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["name", "role", "items", "k", "no"]), inner, min_size=1, max_size=3)),
        max_leaves=8),
    min_size=1, max_size=5)


def yaml_lines(value, indent: int, rng) -> list[str]:
    """A tree of texts in block style, laid out as rng decides (lists under their key at its
    indent or two in, lists of texts in flow style now and then)."""
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(item, str):
            lines.append(f"{pad}{key}: {item}" if item else f"{pad}{key}:")
        elif isinstance(item, list) and item and all(isinstance(x, str) for x in item) and rng.random() < 0.3:
            lines.append(f"{pad}{key}: [{', '.join(item)}]")
        else:
            lines.append(f"{pad}{key}:")
            inner = indent if isinstance(item, list) and rng.random() < 0.3 else indent + 2
            lines += yaml_lines(item, inner, rng) if isinstance(item, dict) else yaml_list(item, inner, rng)
    return lines


def yaml_list(items: list, indent: int, rng) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, str):
            lines.append(f"{pad}- {item}" if item else f"{pad}-")
        elif isinstance(item, dict) and item:
            inner = yaml_lines(item, indent + 2, rng)
            lines += [f"{pad}- {inner[0][indent + 2:]}", *inner[1:]]
        elif all(isinstance(x, str) for x in item):  # a list in a list: in flow style
            lines.append(f"{pad}- [{', '.join(item)}]")
        else:
            lines.append(f"{pad}- []")
    return lines


@given(YAML_TREES, st.randoms(use_true_random=False), st.lists(st.tuples(st.integers(0, 30), YAML_LINES), max_size=2),
       st.integers(0, 3))
@example({"title": "A"}, __import__("random").Random(0), [(1, "units:"), (2, "- mttq")], 1)
@example({"a": [{"c": "[x, 1]", "d": "'e'"}], "f": "~"}, __import__("random").Random(0), [], 0)
@example({"title": "A"}, __import__("random").Random(0), [(1, "  b: c")], 1)
@example({"a": ["x"]}, __import__("random").Random(0), [(2, "  b: y")], 0)
def test_front_matter_is_read_line_by_line_as_pyyaml_reads_it(tree, rng, odd_lines, offset):
    lines = yaml_lines(tree, 0, rng)
    for position, line in odd_lines:  # and a line or two of what clerks get wrong
        lines.insert(position % (len(lines) + 1), line)
    text = "\n".join(lines)
    # Where the line-by-line reader takes a text, it must give what PyYAML's composer and
    # _Builder give, without an error; else PyYAML reads it (and says what is wrong).
    read = yamlsource._PlainReader(offset).read(text)
    errors = ErrorList()
    expected = yamlsource._composed(text, "a.md", errors, offset + 1)
    if read is None:
        return
    assert not errors, errors
    assert repr(read.data) == repr(expected.data)  # repr: True and 1, 1.0 and 1 told apart
    assert read.lines == expected.lines
    assert read.raw == expected.raw


def test_the_front_matter_of_a_usual_post_is_read_line_by_line():
    # What the quicker reader is for: the example posts, and the benchmark's, never go to PyYAML.
    import random

    from bench.sitegen import post_text

    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "content").rglob("*.md"))]
    texts += [post_text(random.Random(number), number, 2020) for number in range(20)]
    for text in texts:
        front_matter = text.split("\n---\n", 1)[0].removeprefix("---\n")
        read = yamlsource._PlainReader(1).read(front_matter)
        assert read is not None, front_matter
        expected = yamlsource._composed(front_matter, "a.md", ErrorList(), 2)
        assert (repr(read.data), read.lines, read.raw) == (repr(expected.data), expected.lines, expected.raw)

def test_search_entries_can_be_kept_between_builds():
    site = load_site(BuildOptions(site_dir=REPO))
    entries = {a.source: search.post_entry(a, site.config) for a in site.articles}
    kept = pickle.loads(pickle.dumps(entries))
    assert kept == entries
    assert pickle.dumps(kept) == pickle.dumps(entries)  # the same bytes: entries can be compared stored
    fresh = search.build_index(site.articles, site.config, "tim-kiem/")
    from_kept = search.build_index(site.articles, site.config, "tim-kiem/", lambda article: kept[article.source])
    assert from_kept == fresh


def test_a_post_unpickled_with_its_body_unread_is_the_post():
    site = load_site(BuildOptions(site_dir=REPO))
    for article in site.articles:
        kept = pickle.loads(pickle.dumps(article, 5))
        assert "body_html" not in vars(kept)  # still bytes: decoded when read
        assert pickle.loads(pickle.dumps(kept, 5)) == article  # pickled again, unread
        assert kept == article and hash(kept) == hash(article) and repr(kept) == repr(article)
        assert kept.body_html == article.body_html and kept.derived == article.derived
        # Read or unread, the same bytes: parses are stored and compared as bytes.
        assert pickle.dumps(kept, 5) == pickle.dumps(article, 5)
        assert dataclasses.replace(pickle.loads(pickle.dumps(article, 5)), title="x") == \
            dataclasses.replace(article, title="x")
        # Packed as plain values (models._packed), made again as what they were.
        assert kept.date.tzinfo is article.date.tzinfo and kept.published.tzinfo is article.published.tzinfo
        assert [type(speaker) for speaker in kept.speakers] == [Speaker] * len(article.speakers)
        assert [type(tasks) for tasks in kept.tasks] == [TaskList] * len(article.tasks)
        assert type(kept.derived.json_ld) is Markup and type(kept.derived.search) is search.SearchEntry
    assert any(article.speakers for article in site.articles) and any(article.tasks for article in site.articles)
    with pytest.raises(AttributeError, match="no attribute 'bodyhtml'"):
        _ = kept.bodyhtml


def reference_related(articles, count: int = 3, window: int = 3) -> dict:
    groups = indexes.by_unit(articles)
    positions = {key: {id(a): i for i, a in enumerate(items)} for key, items in groups.items()}
    result = {}
    for article in articles:
        candidates = {}
        for key in article.units:
            items, i = groups[key], positions[key][id(article)]
            for other in items[max(0, i - window): i + window + 1]:
                if other is not article:
                    candidates[id(other)] = other
        units = set(article.units)
        ranked = sorted(candidates.values(), key=lambda b: (
            -len(units & set(b.units)), abs((article.date - b.date).total_seconds()), b.url))
        result[article.url] = tuple(ranked[:count])
    return result


@given(st.lists(st.tuples(st.lists(st.sampled_from("abcde"), min_size=1, max_size=4, unique=True),
                          st.integers(0, 40), st.integers(0, 3)), max_size=60),
       st.integers(1, 4), st.integers(0, 4))
def test_related_posts_are_ranked_as_the_plain_code_ranks_them(shapes, count, window):
    first = load_site(BuildOptions(site_dir=REPO)).articles[0]
    zone = first.date.tzinfo
    # Few distinct moments, so that ties in time are common and the URL decides; one in UTC.
    articles = [dataclasses.replace(
        first, units=tuple(units), url=f"tin-tuc/{number}/", source=f"content/posts/{number}.md",
        date=datetime(2023, 1, 1, tzinfo=zone) + timedelta(hours=hours, microseconds=micro) if number % 7
        else datetime(2022, 12, 31, 17, tzinfo=timezone.utc) + timedelta(hours=hours))
        for number, (units, hours, micro) in enumerate(shapes)]
    articles.sort(key=lambda a: a.date, reverse=True)  # newest first, as the site holds them
    expected = reference_related(articles, count, window)
    assert indexes.related(articles, count, window) == expected
    # For a few posts alone (an incremental build's), found another way (bisection): the same.
    among = {article.source for number, article in enumerate(articles) if number % 3 == 0}
    assert indexes.related(articles, count, window, among) == \
           {article.url: expected[article.url] for article in articles if article.source in among}


@pytest.mark.parametrize("zone", [
    ZoneInfo("Asia/Ho_Chi_Minh"),  # the usual: packed as numbers and the zone's key
    ZoneInfo.no_cache("Asia/Ho_Chi_Minh"),  # not the zone ZoneInfo(key) gives: kept as it is
    timezone(timedelta(hours=7), "+07"),  # the fallback without tzdata (config._FIXED_ZONES)
])
def test_a_post_s_dates_come_back_in_their_own_zone(zone):
    article = load_site(BuildOptions(site_dir=REPO)).articles[0]
    # The hour that happens twice when clocks go back: fold tells the two apart.
    moment = datetime(2023, 11, 5, 1, 30, 15, 250, fold=1, tzinfo=zone)
    dated = dataclasses.replace(article, date=moment, published=moment, expires=moment.replace(year=2024))
    kept = pickle.loads(pickle.dumps(dated, 5))
    for name in ("date", "published", "expires"):
        assert getattr(kept, name) == getattr(dated, name) and getattr(kept, name).fold == 1
        assert getattr(kept, name).utcoffset() == getattr(dated, name).utcoffset()
        if zone is ZoneInfo(zone.key if hasattr(zone, "key") else "UTC"):  # the very zone, as the site's
            assert getattr(kept, name).tzinfo is zone
    assert kept == dated


# {{ shared("name", a=x, b=2) }} as the include it stands for: {% with a = x, b = 2 %}{% include "name" %}{% endwith %}
_SHARED_CALL = re.compile(r'\{\{ shared\("([^"]+)"((?:, \w+=[^,)]+)*)\) \}\}')


def _as_include(match: re.Match) -> str:
    values = [value.replace("=", " = ", 1) for value in match.group(2).split(", ")[1:]]
    include = f'{{% include "{match.group(1)}" %}}'
    return f"{{% with {', '.join(values)} %}}{include}{{% endwith %}}" if values else include


@pytest.mark.parametrize(("relative", "shared_limit"), [(False, None), (True, None), (False, 3)])
def test_pages_are_rendered_as_plain_jinja_renders_them(tmp_path, monkeypatch, relative, shared_limit):
    if shared_limit is not None:  # what shared() keeps is dropped again and again
        monkeypatch.setattr(render, "SHARED_LIMIT", shared_limit)
    # The reference: every shared() an {% include %}, every call through Jinja's Context.call.
    plain_templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", plain_templates)
    for path in plain_templates.iterdir():
        text, count = _SHARED_CALL.subn(_as_include, path.read_text(encoding="utf-8"))
        assert "shared(" not in text.replace("with shared()", ""), path.name
        path.write_text(text, encoding="utf-8")
        if path.name == "listing.html":
            assert count == 1  # the posts of a listing, drawn once each per build
    site = load_site(BuildOptions(site_dir=REPO, relative=relative))
    outputs = plan(site)
    plain = make_environment(site, plain_templates)
    # Jinja's own context, template (printing through markupsafe.escape) and globals (a ChainMap).
    plain.context_class = jinja2.runtime.Context
    plain.template_class = jinja2.Template
    plain.make_globals = functools.partial(jinja2.Environment.make_globals, plain)
    errors = ErrorList()
    fast_env = make_environment(site, REPO / "templates")
    fast = render_outputs(fast_env, outputs, errors)
    expected = render_outputs(plain, outputs, errors)
    assert not errors
    assert len(fast) > 50
    assert fast == expected
    # What was compared: the quick escape and globals were the ones in use.
    fast_template, plain_template = fast_env.get_template("article.html"), plain.get_template("article.html")
    assert fast_template.root_render_func.__globals__["escape"] is render._escape
    assert plain_template.root_render_func.__globals__["escape"] is markupsafe.escape
    assert type(fast_template.globals) is dict
    assert isinstance(plain_template.globals, collections.ChainMap)


class _Shown:
    def __init__(self, html):
        self.html = html

    def __html__(self):
        return self.html


class _Text(str):
    pass


PRINTED = st.one_of(
    st.text(), st.text().map(Markup), st.text().map(_Text), st.text().map(_Shown), st.text().map(Markup).map(_Shown),
    st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(), st.lists(st.text(max_size=3), max_size=3),
)


@given(PRINTED)
@example("<a href=\"x\">'&'</a>")
@example(Markup("<b>đ</b>"))
def test_values_are_printed_as_markupsafe_escapes_them(value):
    printed, expected = render._escape(value), markupsafe.escape(value)
    assert type(printed) is type(expected) is Markup
    assert printed == expected


def reference_check_page(output, data: bytes, targets, base_path, read_text, errors, reported):
    """check_page as it was: the bytes decoded, every link judged, repeats included."""
    page_url = base_path + output.url
    for attribute in linkcheck._LINK.findall(data.decode("utf-8")):
        href = linkcheck.html.unescape(attribute)
        problem = linkcheck._problem(href, page_url, base_path, targets)
        if problem is not None:
            where, line, written = linkcheck._locate(href, page_url, base_path, output, read_text)
            if (where, line, written) not in reported:
                reported.add((where, line, written))
                errors.add(where, line, problem, href=written)


LINKS = ["/", "/don-vi/", "/khong-co/", "khong-co/", "../b/", "#neo", "https://x.vn/", "/a&amp;b/", "/tin-tuc/a/",
         "mailto:a@b.vn", "/../..", "//x/", "ảnh.jpg", "/ảnh.jpg", "tel:0123", "", "#", "?q=1", "./"]


@given(st.lists(st.tuples(st.lists(st.sampled_from(LINKS), max_size=12), st.sampled_from(["/", "/phuong/"]),
                          st.sampled_from(["", "tin-tuc/a/"])), min_size=1, max_size=4))
# A relative link that reaches a file from one page and not from another, and one that leaves
# the site on every page: what is remembered of a link from one page must be true on all.
@example([(["ảnh.jpg", "#neo", "https://x.vn/"], "/", ""), (["ảnh.jpg", "#neo", "https://x.vn/"], "/", "tin-tuc/a/")])
def test_pages_are_checked_as_the_plain_code_checks_them(pages):
    # One set of targets for all the pages, as a build's worker has: what it learnt of the
    # links on one page (those found to reach) must not hide a problem on another.
    targets = linkcheck.link_targets(["index.html", "don-vi/index.html", "tin-tuc/a/index.html", "ảnh.jpg"])
    for hrefs, base_path, url in pages:
        body = "".join(f'<p><a href="{href}">x</a> <img src="{href}" alt=""></p>\n' for href in hrefs)
        page = f"<!doctype html>\n<title>Tiêu đề</title>\n{body}"
        sources = {"content/a.md": "---\ntitle: A\n---\n" + "\n".join(f"[x]({href})" for href in hrefs)}
        output = Output(url, "article.html", {}, "content/a.md")
        expected, expected_reported = ErrorList(), set()
        reference_check_page(output, page.encode(), set(targets), base_path, sources.get, expected, expected_reported)
        for given_page in (page, page.encode()):  # the text, as a build hands it over, or the bytes
            errors, reported = ErrorList(), set()
            linkcheck.check_page(output, given_page, targets, base_path, sources.get, errors, reported)
            assert errors == expected
            assert reported == expected_reported


def test_files_are_put_as_path_write_bytes_writes_them(tmp_path):
    files = {"index.html": b"<p>1</p>", "don-vi/mttq/index.html": "<p>Đoàn</p>".encode(),
             "don-vi/mttq/trang-2/index.html": b"", "don-vi/index.html": b"x" * 200_000, "css/style.css": b"a{}"}
    with Staging.open(tmp_path / "out", fresh=True) as staging:
        for relative, data in files.items():
            staging.put(relative, data)
            reference = tmp_path / "reference" / relative
            reference.parent.mkdir(parents=True, exist_ok=True)
            reference.write_bytes(data)
        staging.put("index.html", b"<p>2</p>")  # again: replaced, as write_bytes replaces it
        (tmp_path / "reference/index.html").write_bytes(b"<p>2</p>")
        staging.commit(removed=())

    def tree(root: Path) -> dict:
        return {path.relative_to(root).as_posix(): (path.stat().st_mode, path.read_bytes() if path.is_file() else None)
                for path in root.rglob("*") if path.name != ".phuongnews-output"}

    assert tree(tmp_path / "out") == tree(tmp_path / "reference")


@pytest.mark.parametrize("data", [b"", b"x", "Hội nghị\n".encode() * 3000, b"y" * (1 << 20) + b"z" * 3])
@pytest.mark.parametrize("stated", [0, 1, -1, None])  # the size its stamp gave: none, less, more, its own
def test_a_file_is_read_as_read_bytes_reads_it(tmp_path, data, stated):
    path = tmp_path / "bai.md"
    path.write_bytes(data)
    size = len(data) if stated is None else max(0, len(data) + stated) if stated else 0
    assert fingerprint._read_bytes(str(path), size) == path.read_bytes() == data


PATH_PARTS = ["a", "b", "ảnh", "index.html", ".", "..", "", "/"]


@given(st.lists(st.sampled_from(PATH_PARTS), max_size=6).map("/".join),
       st.lists(st.sampled_from(PATH_PARTS), max_size=6).map("/".join))
@example("tin-tuc/2024/a/index.html", "tin-tuc/2024/b")
@example("trang/lien-he/index.html", "trang/gioi-thieu")
@example("index.html", ".")
def test_relative_paths_are_what_relpath_gives(path, folder):
    try:
        expected = posixpath.relpath(path, folder)
    except ValueError:  # an empty path
        with pytest.raises(ValueError):
            urls.relative_path(path, folder)
        return
    assert urls.relative_path(path, folder) == expected


class ReferenceReader(Reader):
    """Reader's typed reads as they were, each asking has() and then get() twice."""

    def text(self, path, required=False, one_line=True):
        if not self.has(path) or self.get(path) is None:
            if required:
                self.error(path, "field.required", key=schema._name(path))
            return None
        value = self.get(path)
        if isinstance(value, (dict, list)):
            self.error(path, "type.text", key=schema._name(path))
            return None
        text = value if isinstance(value, str) else self.doc.raw.get(path, str(value))
        text = clean_text(text) if one_line else text.strip()
        if required and not text:
            self.error(path, "field.empty", key=schema._name(path))
            return None
        return text or None

    def integer(self, path, default, low, high):
        if not self.has(path) or self.get(path) is None:
            return default
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "type.integer", key=schema._name(path))
            return default
        if not low <= value <= high:
            self.error(path, "range.integer", key=schema._name(path), low=low, high=high, value=value)
            return default
        return value

    def boolean(self, path, default):
        if not self.has(path) or self.get(path) is None:
            return default
        value = self.get(path)
        if not isinstance(value, bool):
            self.error(path, "type.boolean", key=schema._name(path))
            return default
        return value


YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3000), st.sampled_from(["", " ", "Hội nghị", "2023", "a\u200b b"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["title", "year", "draft", "items"]), inner, max_size=3)),
    max_leaves=10,
)
PATH_PARTS = st.one_of(st.sampled_from(["title", "year", "draft", "items", "x"]), st.integers(-2, 3), st.booleans())


@st.composite
def paths_into(draw, data):
    """A key path into `data`: mostly along what is there, sometimes off it."""
    path, value = [], data
    for _ in range(draw(st.integers(1, 3))):
        if isinstance(value, dict) and value and draw(st.booleans()):
            part = draw(st.sampled_from(sorted(value)))
        elif isinstance(value, list) and value and draw(st.booleans()):
            part = draw(st.integers(0, len(value) - 1))
        else:
            part = draw(PATH_PARTS)
        path.append(part)
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
            value = value[part]
        else:
            value = None
    return tuple(path)


@given(YAML_VALUES.flatmap(lambda data: st.tuples(st.just(data), paths_into(data))), st.booleans())
@example(({"title": ""}, ("title",)), True)
@example(({"year": False}, ("year",)), False)
@example(({"items": [None, 0]}, ("items", 1)), True)
def test_typed_reads_are_those_of_has_and_get(data_and_path, required):
    data, path = data_and_path

    def read(reader_class, method, *args):
        errors = ErrorList()
        reader = reader_class(YamlDoc(data, {(): 1}, {}), "a.md", errors)
        try:
            value = getattr(reader, method)(path, *args)
        except IndexError:  # a negative index past the start: never made by items(), but alike
            value = IndexError
        return value, [(e.line, e.code, e.params) for e in errors]

    for method, args in (("text", (required,)), ("text", (required, False)), ("integer", (None, 1900, 2100)),
                         ("integer", (7, 0, 10)), ("boolean", (False,)), ("boolean", (True,))):
        assert read(Reader, method, *args) == read(ReferenceReader, method, *args)
