"""The writer's side of every flow run: hold the data folder's lock, record the run in `runs`,
load through one connection, bring the derived tables and the checks up to date with what
changed, and publish the warehouse when the run ends, if it changed.

A run that changed nothing an analyst reads and failed nowhere (an unchanged nightly: only its
own `runs` row and its 304 fetches) publishes nothing: copying a warehouse of ten million
figures (1.2 GB) costs seconds. Its bookkeeping reaches the published file with the next run
that publishes. A run with failures always publishes, so that they can be seen.
Whether the working copy holds changes not yet published survives a crash: a marker file,
`state/unpublished`, is created before the first change is committed and removed once a
publish has succeeded."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import progress
from flows.acquire.documents import FetchedDocument
from flows.batches import LoadBatches, document_rows
from flows.budget import Budget
from flows.jobs import JobResult, ParseJob
from flows.runlock import writer_lock
from flows.runners import runner_workers
from flows.summary import RunSummary, summary_markdown
from flows.tasks import parse_each
from warehouse.checks import SourceWatch, open_alarms
from warehouse.database import connect_writer, publish, published_path, unpublished_marker
from warehouse.derived import update_derived
from warehouse.load import load_batch
from warehouse.rows import LoadBatch, RunCounts, new_id
from warehouse.runs import abandon_stale_runs, finish_run, run_status, start_run
from warehouse.writer_state import known_documents

load_logger = logging.getLogger("toll.load")


@dataclass
class Run:
    """A run in progress: its id, the writer connection, what failed, what it counted."""

    conn: duckdb.DuckDBPyConnection
    run_id: str
    flow: str
    home: Path
    sources: list[str]
    failures: list[dict[str, str]] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)
    summary: RunSummary | None = None
    batch_documents: int = 25
    fetched_urls: set[str] = field(default_factory=set)  # each URL is fetched once a run
    watches: dict[str, SourceWatch] = field(default_factory=dict)  # for the source checks
    changed: bool = False  # the run noted a change of the warehouse: it publishes

    def fail(self, source: str, url: str, stage: str, error: str) -> None:
        """Record a failed document or source; the run goes on and ends 'partial'."""
        self.failures.append({"source": source, "url": url, "stage": stage, "error": error})

    def note_change(self) -> None:
        """Say that the run is about to change the warehouse (call before committing): it
        will publish, and so will the next run if this one stops before it can."""
        if not self.changed:
            unpublished_marker(self.home).touch()
            self.changed = True

    def count(self, **changes: int) -> None:
        """Add to the run's counts."""
        current = self.counts
        self.counts = replace(current, **{k: getattr(current, k) + v for k, v in changes.items()})


@contextlib.contextmanager
def open_run(home: Path, flow: str, sources: Sequence[str], wait: bool = False) -> Iterator[Run]:
    """Open a run: lock, writer connection, `runs` row. On exit record how it ended, publish
    the warehouse and attach the summary artifact; `run.summary` holds the summary after."""
    logger = get_run_logger()
    clock = time.perf_counter()
    home.mkdir(parents=True, exist_ok=True)
    with writer_lock(home, wait=wait):
        conn = connect_writer(home)
        run = Run(conn, new_id(), flow, home, list(sources))
        try:
            now = datetime.now(UTC)
            if abandoned := abandon_stale_runs(conn, now):
                logger.warning("marked %d run(s) left by a crashed process as abandoned", abandoned)
            start_run(conn, run.run_id, flow, run.sources, now, _prefect_id())
            yield run
            watched = list(run.watches.values())
            now = datetime.now(UTC)
            derived = update_derived(conn, run.run_id, now, run.note_change, watched)
            run.counts = replace(run.counts, quality_issues=derived.open_issues)
            alarms = open_alarms(conn, list(run.watches))
            status = run_status(run.counts, run.failures)
            finish_run(conn, run.run_id, status, run.counts, run.failures, datetime.now(UTC))
        except BaseException as error:
            _record_failure(conn, run.run_id, error)
            raise
        finally:
            conn.close()
        published = published_path(home)
        marker = unpublished_marker(home)
        if marker.exists() or run.failures or not published.exists():
            publish(home)
            marker.unlink(missing_ok=True)
        else:
            logger.info("nothing changed: the published warehouse stays as it was")
    run.summary = RunSummary(
        run_id=run.run_id,
        flow=flow,
        status=status,
        sources=run.sources,
        counts=run.counts,
        failures=run.failures,
        warehouse=str(published),
        seconds=round(time.perf_counter() - clock, 2),
        alarms=alarms,
    )
    _artifact(run.summary)


def parse_and_load(
    run: Run,
    jobs: list[ParseJob],
    fetched: Sequence[FetchedDocument] = (),
    budget: Budget | None = None,
) -> None:
    """Parse the jobs on the task runner and load the results while parsing goes on, in
    batches of whole documents (fetch rows and new documents of `fetched` load with their
    parse results; the rest after the last result)."""
    hashes = sorted({d.sha256 for d in fetched if d.sha256})
    new_documents = document_rows(fetched, known_documents(run.conn, hashes))
    batches = LoadBatches(run.run_id, fetched, new_documents, run.batch_documents)
    documents = len({*hashes, *(job.sha256 for job in jobs)})
    loader = _Loader(run, total=-(-documents // run.batch_documents))
    for result in parse_each(jobs, run.home, budget, runner_workers()):
        _count_parse(run, result)
        if full := batches.add(result):
            loader.load(full)
    for batch in batches.rest():
        loader.load(batch)
    run.count(figures_added=loader.added, figures_replaced=loader.replaced)


def _count_parse(run: Run, result: JobResult) -> None:
    """Count a document's parser runs on the run and record the failed ones."""
    for parsed in result.outcomes:
        if not parsed.ok:
            run.fail(
                result.job.source,
                result.job.url,
                f"parse:{parsed.parser}",
                parsed.error or "failed",
            )
    run.count(
        parsed=sum(parsed.ok for parsed in result.outcomes),
        parse_failed=sum(not parsed.ok for parsed in result.outcomes),
    )


class _Loader:
    """Loads batches through the run's connection, logging and counting each commit."""

    def __init__(self, run: Run, total: int) -> None:
        self.run = run
        self.total = total
        self.number = self.added = self.replaced = 0
        progress.start("load", total)

    def load(self, batch: LoadBatch) -> None:
        if batch.documents or batch.parse_runs:
            self.run.note_change()
        loaded = load_batch(self.run.conn, batch)
        self.number += 1
        self.added += loaded.figures_added
        self.replaced += loaded.figures_replaced
        load_logger.info(
            "batch %d/%d committed: %d document(s), %d figure(s)",
            self.number,
            max(self.total, self.number),
            len(batch.documents),
            loaded.figures_added,
            extra={
                "event": "batch_committed",
                "batch": self.number,
                "batches": max(self.total, self.number),
                "documents": len(batch.documents),
                "figures": loaded.figures_added,
            },
        )
        progress.advance("load")


def _record_failure(conn: duckdb.DuckDBPyConnection, run_id: str, error: BaseException) -> None:
    """Mark the run failed; never mask the original error."""
    with contextlib.suppress(Exception):  # no transaction may be open
        conn.execute("ROLLBACK")
    with contextlib.suppress(Exception):
        finish_run(
            conn,
            run_id,
            "failed",
            RunCounts(),
            [{"stage": "run", "error": f"{type(error).__name__}: {error}"}],
            datetime.now(UTC),
        )


def _prefect_id() -> str | None:
    run = flow_run.get_id()
    return str(run) if run else None


def _artifact(summary: RunSummary) -> None:
    try:
        create_markdown_artifact(
            key=f"toll-{summary.flow}-summary",
            markdown=summary_markdown(summary),
            description=f"toll {summary.flow} run {summary.run_id}",
        )
    except Exception as error:  # the artifact is a convenience; the runs row is the record
        get_run_logger().warning("could not create the summary artifact: %s", error)
