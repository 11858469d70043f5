"""Which pages hold which posts, kept between builds so that after a few posts changed only
the pages they can reach are signed again.

Signing every page (serialising its planned values, see incremental.py) is the largest step
of an incremental build after loading and planning: about 1 s at 10,000 posts. Planning
reads nothing of a post's body (bodyedit.py; tests/test_bodyedit.py checks it on every kind
of page). So when the posts that changed since the last build changed in their body alone,
and the site is otherwise what it was (the same posts in the same order, the same program,
settings, templates and fixed pages, the same pages planned), every page that holds none of
them has the signature the build cache records for it. The pages that hold one are signed
again, and so are those that hold no post at all (the search index's files are made from the
posts' words). When posts were added or removed, or changed in more than their body, the
pages signed again are also those of the families they reach (reach.py): the rest of the
site holds the same values as before."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from phuongnews import urls
from phuongnews.models import Article
from phuongnews.reach import reached_families

# Above this share of changed posts (and this many), signing every page costs about the same.
MAX_CHANGED = 0.1
MAX_CHANGED_ANYWAY = 8


@dataclass(frozen=True)
class Holdings:
    env: str  # digest of what every page depends on: program, settings, templates, fixed pages
    posts: tuple[str, ...]  # the published posts' sources, in the site's order
    paths: tuple[str, ...]  # the output paths of the pages planned, in order
    digests: dict[str, str]  # source -> the post's digest (digest_of), to tell which changed
    keys: dict[str, str]  # source -> its parse key, to find its last version in the parse cache
    held: dict[str, tuple[str, ...]]  # source -> output paths of the pages whose values hold the post
    unheld: tuple[str, ...]  # output paths of the pages that hold no post, or that were not signed


def make_holdings(env: str, articles: Sequence[Article], paths: Sequence[str], digest_of: Mapping[int, str],
                  keys: Mapping[str, str], pages_held: Mapping[str, set[int] | None]) -> Holdings:
    """From a build that signed every page; `pages_held`: output path -> ids of the objects its
    values hold (see fingerprint.known_reducers), None if it could not be signed."""
    source_of = {id(article): article.source for article in articles}
    held: dict[str, list[str]] = {}
    unheld = []
    for path in paths:
        sources = [source_of[i] for i in pages_held.get(path) or () if i in source_of]
        if not sources:
            unheld.append(path)
        for source in sources:
            held.setdefault(source, []).append(path)
    return Holdings(env, tuple(source_of.values()), tuple(paths),
                    {article.source: digest_of[id(article)] for article in articles},
                    {article.source: keys[article.source] for article in articles},
                    {source: tuple(found) for source, found in held.items()}, tuple(unheld))


@dataclass(frozen=True)
class Changes:
    """The published posts changed since the last build, and what of the site they reach."""

    changed: list[Article]  # changed or added
    held: set[str]  # output paths of the pages that held a post changed or removed, or none
    body_only: bool  # the same posts in the same order, changed in their bodies alone
    reached: frozenset[tuple]  # the families they reach (reach.py); empty if body_only
    last_paths: tuple[str, ...]  # the pages the last build planned


@dataclass(frozen=True)
class Reuse:
    """The pages an incremental build signs again; every other keeps its last signature."""

    to_sign: set[str]  # output paths
    changed: list[Article]  # the posts changed or added since the last build
    body_only: bool  # only posts' bodies changed: the same pages hold the same posts (after_body_edits)


def changes_since(last: Holdings | None, env: str, articles: Sequence[Article], digest_of: Mapping[int, str],
                  last_versions: Callable[[list[str]], Mapping[str, Article]]) -> Changes | None:
    """What changed when a few posts were added, removed or changed since `last` and nothing
    else was (the same `env`: program, settings, templates, fixed pages); None otherwise, and
    every page is signed. `last_versions(keys)`: parse key -> the post parsed then, from the
    parse cache."""
    if last is None or last.env != env:
        return None
    sources = tuple(article.source for article in articles)
    was_there = set(last.posts)
    changed = [article for article in articles
               if article.source not in was_there or last.digests.get(article.source) != digest_of.get(id(article))]
    is_there = set(sources)
    removed = [source for source in last.posts if source not in is_there]
    if len(changed) + len(removed) > max(MAX_CHANGED_ANYWAY, MAX_CHANGED * len(articles)):
        return None
    edited = [article.source for article in changed if article.source in was_there]
    before = last_versions([last.keys[source] for source in (*edited, *removed)]) if edited or removed else {}
    old = {source: before.get(last.keys[source]) for source in (*edited, *removed)}
    if None in old.values():
        return None  # a post as the last build had it is not at hand
    held = set(last.unheld)
    for source in old:
        held.update(last.held.get(source, ()))
    if sources == last.posts and all(
            dataclasses.replace(article, body_html=old[article.source].body_html) == old[article.source]
            for article in changed):  # derived values are not compared: they follow
        return Changes(changed, held, True, frozenset(), last.paths)
    now = {article.source: article for article in articles}
    before_order = [old.get(source) or now[source] for source in last.posts]
    reached = reached_families(before_order, articles, {*old, *(article.source for article in changed)})
    return Changes(changed, held, False, frozenset(reached), last.paths)


def posts_to_plan(changes: Changes | None, articles: Sequence[Article]) -> set[str] | None:
    """Sources of the posts whose own pages the plan must make whole (plan.plan's
    `posts_planned`): those whose pages may be signed again; None: every post's."""
    if changes is None or changes.body_only:
        return None
    planned = {family[1] for family in changes.reached if family[0] == "post"}
    planned.update(article.source for article in articles if urls.output_path(article.url) in changes.held)
    return planned


def pages_to_sign(changes: Changes | None, paths: Sequence[str], families: Sequence[tuple | None]) -> Reuse | None:
    """The pages to sign again (`families`: each page's plan.Output.family, in the order of
    `paths`); None: every page."""
    if changes is None:
        return None
    if changes.body_only:
        # The same posts plan the same pages, holding the same posts.
        return Reuse(changes.held, changes.changed, True) if tuple(paths) == changes.last_paths else None
    known = set(changes.last_paths)
    to_sign = changes.held | {path for path, family in zip(paths, families)
                              if family is None or family in changes.reached or path not in known}
    return Reuse(to_sign, changes.changed, False)


def after_changes(last: Holdings, env: str, articles: Sequence[Article], paths: Sequence[str],
                  digest_of: Mapping[int, str], keys: Mapping[str, str],
                  pages_held: Mapping[str, set[int] | None], kept: Collection[str]) -> Holdings:
    """`last` once some posts were added, removed or changed: the pages signed again
    (`pages_held`, as in make_holdings) hold what their signing found, and the pages that
    kept their signature (`kept`) what they held before."""
    source_of = {id(article): article.source for article in articles}
    kept = set(kept).difference(pages_held)
    held: dict[str, list[str] | tuple[str, ...]] = {}
    for source, found in last.held.items():
        # (A page kept holds no post that went: those are all signed again.)
        if kept.issuperset(found):  # most posts: none of their pages was signed again
            held[source] = found
        else:
            still = [path for path in found if path in kept]
            if still:
                held[source] = still
    unheld = []
    added: dict[str, list[str]] = {}
    for path, ids in pages_held.items():
        sources = [source_of[i] for i in ids or () if i in source_of]
        if not sources:
            unheld.append(path)
        for source in sources:
            added.setdefault(source, []).append(path)
    for source, found in added.items():
        held[source] = (*held.get(source, ()), *found)
    return Holdings(env, tuple(source_of.values()), tuple(paths),
                    {article.source: digest_of[id(article)] for article in articles},
                    {article.source: keys[article.source] for article in articles},
                    {source: tuple(found) for source, found in held.items()}, tuple(unheld))


def after_body_edits(last: Holdings, changed: Sequence[Article], digest_of: Mapping[int, str],
                     keys: Mapping[str, str]) -> Holdings:
    """`last` once `changed` posts' bodies were edited: the same pages hold the same posts."""
    return dataclasses.replace(
        last,
        digests={**last.digests, **{article.source: digest_of[id(article)] for article in changed}},
        keys={**last.keys, **{article.source: keys[article.source] for article in changed}},
    )
