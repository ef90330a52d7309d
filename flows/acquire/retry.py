"""Documents a nightly run could not fetch are tried again by the next ones, even after their
report has dropped off the feed and the first listing page (where a nightly run stops
looking). A failed report is fetched again directly; a failed document linked from a report
(its PDF) is reached again through that report, so it keeps the report's title and date, as
it would have the first time. Retries stop once a URL has failed for RETRY_DAYS in a row:
`toll status` and the run failures show it, and `toll backfill` walks everything again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from flows.acquire.discovery import Link, followed_links
from flows.config import SourceConfig
from parsers.media import HTML
from warehouse import archive

RETRY_DAYS = 30


def failed_urls(
    conn: duckdb.DuckDBPyConnection, source: str, now: datetime
) -> dict[str, list[str]]:
    """URLs of a source whose newest fetch failed, failing for less than RETRY_DAYS, with
    the runs in which they failed."""
    rows = conn.execute(
        """
        WITH latest AS (
            SELECT url,
                   arg_max(outcome, requested_at) AS outcome,
                   max(requested_at) FILTER (WHERE sha256 IS NOT NULL) AS last_success
            FROM fetches WHERE source_id = ? GROUP BY url
        )
        SELECT f.url, list(DISTINCT f.run_id)
        FROM fetches f JOIN latest l USING (url)
        WHERE f.source_id = ? AND l.outcome = 'failed' AND f.outcome = 'failed'
          AND (l.last_success IS NULL OR f.requested_at > l.last_success)
        GROUP BY f.url
        HAVING min(f.requested_at) > ?
        """,
        [source, source, now - timedelta(days=RETRY_DAYS)],
    ).fetchall()
    return {url: runs for url, runs in rows}


def retry_links(
    conn: duckdb.DuckDBPyConnection, source: SourceConfig, home: Path, now: datetime
) -> list[Link]:
    """Links to fetch again: failed reports themselves, and the reports (already archived)
    that link to failed documents."""
    failed = failed_urls(conn, source.name, now)
    links = {url: Link(url) for url in failed if source.is_candidate(url)}
    followed = {url: runs for url, runs in failed.items() if source.is_followed(url)}
    if not followed:
        return list(links.values())
    runs = sorted({run for ids in followed.values() for run in ids})
    reports = conn.execute(
        """
        SELECT DISTINCT f.url, d.sha256, d.archive_path, d.title, d.published
        FROM fetches f JOIN documents d ON d.sha256 = f.sha256
        WHERE f.source_id = ? AND d.media_type = ? AND f.run_id IN (SELECT unnest(?))
        """,
        [source.name, HTML, runs],
    ).fetchall()
    for url, sha256, path, title, published in reports:
        try:
            content = archive.read(home, path, sha256)
        except archive.ArchiveError:
            links.setdefault(url, Link(url, title, published))  # fetched again, then read
            continue
        if any(link.url in followed for link in followed_links(source, content, url)):
            links.setdefault(url, Link(url, title, published))
    return list(links.values())
