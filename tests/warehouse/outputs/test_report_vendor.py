"""The report's Vega JavaScript is the pinned npm builds shipped with toll, byte for byte, with
their licences; nothing is fetched or generated at run time (vl-convert is gone)."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from warehouse.outputs.report.charts import VEGA_FILES, vega_javascript

ROOT = Path(__file__).resolve().parents[3]
VENDOR = ROOT / "warehouse" / "outputs" / "report" / "vendor"


def test_vendored_files_match_their_recorded_versions_and_hashes() -> None:
    table = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    row = r"^\| `([^`]+)` \| ([a-z-]+) \| ([\d.]+) \| ([^|]+) \|.*\| ([0-9a-f]{64}) \|$"
    rows = re.findall(row, table, flags=re.MULTILINE)
    assert [row[0] for row in rows] == list(VEGA_FILES)
    for name, package, version, licence, digest in rows:
        assert name == f"{package}-{version}.min.js"
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
        assert "BSD-3-Clause" in licence
        assert "Redistribution and use" in (VENDOR / f"LICENSE-{package}").read_text()
    assert 'n="6.4.1"' in vega_javascript()  # Vega-Lite's own version string


def test_no_javascript_bundler_is_a_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dependencies = " ".join(project["project"]["dependencies"])
    assert "vl-convert" not in dependencies
    assert "outputs/report/vendor/*" in project["tool"]["setuptools"]["package-data"]["warehouse"]
    sources = [p.read_text() for p in (ROOT / "warehouse").rglob("*.py")]
    assert not [s for s in sources if "vl_convert" in s]
