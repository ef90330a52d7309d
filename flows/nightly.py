"""The ingest flows: `nightly` (discover -> fetch -> archive -> parse -> load -> validate ->
publish, for every enabled source) and `backfill` (the same, walking listings to their end).

Network and parsing run as Prefect tasks (flows/tasks.py); the warehouse is written only in
the flow process (flows/recorded_run.py), one transaction per batch of whole documents. Import
this module only after `flows.prefect_env.configure()` has set Prefect's environment (the CLI
does).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.config import FetchSettings, SourceConfig, load_config
from flows.recorded_run import Run, parse_and_load, recorded_run
from flows.stages import FetchedDocument, links_inside, plan_parse_jobs
from flows.summary import RunSummary
from flows.tasks import discover_task, fetch_task
from warehouse.load import (
    SourceRow,
    completed_parses,
    document_media_types,
    known_urls,
    previous_fetches,
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


def fetch_source(
    run: Run, source: SourceConfig, settings: FetchSettings, walk_all: bool
) -> list[FetchedDocument]:
    """Discovery, then the reports, then the documents linked from them (their PDFs)."""
    logger = get_run_logger()
    found = discover_task(source, settings, known_urls(run.conn, source.name), walk_all)
    for url, error in found.errors:
        run.fail(source.name, url, "discover", error)
    if not found.links:
        logger.warning("source %s: discovery found no report URLs", source.name)
    fetched: list[FetchedDocument] = []
    links = list(found.links)
    seen = {link.url for link in links}
    discovered = len(links)
    while links:
        previous = previous_fetches(run.conn, [link.url for link in links])
        media = document_media_types(run.conn, [p.sha256 for p in previous.values()])
        batch = fetch_task(source, settings, links, previous, str(run.home), run.run_id, media)
        fetched.extend(batch)
        links = [link for link in links_inside(source, batch, run.home) if link.url not in seen]
        seen.update(link.url for link in links)
        discovered += len(links)
    for document in fetched:
        if document.fetch.outcome == "failed":
            run.fail(source.name, document.link.url, "fetch", document.fetch.error or "failed")
    outcomes = [d.fetch.outcome for d in fetched]
    run.count(
        discovered=discovered,
        fetched=outcomes.count("fetched"),
        not_modified=outcomes.count("unchanged"),
        fetch_failed=outcomes.count("failed"),
    )
    logger.info(
        "source %s: %d candidates, %d fetched, %d unchanged, %d failed",
        source.name,
        discovered,
        outcomes.count("fetched"),
        outcomes.count("unchanged"),
        outcomes.count("failed"),
    )
    return fetched


def run_ingest(
    flow_name: str,
    home: Path,
    config_path: Path,
    source_names: list[str] | None,
    walk_all: bool,
) -> RunSummary:
    """The body of the ingest flows (nightly and backfill differ only in `walk_all`)."""
    config = load_config(config_path)
    sources = config.selected(source_names)
    with recorded_run(home, flow_name, [s.name for s in sources]) as run:
        upsert_sources(run.conn, [source_row(s) for s in sources], datetime.now(UTC))
        fetched: list[FetchedDocument] = []
        for source in sources:
            fetched.extend(fetch_source(run, source, config.fetch, walk_all))
        hashes = sorted({d.sha256 for d in fetched if d.sha256})
        jobs = plan_parse_jobs(fetched, completed_parses(run.conn, hashes))
        parse_and_load(run, jobs, fetched)
    assert run.summary is not None
    return run.summary


def source_row(source: SourceConfig) -> SourceRow:
    """A source's configuration as stored in `sources`."""
    return SourceRow(
        source_id=source.name,
        publisher=source.publisher,
        homepage=source.homepage,
        country=source.country,
        languages=source.languages,
        entry_points=source.entry_points,
        allowed_hosts=source.allowed_hosts,
    )


@flow(name="nightly", log_prints=False)
def nightly(
    home: str, config_path: str, sources: list[str] | None = None, walk_all: bool = False
) -> RunSummary:
    """One ingest of every enabled source: discover, fetch, archive, parse, load, validate."""
    return run_ingest("nightly", Path(home), Path(config_path), sources, walk_all)


@flow(name="backfill", log_prints=False)
def backfill(home: str, config_path: str, sources: list[str] | None = None) -> RunSummary:
    """Like nightly, but walks every listing to its end to catch up on older reports."""
    return run_ingest("backfill", Path(home), Path(config_path), sources, walk_all=True)
