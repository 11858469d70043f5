"""Work spread over the machine's cores: Markdown and Jinja are pure Python, so threads would
take turns; processes forked from the build share its loaded site for free (copy-on-write)
and send back only their results. Where fork is unavailable, or the work is small, the same
function runs here, in order, and gives the same results."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, starting processes costs more than it saves.
MIN_ITEMS = 64
# A freshly forked worker costs tens of milliseconds at 10,000 posts (its page tables, then a
# copy of each page of the site it writes to): a small job (the pages one added post shifts)
# is cut into one chunk per worker, not into many small ones.
MIN_CHUNK = 256
# Chunks a worker runs before a fresh one is forked in its place, in a job of more than
# KEPT_UP_TO items. Whatever a worker reads of the inherited site becomes its own copy
# (reference counts are written), so a worker that lived through a large build would end up
# holding a second copy of it: at 50,000 posts (72,000 pages), hundreds of MB each. In a
# smaller job the workers are kept to the end: at 10,000 posts (14,500 pages) that costs
# about 120 MB more (PSS, both workers) and saves 14 forks and their copies, about 0.5 s.
CHUNKS_PER_WORKER = 1
KEPT_UP_TO = 20_000

# What the forked workers run, and on what, and after each chunk: set just before forking,
# so they inherit them.
_task: Callable | None = None
_items: Sequence | None = None
_flush: Callable[[], None] | None = None
_in_worker = False
_started: Callable | None = None  # what `started` runs on another core, set just before forking


def in_worker() -> bool:
    """Whether this is a forked worker of `run` (its results travel to the build pickled)."""
    return _in_worker


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # the cores this process may use (CI containers)
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run(task: Callable[[T], R], items: Sequence[T], jobs: int, flush: Callable[[], None] | None = None,
        receive: Callable | None = None, fresh: bool = True) -> list[R]:
    """`[task(item) for item in items]`, in that order, on up to `jobs` processes. `task` may
    be any function, closures included: the workers inherit it rather than receive it.
    `flush`: called by each worker once it has run its chunk, before it sends the results;
    `receive`: applied here to each result a worker sent, as its chunk arrives, while the
    workers go on with the next (a task that pickles its results itself has them unpickled).
    `fresh`: in a large job, each chunk on a newly forked worker (see CHUNKS_PER_WORKER); False,
    for work forked before the site is loaded (parsing), keeps the workers, and what they
    learnt, to the end."""
    jobs = min(jobs, len(items) // (MIN_ITEMS // 2) or 1)
    if jobs <= 1:
        return [task(item) for item in items]
    import multiprocessing  # here: a build of a few pages (the quick path) never needs it

    if "fork" not in multiprocessing.get_all_start_methods():
        return [task(item) for item in items]
    global _task, _items, _flush
    _task, _items, _flush = task, items, flush
    # Objects alive now are left alone by the workers' garbage collector, which would otherwise
    # write to every one of them and so copy the whole inherited site into each worker.
    gc.freeze()
    try:
        replaced = fresh and len(items) > KEPT_UP_TO
        with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=CHUNKS_PER_WORKER if replaced else None) as pool:
            chunks = _chunks(len(items), jobs, tapering=not replaced)
            results: list[R] = []
            for part in pool.imap(_run_chunk, chunks):
                results.extend(part if receive is None else map(receive, part))
            return results
    finally:
        _task = _items = _flush = None
        gc.unfreeze()


# The smallest chunk the tapering end of a job is cut into.
MIN_TAPER = 32


def _chunks(count: int, jobs: int, tapering: bool) -> list[range]:
    """Chunks of range(count), in order: several per worker, so a slow stretch does not idle
    the others. `tapering` (kept workers): once fewer than two chunks a worker are left, each
    takes a quarter of what is left, so the workers finish together: at 10,000 posts a cold
    build's last render chunk (910 pages, 1 s) kept one worker busy 0.4 s after the other
    was done. Where each chunk costs a fork, they stay even."""
    size = max(min(MIN_CHUNK, -(-count // jobs)), count // (jobs * 8))
    chunks, start = [], 0
    while start < count:
        step = max(min(size, -(-(count - start) // (2 * jobs))), MIN_TAPER) if tapering else size
        chunks.append(range(start, min(start + step, count)))
        start += step
    return chunks


def _run_chunk(indices: range) -> list:
    global _in_worker
    _in_worker = True
    results = [_task(_items[index]) for index in indices]
    if _flush is not None:
        _flush()
    return results


@contextmanager
def started(task: Callable[[], R], jobs: int) -> Iterator[Callable[[], R]]:
    """`task()` begun on another core while the block goes on: the block gets a function that
    waits for its result and gives it (raising what it raised). A closure is fine: the
    process is forked and inherits it. With one job, or without fork, that function runs
    `task` itself, here. Leaving the block ends the process, whether its result was asked
    for or not."""
    import multiprocessing

    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield task
        return
    # A plain process and a pipe, not a Pool of one: a Pool ended while its worker is taking
    # the task off its queue hangs (the worker dies holding the queue's lock, python/cpython
    # #73945), which leaving the block early could do.
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    global _started
    _started = (task, sending)
    gc.freeze()  # as in `run`: the process's collector then leaves the inherited site alone
    try:
        process = context.Process(target=_run_started, daemon=True)
        process.start()
    finally:
        _started = None
        gc.unfreeze()
    sending.close()  # the process's end: this one only reads
    answer: list = []

    def result() -> R:
        if not answer:
            try:
                answer.append(receiving.recv())
            except EOFError:
                answer.append((False, RuntimeError(f"the process making it ended ({process.exitcode})")))
        made, value = answer[0]
        if not made:
            raise value
        return value

    try:
        yield result
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
        receiving.close()


def _run_started():
    global _in_worker
    _in_worker = True
    task, sending = _started
    try:
        answer = (True, task())
    except Exception as exc:  # noqa: BLE001 -- raised again where the result is asked for
        answer = (False, exc)
    try:
        sending.send(answer)
    except Exception as exc:  # noqa: BLE001 -- an exception or result that does not pickle
        sending.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
