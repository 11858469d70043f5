"""A page's planned values (plan.Output) kept between builds, with each post in them kept as
a reference to its source, so that quickedit.py can render the page again with the posts as
they are now, without planning the site.

A post is named by its source and looked up again when the page is thawed, and so are the
site's units and a post's JSON-LD; every other value (addresses, titles, people) is kept as it
is: after edits of posts' bodies alone the plan would make exactly these values again
(bodyedit.py, tests/test_bodyedit.py).
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable

from markupsafe import Markup

from phuongnews.models import Article, Unit
from phuongnews.plan import Output


def _post(source: str) -> Article:
    """Stands for a post in a frozen page; thaw() resolves it, nothing else may."""
    raise pickle.UnpicklingError(f"a frozen page's post {source!r} outside thaw()")


def _unit(key: str) -> Unit:
    """Stands for one of the site's units (site.yaml's, as the page showed them)."""
    raise pickle.UnpicklingError(f"a frozen page's unit {key!r} outside thaw()")


def _json_ld(source: str) -> Markup:
    """Stands for a post's JSON-LD (plan.Derived.json_ld), the largest value of its page."""
    raise pickle.UnpicklingError(f"a frozen page's JSON-LD of {source!r} outside thaw()")


_TABLE = copyreg.dispatch_table.copy()
_TABLE[Article] = lambda article: (_post, (article.source,))
_TABLE[Unit] = lambda unit: (_unit, (unit.key,))


def freeze(output: Output) -> bytes:
    """The page's values, each post, unit and post's JSON-LD in them as a reference: what
    can be looked up again is not kept twice (a page's share of the build cache: 0.8 KB)."""
    ld = {id(value.derived.json_ld): value.source for value in output.context.values()
          if type(value) is Article and getattr(value.derived, "json_ld", None) is not None}
    table = dict(_TABLE)
    table[Markup] = lambda text: (_json_ld, (ld[id(text)],)) if id(text) in ld else text.__reduce_ex__(5)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = table
    pickler.dump(output)
    return buffer.getvalue()


def thaw(data: bytes, post_of: Callable[[str], Article], unit_of: Callable[[str], Unit],
         json_ld_of: Callable[[str], Markup]) -> Output:
    """The frozen page with each reference resolved: a post as `post_of(source)` gives it,
    a unit as `unit_of(key)`, a post's JSON-LD as `json_ld_of(source)`; whatever they raise."""
    return _Thawer(io.BytesIO(data), {"_post": post_of, "_unit": unit_of, "_json_ld": json_ld_of}).load()


class _Thawer(pickle.Unpickler):
    def __init__(self, file, resolvers: dict[str, Callable]):
        super().__init__(file)
        self._resolvers = resolvers

    def find_class(self, module: str, name: str):
        if module == __name__ and name in self._resolvers:
            return self._resolvers[name]
        return super().find_class(module, name)
