"""The `reparse` flow: run parsers again over archived documents, with no network.

A parser whose version changed replaces its figures for those documents (one transaction per
batch); `parse_runs` keeps the history. Documents already parsed by the current version of a
parser are skipped, so re-parsing twice adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
from prefect import flow

from flows.budget import Budget
from flows.jobs import ArchivedDocument, plan_jobs
from flows.runners import warm_up_workers
from flows.summary import RunSummary
from flows.writer import open_run, parse_and_load
from parsers.media import charset_of
from parsers.registry import get_parser
from warehouse.writer_state import completed_parses


def archived_documents(
    conn: duckdb.DuckDBPyConnection, source: str | None = None, since: date | None = None
) -> list[ArchivedDocument]:
    """Documents in the warehouse, optionally of one source or first seen on or after a date."""
    rows = conn.execute(
        """
        SELECT d.sha256, d.archive_path, coalesce(d.final_url, d.url), d.source_id,
               d.media_type, d.first_seen, d.title, d.published, s.country,
               (SELECT content_type FROM fetches f WHERE f.fetch_id = d.first_fetch_id)
        FROM documents d
        LEFT JOIN sources s USING (source_id)
        WHERE (?::VARCHAR IS NULL OR d.source_id = ?)
          AND (?::DATE IS NULL OR d.first_seen >= ?::DATE)
        ORDER BY d.first_seen
        """,
        [source, source, since, since],
    ).fetchall()
    return [_archived(*row) for row in rows]


def _archived(
    sha256: str,
    archive_path: str,
    url: str,
    source: str,
    media_type: str,
    first_seen: datetime,
    title: str | None,
    published: date | None,
    country: str | None,
    content_type: str | None,
) -> ArchivedDocument:
    """One row of `archived_documents`' query as a document to parse again."""
    return ArchivedDocument(
        sha256, archive_path, url, source, media_type, first_seen, title, published,
        charset=charset_of(content_type), country=country,
    )  # fmt: skip


def run_reparse(
    home: Path,
    parser: str | None = None,
    source: str | None = None,
    since: date | None = None,
    budget: Budget | None = None,
    wait: bool = False,
) -> RunSummary:
    """The body of the reparse flow."""
    only = [get_parser(parser).name] if parser else None
    warm_up_workers()  # they start while the run takes its lock and plans the jobs
    with open_run(home, "reparse", [source] if source else [], wait) as run:
        documents = archived_documents(run.conn, source, since)
        done = completed_parses(run.conn, [d.sha256 for d in documents])
        jobs = plan_jobs(documents, done, only)
        run.count(discovered=len(documents))
        parse_and_load(run, jobs, budget=budget or Budget())
    assert run.summary is not None
    return run.summary


@flow(name="reparse", log_prints=False)
def reparse(
    home: str,
    parser: str | None = None,
    source: str | None = None,
    since: date | None = None,
    wait: bool = False,
) -> RunSummary:
    """Re-run parsers over archived documents (no network); new versions replace old figures."""
    return run_reparse(Path(home), parser, source, since, wait=wait)
