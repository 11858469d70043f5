"""Work spread over the machine's cores: Markdown and Jinja are pure Python, so threads would
take turns; processes forked from the build share its loaded site for free (copy-on-write)
and send back only their results. Where fork is unavailable, or the work is small, the same
function runs here, in order, and gives the same results."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, starting processes costs more than it saves.
MIN_ITEMS = 64
# Chunks a worker runs before a fresh one is forked in its place. Whatever a worker reads of
# the inherited site becomes its own copy (reference counts are written), so a worker that
# lived through the whole build would end up holding a second copy of it: at 50,000 posts,
# hundreds of MB each. A fork costs tens of milliseconds.
CHUNKS_PER_WORKER = 1

# What the forked workers run, and on what: set just before forking, so they inherit both.
_task: Callable | None = None
_items: Sequence | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the cores this process may use (CI containers)
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run(task: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`[task(item) for item in items]`, in that order, on up to `jobs` processes. `task` may
    be any function, closures included: the workers inherit it rather than receive it."""
    jobs = min(jobs, len(items) // (MIN_ITEMS // 2) or 1)
    if jobs <= 1:
        return [task(item) for item in items]
    import multiprocessing  # here: a build of a few pages (the quick path) never needs it

    if "fork" not in multiprocessing.get_all_start_methods():
        return [task(item) for item in items]
    global _task, _items
    _task, _items = task, items
    # Objects alive now are left alone by the workers' garbage collector, which would otherwise
    # write to every one of them and so copy the whole inherited site into each worker.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=CHUNKS_PER_WORKER) as pool:
            # Chunks in order, several per worker, so a slow stretch does not idle the others.
            size = max(1, len(items) // (jobs * 8))
            chunks = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
            results: list[R] = []
            for part in pool.imap(_run_chunk, chunks):
                results.extend(part)
            return results
    finally:
        _task = _items = None
        gc.unfreeze()


def _run_chunk(indices: range) -> list:
    return [_task(_items[index]) for index in indices]
