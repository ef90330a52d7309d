"""Steps 6 and 7: each claim bound to its metric, group, party, period and place; and what
the document as a whole decides (a claim stated twice, remainders, "all of them")."""

from __future__ import annotations

from datetime import date

from parsers.extraction.discourse import Discourse
from parsers.extraction.phrases import phrase_book
from parsers.extraction.restatements import attribute_remainders, drop_restatements
from parsers.extraction.sentence import read_sentence
from parsers.model import Figure, Locator
from parsers.prose_grammar import extract_figures

BOOK = phrase_book("en")


def frames(sentence: str, country: str | None = None):
    discourse = Discourse(BOOK, country, date(2024, 6, 1), None)
    return [
        (f.metric, f.mention.count.value, f.group_raw, f.binding.id, f.binding.attribution)
        for f in read_sentence(sentence, discourse, BOOK)
    ]


def test_each_clause_keeps_its_metric_and_party() -> None:
    assert frames("Regime forces killed 36 civilians, while 19 others were injured by ISIS.") == [
        ("killed", 36, "civilians", "syrian_regime", "clause"),
        ("injured", 19, "civilians", "isis", "clause"),
    ]


def test_a_party_believed_responsible_is_marked_so() -> None:
    discourse = Discourse(BOOK, None, date(2024, 6, 1), None)
    (frame,) = read_sentence(
        "12 civilians were killed by forces believed to be Russian.", discourse, BOOK
    )
    assert frame.certainty == "believed"


def test_not_a_casualty_figure() -> None:
    assert frames("The clinic treated 340 patients, including 120 children.") == []
    assert frames("UNICEF reached 2,000 children with vaccines.") == []


def test_a_claim_stated_in_the_title_and_the_body_is_one_figure() -> None:
    text = "Airstrike kills 13 in Aleppo\n13 civilians were killed in Aleppo on Monday."
    found = extract_figures(text, published=date(2024, 6, 1))
    assert [(f.count, f.victim_raw) for f in found] == [(13, "civilians")]


def test_all_of_them_names_the_party_of_the_counts_before() -> None:
    text = "Two media workers were killed. All of them were killed at the hands of ISIS."
    found = extract_figures(text, published=date(2024, 6, 1))
    assert [(f.count, f.perpetrator_raw) for f in found] == [(2, "ISIS")]


def _figure(count: int, party: str | None) -> Figure:
    return Figure(
        "killed", count, "exact", "civilians", party, None, None,
        Locator("text", char_start=count, char_end=count + 1), "s",
        attribution="clause" if party else "none",
    )  # fmt: skip


def test_a_count_that_completes_the_parties_shares_is_the_other_parties() -> None:
    figures = [_figure(100, None), _figure(60, "ISIS"), _figure(30, "regime forces"),
               _figure(10, None)]  # fmt: skip
    result = attribute_remainders(figures)
    assert result[3].perpetrator_raw == "other parties" and result[3].attribution == "document"
    unbalanced = attribute_remainders([*figures[:3], _figure(25, None)])
    assert unbalanced[3].perpetrator_raw is None  # shares must add up to the total


def test_restatements_keep_the_precise_figure() -> None:
    vague = Figure("killed", 13, "exact", "people", None, None, None,
                   Locator("text", char_start=0, char_end=2), "kills 13")  # fmt: skip
    precise = Figure("killed", 13, "exact", "civilians", None, None, None,
                     Locator("text", char_start=40, char_end=42), "13 civilians")  # fmt: skip
    assert drop_restatements([vague, precise]) == [precise]
