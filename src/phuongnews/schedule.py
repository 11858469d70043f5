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
    visible = tuple(a for a in articles if a.published <= now and (a.expires is None or a.expires > now))
    upcoming = [a.published for a in articles if a.published > now]
    upcoming += [a.expires for a in articles if a.expires is not None and a.expires > now]
    return Schedule(visible, min(upcoming, default=None))
