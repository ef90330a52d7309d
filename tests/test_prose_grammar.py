"""The prose grammar on the sentence shapes monitors use."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.periods import parse_period
from parsers.prose_grammar import extract_figures

PUBLISHED = date(2020, 12, 1)


def figures(text: str, title_period: str | None = None):
    default = parse_period(title_period, PUBLISHED) if title_period else None
    return extract_figures(text, published=PUBLISHED, default_period=default)


def summary(text: str) -> list[tuple]:
    return [
        (f.metric, f.count, f.victim_raw.lower(), f.perpetrator_raw, f.parent)
        for f in figures(text)
    ]


def test_perpetrator_killed_n_including_breakdown() -> None:
    text = "Syrian regime forces killed 93 civilians, including 21 children and 11 women."
    assert summary(text) == [
        ("killed", 93, "civilians", "Syrian regime forces", None),
        ("killed", 21, "children", "Syrian regime forces", 0),
        ("killed", 11, "women", "Syrian regime forces", 0),
    ]


def test_n_civilians_at_the_hands_of() -> None:
    text = (
        "At least 172 civilians, including 16 children and 11 women, were documented killed "
        "in November 2020 at the hands of Russian forces."
    )
    found = figures(text)
    assert [(f.count, f.qualifier, f.perpetrator_raw) for f in found] == [
        (172, "at_least", "Russian forces"),
        (16, "exact", "Russian forces"),
        (11, "exact", "Russian forces"),
    ]
    assert {f.period_raw for f in found} == {"November 2020"}


def test_n_were_killed_by() -> None:
    found = figures("In Idlib, 40 civilians were killed by ISIS.")
    assert [(f.count, f.perpetrator_raw, f.place_raw) for f in found] == [(40, "ISIS", "Idlib")]


def test_heading_carries_the_perpetrator_across_the_paragraph() -> None:
    text = "Second: ISIS\nWe documented the killing of 57 civilians, including five children."
    assert summary(text) == [
        ("killed", 57, "civilians", "ISIS", None),
        ("killed", 5, "children", "ISIS", 0),
    ]


def test_of_these_inherits_the_group() -> None:
    text = "The report documented 200 civilians killed. Of these, Russian forces killed 61."
    assert [(f.count, f.victim_raw, f.perpetrator_raw) for f in figures(text)] == [
        (200, "civilians", None),
        (61, "civilians", "Russian forces"),
    ]


def test_torture_deaths_in_addition() -> None:
    found = figures(
        "Regime forces killed 741 civilians, including 201 children, in addition to 48 "
        "civilians who died due to torture."
    )
    assert [(f.metric, f.count, f.parent) for f in found] == [
        ("killed", 741, None),
        ("killed", 201, 0),
        ("died_under_torture", 48, None),
    ]


def test_dash_and_colon_lists() -> None:
    text = "Deaths by party:\n– Regime forces: 61\n– Russian forces: 20"
    assert [(f.count, f.perpetrator_raw) for f in figures(text)] == [
        (61, "Regime forces"),
        (20, "Russian forces"),
    ]


def test_colon_list_item_with_its_own_breakdown() -> None:
    found = figures("Media workers: 3 media workers including one woman")
    assert [(f.count, f.victim_raw.lower(), f.parent) for f in found] == [
        (3, "media workers", None),
        (1, "woman", 0),
    ]


def test_headline_figure_takes_the_title_period() -> None:
    found = figures("312 Civilians Killed in March 2019")
    assert [(f.count, f.period_raw) for f in found] == [(312, "March 2019")]


def test_range() -> None:
    (figure,) = figures("Between 1,204 – 1,577 civilians were killed.")
    assert (figure.count, figure.count_high, figure.qualifier) == (1204, 1577, "range")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("ISIS killed seven civilians.", 7),
        ("Regime forces killed a woman.", 1),
        ("Regime forces killed one civilian.", 1),
        ("Regime forces killed ١٢٠٣ civilians.", 1203),
        ("Regime forces killed 1,203 civilians.", 1203),
        ("the killing of87 people by regime forces", 87),
        ("regime forces killed 512rebels", 512),
    ],
)
def test_numbers_as_written(text: str, count: int) -> None:
    assert [f.count for f in figures(text)] == [count]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("ISIS killed no less than 50 civilians.", "at_least"),
        ("ISIS killed at least 50 civilians.", "at_least"),
        ("ISIS killed over 50 civilians.", "more_than"),
        ("ISIS killed an estimated 50 civilians.", "approximately"),
    ],
)
def test_qualifiers(text: str, qualifier: str) -> None:
    assert [f.qualifier for f in figures(text)] == [qualifier]


@pytest.mark.parametrize(
    "text",
    [
        "Nine children a day were killed.",
        "The percent of children and women reached 22% of civilians' death toll.",
        "The 25-page report documents violations.",
        "In 2019 the monitor published three previous reports.",
        "Call +963 11 234 5678 for details.",
        "The death toll report No. 1234 was published.",
    ],
)
def test_never_a_figure(text: str) -> None:
    assert figures(text) == []


def test_locator_spans_point_at_the_number() -> None:
    text = "Intro line.\nSyrian regime forces killed 93 civilians."
    (figure,) = figures(text)
    assert text[figure.locator.char_start : figure.locator.char_end].startswith("93")


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    for figure in extract_figures(text, published=PUBLISHED):
        assert figure.count >= 0
        assert figure.parent is None or figure.parent >= 0
