"""Documentation whose SQL examples are run by the tests: each ```sql block followed by an
`<!-- output -->` marker and a Markdown table must show what the query returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

BLOCK = re.compile(
    r"```sql\n(?P<sql>.*?)```\n\n<!-- output -->\n(?P<table>(?:\|[^\n]*\n)+|\(no rows\)\n)",
    re.DOTALL,
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A query result as a Markdown table (or "(no rows)")."""
    if not rows:
        return "(no rows)\n"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def run(conn: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The Markdown table of one query."""
    cursor = conn.execute(sql)
    return markdown_table([d[0] for d in cursor.description], cursor.fetchall())


def examples(path: Path) -> list[tuple[str, str]]:
    """(sql, expected table) pairs of a document."""
    return [(m.group("sql"), m.group("table")) for m in BLOCK.finditer(path.read_text())]


def rewrite(path: Path, conn: duckdb.DuckDBPyConnection) -> None:
    """Refresh every example's output table in place."""
    text = path.read_text()

    def replace(match: re.Match[str]) -> str:
        return (
            f"```sql\n{match.group('sql')}```\n\n<!-- output -->\n{run(conn, match.group('sql'))}"
        )

    path.write_text(BLOCK.sub(replace, text))
