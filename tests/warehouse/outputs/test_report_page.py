"""The report page on crafted warehouses: hostile text stays text, monitors stay apart, an
empty scope still gives a valid page, and issues and disagreements are shown."""

from __future__ import annotations

import dataclasses
from datetime import date

from bs4 import BeautifulSoup

from flows.config import TollConfig
from flows.run_report import write_run_report
from tests.support.records import NOW, batch, figure
from tests.support.report_pages import chart_rows, shown_number, specs
from warehouse.checks import run_checks
from warehouse.database import publish, writer
from warehouse.load import load_batch, upsert_sources
from warehouse.outputs.report import write_report
from warehouse.outputs.report.charts import embed_javascript, vega_javascript
from warehouse.outputs.report.page import content_security_policy
from warehouse.rows import SourceRow

HOSTILE = '<script>alert("snippet")</script><img src=x onerror=alert(2)>'
FEBRUARY = (date(2024, 2, 1), date(2024, 2, 29))


def build(home, batches, sources=(), checks=False) -> None:
    """Load crafted batches into a warehouse and publish it."""
    with writer(home) as conn:
        if sources:
            upsert_sources(conn, list(sources), NOW)
        for item in batches:
            load_batch(conn, item)
        if checks:
            run_checks(conn, "r1", NOW)
    publish(home)


def source_row(name: str, publisher: str) -> SourceRow:
    return SourceRow(name, publisher, "https://example.org/", "SY", ["en"], [], ["example.org"])


def month_of(doc: str, total: int, regime: int, source: str = "sample", period=None):
    """A document stating a month's total and one perpetrator's share of it."""
    period = period or (date(2024, 1, 1), date(2024, 1, 31))
    figures = [
        figure(doc, "total", total, perpetrator="all_parties", source=source, period=period),
        figure(doc, "regime", regime, source=source, period=period),
    ]
    return batch(f"r-{doc}", doc, figures, source=source)


def render(home, tmp_path, **options) -> tuple[str, BeautifulSoup]:
    out = tmp_path / "report.html"
    write_report(home, out, **options)
    html = out.read_text(encoding="utf-8")
    return html, BeautifulSoup(html, "lxml")


def test_hostile_snippets_titles_and_urls_stay_text(home, tmp_path) -> None:
    evil_title = '</title><script>alert("title")</script>'
    figures = [
        dataclasses.replace(figure(evil_title, "total", 77, perpetrator="all_parties"),
                            snippet=HOSTILE),
        dataclasses.replace(figure(evil_title, "regime", 70), snippet="</q></span>" + HOSTILE),
    ]  # fmt: skip
    build(
        home,
        [batch("r1", evil_title, figures, url="javascript:alert(document.cookie)")],
        sources=[source_row("sample", '<b onmouseover="alert(1)">Evil</b> Monitor')],
    )
    html, soup = render(home, tmp_path)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert not soup.find_all("img") and not soup.find_all("b")
    assert not [a for a in soup.find_all(href=True) if a["href"].lower().startswith("javascript")]
    code = [s for s in soup.find_all("script") if s.get("type") != "application/json"]
    assert len(code) == 2  # Vega and the page's own boot script, nothing injected
    shown = soup.select("span.fig")  # numbers whose URL may not be a link stay focusable text
    assert {s["data-figure-id"] for s in shown} == {f.figure_id for f in figures}
    assert all(s.get("tabindex") == "0" for s in shown)
    assert HOSTILE in soup.select_one("span.fig .tip").get_text()
    assert "javascript:alert(document.cookie)" in soup.select_one("#documents").get_text()
    assert soup.title.get_text().startswith("Casualty report: <b onmouseover")
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert csp == content_security_policy([vega_javascript(), embed_javascript()])
    assert [s.string for s in code] == [vega_javascript(), embed_javascript()]
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "base-uri 'none'" in csp and "form-action 'none'" in csp


def test_two_monitors_are_never_summed(home, tmp_path) -> None:
    build(
        home,
        [month_of("a", 100, 60, source="alpha"), month_of("b", 40, 25, source="beta")],
        sources=[source_row("alpha", "Alpha Monitor"), source_row("beta", "Beta Monitor")],
    )
    _, soup = render(home, tmp_path)
    sections = soup.select("section.source")
    assert [s.h2.get_text() for s in sections] == ["Alpha Monitor", "Beta Monitor"]
    headline = [shown_number(s.select_one(".card .value .fig")) for s in sections]
    assert headline == ["100", "40"]
    rows = [row for spec in specs(soup).values() for row in chart_rows(spec)]
    assert {r["count"] for r in rows if "count" in r} == {60, 25}
    assert {r["top"] for r in rows if "top" in r} == {100, 40}
    assert "140" not in soup.main.get_text()


def test_an_empty_scope_gives_a_valid_page_that_says_so(home, tmp_path) -> None:
    build(home, [month_of("jan", 100, 60)])
    html, soup = render(home, tmp_path, since=date(2030, 1, 1))
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert soup.select_one("#no-data h2").get_text() == "No data"
    assert "from January 2030" in soup.select_one("#no-data").get_text()
    assert not soup.select("[data-vega-spec]") and len(soup.find_all("script")) == 0
    assert soup.select_one("#documents").get_text(strip=True) == "Documents citedNone."


def test_an_empty_warehouse_gives_a_valid_page(home, tmp_path) -> None:
    build(home, [])
    _, soup = render(home, tmp_path)
    assert soup.select_one("#no-data") and not soup.select("section.source")
    assert "no source" in soup.select_one(".meta").get_text()


def test_quality_issues_and_disagreements_are_listed(home, tmp_path) -> None:
    children = figure("release", "kids", 2000, victim_group="children", parent="civ")
    build(
        home,
        [
            batch("r1", "release", [figure("release", "civ", 1032), children]),
            batch("r2", "repost", [figure("repost", "civ", 1023, parser="prose")], parser="prose"),
        ],
        checks=True,
    )
    _, soup = render(home, tmp_path)
    issue = soup.select_one("#issues .issue")
    assert "subgroup_exceeds_group" in issue.h3.get_text()
    assert issue.select("ul.examples li")
    (conflict,) = soup.select("#conflicts tr.conflict")
    numbers = {shown_number(a) for a in conflict.select(".fig")}
    assert numbers == {"1,032", "1,023"}
    assert "Civilians killed by Syrian regime forces, January 2024" in conflict.th.get_text()


def test_later_months_only_with_since(home, tmp_path) -> None:
    build(home, [month_of("jan", 100, 60), month_of("feb", 90, 50, period=FEBRUARY)])
    _, soup = render(home, tmp_path, since=date(2024, 2, 10))
    rows = [row for spec in specs(soup).values() for row in chart_rows(spec)]
    assert rows and {row["month"] for row in rows if "month" in row} == {"2024-02"}
    assert soup.select_one("#source-sample-latest h3").get_text() == "Latest month: February 2024"


def test_a_failing_report_never_fails_the_run(home, caplog) -> None:
    build(home, [month_of("jan", 100, 60)])
    (home / "report.html").mkdir()  # the target cannot be replaced by a file
    config = TollConfig.model_validate({"report": {"enabled": True}, "sources": []})
    assert write_run_report(home, config) is None
    assert "could not write the report" in caplog.text
    disabled = TollConfig.model_validate({"sources": []})
    assert write_run_report(home, disabled) is None
