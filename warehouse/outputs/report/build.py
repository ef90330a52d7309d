"""From the query rows to the report's model: one section per source, its bars, totals,
shares, headline and tables; the quality findings by check; the disagreements; the numbered
list of documents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from warehouse.checks import CHECKS
from warehouse.outputs.report.model import (
    GROUPS,
    TOTAL,
    Cited,
    Conflict,
    DocumentRef,
    FigureRow,
    Headline,
    IssueGroup,
    MonthBar,
    PlaceRow,
    Report,
    ShareRow,
    SourceSection,
    Total,
    month_range,
    previous_month,
)
from warehouse.outputs.report.queries import ReportRows, Row, Scope

LAST_IN_STACK = ("other_parties",)  # "other / unidentified" goes on top, whatever its size


def stack_order(figures: Iterable[Cited]) -> tuple[str, ...]:
    """Perpetrators from the largest number of civilians to the smallest, 'other' last."""
    totals: dict[str, int] = defaultdict(int)
    for f in figures:
        if f.perpetrator and f.perpetrator != TOTAL and f.victim_group == "civilians":
            totals[f.perpetrator] += f.count
    return tuple(sorted(totals, key=lambda p: (p in LAST_IN_STACK, -totals[p], p)))


def _totals(figures: Sequence[Cited], group: str, order: tuple[str, ...]) -> dict[date, Total]:
    """Per month, the stated total of a victim group, else the sum of its perpetrators."""
    stated: dict[date, Cited] = {}
    parts: dict[date, list[Cited]] = defaultdict(list)
    for f in figures:
        if f.victim_group != group or f.month is None:
            continue
        if f.perpetrator == TOTAL:
            stated[f.month] = f
        else:
            parts[f.month].append(f)
    rank = {p: i for i, p in enumerate(order)}
    return {
        month: Total(
            stated.get(month),
            tuple(sorted(parts[month], key=lambda f: rank.get(f.perpetrator or "", len(rank)))),
        )
        for month in sorted({*stated, *parts})
    }


def build_section(source: Row, rows: ReportRows) -> SourceSection:
    """One source's section from the rows of that source."""
    source_id = source["source_id"]
    monthly = [Cited.from_row(r) for r in rows.monthly if r["source_id"] == source_id]
    order = stack_order(monthly)
    totals = {g: _totals(monthly, g, order) for g in GROUPS}
    months_seen = sorted({f.month for f in monthly if f.month})
    months = month_range(months_seen[0], months_seen[-1]) if months_seen else ()
    bars = tuple(MonthBar(m, t.parts, t) for m, t in totals["civilians"].items())
    shares = tuple(
        ShareRow(m, civilians, totals["children"].get(m), totals["women"].get(m))
        for m, civilians in totals["civilians"].items()
        if civilians.value > 0
    )
    latest = months_seen[-1] if months_seen else None
    headline = None
    if latest is not None:
        others = [
            f
            for f in monthly
            if f.month == latest and f.victim_group not in GROUPS and f.perpetrator == TOTAL
        ]
        others += [
            Cited.from_row(r)
            for r in rows.other_metrics
            if r["source_id"] == source_id and r["month"] == latest
        ]
        headline = Headline(
            latest,
            totals["civilians"].get(latest),
            totals["civilians"].get(previous_month(latest)),
            totals["children"].get(latest),
            totals["women"].get(latest),
            tuple(others),
        )
    table: list[FigureRow] = []
    if latest is not None:
        cell = {(f.perpetrator, f.victim_group): f for f in monthly if f.month == latest}
        for perpetrator in (TOTAL, *order):
            cells = tuple(cell.get((perpetrator, g)) for g in GROUPS)
            if any(cells):
                table.append(FigureRow(perpetrator, cells))
    places = [Cited.from_row(r) for r in rows.governorates if r["source_id"] == source_id]
    place_month = max((f.month for f in places if f.month), default=None)
    by_place: dict[str, dict[str, Cited]] = defaultdict(dict)
    for f in places:
        if f.month == place_month and f.place and f.victim_group:
            by_place[f.place][f.victim_group] = f
    governorates = sorted(
        (PlaceRow(p, tuple(g.get(v) for v in GROUPS)) for p, g in by_place.items()),
        key=lambda row: (-row.civilians, row.label),
    )
    return SourceSection(
        source_id=source_id,
        publisher=source["publisher"],
        homepage=source.get("homepage"),
        months=months,
        perpetrators=order,
        bars=bars,
        shares=shares,
        headline=headline,
        table=tuple(table),
        governorate_month=place_month,
        governorates=tuple(governorates),
        governorate_total=totals["civilians"].get(place_month) if place_month else None,
    )


def build_issues(rows: Sequence[Row]) -> tuple[IssueGroup, ...]:
    """Open findings grouped by check, in the order the checks run."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row["check_name"]].append(row)
    described = {c.name: c for c in CHECKS}
    names = [c.name for c in CHECKS if c.name in grouped] + sorted(set(grouped) - set(described))
    return tuple(
        IssueGroup(
            check=name,
            severity=grouped[name][0]["severity"],
            description=described[name].description if name in described else "",
            messages=tuple(r["message"] for r in grouped[name]),
        )
        for name in names
    )


def number_documents(figures: Iterable[Cited]) -> tuple[tuple[DocumentRef, ...], dict[str, int]]:
    """The cited documents, numbered by publication date then URL."""
    first: dict[str, Cited] = {}
    for f in figures:
        first.setdefault(f.url, f)
    ordered = sorted(first.values(), key=lambda f: (f.published or date.max, f.url))
    documents = tuple(
        DocumentRef(i, f.url, f.title, f.published, f.fetched_at)
        for i, f in enumerate(ordered, start=1)
    )
    return documents, {d.url: d.number for d in documents}


def build_report(rows: ReportRows, scope: Scope, generated_at: datetime) -> Report:
    """The report from the query rows."""
    sections = tuple(build_section(source, rows) for source in rows.sources)
    conflicts = tuple(
        Conflict(
            Cited.from_row(r, "a_"),
            Cited.from_row(r, "b_"),
            bool(r["across_sources"]),
            bool(r["qualifiers_reconcile"]),
            r["period_end"],
            r.get("a_publisher") or r["a_source_id"],
            r.get("b_publisher") or r["b_source_id"],
        )
        for r in rows.conflicts
    )
    cited = [f for s in sections for f in s.cited()]
    cited += [side for c in conflicts for side in (c.a, c.b)]
    documents, numbers = number_documents(cited)
    return Report(
        generated_at=generated_at,
        last_collection=rows.last_collection,
        scope=scope,
        sections=sections,
        issues=build_issues(rows.issues),
        conflicts=conflicts,
        documents=documents,
        numbers=numbers,
    )
