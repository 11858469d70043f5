"""Pure unit tests of the URL rules (urls.py), grouping and pagination (indexes.py) and the
page plan (plan.py): no disk, no rendering."""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phuongnews import indexes, urls
from phuongnews.config import parse_config
from phuongnews.content import parse_post
from phuongnews.errors import ErrorList
from phuongnews.markup import MarkdownRenderer
from phuongnews.models import Article, Page, Site, UrlPatterns
from phuongnews.plan import HOME_ITEMS, plan
from tests.conftest import MINIMAL_CONFIG, post

TZ = timezone(timedelta(hours=7))
DEFAULT = UrlPatterns()
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def config(text: str = MINIMAL_CONFIG, base_url: str | None = None):
    errors = ErrorList()
    parsed = parse_config(text, "site.yaml", errors, base_url)
    assert not errors, [e.format() for e in errors]
    return parsed


def config_errors(text: str) -> list[str]:
    errors = ErrorList()
    assert parse_config(text, "site.yaml", errors) is None
    return [e.format() for e in errors]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def art(slug: str, date: str, units=("mttq",), published: str | None = None, patterns=DEFAULT) -> Article:
    day = when(date)
    return Article(
        source=f"content/posts/{day.year}/{slug}.md", slug=slug, url=urls.article(patterns, day.year, slug),
        title=f"Bài {slug}", date=day, date_has_time=False, published=when(published) if published else day,
        units=tuple(units), location=None, author=None, source_name=None, summary=None, cover=None,
        draft=False, speakers=(), tasks=(), body_html="<p>Nội dung.</p>",
    )


def newest_first(*articles: Article) -> tuple[Article, ...]:
    """The order load_content gives: newest event first."""
    return tuple(sorted(articles, key=lambda a: (a.date, a.published, a.slug), reverse=True))


# --- URL patterns -----------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected", "file"), [
    (urls.article(DEFAULT, 2022, "hoi-nghi-tong-ket"), "tin-tuc/2022/hoi-nghi-tong-ket/",
     "tin-tuc/2022/hoi-nghi-tong-ket/index.html"),
    (urls.units(DEFAULT), "don-vi/", "don-vi/index.html"),
    (urls.unit(DEFAULT, "mttq"), "don-vi/mttq/", "don-vi/mttq/index.html"),
    (urls.paginated(DEFAULT, urls.unit(DEFAULT, "mttq"), 2), "don-vi/mttq/trang-2/", "don-vi/mttq/trang-2/index.html"),
    (urls.paginated(DEFAULT, urls.unit(DEFAULT, "mttq"), 1), "don-vi/mttq/", "don-vi/mttq/index.html"),
    (urls.unit_year(DEFAULT, "doan-tn", 2023), "don-vi/doan-tn/2023/", "don-vi/doan-tn/2023/index.html"),
    (urls.paginated(DEFAULT, urls.unit_year(DEFAULT, "doan-tn", 2023), 3), "don-vi/doan-tn/2023/trang-3/",
     "don-vi/doan-tn/2023/trang-3/index.html"),
    (urls.unit_feed(DEFAULT, "hoi-ccb"), "don-vi/hoi-ccb/feed.xml", "don-vi/hoi-ccb/feed.xml"),
    (urls.years(DEFAULT), "nam/", "nam/index.html"),
    (urls.year(DEFAULT, 2021), "nam/2021/", "nam/2021/index.html"),
    (urls.paginated(DEFAULT, urls.year(DEFAULT, 2021), 2), "nam/2021/trang-2/", "nam/2021/trang-2/index.html"),
    (urls.page(DEFAULT, "gioi-thieu"), "trang/gioi-thieu/", "trang/gioi-thieu/index.html"),
    ("", "", "index.html"),
    ("feed.xml", "feed.xml", "feed.xml"),
    ("404.html", "404.html", "404.html"),
], ids=lambda value: value if isinstance(value, str) and value else None)
def test_default_url_patterns_and_output_files(url, expected, file):
    assert url == expected
    assert urls.output_path(url) == file


def test_links_and_absolute_urls_at_the_domain_root():
    site = config()
    assert (site.base_url, site.base_path) == ("https://phuong-mau.example.vn/", "/")
    assert urls.link(site.base_path, "tin-tuc/2022/a/") == "/tin-tuc/2022/a/"
    assert urls.link(site.base_path, "") == "/"
    assert urls.absolute(site.base_url, "feed.xml") == "https://phuong-mau.example.vn/feed.xml"


@pytest.mark.parametrize("written", [
    "https://tinh.example.gov.vn/phuong-quynh-thien/",
    "https://tinh.example.gov.vn/phuong-quynh-thien",  # the missing slash is added
])
def test_base_url_with_a_sub_path(written):
    site = config(MINIMAL_CONFIG.replace("https://phuong-mau.example.vn/", written))
    assert site.base_url == "https://tinh.example.gov.vn/phuong-quynh-thien/"
    assert site.base_path == "/phuong-quynh-thien/"
    assert urls.link(site.base_path, "don-vi/mttq/trang-2/") == "/phuong-quynh-thien/don-vi/mttq/trang-2/"
    assert urls.link(site.base_path, "") == "/phuong-quynh-thien/"
    assert urls.absolute(site.base_url, "nam/2022/") == "https://tinh.example.gov.vn/phuong-quynh-thien/nam/2022/"


def test_base_url_override_replaces_site_yaml():
    site = config(base_url="http://localhost:8000/xem-truoc")
    assert (site.base_url, site.base_path) == ("http://localhost:8000/xem-truoc/", "/xem-truoc/")


CUSTOM_URLS = """\
urls:
  article: bai-viet/{year}/{slug}.html
  page: "{slug}.html"
  units: to-chuc/
  unit: to-chuc/{unit}/
  unit_year: to-chuc/{unit}/nam-{year}/
  unit_feed: to-chuc/{unit}.xml
  years: luu-tru/
  year: luu-tru/{year}/
  pagination: p{n}/
"""


def test_custom_url_patterns_from_site_yaml():
    patterns = config(MINIMAL_CONFIG + CUSTOM_URLS).urls
    assert urls.article(patterns, 2022, "a") == "bai-viet/2022/a.html"
    assert urls.output_path(urls.article(patterns, 2022, "a")) == "bai-viet/2022/a.html"
    assert urls.page(patterns, "lien-he") == "lien-he.html"
    assert urls.units(patterns) == "to-chuc/"
    assert urls.unit(patterns, "mttq") == "to-chuc/mttq/"
    assert urls.paginated(patterns, urls.unit(patterns, "mttq"), 2) == "to-chuc/mttq/p2/"
    assert urls.unit_year(patterns, "mttq", 2023) == "to-chuc/mttq/nam-2023/"
    assert urls.unit_feed(patterns, "mttq") == "to-chuc/mttq.xml"
    assert urls.years(patterns) == "luu-tru/"
    assert urls.year(patterns, 2023) == "luu-tru/2023/"


def test_a_partial_urls_section_keeps_the_other_defaults():
    patterns = config(MINIMAL_CONFIG + "urls:\n  article: bai/{slug}/\n").urls
    assert patterns.article == "bai/{slug}/"
    assert patterns == UrlPatterns(article="bai/{slug}/")


def test_custom_article_pattern_reaches_parsed_posts():
    site = config(MINIMAL_CONFIG + CUSTOM_URLS)
    errors = ErrorList()
    article = parse_post(post(date="2022-12-29"), "content/posts/a.md", "hoi-nghi", site, MarkdownRenderer(), errors)
    assert not errors
    assert article.url == "bai-viet/2022/hoi-nghi.html"


def test_custom_patterns_shape_the_whole_plan():
    site = config(MINIMAL_CONFIG + CUSTOM_URLS)
    a, b, c = (art(s, d, patterns=site.urls) for s, d in (("a", "2023-01-01"), ("b", "2023-02-01"), ("c", "2023-03-01")))
    page = Page("content/pages/lien-he.md", "lien-he", urls.page(site.urls, "lien-he"), "Liên hệ", False, "")
    planned = {o.url for o in plan(Site(site, newest_first(a, b, c), (page,)))}
    assert {"bai-viet/2023/a.html", "lien-he.html", "to-chuc/", "to-chuc/mttq/", "to-chuc/mttq/p2/",
            "to-chuc/mttq/nam-2023/", "to-chuc/mttq/nam-2023/p2/", "to-chuc/mttq.xml", "luu-tru/",
            "luu-tru/2023/", "luu-tru/2023/p2/"} <= planned
    assert not any(u.startswith(("tin-tuc/", "don-vi/", "nam/", "trang/")) for u in planned)


@pytest.mark.parametrize(("key", "pattern"), [
    ("article", "/tin-tuc/{slug}/"),  # leading slash
    ("article", "tin-tuc/{year}/"),  # no {slug}: every post would share one URL
    ("article", "tin-tuc/../{slug}/"),  # escapes the output folder
    ("article", "https://x.vn/{slug}/"),
    ("article", "tin-tuc/{slug}"),  # neither a folder nor a file type
    ("unit", "don-vi/{unit}.html"),  # listings must be folders (…/trang-2/ is appended)
    ("unit_year", "don-vi/{unit}/"),  # no {year}
    ("pagination", "trang/"),  # no {n}
    # Placeholders a pattern cannot fill used to crash the build with a KeyError.
    ("page", "trang/{year}/{slug}/"),
    ("units", "don-vi-{unit}/"),
    ("article", "tin-tuc/{slug}}/"),
    ("year", "nam/{year}{}/"),
])
def test_unusable_url_patterns_are_errors_with_their_line(key, pattern):
    messages = config_errors(MINIMAL_CONFIG + f"urls:\n  {key}: '{pattern}'\n")
    assert len(messages) == 1
    line = len(MINIMAL_CONFIG.splitlines()) + 2  # the pattern's own line, under `urls:`
    assert messages[0].startswith(f"site.yaml:{line}: mẫu địa chỉ urls.{key} = '{pattern}' không dùng được")


# --- Pagination -------------------------------------------------------------------------

def listing_url(n: int) -> str:
    return urls.paginated(DEFAULT, "don-vi/mttq/", n)


def test_paginate_splits_in_order_with_a_short_last_page():
    pages = indexes.paginate(list("abcde"), 2, listing_url)
    assert [chunk for chunk, _ in pages] == [("a", "b"), ("c", "d"), ("e",)]
    assert [(p.number, p.total) for _, p in pages] == [(1, 3), (2, 3), (3, 3)]
    first, middle, last = (p for _, p in pages)
    assert [link.url for link in first.links] == ["don-vi/mttq/", "don-vi/mttq/trang-2/", "don-vi/mttq/trang-3/"]
    assert (first.url, first.previous_url, first.next_url) == ("don-vi/mttq/", None, "don-vi/mttq/trang-2/")
    assert (middle.url, middle.previous_url, middle.next_url) == (
        "don-vi/mttq/trang-2/", "don-vi/mttq/", "don-vi/mttq/trang-3/")
    assert (last.url, last.previous_url, last.next_url) == ("don-vi/mttq/trang-3/", "don-vi/mttq/trang-2/", None)


def test_paginate_exact_multiple_has_no_empty_trailing_page():
    pages = indexes.paginate([1, 2, 3, 4], 2, listing_url)
    assert [chunk for chunk, _ in pages] == [(1, 2), (3, 4)]
    assert pages[-1][1].next_url is None


def test_paginate_fewer_items_than_a_page():
    [(chunk, pager)] = indexes.paginate([1, 2, 3], 20, listing_url)
    assert chunk == (1, 2, 3)
    assert (pager.number, pager.total, pager.links) == (1, 1, (indexes.PageLink(1, "don-vi/mttq/"),))


def test_paginate_empty_listing_still_has_one_empty_page():
    [(chunk, pager)] = indexes.paginate([], 2, listing_url)
    assert chunk == ()
    assert (pager.number, pager.total, pager.url) == (1, 1, "don-vi/mttq/")
    assert pager.previous_url is None and pager.next_url is None


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.integers(), max_size=60), per_page=st.integers(min_value=1, max_value=25))
def test_paginate_covers_every_item_exactly_once_in_order(items, per_page):
    pages = indexes.paginate(items, per_page, listing_url)
    chunks = [chunk for chunk, _ in pages]
    assert [item for chunk in chunks for item in chunk] == items
    assert len(pages) == max(1, math.ceil(len(items) / per_page))
    assert all(len(chunk) == per_page for chunk in chunks[:-1])
    assert 0 < len(chunks[-1]) <= per_page or items == []
    total = len(pages)
    for number, (_, pager) in enumerate(pages, start=1):
        assert (pager.number, pager.total) == (number, total)
        assert pager.url == listing_url(number)
        assert pager.previous_url == (listing_url(number - 1) if number > 1 else None)
        assert pager.next_url == (listing_url(number + 1) if number < total else None)
    assert len({pager.url for _, pager in pages}) == total
    for _, pager in pages:
        named = [link for link in pager.links if link is not None]
        assert all(link.url == listing_url(link.number) for link in named)
        assert (pager.number, pager.url) in named


def test_pager_names_the_first_the_last_and_two_on_each_side_with_gaps_between():
    assert indexes.pager_numbers(250, 500) == [1, 0, 248, 249, 250, 251, 252, 0, 500]
    assert indexes.pager_numbers(1, 500) == [1, 2, 3, 0, 500]
    assert indexes.pager_numbers(500, 500) == [1, 0, 498, 499, 500]
    assert indexes.pager_numbers(1, 1) == [1]
    assert indexes.pager_numbers(2, 3) == [1, 2, 3]


def test_pager_names_a_single_left_out_page_instead_of_a_gap():
    assert indexes.pager_numbers(5, 9) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert indexes.pager_numbers(1, 5) == [1, 2, 3, 4, 5]
    assert indexes.pager_numbers(1, 6) == [1, 2, 3, 0, 6]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), total=st.integers(min_value=1, max_value=2000))
def test_pager_links_are_few_in_order_and_every_gap_hides_two_pages_or_more(data, total):
    number = data.draw(st.integers(min_value=1, max_value=total))
    numbers = indexes.pager_numbers(number, total)
    named = [n for n in numbers if n]
    assert named == sorted(set(named)) and named[0] == 1 and named[-1] == total
    assert {n for n in range(number - 2, number + 3) if 1 <= n <= total} <= set(named)
    assert len(numbers) <= 9  # whatever the length of the listing
    for before, gap, after in zip(numbers, numbers[1:], numbers[2:]):
        if gap == 0:
            assert after - before > 2
    for before, after in itertools.pairwise(named):
        assert after - before == 1 or 0 in numbers[numbers.index(before):numbers.index(after)]


# --- Grouping ---------------------------------------------------------------------------

def test_by_unit_lists_a_post_under_each_of_its_units_keeping_order():
    a = art("a", "2023-05-01", ("mttq", "doan-tn"))
    b = art("b", "2023-04-01", ("doan-tn",))
    c = art("c", "2022-01-01", ("mttq",))
    groups = indexes.by_unit([a, b, c])
    assert groups == {"mttq": (a, c), "doan-tn": (a, b)}
    assert "hoi-ccb" not in groups


def test_by_year_groups_by_event_date_not_published_newest_year_first():
    late = art("tong-ket-2022", "2022-12-29", published="2023-01-04 16:04")
    early = art("so-ket", "2023-07-01")
    old = art("dai-hoi", "2021-05-01", published="2023-12-30")
    groups = indexes.by_year(newest_first(late, early, old))
    assert list(groups) == [2023, 2022, 2021]
    assert groups == {2023: (early,), 2022: (late,), 2021: (old,)}


def test_latest_orders_by_published_and_limits():
    a = art("a", "2023-07-01")
    b = art("b", "2021-05-01", published="2023-12-30")  # an old event put online last
    c = art("c", "2022-12-29", published="2023-01-04 16:04")
    d = art("d", "2020-01-01")
    assert indexes.latest(newest_first(a, b, c, d), 3) == (b, a, c)
    assert indexes.latest([a, b, c, d], 10) == (b, a, c, d)
    assert indexes.latest([], 5) == ()


def test_latest_breaks_ties_by_event_date_then_slug():
    same = "2023-06-01 09:00"
    x = art("x", "2023-05-01", published=same)
    y = art("y", "2023-05-02", published=same)
    z = art("z", "2023-05-02", published=same)
    assert indexes.latest([x, y, z], 3) == (z, y, x)
    assert indexes.latest([z, x, y], 3) == (z, y, x)


dates = st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2030, 12, 31).date())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(dates, dates, st.sampled_from(["mttq", "doan-tn", "hoi-ccb"])), max_size=30))
def test_by_year_and_by_unit_partition_the_articles(rows):
    articles = newest_first(*(
        art(f"bai-{i}", d.isoformat(), (unit,), published=p.isoformat()) for i, (d, p, unit) in enumerate(rows)
    ))
    years = indexes.by_year(articles)
    assert list(years) == sorted(years, reverse=True)
    assert sorted(a.slug for group in years.values() for a in group) == sorted(a.slug for a in articles)
    for year, group in years.items():
        assert all(a.date.year == year for a in group)
        assert list(group) == [a for a in articles if a.date.year == year]  # order kept
    units = indexes.by_unit(articles)
    assert sum(len(group) for group in units.values()) == len(articles)
    latest = indexes.latest(articles, len(articles))
    assert [a.published for a in latest] == sorted((a.published for a in articles), reverse=True)


# --- Slugs ------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(stem=st.text(max_size=40))
def test_article_urls_from_any_file_name_are_safe(stem):
    """Whatever the clerk names the file, the URL is /tin-tuc/<year>/<[a-z0-9-]>/ or an error."""
    errors = ErrorList()
    article = parse_post(post(date="2022-12-29"), "content/posts/x.md", stem, config(), MarkdownRenderer(), errors)
    if article is None:
        assert [e.code for e in errors] == ["slug.from_filename"]
    else:
        assert SLUG_RE.match(article.slug), article.slug
        assert article.url == f"tin-tuc/2022/{article.slug}/"


@pytest.mark.parametrize(("stem", "slug"), [
    ("Hội nghị tổng kết Đoàn Thanh niên", "hoi-nghi-tong-ket-doan-thanh-nien"),
    ("tong-ket-2022", "tong-ket-2022"),
    ("  Sơ kết 6 tháng  ", "so-ket-6-thang"),
])
def test_slug_comes_from_the_file_name(stem, slug):
    errors = ErrorList()
    article = parse_post(post(), "content/posts/x.md", stem, config(), MarkdownRenderer(), errors)
    assert not errors and article.slug == slug


# --- Vietnamese order of units ------------------------------------------------------------

# Keys in the opposite order to the names, so neither key order nor site.yaml order passes.
ORDER_CONFIG = """\
title: Phường Mẫu
base_url: https://phuong-mau.example.vn/
units:
  k1: {name: Ê Đê}
  k2: {name: Em Bé}
  k3: {name: Đoàn Thanh niên}
  k4: {name: Dân quân}
  k5: {name: Cựu chiến binh}
  k6: {name: Bình An}
  k7: {name: Ấp Mới}
  k8: {name: Ăn Khang}
  k9: {name: An Bình}
"""
VIETNAMESE_ORDER = ["An Bình", "Ăn Khang", "Ấp Mới", "Bình An", "Cựu chiến binh", "Dân quân", "Đoàn Thanh niên",
                    "Em Bé", "Ê Đê"]


def test_units_are_listed_in_vietnamese_alphabetical_order():
    site = config(ORDER_CONFIG)
    outputs = {o.url: o for o in plan(Site(site, (art("a", "2023-01-01", ("k3",)),), ()))}
    assert [u.name for u, _ in outputs["don-vi/"].context["unit_rows"]] == VIETNAMESE_ORDER
    assert [u.name for u, _ in outputs[""].context["unit_counts"]] == VIETNAMESE_ORDER
    assert sorted(VIETNAMESE_ORDER) != VIETNAMESE_ORDER  # code-point order would get it wrong
    counts = {u.key: n for u, n in outputs[""].context["unit_counts"]}
    assert counts["k3"] == 1 and counts["k1"] == 0


# --- The plan -----------------------------------------------------------------------------

@pytest.fixture
def planned():
    site = config(MINIMAL_CONFIG + "feed_items: 3\n")
    a = art("tong-ket-2022", "2022-12-29", ("mttq", "doan-tn"), published="2023-01-04 16:04")
    b = art("hoi-nghi-ccb", "2023-03-05", ("hoi-ccb", "mttq"))
    c = art("so-ket", "2023-07-10", ("mttq",))
    d = art("tong-ket-2023", "2023-12-22", ("mttq",), published="2023-12-23")
    e = art("dai-hoi", "2021-05-01", ("hoi-ccb",), published="2023-12-30 09:00")
    page = Page("content/pages/gioi-thieu.md", "gioi-thieu", "trang/gioi-thieu/", "Giới thiệu", False, "<p>x</p>")
    outputs = plan(Site(site, newest_first(a, b, c, d, e), (page,)))
    return {o.url: o for o in outputs}, {"a": a, "b": b, "c": c, "d": d, "e": e}, outputs


def test_plan_lists_every_page_of_the_site(planned):
    by_url, _, outputs = planned
    assert len(by_url) == len(outputs), "two outputs share a URL"
    search_files = {url for url in by_url if url.startswith("tim-kiem/") and url.endswith(".json")}
    assert "tim-kiem/chi-muc.json" in search_files  # the search index: see tests/test_search.py
    assert set(by_url) - search_files == {"tim-kiem/",
        "", "404.html", "robots.txt", "sitemap.xml", "feed.xml", "trang/gioi-thieu/", "nhan-vat/",
        "tin-tuc/2022/tong-ket-2022/", "tin-tuc/2023/hoi-nghi-ccb/", "tin-tuc/2023/so-ket/",
        "tin-tuc/2023/tong-ket-2023/", "tin-tuc/2021/dai-hoi/",
        "don-vi/", "don-vi/mttq/", "don-vi/mttq/trang-2/", "don-vi/mttq/2023/", "don-vi/mttq/2023/trang-2/",
        "don-vi/mttq/2022/", "don-vi/mttq/feed.xml",
        "don-vi/doan-tn/", "don-vi/doan-tn/2022/", "don-vi/doan-tn/feed.xml",
        "don-vi/hoi-ccb/", "don-vi/hoi-ccb/2023/", "don-vi/hoi-ccb/2021/", "don-vi/hoi-ccb/feed.xml",
        "nam/", "nam/2023/", "nam/2023/trang-2/", "nam/2022/", "nam/2021/",
    }


def titles(output) -> list[str]:
    return [a.slug for a in output.context["articles"]]


def test_unit_listing_is_newest_event_first_and_paginated(planned):
    by_url, _, _ = planned
    assert titles(by_url["don-vi/mttq/"]) == ["tong-ket-2023", "so-ket"]
    assert titles(by_url["don-vi/mttq/trang-2/"]) == ["hoi-nghi-ccb", "tong-ket-2022"]
    assert "don-vi/mttq/trang-3/" not in by_url
    pager = by_url["don-vi/mttq/trang-2/"].context["pager"]
    assert (pager.number, pager.total, pager.previous_url, pager.next_url) == (2, 2, "don-vi/mttq/", None)
    assert by_url["don-vi/mttq/"].context["years"] == [(2023, "don-vi/mttq/2023/"), (2022, "don-vi/mttq/2022/")]
    assert by_url["don-vi/mttq/trang-2/"].context["meta"].title.endswith("— trang 2")


def test_year_listings_follow_the_event_date(planned):
    by_url, _, _ = planned
    assert titles(by_url["nam/2022/"]) == ["tong-ket-2022"]  # published in 2023, held in 2022
    assert titles(by_url["nam/2021/"]) == ["dai-hoi"]
    assert titles(by_url["nam/2023/"]) == ["tong-ket-2023", "so-ket"]
    assert titles(by_url["nam/2023/trang-2/"]) == ["hoi-nghi-ccb"]
    assert [(y, n) for y, n, _ in by_url["nam/"].context["year_rows"]] == [(2023, 3), (2022, 1), (2021, 1)]
    assert titles(by_url["don-vi/hoi-ccb/2021/"]) == ["dai-hoi"]


def test_home_and_feeds_follow_published(planned):
    by_url, _, _ = planned
    assert [a.slug for a in by_url[""].context["latest"]] == [
        "dai-hoi", "tong-ket-2023", "so-ket", "hoi-nghi-ccb", "tong-ket-2022"]
    feed = by_url["feed.xml"].context
    assert [a.slug for a in feed["entries"]] == ["dai-hoi", "tong-ket-2023", "so-ket"]  # feed_items: 3
    assert feed["updated"] == when("2023-12-30 09:00")
    unit_feed = by_url["don-vi/mttq/feed.xml"].context
    assert [a.slug for a in unit_feed["entries"]] == ["tong-ket-2023", "so-ket", "hoi-nghi-ccb"]
    assert unit_feed["alternate"] == "don-vi/mttq/"


def test_home_shows_at_most_ten_latest():
    site = config()
    articles = newest_first(*(art(f"bai-{i:02d}", f"2023-01-{i:02d}") for i in range(1, 16)))
    home = next(o for o in plan(Site(site, articles, ())) if o.url == "")
    assert [a.slug for a in home.context["latest"]] == [f"bai-{i:02d}" for i in range(15, 15 - HOME_ITEMS, -1)]


def test_article_neighbours_walk_the_event_order(planned):
    by_url, arts, _ = planned
    a = by_url["tin-tuc/2022/tong-ket-2022/"].context
    assert (a["newer"], a["older"]) == (arts["b"], arts["e"])
    newest = by_url["tin-tuc/2023/tong-ket-2023/"].context
    assert (newest["newer"], newest["older"]) == (None, arts["c"])
    oldest = by_url["tin-tuc/2021/dai-hoi/"].context
    assert (oldest["newer"], oldest["older"]) == (arts["a"], None)


def test_a_unit_without_posts_gets_an_empty_page_and_feed():
    site = config()
    by_url = {o.url: o for o in plan(Site(site, (art("a", "2023-01-01", ("mttq",)),), ()))}
    assert by_url["don-vi/hoi-ccb/"].context["articles"] == ()
    assert by_url["don-vi/hoi-ccb/"].context["years"] == []
    assert by_url["don-vi/hoi-ccb/feed.xml"].context["entries"] == ()
    assert by_url["don-vi/hoi-ccb/feed.xml"].context["updated"] is None
    assert not any(u.startswith("don-vi/hoi-ccb/") and u[len("don-vi/hoi-ccb/"):][:1].isdigit() for u in by_url)


def test_sitemap_lists_every_html_page_but_404_with_article_lastmod(planned):
    by_url, _, outputs = planned
    entries = dict(by_url["sitemap.xml"].context["entries"])
    html_pages = {o.url for o in outputs if o.template.endswith(".html")} - {"404.html"}
    assert set(entries) == html_pages
    assert entries["tin-tuc/2022/tong-ket-2022/"] == "2023-01-04"
    assert entries["don-vi/"] is None
