"""Loading: the configured sources and the document batches of a run, idempotently.

Rows are staged as Arrow tables and written with one `INSERT ... SELECT` per table (never row by
row), one transaction per batch. Keys are natural or deterministic, so loading the same batch
twice adds nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from warehouse import changes
from warehouse.figure_columns import SCHEMA as FIGURE_SCHEMA
from warehouse.figure_columns import conforms, figure_columns
from warehouse.rows import LoadBatch, LoadResult, SourceRow
from warehouse.sql import scalar, transaction


def _insert(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[dict[str, Any]],
    key: str,
) -> int:
    """Insert rows through an Arrow staging table; rows whose key exists are skipped."""
    rows = list(rows)
    if not rows:
        return 0
    staged = pa.Table.from_pylist(rows)
    name = f"staging_{table}"
    conn.register(name, staged)
    try:
        columns = ", ".join(f'"{c}"' for c in staged.column_names)
        inserted = conn.execute(
            f"""
            INSERT INTO {table} ({columns})
            SELECT {columns} FROM {name}
            QUALIFY row_number() OVER (PARTITION BY "{key}") = 1
            ON CONFLICT DO NOTHING
            """
        ).fetchall()
    finally:
        conn.unregister(name)
    return int(inserted[0][0]) if inserted else 0


def upsert_sources(
    conn: duckdb.DuckDBPyConnection,
    sources: Sequence[SourceRow],
    now: datetime,
    before_change: Callable[[], None] | None = None,
) -> bool:
    """Write the configured sources (replacing their previous configuration); returns False
    (and writes nothing) when every one is stored as configured already. `before_change` is
    called before anything is written."""
    stored = {
        row[0]: row
        for row in conn.execute(
            "SELECT source_id, publisher, homepage, country, languages, entry_points, "
            "allowed_hosts FROM sources WHERE list_contains(?::VARCHAR[], source_id)",
            [[s.source_id for s in sources]],
        ).fetchall()
    }
    if all(stored.get(s.source_id) == _source_values(s) for s in sources):
        return False
    if before_change is not None:
        before_change()
    with transaction(conn):
        for source in sources:
            previous = stored.get(source.source_id)
            if previous is not None and previous[3] != source.country:
                changes.note_source(conn, source.source_id, None)  # its figures' scope moved
            conn.execute("DELETE FROM sources WHERE source_id = ?", [source.source_id])
        _insert(
            conn,
            "sources",
            ({**asdict(s), "updated_at": now} for s in sources),
            key="source_id",
        )
    return True


def _source_values(source: SourceRow) -> tuple:
    """A source row as `upsert_sources` reads it back, to compare."""
    return (
        source.source_id,
        source.publisher,
        source.homepage,
        source.country,
        list(source.languages),
        list(source.entry_points),
        list(source.allowed_hosts),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building big columns: they allocate millions
    of acyclic tuples, and each collection would walk every figure in memory (6x slower)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def figure_table(batch: LoadBatch, loaded_at: datetime) -> pa.Table:
    """The batch's figures as one Arrow table in the `figures` layout: the columns the parse
    workers built (or built here from records), plus parse run, run and load time. Duplicate
    ids keep their first row."""
    parts: list[pa.Table] = []
    run_ids: list[pa.Array] = []
    with _collector_paused():
        for parse_run_id, figures in batch.figures.items():
            table = figures if isinstance(figures, pa.Table) else figure_columns(figures)
            if not conforms(table):
                raise ValueError(f"figures of {parse_run_id} do not have the figure columns")
            parts.append(table)
            run_ids.append(pa.repeat(pa.scalar(parse_run_id, pa.string()), table.num_rows))
    staged = pa.concat_tables(parts) if parts else FIGURE_SCHEMA.empty_table()
    rows = staged.num_rows
    staged = staged.append_column(
        "parse_run_id", pa.concat_arrays(run_ids) if run_ids else pa.array([], pa.string())
    )
    staged = staged.append_column("run_id", pa.repeat(pa.scalar(batch.run_id, pa.string()), rows))
    staged = staged.append_column(
        "loaded_at", pa.repeat(pa.scalar(loaded_at, pa.timestamp("us", "UTC")), rows)
    )
    return _first_of_each_id(staged)


def _first_of_each_id(staged: pa.Table) -> pa.Table:
    """The table with only the first row of each figure id (a parser that stated one figure
    twice, or two runs in a batch that did): counting them is cheap, dropping them rare."""
    ids = staged.column("figure_id")
    if pc.count_distinct(ids).as_py() == staged.num_rows:
        return staged
    rows = pa.table({"figure_id": ids, "row": pa.array(range(staged.num_rows), pa.int64())})
    first = rows.group_by("figure_id", use_threads=False).aggregate([("row", "min")])
    first_rows = first.column("row_min")
    return staged.take(pc.take(first_rows, pc.sort_indices(first_rows)))


def _insert_figures(conn: duckdb.DuckDBPyConnection, staged: pa.Table, run_id: str) -> int:
    """Insert staged figures (unique by id). A figure id hashes its document and parser, whose
    earlier figures the batch has just deleted, so no id can already be stored: a plain insert
    (the primary key would still refuse a duplicate, failing the whole batch)."""
    if staged.num_rows == 0:
        return 0
    conn.register("staging_figures", staged)
    try:
        changes.note_added(conn, "staging_figures", run_id)
        columns = ", ".join(f'"{c}"' for c in staged.column_names)
        inserted = conn.execute(
            f"INSERT INTO figures ({columns}) SELECT {columns} FROM staging_figures"
        ).fetchall()
    finally:
        conn.unregister("staging_figures")
    return int(inserted[0][0]) if inserted else 0


def load_batch(
    conn: duckdb.DuckDBPyConnection, batch: LoadBatch, loaded_at: datetime | None = None
) -> LoadResult:
    """Write a batch in one transaction.

    A successful parser run replaces that parser's figures for that document (a new parser
    version supersedes the old figures); a failed one leaves existing figures alone.
    """
    loaded_at = loaded_at or datetime.now(UTC)
    ok_runs = {p.parse_run_id for p in batch.parse_runs if p.status == "ok"}
    if stray := sorted(k for k, found in batch.figures.items() if len(found) and k not in ok_runs):
        raise ValueError(f"figures without their successful parser run in the batch: {stray}")
    staged_figures = figure_table(batch, loaded_at)
    replaced_pairs = [(p.sha256, p.parser) for p in batch.parse_runs if p.status == "ok"]
    with transaction(conn):
        _insert(conn, "fetches", (asdict(f) for f in batch.fetches), key="fetch_id")
        changes.note_new_versions(conn, [d.url for d in batch.documents], batch.run_id)
        _insert(conn, "documents", (asdict(d) for d in batch.documents), key="sha256")
        _insert(conn, "parse_runs", (asdict(p) for p in batch.parse_runs), key="parse_run_id")
        replaced = 0
        if replaced_pairs:
            pairs = pa.Table.from_pylist([{"sha256": s, "parser": p} for s, p in replaced_pairs])
            conn.register("replaced_pairs", pairs)
            try:
                changes.note_replaced(conn, "replaced_pairs", batch.run_id)
                matching = """
                    FROM figures WHERE EXISTS (
                        SELECT 1 FROM replaced_pairs r
                        WHERE r.sha256 = figures.sha256 AND r.parser = figures.parser
                    )
                """
                replaced = scalar(conn, f"SELECT count(*) {matching}")
                conn.execute(f"DELETE {matching}")
            finally:
                conn.unregister("replaced_pairs")
        added = _insert_figures(conn, staged_figures, batch.run_id)
    return LoadResult(figures_added=max(0, added - replaced), figures_replaced=int(replaced))
