"""Which pages a change of posts can reach: the dependency map of an incremental build.

The plan names, on each page, what its values are made from (plan.Output.family): a post's
own pages are made from the post and its neighbours, a unit's listings and feed from the
unit's posts, a person's pages from their appearances, and so on; pages made from the whole
site (home, feed, sitemap, people, the search index) have no family and are always signed
again. So when posts are added, removed or changed, the pages whose values can differ from
the last build's are those of the families the changed posts belong to, before and after:

- their own pages (article, redirects), and the posts next to them in the site's order
  (whose newer/older links name them);
- the posts within `indexes.RELATED_WINDOW` places of them in any of their units' lists,
  whose related posts are looked for there;
- their units' listings and feeds, the listings of their units in their year, their year's
  listing, their speakers' pages, their task lists' programme pages.

Every other page holds the same values it held, and keeps the signature the build cache
records for it (holdings.pages_to_sign); tests/test_incremental.py checks the result against
clean builds over random sequences of changes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence

from phuongnews.indexes import RELATED_WINDOW
from phuongnews.models import Article


def reached_families(before: Sequence[Article], after: Sequence[Article], changed: Collection[str]) -> set[tuple]:
    """The families (plan.Output.family) whose pages can differ. `before`: the last build's
    published posts in the site's order, as parsed then; `after`: this build's; `changed`:
    sources of the posts added, removed or changed (found in either)."""
    reached: set[tuple] = set()
    for order in (before, after):
        sources = [article.source for article in order]
        place = {source: index for index, source in enumerate(sources)}
        found = [place[source] for source in changed if source in place]
        # The changed posts' units' lists of posts, as indexes.related makes them, in one pass.
        units = {key for index in found for key in order[index].units}
        unit_lists: dict[str, list[int]] = {key: [] for key in units}
        for n, other in enumerate(order):
            for key in other.units:
                if key in units:
                    unit_lists[key].append(n)
        for index in found:
            article = order[index]
            reached.update(("post", sources[near]) for near in range(max(0, index - 1), min(len(order), index + 2)))
            for key in article.units:
                numbers = unit_lists[key]
                at = bisect_left(numbers, index)
                reached.update(("post", sources[n]) for n in numbers[max(0, at - RELATED_WINDOW): at + RELATED_WINDOW + 1])
            reached.update(own_families(article))
    return reached


def own_families(article: Article) -> set[tuple]:
    """The families a post is in, beside its own and its neighbours' pages."""
    families: set[tuple] = {("year", article.year)}
    for key in article.units:
        families.add(("unit", key))
        families.add(("unit-year", key, article.year))
    # A task list's unit is one of the post's (content._tasks checks it), whose listings,
    # which link to its programmes, are reached already.
    families.update(("programme", key, tasks.year) for tasks in article.tasks
                    for key in ((tasks.unit,) if tasks.unit else article.units))
    families.update(("person", speaker.key) for speaker in article.speakers if speaker.key)
    return families
