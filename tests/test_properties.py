"""Property-based tests: whatever text a clerk's file holds, reading it gives a value or
errors from the message catalogue with sensible lines, never an exception."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from phuongnews import urls
from phuongnews.config import parse_config
from phuongnews.content import POST_KEYS, parse_page, parse_post
from phuongnews.dates import MAX_YEAR, MIN_YEAR, parse_date
from phuongnews.errors import ErrorList
from phuongnews.markup import MarkdownRenderer
from phuongnews.messages import codes, message_text
from phuongnews.models import UrlPatterns
from phuongnews.sources import decode_source
from phuongnews.vietnamese import clean_text, slugify_vi
from tests.conftest import MINIMAL_CONFIG, post

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUGS = st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8), min_size=1, max_size=5).map(
    "-".join
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONFIG = parse_config(MINIMAL_CONFIG, "site.yaml", ErrorList())
RENDERER = MarkdownRenderer()
SOURCE = "content/posts/2023/a.md"

# Pieces that reach the interesting paths of the YAML and front-matter readers.
KEYS = st.sampled_from((*POST_KEYS, "tittle", "name", "role", "items", "year", "unit", "<<", "? x", "- y", '"title"'))
SCALARS = st.one_of(
    st.text(max_size=15),
    st.sampled_from([
        "2023-12-22", "2023-12-22 14:30", "29/12/2022", "2023-02-30", "9999-01-01", "[mttq]", "mttq",
        "[mttq, doan-tn]", "true", "có", "~", "null", "12", "1e400", "0x1F", "&a x", "*a", "!!binary aGk=",
        "!!python/object/apply:os.system [ls]", "!include x", "[", "{", '"', "'", "|", ">", "%", "@", "`",
        "\t", "- a", "{a: 1}", "[[[[1]]]]", "Hội nghị tổng kết", "a: b", "#", "---", "...",
    ]),
)
LINES = st.one_of(
    st.builds("{}: {}".format, KEYS, SCALARS),
    st.builds("  - {}".format, SCALARS),
    st.builds("  {}: {}".format, KEYS, SCALARS),
    st.builds("    - {}: {}".format, KEYS, SCALARS),
    st.text(max_size=20),
)
FRONT_MATTER = st.builds(
    lambda lines, closer, body: "---\n" + "\n".join(lines) + closer + body,
    st.lists(LINES, max_size=12),
    st.sampled_from(["\n---\n", "\n...\n", "\n", "\n--- \n", "\n----\n"]),
    st.text(max_size=40),
)
# A valid post with one field, or one extra line, replaced by anything.
MUTATED_POST = st.one_of(
    st.builds(lambda title: post(title=title), SCALARS),
    st.builds(lambda date: post(date=date), SCALARS),
    st.builds(lambda units: post(units=units), SCALARS),
    st.builds(lambda line: post(extra=line), LINES),
    st.builds(lambda body: post(body=body), st.text(max_size=60)),
)
FILE_TEXT = st.one_of(FRONT_MATTER, MUTATED_POST, st.text(max_size=120))


def assert_catalogued(errors: ErrorList, text: str) -> None:
    """Every error has a catalogued code, prints in both languages, and points at a line of the file."""
    line_count = text.count("\n") + 1
    for error in errors:
        assert error.code in codes(), error
        assert error.format("vi") and error.format("en")
        assert error.line is None or 1 <= error.line <= line_count, (error, line_count)


@FAST
@given(FILE_TEXT)
@example("---\ntitle: " + "[" * 1000 + "]" * 1000 + "\n---\n")
@example("---\n!!python/object/apply:os.system\nargs: [ls]\n---\n")
@example("---\na: &a [x, x]\nb: [*a, *a]\n---\n")
def test_any_post_text_gives_an_article_or_errors(text):
    errors = ErrorList()
    decoded = decode_source(text.encode("utf-8"), SOURCE, errors)
    article = None
    if decoded is not None:
        assert "\r" not in decoded and unicodedata.is_normalized("NFC", decoded)
        article = parse_post(decoded, SOURCE, "a", CONFIG, RENDERER, errors)
        page = parse_page(decoded, "content/pages/a.md", "a", CONFIG, RENDERER, ErrorList())
        assert page is None or page.title
    if article is None:
        assert errors, "refused without saying why"
    else:
        assert not errors
        assert article.title and article.units and SLUG_RE.match(article.slug)
        assert MIN_YEAR <= article.date.year <= MAX_YEAR
    assert_catalogued(errors, decoded if decoded is not None else text)


@FAST
@given(st.binary(max_size=200))
@example(b"\xff\xfe---\x00")
@example(b"\xef\xbb\xbf")
def test_any_bytes_decode_to_clean_text_or_one_error(data):
    errors = ErrorList()
    text = decode_source(data, SOURCE, errors)
    if text is None:
        assert len(errors) == 1
        assert_catalogued(errors, data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n"))
    else:
        assert not errors and text.strip()
        assert "\r" not in text and "\ufeff" not in text[:1] and unicodedata.is_normalized("NFC", text)


# --- Slugs ------------------------------------------------------------------------------------

@FAST
@given(st.text(max_size=300))
@example("Đ" * 200)
@example("a\u0301" * 100)
def test_slugify_vi_gives_a_slug_or_nothing(text):
    slug = slugify_vi(text)
    assert slug == "" or SLUG_RE.match(slug)
    assert len(slug) <= 80


@FAST
@given(st.one_of(st.text(max_size=40), SLUGS))
@example("Hội Nghị")
@example("!!!")
def test_a_written_slug_is_kept_or_refused_with_a_usable_suggestion(written):
    errors = ErrorList()
    text = post(extra="slug: " + _yaml_string(written))
    article = parse_post(text, SOURCE, "a", CONFIG, RENDERER, errors)
    if article is not None:
        assert not errors
        assert article.slug == (clean_text(written) or "a")  # a blank slug: the file name's
        assert SLUG_RE.match(article.slug)
    else:
        (error,) = errors
        assert error.code == "slug.invalid", error
        assert SLUG_RE.match(error.params["suggestion"]), error.params  # a clerk can copy it as is


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`."""
    escaped = "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\U{ord(ch):08x}" for ch in value)
    return f'"{escaped}"'


# --- Dates ------------------------------------------------------------------------------------

DATE_LIKE = st.from_regex(r"\d{1,5}[-/.]\d{1,3}[-/.]\d{1,5}([ T,]+\d{1,3}[:h]\d{1,3}(:\d{1,3})?)?", fullmatch=True)


@FAST
@given(st.one_of(st.text(max_size=30), DATE_LIKE))
@example("2023-02-29")
@example("04/01/2023 8h30")
@example("0000-00-00")
def test_any_date_text_gives_a_date_or_a_catalogued_error(text):
    parsed = parse_date(text, CONFIG.timezone)
    assert (parsed.value is None) != (parsed.error is None)
    if parsed.error:
        assert parsed.error in codes()
        message_text(parsed.error, "vi", dict(parsed.params))
        message_text(parsed.error, "en", dict(parsed.params))
    else:
        assert parsed.value.tzinfo is not None
        assert MIN_YEAR <= parsed.value.year <= MAX_YEAR
        assert parsed.has_time or (parsed.value.hour, parsed.value.minute, parsed.value.second) == (0, 0, 0)


@FAST
@given(st.datetimes(min_value=datetime(MIN_YEAR, 1, 1), max_value=datetime(MAX_YEAR, 12, 31, 23, 59)))
def test_iso_dates_read_back_exactly(moment):
    parsed = parse_date(f"{moment:%Y-%m-%d %H:%M}", CONFIG.timezone)
    assert parsed.has_time
    assert parsed.value.replace(tzinfo=None) == moment.replace(second=0, microsecond=0)
    day_first = parse_date(f"{moment:%d/%m/%Y}", CONFIG.timezone)
    assert day_first.error == "date.day_first"
    assert dict(day_first.params)["iso"] == f"{moment:%Y-%m-%d}"


# --- URLs -------------------------------------------------------------------------------------

YEARS = st.integers(MIN_YEAR, MAX_YEAR)


def assert_safe(url: str) -> None:
    assert not url.startswith("/"), url
    assert "//" not in url and "\\" not in url, url
    assert ".." not in url.split("/"), url
    assert urls.output_path(url).endswith((".html", ".xml")), url


@FAST
@given(SLUGS, YEARS, SLUGS, st.integers(1, 10_000), st.sampled_from(["/", "/phuong-quynh-thien/"]))
def test_urls_from_valid_slugs_and_years_stay_relative(slug, year, unit, number, base_path):
    patterns = UrlPatterns()
    built = [
        urls.article(patterns, year, slug), urls.page(patterns, slug), urls.unit(patterns, unit),
        urls.unit_year(patterns, unit, year), urls.unit_feed(patterns, unit), urls.year(patterns, year),
        urls.units(patterns), urls.years(patterns),
    ]
    built += [urls.paginated(patterns, first, number) for first in built if first.endswith("/")]
    for url in built:
        assert_safe(url)
        link = urls.link(base_path, url)
        assert link.startswith(base_path) and "//" not in link
    assert urls.article(patterns, year, slug).split("/")[-2] == slug  # the slug is the last folder
