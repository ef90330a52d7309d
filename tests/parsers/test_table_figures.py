"""Figures from table grids: headers, merged cells, totals rows, continued tables."""

from __future__ import annotations

from datetime import date

from parsers.model import Locator
from parsers.periods import parse_period
from parsers.table_figures import TableContext, figures_from_grid, read_count_cell

CONTEXT = TableContext(
    caption="Civilian deaths by perpetrator, March 2020", published=date(2020, 4, 1)
)


def locate(row: int, col: int) -> Locator:
    return Locator(kind="html_table", table=0, row=row, col=col)


def rows(figures) -> list[tuple]:
    return [(f.count, f.victim_raw, f.perpetrator_raw, f.place_raw, f.parent) for f in figures]


def test_perpetrator_table_with_merged_header_and_totals_row() -> None:
    grid = [
        ["Perpetrator", "Victims", None, None],
        [None, "Civilians", "Children", "Women"],
        ["Syrian regime forces", "61", "12", "7"],
        ["Total", "61", "12", "7"],
    ]
    found = figures_from_grid(grid, locate, CONTEXT)
    assert rows(found) == [
        (61, "Civilians", "Syrian regime forces", None, None),
        (12, "Children", "Syrian regime forces", None, 0),
        (7, "Women", "Syrian regime forces", None, 0),
        (61, "Civilians", "Total", None, None),
        (12, "Children", "Total", None, 3),
        (7, "Women", "Total", None, 3),
    ]
    assert found[0].locator.row == 2 and found[0].locator.col == 1
    assert {f.period_raw for f in found} == {"March 2020"}


def test_governorate_table_totals_row_is_all_places() -> None:
    grid = [
        ["Governorate", "Civilians"],
        ["Idlib", "12"],
        ["Damascus suburbs", "9"],
        ["Total", "21"],
    ]
    found = figures_from_grid(grid, locate, CONTEXT)
    assert [(f.count, f.place_raw) for f in found] == [
        (12, "Idlib"),
        (9, "Damascus suburbs"),
        (21, None),
    ]


def test_continued_table_uses_the_inherited_header() -> None:
    header = [["Governorate", "Civilians", "Children", "Women"]]
    continued = [["Hama", "10", "2", "1"], ["Total", "10", "2", "1"]]
    found = figures_from_grid(continued, locate, CONTEXT, inherited_header=header)
    assert [(f.count, f.victim_raw, f.place_raw) for f in found][:3] == [
        (10, "Civilians", "Hama"),
        (2, "Children", "Hama"),
        (1, "Women", "Hama"),
    ]
    assert found[0].locator.row == 0


def test_period_rows() -> None:
    grid = [["Month", "Civilians"], ["January 2020", "100"], ["February 2020", "80"]]
    context = TableContext("Civilian deaths by month", published=date(2020, 4, 1))
    found = figures_from_grid(grid, locate, context)
    assert [(f.count, parse_period(f.period_raw).start.month) for f in found] == [(100, 1), (80, 2)]


def test_a_table_that_does_not_say_what_it_counts_yields_nothing() -> None:
    """Months by people with no word of killing, injury or detention anywhere: trainees,
    passengers or layoffs, not casualties (a wrong figure is worse than a missing one)."""
    grid = [["Month", "Persons trained", "Persons tested"], ["July 2015", "71", "30"]]
    assert figures_from_grid(grid, locate, TableContext("Programme highlights")) == []
    by_month = [["Month", "Civilians"], ["January 2020", "100"]]
    assert figures_from_grid(by_month, locate, TableContext(published=date(2020, 4, 1))) == []


def test_the_document_title_can_say_what_a_table_counts() -> None:
    grid = [["Perpetrator", "Civilians"], ["ISIS", "12"]]
    context = TableContext("", title="Death toll in Syria, May 2020")
    assert [(f.metric, f.count) for f in figures_from_grid(grid, locate, context)] == [
        ("killed", 12)
    ]


def test_table_without_known_labels_yields_nothing() -> None:
    grid = [["Item", "Price"], ["Bread", "12"], ["Milk", "9"]]
    assert figures_from_grid(grid, locate, CONTEXT) == []


def test_ragged_rows_and_empty_cells() -> None:
    grid = [
        ["Perpetrator", "Civilians", "Children"],
        ["ISIS", "5"],
        ["Russian forces", "-", "3"],
        [],
    ]
    assert [(f.count, f.perpetrator_raw) for f in figures_from_grid(grid, locate, CONTEXT)] == [
        (5, "ISIS"),
        (3, "Russian forces"),
    ]


def test_count_cells() -> None:
    assert read_count_cell("1,203").count == 1203
    assert read_count_cell("3 – 7").count_high == 7
    assert read_count_cell("≥ 12").qualifier == "at_least"
    assert read_count_cell("Total") is None
    assert read_count_cell("-") is None


def test_header_cells_written_over_two_lines() -> None:
    grid = [
        ["Party", "Civilians\nkilled", "Children\n(under 18)", "Adult\nwomen"],
        ["Russian\nforces", "20", "5", "2"],
    ]
    found = figures_from_grid(grid, locate, CONTEXT)
    assert [(f.count, f.victim_raw, f.perpetrator_raw) for f in found] == [
        (20, "Civilians killed", "Russian forces"),
        (5, "Children (under 18)", "Russian forces"),
        (2, "Adult women", "Russian forces"),
    ]
    assert [f.parent for f in found] == [None, 0, 0]
