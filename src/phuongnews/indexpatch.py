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


def patched_index(last: LastIndex, articles: Sequence[Article], entries: Sequence[search.SearchEntry],
                  config: SiteConfig, folder: str) -> dict[str, bytes] | None:
    """Site URL -> bytes of every index file for `articles` (the site's order) and their
    `entries`, patched from `last`; None when assembling afresh is needed or quicker."""
    now = {article.source: entry for article, entry in zip(articles, entries)}

    def entry_then(source: str) -> search.SearchEntry | None:
        # A post whose digest is the same has the entry it had (same program, same settings).
        return last.changed[source] if source in last.changed else now.get(source)

    then = [entry_then(source) for source in last.posts]
    if None in then:
        return None  # a post that went, without its last entry
    numbering, after = search.numbered(entries)
    numbering_then, before = search.numbered(then)
    if numbering_then != numbering:
        return None  # every number moves
    old_at = dict(zip(before, last.posts))
    new_at = {number: article.source for number, article in zip(after, articles)}
    changes = []
    for number in sorted(old_at.keys() | new_at.keys()):
        old_source, new_source = old_at.get(number), new_at.get(number)
        if old_source == new_source and old_source not in last.changed:
            continue
        old = entry_then(old_source) if old_source is not None else None
        new = now[new_source] if new_source is not None else None
        if old != new:
            changes.append((number, old, new))
    if not few(len(changes), len(entries)):
        return None
    patched = search.patched_files(last.read, last.names, folder, config.units, changes, numbering)
    return patched.files if patched is not None else None
