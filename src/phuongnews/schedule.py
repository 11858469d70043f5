"""Scheduled and expiring posts: which posts are on the site at a given moment, and the
next moment at which that changes (so CI can schedule the rebuild that publishes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from phuongnews.models import Article


@dataclass(frozen=True)
class Schedule:
    visible: tuple[Article, ...]
    next_change: datetime | None  # the earliest future `published` or `expires`


def schedule(articles: tuple[Article, ...], now: datetime) -> Schedule:
    """A post is on the site from its `published` moment until its `expires` moment."""
    visible, upcoming = [], []
    for article in articles:  # one pass: the preview runs this after every save
        expires = article.expires
        if article.published > now:
            upcoming.append(article.published)
        elif expires is None or expires > now:
            visible.append(article)
        if expires is not None and expires > now:
            upcoming.append(expires)
    return Schedule(tuple(visible), min(upcoming, default=None))
