"""What a run asks of the warehouse it writes before it fetches or parses: validators of
previous fetches, URLs and documents already known, parses already done, media types of
known documents. Read through the writer's own connection."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from warehouse.rows import PreviousFetch


def previous_fetches(
    conn: duckdb.DuckDBPyConnection, urls: Sequence[str]
) -> dict[str, PreviousFetch]:
    """For each URL, the validators of its newest successful fetch whose document is loaded.

    Fetches whose document never reached the warehouse (a crash between download and load)
    are ignored, so the next run downloads those again instead of getting a 304.
    """
    if not urls:
        return {}
    rows = conn.execute(
        """
        SELECT f.url, f.etag, f.last_modified, f.sha256
        FROM fetches f
        JOIN documents d ON d.sha256 = f.sha256
        WHERE f.url IN (SELECT unnest(?::VARCHAR[])) AND f.outcome IN ('fetched', 'unchanged')
        QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.requested_at DESC) = 1
        """,
        [list(urls)],
    ).fetchall()
    return {r[0]: PreviousFetch(r[0], r[1], r[2], r[3]) for r in rows}


def known_urls(conn: duckdb.DuckDBPyConnection, source_id: str) -> set[str]:
    """URLs of this source already in the warehouse (to stop paging listings early)."""
    rows = conn.execute(
        "SELECT DISTINCT url FROM fetches WHERE source_id = ? AND sha256 IS NOT NULL",
        [source_id],
    ).fetchall()
    return {r[0] for r in rows}


def source_countries(conn: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The country each configured source reports on (sources.country)."""
    return dict(conn.execute("SELECT source_id, country FROM sources").fetchall())


def completed_parses(
    conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]
) -> set[tuple[str, str, str]]:
    """(sha256, parser, version) triples that already have a parser run recorded."""
    if not sha256s:
        return set()
    rows = conn.execute(
        """
        SELECT DISTINCT sha256, parser, parser_version FROM parse_runs
        WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(sha256s)],
    ).fetchall()
    return {(r[0], r[1], r[2]) for r in rows}


def known_documents(conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]) -> set[str]:
    """Which of these content hashes are already documents."""
    if not sha256s:
        return set()
    rows = conn.execute(
        "SELECT sha256 FROM documents WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))",
        [list(sha256s)],
    ).fetchall()
    return {r[0] for r in rows}


def document_media_types(conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]) -> dict[str, str]:
    """Media type of known documents, by hash (a 304 brings no bytes to sniff)."""
    if not sha256s:
        return {}
    rows = conn.execute(
        "SELECT sha256, media_type FROM documents WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))",
        [list(sha256s)],
    ).fetchall()
    return {r[0]: r[1] for r in rows}
