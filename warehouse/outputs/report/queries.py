"""All the SQL of the report, over the analysts' views (`monthly_toll`, `current_figures`,
`figure_provenance`, `figure_conflicts`) and `quality_issues`. Each query returns plain row
dicts; the report's model is built from them and from nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from warehouse.errors import UnknownSource

Row = dict[str, Any]

# The provenance every cited number carries (joined on figure_id).
_PROVENANCE = """
    p.document_title AS title, p.document_published AS published, p.fetched_at,
    p.locator::VARCHAR AS locator
"""

# Figures outside monthly_toll are chosen by its rule, current_figures.preference: one per
# claim, PDF tables first, then HTML tables, then prose; then the most recent document.
_CHOSEN = """
WITH candidates AS (
    SELECT f.*
    FROM current_figures f
    WHERE f.period_precision = 'month' AND {where}
      AND ($source::VARCHAR IS NULL OR f.source_id = $source)
      AND ($since::DATE IS NULL OR f.period_start >= date_trunc('month', $since::DATE))
),
claims AS (
    SELECT arg_min(figure_id, preference) AS figure_id,
           count(DISTINCT sha256) AS documents_stating,
           count(DISTINCT count) AS distinct_counts
    FROM candidates
    GROUP BY source_id, period_start, metric, victim_group, perpetrator, place
)
SELECT f.figure_id, f.source_id, f.metric, f.victim_group, f.perpetrator, f.place,
       f.period_start AS month, f.count, f.count_high, f.qualifier, c.documents_stating,
       c.distinct_counts, f.url, f.parser, f.snippet, {provenance}
FROM claims c
JOIN current_figures f USING (figure_id)
JOIN figure_provenance p USING (figure_id)
ORDER BY f.source_id, month, f.metric, f.victim_group, f.place
"""


@dataclass(frozen=True)
class Scope:
    """What the report covers: one source or all, and months from a date on."""

    source: str | None = None
    since: date | None = None


@dataclass
class ReportRows:
    """Everything the report shows, as rows straight from the warehouse."""

    sources: list[Row] = field(default_factory=list)
    monthly: list[Row] = field(default_factory=list)
    governorates: list[Row] = field(default_factory=list)
    other_metrics: list[Row] = field(default_factory=list)
    issues: list[Row] = field(default_factory=list)
    conflicts: list[Row] = field(default_factory=list)
    last_collection: datetime | None = None


def _rows(conn: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any]) -> list[Row]:
    cursor = conn.execute(query, params)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _params(scope: Scope) -> dict[str, Any]:
    return {"source": scope.source, "since": scope.since}


def sources(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[Row]:
    """The sources in scope (configured or holding figures), with their publisher's name."""
    rows = _rows(
        conn,
        """
        WITH known AS (
            SELECT source_id FROM sources UNION SELECT DISTINCT source_id FROM figures
        )
        SELECT k.source_id, coalesce(s.publisher, k.source_id) AS publisher, s.homepage
        FROM known k LEFT JOIN sources s USING (source_id)
        WHERE $source::VARCHAR IS NULL OR k.source_id = $source
        ORDER BY publisher, k.source_id
        """,
        {"source": scope.source},
    )
    if scope.source is not None and not rows:
        known = [r["source_id"] for r in _rows(conn, "SELECT source_id FROM sources", {})]
        raise UnknownSource(
            f"unknown source {scope.source!r}; known: {', '.join(sorted(known)) or 'none'}"
        )
    return rows


def monthly(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[Row]:
    """monthly_toll in scope: one figure per source, month, perpetrator and victim group."""
    return _rows(
        conn,
        f"""
        SELECT m.figure_id, m.source_id, 'killed' AS metric, m.victim_group, m.perpetrator,
               NULL AS place, m.month, m.count, m.count_high, m.qualifier,
               m.documents_stating, m.distinct_counts, m.url, m.parser, m.snippet,
               {_PROVENANCE}
        FROM monthly_toll m JOIN figure_provenance p USING (figure_id)
        WHERE ($source::VARCHAR IS NULL OR m.source_id = $source)
          AND ($since::DATE IS NULL OR m.month >= date_trunc('month', $since::DATE))
        ORDER BY m.source_id, m.month, m.perpetrator, m.victim_group
        """,
        _params(scope),
    )


def governorates(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[Row]:
    """People killed per governorate and month (all perpetrators together), chosen figures."""
    where = """f.metric = 'killed' AND f.place IS NOT NULL
      AND NOT regexp_full_match(f.place, '[A-Z]{2}')
      AND coalesce(f.perpetrator, 'all_parties') = 'all_parties'"""
    query = _CHOSEN.format(where=where, provenance=_PROVENANCE)
    return _rows(conn, query, _params(scope))


def other_metrics(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[Row]:
    """Nationwide monthly totals of metrics other than killed (died under torture, ...)."""
    where = """f.metric <> 'killed'
      AND (f.place IS NULL OR regexp_full_match(f.place, '[A-Z]{2}'))
      AND coalesce(f.perpetrator, 'all_parties') = 'all_parties'"""
    query = _CHOSEN.format(where=where, provenance=_PROVENANCE)
    return _rows(conn, query, _params(scope))


def open_issues(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[Row]:
    """Open quality findings whose figure or document is in scope."""
    return _rows(
        conn,
        """
        SELECT q.check_name, q.severity, q.message, q.first_found_at,
               coalesce(f.source_id, d.source_id) AS source_id
        FROM quality_issues q
        LEFT JOIN figures f ON f.figure_id = q.figure_id
        LEFT JOIN documents d ON d.sha256 = coalesce(q.sha256, f.sha256)
        WHERE q.resolved_at IS NULL
          AND ($source::VARCHAR IS NULL OR coalesce(f.source_id, d.source_id) = $source)
          AND ($since::DATE IS NULL OR f.period_end IS NULL OR f.period_end >= $since::DATE)
        ORDER BY q.check_name, q.first_found_at, q.issue_id
        """,
        _params(scope),
    )


# The columns of one side of a conflict, as `a_<column>` or `b_<column>`.
_SIDE_COLUMNS = {
    "figure_id": "figure_id", "source_id": "source_id", "metric": "metric",
    "victim_group": "victim_group", "perpetrator": "perpetrator", "place": "place",
    "month": "period_start", "count": "count", "count_high": "count_high",
    "qualifier": "qualifier", "url": "url", "parser": "parser", "snippet": "snippet",
    "title": "document_title", "published": "document_published", "fetched_at": "fetched_at",
    "locator": "locator::VARCHAR",
}  # fmt: skip


def _side(alias: str) -> str:
    columns = _SIDE_COLUMNS.items()
    return ", ".join(f"{alias}.{column} AS {alias}_{name}" for name, column in columns)


def conflicts(conn: duckdb.DuckDBPyConnection, scope: Scope) -> list[Row]:
    """Claims two documents state with different counts, both sides with provenance."""
    return _rows(
        conn,
        f"""
        SELECT c.period_end, c.across_sources, c.qualifiers_reconcile, {_side("a")}, {_side("b")},
               coalesce(sa.publisher, c.source_a) AS a_publisher,
               coalesce(sb.publisher, c.source_b) AS b_publisher
        FROM figure_conflicts c
        JOIN figure_provenance a ON a.figure_id = c.figure_a
        JOIN figure_provenance b ON b.figure_id = c.figure_b
        LEFT JOIN sources sa ON sa.source_id = c.source_a
        LEFT JOIN sources sb ON sb.source_id = c.source_b
        WHERE ($source::VARCHAR IS NULL OR c.source_a = $source OR c.source_b = $source)
          AND ($since::DATE IS NULL OR c.period_end >= $since::DATE)
        ORDER BY c.period_start, c.metric, c.victim_group, c.perpetrator, c.figure_a, c.figure_b
        """,
        _params(scope),
    )


def last_collection(conn: duckdb.DuckDBPyConnection, scope: Scope) -> datetime | None:
    """When the last run that collected the sources in scope finished."""
    found = _rows(
        conn,
        """
        SELECT max(finished_at) AS finished FROM runs
        WHERE status IN ('completed', 'partial')
          AND ($source::VARCHAR IS NULL OR list_contains(sources, $source))
        """,
        {"source": scope.source},
    )
    return found[0]["finished"] if found else None


def report_rows(conn: duckdb.DuckDBPyConnection, scope: Scope) -> ReportRows:
    """Run every query of the report on one connection (one consistent snapshot)."""
    return ReportRows(
        sources=sources(conn, scope),
        monthly=monthly(conn, scope),
        governorates=governorates(conn, scope),
        other_metrics=other_metrics(conn, scope),
        issues=open_issues(conn, scope),
        conflicts=conflicts(conn, scope),
        last_collection=last_collection(conn, scope),
    )
