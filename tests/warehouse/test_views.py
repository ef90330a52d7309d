"""Analyst views on crafted data: versions, revisions, conflicts, monthly toll, current figures."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from tests.support.records import NOW, batch, figure
from warehouse.database import writer
from warehouse.load import load_batch, upsert_sources
from warehouse.rows import SourceRow
from warehouse.schema import migrate, undocumented
from warehouse.served import refresh_served
from warehouse.sql import scalar

URL = "https://example.org/report.pdf"


def test_versions_and_revisions_of_one_url(home) -> None:
    old = [figure("v1", "regime", 60), figure("v1", "isis", 9, perpetrator="isis")]
    new = [
        figure("v2", "regime", 63),
        figure("v2", "isis", 9, perpetrator="isis"),
        figure("v2", "sdf", 4, perpetrator="sdf"),
    ]
    with writer(home) as conn:
        load_batch(conn, batch("r1", "v1", old, url=URL))
        load_batch(conn, batch("r2", "v2", new, url=URL, first_seen=NOW + timedelta(days=30)))
        versions = conn.execute(
            "SELECT version, versions, is_current, figure_count FROM document_versions "
            "ORDER BY version"
        ).fetchall()
        revisions = conn.execute(
            "SELECT perpetrator, old_count, new_count, change, revision FROM figure_revisions "
            "ORDER BY perpetrator"
        ).fetchall()
        current = conn.execute("SELECT count FROM current_figures ORDER BY count").fetchall()
    assert versions == [(1, 2, False, 2), (2, 2, True, 3)]
    assert revisions == [("sdf", None, 4, None, "added"), ("syrian_regime", 60, 63, 3, "changed")]
    assert current == [(4,), (9,), (63,)]


def test_conflicts_between_documents(home) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r1", "release", [figure("release", "civ", 1032)]))
        load_batch(
            conn,
            batch(
                "r2",
                "repost",
                [figure("repost", "civ", 1023, parser="prose", source="news")],
                source="news",
                parser="prose",
            ),
        )
        load_batch(conn, batch("r3", "mirror", [figure("mirror", "civ", 1032)]))
        refresh_served(conn)
        rows = conn.execute(
            "SELECT count_a, count_b, across_sources, source_a, source_b FROM figure_conflicts "
            "ORDER BY source_a, source_b"
        ).fetchall()
    assert len(rows) == 2  # the repost disagrees with the release and with its mirror
    assert all(r[2] for r in rows) and {r[0] for r in rows} | {r[1] for r in rows} == {1023, 1032}


def test_national_figures_of_monitors_of_different_countries_never_conflict(home) -> None:
    def source(name: str, country: str) -> SourceRow:
        return SourceRow(name, name, None, country, ["en"], [], [])

    with writer(home) as conn:
        upsert_sources(
            conn, [source("syria", "SY"), source("yemen", "YE"), source("news", "SY")], NOW
        )
        for name in ("syria", "yemen", "news"):
            count = {"syria": 1032, "yemen": 140, "news": 1023}[name]
            load_batch(
                conn, batch(name, name, [figure(name, "civ", count, source=name)], source=name)
            )
        refresh_served(conn)
        pairs = conn.execute("SELECT source_a, source_b FROM figure_conflicts").fetchall()
    assert sorted(map(sorted, pairs)) == [["news", "syria"]]


def test_qualified_counts_that_reconcile_are_marked(home) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r1", "a", [figure("a", "civ", 100, qualifier="at_least")]))
        load_batch(conn, batch("r2", "b", [figure("b", "civ", 105)]))
        assert scalar(conn, "SELECT qualifiers_reconcile FROM figure_conflicts_live") is True


def test_monthly_toll_picks_one_claim_per_month(home) -> None:
    january = (date(2024, 1, 1), date(2024, 1, 31))
    with writer(home) as conn:
        load_batch(
            conn,
            batch("r1", "report", [figure("report", "civ", 93, period=january),
                                   figure("report", "total", 93, perpetrator="all_parties")]),
        )  # fmt: skip
        load_batch(
            conn,
            batch("r2", "report", [figure("report", "civ-prose", 93, parser="prose")],
                  parser="prose"),
        )  # fmt: skip
        stale = conn.execute("SELECT count(*) FROM monthly_toll").fetchall()
        refresh_served(conn)
        rows = conn.execute(
            "SELECT month, perpetrator, count, documents_stating, parser FROM monthly_toll "
            "ORDER BY perpetrator"
        ).fetchall()
    assert stale == [(0,)]  # the stored table changes only when refreshed (before publishing)
    assert rows == [
        (date(2024, 1, 1), "all_parties", 93, 1, "pdf_tables"),
        (date(2024, 1, 1), "syrian_regime", 93, 1, "pdf_tables"),
    ]


def test_served_tables_replace_old_views_and_keep_their_comments() -> None:
    conn = duckdb.connect()
    migrate(conn)
    conn.execute("DROP TABLE monthly_toll")
    conn.execute("CREATE VIEW monthly_toll AS SELECT 1 AS one")  # as older warehouses had it
    migrate(conn)
    kinds = conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name IN ('monthly_toll', "
        "'figure_conflicts') ORDER BY 1"
    ).fetchall()
    assert kinds == [("figure_conflicts",), ("monthly_toll",)]
    assert undocumented(conn) == []
    assert "computes it live" in scalar(
        conn, "SELECT comment FROM duckdb_tables() WHERE table_name = 'monthly_toll'"
    )


def test_current_figures_compare_parser_versions_as_numbers(home) -> None:
    with writer(home) as conn:
        load_batch(conn, batch("r1", "d", [figure("d", "a", 1, version="1.9.0")], version="1.9.0"))
        load_batch(
            conn, batch("r2", "d", [figure("d", "a", 2, version="1.10.0")], version="1.10.0")
        )
        assert conn.execute("SELECT count, parser_version FROM current_figures").fetchall() == [
            (2, "1.10.0")
        ]
