"""Which pages hold which posts, kept between builds so that after an edit of posts' bodies
only the pages that hold them are signed again.

Signing every page (serialising its planned values, see incremental.py) is the largest step
of an incremental build after loading and planning: about 1 s at 10,000 posts. Planning
reads nothing of a post's body (bodyedit.py; tests/test_bodyedit.py checks it on every kind
of page). So when the posts that changed since the last build changed in their body alone,
and the site is otherwise what it was (the same posts in the same order, the same program,
settings, templates and fixed pages, the same pages planned), every page that holds none of
them has the signature the build cache records for it. The pages that hold one are signed
again, and so are those that hold no post at all (the search index's files are made from the
posts' words).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from phuongnews.models import Article

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


def pages_to_sign(last: Holdings | None, env: str, articles: Sequence[Article], paths: Sequence[str],
                  digest_of: Mapping[int, str],
                  last_versions: Callable[[list[str]], Mapping[str, Article]]) -> tuple[set[str], list[Article]] | None:
    """The output paths to sign again and the posts that changed, when only posts' bodies
    changed since `last`; None: sign every page. `last_versions(keys)`: parse key -> the
    post parsed then, from the parse cache."""
    if last is None or last.env != env or last.paths != tuple(paths) \
            or last.posts != tuple(article.source for article in articles):
        return None
    changed = [article for article in articles if last.digests.get(article.source) != digest_of.get(id(article))]
    if len(changed) > max(MAX_CHANGED_ANYWAY, MAX_CHANGED * len(articles)):
        return None
    before = last_versions([last.keys[article.source] for article in changed]) if changed else {}
    for article in changed:
        old = before.get(last.keys[article.source])
        if old is None or dataclasses.replace(article, body_html=old.body_html) != old:
            return None  # more than its body changed (derived values are not compared: they follow)
    to_sign = set(last.unheld)
    for article in changed:
        to_sign.update(last.held.get(article.source, ()))
    return to_sign, changed


def after_body_edits(last: Holdings, changed: Sequence[Article], digest_of: Mapping[int, str],
                     keys: Mapping[str, str]) -> Holdings:
    """`last` once `changed` posts' bodies were edited: the same pages hold the same posts."""
    return dataclasses.replace(
        last,
        digests={**last.digests, **{article.source: digest_of[id(article)] for article in changed}},
        keys={**last.keys, **{article.source: keys[article.source] for article in changed}},
    )
