"""Grouping and pagination: pure functions over the gathered articles."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from phuongnews.models import Article, TaskList


def by_unit(articles: Sequence[Article]) -> dict[str, tuple[Article, ...]]:
    """Unit key -> its articles, keeping the given (newest-first) order."""
    groups: dict[str, list[Article]] = {}
    for article in articles:
        for key in article.units:
            groups.setdefault(key, []).append(article)
    return {key: tuple(items) for key, items in groups.items()}


def by_year(articles: Sequence[Article]) -> dict[int, tuple[Article, ...]]:
    """Event year -> articles, years newest first."""
    groups: dict[int, list[Article]] = {}
    for article in articles:
        groups.setdefault(article.year, []).append(article)
    return {year: tuple(groups[year]) for year in sorted(groups, reverse=True)}


def latest(articles: Sequence[Article], count: int) -> tuple[Article, ...]:
    """What went online last, for the home page and feeds (by `published`, not event date)."""
    return tuple(sorted(articles, key=lambda a: (a.published, a.date, a.slug), reverse=True)[:count])


# Pages a pager names on each side of the current one. The first and the last are always
# named, and "…" stands for the pages left out: a listing of 500 pages draws 9 links on each
# page, not 500 (which made every listing page of a large site 20 KB of page numbers, and
# rendering and signing the listings grow with the square of their length).
PAGER_WINDOW = 2


class PageLink(NamedTuple):
    number: int  # 1-based
    url: str  # site URL


@dataclass(frozen=True)
class Pager:
    number: int  # 1-based
    total: int
    url: str  # this page's site URL
    previous_url: str | None
    next_url: str | None
    links: tuple[PageLink | None, ...]  # the pages named, in order; None: a gap of pages left out


def paginate(items: Sequence, per_page: int, urls_for) -> list[tuple[tuple, Pager]]:
    """Split `items` into pages; `urls_for(n)` gives page n's URL. An empty listing still has
    one (empty) page, so a unit with no posts yet has a page that says so."""
    chunks = [tuple(items[i : i + per_page]) for i in range(0, len(items), per_page)] or [()]
    total = len(chunks)
    page_urls = [urls_for(n) for n in range(1, total + 1)]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        links = tuple(PageLink(n, page_urls[n - 1]) if n else None for n in pager_numbers(number, total))
        pager = Pager(number, total, page_urls[number - 1], page_urls[number - 2] if number > 1 else None,
                      page_urls[number] if number < total else None, links)
        pages.append((chunk, pager))
    return pages


def pager_numbers(number: int, total: int, window: int = PAGER_WINDOW) -> list[int]:
    """The page numbers a pager on page `number` of `total` names, 0 for a gap: the first, the
    last and `window` on each side of this one. A gap of a single page names that page instead,
    since "…" would take as much room as its number."""
    shown = sorted({1, total, *range(max(1, number - window), min(total, number + window) + 1)})
    numbers: list[int] = []
    for n in shown:
        if numbers and n - numbers[-1] == 2:
            numbers.append(n - 1)
        elif numbers and n - numbers[-1] > 2:
            numbers.append(0)
        numbers.append(n)
    return numbers


# Related posts: how many a post shows, and how far along each of its units' lists they are
# looked for (reach.py relies on it: a post added or removed changes only the related posts
# of those within this many places of it in a list).
RELATED_COUNT = 3
RELATED_WINDOW = 3


def related(articles: Sequence[Article], count: int = RELATED_COUNT, window: int = RELATED_WINDOW,
            among: Collection[str] | None = None) -> dict[str, tuple[Article, ...]]:
    """Article URL -> up to `count` other posts sharing its units, closest in time first;
    for the posts whose sources are `among` alone, if given.

    Candidates are the `window` neighbours on each side in each of its units' date-ordered
    lists, so the cost grows with the number of posts, not its square. Ranked by units shared,
    then distance in time, then URL."""
    # Posts are numbered, their units are bits and their dates whole microseconds, so each of
    # the ~10 candidates a post has is ranked by a tuple of ints (0.14 s against 0.24 s at
    # 10,000 posts: this was a third of planning).
    lists: dict[str, list[int]] = {}
    for number, article in enumerate(articles):
        for key in article.units:
            found = lists.get(key)
            if found is None:
                found = lists[key] = []
            found.append(number)
    if among is None:
        near: list[list[int]] | dict[int, list[int]] = [[] for _ in articles]
        for items in lists.values():
            for i, number in enumerate(items):
                near[number] += items[max(0, i - window): i + window + 1]
        wanted, looked_at = range(len(articles)), range(len(articles))
        masks, moments = [0] * len(articles), [0] * len(articles)
    else:  # a few posts (an incremental build's): each one's place in its lists found by bisection
        near = {}
        for number, article in enumerate(articles):
            if article.source in among:
                found = near[number] = []
                for key in article.units:
                    items = lists[key]
                    at = bisect_left(items, number)
                    found += items[max(0, at - window): at + window + 1]
        wanted, looked_at = list(near), {other for found in near.values() for other in found}
        masks, moments = {}, {}
    bits = {key: 1 << place for place, key in enumerate(lists)}
    for number in looked_at:
        article = articles[number]
        mask = 0
        for key in article.units:
            mask |= bits[key]
        masks[number] = mask
        moments[number] = (article.date - _EPOCH) // _MICROSECOND
    addresses = [article.url for article in articles]
    result: dict[str, tuple[Article, ...]] = {}
    for number in wanted:
        candidates = set(near[number])
        candidates.discard(number)
        mask, moment = masks[number], moments[number]
        ranked = sorted([(-(mask & masks[other]).bit_count(), abs(moment - moments[other]), addresses[other], other)
                         for other in candidates])
        result[addresses[number]] = tuple([articles[entry[-1]] for entry in ranked[:count]])
    return result


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def programmes(articles: Sequence[Article]) -> dict[tuple[str, int], tuple[tuple[Article, TaskList], ...]]:
    """(unit key, year) -> every task list for that unit and year, newest post first. A list
    without a unit belongs to all the post's units."""
    found: dict[tuple[str, int], list[tuple[Article, TaskList]]] = {}
    for article in articles:
        for tasks in article.tasks:
            for key in ((tasks.unit,) if tasks.unit else article.units):
                found.setdefault((key, tasks.year), []).append((article, tasks))
    return {key: tuple(found[key]) for key in sorted(found, key=lambda k: (k[0], -k[1]))}
