"""A page's planned values (plan.Output) kept between builds, with each post in them kept as
a reference to its source, so that quickedit.py can render the page again with the posts as
they are now, without planning the site.

A post is named by its source and looked up again when the page is thawed; every other value
(addresses, units, people, JSON-LD) is kept as it is: after edits of posts' bodies alone the
plan would make exactly these values again (bodyedit.py, tests/test_bodyedit.py).
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable

from phuongnews.models import Article
from phuongnews.plan import Output


def _post(source: str) -> Article:
    """Stands for a post in a frozen page; thaw() resolves it, nothing else may."""
    raise pickle.UnpicklingError(f"a frozen page's post {source!r} outside thaw()")


def _reduce_post(article: Article):
    return _post, (article.source,)


_TABLE = copyreg.dispatch_table.copy()
_TABLE[Article] = _reduce_post


def freeze(output: Output) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _TABLE
    pickler.dump(output)
    return buffer.getvalue()


def thaw(data: bytes, post_of: Callable[[str], Article]) -> Output:
    """The frozen page with each post as `post_of(source)` gives it; KeyError if it has none."""
    return _Thawer(io.BytesIO(data), post_of).load()


class _Thawer(pickle.Unpickler):
    def __init__(self, file, post_of: Callable[[str], Article]):
        super().__init__(file)
        self._post_of = post_of

    def find_class(self, module: str, name: str):
        if module == __name__ and name == "_post":
            return self._post_of
        return super().find_class(module, name)
