"""Step 5, parties and their roles; the phrase books and lexicon every step reads."""

from __future__ import annotations

import pytest

from parsers.extraction.country import infer_country
from parsers.extraction.lexicon import Lexicon
from parsers.extraction.parties import Strength, find_anaphors, find_parties
from parsers.extraction.phrases import detect_language, languages, phrase_book

BOOK = phrase_book("en")


def roles(sentence: str, country: str | None = None) -> list[tuple[str | None, Strength]]:
    return [(p.id, p.strength) for p in find_parties(sentence, BOOK, country)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("40 civilians were killed by ISIS", [("isis", Strength.MARKED)]),
        ("Russian airstrikes killed 12", [("russia", Strength.EVENT)]),
        ("forces fighting ISIS lost 12 men", [("isis", Strength.BLOCKED)]),
        ("12 ISIS fighters were killed", [("isis", Strength.BLOCKED)]),
        ("ISIS fighters stormed the village", [("isis", Strength.PLAIN)]),
        ("shelling of areas held by the SDF", [("sdf", Strength.BLOCKED)]),
    ],
)
def test_the_role_a_party_plays(sentence, expected) -> None:
    assert roles(sentence) == expected


def test_names_are_scoped_by_country() -> None:
    assert roles("Israeli security forces killed 7", "PS")[0][0] == "israel"
    assert roles("government forces killed 7", "SY")[0][0] == "syrian_regime"


def test_references_to_a_party_named_before() -> None:
    found = find_anaphors("the militant group killed some 2,400 civilians", BOOK)
    assert [a.text for a in found] == ["the militant group"]


def test_every_language_file_loads_with_the_lists_the_grammar_needs() -> None:
    assert {"en", "fr", "de", "es", "ar", "tr"} <= set(languages())
    for language in languages():
        book = phrase_book(language)
        assert "killed" in {metric for metric, _ in book.metric_patterns}, language
        for category in ("breakdown", "clause_break", "coordination"):
            assert book.phrases(category), (language, category)
        assert book.phrases("agent_before") or book.phrases("agent_after"), language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The report documented the killing of civilians in the north of the country.", "en"),
        ("Le rapport a documenté la mort de civils dans le nord du pays et des enfants.", "fr"),
        ("Der Bericht dokumentiert die Tötung von Zivilisten und Kindern im Norden.", "de"),
        ("El informe documentó la muerte de civiles y de niños en el norte del país.", "es"),
        ("Rapora göre bu ayda da bir çok sivil ve çocuk hayatını kaybetti.", "tr"),
        ("وثق التقرير مقتل مدنيين في شمال البلاد", "ar"),
    ],
)
def test_the_language_of_a_paragraph(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_lexicon_finds_the_longest_phrase_across_hyphens() -> None:
    lexicon = Lexicon([("al nusra", "hts"), ("al nusra front", "hts"), ("isis", "isis")])
    found = list(lexicon.finditer("fighters of the al-Nusra Front and ISIS"))
    assert [(m.text, m.key) for m in found] == [("al-Nusra Front", "hts"), ("ISIS", "isis")]


def test_the_country_a_text_is_about() -> None:
    assert infer_country("In Kabul and Kandahar, Afghan civilians were killed.") == "AF"
    assert infer_country("A report with no place at all.") is None
