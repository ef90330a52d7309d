"""Which documents each parse task runs, and in what order.

A run ends when its slowest worker does. Tasks of equal size handed out in fetch order leave
one worker parsing its last group alone while the others idle (a run of 20 reports on two
workers: one finished 1.7 s after the other, a tenth of the run). So, as list schedulers do:
- the costliest documents go first (estimated from their archived size and how many parsers
  they wait for), so that the small ones fill the gaps at the end;
- groups shrink as the work left shrinks (guided self-scheduling): each takes about
  1/(GROUPS_PER_WORKER x workers) of the cost still to hand out, at most MAX_GROUP documents,
  and the last ones hold a single document.
A group is one Prefect task; a task costs tens of milliseconds of bookkeeping, a document
20 ms to seconds of parsing, so the early groups are large to keep that overhead small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

GROUPS_PER_WORKER = 4
MAX_GROUP = 16

Job = TypeVar("Job")


def plan_groups(
    jobs: Sequence[Job], costs: Sequence[float], parallel: int, largest: int = MAX_GROUP
) -> list[list[Job]]:
    """The jobs in groups, costliest first, each group about a GROUPS_PER_WORKER x
    `parallel`-th of the cost still left (at least one job, at most `largest`)."""
    if len(jobs) != len(costs):
        raise ValueError(f"{len(jobs)} jobs but {len(costs)} costs")
    weights = [cost if cost > 0 else 1.0 for cost in costs]  # an unknown cost: a small one
    order = sorted(range(len(jobs)), key=lambda i: -weights[i])  # stable on ties
    shares = GROUPS_PER_WORKER * max(1, parallel)
    left = sum(weights)
    groups: list[list[Job]] = []
    start = 0
    while start < len(order):
        target = left / shares
        end = start + 1
        spent = weights[order[start]]
        while end < len(order) and end - start < largest and spent + weights[order[end]] <= target:
            spent += weights[order[end]]
            end += 1
        groups.append([jobs[i] for i in order[start:end]])
        left -= spent
        start = end
    return groups


def parse_cost(size_bytes: int, parsers: int) -> float:
    """A document's estimated parse cost: its archived size times the parsers it waits for
    (on the benchmark sites, PDFs and web pages cost 15-35 ms per kB and parser alike)."""
    return float(max(1, size_bytes) * max(1, parsers))
