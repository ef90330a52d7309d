"""Where a backfill got to in each listing (`crawl_cursors`), so an interrupted backfill
resumes from the last page it loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.sql import transaction


@dataclass(frozen=True)
class Cursor:
    """Where a backfill of one listing got to."""

    next_url: str | None
    pages_done: int
    finished: bool


def _cursor_values(source_id: str, listing_url: str, cursor: Cursor) -> tuple:
    """A cursor's row values, without the bookkeeping columns."""
    return (source_id, listing_url, cursor.next_url, cursor.pages_done, cursor.finished)


def read_cursor(conn: duckdb.DuckDBPyConnection, source_id: str, listing_url: str) -> Cursor | None:
    """The saved position of a listing walk, if any."""
    rows = conn.execute(
        """
        SELECT next_url, pages_done, finished FROM crawl_cursors
        WHERE source_id = ? AND listing_url = ?
        """,
        [source_id, listing_url],
    ).fetchall()
    return Cursor(*rows[0]) if rows else None


def save_cursor(
    conn: duckdb.DuckDBPyConnection,
    source_id: str,
    listing_url: str,
    cursor: Cursor,
    run_id: str,
    now: datetime,
) -> None:
    """Record how far a listing walk got (one small transaction)."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM crawl_cursors WHERE source_id = ? AND listing_url = ?",
            [source_id, listing_url],
        )
        conn.execute(
            "INSERT INTO crawl_cursors VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*_cursor_values(source_id, listing_url, cursor), run_id, now],
        )
