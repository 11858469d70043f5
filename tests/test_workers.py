"""workers.run: the results of a plain loop, in order, whether workers are kept or replaced;
workers.started: one task on another core while the caller goes on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from phuongnews import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers fork")


def _pid_of(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


@pytest.mark.parametrize("fresh", [True, False])
def test_results_come_back_in_order_as_a_loop_gives_them(fresh):
    items = list(range(1000))
    results = workers.run(_pid_of, items, 2, fresh=fresh)
    assert [square for square, _ in results] == [item * item for item in items]
    assert os.getpid() not in {pid for _, pid in results}  # the work did leave this process


def _processes(results) -> int:
    return len({pid for _, pid in results})


def test_a_large_job_forks_a_fresh_worker_per_chunk_and_a_small_one_keeps_its_workers(monkeypatch):
    monkeypatch.setattr(workers, "MIN_CHUNK", 10)
    items = list(range(400))  # cut into 16 chunks of 25 (jobs × 8)
    monkeypatch.setattr(workers, "KEPT_UP_TO", len(items) - 1)
    assert _processes(workers.run(_pid_of, items, 2)) == 16  # bounded copies of the site
    monkeypatch.setattr(workers, "KEPT_UP_TO", len(items))
    # No fork after the first two (one of them may have taken every chunk).
    assert _processes(workers.run(_pid_of, items, 2)) <= 2
    assert _processes(workers.run(_pid_of, items, 2, fresh=False)) <= 2


@pytest.mark.parametrize("count", [64, 300, 1000, 10_000, 14_563, 72_000])
@pytest.mark.parametrize("tapering", [True, False])
def test_chunks_cover_the_job_in_order_and_taper_towards_its_end(count, tapering):
    chunks = workers._chunks(count, 2, tapering)
    assert [index for chunk in chunks for index in chunk] == list(range(count))
    sizes = [len(chunk) for chunk in chunks]
    assert len(chunks) >= 2  # one per worker at least
    if tapering:
        # Never larger than the chunk before; the end in chunks small enough that the
        # workers finish within a few items' time of each other.
        assert sizes == sorted(sizes, reverse=True)
        assert max(sizes[-3:]) <= max(workers.MIN_TAPER, sizes[0] // 4)
    else:  # each chunk a fork: all of one size, the last what is left
        assert len(set(sizes[:-1])) <= 1 and sizes[-1] <= sizes[0]
        assert len(chunks) <= 2 * 8 + 1


def test_small_work_runs_here():
    results = workers.run(_pid_of, list(range(10)), 2)
    assert {pid for _, pid in results} == {os.getpid()}


def test_a_started_task_runs_on_another_core_while_the_caller_goes_on():
    site = {"posts": list(range(100))}  # a closure over what the caller holds: inherited, not sent
    with workers.started(lambda: (sum(site["posts"]), os.getpid()), 2) as result:
        meanwhile = sum(range(100))
        total, pid = result()
    assert total == meanwhile == 4950
    assert pid != os.getpid()


def test_a_started_task_with_one_job_runs_here_when_asked():
    ran = []
    with workers.started(lambda: ran.append(os.getpid()) or "done", 1) as result:
        assert ran == []
        assert result() == "done"
    assert ran == [os.getpid()]


def test_a_started_task_raises_what_it_raised_and_its_process_ends():
    def fails():
        raise ValueError("hỏng")

    with pytest.raises(ValueError, match="hỏng"), workers.started(fails, 2) as result:
        result()
    with workers.started(lambda: os.getpid(), 2):
        pass  # its result never asked for: leaving the block still ends the process




def test_leaving_a_started_task_at_once_never_hangs():
    # Ended as it was being handed its task, a Pool's worker could die holding its queue's
    # lock and hang the build (python/cpython#73945): with a Pool, this loop hung within about
    # fifty rounds in two tries of three. Run apart, so that a hang fails instead of waiting.
    code = textwrap.dedent("""
        import os
        from phuongnews import workers
        for _ in range(200):
            with workers.started(lambda: os.getpid(), 2):
                pass
            with workers.started(lambda: 42, 2) as result:
                assert result() == 42
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

def test_a_build_runs_with_the_collector_paused_here_and_in_its_workers_and_restores_it(site_factory, tmp_path,
                                                                                          monkeypatch):
    import gc

    from phuongnews import content
    from phuongnews.build import BuildOptions, build
    from tests.conftest import post

    site = site_factory({f"content/posts/2023/bai-{n}.md": post(title=f"Bài {n}", date=f"2023-01-{n % 28 + 1:02d}")
                         for n in range(80)})
    notes = tmp_path / "notes"
    parser = content.file_parser

    def noting_parser(*args, **kwargs):
        parse = parser(*args, **kwargs)

        def noting(item):  # in the parse workers: a line each, as they cannot hand back a list
            with open(notes, "a") as file:
                file.write(f"{os.getpid()} {gc.isenabled()}\n")
            return parse(item)
        return noting

    monkeypatch.setattr(content, "file_parser", noting_parser)
    assert gc.isenabled()
    build(BuildOptions(site_dir=site, jobs=2))
    assert gc.isenabled()
    lines = [line.split() for line in notes.read_text().splitlines()]
    assert len(lines) == 80 and {enabled for _, enabled in lines} == {"False"}
    assert str(os.getpid()) not in {pid for pid, _ in lines}  # parsed by the workers
