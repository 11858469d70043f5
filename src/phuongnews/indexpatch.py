"""The search index of an incremental build, patched from the files the last build wrote.

Assembling the index from every post's words is the longest step of planning (0.65–0.9 s at
10,000 posts, on a core of its own). Document numbers come from the posts' dates
(search.Numbering), so after a few posts were added, removed or changed, only the numbers of
their days change: the index files in the output folder are patched for those numbers
(search.patched_files), and the files it did not touch keep their bytes, so a deploy uploads
only those that changed.

Pure but for `LastIndex.read`: the build (`build._last_index`) gathers what the last build left
and checks that its index files are still as it wrote them; the result is byte for byte the
index assembled afresh (tests/test_incremental.py: random change sequences, and a test that
forbids assembling afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from phuongnews import search
from phuongnews.models import Article, SiteConfig

# Above this share of changed posts (and this many), assembling afresh is about as quick.
MAX_CHANGED = 0.1
MAX_CHANGED_ANYWAY = 8


def few(changed: int, posts: int) -> bool:
    """Whether `changed` posts of `posts` are few enough to patch the index for."""
    return changed <= max(MAX_CHANGED_ANYWAY, MAX_CHANGED * posts)


@dataclass(frozen=True)
class LastIndex:
    """What the last build into the output folder left of the search index, made with the
    same program and settings as this build's."""

    posts: tuple[str, ...]  # its posts' sources, in the site's order then
    changed: Mapping[str, search.SearchEntry]  # source -> its entry then, for the posts gone or changed since
    read: Callable[[str], bytes]  # site URL -> the bytes of its index file
    names: frozenset[str]  # the site URLs of its index files


def patched_index(last: LastIndex, articles: Sequence[Article], entry: Callable[[Article], search.SearchEntry],
                  config: SiteConfig, folder: str) -> dict[str, bytes] | None:
    """Site URL -> bytes of every index file for `articles` (the site's order), whose entries
    `entry` gives, patched from `last`; None when assembling afresh is needed or quicker.
    Only the entries of the posts whose numbers change are asked for: a post loaded light
    from the cache (models.LightArticle) is not read whole for the others."""
    now = {article.source: article for article in articles}
    for source in last.posts:
        if source not in last.changed and source not in now:
            return None  # a post that went, without its last entry
    # A post's number comes from its day: an unchanged post's is its day now.
    days_then = [search.day_of(last.changed[source].iso_date) if source in last.changed else _day(now[source])
                 for source in last.posts]
    numbering, after = search.numbered_days([_day(article) for article in articles])
    numbering_then, before = search.numbered_days(days_then)
    if numbering_then != numbering:
        return None  # every number moves
    old_at = dict(zip(before, last.posts))
    new_at = {number: article.source for number, article in zip(after, articles)}
    changes = []
    for number in sorted(old_at.keys() | new_at.keys()):
        old_source, new_source = old_at.get(number), new_at.get(number)
        if old_source == new_source and old_source not in last.changed:
            continue
        old = None
        if old_source is not None:  # its entry then: the last build's, or, the same post unchanged, its own
            old = last.changed[old_source] if old_source in last.changed else entry(now[old_source])
        new = entry(now[new_source]) if new_source is not None else None
        if old != new:
            changes.append((number, old, new))
    if not few(len(changes), len(articles)):
        return None
    patched = search.patched_files(last.read, last.names, folder, config.units, changes, numbering)
    return patched.files if patched is not None else None


def _day(article: Article) -> int:
    return article.date.date().toordinal()  # as search.post_entry's iso_date
