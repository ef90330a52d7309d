"""Reading periods, with implicit years resolved against the publication date."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.periods import find_periods, parse_period

PUBLISHED = date(2020, 2, 1)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("in January", date(2020, 1, 1), date(2020, 1, 31), "month"),
        ("in December", date(2019, 12, 1), date(2019, 12, 31), "month"),
        ("during January 2020", date(2020, 1, 1), date(2020, 1, 31), "month"),
        ("the first half of 2021", date(2021, 1, 1), date(2021, 6, 30), "half"),
        ("the second half of 2019", date(2019, 7, 1), date(2019, 12, 31), "half"),
        ("H1 2019", date(2019, 1, 1), date(2019, 6, 30), "half"),
        ("the first quarter of 2020", date(2020, 1, 1), date(2020, 3, 31), "quarter"),
        (
            "between 1 March 2017 and the end of May 2018",
            date(2017, 3, 1),
            date(2018, 5, 31),
            "range",
        ),
        ("since 2011", date(2011, 1, 1), PUBLISHED, "open"),
        ("since March 2011", date(2011, 3, 1), PUBLISHED, "open"),
        ("on 12 March 2019", date(2019, 3, 12), date(2019, 3, 12), "day"),
        ("March 1, 2019", date(2019, 3, 1), date(2019, 3, 1), "day"),
        ("in 2023", date(2023, 1, 1), date(2023, 12, 31), "year"),
        ("en octobre 2015", date(2015, 10, 1), date(2015, 10, 31), "month"),
    ],
)
def test_reads_periods(text: str, start: date, end: date, precision: str) -> None:
    period = parse_period(text, PUBLISHED)
    assert period is not None
    assert (period.start, period.end, period.precision) == (start, end, precision)


@pytest.mark.parametrize(
    "text", ["the 25-page report", "may be killed", "Jan", "the 2020 report", "2,317 arrests"]
)
def test_ignores_what_is_not_a_period(text: str) -> None:
    assert find_periods(text, PUBLISHED) == []


def test_implicit_month_without_publication_date_is_unknown() -> None:
    assert parse_period("in January", None) is None


@given(st.integers(1990, 2030), st.integers(1, 12))
def test_month_year_covers_the_whole_month(year: int, month: int) -> None:
    period = parse_period(f"in {calendar.month_name[month]} {year}", PUBLISHED)
    assert period is not None
    assert period.start == date(year, month, 1)
    assert period.end == date(year, month, calendar.monthrange(year, month)[1])


@given(st.dates(date(1990, 1, 1), date(2030, 12, 31)), st.integers(1, 12))
def test_implicit_year_is_never_after_publication(published: date, month: int) -> None:
    period = parse_period(f"in {calendar.month_name[month]}", published)
    assert period is not None
    assert period.start <= published
    assert period.start.month == month


@given(st.text(max_size=60))
def test_find_periods_never_raises_and_is_ordered(text: str) -> None:
    found = find_periods(text, PUBLISHED)
    starts = [start for start, _, _ in found]
    assert starts == sorted(starts)
    for _, _, period in found:
        assert period.start is None or period.end is None or period.start <= period.end
