"""Stored results of the heaviest analyst views, brought up to date before each publish.

`monthly_toll` and `figure_conflicts` join and rank every current figure: on a warehouse of
ten million figures that takes tens of seconds (benchmarks/bench_queries.py). Analysts read a
published snapshot that changes only when a run publishes, so the writer stores each result
as a table, and analysts' queries read it in milliseconds. The views `monthly_toll_live` and
`figure_conflicts_live` keep the definitions and always show the working data.

Only what changed is recomputed (warehouse/changes.py): the rows of the sources and months
whose figures changed, through the table macros the views are made of
(`monthly_toll_in(sources, months)`, `figure_conflicts_in(months)`), which filter the figures
before joining them. At ten million figures a month of one source takes a fraction of a
second where the whole refresh took 40 s.
"""

from __future__ import annotations

import duckdb

from warehouse import changes
from warehouse.sql import scalar, transaction

SERVED: dict[str, str] = {
    "monthly_toll": "monthly_toll_live",
    "figure_conflicts": "figure_conflicts_live",
}


def refresh_served(conn: duckdb.DuckDBPyConnection, scope: changes.Scope | None = None) -> None:
    """Bring the stored tables up to date with what changed (`scope`; by default what the
    change notes say), in one transaction. The notes are left for the checks to clear."""
    scope = changes.pending(conn) if scope is None else scope
    if scope.empty:
        return
    with transaction(conn):
        refresh_in_transaction(conn, scope)


def refresh_in_transaction(conn: duckdb.DuckDBPyConnection, scope: changes.Scope) -> None:
    """Recompute the stored rows in scope (all of them when it says everything)."""
    if scope.everything:
        for table, view in SERVED.items():
            _store(conn, table, view)
        return
    if scope.sources:
        _replace_monthly(conn, list(scope.sources), list(scope.months))
    if scope.whole_sources:
        _replace_monthly(conn, list(scope.whole_sources), None)
        _store(conn, "figure_conflicts", SERVED["figure_conflicts"])  # a source's scope moved
    elif scope.months:
        months = list(scope.months)
        conn.execute(
            "DELETE FROM figure_conflicts WHERE list_contains(?::DATE[], period_start)", [months]
        )
        conn.execute("INSERT INTO figure_conflicts SELECT * FROM figure_conflicts_in(?)", [months])


def _replace_monthly(
    conn: duckdb.DuckDBPyConnection, sources: list[str], months: list | None
) -> None:
    """Recompute monthly_toll's rows of these sources (and months; None: every month)."""
    conn.execute(
        """
        DELETE FROM monthly_toll
        WHERE list_contains(?::VARCHAR[], source_id)
          AND (?::DATE[] IS NULL OR list_contains(?::DATE[], month))
        """,
        [sources, months, months],
    )
    conn.execute("INSERT INTO monthly_toll SELECT * FROM monthly_toll_in(?, ?)", [sources, months])


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
