"""The published warehouse opens in the DuckDB versions analysts have: 2.x (this
environment) and the 1.5 series (installed once into a throwaway virtual environment)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from warehouse.database import publish, writer
from warehouse.load import load_batch
from warehouse.schema import migrate

CACHE = Path(os.environ.get("TOLL_TEST_CACHE", Path.home() / ".cache" / "toll-tests"))
DUCKDB_15 = "duckdb>=1.5,<1.6"
PROBE = """
import duckdb, json, sys
conn = duckdb.connect(sys.argv[1], read_only=True)
views = [r[0] for r in conn.execute(
    "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]
counts = {v: conn.execute(f'SELECT count(*) FROM "{v}"').fetchall()[0][0] for v in views}
figures = conn.execute("SELECT count(*) FROM figures").fetchall()[0][0]
print(json.dumps({"version": duckdb.__version__, "views": counts, "figures": figures}))
"""


def _duckdb_15_python() -> Path:
    target = CACHE / "duckdb-1.5"
    python = target / "bin" / "python"
    marker = target / "installed"
    if not marker.exists():
        venv.create(target, with_pip=True, clear=True)
        result = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", DUCKDB_15],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"cannot install {DUCKDB_15}: {result.stderr.strip()[-300:]}")
        marker.touch()
    return python


@pytest.fixture
def published(home) -> Path:
    from tests.support.records import batch, figure

    with writer(home) as conn:
        load_batch(conn, batch("r1", "a", [figure("a", "civ", 93)]))
    return publish(home)


def _probe(python: str, path: Path) -> dict:
    result = subprocess.run(
        [python, "-c", PROBE, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_opens_in_this_duckdb(published) -> None:
    report = _probe(sys.executable, published)
    assert report["version"].startswith("2.") and report["figures"] == 1
    assert {"figure_provenance", "current_figures", "monthly_toll_live"} <= set(report["views"])


def test_opens_in_duckdb_1_5(published) -> None:
    report = _probe(str(_duckdb_15_python()), published)
    assert report["version"].startswith("1.5.")
    assert report["figures"] == 1
    conn_views = _probe(sys.executable, published)["views"]
    assert report["views"] == conn_views  # every view reads the same in both versions


def test_migrations_apply_on_a_1_5_file_created_by_toll(published) -> None:
    import duckdb

    conn = duckdb.connect(str(published))
    try:
        assert migrate(conn) == []
    finally:
        conn.close()
