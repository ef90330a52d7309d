"""SQL helpers: a transaction block, and a query for one value. DuckDB 2.0 refuses new work
on a connection while a result is only partly read (`fetchone()` on a multi-row result), so
results are always consumed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def scalar(conn: duckdb.DuckDBPyConnection, query: str, params: Sequence[Any] | None = None) -> Any:
    """The first column of the first row of a query (None when it returns no row)."""
    rows = conn.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


class transaction:
    """BEGIN ... COMMIT, or ROLLBACK if the block raises."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.conn.execute("BEGIN TRANSACTION")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
