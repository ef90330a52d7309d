"""What is derived from the figures follows what changed (issue 15): after every kind of
change a run makes, recomputing only the noted documents, sources and months leaves the
stored `monthly_toll` and `figure_conflicts` equal to their live views and the open findings
equal to a full check, and rows outside the change are not recomputed at all."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from tests.support.records import NOW, batch, figure
from warehouse import changes, checks
from warehouse.derived import update_derived
from warehouse.load import load_batch, upsert_sources
from warehouse.rows import SourceRow
from warehouse.schema import migrate
from warehouse.served import refresh_served
from warehouse.sql import scalar, transaction

FEBRUARY = (date(2024, 2, 1), date(2024, 2, 29))
MARCH = (date(2024, 3, 1), date(2024, 3, 31))


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    migrate(connection)
    upsert_sources(connection, [_source("sample", "SY"), _source("news", "SY")], NOW)
    return connection


def _source(name: str, country: str) -> SourceRow:
    return SourceRow(name, name, None, country, ["en"], [], [])


def _rows(conn: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return sorted(conn.execute(f"SELECT * FROM {relation}").fetchall(), key=repr)


def _open_findings(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "SELECT issue_id FROM quality_issues WHERE resolved_at IS NULL ORDER BY 1"
    ).fetchall()


def _assert_up_to_date(conn: duckdb.DuckDBPyConnection) -> None:
    assert _rows(conn, "monthly_toll") == _rows(conn, "monthly_toll_live")
    assert _rows(conn, "figure_conflicts") == _rows(conn, "figure_conflicts_live")
    incremental = _open_findings(conn)
    with transaction(conn):  # a full check changes nothing more
        checks.record_findings(conn, "full", datetime.now(UTC))
    assert _open_findings(conn) == incremental
    assert scalar(conn, "SELECT count(*) FROM changed_figures") == 0


def _release(doc: str, regime: int, children: int = 10, period=FEBRUARY, **options):
    parser = options.get("parser", "pdf_tables")
    version = options.get("version", "1.0.0")
    source = options.get("source", "sample")
    return [
        figure(doc, "civ", regime, period=period, parser=parser, version=version, source=source),
        figure(doc, "children", children, victim_group="children", period=period,
               parser=parser, version=version, source=source),
        figure(doc, "women", 5, victim_group="women", period=period, parser=parser,
               version=version, source=source),
    ]  # fmt: skip


def test_each_kind_of_change_leaves_derived_data_as_a_full_recompute(conn) -> None:
    assert update_derived(conn, "r0", NOW).changed  # a new warehouse: everything once
    _assert_up_to_date(conn)

    load_batch(conn, batch("r1", "feb", _release("feb", 100)))  # a new document
    assert update_derived(conn, "r1", NOW).scope.months == (date(2024, 2, 1),)
    _assert_up_to_date(conn)

    news = _release("repost", 90, children=200, source="news")  # a conflict, a finding
    load_batch(conn, batch("r2", "repost", news, source="news"))
    update_derived(conn, "r2", NOW)
    _assert_up_to_date(conn)
    assert scalar(conn, "SELECT count(*) FROM figure_conflicts") >= 1
    assert _open_findings(conn)

    later = NOW + timedelta(days=30)  # a new version of the repost, now consistent
    fixed = _release("repost-v2", 100, source="news")
    load_batch(conn, batch("r3", "repost-v2", fixed, url="https://example.org/repost",
                           source="news", first_seen=later))  # fmt: skip
    update_derived(conn, "r3", NOW)
    _assert_up_to_date(conn)
    assert scalar(conn, "SELECT count(*) FROM figure_conflicts") == 0

    moved = _release("feb", 100, period=MARCH, version="2.0.0")  # a reparse moves a month
    load_batch(conn, batch("r4", "feb", moved, version="2.0.0"))
    scope = update_derived(conn, "r4", NOW).scope
    assert set(scope.months) == {date(2024, 2, 1), date(2024, 3, 1)}
    _assert_up_to_date(conn)

    upsert_sources(conn, [_source("news", "YE")], NOW)  # a source's country changes
    assert update_derived(conn, "r5", NOW).scope.whole_sources == ("news",)
    _assert_up_to_date(conn)


def test_nothing_noted_nothing_done(conn) -> None:
    update_derived(conn, "r0", NOW)
    load_batch(conn, batch("r1", "feb", _release("feb", 100)))
    update_derived(conn, "r1", NOW)
    done = update_derived(conn, "r2", NOW)
    assert not done.changed and done.scope.empty
    assert not upsert_sources(conn, [_source("sample", "SY")], NOW)  # as configured: no write


def test_a_source_gone_quiet_is_noted_though_nothing_changed(conn) -> None:
    """The source checks run on an unchanged nightly too (time passes, a source goes quiet):
    a new or resolved alarm is a change to publish; the same alarm again is not."""
    load_batch(conn, batch("r1", "feb", _release("feb", 100)))
    update_derived(conn, "r1", NOW)
    noted: list[str] = []
    watch = [checks.SourceWatch("sample", 45)]
    later = NOW + timedelta(days=400)
    quiet = update_derived(conn, "r2", later, lambda: noted.append("r2"), watch)
    assert not quiet.changed and noted == ["r2"]
    assert checks.open_alarms(conn, ["sample"]) and quiet.open_issues >= 1
    update_derived(conn, "r3", later, lambda: noted.append("r3"), watch)
    assert noted == ["r2"]  # the same alarm: nothing to publish
    patient = [checks.SourceWatch("sample", 5000)]  # a longer cadence: no longer quiet
    update_derived(conn, "r4", later, lambda: noted.append("r4"), patient)
    assert noted == ["r2", "r4"] and not checks.open_alarms(conn, ["sample"])


def test_rows_outside_the_change_are_not_recomputed(conn) -> None:
    load_batch(conn, batch("r1", "feb", _release("feb", 100)))
    update_derived(conn, "r1", NOW)
    conn.execute(  # a row no recompute would produce, in another source and month
        "INSERT INTO monthly_toll (source_id, month, perpetrator, victim_group, count) "
        "VALUES ('elsewhere', DATE '2019-01-01', 'isis', 'civilians', 7)"
    )
    load_batch(conn, batch("r2", "mar", _release("mar", 50, period=MARCH)))
    refresh_served(conn)
    assert scalar(conn, "SELECT count FROM monthly_toll WHERE source_id = 'elsewhere'") == 7
    assert scalar(conn, "SELECT count FROM monthly_toll WHERE month = DATE '2024-03-01'") == 50


def test_a_changed_definition_recomputes_everything(conn) -> None:
    update_derived(conn, "r0", NOW)
    assert not changes.note_definitions(conn, "checks", checks.definition())
    assert changes.note_definitions(conn, "checks", checks.definition() + " -- changed")
    assert changes.pending(conn).everything


def test_every_check_reads_the_scoped_figures() -> None:
    """Every figure check reads the scoped figures; the source checks read `documents` and
    the run's `source_watch` (small in every warehouse), never the figures."""
    for check in checks.CHECKS:
        sql = checks.scoped_sql(check, partial=True)
        if check.scope is not None:
            assert "source_watch" in sql and not re.search(r"\bfigures\b", sql), check.name
            continue
        assert "checked_figures" in sql or "checked_monthly_toll" in sql, check.name
        assert not re.search(r"(FROM|JOIN)\s+(figures|monthly_toll_live)\b", sql), check.name
