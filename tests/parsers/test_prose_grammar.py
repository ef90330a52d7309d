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
    found = figures("Deaths by group:\nMedia workers: 3 media workers including one woman")
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


def test_inline_place_lists() -> None:
    text = "The toll by governorate was as follows: Idlib 12, Aleppo 9, Daraa 4 civilians killed."
    found = [(f.count, f.place_raw) for f in figures(text) if f.place_raw]
    assert found == [(12, "Idlib"), (9, "Aleppo"), (4, "Daraa")]


def test_counts_in_place_phrases() -> None:
    text = "The deaths are distributed as follows: 10 in Deir Al Zour, 6 in Homs, and 4 in Hama."
    assert [(f.count, f.place_raw) for f in figures(text)] == [
        (10, "Deir Al Zour"),
        (6, "Homs"),
        (4, "Hama"),
    ]


def test_range_with_between() -> None:
    (figure,) = figures("Coalition aircraft killed between 2,232 and 2,961 non-combatants.")
    assert (figure.count, figure.count_high, figure.victim_raw) == (2232, 2961, "non-combatants")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Regime forces killed 40 civilians in January.", date(2020, 1, 1), date(2020, 1, 31)),
        (
            "Regime forces killed 40 civilians during January 2020.",
            date(2020, 1, 1),
            date(2020, 1, 31),
        ),
        (
            "ISIS killed 40 civilians in the first half of 2021.",
            date(2021, 1, 1),
            date(2021, 6, 30),
        ),
        (
            "Regime forces killed 40 civilians between 1 March 2017 and the end of May 2018.",
            date(2017, 3, 1),
            date(2018, 5, 31),
        ),
        ("Regime forces killed 40 civilians since 2011.", date(2011, 1, 1), PUBLISHED),
        ("40 civilians were killed in May and June.", date(2020, 5, 1), date(2020, 6, 30)),
    ],
)
def test_periods_resolved_against_publication(text: str, start: date, end: date) -> None:
    (figure,) = figures(text)
    assert (figure.period_start, figure.period_end) == (start, end)


def test_joint_perpetrators_keep_their_own_ids() -> None:
    from parsers.vocabulary import perpetrator_id

    text = (
        "Syrian-Russian alliance forces killed 550 civilians. Extremist Islamic groups killed "
        "20 civilians. ISIS killed 12 civilians and Hay'at Tahrir al-Sham killed 8 civilians."
    )
    assert [perpetrator_id(f.perpetrator_raw) for f in figures(text)] == [
        "syrian_russian_alliance",
        "extremist_groups",
        "isis",
        "hts",
    ]


def test_subgroup_of_a_subgroup_names_its_parent() -> None:
    found = figures("Regime forces killed 12 medics, including two women.")
    assert [(f.count, f.victim_raw, f.parent) for f in found] == [
        (12, "medics", None),
        (2, "women", 0),
    ]
    assert found[1].locator.parent_note == "part of 12 medics"


@pytest.mark.parametrize(
    "text",
    [
        "The monitor published three previous reports on the killing of civilians.",
        "On 12 March 2019 the report documented the killing.",
        "The 25-page report documents killings in 2020.",
        "Its incident ID 4471 records killings.",
    ],
)
def test_more_numbers_that_are_not_figures(text: str) -> None:
    assert figures(text) == []


def test_unattributed_remainder_after_a_total_is_other_parties() -> None:
    text = (
        "The monitor documented the killing of 781 civilians in January.\n"
        "Regime forces killed 346 civilians.\n"
        "The report also documented the killing of 188 civilians who drowned or died in "
        "unclaimed bombings in January."
    )
    from parsers.vocabulary import perpetrator_id

    assert [(f.count, perpetrator_id(f.perpetrator_raw)) for f in figures(text)] == [
        (781, None),
        (346, "syrian_regime"),
        (188, "unknown"),  # "unclaimed bombings": stated as unidentified
    ]


def test_arabic_release() -> None:
    text = (
        "وقتلت قوات النظام السوري 205 مدنياً، بينهم 31 طفلاً و18 سيدة، فيما قتلت قوات روسية 60 مدنياً"
    )
    assert [(f.count, f.victim_raw, f.parent) for f in figures(text)] == [
        (205, "مدنياً", None),
        (31, "طفلاً", 0),
        (18, "سيدة", 0),
        (60, "مدنياً", None),
    ]


def test_a_list_that_distributes_a_total_breaks_it_down() -> None:
    """Items after "distributed as follows:" are parts of the total (never to be added to
    it); a party's members in a label are the victims, not the perpetrator."""
    text = (
        "The monitor documented the death of 640 people in May 2024. They are distributed as "
        "follows:\n"
        "Civilians: 410, among them 52 children.\n"
        "Regime soldiers: 130.\n"
        "Members of HTS and other factions: 75.\n"
        "ISIS members: 25."
    )
    assert summary(text) == [
        ("killed", 640, "people", None, None),
        ("killed", 410, "civilians", None, 0),
        ("killed", 52, "children", None, 1),
        ("killed", 130, "regime soldiers", None, 0),
        ("killed", 75, "members of hts and other factions", None, 0),
        ("killed", 25, "isis members", None, 0),
    ]
