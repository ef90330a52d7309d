"""The real nightly flow against the sample site on 127.0.0.1, into a real DuckDB file."""

from __future__ import annotations

import hashlib
import json

import pytest

from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault
from warehouse.database import reader
from warehouse.sql import scalar

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_api")]

DATA_TABLES = ("documents", "parse_runs", "figures", "quality_issues")
REPORT_PDF = "/wp-content/uploads/2024/07/M240701E.pdf"


def run(home, site, task_runner: str = "threads"):
    from flows.nightly import make_task_runner, nightly

    config = write_demo_config(home, site.base_url)
    flow = nightly.with_options(task_runner=make_task_runner(task_runner, 2))
    return flow(home=str(home), config_path=str(config))


def counts(home) -> dict[str, int]:
    with reader(home) as conn:
        return {t: scalar(conn, f"SELECT count(*) FROM {t}") for t in DATA_TABLES}


def test_first_run_loads_traceable_figures(home, site) -> None:
    summary = run(home, site)
    assert summary.status == "completed", summary.failures
    assert summary.counts.fetched == 24 and summary.counts.fetch_failed == 0
    with reader(home) as conn:
        assert scalar(conn, "SELECT count(*) FROM figures") >= 100
        untraceable = scalar(
            conn,
            """
            SELECT count(*) FROM figure_provenance
            WHERE url IS NULL OR fetched_at IS NULL OR sha256 IS NULL OR parser IS NULL
               OR parser_version IS NULL OR locator IS NULL OR snippet IS NULL OR snippet = ''
               OR http_status IS NULL OR archive_path IS NULL
            """,
        )
        assert untraceable == 0
        assert scalar(conn, "SELECT count(*) FROM figure_provenance") == scalar(
            conn, "SELECT count(*) FROM figures"
        )
        documents = conn.execute("SELECT sha256, archive_path FROM documents").fetchall()
        assert scalar(conn, "SELECT count(DISTINCT media_type) FROM documents") == 2
        run_row = conn.execute("SELECT status, figures_added FROM runs").fetchall()
        assert run_row == [("completed", summary.counts.figures_added)]
    for sha, path in documents:
        assert hashlib.sha256((home / path).read_bytes()).hexdigest() == sha


def test_pdf_figures_match_what_the_site_published(home, site) -> None:
    import generate  # the site generator: the truth the figures must match

    run(home, site)
    report = generate.make_report(6)
    with reader(home) as conn:
        rows = conn.execute(
            """
            SELECT perpetrator, victim_group, count FROM figures f JOIN documents d USING (sha256)
            WHERE d.url LIKE '%/M240701E.pdf' AND f.parser = 'pdf_tables' AND f.place IS NULL
              AND f.perpetrator <> 'all_parties'
            """
        ).fetchall()
    loaded = {(p, g): c for p, g, c in rows}
    regime = report.by_perpetrator["Syrian regime forces"]
    assert loaded[("syrian_regime", "civilians")] == regime.civilians
    assert loaded[("syrian_regime", "children")] == regime.children
    assert loaded[("syrian_regime", "women")] == regime.women
    assert len(loaded) == 3 * len(report.by_perpetrator)


def test_second_run_is_conditional_and_adds_nothing(home, site) -> None:
    run(home, site)
    before = counts(home)
    requests_before = len(site.requests)
    summary = run(home, site)
    assert counts(home) == before
    assert (summary.counts.fetched, summary.counts.parsed, summary.counts.figures_added) == (
        0,
        0,
        0,
    )
    assert summary.counts.not_modified > 0
    later = site.requests[requests_before:]
    conditional = [r for r in later if "If-None-Match" in r.headers]
    assert conditional and all(r.status == 304 for r in conditional)


def test_changed_report_becomes_a_new_document_version(home, site, site_root) -> None:
    import generate

    run(home, site)
    generate.build_site(site_root, corrected=frozenset({6}))
    summary = run(home, site)
    assert summary.counts.fetched == 2  # the revised article and its PDF
    with reader(home) as conn:
        versions = scalar(
            conn, "SELECT count(*) FROM documents WHERE url LIKE ?", ["%" + REPORT_PDF]
        )
        current = conn.execute(
            """
            SELECT count FROM current_figures
            WHERE url LIKE ? AND parser = 'pdf_tables' AND perpetrator = 'russia'
              AND victim_group = 'civilians' AND place IS NULL
            """,
            ["%" + REPORT_PDF],
        ).fetchall()
    assert versions == 2
    assert current == [
        (generate.make_report(6, corrected=True).by_perpetrator["Russian forces"].civilians,)
    ]


def test_malformed_pdf_and_server_error_are_recorded_while_the_run_completes(
    home, site, site_root
) -> None:
    (site_root / REPORT_PDF.lstrip("/")).write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    broken_article = (
        "/blog/2024/05/01/" + next(p.name for p in (site_root / "blog/2024/05/01").iterdir()) + "/"
    )
    site.faults[broken_article] = Fault("status", status=500)
    summary = run(home, site)
    assert summary.status == "partial"
    stages = {(f["stage"], f["url"].removeprefix(site.base_url)) for f in summary.failures}
    assert ("fetch", broken_article) in stages
    assert ("parse:pdf_tables", REPORT_PDF) in stages
    with reader(home) as conn:
        fetch = conn.execute(
            "SELECT outcome, status_code, error FROM fetches WHERE url LIKE ?",
            ["%" + broken_article],
        ).fetchall()
        parse_errors = conn.execute(
            """
            SELECT p.parser, p.status, p.error FROM parse_runs p JOIN documents d USING (sha256)
            WHERE d.url LIKE ? ORDER BY p.parser
            """,
            ["%" + REPORT_PDF],
        ).fetchall()
        failures = json.loads(scalar(conn, "SELECT failures FROM runs"))
        assert scalar(conn, "SELECT count(*) FROM figures") >= 100
    assert fetch[0][:2] == ("failed", 500) and "HTTP 500" in fetch[0][2]
    assert [p[:2] for p in parse_errors] == [("pdf_tables", "failed"), ("prose", "failed")]
    assert "unreadable PDF" in parse_errors[0][2]
    assert len(failures) == len(summary.failures)


def test_parsing_in_worker_processes_gives_the_same_figures(home, site, tmp_path) -> None:
    threads = run(home, site, "threads")
    other = tmp_path / "other"
    other.mkdir()
    processes = run(other, site, "processes")
    assert processes.counts.figures_added == threads.counts.figures_added
    with reader(home) as a, reader(other) as b:
        query = "SELECT figure_id FROM figures ORDER BY 1"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
