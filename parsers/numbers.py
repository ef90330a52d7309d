"""Reading counts as monitors write them: "1,203", "١٢٠٣", "seven", "twenty-one", "a woman"."""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (U+0660..) and Extended Arabic-Indic (U+06F0..) digits map to ASCII.
_DIGIT_TABLE = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGIT_TABLE.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
# Arabic thousands separator and decimal separator.
_DIGIT_TABLE[ord("٬")] = ","
_DIGIT_TABLE[ord("٫")] = "."

UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    # French, for releases in French
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_ARTICLES = {"a", "an", "single", "un", "une"}

NUMBER_WORDS: frozenset[str] = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES) | {"dozen"}

# A numeral as written in reports: 1203 | 1,203 | 1.203 | 1 203 (nbsp or thin space too).
DIGITS_RE = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f\u2009 ]\d{3})+(?!\d)|\d+")

MAX_COUNT = 100_000_000


def to_ascii_digits(text: str) -> str:
    """Replace Arabic-Indic digits and separators with ASCII ones; other characters unchanged."""
    return text.translate(_DIGIT_TABLE)


def parse_numeral(text: str) -> int | None:
    """Parse a digit numeral with optional thousands separators; None if it is not one.

    A dot or comma counts as a thousands separator only before exactly three digits, so a
    decimal such as "1.5" is not a count.
    """
    text = unicodedata.normalize("NFKC", to_ascii_digits(text)).strip()
    if not text:
        return None
    match = DIGITS_RE.fullmatch(text)
    if not match:
        return None
    value = int(re.sub(r"\D", "", text))
    return value if value <= MAX_COUNT else None


def parse_number_words(words: list[str]) -> int | None:
    """Parse a run of English number words ("one hundred and five", "twenty-one"); None if not."""
    tokens: list[str] = []
    for word in words:
        tokens.extend(t for t in re.split(r"[-\s]+", word.lower()) if t)
    tokens = [t for t in tokens if t != "and"]
    if not tokens or any(t not in NUMBER_WORDS for t in tokens):
        return None
    if len(tokens) > 1 and tokens[0] in _ARTICLES and tokens[1] not in {*SCALES, "dozen"}:
        return None
    total = 0
    current = 0
    seen_value = False
    previous = ""
    for token in tokens:
        if token in SCALES and previous in SCALES and SCALES[token] <= SCALES[previous]:
            return None  # "a million million", "thousand hundred": not a number
        previous = token
        if token in UNITS:
            rest = current % 100
            if rest != 0 and not (rest >= 20 and rest % 10 == 0):
                return None
            current += UNITS[token]
            seen_value = True
        elif token in TENS:
            if current % 100 != 0:
                return None
            current += TENS[token]
            seen_value = True
        elif token == "dozen":
            current = max(current, 1) * 12
            seen_value = True
        else:
            scale = SCALES[token]
            current = max(current, 1) * scale
            if scale >= 1000:
                total += current
                current = 0
            seen_value = True
        if total + current > MAX_COUNT:  # "a million million million ..." is not a count
            return None
    return total + current if seen_value else None


def parse_count(text: str) -> int | None:
    """Parse a count written as digits or words; None when the text is not a count."""
    stripped = text.strip()
    numeral = parse_numeral(stripped)
    if numeral is not None:
        return numeral
    return parse_number_words(stripped.split())


def format_count(value: int) -> str:
    """Render a count with thousands separators, the way reports print it."""
    return f"{value:,}"
