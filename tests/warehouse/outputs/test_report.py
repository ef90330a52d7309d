"""`toll report` on the warehouse the real nightly flow built from the sample site, and the
nightly flow writing the report itself."""

from __future__ import annotations

import re
import time

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from flows.cli.app import app
from flows.sample_site.demo import write_demo_config
from tests.conftest import REPORTS
from tests.support.report_pages import chart_rows, shown_number, specs
from warehouse.database import reader
from warehouse.outputs.report import write_report
from warehouse.outputs.report.wording import QUALIFIER_MARK

pytestmark = [pytest.mark.flow]
runner = CliRunner()


@pytest.fixture(scope="module")
def page(sample_home, tmp_path_factory) -> BeautifulSoup:
    """The report of the sample warehouse, written once for the module."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    clock = time.perf_counter()
    written = write_report(sample_home, out)
    REPORTS.append(
        f"report of the sample warehouse: {time.perf_counter() - clock:.2f} s, "
        f"{written.bytes / 1e6:.2f} MB, {written.charts} charts"
    )
    return BeautifulSoup(out.read_text(encoding="utf-8"), "lxml")


def test_every_linked_number_is_its_figure_with_its_url_and_snippet(sample_home, page) -> None:
    links = page.select("a.fig")
    assert len(links) > 50
    with reader(sample_home) as conn:
        rows = conn.execute(
            "SELECT figure_id, count, qualifier, url, snippet FROM current_figures "
            "WHERE list_contains(?, figure_id)",
            [sorted({a["data-figure-id"] for a in links})],
        ).fetchall()
    figures = {r[0]: r[1:] for r in rows}
    for link in links:
        count, qualifier, url, snippet = figures[link["data-figure-id"]]
        shown = shown_number(link)
        assert shown.startswith(QUALIFIER_MARK[qualifier])
        assert int(re.sub(r"\D", "", shown)) == count
        assert link["href"] == url
        assert link.select_one(".tip .snippet").get_text() == snippet
        assert page.find(id=link["aria-describedby"]) is link.select_one(".tip")


def test_headline_follows_monthly_toll(sample_home, page) -> None:
    with reader(sample_home) as conn:
        month, civilians, children = conn.execute(
            """
            SELECT month, count, (SELECT count FROM monthly_toll c WHERE c.month = m.month
                   AND c.perpetrator = 'all_parties' AND c.victim_group = 'children')
            FROM monthly_toll m WHERE perpetrator = 'all_parties' AND victim_group = 'civilians'
            ORDER BY month DESC LIMIT 1
            """
        ).fetchone()
    cards = page.select("#source-sample-latest .card")
    assert page.select_one("#source-sample-latest h3").get_text().endswith(f"{month:%B %Y}")
    assert shown_number(cards[0].select_one(".fig")) == f"{civilians:,}"
    assert shown_number(cards[1].select_one(".fig")) == f"{children:,}"
    assert cards[1].select_one(".note").get_text() == (
        f"{100 * children / civilians:.1f}% of civilians"
    )


def test_bars_are_perpetrators_only_and_totals_the_stated_figure(sample_home, page) -> None:
    monthly = specs(page)["spec-source-sample-monthly"]
    segments, totals = (list(chart_rows(layer)) for layer in monthly["layer"])
    with reader(sample_home) as conn:
        rows = conn.execute(
            """
            SELECT strftime(month, '%Y-%m'),
                   sum(count) FILTER (perpetrator <> 'all_parties'),
                   any_value(count) FILTER (perpetrator = 'all_parties')
            FROM monthly_toll WHERE victim_group = 'civilians' GROUP BY 1 ORDER BY 1
            """
        ).fetchall()
    assert len(rows) == 12
    for month, perpetrators, stated in rows:
        assert sum(s["count"] for s in segments if s["month"] == month) == perpetrators
        assert [t["label"] for t in totals if t["month"] == month] == [f"{stated:,}"]
    assert "All parties (total)" not in {s["perpetrator"] for s in segments}


def test_the_file_references_nothing_outside_itself(sample_home, page) -> None:
    with reader(sample_home) as conn:
        documents = {r[0] for r in conn.execute("SELECT url FROM documents").fetchall()}
        homepage = conn.execute("SELECT homepage FROM sources").fetchone()[0]
    assert not page.find_all(src=True) and not page.find_all("link")
    assert not page.find_all(["iframe", "object", "embed", "img", "form", "base"])
    external = {t["href"] for t in page.find_all(href=True) if not t["href"].startswith("#")}
    assert external and external <= documents | {homepage}
    assert not [t for t in page.find_all(href=True) if t["href"].startswith("#")
                and not page.find(id=t["href"][1:])]  # fmt: skip
    styles = " ".join(s.get_text() for s in page.find_all("style"))
    assert "url(" not in styles and "@import" not in styles
    csp = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert csp.startswith("default-src 'none';")


def test_since_and_source_narrow_the_report(sample_home, tmp_path) -> None:
    out = tmp_path / "narrow.html"
    result = runner.invoke(
        app,
        ["report", "--home", str(sample_home), "--out", str(out), "--source", "sample",
         "--since", "2024-10-15"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    narrow = BeautifulSoup(out.read_text(encoding="utf-8"), "lxml")
    months = {r["month"] for s in specs(narrow).values() for r in chart_rows(s) if "month" in r}
    assert months == {"2024-10", "2024-11", "2024-12"}
    assert "source sample; months from October 2024 on" in narrow.select_one(".meta").get_text()
    assert len(narrow.select("#documents li")) < 13


def test_unknown_source_and_missing_warehouse_exit_2(sample_home, tmp_path) -> None:
    out = tmp_path / "r.html"
    unknown = runner.invoke(
        app, ["report", "--home", str(sample_home), "--out", str(out), "--source", "nope"]
    )
    assert unknown.exit_code == 2 and "unknown source 'nope'" in unknown.output
    missing = runner.invoke(app, ["report", "--home", str(tmp_path / "empty"), "--out", str(out)])
    assert missing.exit_code == 2 and "no warehouse" in missing.output
    bad = runner.invoke(app, ["report", "--home", str(sample_home), "--since", "June"])
    assert bad.exit_code == 2
    assert not out.exists()


@pytest.mark.usefixtures("prefect_api")
def test_nightly_run_writes_the_report_and_links_it(home, site) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.nightly import make_task_runner, nightly

    config = write_demo_config(home, site.base_url)
    config.write_text(
        config.read_text() + '\n[report]\nenabled = true\npath = "reports/nightly.html"\n'
    )
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    summary = flow(home=str(home), config_path=str(config))
    assert summary.status == "completed"
    report = home / "reports" / "nightly.html"
    assert report.exists() and "Latest month: December 2024" in report.read_text()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["toll-report"]))
        )
    assert any(report.resolve().as_uri() in (a.data or "") for a in artifacts)
