"""Reading counts: digits, separators, Arabic-Indic digits, words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.numbers import MAX_COUNT, format_count, parse_count, parse_numeral, to_ascii_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,203", 1203),
        ("1203", 1203),
        ("1 203", 1203),
        ("1\u00a0203", 1203),
        ("1.203", 1203),
        ("١٢٠٣", 1203),
        ("١٬٢٠٣", 1203),
        ("۱۲۰۳", 1203),
        ("seven", 7),
        ("twenty-one", 21),
        ("one hundred and five", 105),
        ("three hundred forty-two", 342),
        ("a thousand", 1000),
        ("a dozen", 12),
        ("deux", 2),
    ],
)
def test_reads_counts(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.5", "12,00", "ten two", "one one", "five seven"])
def test_rejects_what_is_not_a_count(text: str) -> None:
    assert parse_count(text) is None


def test_overflowing_numbers_are_not_counts() -> None:
    assert parse_numeral(str(MAX_COUNT + 1)) is None
    assert parse_numeral("9" * 400) is None


@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_formatted_counts_read_back(value: int) -> None:
    assert parse_count(format_count(value)) == value
    assert parse_count(str(value)) == value


@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_arabic_indic_digits_read_like_ascii(value: int) -> None:
    arabic = str(value).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert to_ascii_digits(arabic) == str(value)
    assert parse_count(arabic) == value


_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words(n: int) -> str:
    """English words for 1..999, the reference the parser is checked against."""
    parts = []
    if n >= 100:
        parts.append(f"{_UNITS[n // 100 - 1]} hundred")
        n %= 100
        if n:
            parts.append("and")
    if 10 <= n < 20:
        parts.append(_TEENS[n - 10])
    else:
        if n >= 20:
            parts.append(_TENS[n // 10 - 2] + (f"-{_UNITS[n % 10 - 1]}" if n % 10 else ""))
        elif n:
            parts.append(_UNITS[n - 1])
    return " ".join(parts)


@given(st.integers(min_value=1, max_value=999))
def test_number_words_read_back(value: int) -> None:
    assert parse_count(_words(value)) == value


@given(st.text(max_size=40))
def test_parse_count_never_raises(text: str) -> None:
    result = parse_count(text)
    assert result is None or 0 <= result <= MAX_COUNT
