"""Job groups: which documents each parse task runs, costliest first, groups shrinking toward
the end (flows/scheduling.py). Pure, so checked as properties, the balance one against a
simulation of the task runner's workers taking groups in order."""

from __future__ import annotations

import heapq

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.scheduling import GROUPS_PER_WORKER, MAX_GROUP, parse_cost, plan_groups

costs_lists = st.lists(st.integers(1, 10_000_000), max_size=400)


def makespan(groups: list[list[int]], costs: dict[int, int], workers: int) -> int:
    """When the last worker finishes, each taking the next group as soon as it is free."""
    free = [0] * workers
    for group in groups:
        start = heapq.heappop(free)
        heapq.heappush(free, start + sum(costs[job] for job in group))
    return max(free)


@given(costs=costs_lists, parallel=st.integers(1, 16))
def test_every_job_once_costliest_first(costs: list[int], parallel: int) -> None:
    jobs = list(range(len(costs)))
    groups = plan_groups(jobs, costs, parallel)
    planned = [job for group in groups for job in group]
    assert sorted(planned) == jobs
    assert planned == sorted(jobs, key=lambda job: -costs[job])  # stable on ties
    assert all(1 <= len(group) <= MAX_GROUP for group in groups)


@given(costs=costs_lists, parallel=st.integers(1, 16))
def test_no_worker_finishes_more_than_one_document_after_the_average(
    costs: list[int], parallel: int
) -> None:
    """Graham's bound for list scheduling, which the shrinking groups keep: the run ends at
    most one document's parse after the cores' fair share of the work."""
    jobs = list(range(len(costs)))
    groups = plan_groups(jobs, costs, parallel)
    by_job = dict(enumerate(costs))
    assert makespan(groups, by_job, parallel) <= sum(costs) / parallel + max(costs, default=0)


def test_twenty_equal_reports_on_two_workers_end_together() -> None:
    """The benchmark-2 case: in tasks of three, one worker parsed its last group alone."""
    groups = plan_groups(list(range(20)), [1] * 20, 2)
    assert makespan(groups, dict.fromkeys(range(20), 1), 2) == 10
    assert len(groups[-1]) == 1


def test_early_groups_are_large_to_keep_task_overhead_small() -> None:
    groups = plan_groups(list(range(504)), [1] * 504, 2)
    assert len(groups[0]) == MAX_GROUP
    assert len(groups) < 504 / 6  # about a tenth as many tasks as documents
    assert len(groups) >= GROUPS_PER_WORKER * 2


def test_unknown_costs_count_as_small() -> None:
    assert plan_groups(["a", "b", "c"], [0, 5, -1], 1)[0] == ["b"]


def test_costs_must_match_jobs() -> None:
    with pytest.raises(ValueError, match="2 jobs but 1 costs"):
        plan_groups(["a", "b"], [1], 1)
    assert plan_groups([], [], 2) == []


def test_parse_cost_grows_with_size_and_parsers() -> None:
    assert parse_cost(0, 0) == parse_cost(1, 1) > 0
    assert parse_cost(4000, 2) == 2 * parse_cost(4000, 1) == parse_cost(8000, 1)
