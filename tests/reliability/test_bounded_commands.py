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


def tiny_pdf_with_a_huge_page(inches: int = 200) -> bytes:
    """A valid one-page PDF of about 600 bytes whose page is `inches` square."""
    side = inches * 72
    text = b"BT /F1 240 Tf 720 720 Td (93 civilians killed) Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 %d %d]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>" % (side, side),
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def huge_page(home: Path) -> tuple[Path, str]:
    """A published warehouse holding one figure read from a PDF with a 200-inch page."""
    import hashlib

    from warehouse import archive

    pdf = tiny_pdf_with_a_huge_page()
    sha = hashlib.sha256(pdf).hexdigest()
    path = archive.store(home, pdf, "application/pdf")
    with writer(home) as conn:
        load_batch(conn, batch("run", "huge", [figure("huge", "civilians", 93)]))
        conn.execute("UPDATE documents SET sha256 = ?, archive_path = ?", [sha, path])
        conn.execute("UPDATE figures SET sha256 = ?", [sha])
        conn.execute(
            "UPDATE figures SET locator = ?",
            ['{"kind": "pdf_table", "page": 1, "bbox": [700, 700, 3000, 1000]}'],
        )
        figure_id = conn.execute("SELECT figure_id FROM figures").fetchone()[0]
    publish(home)
    return home, figure_id


def test_a_huge_pdf_page_renders_at_most_4000_pixels(
    huge_page: tuple[Path, str], tmp_path: Path, reliability
) -> None:
    from PIL import Image

    home, figure_id = huge_page
    out = tmp_path / "cell.png"
    result = runner.invoke(app, ["explain", figure_id, "--home", str(home), "--png", str(out)])
    size = Image.open(out).size if out.exists() else (0, 0)
    pdf_bytes = len(tiny_pdf_with_a_huge_page())
    reliability.record(
        "png_huge_page",
        f"a {pdf_bytes}-byte PDF declaring a 14,400-point (200-inch) page: rendered in a child "
        f"process under the parse budget at {size[0]} x {size[1]} px (longest side capped at "
        "4,000; 22,000 px at the usual 110 dpi)",
        result.exit_code == 0,
        None if max(size) <= 4000 else f"{size} px",
    )
    assert result.exit_code == 0, result.output
    assert size == (4000, 4000)


def test_png_goes_only_to_a_new_png_file(
    huge_page: tuple[Path, str], tmp_path: Path, reliability
) -> None:
    home, figure_id = huge_page
    argv = ["explain", figure_id, "--home", str(home), "--png"]
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me")
    existing = tmp_path / "chart.png"
    existing.write_bytes(b"an earlier image")
    not_png = runner.invoke(app, [*argv, str(precious)])
    kept = runner.invoke(app, [*argv, str(existing)])
    forced = runner.invoke(app, [*argv, str(existing), "--force"])
    reliability.record(
        "png_paths",
        f"--png notes.txt refused (exit {not_png.exit_code}), an existing .png kept without "
        f"--force (exit {kept.exit_code}), replaced with it (exit {forced.exit_code})",
        (not_png.exit_code, kept.exit_code, forced.exit_code) == (2, 2, 0),
        None if precious.read_text() == "keep me" else "notes.txt was overwritten",
    )
    assert not_png.exit_code == 2 and ".png" in not_png.output
    assert precious.read_text() == "keep me"
    assert kept.exit_code == 2 and "--force" in kept.output
    assert forced.exit_code == 0 and existing.read_bytes().startswith(b"\x89PNG")
