"""From a parser's raw figures to normalized records: canonical ids, resolved periods, ids."""

from __future__ import annotations

from collections.abc import Sequence

from parsers.model import (
    QUALIFIERS,
    Document,
    Figure,
    FigureRecord,
    ParseError,
    figure_id_for,
    without_items,
)
from parsers.numbers import MAX_COUNT
from parsers.periods import Period, parse_period
from parsers.vocabulary import metric_id, perpetrator_id, place_id, victim_group_id, vocabulary

UNATTRIBUTED_PERPETRATOR = "all_parties"


def canonical_metric(raw: str) -> str:
    """A parser's metric as a canonical id; parsers normally emit ids already."""
    if raw in vocabulary("metrics").ids:
        return raw
    return metric_id(raw) or raw


def check_count(figure: Figure) -> None:
    """Refuse a count no report states (negative, not a whole number, above MAX_COUNT): it is
    a misread, and the warehouse's BIGINT columns could not even hold some of them."""
    values = [figure.count] if figure.count_high is None else [figure.count, figure.count_high]
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            shown = f"{value:.3g}" if isinstance(value, int | float) else repr(value)[:40]
            raise ParseError(
                f"implausible count {shown} at {figure.locator.describe()}: counts must be "
                f"whole numbers from 0 to {MAX_COUNT:,}"
            )


def plausible_figures(figures: Sequence[Figure]) -> tuple[list[Figure], list[str]]:
    """The figures whose counts a report could state, and a warning for each one skipped: one
    misread number ("1 billion people") must not cost the document its other figures. A part
    of a skipped total keeps its own count and loses only its link to the total."""
    warnings: list[str] = []
    dropped: set[int] = set()
    for index, figure in enumerate(figures):
        try:
            check_count(figure)
        except ParseError as error:
            warnings.append(f"skipped {error}")
            dropped.add(index)
    return without_items(figures, dropped), warnings


def normalize_figures(
    figures: Sequence[Figure], document: Document, parser: str, parser_version: str
) -> list[FigureRecord]:
    """Normalize one parser's figures for one document.

    A figure whose perpetrator the text does not name is a total over all parties
    (`all_parties`), as monitors' headline figures are. Unknown strings keep their raw value
    and a NULL id, for the quality checks to flag; nothing is dropped but exact duplicates
    (same id). An implausible count (see `check_count`) raises ParseError: callers drop
    those first with `plausible_figures`, which keeps the rest and says what it skipped.
    """
    ids = [figure_id_for(document.sha256, parser, figure) for figure in figures]
    records: list[FigureRecord] = []
    seen: set[str] = set()
    for figure, figure_id in zip(figures, ids, strict=True):
        if figure_id in seen:
            continue
        seen.add(figure_id)
        check_count(figure)
        period: Period | None
        if figure.period_precision is not None:
            period = Period(
                figure.period_start, figure.period_end, figure.period_precision,
                figure.period_raw or "",
            )  # fmt: skip
        else:
            period = parse_period(figure.period_raw, document.published)
        parent_id = None
        if figure.parent is not None and 0 <= figure.parent < len(ids):
            parent_id = ids[figure.parent] if ids[figure.parent] != figure_id else None
        perpetrator = (
            perpetrator_id(figure.perpetrator_raw)
            if figure.perpetrator_raw
            else UNATTRIBUTED_PERPETRATOR
        )
        records.append(
            FigureRecord(
                figure_id=figure_id,
                sha256=document.sha256,
                source=document.source,
                url=document.url,
                parser=parser,
                parser_version=parser_version,
                metric=canonical_metric(figure.metric),
                count=figure.count,
                count_high=figure.count_high,
                qualifier=figure.qualifier if figure.qualifier in QUALIFIERS else "exact",
                victim_group=victim_group_id(figure.victim_raw),
                victim_raw=figure.victim_raw,
                perpetrator=perpetrator,
                perpetrator_raw=figure.perpetrator_raw,
                place=place_id(figure.place_raw),
                place_raw=figure.place_raw,
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                period_raw=figure.period_raw,
                period_precision=period.precision if period else None,
                certainty=figure.certainty,
                attribution=figure.attribution,
                parent_figure_id=parent_id,
                locator=figure.locator.as_dict(),
                snippet=figure.snippet,
            )
        )
    return records
