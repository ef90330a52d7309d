"""Job groups: the documents one Prefect parse task runs (flows/tasks.py). Pure, so checked
as properties: every job once, in order, no group above the cap, enough groups to keep every
worker busy."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flows.tasks import GROUPS_PER_WORKER, MAX_GROUP, group_jobs


@given(jobs=st.lists(st.integers(), max_size=600), parallel=st.integers(1, 16))
def test_every_job_once_in_order_and_no_group_too_large(jobs: list[int], parallel: int) -> None:
    groups = group_jobs(jobs, parallel)
    assert [job for group in groups for job in group] == jobs
    assert all(1 <= len(group) <= MAX_GROUP for group in groups)


@given(count=st.integers(1, 600), parallel=st.integers(1, 16))
def test_enough_groups_for_every_worker(count: int, parallel: int) -> None:
    """About GROUPS_PER_WORKER groups a worker (at least half that, or one a job when there
    are fewer jobs), so the last groups even out the workers' finishing times."""
    groups = group_jobs(list(range(count)), parallel)
    assert len(groups) >= min(count, GROUPS_PER_WORKER * parallel) // 2


def test_no_jobs_no_groups() -> None:
    assert group_jobs([], 2) == []
