"""What the reliability tests check in a warehouse after a fault (not a test module): which
figures it holds, and that nothing in it is half-written."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.database import reader


def figure_ids_by_url(home: Path) -> dict[str, set[str]]:
    """Figure ids of the published warehouse, by the URL of their document."""
    with reader(home) as conn:
        rows = conn.execute(
            "SELECT d.url, f.figure_id FROM figures f JOIN documents d USING (sha256)"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for url, figure_id in rows:
        found.setdefault(url, set()).add(figure_id)
    return found


def figure_ids(home: Path) -> list[str]:
    """Every figure id of the published warehouse, sorted (duplicates would show twice)."""
    with reader(home) as conn:
        return [r[0] for r in conn.execute("SELECT figure_id FROM figures ORDER BY 1").fetchall()]


def torn(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Signs of a half-written load: a document without parser runs, a parser run whose
    figures are not all there, figures or fetches pointing at no document. Empty if whole."""
    checks = {
        "document without parser runs": """
            SELECT d.sha256 FROM documents d
            WHERE NOT EXISTS (SELECT 1 FROM parse_runs p WHERE p.sha256 = d.sha256)
        """,
        "parser run missing figures": """
            WITH latest AS (
                SELECT * FROM parse_runs WHERE status = 'ok'
                QUALIFY row_number() OVER (PARTITION BY sha256, parser ORDER BY parsed_at DESC) = 1
            )
            SELECT l.parse_run_id FROM latest l WHERE l.figure_count <> (
                SELECT count(*) FROM figures f WHERE f.parse_run_id = l.parse_run_id)
        """,
        "figure without document": """
            SELECT f.figure_id FROM figures f
            WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = f.sha256)
        """,
        "fetch without document": """
            SELECT f.fetch_id FROM fetches f WHERE f.sha256 IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = f.sha256)
        """,
        "duplicated figure id": """
            SELECT figure_id FROM figures GROUP BY figure_id HAVING count(*) > 1
        """,
    }
    problems = []
    for name, query in checks.items():
        for (key,) in conn.execute(query).fetchall():
            problems.append(f"{name}: {key}")
    return problems


def published_torn(home: Path) -> list[str]:
    """`torn` for the published warehouse."""
    with reader(home) as conn:
        return torn(conn)


def fetches_of(home: Path, url: str) -> list[tuple]:
    """(run_id, outcome, status_code, attempts, error, sha256) of every fetch of a URL, oldest
    first."""
    with reader(home) as conn:
        return conn.execute(
            """
            SELECT run_id, outcome, status_code, attempts, error, sha256 FROM fetches
            WHERE url = ? ORDER BY requested_at
            """,
            [url],
        ).fetchall()


def figure_signatures(home: Path, source: str = "sample") -> list[tuple]:
    """A source's figures as (URL path, parser, what they count, where): comparable between
    warehouses built from copies of the site served on different ports."""
    with reader(home) as conn:
        rows = conn.execute(
            """
            SELECT regexp_replace(d.url, '^https?://[^/]+', ''), f.parser, f.metric, f.count,
                   f.victim_group, f.perpetrator, f.place, f.period_start, f.period_end,
                   f.locator
            FROM figures f JOIN documents d USING (sha256)
            WHERE f.source_id = ?
            """,
            [source],
        ).fetchall()
    return sorted(rows, key=repr)
