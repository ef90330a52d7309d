"""Benchmark 6: analysts' queries on a synthetic warehouse of 10 million figures.

The warehouse has toll's real schema and views. Its shape follows the monitors': 60 sources
reporting on 20 countries (three per country, each country with its own governorates), 14
years of months, and for each month four documents (the PDF report, its web page, the press
release and a repost) that state the same 250 claims. Monitors of one country disagree on 3%
of claims, and 1% of restated counts differ from their own monitor's (the conflicts analysts
look for).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.measure import time_it
from warehouse.schema import migrate
from warehouse.served import refresh_served
from warehouse.sql import scalar

SOURCES = 60
SOURCES_PER_COUNTRY = 3
MONTHS = 168
DOCUMENTS_PER_MONTH = 4
FIGURES_PER_DOCUMENT = 250
PARSERS = ("pdf_tables", "html_tables", "prose", "prose")
PERPETRATORS = (
    "all_parties", "syrian_regime", "russia", "isis", "hts", "sdf", "armed_opposition",
    "international_coalition", "turkey", "israel", "other_parties", "extremist_groups",
)  # fmt: skip
GROUPS = ("civilians", "children", "women", "medical_personnel", "media_workers")
PLACES = (
    "idlib", "aleppo", "rural_damascus", "daraa", "hama", "homs", "deir_ez_zor", "raqqa",
    "hasaka", "latakia", "damascus", "suwayda", "tartus", "quneitra",
)  # fmt: skip


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def build(path: Path) -> int:
    """Write the synthetic warehouse (kept between runs: building it takes a minute)."""
    documents = SOURCES * MONTHS * DOCUMENTS_PER_MONTH
    figures = documents * FIGURES_PER_DOCUMENT
    if path.exists():
        with duckdb.connect(str(path), read_only=True) as conn:
            stored = conn.execute("SELECT count(*) FROM figures").fetchall()[0][0]
        if stored != figures:
            path.unlink()
    conn = duckdb.connect(str(path), config={"memory_limit": "8GB"})
    conn.execute("SET enable_progress_bar = false")
    migrate(conn)
    if scalar(conn, "SELECT count(*) FROM figures") != figures:
        _generate(conn)
    if not scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'bench_build'"):
        start = time.perf_counter()
        refresh_served(conn)  # what every publish does
        refresh_seconds = time.perf_counter() - start
        conn.execute("CREATE TABLE bench_build AS SELECT ? AS refresh_seconds", [refresh_seconds])
    conn.execute("CHECKPOINT")
    conn.close()
    return figures


def _generate(conn: duckdb.DuckDBPyConnection) -> None:
    """Sources, fetches, documents, parser runs and figures, all generated in SQL."""
    documents = SOURCES * MONTHS * DOCUMENTS_PER_MONTH
    now = "TIMESTAMPTZ '2026-01-01 00:00:00+00'"
    conn.execute(
        f"""
        INSERT INTO sources
        SELECT 'source' || i, 'Monitor ' || i, NULL,
               chr((65 + i // {SOURCES_PER_COUNTRY})::INTEGER) || 'Z', ['en'], [], [], {now}
        FROM range({SOURCES}) t(i);

        CREATE TEMP TABLE doc AS
        SELECT
            d,
            printf('%064x', d) AS sha256,
            'source' || (d // ({MONTHS} * {DOCUMENTS_PER_MONTH})) AS source_id,
            d // ({MONTHS} * {DOCUMENTS_PER_MONTH} * {SOURCES_PER_COUNTRY}) AS country,
            (d // {DOCUMENTS_PER_MONTH}) % {MONTHS} AS month,
            d % {DOCUMENTS_PER_MONTH} AS kind
        FROM range({documents}) t(d);

        INSERT INTO fetches
        SELECT 'fetch' || d, 'run0', source_id, 'https://example.org/doc/' || d, NULL,
               {now}, 200, 'fetched', NULL, NULL, 'application/pdf', 100000, sha256, 1, 50, NULL
        FROM doc;

        INSERT INTO documents
        SELECT sha256, source_id, 'https://example.org/doc/' || d, NULL, 'application/pdf',
               100000, 'Report ' || d, (DATE '2011-01-01' + to_months(month + 1))::DATE,
               {now}, 'fetch' || d, 'archive/' || sha256[:2] || '/' || sha256 || '.pdf'
        FROM doc;

        INSERT INTO parse_runs
        SELECT 'parse' || d, 'run0', sha256, {_list(PARSERS)}[kind + 1], '1.0.0', 'ok',
               {FIGURES_PER_DOCUMENT}, NULL, 100, {now}, NULL
        FROM doc;

        INSERT INTO figures
        SELECT
            substr(md5(doc.d::VARCHAR || ':' || j), 1, 24),
            doc.sha256, doc.source_id, {_list(PARSERS)}[doc.kind + 1], '1.0.0',
            'parse' || doc.d, 'run0', 'killed',
            {_list(GROUPS)}[j % {len(GROUPS)} + 1],
            {_list(PERPETRATORS)}[(j // {len(GROUPS)}) % {len(PERPETRATORS)} + 1],
            CASE WHEN j < {len(GROUPS) * len(PERPETRATORS)} THEN NULL
                 ELSE {_list(PLACES)}[(j // {len(GROUPS) * len(PERPETRATORS)}) % {len(PLACES)} + 1]
                      || '_' || doc.country  -- each country has its own first-level units
            END,
            (DATE '2011-01-01' + to_months(doc.month))::DATE,
            (DATE '2011-01-01' + to_months(doc.month + 1))::DATE - 1,
            'month',
            (hash(doc.country, doc.month, j) % 500)::BIGINT
                + CASE WHEN hash(doc.source_id, doc.month, j) % 33 = 0 THEN 7 ELSE 0 END
                + CASE WHEN hash(doc.d, j) % 100 = 0 THEN 3 ELSE 0 END,
            NULL, 'exact', 'stated', NULL, 'raw group', 'raw perpetrator', NULL, 'January',
            '{{"kind": "pdf_table", "page": 3, "table": 1, "row": 4, "col": 2}}',
            'Syrian regime forces | Civilians | 61', {now}, 'table'
        FROM doc, range({FIGURES_PER_DOCUMENT}) t(j);
        """
    )


QUERIES = {
    "monthly_toll (whole view)": "SELECT * FROM monthly_toll",
    "monthly_toll (one source, a year)": (
        "SELECT * FROM monthly_toll WHERE source_id = 'source7' "
        "AND month BETWEEN DATE '2020-01-01' AND DATE '2020-12-01'"
    ),
    "figure_conflicts (counted by source pair)": (
        "SELECT source_a, source_b, count(*) AS conflicts FROM figure_conflicts GROUP BY ALL"
    ),
    "figure_conflicts (one month)": (
        "SELECT * FROM figure_conflicts WHERE period_start = DATE '2019-03-01'"
    ),
    "figure_conflicts (one source)": (
        "SELECT * FROM figure_conflicts WHERE source_a = 'source7' OR source_b = 'source7'"
    ),
    "monthly_toll_live (one source, a year)": (
        "SELECT * FROM monthly_toll_live WHERE source_id = 'source7' "
        "AND month BETWEEN DATE '2020-01-01' AND DATE '2020-12-01'"
    ),
    "provenance of one figure": "SELECT * FROM figure_provenance WHERE figure_id = ?",
}


def analyst_queries(workdir: Path, repeats: int = 3) -> dict[str, Any]:
    """Benchmark 6: each query's best time over `repeats`, results fetched as Arrow."""
    path = workdir / "ten-million.duckdb"
    start = time.perf_counter()
    figures = build(path)
    build_seconds = time.perf_counter() - start
    conn = duckdb.connect(str(path), read_only=True, config={"memory_limit": "8GB"})
    conn.execute("SET enable_progress_bar = false")
    figure_id = conn.execute("SELECT figure_id FROM figures LIMIT 1 OFFSET 5000000").fetchall()[0]
    results = {}
    for name, sql in QUERIES.items():
        params = list(figure_id) if "?" in sql else []
        rows = conn.sql(sql, params=params).to_arrow_table().num_rows
        timing = time_it(
            lambda sql=sql, params=params: conn.sql(sql, params=params).to_arrow_table(), repeats
        )
        results[name] = {"seconds": round(timing.best, 3), "rows": rows}
    refresh_seconds = conn.execute("SELECT refresh_seconds FROM bench_build").fetchall()[0][0]
    conn.close()
    return {
        "figures": figures,
        "build_seconds": round(build_seconds, 1),
        "served_tables_refresh_seconds": round(refresh_seconds, 1),
        "database_mib": round(path.stat().st_size / 2**20),
        "queries": results,
        "slowest_seconds": max(r["seconds"] for name, r in results.items() if "_live" not in name),
        "goal": "each query < 1 s",
    }
