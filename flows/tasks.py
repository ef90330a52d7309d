"""Prefect tasks: the network and CPU work of a run. None of them opens the warehouse; the
flow process, the warehouse's only writer, passes in what they need and loads what they
return."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from prefect import get_run_logger, task, unmapped
from prefect.futures import PrefectFuture

from flows import progress
from flows.acquire.discovery import Discovery, Link
from flows.acquire.documents import FetchedDocument, discover_links, fetch_and_archive, fetcher_for
from flows.budget import Budget
from flows.config import FetchSettings, SourceConfig
from flows.jobs import JobResult, ParseJob, failed_outcome, run_parse_job


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


@task(name="parse", task_run_name="parse-{job.sha256:.12}")
def parse_task(job: ParseJob, home: str, budget: Budget | None = None) -> JobResult:
    """Run a document's pending parsers on its archived bytes (no network, no database),
    within the time and memory budget."""
    return run_parse_job(job, Path(home), budget)


def failed_parse(job: ParseJob, error: BaseException) -> JobResult:
    """The result recorded for a document whose parse worker died or raised."""
    message = f"parse worker failed: {type(error).__name__}: {error}"
    outcomes = tuple(failed_outcome(name, "", message) for name in job.parsers)
    return JobResult(job, outcomes, datetime.now(UTC))


def parse_each(
    jobs: list[ParseJob], home: Path, budget: Budget | None = None
) -> Iterator[JobResult]:
    """Parse every job on the flow's task runner and yield each result as it completes; a
    failed worker is one failed document. A result is let go once yielded (nothing here keeps
    the futures), so the flow holds only what it has not loaded yet."""
    if not jobs:
        return
    get_run_logger().info("parsing %d document(s)", len(jobs))
    progress.start("parse", len(jobs))
    finished: queue.SimpleQueue[PrefectFuture[JobResult]] = queue.SimpleQueue()
    pending: dict[PrefectFuture[JobResult], ParseJob] = {}
    for job, future in zip(
        jobs, parse_task.map(jobs, home=unmapped(str(home)), budget=unmapped(budget)), strict=True
    ):
        pending[future] = job
        future.add_done_callback(finished.put)
    while pending:
        future = finished.get()
        job = pending.pop(future)
        try:
            result = future.result()
        except Exception as error:
            result = failed_parse(job, error)
        del future
        progress.advance("parse")
        yield result
