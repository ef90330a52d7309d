"""The Prefect flows: `nightly` (discover -> fetch -> archive -> parse -> load -> validate ->
publish, for every enabled source).

Network and parsing run as Prefect tasks; the warehouse is written only here, in the flow
process, one transaction per batch of whole documents. Import this module only after
`flows.prefect_env.configure()` has set Prefect's environment (the CLI does).
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.config import FetchSettings, SourceConfig, load_config
from flows.discovery import Discovery, Link
from flows.runlock import writer_lock
from flows.stages import (
    FetchedDocument,
    ParseJob,
    ParseResult,
    assemble_batches,
    discover_links,
    document_rows,
    fetch_and_archive,
    fetcher_for,
    links_inside,
    new_id,
    plan_parse_jobs,
    run_parse_job,
)
from flows.summary import RunSummary, summary_markdown
from parsers.registry import ParseOutcome
from warehouse.checks import run_checks
from warehouse.database import connect_writer, publish
from warehouse.load import (
    RunCounts,
    SourceRow,
    abandon_stale_runs,
    completed_parses,
    document_media_types,
    finish_run,
    known_documents,
    known_urls,
    load_batch,
    previous_fetches,
    start_run,
    upsert_sources,
)

TASK_RUNNERS = ("threads", "processes")


def make_task_runner(kind: str, workers: int | None = None) -> TaskRunner:
    """The task runner for parse tasks: threads, or processes (parsing is CPU-bound)."""
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers or 8)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=workers)
    raise ValueError(f"unknown task runner {kind!r}; choose one of {', '.join(TASK_RUNNERS)}")


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


@task(name="parse", task_run_name="parse-{job.sha256:.12}")
def parse_task(job: ParseJob, home: str) -> ParseResult:
    """Run a document's pending parsers on its archived bytes (no network, no database)."""
    return run_parse_job(job, Path(home))


def _failed_parse(job: ParseJob, error: BaseException) -> ParseResult:
    message = f"parse worker failed: {type(error).__name__}: {error}"
    outcomes = tuple(ParseOutcome(name, "", (), message) for name in job.parsers)
    return ParseResult(job, outcomes, tuple(0 for _ in job.parsers), datetime.now(UTC))


def _fetch_source(
    conn,
    source: SourceConfig,
    settings: FetchSettings,
    home: Path,
    run_id: str,
    walk_all: bool,
    failures: list[dict[str, str]],
) -> tuple[list[FetchedDocument], int]:
    """Discovery, then the reports, then the documents linked from them (their PDFs)."""
    logger = get_run_logger()
    known = known_urls(conn, source.name)
    found = discover_task(source, settings, known, walk_all)
    for url, error in found.errors:
        failures.append({"source": source.name, "url": url, "stage": "discover", "error": error})
    if not found.links:
        logger.warning("source %s: discovery found no report URLs", source.name)
    fetched: list[FetchedDocument] = []
    links = list(found.links)
    seen = {link.url for link in links}
    discovered = len(links)
    while links:
        previous = previous_fetches(conn, [link.url for link in links])
        media = document_media_types(conn, [p.sha256 for p in previous.values()])
        batch = fetch_task(source, settings, links, previous, str(home), run_id, media)
        fetched.extend(batch)
        links = [link for link in links_inside(source, batch, home) if link.url not in seen]
        seen.update(link.url for link in links)
        discovered += len(links)
    for document in fetched:
        if document.fetch.outcome == "failed":
            failures.append(
                {
                    "source": source.name,
                    "url": document.link.url,
                    "stage": "fetch",
                    "error": document.fetch.error or "failed",
                }
            )
    logger.info(
        "source %s: %d candidates, %d fetched, %d unchanged, %d failed",
        source.name,
        discovered,
        sum(d.fetch.outcome == "fetched" for d in fetched),
        sum(d.fetch.outcome == "unchanged" for d in fetched),
        sum(d.fetch.outcome == "failed" for d in fetched),
    )
    return fetched, discovered


def run_ingest(
    flow_name: str,
    home: Path,
    config_path: Path,
    source_names: list[str] | None,
    walk_all: bool,
) -> RunSummary:
    """The body of the ingest flows (nightly and backfill differ only in `walk_all`)."""
    logger = get_run_logger()
    clock = time.perf_counter()
    config = load_config(config_path)
    sources = config.selected(source_names)
    run_id = new_id()
    failures: list[dict[str, str]] = []
    home.mkdir(parents=True, exist_ok=True)
    with writer_lock(home):
        conn = connect_writer(home)
        try:
            now = datetime.now(UTC)
            if abandoned := abandon_stale_runs(conn, now):
                logger.warning("marked %d run(s) left by a crashed process as abandoned", abandoned)
            upsert_sources(conn, [_source_row(s) for s in sources], now)
            start_run(conn, run_id, flow_name, [s.name for s in sources], now, _prefect_id())

            fetched: list[FetchedDocument] = []
            discovered = 0
            for source in sources:
                documents, found = _fetch_source(
                    conn, source, config.fetch, home, run_id, walk_all, failures
                )
                fetched.extend(documents)
                discovered += found

            hashes = sorted({d.sha256 for d in fetched if d.sha256})
            jobs = plan_parse_jobs(fetched, completed_parses(conn, hashes))
            logger.info("parsing %d document(s)", len(jobs))
            futures = parse_task.map(jobs, home=unmapped(str(home)))
            results = []
            for job, future in zip(jobs, futures, strict=True):
                try:
                    results.append(future.result())
                except Exception as error:  # a crashed worker is one failed document
                    results.append(_failed_parse(job, error))

            new_documents = document_rows(fetched, known_documents(conn, hashes))
            added = replaced = 0
            for batch in assemble_batches(run_id, fetched, new_documents, results):
                loaded = load_batch(conn, batch)
                added += loaded.figures_added
                replaced += loaded.figures_replaced
            issues = run_checks(conn, run_id, datetime.now(UTC))

            outcomes = [o for r in results for o in r.outcomes]
            for result in results:
                for outcome in result.outcomes:
                    if not outcome.ok:
                        failures.append(
                            {
                                "source": result.job.source,
                                "url": result.job.url,
                                "stage": f"parse:{outcome.parser}",
                                "error": outcome.error or "failed",
                            }
                        )
            counts = RunCounts(
                discovered=discovered,
                fetched=sum(d.fetch.outcome == "fetched" for d in fetched),
                not_modified=sum(d.fetch.outcome == "unchanged" for d in fetched),
                fetch_failed=sum(d.fetch.outcome == "failed" for d in fetched),
                parsed=sum(o.ok for o in outcomes),
                parse_failed=sum(not o.ok for o in outcomes),
                figures_added=added,
                figures_replaced=replaced,
                quality_issues=issues,
            )
            status = "partial" if failures else "completed"
            finish_run(conn, run_id, status, counts, failures, datetime.now(UTC))
        except BaseException as error:
            _record_failure(conn, run_id, error)
            raise
        finally:
            conn.close()
        published = publish(home)
    summary = RunSummary(
        run_id=run_id,
        flow=flow_name,
        status=status,
        sources=[s.name for s in sources],
        counts=counts,
        failures=failures,
        warehouse=str(published),
        seconds=round(time.perf_counter() - clock, 2),
    )
    _artifact(summary)
    return summary


def _record_failure(conn, run_id: str, error: BaseException) -> None:
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


def _source_row(source: SourceConfig) -> SourceRow:
    return SourceRow(
        source_id=source.name,
        publisher=source.publisher,
        homepage=source.homepage,
        country=source.country,
        languages=source.languages,
        entry_points=source.entry_points,
        allowed_hosts=source.allowed_hosts,
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


@flow(name="nightly", log_prints=False)
def nightly(
    home: str, config_path: str, sources: list[str] | None = None, walk_all: bool = False
) -> RunSummary:
    """One ingest of every enabled source: discover, fetch, archive, parse, load, validate."""
    return run_ingest("nightly", Path(home), Path(config_path), sources, walk_all)
