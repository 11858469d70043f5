"""The preview's shortcut for edits of posts' bodies: the last plan with the new posts swapped
in must be exactly what planning the edited site gives, on every kind of page."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime

import pytest

from phuongnews import bodyedit, urls
from phuongnews.build import BuildOptions, load_site
from phuongnews.models import Site
from phuongnews.plan import RAW, plan
from tests.conftest import REPO


@pytest.fixture(scope="module")
def example() -> Site:
    site = load_site(BuildOptions(site_dir=REPO, now=datetime(2030, 1, 1, tzinfo=UTC)))
    # An old address too, so redirect pages are among the pages that hold a post.
    first = dataclasses.replace(site.articles[0], aliases=("tin-cu/bai-dau/",))
    return dataclasses.replace(site, articles=(first, *site.articles[1:]))


def _by_path(outputs):
    return {urls.output_path(output.url): output for output in outputs}


def _edited(site: Site, which: tuple[int, ...]) -> Site:
    articles = list(site.articles)
    for index in which:
        articles[index] = dataclasses.replace(articles[index], body_html=articles[index].body_html + "<p>Thêm.</p>")
    return dataclasses.replace(site, articles=tuple(articles))


def test_the_example_site_has_every_kind_of_page_that_holds_a_post(example):
    """So the next test covers them all: the walk must find posts inside people and task lists."""
    outputs = _by_path(plan(example))
    held = bodyedit.references(outputs)
    templates = {outputs[path].template for spots in held.values() for path, _key, _index in spots}
    assert templates == {"home.html", "article.html", "redirect.html", "listing.html", "feed.xml", "people.html",
                         "person.html", "programme.html"}


@pytest.mark.parametrize("count", [1, 2, 3])
def test_swapping_edited_posts_into_the_last_plan_is_planning_again(example, count):
    old = _by_path(plan(example))
    held = bodyedit.references(old)
    for which in itertools.combinations(range(len(example.articles)), count):
        edited = _edited(example, which)
        swaps = bodyedit.body_edits(example.articles, edited.articles)
        assert swaps is not None and len(swaps) == count
        changed = bodyedit.swapped(old, held, swaps)
        fresh = _by_path(plan(edited))
        assert set(fresh) == set(old)
        for path, output in fresh.items():
            if output.template == RAW:
                continue  # the search index is made anew (search.IndexMemo), not swapped
            mine = changed.get(path, old[path])
            assert (mine.template, mine.context) == (output.template, output.context), (which, path)
            # A page left as it was must not hold an edited post.
            assert (path in changed) == (old[path].context != output.context), (which, path)
        moved = bodyedit.moved_references(held, swaps)
        assert moved == bodyedit.references({**old, **changed})


def test_any_change_but_the_body_is_planned_again(example):
    articles = example.articles
    first = articles[0]
    assert bodyedit.body_edits(articles, articles) == {}
    for change in ({"title": first.title + " (sửa)"}, {"units": first.units[:1] + ("hoi-ccb",)},
                   {"summary": "Tóm tắt mới"}, {"date": first.date.replace(year=2019)}, {"aliases": ()},
                   {"speakers": ()}, {"tasks": ()}, {"photos": ()} if first.photos else {"cover": "/anh/moi.jpg"}):
        edited = (dataclasses.replace(first, **change), *articles[1:])
        assert bodyedit.body_edits(articles, edited) is None, change
    assert bodyedit.body_edits(articles, articles[1:]) is None  # a post gone
    assert bodyedit.body_edits(articles, (articles[1], articles[0], *articles[2:])) is None  # reordered
