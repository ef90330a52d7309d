"""The extraction failure classes of issue 12, each on sentences written for this test (not
taken from the annotated corpus): what a careful reader gets from them, canonical ids and all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from parsers.model import Document, FigureRecord
from parsers.registry import parse_document

PUBLISHED = date(2025, 9, 1)


def records(
    text: str, *, country: str | None = None, published: date = PUBLISHED
) -> list[FigureRecord]:
    """The prose parser's records for a plain-text document."""
    document = Document.from_bytes(
        text.encode("utf-8"),
        url="https://monitor.invalid/report",
        source="test",
        media_type="text/plain",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        published=published,
        country=country,
    )
    (outcome,) = parse_document(document)
    assert outcome.ok, outcome.error
    return list(outcome.records)


def read(text: str, **options) -> list[tuple]:
    """(metric, count, victim group, perpetrator) of each record, in document order."""
    return [(r.metric, r.count, r.victim_group, r.perpetrator) for r in records(text, **options)]


# --- Clause binding: each clause has its own verb and metric -------------------------------


def test_bracketed_breakdowns_take_the_metric_of_their_own_clause() -> None:
    text = (
        "Shelling of the district killed 212 civilians (90 men, 62 women and 60 children) and "
        "injured 415 (201 men, 110 women and 104 children)."
    )
    assert read(text) == [
        ("killed", 212, "civilians", "all_parties"),
        ("killed", 90, "men", "all_parties"),
        ("killed", 62, "women", "all_parties"),
        ("killed", 60, "children", "all_parties"),
        ("injured", 415, "civilians", "all_parties"),
        ("injured", 201, "men", "all_parties"),
        ("injured", 110, "women", "all_parties"),
        ("injured", 104, "children", "all_parties"),
    ]


def test_comma_separated_clauses_keep_their_verbs() -> None:
    assert read("In the north, 64 civilians were killed, 97 were injured.") == [
        ("killed", 64, "civilians", "all_parties"),
        ("injured", 97, "civilians", "all_parties"),
    ]


def test_casualties_broken_down_into_killed_and_injured() -> None:
    assert read("The mission recorded 520 civilian casualties (205 killed and 315 injured).") == [
        ("casualties", 520, "civilians", "all_parties"),
        ("killed", 205, "civilians", "all_parties"),
        ("injured", 315, "civilians", "all_parties"),
    ]


# --- Attribution and coreference ------------------------------------------------------------


def test_the_militant_group_is_the_party_named_last_not_the_one_before() -> None:
    """The project's headline case: two perpetrators, the second named by a description."""
    text = (
        "Government forces shelled the valley in March, killing 14 civilians. "
        "In the three years since ISIS seized the town, the militant group killed some 2,400 "
        "civilians, among them 310 children."
    )
    assert read(text) == [
        ("killed", 14, "civilians", "syrian_regime"),
        ("killed", 2400, "civilians", "isis"),
        ("killed", 310, "children", "isis"),
    ]


def test_agents_after_the_figure() -> None:
    assert read("The report attributes the deaths of 57 civilians in Idlib to Russian forces.") == [
        ("killed", 57, "civilians", "russia"),
    ]
    assert read("At least 19 civilians were killed by Israeli security forces in Jenin.") == [
        ("killed", 19, "civilians", "israel"),
    ]


def test_active_subject_and_pronoun() -> None:
    text = (
        "ISIS fighters stormed two villages on Friday. They killed 23 civilians, including "
        "four women."
    )
    assert read(text) == [
        ("killed", 23, "civilians", "isis"),
        ("killed", 4, "women", "isis"),
    ]


def test_no_guess_when_two_parties_stand_equally_near() -> None:
    text = "Clashes between regime forces and ISIS killed 31 civilians."
    (figure,) = records(text)
    assert figure.perpetrator == "all_parties" and figure.attribution in {"ambiguous", "none"}


def test_attribution_says_how_the_perpetrator_was_decided() -> None:
    text = (
        "Second: ISIS\n"
        "We documented the killing of 12 civilians.\n"
        "Russian forces killed 8 civilians in Idlib."
    )
    assert [(r.count, r.perpetrator, r.attribution) for r in records(text)] == [
        (12, "isis", "heading"),
        (8, "russia", "clause"),
    ]


# --- Leakage: nothing comes from an unrelated sentence ---------------------------------------


def test_group_of_an_earlier_sentence_does_not_leak() -> None:
    text = (
        "Eleven children were killed in Hebron governorate.\n"
        "Separately, 640 Palestinians were injured by Israeli security forces and 85 by settlers."
    )
    assert read(text) == [
        ("killed", 11, "children", "all_parties"),
        ("injured", 640, "people", "israel"),
        ("injured", 85, "people", "other_parties"),
    ]


def test_a_programme_reaching_people_is_not_a_casualty() -> None:
    assert read("The programme supported 1,200 farmers, including 140 women.") == []


# --- Not casualties -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Some 3,400 people received cash assistance, including 900 children.",
        "The training was attended by 45 participants, including 12 women.",
        "Authorities released 230 prisoners under the amnesty.",
        "Cholera cases rose to 12,000 and the disease caused 140 deaths.",
        "A further 2.1 million people are in need of humanitarian assistance.",
        "Staff registered 57 separated and unaccompanied children.",
    ],
)
def test_counts_that_are_not_casualties(text: str) -> None:
    assert [f for f in read(text) if f[0] in {"killed", "injured", "casualties"}] == []


# --- Page furniture and dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "From 3 to 5 March, shelling hit the market.",
        "Between 16 and 22 May, the monitors visited the camps.",
        "From 1 August to 31 October 2025 the team travelled twice.",
        "See paragraph 12 and annex 3 of document S/2025/415.",
    ],
)
def test_dates_and_references_are_not_counts(text: str) -> None:
    assert read(text) == []


def test_dates_in_a_casualty_sentence_stay_dates() -> None:
    found = records("Between 16 and 22 May, 18 civilians were killed in Gaza city.")
    assert [(r.count, r.period_start, r.period_end) for r in found] == [
        (18, date(2025, 5, 16), date(2025, 5, 22))
    ]


# --- Headline totals ------------------------------------------------------------------------


def test_a_total_stated_after_its_breakdown() -> None:
    text = "The raid raised to 148, including 19 children and 22 women, the number of those killed."
    assert read(text)[:3] == [
        ("killed", 148, "people", "all_parties"),
        ("killed", 19, "children", "all_parties"),
        ("killed", 22, "women", "all_parties"),
    ]


# --- Periods --------------------------------------------------------------------------------


def test_the_reporting_period_is_the_one_the_introduction_states() -> None:
    text = (
        "The present report covers the period from 1 April to 30 June 2025.\n"
        "During the reporting period, 73 civilians were killed."
    )
    (figure,) = records(text)
    assert (figure.period_start, figure.period_end) == (date(2025, 4, 1), date(2025, 6, 30))


def test_a_day_is_that_day() -> None:
    (figure,) = records("On 17 August, a drone strike killed 6 civilians in Khan Younis.")
    assert (figure.period_start, figure.period_end) == (date(2025, 8, 17), date(2025, 8, 17))


# --- Conflicts beyond Syria -----------------------------------------------------------------


def test_parties_victims_and_places_of_other_conflicts() -> None:
    text = (
        "On 4 June, ISIL-K claimed an attack in Nangarhar province that killed 9 worshippers.\n"
        "In Kharkivska oblast, Russian armed forces killed 15 residents, including 3 boys."
    )
    found = records(text)
    assert [(r.count, r.victim_group, r.perpetrator, r.place) for r in found] == [
        (9, "civilians", "isis", "nangarhar"),
        (15, "people", "russia", "kharkiv"),
        (3, "children", "russia", "kharkiv"),
    ]


def test_country_scoped_names() -> None:
    found = read("Israeli security forces killed 7 Palestinians in Tubas.", country="PS")
    assert found == [("killed", 7, "people", "israel")]


# --- Languages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Im Mai 2025 wurden 2.318 Zivilisten getötet, darunter 412 Kinder.",
            [("killed", 2318, "civilians"), ("killed", 412, "children")],
        ),
        (
            "En mayo de 2025 murieron 1.204 civiles, entre ellos 233 niños.",
            [("killed", 1204, "civilians"), ("killed", 233, "children")],
        ),
        (
            "Rapora göre Mayıs 2025'te bu bölgede 4 bin 759 sivil öldürüldü ve bir çok kişi "
            "yaralandı.",
            [("killed", 4759, "civilians")],
        ),
        (
            "En mai 2025, 318 civils ont été tués, dont 44 enfants.",
            [("killed", 318, "civilians"), ("killed", 44, "children")],
        ),
    ],
    ids=["de", "es", "tr", "fr"],
)
def test_languages_and_their_number_formats(text: str, expected: list[tuple]) -> None:
    assert [(m, c, g) for m, c, g, _ in read(text)] == expected


# --- Robustness -----------------------------------------------------------------------------


def test_an_implausible_number_is_skipped_and_the_rest_kept() -> None:
    found = read("Some 1 billion people were affected. Shelling killed 12 civilians in Aleppo.")
    assert found == [("killed", 12, "civilians", "all_parties")]


# --- Found on documents nobody tuned the grammar on -----------------------------------------


def test_the_headline_restated_by_the_body_is_one_claim() -> None:
    text = (
        "At least 52 civilians killed in Homs in April 2025\n"
        "The monitor documented the killing of at least 52 civilians, including 14 children, "
        "in Homs governorate in April 2025."
    )
    assert read(text) == [
        ("killed", 52, "civilians", "all_parties"),
        ("killed", 14, "children", "all_parties"),
    ]
    assert all(r.snippet.startswith("The monitor") for r in records(text))


def test_the_rest_counts_what_the_total_counted() -> None:
    text = (
        "The monitor said 4,100 people had been killed since January. Of them, 2,900 were "
        "civilians. The rest were combatants – 1,050 government soldiers and 150 rebels."
    )
    found = read(text)
    assert ("killed", 1050, "combatants", "all_parties") in found
    assert ("killed", 150, "combatants", "all_parties") in found


def test_an_adjective_daily_is_not_a_rate() -> None:
    assert read("The monitor counted 640 people injured in the daily shelling of the city.") == [
        ("injured", 640, "people", "all_parties")
    ]
    assert read("Airstrikes kill nine children daily in the north.") == []


def test_a_place_among_several_is_not_the_figures_place() -> None:
    (listed,) = records("Shelling killed 12 civilians in Idlib and Aleppo.")
    assert listed.place is None
    (single,) = records("Shelling killed 12 civilians in Idlib on Monday.")
    assert single.place == "idlib"
