"""The site's data, as immutable values: what the reader produces and the planner consumes."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from phuongnews.images import Photo


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    short: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Footer:
    agency: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    editor: str | None = None


@dataclass(frozen=True)
class UrlPatterns:
    """Site-relative URL patterns; a pattern ending in / is written as …/index.html."""

    article: str = "tin-tuc/{year}/{slug}/"
    page: str = "trang/{slug}/"
    units: str = "don-vi/"
    unit: str = "don-vi/{unit}/"
    unit_year: str = "don-vi/{unit}/{year}/"
    unit_feed: str = "don-vi/{unit}/feed.xml"
    years: str = "nam/"
    year: str = "nam/{year}/"
    pagination: str = "trang-{n}/"
    people: str = "nhan-vat/"
    person: str = "nhan-vat/{person}/"
    programme: str = "don-vi/{unit}/nhiem-vu/{year}/"
    search: str = "tim-kiem/"


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # absolute, ends with /
    base_path: str  # the path part of base_url: "/" or "/phuong-quynh-thien/"
    language: str
    timezone_name: str
    timezone: tzinfo = field(compare=False)
    per_page: int
    feed_items: int
    units: tuple[Unit, ...]
    footer: Footer
    urls: UrlPatterns
    embeds: tuple[str, ...] = ()  # host names posts may embed frames from
    photo_originals: bool = False  # photos: originals: true — publish each photo's original, without EXIF/GPS
    relative: bool = False  # --relative: links work opened from disk, without a server

    def unit(self, key: str) -> Unit:
        return next(unit for unit in self.units if unit.key == key)


@dataclass(frozen=True)
class Speaker:
    name: str  # without "Đ/c" or "đồng chí"
    role: str | None
    note: str | None
    key: str = ""  # the person's page slug: their `id`, else their name as a slug


@dataclass(frozen=True)
class TaskList:
    unit: str | None  # None: the list belongs to all the post's units
    year: int
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    source: str  # path relative to the site folder
    slug: str
    url: str  # site-relative, no leading slash: "tin-tuc/2022/ten-bai/"
    title: str
    date: datetime  # the event, aware, in the site's time zone
    date_has_time: bool
    published: datetime
    units: tuple[str, ...]  # unit keys, in the order the clerk wrote them
    location: str | None
    author: str | None
    source_name: str | None
    summary: str | None
    cover: str | None
    draft: bool
    speakers: tuple[Speaker, ...]
    tasks: tuple[TaskList, ...]
    # Not in its repr: a template that prints a post whole must not read its body unseen
    # (render.py notes which pages read which posts' bodies).
    body_html: str = field(repr=False)
    published_has_time: bool = False
    published_stated: bool = False  # False: `published` was left out and copies `date`
    expires: datetime | None = None  # left out of the site from then on
    aliases: tuple[str, ...] = ()  # site URLs of old addresses that redirect here
    photos: tuple[Photo, ...] = ()  # the body's photos, published as resized variants
    cover_photo: Photo | None = None  # the photo behind `cover` (then the Open Graph JPEG's path)
    # plan.Derived: what the planner makes of this post alone, made once when it is parsed
    # (in parallel, and kept with the parse in the build cache). Not part of its value.
    derived: object = field(default=None, compare=False, repr=False)

    @property
    def year(self) -> int:
        return self.date.year

    # Pickled (into the build cache, and from parse workers) with its body as UTF-8 bytes,
    # decoded when first read: a build after one added post loads 10,000 cached posts to plan
    # the site and renders a few hundred pages, so it decodes their bodies alone, not 50 MB of
    # them, and the others take half the memory (a Vietnamese str is two bytes a character).
    # Its dates, speakers and task lists go as plain values (see _packed).
    def __reduce_ex__(self, protocol):
        state = self.__dict__
        if "_heavy" in state:
            self._take_heavy()
        return _revived, (type(self), _packed(state), _body_bytes(state))

    def __getattr__(self, name: str):
        # Asked only for what the instance does not hold: its heavy part not taken yet (see
        # LightArticle), or a body not decoded yet.
        state = self.__dict__
        if "_heavy" in state and name in _HEAVY:
            self._take_heavy()
            return getattr(self, name)
        if name != "body_html" or "_body" not in state:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        body = state["_body"].decode("utf-8")
        object.__setattr__(self, "body_html", body)
        return body

    def _take_heavy(self) -> None:
        state = self.__dict__
        heavy = state.get("_heavy")
        if heavy is None:
            return
        body, derived = pickle.loads(heavy if type(heavy) is bytes else heavy[0](heavy[1]))
        # Set before "_heavy" goes: a thread reading the body meanwhile finds one or the other.
        state.setdefault("_body", body)
        state.setdefault("derived", derived)
        state.pop("_heavy", None)


# An article's fields that a light one (LightArticle) holds only once its heavy part is taken.
_HEAVY = frozenset({"body_html", "derived"})
# `derived` has a default, so the class has it as an attribute, which a light article would
# show instead of reaching __getattr__; dataclasses' __init__ takes its default from elsewhere.
del Article.derived


_KEPT = tuple(f.name for f in fields(Article) if f.name != "body_html")
_LIGHT = tuple(name for name in _KEPT if name != "derived")  # derived is the last: indexes below hold for both
_TIMES = tuple(_KEPT.index(name) for name in ("date", "published", "expires"))
_SPEAKERS, _TASKS = _KEPT.index("speakers"), _KEPT.index("tasks")
_SPEAKER_FIELDS = tuple(f.name for f in fields(Speaker))
_TASK_FIELDS = tuple(f.name for f in fields(TaskList))
_speaker_values, _task_values = attrgetter(*_SPEAKER_FIELDS), attrgetter(*_TASK_FIELDS)


# Every global a pickle names costs its loader an import look-up, and every object pickle's
# own way makes costs a class look-up and a state dict: an aware datetime names three
# globals, a speaker one and a dict of four. A post's record names one, _revived, whatever
# it holds (with plan.Derived's, a fifth fewer instructions to load a cached post).
def _packed(state: dict, names: tuple[str, ...] = _KEPT) -> tuple:
    kept = [state[name] for name in names]
    for index in _TIMES:
        kept[index] = _packed_time(kept[index])
    kept[_SPEAKERS] = tuple(map(_speaker_values, kept[_SPEAKERS]))
    kept[_TASKS] = tuple(map(_task_values, kept[_TASKS]))
    return tuple(kept)


def _packed_time(moment: datetime | None):
    """A datetime in a named zone as its numbers and the zone's key; any other as it is."""
    key = getattr(moment.tzinfo, "key", None) if moment is not None else None
    if key is None or _zone(key) is not moment.tzinfo:
        return moment
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
            moment.microsecond, moment.fold, key)


@lru_cache(maxsize=None)
def _zone(key: str) -> tzinfo:
    # ZoneInfo(key) is the site's own zone object: ZoneInfo keeps one per key while it is in use.
    return ZoneInfo(key)


def _unpacked_time(packed) -> datetime | None:
    if type(packed) is not tuple:
        return packed
    return datetime(*packed[:7], fold=packed[7], tzinfo=_zone(packed[8]))


def made(kind: type, names: tuple[str, ...], values: tuple):
    """An instance of a frozen dataclass with these field values, as pickle's own way makes it
    (no __init__ run: the values were a valid instance's)."""
    instance = object.__new__(kind)
    instance.__dict__.update(zip(names, values))
    return instance


def _revived(kind: type, kept: tuple, body: bytes) -> Article:
    article = _revived_light(kind, kept, _KEPT)
    article.__dict__["_body"] = body
    return article


def _revived_light(kind: type, kept: tuple, names: tuple[str, ...] = _LIGHT) -> Article:
    kept = list(kept)
    for index in _TIMES:
        kept[index] = _unpacked_time(kept[index])
    kept[_SPEAKERS] = tuple([made(Speaker, _SPEAKER_FIELDS, values) for values in kept[_SPEAKERS]])
    kept[_TASKS] = tuple([made(TaskList, _TASK_FIELDS, values) for values in kept[_TASKS]])
    article = object.__new__(kind)
    article.__dict__.update(zip(names, kept))
    return article


class LightArticle:
    """Pickles as its article less the body and derived values (plan.Derived), which
    `write_heavy` pickles apart. The build cache keeps the two apart: a build after an added
    post loads every post's light part to plan the site (a tenth of the bytes, two thirds of
    the unpickling) and the heavy parts of the few posts on pages it renders."""

    __slots__ = ("article",)

    def __init__(self, article: Article):
        self.article = article

    def __reduce_ex__(self, protocol):
        return _revived_light, (type(self.article), _packed(self.article.__dict__, _LIGHT))


def write_heavy(article: Article, file) -> None:
    """Writes to `file` the pickled body (UTF-8 bytes) and derived values that LightArticle
    leaves out: its heavy part (give_heavy)."""
    heavy = article.__dict__.get("_heavy")
    if type(heavy) is bytes:
        file.write(heavy)  # as it came: not unpickled and pickled again
        return
    article._take_heavy()
    state = article.__dict__
    pickle.dump((_body_bytes(state), state.get("derived")), file, 5)


def _body_bytes(state: dict) -> bytes:
    """An article's body as UTF-8 bytes: the bytes it came with, if it was never decoded."""
    return state["body_html"].encode("utf-8") if "body_html" in state else state["_body"]


def give_heavy(article: Article, heavy) -> None:
    """Gives a light article (revived from a LightArticle) its heavy part, unpickled when first
    read: its bytes (write_heavy), or (fetch, key) for `fetch(key)` to give them then."""
    article.__dict__["_heavy"] = heavy


def is_light(model) -> bool:
    """Whether `model` is an article whose heavy part is not taken yet."""
    return type(model) is Article and "_heavy" in model.__dict__


@dataclass(frozen=True)
class Page:
    source: str
    slug: str
    url: str
    title: str
    draft: bool
    body_html: str
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    articles: tuple[Article, ...]  # newest event first
    pages: tuple[Page, ...]  # in Vietnamese alphabetical order of title
    warnings: tuple = ()  # SourceErrors that do not stop the build
    next_change: datetime | None = None  # when a scheduled or expiring post changes the site
    # The content.Content it was loaded from, with every file's parse: what the preview's
    # next load takes for the files a save did not change. Not part of its value.
    content: object = field(default=None, compare=False, repr=False)
