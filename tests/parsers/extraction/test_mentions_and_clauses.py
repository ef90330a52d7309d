"""Steps 3 and 4: what each count counts, and how the counts of a sentence hang together."""

from __future__ import annotations

import pytest

from parsers.extraction.clauses import assign_parts, set_clauses
from parsers.extraction.counts import find_counts
from parsers.extraction.mentions import HeadKind, read_mention
from parsers.extraction.phrases import phrase_book

BOOK = phrase_book("en")


def mentions(sentence: str):
    return [read_mention(sentence, count, BOOK) for count in find_counts(sentence, BOOK)]


@pytest.mark.parametrize(
    ("sentence", "kind", "group", "metric"),
    [
        ("93 civilians were reported", HeadKind.VICTIMS, "civilians", None),
        ("3,438 deaths were recorded", HeadKind.METRIC, None, "killed"),
        ("351 killed and more injured", HeadKind.BARE, None, "killed"),
        ("19 others were injured", HeadKind.OTHERS, "others", None),
        ("the mission received 2,081 incident reports", HeadKind.THING, None, None),
    ],
)
def test_what_a_count_counts(sentence, kind, group, metric) -> None:
    (mention,) = mentions(sentence)
    assert mention.kind is kind
    assert (mention.group_raw or None) == group or kind is not HeadKind.VICTIMS
    assert mention.metric == metric


def test_partitive_rate_and_place() -> None:
    assert mentions("1,366 of them were women")[0].partitive
    assert mentions("nine children a day were killed")[0].rate
    assert mentions("killed 6 in Daraa")[0].place_raw == "Daraa"


def claims(sentence: str):
    found = assign_parts(sentence, mentions(sentence), BOOK)
    set_clauses(sentence, found, BOOK)
    return found


def test_breakdowns_after_including_and_in_parentheses() -> None:
    (head,) = claims("93 civilians, including 21 children and 11 women, were killed")
    assert [p.count.value for p in head.parts] == [21, 11]
    first, second = claims("351 killed (71 men, 41 women) and 707 injured (58 men, 40 women)")
    assert [p.count.value for p in first.parts] == [71, 41]
    assert [p.count.value for p in second.parts] == [58, 40]


def test_a_part_is_never_larger_than_its_total() -> None:
    first, second = claims("12 civilians, including 40 children, were killed")
    assert first.parts == [] and second.head.count.value == 40


def test_each_claim_keeps_its_own_clause() -> None:
    sentence = "36 were killed by regime forces, while 19 others were killed by Russian forces."
    first, second = claims(sentence)
    assert "regime forces" in sentence[first.clause_start : first.clause_end]
    assert "Russian" not in sentence[first.clause_start : first.clause_end]
    assert "Russian forces" in sentence[second.clause_start : second.clause_end]
