"""Stored results of the heaviest analyst views, refreshed whenever the warehouse is published.

`monthly_toll` and `figure_conflicts` join and rank every current figure: on a warehouse of
ten million figures that takes tens of seconds (benchmarks/bench_queries.py). Analysts read a
published snapshot that changes only when a run publishes, so the writer stores each result
as a table just before publishing, and analysts' queries read it in milliseconds. The views
`monthly_toll_live` and `figure_conflicts_live` keep the definitions and always show the
working data (the quality checks use them).
"""

from __future__ import annotations

import duckdb

from warehouse.sql import scalar

SERVED: dict[str, str] = {
    "monthly_toll": "monthly_toll_live",
    "figure_conflicts": "figure_conflicts_live",
}


def refresh_served(conn: duckdb.DuckDBPyConnection) -> None:
    """Store every served view's current result as its table, in one transaction."""
    conn.execute("BEGIN TRANSACTION")
    try:
        for table, view in SERVED.items():
            _store(conn, table, view)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def ensure_served(conn: duckdb.DuckDBPyConnection) -> None:
    """Create served tables that are missing or whose columns no longer match their view
    (a new warehouse, or an upgrade that changed a view); leave current ones alone."""
    for table, view in SERVED.items():
        if _columns(conn, table) != _columns(conn, view) or _is_view(conn, table):
            _store(conn, table, view)


def _store(conn: duckdb.DuckDBPyConnection, table: str, view: str) -> None:
    if _is_view(conn, table):  # older warehouses had these as views
        conn.execute(f"DROP VIEW {table}")
    conn.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {view}")
    _copy_comments(conn, view, table)


def _copy_comments(conn: duckdb.DuckDBPyConnection, view: str, table: str) -> None:
    comment = scalar(conn, "SELECT comment FROM duckdb_views() WHERE view_name = ?", [view])
    if comment:
        stored = f"{comment} Stored at every publish; the view {view} computes it live."
        conn.execute(f"COMMENT ON TABLE {table} IS {_literal(stored)}")
    rows = conn.execute(
        """
        SELECT column_name, comment FROM duckdb_columns()
        WHERE table_name = ? AND comment IS NOT NULL
        """,
        [view],
    ).fetchall()
    for column, column_comment in rows:
        conn.execute(f'COMMENT ON COLUMN {table}."{column}" IS {_literal(column_comment)}')


def _columns(conn: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        """
        SELECT column_name, data_type FROM duckdb_columns()
        WHERE table_name = ? AND NOT internal ORDER BY column_index
        """,
        [name],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _is_view(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = scalar(conn, "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name])
    return bool(found)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
