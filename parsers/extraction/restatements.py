"""Figures seen across sentences: a claim a page states twice, once vaguely ("Aerial
bombardment kills 13 in Aleppo") and once precisely ("13 civilians were killed"), is one
figure; and a sentence with no count can name the perpetrator of the counts just before it
("Two media activists killed. All of them were killed at the hands of extremist groups.").

Step 7 of the prose pipeline, over the document's figures.
"""

from __future__ import annotations

from dataclasses import replace

from parsers.extraction.discourse import Discourse
from parsers.extraction.parties import Strength, find_parties
from parsers.extraction.phrases import PhraseBook
from parsers.model import Figure, without_items
from parsers.vocabulary import vocabulary

# How far into a sentence its subject ("All of them", "They") may start.
_SUBJECT_REACH = 12


def retro_attribute(
    sentence: str,
    book: PhraseBook,
    discourse: Discourse,
    figures: list[Figure],
    previous: list[int],
) -> None:
    """A sentence about the victims just counted ("All of them were killed at the hands of
    P") gives P to those counts of the sentence before that name no one and count the same."""
    subjects = [a for a in book.find("victim_anaphor", sentence) if a.start <= _SUBJECT_REACH]
    metrics = book.metrics(sentence)
    if not subjects or not metrics or not previous:
        return
    agents = [
        p
        for p in find_parties(sentence, book, discourse.country)
        if p.strength is Strength.MARKED and p.start > metrics[0].start
    ]
    if len({p.id for p in agents}) != 1:
        return
    agent = agents[0]
    for index in previous:
        figure = figures[index]
        if figure.perpetrator_raw is None and figure.metric == metrics[0].key:
            figures[index] = replace(figure, perpetrator_raw=agent.raw, attribution="coreference")


def _group(figure: Figure) -> str | None:
    return vocabulary("victim_groups").lookup(figure.victim_raw)


def _place(figure: Figure) -> str | None:
    return vocabulary("places").lookup(figure.place_raw) if figure.place_raw else None


def _perpetrator(figure: Figure) -> str | None:
    return vocabulary("perpetrators").lookup(figure.perpetrator_raw)


def _same_claim(vague: Figure, precise: Figure) -> bool:
    return (
        vague is not precise
        and (vague.metric, vague.count, vague.count_high)
        == (precise.metric, precise.count, precise.count_high)
        and _group(precise) not in {None, "people"}
        and (vague.perpetrator_raw is None or _perpetrator(vague) == _perpetrator(precise))
        and _place(vague) == _place(precise)
        and (vague.period_start, vague.period_end) == (precise.period_start, precise.period_end)
    )


def _torture_restated(killed: Figure, torture: Figure) -> bool:
    """ "99 were killed by government forces" over a torture report whose body says the same
    forces' 99 victims died under torture: one claim, the body's metric is the precise one."""
    return (
        killed.metric == "killed"
        and torture.metric == "died_under_torture"
        and (killed.count, killed.count_high) == (torture.count, torture.count_high)
        and killed.perpetrator_raw is not None
        and _perpetrator(killed) == _perpetrator(torture)
        and _group(killed) in {"people", _group(torture)}
        and (killed.period_start, killed.period_end) == (torture.period_start, torture.period_end)
    )


def _same_count_of(total: Figure, figure: Figure) -> bool:
    return (
        total.metric == figure.metric
        and _group(total) == _group(figure)
        and (total.period_start, total.period_end) == (figure.period_start, figure.period_end)
        and total.place_raw == figure.place_raw
    )


def _unattributed_total(figure: Figure) -> bool:
    return figure.parent is None and figure.perpetrator_raw is None and figure.attribution == "none"


def attribute_remainders(figures: list[Figure]) -> list[Figure]:
    """A report that gives a total, then the share of each party, then one more count of
    the same victims naming no one ("The report also documented 188 civilians who drowned
    or died in unclaimed bombings") is giving what the other parties killed: that count is
    `other parties`, decided from the document's structure (its parts follow it)."""
    result = list(figures)
    for index, figure in enumerate(result):
        if not _unattributed_total(figure):
            continue
        totals = [
            i for i in range(index)
            if _unattributed_total(result[i]) and _same_count_of(result[i], figure)
            and result[i].count > figure.count
        ]  # fmt: skip
        if not totals:
            continue
        total = result[totals[-1]]
        shares = [
            f for f in result[totals[-1] + 1 : index]
            if f.parent is None and f.perpetrator_raw and _same_count_of(f, figure)
            and _perpetrator(f) not in {None, "all_parties"}
        ]  # fmt: skip
        whole = sum(f.count for f in shares) + figure.count
        if not shares or abs(total.count - whole) > max(2, total.count // 50):
            continue  # the parties' shares and this count must add up to the total
        for position in [index, *(i for i, f in enumerate(result) if f.parent == index)]:
            result[position] = replace(
                result[position], perpetrator_raw="other parties", attribution="document",
                certainty="unknown",
            )  # fmt: skip
    return result


def drop_restatements(figures: list[Figure]) -> list[Figure]:
    """Figures without their vague restatements: a total of "people" that another figure of
    the document states with the same count, metric and perpetrator for a precise group, or
    a count "killed" that the body states as the same party's deaths under torture."""
    parents = {f.parent for f in figures if f.parent is not None}
    dropped = {
        index
        for index, figure in enumerate(figures)
        if figure.parent is None
        and index not in parents
        and (
            (_group(figure) == "people" and any(_same_claim(figure, o) for o in figures))
            or any(_torture_restated(figure, o) for o in figures)
        )
    }
    return without_items(figures, dropped)


def drop_headline_restatements(
    figures: list[Figure], headline_start: int, headline_end: int
) -> list[Figure]:
    """A headline's figures that the body states again ("At least 45 civilians killed in
    Idlib" over "the killing of at least 45 civilians, including 11 children"): one claim,
    kept where the body states it with its breakdown and context."""
    if headline_end <= headline_start:
        return figures
    body = [f for f in figures if (f.locator.char_start or 0) >= headline_end]
    restated = {
        index for index, f in enumerate(figures)
        if headline_start <= (f.locator.char_start or 0) < headline_end
        and any(_restates(f, other) for other in body)
    }  # fmt: skip
    dropped: set[int] = set()
    for index in restated:  # a headline total goes with its breakdown, or not at all
        if figures[index].parent is not None:
            continue
        parts = {i for i, f in enumerate(figures) if f.parent == index}
        if parts <= restated:
            dropped |= {index, *parts}
    return without_items(figures, dropped)


def _restates(headline: Figure, body: Figure) -> bool:
    return (
        (headline.metric, headline.count, headline.count_high)
        == (body.metric, body.count, body.count_high)
        and _group(headline) in {"people", _group(body)}
        and (headline.perpetrator_raw is None or _perpetrator(headline) == _perpetrator(body))
        and (headline.period_start is None or headline.period_start == body.period_start)
    )
