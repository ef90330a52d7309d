"""Writing to the warehouse: sources, runs, and document batches, idempotently.

Rows are staged as Arrow tables and written with one `INSERT ... SELECT` per table (never row by
row), one transaction per batch. Keys are natural or deterministic, so loading the same batch
twice adds nothing.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from parsers.model import FigureRecord
from warehouse.figure_columns import SCHEMA as FIGURE_SCHEMA
from warehouse.figure_columns import conforms, figure_columns
from warehouse.sql import scalar


@dataclass(frozen=True)
class SourceRow:
    """A configured source as stored in `sources`."""

    source_id: str
    publisher: str
    homepage: str | None
    country: str | None
    languages: list[str]
    entry_points: list[str]
    allowed_hosts: list[str]


@dataclass(frozen=True)
class FetchRow:
    """One HTTP fetch attempt (see the `fetches` table comments)."""

    fetch_id: str
    run_id: str
    source_id: str
    url: str
    final_url: str | None
    requested_at: datetime
    status_code: int | None
    outcome: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    bytes: int | None
    sha256: str | None
    attempts: int
    duration_ms: int | None
    error: str | None


@dataclass(frozen=True)
class DocumentRow:
    """One distinct document content (see the `documents` table comments)."""

    sha256: str
    source_id: str
    url: str
    final_url: str | None
    media_type: str
    bytes: int
    title: str | None
    published: Any
    first_seen: datetime
    first_fetch_id: str
    archive_path: str


@dataclass(frozen=True)
class ParseRunRow:
    """One parser run over one document (see the `parse_runs` table comments)."""

    parse_run_id: str
    run_id: str
    sha256: str
    parser: str
    parser_version: str
    status: str
    figure_count: int
    error: str | None
    duration_ms: int | None
    parsed_at: datetime


@dataclass
class LoadBatch:
    """Everything one transaction writes: fetch log rows, documents, parser runs, figures.

    `figures` maps a parse_run_id to what that parser run produced: its records, or the same
    as an Arrow table of the figure columns (warehouse/figure_columns.py), which is what parse
    workers send so the loader does not convert them.
    """

    run_id: str
    fetches: list[FetchRow] = field(default_factory=list)
    documents: list[DocumentRow] = field(default_factory=list)
    parse_runs: list[ParseRunRow] = field(default_factory=list)
    figures: dict[str, Sequence[FigureRecord] | pa.Table] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fetches or self.documents or self.parse_runs)


@dataclass(frozen=True)
class LoadResult:
    """What a batch changed."""

    figures_added: int
    figures_replaced: int


@dataclass(frozen=True)
class PreviousFetch:
    """What the last successful fetch of a URL left for the next conditional request."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str


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
    conn: duckdb.DuckDBPyConnection, sources: Sequence[SourceRow], now: datetime
) -> None:
    """Write the configured sources (replacing their previous configuration)."""
    with transaction(conn):
        for source in sources:
            conn.execute("DELETE FROM sources WHERE source_id = ?", [source.source_id])
        _insert(
            conn,
            "sources",
            ({**asdict(s), "updated_at": now} for s in sources),
            key="source_id",
        )


class transaction:
    """BEGIN ... COMMIT, or ROLLBACK if the block raises."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.conn.execute("BEGIN TRANSACTION")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def start_run(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    flow: str,
    sources: Sequence[str],
    started_at: datetime,
    prefect_flow_run_id: str | None,
) -> None:
    """Record a run as running."""
    conn.execute(
        """
        INSERT INTO runs (run_id, flow, started_at, status, sources, prefect_flow_run_id)
        VALUES (?, ?, ?, 'running', ?, ?)
        """,
        [run_id, flow, started_at, list(sources), prefect_flow_run_id],
    )


def abandon_stale_runs(conn: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Mark runs left 'running' by a crashed process as 'abandoned'; returns how many.

    Only call this while holding the writer lock: then no other run can be running.
    """
    stale = scalar(conn, "SELECT count(*) FROM runs WHERE status = 'running'")
    if stale:
        conn.execute(
            "UPDATE runs SET status = 'abandoned', finished_at = ? WHERE status = 'running'",
            [now],
        )
    return int(stale)


@dataclass(frozen=True)
class RunCounts:
    """The summary counts stored on a run row."""

    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    fetch_failed: int = 0
    parsed: int = 0
    parse_failed: int = 0
    figures_added: int = 0
    figures_replaced: int = 0
    quality_issues: int = 0


def finish_run(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: RunCounts,
    failures: list[dict[str, str]],
    finished_at: datetime,
) -> None:
    """Record how a run ended."""
    values = asdict(counts)
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE runs SET status = ?, finished_at = ?, failures = ?, {assignments} "
        "WHERE run_id = ?",
        [status, finished_at, json.dumps(failures), *values.values(), run_id],
    )


def previous_fetches(
    conn: duckdb.DuckDBPyConnection, urls: Sequence[str]
) -> dict[str, PreviousFetch]:
    """For each URL, the validators of its newest successful fetch whose document is loaded.

    Fetches whose document never reached the warehouse (a crash between download and load)
    are ignored, so the next run downloads those again instead of getting a 304.
    """
    if not urls:
        return {}
    rows = conn.execute(
        """
        SELECT f.url, f.etag, f.last_modified, f.sha256
        FROM fetches f
        JOIN documents d ON d.sha256 = f.sha256
        WHERE f.url IN (SELECT unnest(?::VARCHAR[])) AND f.outcome IN ('fetched', 'unchanged')
        QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.requested_at DESC) = 1
        """,
        [list(urls)],
    ).fetchall()
    return {r[0]: PreviousFetch(r[0], r[1], r[2], r[3]) for r in rows}


def known_urls(conn: duckdb.DuckDBPyConnection, source_id: str) -> set[str]:
    """URLs of this source already in the warehouse (to stop paging listings early)."""
    rows = conn.execute(
        "SELECT DISTINCT url FROM fetches WHERE source_id = ? AND sha256 IS NOT NULL",
        [source_id],
    ).fetchall()
    return {r[0] for r in rows}


def completed_parses(
    conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]
) -> set[tuple[str, str, str]]:
    """(sha256, parser, version) triples that already have a parser run recorded."""
    if not sha256s:
        return set()
    rows = conn.execute(
        """
        SELECT DISTINCT sha256, parser, parser_version FROM parse_runs
        WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))
        """,
        [list(sha256s)],
    ).fetchall()
    return {(r[0], r[1], r[2]) for r in rows}


def known_documents(conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]) -> set[str]:
    """Which of these content hashes are already documents."""
    if not sha256s:
        return set()
    rows = conn.execute(
        "SELECT sha256 FROM documents WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))",
        [list(sha256s)],
    ).fetchall()
    return {r[0] for r in rows}


def document_media_types(conn: duckdb.DuckDBPyConnection, sha256s: Sequence[str]) -> dict[str, str]:
    """Media type of known documents, by hash (a 304 brings no bytes to sniff)."""
    if not sha256s:
        return {}
    rows = conn.execute(
        "SELECT sha256, media_type FROM documents WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))",
        [list(sha256s)],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


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


def _insert_figures(conn: duckdb.DuckDBPyConnection, staged: pa.Table) -> int:
    """Insert staged figures (unique by id). A figure id hashes its document and parser, whose
    earlier figures the batch has just deleted, so no id can already be stored: a plain insert
    (the primary key would still refuse a duplicate, failing the whole batch)."""
    if staged.num_rows == 0:
        return 0
    conn.register("staging_figures", staged)
    try:
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
        _insert(conn, "documents", (asdict(d) for d in batch.documents), key="sha256")
        _insert(conn, "parse_runs", (asdict(p) for p in batch.parse_runs), key="parse_run_id")
        replaced = 0
        if replaced_pairs:
            pairs = pa.Table.from_pylist([{"sha256": s, "parser": p} for s, p in replaced_pairs])
            conn.register("replaced_pairs", pairs)
            try:
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
        added = _insert_figures(conn, staged_figures)
    return LoadResult(figures_added=max(0, added - replaced), figures_replaced=int(replaced))


@dataclass(frozen=True)
class Cursor:
    """Where a backfill of one listing got to."""

    next_url: str | None
    pages_done: int
    finished: bool


def _cursor_values(source_id: str, listing_url: str, cursor: Cursor) -> tuple:
    """A cursor's row values, without the bookkeeping columns."""
    return (source_id, listing_url, cursor.next_url, cursor.pages_done, cursor.finished)


def read_cursor(conn: duckdb.DuckDBPyConnection, source_id: str, listing_url: str) -> Cursor | None:
    """The saved position of a listing walk, if any."""
    rows = conn.execute(
        """
        SELECT next_url, pages_done, finished FROM crawl_cursors
        WHERE source_id = ? AND listing_url = ?
        """,
        [source_id, listing_url],
    ).fetchall()
    return Cursor(*rows[0]) if rows else None


def save_cursor(
    conn: duckdb.DuckDBPyConnection,
    source_id: str,
    listing_url: str,
    cursor: Cursor,
    run_id: str,
    now: datetime,
) -> None:
    """Record how far a listing walk got (one small transaction)."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM crawl_cursors WHERE source_id = ? AND listing_url = ?",
            [source_id, listing_url],
        )
        conn.execute(
            "INSERT INTO crawl_cursors VALUES (?, ?, ?, ?, ?, ?, ?)",
            [*_cursor_values(source_id, listing_url, cursor), run_id, now],
        )
