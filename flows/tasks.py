"""Prefect tasks: the network and CPU work of a run. None of them opens the warehouse; the
flow process, the warehouse's only writer, passes in what they need and loads what they
return."""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from prefect import get_run_logger, task, unmapped
from prefect.futures import PrefectFuture

from flows import progress
from flows.acquire.discovery import Discovery, Link
from flows.acquire.documents import FetchedDocument, discover_links, fetch_and_archive, fetcher_for
from flows.budget import Budget, budget_session
from flows.config import FetchSettings, SourceConfig
from flows.jobs import JobResult, ParseJob, failed_outcome, run_parse_job
from flows.scheduling import parse_cost, plan_groups


@task(name="discover", task_run_name="discover-{source.name}")
def discover_task(
    source: SourceConfig, settings: FetchSettings, known: set[str], walk_all: bool
) -> Discovery:
    """Find the source's candidate report URLs."""
    with fetcher_for(source, settings) as fetcher:
        return discover_links(source, fetcher, known, walk_all)


@task(name="fetch", task_run_name="fetch-{source.name}")
def fetch_task(
    source: SourceConfig,
    settings: FetchSettings,
    links: list[Link],
    previous: dict,
    home: str,
    run_id: str,
    media_types: dict[str, str],
) -> list[FetchedDocument]:
    """Download (conditionally) and archive the source's candidate documents."""
    with fetcher_for(source, settings) as fetcher:
        return fetch_and_archive(fetcher, source, links, previous, Path(home), run_id, media_types)


@task(name="listing-page", task_run_name="page-{source.name}")
def page_task(
    source: SourceConfig, settings: FetchSettings, url: str
) -> tuple[bytes | None, str | None]:
    """One listing page (not conditional: listings change every day)."""
    with fetcher_for(source, settings) as fetcher:
        result = fetcher.get(url)
    return (result.content, None) if result.content is not None else (None, result.error)


@task(name="parse", task_run_name="parse-{jobs[0].sha256:.12}+{extra}")
def parse_group_task(
    jobs: list[ParseJob], home: str, budget: Budget | None = None, extra: int = 0
) -> list[JobResult]:
    """Run the pending parsers of a group of documents on their archived bytes (no network,
    no database), each parser on each document within the time and memory budget: one
    outcome per document and parser, as if each document were its own task."""
    return run_job_group(jobs, Path(home), budget)


def run_job_group(
    jobs: list[ParseJob], home: Path, budget: Budget | None = None
) -> list[JobResult]:
    """Parse each job of a group; a job that raises is that document's failure alone. The
    group's budgeted parses share one warm child of the fork server (replaced after a parse
    that failed on its budget)."""
    results = []
    with budget_session(budget or Budget(seconds=0)) as run:
        for job in jobs:
            try:
                results.append(run_parse_job(job, home, budget, run if budget else None))
            except Exception as error:
                results.append(failed_parse(job, error))
    return results


def failed_parse(job: ParseJob, error: BaseException) -> JobResult:
    """The result recorded for a document whose parse worker died or raised."""
    message = f"parse worker failed: {type(error).__name__}: {error}"
    outcomes = tuple(failed_outcome(name, "", message) for name in job.parsers)
    return JobResult(job, outcomes, datetime.now(UTC))


def job_costs(jobs: list[ParseJob], home: Path) -> list[float]:
    """Each job's estimated parse cost, from its archived file's size (a missing file, which
    fails at once, costs little)."""
    costs = []
    for job in jobs:
        try:
            size = (home / job.archive_path).stat().st_size
        except OSError:
            size = 0
        costs.append(parse_cost(size, len(job.parsers)))
    return costs


def parse_each(
    jobs: list[ParseJob], home: Path, budget: Budget | None = None, parallel: int | None = None
) -> Iterator[JobResult]:
    """Parse every job on the flow's task runner, a group of documents per task, and yield
    each document's result as its group completes; a failed group is one failed result per
    document. A result is let go once yielded (nothing here keeps the futures), so the flow
    holds only what it has not loaded yet. `parallel`: how many tasks run at once (the groups
    are cut for it; default one per core)."""
    if not jobs:
        return
    get_run_logger().info("parsing %d document(s)", len(jobs))
    progress.start("parse", len(jobs))
    groups = plan_groups(jobs, job_costs(jobs, home), parallel or os.cpu_count() or 1)
    finished: queue.SimpleQueue[PrefectFuture[list[JobResult]]] = queue.SimpleQueue()
    pending: dict[PrefectFuture[list[JobResult]], list[ParseJob]] = {}
    futures = parse_group_task.map(
        groups,
        home=unmapped(str(home)),
        budget=unmapped(budget),
        extra=[len(group) - 1 for group in groups],
    )
    for group, future in zip(groups, futures, strict=True):
        pending[future] = group
        future.add_done_callback(finished.put)
    while pending:
        future = finished.get()
        group = pending.pop(future)
        try:
            results = future.result()
        except Exception as error:
            results = [failed_parse(job, error) for job in group]
        del future
        for result in results:
            progress.advance("parse")
            yield result
