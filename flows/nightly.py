"""The ingest flows: `nightly` (discover -> fetch -> archive -> parse -> load -> validate ->
publish, for every enabled source) and `backfill` (walk every listing to its end, page by
page, resuming where an interrupted backfill stopped).

Network work runs in the flow process (it is I/O, and politeness limits are shared there);
parsing runs on the flow's task runner (threads, processes or Dask); the warehouse is written
only in the flow process (flows/writer.py), one transaction per batch of whole
documents. Import this module only after `flows.prefect_env.configure()` has set Prefect's
environment (the CLI does).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow

from flows import progress
from flows.acquire.discovery import Link, next_page, page_links
from flows.acquire.documents import FetchedDocument, links_inside
from flows.acquire.retry import retry_links
from flows.acquire.robots import forget_robots
from flows.budget import Budget
from flows.config import FetchSettings, SourceConfig, TollConfig, load_config
from flows.jobs import plan_parse_jobs
from flows.run_report import write_run_report
from flows.runners import make_task_runner, warm_up_workers
from flows.summary import RunSummary
from flows.tasks import discover_task, fetch_task, page_task
from flows.writer import Run, open_run, parse_and_load
from warehouse import archive
from warehouse.checks import SourceWatch
from warehouse.cursors import Cursor, read_cursor, save_cursor
from warehouse.load import upsert_sources
from warehouse.rows import SourceRow
from warehouse.writer_state import (
    completed_parses,
    document_media_types,
    known_urls,
    previous_fetches,
    source_countries,
)

logger = logging.getLogger("toll.flows")

__all__ = ["backfill", "make_task_runner", "nightly"]


def budget_of(config: TollConfig) -> Budget:
    """The parse budget the configuration sets."""
    return Budget(config.parse.time_budget_seconds, config.parse.memory_budget_mb)


def fetch_links(
    run: Run, source: SourceConfig, settings: FetchSettings, links: list[Link]
) -> list[FetchedDocument]:
    """Fetch (conditionally) and archive candidate reports, then the documents they link to
    (their PDFs); record failures and counts on the run. A URL this run fetched already (a
    backfill meets the feed's reports again in the listings) is not fetched again."""
    fetched: list[FetchedDocument] = []
    links = [link for link in links if link.url not in run.fetched_urls]
    seen = {link.url for link in links} | run.fetched_urls
    run.count(discovered=len(links))
    while links:
        previous = previous_fetches(run.conn, [link.url for link in links])
        media = document_media_types(run.conn, [p.sha256 for p in previous.values()])
        previous = {  # an archived copy that went missing is downloaded again, not 304'd
            url: p
            for url, p in previous.items()
            if archive.exists(run.home, p.sha256, media.get(p.sha256, ""))
        }
        progress.start("fetch", len(links))
        batch = fetch_task(source, settings, links, previous, str(run.home), run.run_id, media)
        progress.advance("fetch", len(batch))
        fetched.extend(batch)
        run.fetched_urls.update(link.url for link in links)
        links = [link for link in links_inside(source, batch, run.home) if link.url not in seen]
        seen.update(link.url for link in links)
        run.count(discovered=len(links))
    outcomes = [d.fetch.outcome for d in fetched]
    for document in fetched:
        if document.fetch.outcome == "failed":
            run.fail(source.name, document.link.url, "fetch", document.fetch.error or "failed")
    run.count(
        fetched=outcomes.count("fetched"),
        not_modified=outcomes.count("unchanged"),
        fetch_failed=outcomes.count("failed"),
    )
    if outcomes.count("skipped"):
        logger.warning("%s: %d URL(s) skipped: robots.txt", source.name, outcomes.count("skipped"))
    return fetched


def parse_fetched(run: Run, fetched: list[FetchedDocument], budget: Budget) -> None:
    """Plan parse jobs for what was fetched, parse them and load everything."""
    hashes = sorted({d.sha256 for d in fetched if d.sha256})
    jobs = plan_parse_jobs(fetched, completed_parses(run.conn, hashes), source_countries(run.conn))
    parse_and_load(run, jobs, fetched, budget)


def ingest_source(
    run: Run, source: SourceConfig, settings: FetchSettings, nightly: bool = True
) -> list[FetchedDocument]:
    """A nightly pass over one source: its feeds and the listing pages that hold news. What
    discovery returned goes to the source checks (not for a backfill's pass over the feeds
    alone: its listings come after)."""
    progress.start("discover", len(source.entry_points))
    found = discover_task(source, settings, known_urls(run.conn, source.name), False)
    progress.advance("discover", len(source.entry_points))
    for url, error in found.errors:
        run.fail(source.name, url, "discover", error)
    if not found.links:
        logger.warning("source %s: discovery found no report URLs", source.name)
    if nightly:
        run.watches[source.name] = replace(run.watches[source.name], discovered=len(found.links))
    listed = {link.url for link in found.links}
    again = [
        link
        for link in retry_links(run.conn, source, run.home, datetime.now(UTC))
        if link.url not in listed
    ]
    if again:
        logger.info("source %s: trying %d earlier failure(s) again", source.name, len(again))
    fetched = fetch_links(run, source, settings, [*found.links, *again])
    logger.info(
        "source %s: %d fetched, %d unchanged, %d failed",
        source.name,
        sum(d.fetch.outcome == "fetched" for d in fetched),
        sum(d.fetch.outcome == "unchanged" for d in fetched),
        sum(d.fetch.outcome == "failed" for d in fetched),
    )
    return fetched


def backfill_source(
    run: Run, source: SourceConfig, settings: FetchSettings, budget: Budget, restart: bool
) -> None:
    """Walk a source's listings to their end, one page at a time, loading each page's
    documents before moving the saved cursor on, so an interrupted backfill resumes."""
    for listing in source.listings:
        cursor = None if restart else read_cursor(run.conn, source.name, listing.url)
        if cursor is None or cursor.finished or cursor.next_url is None:
            cursor = Cursor(listing.url, 0, False)
        else:
            logger.info(
                "%s: resuming %s at page %d", source.name, listing.url, cursor.pages_done + 1
            )
        url: str | None = cursor.next_url
        pages = cursor.pages_done
        visited: set[str] = set()
        while url and url not in visited and pages < listing.max_pages:
            visited.add(url)
            body, error = page_task(source, settings, url)
            if body is None:
                run.fail(source.name, url, "discover", error or "no body")
                break
            links = [link for link in page_links(body, url) if source.is_candidate(link.url)]
            links = list({link.url: link for link in links}.values())
            parse_fetched(run, fetch_links(run, source, settings, links), budget)
            url = next_page(body, url, listing.next_selector)
            pages += 1
            run.note_change()
            save_cursor(
                run.conn,
                source.name,
                listing.url,
                Cursor(url, pages, url is None),
                run.run_id,
                datetime.now(UTC),
            )


def run_ingest(
    flow_name: str,
    home: Path,
    config_path: Path,
    source_names: list[str] | None,
    walk_all: bool,
    restart: bool = False,
    wait: bool = False,
) -> RunSummary:
    """The body of the ingest flows."""
    config = load_config(config_path)
    sources = config.selected(source_names)
    budget = budget_of(config)
    warm_up_workers()  # they start while the run discovers and fetches
    forget_robots()  # each run reads robots.txt afresh (a host skipped last run may be back)
    with open_run(home, flow_name, [s.name for s in sources], wait) as run:
        run.batch_documents = config.load.batch_documents
        run.watches = {s.name: SourceWatch(s.name, s.cadence_days) for s in sources}
        rows = [source_row(s) for s in sources]
        upsert_sources(run.conn, rows, datetime.now(UTC), run.note_change)
        if walk_all:
            for source in sources:
                feeds_only = source.model_copy(update={"listings": []})
                if feeds_only.feeds:
                    fetched = ingest_source(run, feeds_only, config.fetch, nightly=False)
                    parse_fetched(run, fetched, budget)
                backfill_source(run, source, config.fetch, budget, restart)
        else:
            every: list[FetchedDocument] = []
            for source in sources:  # a failing source never stops the others
                every.extend(ingest_source(run, source, config.fetch))
            parse_fetched(run, every, budget)
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


def announce(flow: Any, flow_run: Any, state: Any) -> None:
    """Say that a scheduled run finished, on the serving process's output."""
    if getattr(flow_run, "deployment_id", None):
        print(f"toll: {flow_run.name} finished: {state.name}", flush=True)


@flow(name="nightly", log_prints=False, on_completion=[announce], on_failure=[announce])
def nightly(
    home: str, config_path: str, sources: list[str] | None = None, wait: bool = False
) -> RunSummary:
    """One ingest of every enabled source: discover, fetch, archive, parse, load, validate;
    then the HTML report, when the configuration enables it."""
    summary = run_ingest("nightly", Path(home), Path(config_path), sources, False, wait=wait)
    write_run_report(Path(home), load_config(config_path))
    return summary


@flow(name="backfill", log_prints=False)
def backfill(
    home: str,
    config_path: str,
    sources: list[str] | None = None,
    restart: bool = False,
    wait: bool = False,
) -> RunSummary:
    """Walk every listing to its end to catch up on older reports; resumable."""
    return run_ingest("backfill", Path(home), Path(config_path), sources, True, restart, wait)
