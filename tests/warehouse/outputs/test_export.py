"""Exports: Parquet partitioned by source, CSV, and HXL that libhxl reads and validates."""

from __future__ import annotations

import csv

import duckdb
import hxl
import pytest

from tests.support.records import batch, figure
from warehouse.database import connect_writer, publish, reader, writer
from warehouse.load import load_batch
from warehouse.outputs.export import export
from warehouse.sql import transaction

SCHEMA = [
    ["#valid_tag", "#valid_required", "#valid_datatype"],
    ["#meta+source+url", "true", "url"],
    ["#date+start", "true", "date"],
    ["#org+perpetrator", "true", ""],
    ["#affected+killed", "", "number"],
]


@pytest.fixture
def warehouse_home(home):
    with writer(home) as conn:
        load_batch(
            conn,
            batch("r1", "a", [figure("a", "civ", 93),
                              figure("a", "kids", 21, victim_group="children", parent="civ"),
                              figure("a", "idlib", 40, perpetrator="all_parties", place="idlib")]),
        )  # fmt: skip
        load_batch(conn, batch("r2", "b", [figure("b", "civ", 7, source="news")], source="news"))
    publish(home)
    return home


def test_parquet_is_partitioned_by_source(warehouse_home, tmp_path) -> None:
    with reader(warehouse_home) as conn:
        result = export(conn, "parquet", tmp_path)
    partitions = sorted(p.parent.name for p in (tmp_path / "figures").rglob("*.parquet"))
    assert partitions == ["source_id=news", "source_id=sample"]
    rows = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/figures/*/*.parquet', hive_partitioning=1)"
    ).fetchall()
    assert rows == [(4,)] and result.rows == 4


def test_csv_carries_provenance(warehouse_home, tmp_path) -> None:
    with reader(warehouse_home) as conn:
        export(conn, "csv", tmp_path)
    with open(tmp_path / "figures.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert all(r["url"] and r["sha256"] and r["snippet"] and r["parser_version"] for r in rows)


def test_hxl_is_valid_for_libhxl(warehouse_home, tmp_path) -> None:
    with reader(warehouse_home) as conn:
        result = export(conn, "hxl", tmp_path)
    path = result.paths[0]
    with open(path, newline="") as handle:
        header, hashtags, *rows = list(csv.reader(handle))
    assert hashtags[0] == "#meta+source" and "#affected+killed+children" in hashtags
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    assert dataset.has_headers and len(dataset.columns) == len(header)
    report = hxl.validate(dataset, hxl.data(SCHEMA))
    assert report["is_valid"], report
    by_place = {r[hashtags.index("#adm1+code")]: r for r in rows}
    assert by_place[""][hashtags.index("#affected+killed+children")] == "21"
    assert by_place["idlib"][hashtags.index("#affected+killed+civilians")] == "40"


def test_export_is_a_consistent_snapshot_during_a_run(warehouse_home, tmp_path) -> None:
    running = connect_writer(warehouse_home)  # a run in progress changes the working copy
    try:
        with transaction(running):
            running.execute("DELETE FROM figures")
        with reader(warehouse_home) as conn:
            result = export(conn, "csv", tmp_path)
    finally:
        running.close()
    assert result.rows == 4


def test_export_command(warehouse_home, tmp_path) -> None:
    from typer.testing import CliRunner

    from flows.cli.app import app

    result = CliRunner().invoke(
        app, ["export", "--format", "hxl", "--out", str(tmp_path), "--home", str(warehouse_home)]
    )
    assert result.exit_code == 0 and (tmp_path / "figures.hxl.csv").exists()
    bad = CliRunner().invoke(
        app, ["export", "--format", "xlsx", "--out", str(tmp_path), "--home", str(warehouse_home)]
    )
    assert bad.exit_code != 0
