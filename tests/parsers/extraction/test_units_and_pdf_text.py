"""Step 1, text units: cleaning keeps offsets; lines told apart; PDF furniture dropped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parsers.extraction.units import clean, label_of, starts_with_bullet, strip_ordinal
from parsers.pdf_text import is_furniture, read_body, repeated_lines


def test_numbers_glued_to_words_are_separated_and_offsets_kept() -> None:
    text = "the killing of87 people and 29individuals"
    cleaned = clean(text)
    assert "of 87" in cleaned.text and "29 individuals" in cleaned.text
    at = cleaned.text.index("87")
    assert text[cleaned.original(at) : cleaned.original(at) + 2] == "87"


def test_words_hyphenated_at_a_line_break_are_rejoined() -> None:
    assert "casualties" in clean("civilian casual- ties were").text


@given(st.text(alphabet="ab1 2-\n,", max_size=40))
def test_every_cleaned_character_maps_back_to_an_original_one(text: str) -> None:
    cleaned = clean(text, start=5)
    for index, char in enumerate(cleaned.text):
        if char != " ":
            assert text[cleaned.original(index) - 5] == char


def test_list_labels_ordinals_and_bullets() -> None:
    assert label_of("Regime forces: 61 civilians")[:2] == ("Regime forces", "61 civilians")
    assert label_of("Aleppo and Idlib saw heavy fighting") is None
    assert strip_ordinal("Second: ISIS")[:2] == ("ISIS", True)
    assert strip_ordinal("• 12 children")[0] == "12 children"
    assert starts_with_bullet("A. 33 civilians") and not starts_with_bullet("At 33 sites")


def test_pdf_furniture_is_not_prose() -> None:
    for line in ("25-11938 3/17", "S/2025/415", "2/17"):
        assert is_furniture(line), line
    assert not is_furniture("25 civilians were killed in Gaza.")


def test_running_headers_repeat_and_paragraphs_flow_across_pages() -> None:
    pages = [
        ["S/2025/504", "Report of the Secretary-General", "12. Attacks killed 40 civilians",
         "in Jonglei and"],
        ["S/2025/504", "Report of the Secretary-General", "injured 59 more.", "13. Next one."],
    ]  # fmt: skip
    assert len(repeated_lines(pages)) >= 1
    body = read_body(pages)
    assert "Secretary-General" not in body.text and "S/2025" not in body.text
    assert "Attacks killed 40 civilians in Jonglei and injured 59 more." in body.text
    assert not body.text.lstrip().startswith("12.")
    assert body.page_of(body.text.index("injured")) == 2
