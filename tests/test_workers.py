"""workers.run: the results of a plain loop, in order, whether workers are kept or replaced;
workers.started: one task on another core while the caller goes on."""

from __future__ import annotations

import os

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
