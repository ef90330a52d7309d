"""Loading figures: toll's loader (`warehouse.load.load_batch`) against a bare
`INSERT ... SELECT` from an Arrow table of the same rows into the same schema.

The loader receives what the flow hands it: each parser run's figures as the Arrow table its
parse worker built (`warehouse.figure_columns`). Building those tables happens in the parse
workers, in parallel; it is measured on its own here, and so is the loader fed Python records
(what a caller without workers, such as the tests, gives it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from benchmarks.measure import time_it
from parsers.model import FigureRecord
from warehouse.figure_columns import figure_columns
from warehouse.load import load_batch
from warehouse.rows import DocumentRow, LoadBatch, ParseRunRow
from warehouse.schema import migrate

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PERPETRATORS = ["syrian_regime", "russia", "isis", "hts", "sdf", "armed_opposition"]


def synthetic_records(n: int, documents: int = 100) -> dict[str, list[FigureRecord]]:
    """n figure records spread over `documents` parser runs."""
    per_doc: dict[str, list[FigureRecord]] = {}
    for i in range(n):
        doc = i % documents
        sha = f"{doc:064x}"
        per_doc.setdefault(sha, []).append(
            FigureRecord(
                figure_id=f"{i:024x}",
                sha256=sha,
                source="bench",
                url=f"https://x/{doc}",
                parser="pdf_tables",
                parser_version="1.0.0",
                metric="killed",
                count=i % 500,
                count_high=None,
                qualifier="exact",
                victim_group="civilians",
                victim_raw="Civilians",
                perpetrator=PERPETRATORS[i % 6],
                perpetrator_raw="Syrian regime forces",
                place=None,
                place_raw=None,
                period_start=date(2024, 1 + i % 12, 1),
                period_end=date(2024, 1 + i % 12, 28),
                period_raw="January 2024",
                period_precision="month",
                certainty="stated",
                attribution="table",
                parent_figure_id=None,
                locator={"kind": "pdf_table", "page": 1, "table": 0, "row": i % 20, "col": 1},
                snippet="Table 1 | Syrian regime forces | Civilians: 12",
            )
        )
    return per_doc


def _batch(per_doc: dict[str, Any]) -> LoadBatch:
    batch = LoadBatch("bench-run")
    for sha, figures in per_doc.items():
        run_id = f"parse-{sha[-8:]}"
        batch.documents.append(
            DocumentRow(
                sha,
                "bench",
                f"https://x/{sha}",
                None,
                "application/pdf",
                1,
                None,
                None,
                NOW,
                "f",
                f"archive/{sha[:2]}/{sha}.pdf",
            )
        )
        batch.parse_runs.append(
            ParseRunRow(
                run_id, "bench-run", sha, "pdf_tables", "1.0.0", "ok", len(figures), None, 1, NOW
            )
        )
        batch.figures[run_id] = figures
    return batch


def _fresh(path: Path) -> duckdb.DuckDBPyConnection:
    if path.exists():
        path.unlink()
    conn = duckdb.connect(str(path))
    migrate(conn)
    return conn


def _arrow(per_doc: dict[str, list[FigureRecord]]) -> pa.Table:
    rows = []
    for records in per_doc.values():
        for record in records:
            row = asdict(record)
            row["source_id"] = row.pop("source")
            del row["url"]
            row["locator"] = json.dumps(row["locator"])
            row.update(parse_run_id="p", run_id="bench-run", loaded_at=NOW)
            rows.append(row)
    return pa.Table.from_pylist(rows)


def load_throughput(workdir: Path, figures: int = 200_000, repeats: int = 3) -> dict[str, Any]:
    """Benchmark 5: figures per second, toll's loader vs the bare Arrow insert."""
    per_doc = synthetic_records(figures)
    table = _arrow(per_doc)
    columns = ", ".join(f'"{c}"' for c in table.column_names)
    from_workers = {sha: figure_columns(records) for sha, records in per_doc.items()}

    def fresh() -> duckdb.DuckDBPyConnection:
        return _fresh(workdir / "load.duckdb")

    def bare(conn: duckdb.DuckDBPyConnection) -> None:
        conn.register("staged", table)
        conn.execute(f"INSERT INTO figures ({columns}) SELECT {columns} FROM staged").fetchall()
        conn.close()

    def toll(batch_figures: dict[str, Any]) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def load(conn: duckdb.DuckDBPyConnection) -> None:
            load_batch(conn, _batch(batch_figures), NOW)
            conn.close()

        return load

    def columns_in_workers() -> None:
        for records in per_doc.values():
            figure_columns(records)

    bare_time = time_it(bare, repeats, setup=fresh)
    toll_time = time_it(toll(from_workers), repeats, setup=fresh)
    records_time = time_it(toll(per_doc), repeats, setup=fresh)
    worker_time = time_it(columns_in_workers, repeats)
    return {
        "figures": figures,
        "bare_figures_per_second": round(figures / bare_time.best),
        "toll_figures_per_second": round(figures / toll_time.best),
        "toll_share_of_bare": round(bare_time.best / toll_time.best, 3),
        "toll_from_records_figures_per_second": round(figures / records_time.best),
        "toll_from_records_share_of_bare": round(bare_time.best / records_time.best, 3),
        "worker_columns_figures_per_second": round(figures / worker_time.best),
        "goal": "share >= 0.5",
    }
