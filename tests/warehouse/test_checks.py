"""Each consistency check fires on crafted inconsistent data and stays quiet on consistent data."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.records import NOW, batch, figure
from warehouse.checks import run_checks
from warehouse.database import writer
from warehouse.load import load_batch


def findings(home, *figure_lists, published=date(2024, 2, 1)) -> dict[str, list[str]]:
    with writer(home) as conn:
        for number, figures in enumerate(figure_lists):
            doc = figures[0].url.rsplit("/", 1)[1]  # records.figure() puts the name in the URL
            assert all(f.sha256 == figures[0].sha256 for f in figures)
            parser = figures[0].parser
            load_batch(conn, batch(f"r{number}", doc, figures, published=published, parser=parser))
        run_checks(conn, "check-run", NOW)
        rows = conn.execute(
            "SELECT check_name, message FROM quality_issues WHERE resolved_at IS NULL"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for name, message in rows:
        found.setdefault(name, []).append(message)
    return found


def test_consistent_table_has_no_findings(home) -> None:
    table = [
        figure("d", "regime", 60),
        figure("d", "regime-children", 10, victim_group="children", parent="regime"),
        figure("d", "regime-women", 5, victim_group="women", parent="regime"),
        figure("d", "isis", 40, perpetrator="isis"),
        figure("d", "total", 100, perpetrator="all_parties"),
        figure("d", "idlib", 70, perpetrator="all_parties", place="idlib"),
        figure("d", "aleppo", 30, perpetrator="all_parties", place="aleppo"),
    ]
    assert findings(home, table) == {}


def test_subgroup_larger_than_its_group(home) -> None:
    found = findings(
        home,
        [figure("d", "all", 10), figure("d", "kids", 12, victim_group="children", parent="all")],
    )
    assert "subgroup_exceeds_group" in found
    assert "12 children" in found["subgroup_exceeds_group"][0]


def test_children_and_women_above_civilians(home) -> None:
    found = findings(
        home,
        [
            figure("d", "civ", 20),
            figure("d", "kids", 15, victim_group="children"),
            figure("d", "women", 10, victim_group="women"),
        ],
    )
    assert "children_and_women_exceed_civilians" in found
    assert "exceeds the 20 civilians" in found["children_and_women_exceed_civilians"][0]


@pytest.mark.parametrize(("total", "fires"), [(100, False), (101, False), (110, True), (90, True)])
def test_perpetrators_against_the_stated_total(home, total: int, fires: bool) -> None:
    found = findings(
        home,
        [
            figure("d", "regime", 60),
            figure("d", "isis", 40, perpetrator="isis"),
            figure("d", "total", total, perpetrator="all_parties"),
        ],
    )
    assert ("perpetrators_do_not_sum_to_total" in found) is fires


def test_prose_naming_only_some_parties_is_not_an_error(home) -> None:
    prose = [
        figure("d", "regime", 60, parser="prose"),
        figure("d", "isis", 20, perpetrator="isis", parser="prose"),
        figure("d", "total", 100, perpetrator="all_parties", parser="prose"),
    ]
    assert "perpetrators_do_not_sum_to_total" not in findings(home, prose)


def test_governorates_against_the_total(home) -> None:
    found = findings(
        home,
        [
            figure("d", "idlib", 70, perpetrator="all_parties", place="idlib"),
            figure("d", "aleppo", 50, perpetrator="all_parties", place="aleppo"),
            figure("d", "total", 100, perpetrator="all_parties"),
        ],
    )
    assert "places_do_not_sum_to_total" in found
    assert "places sum to 120" in found["places_do_not_sum_to_total"][0]


def test_periods(home) -> None:
    found = findings(
        home,
        [
            figure("d", "inverted", 5, period=(date(2024, 2, 1), date(2024, 1, 1))),
            figure(
                "d", "future", 5, perpetrator="isis", period=(date(2024, 3, 1), date(2024, 3, 31))
            ),
        ],
    )
    assert "period_inverted" in found and "period_after_publication" in found


def test_unknown_vocabulary(home) -> None:
    found = findings(home, [figure("d", "x", 5, victim_group=None)])
    assert "unknown_vocabulary" in found


def test_monthly_outlier(home) -> None:
    months = [(date(2024, m, 1), date(2024, m, 28)) for m in (1, 2, 3, 4)]
    counts = [50, 55, 400, 60]
    docs = [[figure(f"m{i}", "regime", c, period=months[i])] for i, c in enumerate(counts)]
    found = findings(home, *docs, published=date(2024, 12, 1))
    assert len(found.get("monthly_outlier", [])) == 1
    assert "400 civilians killed by syrian_regime in 2024-03" in found["monthly_outlier"][0]


def test_findings_are_recorded_once_and_resolved_not_deleted(home) -> None:
    bad = [figure("d", "all", 10), figure("d", "kids", 12, victim_group="children", parent="all")]
    with writer(home) as conn:
        load_batch(conn, batch("r1", "d", bad))
        assert run_checks(conn, "run-1", NOW) == 1
        assert run_checks(conn, "run-2", NOW) == 1
        fixed = [
            figure("d", "all", 10, version="1.1.0"),
            figure("d", "kids", 2, victim_group="children", parent="all", version="1.1.0"),
        ]
        load_batch(conn, batch("r3", "d", fixed, version="1.1.0"))
        assert run_checks(conn, "run-3", NOW) == 0
        rows = conn.execute("SELECT resolved_at IS NOT NULL FROM quality_issues").fetchall()
    assert rows == [(True,)]


def test_toll_check_groups_findings_and_is_strict_on_errors(home) -> None:
    from typer.testing import CliRunner

    from flows.cli.app import app
    from warehouse.database import publish

    findings(
        home,
        [figure("d", "all", 10), figure("d", "kids", 12, victim_group="children", parent="all")],
    )
    publish(home)
    runner = CliRunner()
    relaxed = runner.invoke(app, ["check", "--home", str(home)])
    assert relaxed.exit_code == 0 and "subgroup_exceeds_group" in relaxed.stdout
    strict = runner.invoke(app, ["check", "--home", str(home), "--strict"])
    assert strict.exit_code == 1 and "1 open error" in strict.output


# ---------------------------------------------------------------- sources gone quiet


def _open(conn) -> dict[str, list[str]]:
    rows = conn.execute(
        "SELECT check_name, message FROM quality_issues WHERE resolved_at IS NULL "
        "ORDER BY check_name, message"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for name, message in rows:
        found.setdefault(name, []).append(message)
    return found


def test_a_source_quiet_for_longer_than_its_cadence_is_stale(home) -> None:
    from datetime import timedelta

    from warehouse.checks import SourceWatch, open_alarms

    with writer(home) as conn:
        load_batch(conn, batch("r1", "a", [figure("a", "x", 5, source="quiet")],
                               published=date(2025, 11, 1), source="quiet"))  # fmt: skip
        load_batch(conn, batch("r1", "b", [figure("b", "x", 5, source="busy")],
                               published=date(2025, 12, 30), source="busy"))  # fmt: skip
        watches = [SourceWatch("quiet", 45), SourceWatch("busy", 45)]
        run_checks(conn, "run-1", NOW, watches)  # NOW is 2026-01-02: 62 and 3 days
        assert _open(conn) == {
            "stale_source": [
                "source quiet: nothing new since 2025-11-01 (its newest document), longer "
                "than its cadence of 45 days"
            ]
        }
        assert open_alarms(conn, ["quiet", "busy"]) == _open(conn)["stale_source"]
        assert open_alarms(conn, ["busy"]) == []
        run_checks(conn, "run-2", NOW, [SourceWatch("busy", 45)])  # judges busy only
        assert "stale_source" in _open(conn)
        run_checks(conn, "run-3", NOW, [])  # a reparse watches nothing
        assert "stale_source" in _open(conn)
        run_checks(conn, "run-4", NOW, [SourceWatch("quiet", 90)])
        assert _open(conn) == {}
        later = NOW + timedelta(days=100)
        run_checks(conn, "run-5", later, [SourceWatch("quiet", 90), SourceWatch("busy", 90)])
        assert [m.split(":")[0] for m in _open(conn)["stale_source"]] == [
            "source busy",
            "source quiet",
        ]


def test_discovery_that_returns_nothing_for_a_known_source_is_an_alarm(home) -> None:
    from warehouse.checks import SourceWatch

    with writer(home) as conn:
        load_batch(conn, batch("r1", "a", [figure("a", "x", 5, source="s")],
                               published=date(2025, 12, 30), source="s"))  # fmt: skip
        run_checks(conn, "run-1", NOW, [SourceWatch("s", 45, discovered=0)])
        assert _open(conn) == {
            "discovery_found_nothing": [
                "source s: discovery returned no report URL from its feeds and listings, "
                "though it found 1 document(s) before"
            ]
        }
        run_checks(conn, "run-2", NOW, [SourceWatch("s", 45)])  # a backfill: no judgement
        assert "discovery_found_nothing" in _open(conn)
        run_checks(conn, "run-3", NOW, [SourceWatch("s", 45, discovered=3)])
        assert _open(conn) == {}
        run_checks(conn, "run-4", NOW, [SourceWatch("new", 45, discovered=0)])
        assert _open(conn) == {}  # a source that never had a document raises nothing
