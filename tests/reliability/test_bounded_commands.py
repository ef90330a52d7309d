"""Commands an analyst runs on input nobody vetted, bounded: `toll sql` (a query written to
hurt the machine) and `toll explain --png` (a PDF whose page is 200 inches square)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.cli.query import QUERY_THREADS
from tests.support.records import batch, figure
from warehouse.database import publish, writer
from warehouse.load import load_batch

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
FOREVER = "SELECT sum(range % 7) FROM range(10000000000000)"  # hours of work, no memory
HUNGRY = "SELECT count(DISTINCT range) FROM range(100000000)"  # a hash table of 100M keys


@pytest.fixture
def published(home: Path) -> Path:
    with writer(home) as conn:
        load_batch(conn, batch("run", "doc", [figure("doc", "civilians", 5)]))
    publish(home)
    return home


def toll(*argv: str) -> subprocess.CompletedProcess:
    """`toll` in its own process, so a query that ignored its bounds fails this test instead
    of hanging it."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )


def test_a_query_that_never_ends_is_stopped_at_the_timeout(published: Path, reliability) -> None:
    result = toll("sql", FOREVER, "--timeout", "1", "--home", str(published))
    message = " ".join(result.stderr.split())
    reliability.record(
        "sql_forever",
        f"exit {result.returncode}: “{message}”",
        result.returncode == 1 and "--timeout" in message,
    )
    assert result.returncode == 1, result.stderr
    assert "query stopped: still running after the --timeout of 1 s" in message


def test_a_query_that_needs_gigabytes_stops_at_the_memory_limit(
    published: Path, reliability
) -> None:
    result = runner.invoke(app, ["sql", HUNGRY, "--memory-limit", "64MB", "--home", str(published)])
    message = " ".join(result.output.split())
    spilled = [p for p in published.rglob("*") if p.suffix == ".tmp" or "tmp" in p.name]
    reliability.record(
        "sql_memory",
        f"exit {result.exit_code}: “{message[:110]}…”; nothing spilled into the data folder",
        result.exit_code == 1 and "Out of Memory" in message,
        f"temporary files {spilled}" if spilled else None,
    )
    assert result.exit_code == 1 and "Out of Memory" in message
    assert spilled == []
    default = runner.invoke(
        app,
        ["sql", "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'",
         "--format", "csv", "--home", str(published)],
    )  # fmt: skip
    assert default.output.splitlines()[1].startswith("1.8 GiB")  # 2 GB


@pytest.mark.parametrize(
    "statement",
    [
        "SET memory_limit = '100GB'",
        "SET threads = 64",
        "SET temp_directory = '{home}/spill'",
        "SET enable_external_access = true",
        "SET autoload_known_extensions = true",
        "RESET lock_configuration",
        "SELECT * FROM glob('{home}/**')",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_a_query_cannot_lift_its_bounds(published: Path, statement: str, reliability) -> None:
    result = runner.invoke(app, ["sql", statement.format(home=published), "--home", str(published)])
    settings = runner.invoke(
        app,
        ["sql", "SELECT name, value FROM duckdb_settings() WHERE name IN ('temp_directory', "
         "'lock_configuration', 'enable_external_access', 'autoload_known_extensions', "
         "'autoinstall_known_extensions', 'threads') ORDER BY name", "--format", "csv",
         "--home", str(published)],
    )  # fmt: skip
    seen = dict(line.split(",", 1) for line in settings.output.splitlines()[1:])
    if statement.startswith("SET temp_directory"):
        reliability.record(
            "sql_settings",
            "SET of memory_limit, threads, temp_directory, enable_external_access, "
            "autoload; RESET lock_configuration; glob() of the data folder; INSTALL and LOAD: "
            f"each refused (exit {result.exit_code}); settings seen by queries: "
            + ", ".join(f"{k}={v or '(none)'}" for k, v in seen.items()),
            result.exit_code == 1 and seen.get("temp_directory") == "",
            None if not (published / "spill").exists() else "a spill folder was made",
        )
    assert result.exit_code == 1, result.output
    assert seen == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "enable_external_access": "false",
        "lock_configuration": "true",
        "temp_directory": "",
        "threads": str(QUERY_THREADS),
    }


def test_a_bad_memory_limit_is_a_clear_error(published: Path) -> None:
    result = runner.invoke(
        app, ["sql", "SELECT 1", "--memory-limit", "lots", "--home", str(published)]
    )
    assert result.exit_code == 2 and "--memory-limit" in result.output
