"""The report's wording and data model, on rows made by hand (no database, no browser)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.outputs.report import charts, wording
from warehouse.outputs.report.build import build_report, stack_order
from warehouse.outputs.report.model import Cited, month_range
from warehouse.outputs.report.queries import ReportRows, Scope

NOW = datetime(2025, 1, 5, 12, 0, tzinfo=UTC)
SOURCE = {"source_id": "sample", "publisher": "Example Monitor", "homepage": None}
PERPETRATORS = ("syrian_regime", "russia", "isis", "sdf", "other_parties")


def row(month: date, perpetrator: str, group: str, count: int, **extra: Any) -> dict[str, Any]:
    """A monthly_toll row as the report's query returns it."""
    figure_id = f"{month:%Y%m}-{perpetrator}-{group}-{extra.get('source_id', 'sample')}"
    return {
        "figure_id": figure_id, "source_id": "sample", "metric": "killed",
        "victim_group": group, "perpetrator": perpetrator, "place": None, "month": month,
        "count": count, "count_high": None, "qualifier": "exact", "documents_stating": 1,
        "distinct_counts": 1, "url": f"https://example.org/{month:%Y-%m}.pdf",
        "parser": "pdf_tables", "snippet": f"{perpetrator} | {group}: {count}",
        "title": f"Report {month:%B %Y}", "published": month, "fetched_at": NOW,
        "locator": '{"kind": "pdf_table", "page": 1, "table": 0, "row": 2, "col": 1}',
        **extra,
    }  # fmt: skip


def report_of(monthly: list[dict[str, Any]], **rows: Any):
    sources = rows.pop("sources", [SOURCE])
    return build_report(ReportRows(sources=sources, monthly=monthly, **rows), Scope(), NOW)


def layer_values(spec: dict[str, Any], layer: int) -> list[dict[str, Any]]:
    """The data rows of one layer of a chart spec."""
    data = spec["layer"][layer]["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


JAN, FEB, APR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 4, 1)


# ------------------------------------------------------------------------------ wording


def test_counts_carry_their_qualifier_and_thousands_separators() -> None:
    assert wording.count_text(1203) == "1,203"
    assert wording.count_text(93, "at_least") == "≥93"
    assert wording.count_text(1500, "more_than") == ">1,500"
    assert wording.count_text(1204, "range", 1577) == "1,204–1,577"


def test_only_http_and_https_urls_become_links() -> None:
    assert wording.safe_href("https://snhr.org/report.pdf") == "https://snhr.org/report.pdf"
    assert wording.safe_href("HTTP://example.org/a") == "HTTP://example.org/a"
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                "file:///etc/passwd", "/relative/path", "https:///no-host",
                "https://example.org/a b", "java\nscript:alert(1)", "", None):  # fmt: skip
        assert wording.safe_href(url) is None, url


def test_shares_periods_changes_and_locators_read_well() -> None:
    assert wording.share_text(51, 239) == "21.3%"
    assert wording.share_text(51, 239, exact=False) == "about 21.3%"
    assert wording.share_text(5, 0) == "n/a"
    assert wording.change_text(239, 152, date(2024, 11, 1)) == "87 more than in November 2024 (152)"
    assert wording.change_text(100, 120, date(2024, 11, 1)).startswith("20 fewer")
    assert wording.change_text(100, None, date(2024, 11, 1)) == "no figure for November 2024"
    assert wording.period_label(date(2024, 2, 1), date(2024, 2, 29)) == "February 2024"
    assert wording.period_label(date(2024, 1, 1), date(2024, 12, 31)) == "2024"
    assert wording.period_label(date(2024, 1, 5), date(2024, 2, 1)).startswith("5 January 2024")
    assert wording.locator_text('{"page": 2, "table": 0, "row": 3, "col": 1}') == (
        "page 2, table 1, row 4, column 2"
    )
    assert wording.locator_text({"char_start": 4, "char_end": 9}) == "characters 4–9"
    assert wording.perpetrator_label("russia") == "Russian forces"
    assert wording.place_label("deir_ez_zor") == "Deir ez-Zor"
    assert wording.place_label("atlantis") == "Atlantis"
    assert wording.metric_phrase("died_under_torture", "people") == "Died under torture"
    assert wording.metric_phrase("killed", "media_workers") == "Media workers killed"


# -------------------------------------------------------------------------------- model


def test_bars_stack_perpetrators_and_show_the_stated_total_apart() -> None:
    monthly = [
        row(JAN, "all_parties", "civilians", 100),
        row(JAN, "syrian_regime", "civilians", 60),
        row(JAN, "russia", "civilians", 30),
        row(JAN, "all_parties", "children", 20),
        row(JAN, "syrian_regime", "children", 15),
    ]
    section = report_of(monthly).sections[0]
    (bar,) = section.bars
    assert [p.perpetrator for p in bar.parts] == ["syrian_regime", "russia"]
    assert bar.total.parts_sum == 90 and bar.total.text == "100" and bar.top == 100
    assert section.headline.civilians.value == 100  # children are never added to civilians
    assert section.headline.share_text("children") == "20.0% of civilians"


def test_a_month_without_a_stated_total_shows_the_sum_with_a_star() -> None:
    monthly = [row(JAN, "syrian_regime", "civilians", 60), row(JAN, "isis", "civilians", 7)]
    section = report_of(monthly).sections[0]
    assert section.bars[0].total.text == "67*"
    assert section.headline.civilians.stated is None


def test_qualified_totals_are_marked_and_shares_hedged() -> None:
    monthly = [
        row(JAN, "all_parties", "civilians", 100, qualifier="at_least"),
        row(JAN, "all_parties", "women", 10),
    ]
    headline = report_of(monthly).sections[0].headline
    assert headline.civilians.text == "≥100"
    assert headline.share_text("women") == "about 10.0% of civilians"


def test_missing_months_stay_gaps_and_the_change_says_so() -> None:
    monthly = [row(JAN, "all_parties", "civilians", 50), row(APR, "all_parties", "civilians", 80)]
    section = report_of(monthly).sections[0]
    assert section.months == month_range(JAN, APR) and len(section.months) == 4
    assert [b.month for b in section.bars] == [JAN, APR]
    assert section.headline.change == "no figure for March 2024"
    spec = charts.monthly_stack(section)
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == ",d"  # 1,234
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [
        "2024-01", "2024-02", "2024-03", "2024-04",
    ]  # fmt: skip


def test_stack_order_puts_the_largest_first_and_other_parties_last() -> None:
    monthly = [
        row(JAN, "other_parties", "civilians", 90),
        row(JAN, "russia", "civilians", 10),
        row(JAN, "syrian_regime", "civilians", 50),
        row(JAN, "all_parties", "civilians", 150),
    ]
    figures = [Cited.from_row(r) for r in monthly]
    assert stack_order(figures) == ("syrian_regime", "russia", "other_parties")
    colours = charts.colours(stack_order(figures))
    assert colours[-1] == charts.OTHER_COLOUR and len(set(colours)) == 3


def test_two_sources_are_never_added_together() -> None:
    other = {"source_id": "other", "publisher": "Other Monitor", "homepage": None}
    monthly = [
        row(JAN, "all_parties", "civilians", 100),
        row(JAN, "syrian_regime", "civilians", 100),
        row(JAN, "all_parties", "civilians", 40, source_id="other"),
        row(JAN, "syrian_regime", "civilians", 40, source_id="other"),
    ]
    report = report_of(monthly, sources=[SOURCE, other])
    assert [s.headline.civilians.value for s in report.sections] == [100, 40]
    assert [s.bars[0].total.parts_sum for s in report.sections] == [100, 40]


def test_governorate_note_compares_places_with_the_total() -> None:
    def place(name: str, count: int) -> dict[str, Any]:
        return row(JAN, "all_parties", "civilians", count, place=name, figure_id=f"p-{name}")

    monthly = [row(JAN, "all_parties", "civilians", 100)]
    full = report_of(monthly, governorates=[place("aleppo", 60), place("idlib", 40)])
    short = report_of(monthly, governorates=[place("aleppo", 60), place("idlib", 30)])
    over = report_of(monthly, governorates=[place("aleppo", 60), place("idlib", 50)])
    assert full.sections[0].governorate_note == "The governorates add up to 100, the stated total."
    assert "10 fewer than the stated total of 100" in short.sections[0].governorate_note
    assert "10 more than the stated total" in over.sections[0].governorate_note
    assert [p.label for p in full.sections[0].governorates] == ["Aleppo", "Idlib"]


def test_documents_are_numbered_once_each() -> None:
    monthly = [row(m, "all_parties", "civilians", 10) for m in (FEB, JAN)]
    report = report_of(monthly)
    assert [d.number for d in report.documents] == [1, 2]
    assert report.document_number("https://example.org/2024-02.pdf") == 2


@st.composite
def months_of_figures(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for index in range(draw(st.integers(1, 6))):
        month = date(2023 + index // 12, index % 12 + 1, 1)
        named = draw(st.lists(st.sampled_from(PERPETRATORS), unique=True, max_size=5))
        for perpetrator in named:
            rows.append(row(month, perpetrator, "civilians", draw(st.integers(0, 5000))))
            rows.append(row(month, perpetrator, "children", draw(st.integers(0, 500))))
        if draw(st.booleans()) or not named:
            rows.append(row(month, "all_parties", "civilians", draw(st.integers(0, 30000))))
    return rows


@settings(max_examples=40, deadline=None)
@given(months_of_figures())
def test_each_bar_is_its_perpetrators_and_its_label_the_stated_total(rows) -> None:
    section = report_of(rows).sections[0]
    spec = charts.monthly_stack(section)
    segments, labels = (layer_values(spec, i) for i in (0, 1))
    for bar in section.bars:
        key = f"{bar.month:%Y-%m}"
        wanted = [r for r in rows if r["month"] == bar.month and r["victim_group"] == "civilians"]
        perpetrators = [r for r in wanted if r["perpetrator"] != "all_parties"]
        stated = [r for r in wanted if r["perpetrator"] == "all_parties"]
        assert all(p.perpetrator != "all_parties" for p in bar.parts)
        assert bar.total.parts_sum == sum(r["count"] for r in perpetrators)
        assert sum(s["count"] for s in segments if s["month"] == key) == bar.total.parts_sum
        (label,) = [t["label"] for t in labels if t["month"] == key]
        if stated:
            assert label == f"{stated[0]['count']:,}"
        else:
            assert label == f"{bar.total.parts_sum:,}*"
