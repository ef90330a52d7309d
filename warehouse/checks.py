"""Consistency checks run after every load. Findings go to `quality_issues`; nothing is deleted.

Each check is one SQL query returning (check_name, severity, figure_id, other_figure_id,
sha256, message); a finding's id is a hash of its check and subjects, so re-running the checks
records nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.load import transaction
from warehouse.sql import scalar


@dataclass(frozen=True)
class Check:
    """One consistency check."""

    name: str
    severity: str
    description: str
    sql: str


# Figures that state the same claim scope within one document.
_SAME_SCOPE = """
    a.sha256 = b.sha256 AND a.metric = b.metric
    AND a.perpetrator IS NOT DISTINCT FROM b.perpetrator
    AND a.place IS NOT DISTINCT FROM b.place
    AND a.period_start IS NOT DISTINCT FROM b.period_start
    AND a.period_end IS NOT DISTINCT FROM b.period_end
    AND a.parser = b.parser
"""

CHECKS: tuple[Check, ...] = (
    Check(
        name="subgroup_exceeds_group",
        severity="error",
        description="A breakdown is larger than the figure it breaks down.",
        sql="""
        SELECT c.figure_id, p.figure_id, c.sha256,
               format('{} {} ({}) is larger than its parent figure {} {} ({})',
                      c.count, c.victim_group, c.figure_id, p.count, p.victim_group, p.figure_id)
        FROM figures c JOIN figures p ON p.figure_id = c.parent_figure_id
        WHERE c.count > coalesce(p.count_high, p.count)
        """,
    ),
    Check(
        name="children_and_women_exceed_civilians",
        severity="error",
        description="Children plus women outnumber the civilians of the same claim scope.",
        sql=f"""
        WITH scoped AS (
            SELECT a.figure_id AS civilians_id, a.sha256, a.count AS civilians,
                   sum(b.count) AS children_and_women,
                   string_agg(b.figure_id, ', ' ORDER BY b.figure_id) AS parts
            FROM figures a JOIN figures b ON {_SAME_SCOPE}
            WHERE a.victim_group = 'civilians' AND b.victim_group IN ('children', 'women')
              AND (b.parent_figure_id = a.figure_id OR b.parent_figure_id IS NULL)
            GROUP BY a.figure_id, a.sha256, a.count
            HAVING count(DISTINCT b.victim_group) = 2
        )
        SELECT civilians_id, NULL, sha256,
               format('children + women = {{}} ({{}}) exceeds {{}} civilians ({{}})',
                      children_and_women, parts, civilians, civilians_id)
        FROM scoped WHERE children_and_women > civilians
        """,
    ),
    Check(
        name="unknown_vocabulary",
        severity="warning",
        description="A raw label matched no canonical value; add an alias to the vocabulary.",
        sql="""
        SELECT figure_id, NULL, sha256,
               format('unknown {}: "{}" (figure {})', what, raw, figure_id)
        FROM (
            SELECT figure_id, sha256, 'victim group' AS what, victim_raw AS raw FROM figures
            WHERE victim_group IS NULL AND victim_raw IS NOT NULL
            UNION ALL
            SELECT figure_id, sha256, 'perpetrator', perpetrator_raw FROM figures
            WHERE perpetrator IS NULL AND perpetrator_raw IS NOT NULL
            UNION ALL
            SELECT figure_id, sha256, 'place', place_raw FROM figures
            WHERE place IS NULL AND place_raw IS NOT NULL
        )
        """,
    ),
    Check(
        name="period_inverted",
        severity="error",
        description="A period ends before it starts.",
        sql="""
        SELECT figure_id, NULL, sha256,
               format('period {} .. {} ends before it starts (figure {})',
                      period_start, period_end, figure_id)
        FROM figures WHERE period_start > period_end
        """,
    ),
    Check(
        name="period_after_publication",
        severity="warning",
        description="A figure covers days after its document was published.",
        sql="""
        SELECT f.figure_id, NULL, f.sha256,
               format('period {} .. {} reaches past the publication date {} (figure {})',
                      f.period_start, f.period_end, d.published, f.figure_id)
        FROM figures f JOIN documents d ON d.sha256 = f.sha256
        WHERE d.published IS NOT NULL AND f.period_start > d.published
        """,
    ),
)


def run_checks(conn: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> int:
    """Run every check and record new findings; returns the number of open findings."""
    with transaction(conn):
        for check in CHECKS:
            conn.execute(
                f"""
                INSERT INTO quality_issues
                SELECT md5(concat_ws('|', ?, figure_id, other_figure_id, sha256, message)),
                       ?, ?, figure_id, other_figure_id, sha256, message, ?, ?
                FROM ({check.sql}) AS found(figure_id, other_figure_id, sha256, message)
                ON CONFLICT DO NOTHING
                """,
                [check.name, check.name, check.severity, run_id, now],
            )
    return int(scalar(conn, "SELECT count(*) FROM quality_issues"))
