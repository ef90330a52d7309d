"""The warehouse: migrations, documentation, idempotent loads, atomic publishing, read-only use."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.model import FigureRecord
from warehouse.database import connect_writer, publish, published_path, reader, writer
from warehouse.figure_columns import conforms, figure_columns
from warehouse.load import figure_table, load_batch
from warehouse.rows import DocumentRow, FetchRow, LoadBatch, ParseRunRow
from warehouse.schema import (
    WarehouseTooNew,
    current_version,
    migrate,
    migrations,
    undocumented,
)
from warehouse.sql import scalar, transaction

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SHA = "ab" * 32
TABLES = {"sources", "runs", "fetches", "documents", "parse_runs", "figures", "quality_issues"}


def record(figure_id: str, count: int, version: str = "1.0.0") -> FigureRecord:
    return FigureRecord(
        figure_id=figure_id, sha256=SHA, source="sample", url="http://127.0.0.1/r",
        parser="prose", parser_version=version, metric="killed", count=count, count_high=None,
        qualifier="exact", victim_group="civilians", victim_raw="civilians",
        perpetrator="isis", perpetrator_raw="ISIS", place=None, place_raw=None,
        period_start=date(2024, 1, 1), period_end=date(2024, 1, 31), period_raw="January 2024",
        period_precision="month", certainty="stated", attribution="clause",
        parent_figure_id=None,
        locator={"kind": "text", "char_start": 0, "char_end": 2}, snippet="ISIS killed 5 civilians",
    )  # fmt: skip


def batch(run_id: str, version: str = "1.0.0", counts=(5, 7)) -> LoadBatch:
    fetch = FetchRow(
        fetch_id=f"fetch-{run_id}", run_id=run_id, source_id="sample", url="http://127.0.0.1/r",
        final_url=None, requested_at=NOW, status_code=200, outcome="fetched", etag='"e"',
        last_modified=None, content_type="text/plain", bytes=10, sha256=SHA, attempts=1,
        duration_ms=3, error=None,
    )  # fmt: skip
    document = DocumentRow(
        sha256=SHA, source_id="sample", url="http://127.0.0.1/r", final_url=None,
        media_type="text/plain", bytes=10, title="t", published=date(2024, 2, 1), first_seen=NOW,
        first_fetch_id=fetch.fetch_id, archive_path=f"archive/ab/{SHA}.txt",
    )  # fmt: skip
    parse_run = ParseRunRow(
        parse_run_id=f"parse-{run_id}", run_id=run_id, sha256=SHA, parser="prose",
        parser_version=version, status="ok", figure_count=len(counts), error=None,
        duration_ms=1, parsed_at=NOW,
    )  # fmt: skip
    figures = [record(f"f{i}", c, version) for i, c in enumerate(counts)]
    return LoadBatch(run_id, [fetch], [document], [parse_run], {parse_run.parse_run_id: figures})


def test_migrations_are_numbered_and_applied_once() -> None:
    conn = duckdb.connect()
    assert migrate(conn) == [m.name for m in migrations()]
    assert migrate(conn) == []
    assert current_version(conn) == len(migrations())
    tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert TABLES | {"schema_version"} <= tables


def test_every_table_view_and_column_is_documented() -> None:
    conn = duckdb.connect()
    migrate(conn)
    assert undocumented(conn) == []
    views = {
        r[0]
        for r in conn.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    assert {"figure_provenance", "current_figures"} <= views


def test_a_newer_warehouse_is_refused() -> None:
    conn = duckdb.connect()
    migrate(conn)
    conn.execute("INSERT INTO schema_version (version, name) VALUES (999, 'future.sql')")
    with pytest.raises(WarehouseTooNew, match="newer than this toll"):
        migrate(conn)


def test_loading_the_same_batch_twice_adds_nothing(home) -> None:
    with writer(home) as conn:
        first = load_batch(conn, batch("r1"))
        second = load_batch(conn, batch("r1"))
        assert (first.figures_added, second.figures_added) == (2, 0)
        for table, expected in (
            ("figures", 2),
            ("documents", 1),
            ("fetches", 1),
            ("parse_runs", 1),
        ):
            assert scalar(conn, f"SELECT count(*) FROM {table}") == expected


def test_skipped_figures_and_attribution_are_stored(home) -> None:
    loaded = batch("r1")
    loaded.parse_runs[0] = replace(loaded.parse_runs[0], warnings=["skipped implausible count"])
    with writer(home) as conn:
        load_batch(conn, loaded)
        assert conn.execute("SELECT warnings FROM parse_runs").fetchall() == [
            (["skipped implausible count"],)
        ]
        assert conn.execute(
            "SELECT DISTINCT certainty, attribution FROM figure_provenance"
        ).fetchall() == [("stated", "clause")]


def test_figures_loaded_before_attribution_are_marked_not_recorded() -> None:
    """Migration 004 on a warehouse that already holds figures of the old layout."""
    conn = duckdb.connect()
    known = migrations()
    for migration in known[:3]:
        conn.execute(migration.sql)
    conn.execute(
        "INSERT INTO figures (figure_id, sha256, source_id, parser, parser_version, "
        "parse_run_id, run_id, metric, count, qualifier, attribution, locator, snippet, "
        "loaded_at) VALUES ('f', 's', 'src', 'prose', '1.0.0', 'p', 'r', 'killed', 3, "
        "'exact', 'believed', '{}', 'x', now())"
    )
    conn.execute(known[3].sql)
    assert conn.execute("SELECT certainty, attribution FROM figures").fetchall() == [
        ("believed", "not_recorded")
    ]


def test_a_new_parser_version_replaces_that_parsers_figures(home) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r1"))
        result = load_batch(conn, batch("r2", version="1.1.0", counts=(6,)))
        assert (result.figures_added, result.figures_replaced) == (0, 2)
        rows = conn.execute("SELECT count, parser_version FROM figures").fetchall()
        assert rows == [(6, "1.1.0")]
        assert scalar(conn, "SELECT count(*) FROM parse_runs") == 2  # history kept


def test_a_failed_batch_leaves_nothing(home) -> None:
    with writer(home) as conn:
        broken = batch("r1")
        broken.documents[0] = DocumentRow(**{**broken.documents[0].__dict__, "media_type": None})
        with pytest.raises(duckdb.Error):  # fails after the fetch rows are written
            load_batch(conn, broken)
        for table in ("figures", "documents", "fetches", "parse_runs"):
            assert scalar(conn, f"SELECT count(*) FROM {table}") == 0


def test_figures_come_only_with_their_successful_parser_run(home) -> None:
    with writer(home) as conn:
        failed = batch("r1")
        failed.parse_runs[0] = ParseRunRow(**{**failed.parse_runs[0].__dict__, "status": "failed"})
        with pytest.raises(ValueError, match="without their successful parser run"):
            load_batch(conn, failed)
        assert scalar(conn, "SELECT count(*) FROM fetches") == 0


def test_published_snapshot_is_read_only_and_readable_during_writes(home) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r1"))
    publish(home)
    busy_writer = connect_writer(home)  # a run in progress holds the working copy
    try:
        with transaction(busy_writer):
            busy_writer.execute("DELETE FROM figures")
        with reader(home) as conn:
            assert scalar(conn, "SELECT count(*) FROM figures") == 2
            with pytest.raises(duckdb.Error, match="read-only"):
                conn.execute("DROP TABLE figures")
    finally:
        busy_writer.close()
    publish(home)
    with reader(home) as conn:
        assert scalar(conn, "SELECT count(*) FROM figures") == 0
    assert published_path(home).exists()
    assert not list(home.glob(".warehouse.duckdb.*.tmp"))


def test_staged_figures_cover_every_column_and_keep_the_first_of_an_id() -> None:
    staged = figure_table(batch("run-1", counts=(5, 7, 9)), NOW)
    conn = duckdb.connect()
    migrate(conn)
    columns = {r[0] for r in conn.execute("DESCRIBE figures").fetchall()}
    assert set(staged.column_names) == columns
    doubled = batch("run-1", counts=(5, 7))
    run_id = next(iter(doubled.figures))
    doubled.figures["another-run"] = [record("f0", 99)]
    staged = figure_table(doubled, NOW)
    rows = {r["figure_id"]: r for r in staged.to_pylist()}
    assert len(rows) == staged.num_rows == 2
    assert rows["f0"]["count"] == 5 and rows["f0"]["parse_run_id"] == run_id
    assert rows["f0"]["locator"] == '{"char_end": 2, "char_start": 0, "kind": "text"}'


def test_columns_from_workers_load_the_same_rows_as_records() -> None:
    def stored(figures_of) -> list[tuple]:
        conn = duckdb.connect()
        migrate(conn)
        loaded = batch("r1", counts=(5, 7, 9))
        loaded.figures = {run: figures_of(records) for run, records in loaded.figures.items()}
        load_batch(conn, loaded, NOW)
        return conn.execute("SELECT * FROM figures ORDER BY figure_id").fetchall()

    from_records = stored(list)
    assert len(from_records) == 3
    assert stored(figure_columns) == from_records


def test_figure_columns_follow_the_schema_and_the_records() -> None:
    records = [record("f0", 5), record("f1", 7)]
    table = figure_columns(records)
    assert conforms(table) and conforms(figure_columns([]))
    assert figure_columns([]).num_rows == 0
    first = table.to_pylist()[0]
    assert first["source_id"] == "sample" and first["count"] == 5
    assert first["period_start"] == date(2024, 1, 1)
    assert first["locator"] == '{"char_end": 2, "char_start": 0, "kind": "text"}'


@given(st.lists(st.lists(st.integers(0, 6), max_size=6), max_size=4))
def test_the_first_figure_of_each_id_is_kept_in_order(runs) -> None:
    duplicated = LoadBatch("run")
    for number, ids in enumerate(runs):
        records = [record(f"f{i}", count=10 * number + i) for i in ids]
        duplicated.figures[f"parse-{number}"] = figure_columns(records) if number % 2 else records
    expected: dict[str, int] = {}
    for number, ids in enumerate(runs):
        for i in ids:
            expected.setdefault(f"f{i}", 10 * number + i)
    staged = figure_table(duplicated, NOW)
    assert list(
        zip(staged["figure_id"].to_pylist(), staged["count"].to_pylist(), strict=True)
    ) == list(expected.items())


def test_columns_of_another_shape_are_refused() -> None:
    wrong = batch("r1")
    run = next(iter(wrong.figures))
    wrong.figures[run] = figure_columns(wrong.figures[run]).drop_columns(["snippet"])
    with pytest.raises(ValueError, match="figure columns"):
        figure_table(wrong, NOW)


def test_publishing_clears_copies_left_by_a_killed_publish(home) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r1"))
    leftover = home / ".warehouse.duckdb.4242.tmp"
    leftover.write_bytes(b"half a copy")
    publish(home)
    assert not leftover.exists()
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".")) == []
