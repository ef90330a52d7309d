"""The `toll` command line (without flows: tests/flows/test_nightly_flow.py covers those)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from tests.warehouse.test_warehouse import batch
from warehouse.database import publish, writer
from warehouse.load import load_batch

REQUIRED = {
    "metric", "count", "count_high", "qualifier", "victim_group", "perpetrator",
    "period_start", "period_end", "place", "perpetrator_raw", "victim_raw", "snippet",
    "locator", "parser", "parser_version",
}  # fmt: skip
runner = CliRunner()


@pytest.fixture
def loaded_home(home):
    with writer(home) as conn:
        load_batch(conn, batch("r1"))
        conn.execute(
            "INSERT INTO runs (run_id, flow, started_at, status) "
            "VALUES ('r1', 'nightly', now(), 'completed')"
        )
    publish(home)
    return home


@pytest.mark.parametrize(
    ("fixture", "parsers"),
    [
        ("golden/pdf_tables/monthly_report_split_table/input.pdf", {"pdf_tables", "prose"}),
        ("golden/html_tables/merged_headers/input.html", {"html_tables"}),
        ("golden/prose/monthly_release/input.txt", {"prose"}),
    ],
)
def test_parse_prints_json_records(fixture: str, parsers: set[str]) -> None:
    from tests.conftest import TESTS

    result = runner.invoke(app, ["parse", str(TESTS / fixture), "--json", "--url", "https://x/r"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert records and set(records[0]) >= REQUIRED
    assert parsers <= {r["parser"] for r in records}


def test_parse_table_output() -> None:
    from tests.conftest import TESTS

    result = runner.invoke(app, ["parse", str(TESTS / "golden/prose/monthly_release/input.txt")])
    assert result.exit_code == 0 and "figures in input.txt" in result.stdout


def test_parse_reports_a_broken_file(tmp_path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 garbage")
    result = runner.invoke(app, ["parse", str(broken)])
    assert result.exit_code == 1
    assert "unreadable PDF" in result.output


def test_sql_formats(loaded_home) -> None:
    query = "SELECT count(*) AS n FROM figures"
    as_json = runner.invoke(app, ["sql", query, "--home", str(loaded_home), "--format", "json"])
    assert json.loads(as_json.stdout) == [{"n": 2}]
    as_csv = runner.invoke(app, ["sql", query, "--home", str(loaded_home), "-f", "csv"])
    assert as_csv.stdout.splitlines() == ["n", "2"]


def test_sql_is_read_only(loaded_home) -> None:
    result = runner.invoke(app, ["sql", "DROP TABLE figures", "--home", str(loaded_home)])
    assert result.exit_code == 1 and "read-only" in result.output
    still = runner.invoke(
        app, ["sql", "SELECT count(*) FROM figures", "--home", str(loaded_home), "-f", "csv"]
    )
    assert still.stdout.splitlines()[1] == "2"


def test_sql_without_a_warehouse_says_what_to_do(home) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "--home", str(home)])
    assert result.exit_code == 2 and "toll ingest" in result.output


def test_status_lists_runs(loaded_home, monkeypatch) -> None:
    monkeypatch.setenv("TOLL_HOME", str(loaded_home))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0 and "nightly" in result.stdout


def test_every_command_has_help_with_an_example() -> None:
    for command in ("ingest", "demo", "sql", "status", "parse"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.stdout, command


def test_reparse_dry_run_prints_a_preview_and_writes_nothing(loaded_home) -> None:
    """The loaded figures came from prose 1.0.0, so a reparse is pending; their archive file
    is absent here, so the preview says the document failed rather than guessing."""
    from warehouse.database import reader

    with reader(loaded_home) as conn:
        before = conn.execute("SELECT count(*) FROM parse_runs").fetchone()
    shown = runner.invoke(app, ["reparse", "--dry-run", "--home", str(loaded_home)])
    assert shown.exit_code == 0, shown.output
    assert "reparse preview (nothing written)" in shown.output
    assert "failed" in shown.output and "nothing was written" in shown.output
    as_json = runner.invoke(app, ["reparse", "--dry-run", "--json", "--home", str(loaded_home)])
    (group,) = json.loads(as_json.stdout)["groups"]
    assert group["parser"] == "prose" and group["from_versions"] == []
    assert group["failed_documents"] and group["added"] == group["removed"] == 0
    with reader(loaded_home) as conn:
        assert conn.execute("SELECT count(*) FROM parse_runs").fetchone() == before


def test_sql_says_no_rows(loaded_home) -> None:
    result = runner.invoke(
        app, ["sql", "SELECT * FROM figures WHERE false", "--home", str(loaded_home)]
    )
    assert result.exit_code == 0 and result.stdout.strip() == "(no rows)"


def test_sql_never_hides_a_column(loaded_home) -> None:
    """Too wide for the terminal (80 columns here): one record per block, every column."""
    columns = [f"column_{n}" for n in range(6)]
    query = "SELECT " + ", ".join(f"repeat('{n}', 30) AS {c}" for n, c in enumerate(columns))
    result = runner.invoke(app, ["sql", query, "--home", str(loaded_home)])
    assert result.exit_code == 0, result.output
    assert "-[ record 1 ]-" in result.stdout
    assert all(c in result.stdout for c in columns)
    narrow = runner.invoke(app, ["sql", "SELECT 1 AS a, 2 AS b", "--home", str(loaded_home)])
    assert "record" not in narrow.stdout and "a" in narrow.stdout


def test_status_times_have_year_and_zone(loaded_home) -> None:
    result = runner.invoke(app, ["status", "--home", str(loaded_home)])
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", result.stdout), result.stdout


def test_parse_with_parser_runs_only_that_parser_whatever_its_source(tmp_path) -> None:
    from tests.conftest import TESTS

    fixture = next((TESTS / "golden/airwars_incident").glob("*/input.*"))
    plain = runner.invoke(app, ["parse", str(fixture), "--json"])
    assert "airwars_incident" not in {r["parser"] for r in json.loads(plain.stdout)}
    chosen = runner.invoke(app, ["parse", str(fixture), "--json", "--parser", "airwars_incident"])
    assert chosen.exit_code == 0, chosen.output
    assert {r["parser"] for r in json.loads(chosen.stdout)} == {"airwars_incident"}


def test_explain_png_never_creates_folders(loaded_home, tmp_path) -> None:
    target = tmp_path / "missing" / "deeper" / "cell.png"
    result = runner.invoke(app, ["explain", "f0", "--home", str(loaded_home), "--png", str(target)])
    assert result.exit_code == 2
    assert f"no folder {target.parent} to write cell.png into (--png)" in result.stderr
    assert not (tmp_path / "missing").exists()
