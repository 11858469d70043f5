"""Planning again after a few posts changed (plan.LastPlan, the preview's way after a save
that changed more than a body): the pages of the families the change cannot reach are taken
from the last plan, the others planned. The result must be exactly a plan from nothing, over
random changes of every kind a clerk makes: a title, a date (into another year too), units,
speakers, task lists, a post added or deleted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phuongnews import bodyedit, urls
from phuongnews.build import BuildOptions, load_site
from phuongnews.models import Site
from phuongnews.plan import last_plan, plan
from phuongnews.reach import reached_families
from tests.conftest import REPO


@pytest.fixture(scope="module")
def example() -> Site:
    """The example site with twice its posts and two a page, so listings have several pages."""
    site = load_site(BuildOptions(site_dir=REPO, now=datetime(2030, 1, 1, tzinfo=UTC)))
    copies = [_copy(site, article, n) for n, article in enumerate(site.articles)]
    config = dataclasses.replace(site.config, per_page=2)
    return dataclasses.replace(site, config=config, articles=_ordered((*site.articles, *copies)))


def _copy(site: Site, article, n: int, days: int = 40):
    slug = f"{article.slug}-ban-sao-{n}"
    date = article.date - timedelta(days=days)
    return dataclasses.replace(article, source=f"content/posts/ban-sao-{n}.md", slug=slug, date=date, published=date,
                               url=urls.article(site.config.urls, date.year, slug), aliases=(), derived=None)


def _ordered(articles):
    return tuple(sorted(articles, key=lambda a: (a.date, a.published, a.slug), reverse=True))


def _described(outputs):
    return [(output.url, output.template, output.context, output.source, output.family) for output in outputs]


CHANGES = st.lists(st.tuples(st.sampled_from(["title", "date", "year", "units", "speakers", "tasks", "add", "remove"]),
                             st.integers(0, 1_000)), min_size=1, max_size=3)


def _changed(site: Site, changes) -> tuple:
    articles = list(site.articles)
    units = [unit.key for unit in site.config.units]
    for step, (kind, n) in enumerate(changes):
        index = n % len(articles)
        article = articles[index]
        if kind == "title":
            articles[index] = dataclasses.replace(article, title=article.title + f" ({n})")
        elif kind in ("date", "year"):
            date = article.date + (timedelta(days=n % 20 + 1) if kind == "date" else timedelta(days=366 * (1 + n % 2)))
            articles[index] = dataclasses.replace(article, date=date, url=urls.article(site.config.urls, date.year, article.slug))
        elif kind == "units":
            keys = (units[n % len(units)], *[key for key in article.units if key != units[n % len(units)]][: n % 2])
            tasks = tuple(task for task in article.tasks if task.unit is None or task.unit in keys)
            articles[index] = dataclasses.replace(article, units=keys, tasks=tasks)
        elif kind == "speakers":
            other = articles[(index + 1 + n) % len(articles)]
            articles[index] = dataclasses.replace(article, speakers=article.speakers[: n % 2] + other.speakers[:1])
        elif kind == "tasks":
            articles[index] = dataclasses.replace(article, tasks=article.tasks[1:])
        elif kind == "add":
            articles.append(_copy(site, article, 1_000 + step, days=n % 500))
        elif kind == "remove" and len(articles) > 2:
            del articles[index]
        articles = list(_ordered(articles))
    return tuple(articles)


@settings(max_examples=60, deadline=None)
@given(changes=CHANGES)
def test_planning_again_from_the_last_plan_is_planning_from_nothing(example, changes):
    before = plan(example)
    after = dataclasses.replace(example, articles=_changed(example, changes))
    old = {article.source: article for article in example.articles}
    changed = {article.source for article in after.articles if old.get(article.source) is not article}
    changed |= old.keys() - {article.source for article in after.articles}
    last = last_plan(before, reached_families(example.articles, after.articles, changed))
    replanned = plan(after, last=last)
    assert _described(replanned) == _described(plan(after))
    # Something was taken, or the test would show nothing: the pages of families not reached.
    taken = {id(output) for output in before}
    assert any(id(output) in taken for output in replanned)
    # Which pages hold which post, found again from the last plan's by walking the pages planned again.
    old_pages, new_pages = _by_path(before), _by_path(replanned)
    found = bodyedit.references_after(bodyedit.references(old_pages), old_pages, new_pages)
    assert _sorted(found) == _sorted(bodyedit.references(new_pages))


def _by_path(outputs):
    return {urls.output_path(output.url): output for output in outputs}


def _sorted(references):
    return {post: sorted(spots, key=repr) for post, spots in references.items()}


def test_a_change_reaches_only_its_own_families(example):
    """One retitled post: its page, its neighbours', its units', year's and speakers' listings
    are planned; another year's listing is the very page planned last time."""
    before = plan(example)
    article = example.articles[0]
    retitled = dataclasses.replace(article, title=article.title + " (sửa)")
    after = dataclasses.replace(example, articles=(retitled, *example.articles[1:]))
    last = last_plan(before, reached_families(example.articles, after.articles, {article.source}))
    replanned = {output.url: output for output in plan(after, last=last)}
    old = {output.url: output for output in before}
    other_years = [output for output in before if output.family and output.family[0] == "year"
                   and output.family[1] != article.year]
    assert other_years and all(replanned[output.url] is output for output in other_years)
    assert replanned[article.url] is not old[article.url]
    assert replanned[article.url].context["article"] is retitled
