"""The plan after an edit that changed only posts' bodies: the last plan with the edited posts
swapped in, for the preview, where a clerk typing into a post saves again and again.

Planning a site puts each post in many pages (its own, its neighbours', listings, feeds,
person and programme pages) but reads only what is outside its body: its title, date, units,
speakers, tasks, summary, cover, addresses. So when every changed post differs from its last
version in `body_html` alone, planning again would give the very same pages, holding the new
posts where the old ones were, and a new search index. This module makes exactly that without
planning: it finds the pages that hold an edited post and swaps the post in. What it returns
equals `plan(site)` (tests/test_bodyedit.py checks it on every kind of page).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime

from markupsafe import Markup

from phuongnews.indexes import Pager
from phuongnews.models import Article, Speaker, TaskList, Unit
from phuongnews.people import Person
from phuongnews.plan import Meta, Output

# Values that never hold a post: not walked.
_LEAVES = frozenset({str, Markup, int, float, bool, type(None), datetime, bytes, Meta, Pager, Unit, Speaker, TaskList})

# Where a page holds a post: (output path, context key, index in that value if it is a tuple
# or list, else None). An index and not just the key, so a swap walks one entry of the people
# page's list of everyone, not all of it.
Location = tuple[str, str, int | None]
References = Mapping[int, tuple[Location, ...]]  # id(post) -> where pages hold it


def body_edits(before: Sequence[Article], after: Sequence[Article]) -> dict[int, Article] | None:
    """id(old post) -> its new version, when `after` is `before` with only bodies changed
    (the same posts in the same order, every field but `body_html` equal); None otherwise."""
    if len(before) != len(after):
        return None
    swaps: dict[int, Article] = {}
    for old, new in zip(before, after):
        if old is new:
            continue
        if dataclasses.replace(new, body_html=old.body_html) != old:
            return None
        swaps[id(old)] = new
    return swaps


def references(outputs: Mapping[str, Output]) -> dict[int, tuple[Location, ...]]:
    """Where every page holds each post, anywhere in its planned values."""
    found: dict[int, list[Location]] = {}
    for path, output in outputs.items():
        for key, value in output.context.items():
            kind = type(value)
            spots = enumerate(value) if kind is tuple or kind is list else ((None, value),)
            for index, item in spots:
                if type(item) is Article:  # most entries: no set to make
                    found.setdefault(id(item), []).append((path, key, index))
                elif type(item) not in _LEAVES:
                    held: set[int] = set()
                    _collect(item, held)
                    for article in held:
                        found.setdefault(article, []).append((path, key, index))
    return {article: tuple(spots) for article, spots in found.items()}


def references_after(held: References, before: Mapping[str, Output], after: Mapping[str, Output]) -> References:
    """`references(after)`, given `held`, the references of `before`: only the pages that are
    not the very outputs they were (planned again, plan.LastPlan) are walked. The order of a
    post's places may differ; nothing depends on it."""
    redone = {path: output for path, output in after.items() if before.get(path) is not output}
    gone = redone.keys() | (before.keys() - after.keys())
    found: dict[int, tuple[Location, ...]] = {}
    for article, spots in held.items():
        kept = tuple(spot for spot in spots if spot[0] not in gone)
        if kept:
            found[article] = kept
    for article, spots in references(redone).items():
        found[article] = found.get(article, ()) + spots
    return found


def swapped(outputs: Mapping[str, Output], held: References, swaps: Mapping[int, Article]) -> dict[str, Output]:
    """Output path -> the output with the new posts in place of the old, for the pages that
    hold an edited post."""
    spots: dict[str, dict[str, set]] = {}  # path -> context key -> indices (None: the whole value)
    for article in swaps:
        for path, key, index in held.get(article, ()):
            spots.setdefault(path, {}).setdefault(key, set()).add(index)
    changed = {}
    for path in sorted(spots):
        output = outputs[path]
        context = dict(output.context)
        for key, indices in spots[path].items():
            value = context[key]
            if None in indices:
                context[key] = _swap(value, swaps)
            else:
                items = list(value)
                for index in indices:
                    items[index] = _swap(items[index], swaps)
                context[key] = type(value)(items)
        changed[path] = dataclasses.replace(output, context=context)
    return changed


def moved_references(held: References, swaps: Mapping[int, Article]) -> dict[int, tuple[Location, ...]]:
    """`held` after the swap: each new post is where its old version was."""
    moved = dict(held)
    for key, new in swaps.items():
        moved[id(new)] = moved.pop(key, ())
    return moved


def _collect(value, held: set[int]) -> None:
    kind = type(value)
    if kind is Article:
        held.add(id(value))
    elif kind in _LEAVES:
        return
    elif kind is Person:  # the people page holds everyone's every appearance: 30,000 at 10,000 posts
        held.update([id(appearance.article) for appearance in value.appearances])
    elif kind is tuple or kind is list:
        for item in value:
            _collect(item, held)
    elif kind is dict:
        for item in value.values():
            _collect(item, held)
    elif dataclasses.is_dataclass(value):  # Person, Appearance …: whatever holds posts
        for item in vars(value).values():
            _collect(item, held)


def _swap(value, swaps: Mapping[int, Article]):
    """`value` with every old post in `swaps` replaced by its new version; unchanged parts
    are the same objects. Written out with loops: a person's page walks every appearance."""
    kind = type(value)
    if kind is Article:
        return swaps.get(id(value), value)
    if kind in _LEAVES:
        return value
    if kind is tuple or kind is list:
        items = None
        for index, item in enumerate(value):
            new = _swap(item, swaps)
            if new is not item:
                items = items or list(value)
                items[index] = new
        return value if items is None else kind(items)
    if kind is dict:
        changes = {}
        for key, item in value.items():
            new = _swap(item, swaps)
            if new is not item:
                changes[key] = new
        return {**value, **changes} if changes else value
    if dataclasses.is_dataclass(value):
        changes = {}
        for name, item in vars(value).items():
            new = _swap(item, swaps)
            if new is not item:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
