"""Step 2, counts: numbers as each language writes them, and numbers that never count."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.extraction.counts import find_counts
from parsers.extraction.phrases import phrase_book
from parsers.periods import find_periods


def values(sentence: str, language: str = "en") -> list[tuple[int, int | None, str]]:
    """The counts, with the dates found first held out (as the sentence step does)."""
    dates = [(start, end) for start, end, _ in find_periods(sentence, date(2025, 9, 1))]
    found = find_counts(sentence, phrase_book(language), excluded=dates)
    return [(c.value, c.high, c.qualifier) for c in found]


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        ("killed 1,203 civilians", "en", [(1203, None, "exact")]),
        ("at least twenty-one children", "en", [(21, None, "at_least")]),
        ("nearly 3.3 million people", "en", [(3_300_000, None, "approximately")]),
        ("between 2,232 and 2,961 civilians", "en", [(2232, 2961, "range")]),
        ("2.318 Zivilisten getötet", "de", [(2318, None, "exact")]),
        ("4 bin 759 sivil", "tr", [(4759, None, "exact")]),
        ("مقتل ١٢٠٣ مدنيين", "ar", [(1203, None, "exact")]),
        ("au moins 104 cas", "fr", [(104, None, "at_least")]),
    ],
)
def test_numbers_as_each_language_writes_them(sentence, language, expected) -> None:
    assert values(sentence, language) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "On 17 August at 14:30 the team met.",
        "Some 32% of casualties and 14 per cent of the dead.",
        "It was the 3rd attack on a 12-year-old boy.",
        "See document A/79/797 and job 25-11938.",
        "SN4HR reported it.",
        "Their son, Ahmed Abdel Nasser, 25, was killed.",
        "Ahmad, 34, a father of 5, was killed.",
        "One in 4 children is affected.",
    ],
)
def test_numbers_that_never_count_people(sentence: str) -> None:
    assert values(sentence) == []


@given(st.integers(min_value=1, max_value=99_999_999))
def test_grouped_digits_read_back_their_value(value: int) -> None:
    assert values(f"killed {value:,} civilians")[0][0] == value
