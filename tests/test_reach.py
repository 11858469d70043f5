"""reach.py, the dependency map, checked against the plan itself: after any change of a few
posts, every page whose planned values differ is of a family the change reaches (or of none:
those pages are always signed again)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from phuongnews.fingerprint import known_reducers, signature, text_digest
from phuongnews.models import Article, Site, Speaker, TaskList
from phuongnews.plan import plan
from phuongnews.reach import reached_families
from tests.test_urls_indexes import art, config, newest_first

CONFIG = config()
UNITS = ("mttq", "doan-tn", "hoi-ccb")
SPEAKERS = ("ho-sy-tung", "nguyen-van-an")

# A post: its day (of a few weeks across a new year, so years come and go), units, speaker, and
# whether it has a task list (for all its units, or for its first).
posts = st.tuples(
    st.integers(0, 40),
    st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True),
    st.sampled_from((None, *SPEAKERS)),
    st.sampled_from((None, "all", "first")),
)


def made(number: int, spec) -> Article:
    day, units, speaker, tasks = spec
    article = art(f"bai-{number}", "2022-12-10", tuple(units))
    date = article.date + timedelta(days=day)
    return dataclasses.replace(
        article, date=date, published=date,
        speakers=(Speaker(speaker.replace("-", " ").title(), "Bí thư", None, speaker),) if speaker else (),
        tasks=(TaskList(units[0] if tasks == "first" else None, date.year + 1, "Nhiệm vụ", ("Việc",)),)
        if tasks else ())


def planned(articles: list[Article]) -> dict[str, tuple]:
    """URL -> (family, signature of the planned values), a post counting as all its fields."""
    digest_of = {id(article): text_digest(repr(article), article.body_html) for article in articles}
    reducers = known_reducers((Article,), digest_of)
    site = Site(config=CONFIG, articles=newest_first(*articles), pages=())
    return {output.url: (output.family, signature((output.template,), output.context, reducers))
            for output in plan(site)}


@settings(max_examples=150, deadline=None)
@given(st.lists(posts, min_size=1, max_size=14), st.data())
def test_every_page_a_change_of_posts_alters_is_of_a_family_it_reaches(specs, data):
    before = [made(number, spec) for number, spec in enumerate(specs)]
    after = list(before)
    changed = set()
    for _ in range(data.draw(st.integers(1, 3))):
        how = data.draw(st.sampled_from(("add", "remove", "change")))
        if how == "add" or not after:
            after.append(made(len(specs) + len(changed), data.draw(posts)))
            changed.add(after[-1].source)
        else:
            index = data.draw(st.integers(0, len(after) - 1))
            changed.add(after[index].source)
            if how == "remove":
                del after[index]
            else:  # same file, new front matter
                new = made(0, data.draw(posts))
                after[index] = dataclasses.replace(new, source=after[index].source, slug=after[index].slug,
                                                   url=after[index].url, title=after[index].title)
    reached = reached_families(newest_first(*before), newest_first(*after), changed)
    old, new = planned(before), planned(after)
    for url in old.keys() | new.keys():
        if old.get(url) != new.get(url):
            family = (new.get(url) or old.get(url))[0]
            assert family is None or family in reached, (url, family)


def test_a_post_added_reaches_its_neighbours_and_those_near_it_in_its_units():
    # Ten Hội CCB posts a day apart, the fifth also the Đoàn's; one more between the 4th and 5th.
    before = [made(n, (n, ["hoi-ccb", "doan-tn"] if n == 5 else ["hoi-ccb"], None, None)) for n in range(10)]
    added = dataclasses.replace(made(10, (0, ["doan-tn"], "ho-sy-tung", "all")),
                                date=before[4].date + timedelta(hours=12), published=before[4].date)
    reached = reached_families(newest_first(*before), newest_first(*before, added), {added.source})
    posts_reached = {family[1] for family in reached if family[0] == "post"}
    # Itself, the two beside it, and within three places in the Đoàn's list (only bai-5 there).
    assert posts_reached == {added.source, before[4].source, before[5].source}
    assert reached - {("post", source) for source in posts_reached} == {
        ("unit", "doan-tn"), ("unit-year", "doan-tn", 2022), ("year", 2022), ("person", "ho-sy-tung"),
        ("programme", "doan-tn", 2023)}
