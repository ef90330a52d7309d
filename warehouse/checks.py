"""Consistency checks run after every load. Findings go to `quality_issues`; nothing is deleted.

Each check is one SQL query returning (figure_id, other_figure_id, sha256, message); a
finding's id is a hash of its check and those values, so re-running the checks records nothing
twice. A finding that a later run no longer produces is marked resolved, not removed.

Two checks watch the sources rather than the figures (a silent scraper is the commonest
failure in this field): `stale_source` (nothing new for longer than the source's
`cadence_days`) and `discovery_found_nothing` (a run's discovery returned no report URL for
a source that had some before). They need what only the run knows, its sources' cadences and
what discovery returned (`SourceWatch`), and they judge only the sources the run watched:
a run over one source leaves the other sources' findings as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.sql import scalar, transaction

TOTAL_TOLERANCE = 0.02  # parts may differ from a stated total by 2 % (and at least 1) ...
TOTAL_TOLERANCE_MIN = 1
OUTLIER_FACTOR = 3.0  # a month more than 3x (or under a third of) both neighbours ...
OUTLIER_MIN_DIFFERENCE = 20  # ... and at least 20 people away from them
TABLE_PARSERS = ("pdf_tables", "html_tables")


@dataclass(frozen=True)
class Check:
    """One consistency check."""

    name: str
    severity: str
    description: str
    sql: str
    scope: str | None = None
    """SQL selecting the source_ids the check judged in this run; None: the whole warehouse.
    Only findings of documents of those sources can be resolved by the run."""


@dataclass(frozen=True)
class SourceWatch:
    """What a run tells the checks about one of its sources."""

    source_id: str
    cadence_days: int
    discovered: int | None = None
    """Report URLs the run's discovery returned; None when the run did not discover (a
    backfill walks listings instead, a reparse reads the archive)."""


# Figures that state the same claim scope within one document, read by one parser.
_SAME_SCOPE = """
    a.sha256 = b.sha256 AND a.parser = b.parser AND a.metric = b.metric
    AND a.perpetrator IS NOT DISTINCT FROM b.perpetrator
    AND a.place IS NOT DISTINCT FROM b.place
    AND a.period_start IS NOT DISTINCT FROM b.period_start
    AND a.period_end IS NOT DISTINCT FROM b.period_end
"""


def _sum_check(parts_filter: str, totals_filter: str, part_key: str, what: str) -> str:
    """SQL comparing the sum of parts (perpetrators or places) with the stated total.

    Parts are deduplicated (the largest figure per part), so a figure stated twice in one
    document is not counted twice. Tables claim completeness, so a shortfall is flagged for
    them; prose often names only some parties, so only an excess is flagged there.
    """
    tolerance = f"greatest({TOTAL_TOLERANCE_MIN}, {TOTAL_TOLERANCE} * t.count)"
    tables = ", ".join(f"'{p}'" for p in TABLE_PARSERS)
    return f"""
    WITH parts AS (
        SELECT sha256, parser, metric, victim_group, perpetrator, place, period_start,
               period_end, {part_key} AS part, max(count) AS count, min(figure_id) AS figure_id
        FROM figures
        WHERE {parts_filter} AND qualifier IN ('exact', 'at_least')
        GROUP BY ALL
    ),
    sums AS (
        SELECT sha256, parser, metric, victim_group, period_start, period_end,
               {"perpetrator" if part_key == "place" else "place"} AS fixed,
               sum(count) AS parts_sum, count(*) AS parts, min(figure_id) AS first_part
        FROM parts
        GROUP BY ALL
        HAVING count(*) >= 2
    )
    SELECT t.figure_id, s.first_part, t.sha256,
           format('{what} sum to {{}} over {{}} figures, but the stated total is {{}} '
                  '(figure {{}}); difference {{}}',
                  s.parts_sum, s.parts, t.count, t.figure_id, s.parts_sum - t.count)
    FROM figures t
    JOIN sums s
      ON s.sha256 = t.sha256 AND s.parser = t.parser AND s.metric = t.metric
     AND s.victim_group IS NOT DISTINCT FROM t.victim_group
     AND s.period_start IS NOT DISTINCT FROM t.period_start
     AND s.period_end IS NOT DISTINCT FROM t.period_end
     AND s.fixed IS NOT DISTINCT FROM {"t.perpetrator" if part_key == "place" else "t.place"}
    WHERE {totals_filter} AND t.qualifier = 'exact'
      AND (s.parts_sum - t.count > {tolerance}
           OR (t.parser IN ({tables}) AND t.count - s.parts_sum > {tolerance}))
    """


_IS_ALL_PLACES = "(place IS NULL OR regexp_full_match(place, '[A-Z]{2}'))"

# Each source's newest document: by the dates the source gives its documents, or, when it
# gives none, by when toll first saw them (an undated PDF linked from a dated report must not
# make an old source look fresh). The finding points at that document, so the report files
# it under its source.
_NEWEST = """
    newest AS (
        SELECT source_id, count(*) AS documents,
               coalesce(max(published), max(first_seen)::DATE) AS newest,
               coalesce(arg_max(sha256, published), arg_max(sha256, first_seen)) AS sha256
        FROM documents GROUP BY source_id
    )
"""

CHECKS: tuple[Check, ...] = (
    Check(
        name="subgroup_exceeds_group",
        severity="error",
        description="A breakdown is larger than the figure it breaks down.",
        sql="""
        SELECT c.figure_id, p.figure_id, c.sha256,
               format('{} {} (figure {}) is larger than the {} {} it is part of (figure {})',
                      c.count, coalesce(c.victim_group, c.victim_raw), c.figure_id, p.count,
                      coalesce(p.victim_group, p.victim_raw), p.figure_id)
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
                   sum(b.count) AS children_and_women, min(b.figure_id) AS first_part,
                   string_agg(b.figure_id, ', ' ORDER BY b.figure_id) AS parts
            FROM figures a JOIN figures b ON {_SAME_SCOPE}
            WHERE a.victim_group = 'civilians' AND b.victim_group IN ('children', 'women')
              AND (b.parent_figure_id = a.figure_id OR b.parent_figure_id IS NULL)
            GROUP BY a.figure_id, a.sha256, a.count
            HAVING count(DISTINCT b.victim_group) = 2 AND count(*) = 2
        )
        SELECT civilians_id, first_part, sha256,
               format('children + women = {{}} (figures {{}}) exceeds the {{}} civilians '
                      '(figure {{}})', children_and_women, parts, civilians, civilians_id)
        FROM scoped WHERE children_and_women > civilians
        """,
    ),
    Check(
        name="perpetrators_do_not_sum_to_total",
        severity="error",
        description=(
            "The perpetrators' figures do not add up to the stated all-parties total "
            f"(tolerance {TOTAL_TOLERANCE:.0%}, at least {TOTAL_TOLERANCE_MIN})."
        ),
        sql=_sum_check(
            "perpetrator IS NOT NULL AND perpetrator <> 'all_parties'",
            "t.perpetrator = 'all_parties'",
            "perpetrator",
            "perpetrators",
        ),
    ),
    Check(
        name="places_do_not_sum_to_total",
        severity="error",
        description=(
            "The governorates' figures do not add up to the stated total over all places "
            f"(tolerance {TOTAL_TOLERANCE:.0%}, at least {TOTAL_TOLERANCE_MIN})."
        ),
        sql=_sum_check(
            f"NOT {_IS_ALL_PLACES}",
            f"{_IS_ALL_PLACES.replace('place', 't.place')}",
            "place",
            "places",
        ),
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
        description="A figure's period starts after its document was published.",
        sql="""
        SELECT f.figure_id, NULL, f.sha256,
               format('period {} .. {} starts after the publication date {} (figure {})',
                      f.period_start, f.period_end, d.published, f.figure_id)
        FROM figures f JOIN documents d ON d.sha256 = f.sha256
        WHERE d.published IS NOT NULL AND f.period_start > d.published
        """,
    ),
    Check(
        name="monthly_outlier",
        severity="warning",
        description=(
            f"A monthly figure more than {OUTLIER_FACTOR:g}x (or under 1/{OUTLIER_FACTOR:g} of) "
            f"both neighbouring months, and at least {OUTLIER_MIN_DIFFERENCE} away."
        ),
        sql=f"""
        WITH series AS (
            SELECT *,
                   lag(count) OVER w AS previous_count, lag(month) OVER w AS previous_month,
                   lag(figure_id) OVER w AS previous_figure,
                   lead(count) OVER w AS next_count, lead(month) OVER w AS next_month,
                   lead(figure_id) OVER w AS next_figure
            FROM monthly_toll_live
            WINDOW w AS (PARTITION BY source_id, perpetrator, victim_group ORDER BY month)
        )
        SELECT figure_id, previous_figure, sha256,
               format('{{}} {{}} killed by {{}} in {{}} (figure {{}}) against {{}} the month '
                      'before (figure {{}}) and {{}} the month after (figure {{}})',
                      count, victim_group, perpetrator, strftime(month, '%Y-%m'), figure_id,
                      previous_count, previous_figure, next_count, next_figure)
        FROM series
        WHERE previous_month = month - INTERVAL 1 MONTH
          AND next_month = month + INTERVAL 1 MONTH
          AND (
            (count > {OUTLIER_FACTOR} * greatest(previous_count, next_count)
             AND count - greatest(previous_count, next_count) >= {OUTLIER_MIN_DIFFERENCE})
            OR (count * {OUTLIER_FACTOR} < least(previous_count, next_count)
             AND least(previous_count, next_count) - count >= {OUTLIER_MIN_DIFFERENCE})
          )
        """,
    ),
    Check(
        name="stale_source",
        severity="warning",
        description=(
            "A source has published nothing new for longer than its cadence_days "
            "(sources.toml): a site that changed or a scraper gone quiet."
        ),
        sql=f"""
        WITH {_NEWEST}
        SELECT NULL, NULL, n.sha256,
               format('source {{}}: nothing new since {{}} (its newest document), longer than '
                      'its cadence of {{}} days', w.source_id, n.newest, w.cadence_days)
        FROM source_watch w JOIN newest n ON n.source_id = w.source_id
        WHERE n.newest < w.today - w.cadence_days
        """,
        scope="SELECT source_id FROM source_watch",
    ),
    Check(
        name="discovery_found_nothing",
        severity="warning",
        description=(
            "A run's discovery returned no report URL for a source that had some before: "
            "its feeds or listings moved, changed layout or are empty."
        ),
        sql=f"""
        WITH {_NEWEST}
        SELECT NULL, NULL, n.sha256,
               format('source {{}}: discovery returned no report URL from its feeds and '
                      'listings, though it found {{}} document(s) before',
                      w.source_id, n.documents)
        FROM source_watch w JOIN newest n ON n.source_id = w.source_id
        WHERE w.discovered = 0
        """,
        scope="SELECT source_id FROM source_watch WHERE discovered IS NOT NULL",
    ),
)

SOURCE_CHECKS = tuple(c.name for c in CHECKS if c.scope is not None)
"""The checks whose findings are a run's alarms (printed with its summary)."""


def run_checks(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    now: datetime,
    watches: Sequence[SourceWatch] = (),
) -> int:
    """Run every check, record new findings, mark vanished ones resolved; returns the number
    of open findings. `watches` are the run's sources, for the source checks."""
    with transaction(conn):
        record_findings(conn, run_id, now, watches=watches)
    return open_findings(conn)


def open_findings(conn: duckdb.DuckDBPyConnection) -> int:
    """How many findings are open."""
    return int(scalar(conn, "SELECT count(*) FROM quality_issues WHERE resolved_at IS NULL"))


def definition() -> str:
    """The SQL of every check: a change (an upgrade of toll) re-checks everything once."""
    return "\n".join(f"{c.name}:{c.severity}:{c.sql}" for c in CHECKS)


_FIGURES = re.compile(r"(?<=FROM |JOIN )figures\b")
_MONTHLY = re.compile(r"\bmonthly_toll_live\b")


def scoped_sql(check: Check, partial: bool) -> str:
    """A check's SQL over part of the warehouse: the figures of some documents (every figure
    check but the outlier one compares figures of one document), and the monthly series of
    some sources (the outlier check compares a source's neighbouring months). The source
    checks read `documents` and the run's `source_watch`, small in every warehouse."""
    if not partial or check.scope is not None:
        return check.sql
    return _MONTHLY.sub("checked_monthly_toll", _FIGURES.sub("checked_figures", check.sql))


def record_findings(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    now: datetime,
    documents: Sequence[str] | None = None,
    sources: Sequence[str] = (),
    watches: Sequence[SourceWatch] = (),
) -> int:
    """Record the checks' findings inside the caller's transaction: new ones inserted, seen
    ones marked seen by this run, vanished ones resolved. Over everything, or (`documents`
    given) over the figures of those documents and the monthly series of those `sources`: what
    changed (warehouse/changes.py), the only figure findings that can have changed. The source
    checks judge the `watches`' sources, whatever changed. Returns how many findings were
    opened, reopened or resolved."""
    partial = documents is not None
    _watch(conn, watches, now)
    if partial:
        documents, sources = list(documents or ()), list(sources)
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE checked_figures AS "
            "SELECT * FROM figures WHERE list_contains(?::VARCHAR[], sha256)",
            [documents],
        )
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE checked_monthly_toll AS "
            "SELECT * FROM monthly_toll_in(?, NULL)",
            [sources],
        )
    union = " UNION ALL ".join(
        f"SELECT '{c.name}' AS check_name, '{c.severity}' AS severity, * FROM ("
        f"{scoped_sql(c, partial)}) AS found(figure_id, other_figure_id, sha256, message)"
        for c in CHECKS
    )
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE current_findings AS
        SELECT DISTINCT
               md5(concat_ws('|', check_name, figure_id, other_figure_id, sha256, message))
                   AS issue_id,
               check_name, severity, figure_id, other_figure_id, sha256, message
        FROM ({union})
        """
    )
    changed = _count(
        conn.execute(
            """
            INSERT INTO quality_issues (issue_id, check_name, severity, figure_id,
                other_figure_id, sha256, message, first_found_run_id, first_found_at,
                last_seen_run_id)
            SELECT issue_id, check_name, severity, figure_id, other_figure_id, sha256, message,
                   ?, ?, ?
            FROM current_findings
            ON CONFLICT DO NOTHING
            """,
            [run_id, now, run_id],
        )
    )
    changed += _count(
        conn.execute(
            """
            UPDATE quality_issues SET resolved_at = NULL
            WHERE resolved_at IS NOT NULL
              AND issue_id IN (SELECT issue_id FROM current_findings)
            """
        )
    )
    conn.execute(
        """
        UPDATE quality_issues SET last_seen_run_id = ?
        WHERE issue_id IN (SELECT issue_id FROM current_findings)
        """,
        [run_id],
    )
    scope, params = _judged(partial, documents or (), sources)
    changed += _count(
        conn.execute(
            f"""
            UPDATE quality_issues SET resolved_at = ?
            WHERE resolved_at IS NULL AND ({scope})
              AND issue_id NOT IN (SELECT issue_id FROM current_findings)
            """,
            [now, *params],
        )
    )
    conn.execute("DROP TABLE current_findings")
    conn.execute("DROP TABLE source_watch")
    if partial:
        conn.execute("DROP TABLE checked_figures")
        conn.execute("DROP TABLE checked_monthly_toll")
    return changed


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    """Rows an INSERT or UPDATE changed (DuckDB returns the count as its result)."""
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def _judged(
    partial: bool, documents: Sequence[str], sources: Sequence[str]
) -> tuple[str, list[object]]:
    """SQL (and its parameters) selecting the findings this run judged, the only ones it may
    resolve: the source checks' findings of the sources it watched, and the figure checks'
    findings of everything or (partial) of the documents and sources that changed."""
    judged = " OR ".join(
        f"(check_name = '{c.name}' AND sha256 IN (SELECT sha256 FROM documents "
        f"WHERE source_id IN ({c.scope})))"
        for c in CHECKS
        if c.scope is not None
    )
    names = ", ".join(f"'{c.name}'" for c in CHECKS if c.scope is None)
    if not partial:
        return f"check_name IN ({names}) OR {judged}", []
    figures = f"""check_name IN ({names}) AND (
        (check_name <> 'monthly_outlier' AND list_contains(?::VARCHAR[], sha256))
        OR (check_name = 'monthly_outlier' AND sha256 IN (
            SELECT sha256 FROM documents WHERE list_contains(?::VARCHAR[], source_id))))"""
    return f"({figures}) OR {judged}", [list(documents), list(sources)]


def _watch(conn: duckdb.DuckDBPyConnection, watches: Sequence[SourceWatch], now: datetime) -> None:
    """The run's sources as the temporary table `source_watch`, which the source checks read."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE source_watch "
        "(source_id VARCHAR, cadence_days INTEGER, discovered INTEGER, today DATE)"
    )
    if watches:
        conn.executemany(
            "INSERT INTO source_watch VALUES (?, ?, ?, ?)",
            [[w.source_id, w.cadence_days, w.discovered, now.date()] for w in watches],
        )


def open_alarms(conn: duckdb.DuckDBPyConnection, sources: Sequence[str]) -> list[str]:
    """The open findings of the source checks for these sources: a run's alarms."""
    names = ", ".join(f"'{n}'" for n in SOURCE_CHECKS)
    rows = conn.execute(
        f"""
        SELECT q.message FROM quality_issues q JOIN documents d ON d.sha256 = q.sha256
        WHERE q.resolved_at IS NULL AND q.check_name IN ({names})
          AND list_contains(?, d.source_id)
        ORDER BY q.check_name, d.source_id
        """,
        [list(sources)],
    ).fetchall()
    return [message for (message,) in rows]
