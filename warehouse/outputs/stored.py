"""Figures as the published warehouse stores them, grouped by document and parser: what a
preview of a re-parse compares new parser output with. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import duckdb


def stored_figures(
    conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every stored figure of these documents, keyed by (sha256, parser), in locator order."""
    if not sha256s:
        return {}
    cursor = conn.execute(
        """
        SELECT * FROM figures
        WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY sha256, parser, locator::VARCHAR
        """,
        [list(sha256s)],
    )
    names = [column[0] for column in cursor.description]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        grouped[(row["sha256"], row["parser"])].append(row)
    return dict(grouped)
