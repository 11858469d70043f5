"""People who speak at meetings: one person per name however it was typed, and their pages.

"Đ/c Hồ Sỹ Tùng", "đồng chí Hồ  Sỹ Tùng" and an NFD "Hồ Sỹ Tùng" are one person; two people
who share a name are told apart by an `id` in the front-matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from phuongnews.models import Article, Speaker
from phuongnews.vietnamese import name_sort_key, slugify_vi, strip_honorific


def person_key(name: str, person_id: str | None = None) -> str:
    """The person's URL slug: their `id` if given, else their cleaned name as a slug."""
    return person_id or slugify_vi(strip_honorific(name))


@dataclass(frozen=True)
class Appearance:
    article: Article
    speaker: Speaker


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    appearances: tuple[Appearance, ...]  # newest event first


class PersonRow(NamedTuple):
    """A person as the people page lists them: no post in it, so that page's bytes, and its
    signature, depend on names and counts alone, not on every post with a speaker."""

    key: str
    name: str
    count: int  # their appearances


def person_rows(people: tuple[Person, ...]) -> tuple[PersonRow, ...]:
    return tuple([PersonRow(person.key, person.name, len(person.appearances)) for person in people])


def gather_people(articles: tuple[Article, ...]) -> tuple[Person, ...]:
    """Every speaker of every article, merged by key, in Vietnamese order of given name."""
    found: dict[str, list[Appearance]] = {}
    for article in articles:  # newest first, so appearances stay newest first
        seen_here: set[str] = set()
        for speaker in article.speakers:
            if speaker.key and speaker.key not in seen_here:
                seen_here.add(speaker.key)
                found.setdefault(speaker.key, []).append(Appearance(article, speaker))
    people = [Person(key, appearances[0].speaker.name, tuple(appearances)) for key, appearances in found.items()]
    return tuple(sorted(people, key=lambda p: (name_sort_key(p.name), p.key)))
