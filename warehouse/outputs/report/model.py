"""The report as plain data (no database, no HTML), so what it claims can be tested
directly; `build.py` makes it from the query rows.

Two rules keep it from double counting: a month's bars are its perpetrators only, never the
source's own total (`all_parties`), which is shown beside them; and children and women are
shown as shares of civilians, never added to them. Sources are never summed together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from warehouse.outputs.report import wording
from warehouse.outputs.report.queries import Row, Scope

TOTAL = "all_parties"
GROUPS = ("civilians", "children", "women")
ISSUE_EXAMPLES = 5


@dataclass(frozen=True)
class Cited:
    """One number the report shows, with everything needed to check it in its document."""

    figure_id: str
    source_id: str
    metric: str
    victim_group: str | None
    perpetrator: str | None
    place: str | None
    month: date | None
    count: int
    count_high: int | None
    qualifier: str
    url: str
    parser: str
    snippet: str
    title: str | None
    published: date | None
    fetched_at: datetime | None
    locator: str
    documents_stating: int = 1
    distinct_counts: int = 1

    @classmethod
    def from_row(cls, row: Row, prefix: str = "") -> Cited:
        """A cited figure from a query row (columns optionally prefixed, as in conflicts)."""
        names = cls.__dataclass_fields__
        return cls(**{n: row[prefix + n] for n in names if prefix + n in row})

    @property
    def text(self) -> str:
        """The number as shown: '1,203', '≥93'."""
        return wording.count_text(self.count, self.qualifier, self.count_high)

    @property
    def href(self) -> str | None:
        """The document URL when it may be a link (http/https only)."""
        return wording.safe_href(self.url)

    @property
    def where(self) -> str:
        """Where in the document the number was read."""
        return wording.locator_text(self.locator)

    @property
    def exact(self) -> bool:
        """Whether the number is stated exactly (no 'at least', no range)."""
        return self.qualifier == "exact"

    @property
    def differs(self) -> bool:
        """Whether other documents of the same source state this claim with another number."""
        return self.distinct_counts > 1


@dataclass(frozen=True)
class Total:
    """A month's total for one victim group: the source's stated figure, else the sum of its
    perpetrators (shown with '*')."""

    stated: Cited | None
    parts: tuple[Cited, ...] = ()

    @property
    def parts_sum(self) -> int:
        """The perpetrators added up."""
        return sum(p.count for p in self.parts)

    @property
    def value(self) -> int:
        """The number used for shares and comparisons."""
        return self.stated.count if self.stated else self.parts_sum

    @property
    def text(self) -> str:
        """'239', '≥239', or '230*' for a sum the source did not state."""
        return self.stated.text if self.stated else f"{self.parts_sum:,}*"

    @property
    def exact(self) -> bool:
        """Whether every number behind the total is exact."""
        figures = (self.stated,) if self.stated else self.parts
        return all(f.exact for f in figures)

    @property
    def figures(self) -> tuple[Cited, ...]:
        """The figures behind the total."""
        return (self.stated,) if self.stated else self.parts


@dataclass(frozen=True)
class MonthBar:
    """One bar of the monthly chart: the perpetrators stacked, the total above."""

    month: date
    parts: tuple[Cited, ...]
    total: Total

    @property
    def top(self) -> int:
        """Where the total's label sits: above the stack and above the stated total."""
        stated = self.total.stated
        return max(self.total.parts_sum, (stated.count_high or stated.count) if stated else 0)


@dataclass(frozen=True)
class ShareRow:
    """Children and women as shares of civilians in one month (stated totals, else sums)."""

    month: date
    civilians: Total
    children: Total | None
    women: Total | None

    def share(self, group: str) -> float | None:
        """The group's share of civilians, or None."""
        part = self.children if group == "children" else self.women
        return wording.share(part.value, self.civilians.value) if part else None


@dataclass(frozen=True)
class Headline:
    """The cards at the top of a source's section, for its latest month."""

    month: date
    civilians: Total | None
    previous: Total | None
    children: Total | None
    women: Total | None
    others: tuple[Cited, ...]

    @property
    def change(self) -> str:
        """Civilians compared with the month before."""
        if self.civilians is None:
            return ""
        before = previous_month(self.month)
        value = self.previous.value if self.previous else None
        shown = self.previous.text if self.previous else None
        return wording.change_text(self.civilians.value, value, before, shown)

    def share_text(self, group: str) -> str:
        """'21.3% of civilians' for children or women."""
        part = self.children if group == "children" else self.women
        if part is None or self.civilians is None:
            return ""
        exact = part.exact and self.civilians.exact
        return f"{wording.share_text(part.value, self.civilians.value, exact)} of civilians"


@dataclass(frozen=True)
class FigureRow:
    """A row of the latest-figures table: one perpetrator, its civilians, children, women."""

    perpetrator: str
    cells: tuple[Cited | None, ...]

    @property
    def label(self) -> str:
        """The perpetrator's display name."""
        return wording.perpetrator_label(self.perpetrator)


@dataclass(frozen=True)
class PlaceRow:
    """A governorate in the breakdown: civilians, children, women."""

    place: str
    cells: tuple[Cited | None, ...]

    @property
    def label(self) -> str:
        """The governorate's display name."""
        return wording.place_label(self.place)

    @property
    def civilians(self) -> int:
        """Civilians killed there (0 when not stated)."""
        return self.cells[0].count if self.cells[0] else 0


@dataclass(frozen=True)
class Caption:
    """The line under a chart: who published the numbers, in how many documents, when, and
    when toll retrieved them."""

    publisher: str
    figures: tuple[Cited, ...]

    @property
    def documents(self) -> int:
        """How many documents the chart's numbers come from."""
        return len({f.url for f in self.figures})

    @property
    def text(self) -> str:
        """The caption line."""
        if not self.figures:
            return f"Source: {self.publisher}. No figures."
        dated = {f.url: f.published for f in self.figures if f.published}
        undated = self.documents - len(dated)
        if not dated:
            when = "without publication dates"
        else:
            when = f"published {wording.dates_span(list(dated.values()))}"
            when += f" ({undated} without a date)" if undated else ""
        retrieved = wording.dates_span([f.fetched_at.date() for f in self.figures if f.fetched_at])
        count = self.documents
        documents = f"{count} document{'s' if count != 1 else ''}"
        return f"Source: {self.publisher}, {documents} {when}; retrieved {retrieved}."


@dataclass(frozen=True)
class SourceSection:
    """Everything the report shows about one source (sources are never added together)."""

    source_id: str
    publisher: str
    homepage: str | None
    months: tuple[date, ...]
    perpetrators: tuple[str, ...]
    bars: tuple[MonthBar, ...]
    shares: tuple[ShareRow, ...]
    headline: Headline | None
    table: tuple[FigureRow, ...]
    governorate_month: date | None
    governorates: tuple[PlaceRow, ...]
    governorate_total: Total | None

    @property
    def anchor(self) -> str:
        """The section's id in the page (the source id, reduced to safe characters)."""
        return "source-" + re.sub(r"[^a-z0-9_-]+", "-", self.source_id.lower())

    @property
    def has_data(self) -> bool:
        """Whether the source has any monthly figure in scope."""
        return bool(self.months)

    @property
    def governorate_note(self) -> str:
        """Whether the governorates add up to the month's total."""
        places = sum(p.civilians for p in self.governorates)
        total = self.governorate_total
        if total is None:
            return f"The governorates add up to {places:,}; the source states no total to compare."
        stated = "stated total" if total.stated else "sum of perpetrators"
        if places == total.value:
            return f"The governorates add up to {places:,}, the {stated}."
        gap = total.value - places
        if gap > 0:
            return (
                f"The governorates add up to {places:,}, {gap:,} fewer than the {stated} of "
                f"{total.value:,}: some deaths are not placed in a governorate."
            )
        return (
            f"The governorates add up to {places:,}, {-gap:,} more than the {stated} of "
            f"{total.value:,}: see the quality issues."
        )

    def caption(self, chart: str) -> Caption:
        """The caption of one of the section's charts."""
        figures: list[Cited] = []
        if chart in ("monthly", "multiples"):
            for bar in self.bars:
                figures.extend(bar.parts)
                if chart == "monthly" and bar.total.stated:
                    figures.append(bar.total.stated)
        elif chart == "shares":
            for row in self.shares:
                for total in (row.civilians, row.children, row.women):
                    figures.extend(total.figures if total else ())
        elif chart == "governorates":
            figures.extend(c for p in self.governorates for c in p.cells[:1] if c)
        return Caption(self.publisher, tuple(figures))

    def cited(self) -> Iterable[Cited]:
        """Every figure the section shows."""
        for bar in self.bars:
            yield from bar.parts
            yield from bar.total.figures
        for row in self.shares:
            for total in (row.children, row.women):
                yield from total.figures if total else ()
        if self.headline:
            yield from self.headline.others
        for cells in (*(r.cells for r in self.table), *(p.cells for p in self.governorates)):
            yield from (c for c in cells if c)


@dataclass(frozen=True)
class IssueGroup:
    """Open quality findings of one check."""

    check: str
    severity: str
    description: str
    messages: tuple[str, ...]

    @property
    def examples(self) -> tuple[str, ...]:
        """The first few findings."""
        return self.messages[:ISSUE_EXAMPLES]

    @property
    def more(self) -> int:
        """How many findings are not shown."""
        return max(0, len(self.messages) - ISSUE_EXAMPLES)


@dataclass(frozen=True)
class Conflict:
    """The same claim stated with two different numbers by two documents."""

    a: Cited
    b: Cited
    across_sources: bool
    reconcile: bool
    period_end: date | None
    publisher_a: str = ""
    publisher_b: str = ""

    @property
    def claim(self) -> str:
        """What both documents count: 'Civilians killed by Russian forces, June 2024'."""
        what = wording.metric_phrase(self.a.metric, self.a.victim_group)
        if self.a.perpetrator and self.a.perpetrator != TOTAL:
            what += f" by {wording.perpetrator_label(self.a.perpetrator)}"
        if self.a.place:
            what += f" in {wording.place_label(self.a.place)}"
        return f"{what}, {wording.period_label(self.a.month, self.period_end)}"


@dataclass(frozen=True)
class DocumentRef:
    """A document the report cites, numbered for print."""

    number: int
    url: str
    title: str | None
    published: date | None
    fetched_at: datetime | None

    @property
    def href(self) -> str | None:
        """The URL when it may be a link."""
        return wording.safe_href(self.url)


@dataclass(frozen=True)
class Report:
    """The whole report."""

    generated_at: datetime
    last_collection: datetime | None
    scope: Scope
    sections: tuple[SourceSection, ...]
    issues: tuple[IssueGroup, ...]
    conflicts: tuple[Conflict, ...]
    documents: tuple[DocumentRef, ...] = ()
    numbers: dict[str, int] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        """Whether any source has figures in scope."""
        return any(s.has_data for s in self.sections)

    @property
    def issue_count(self) -> int:
        """How many quality findings are open in scope."""
        return sum(len(g.messages) for g in self.issues)

    def document_number(self, url: str) -> int:
        """The number of a cited document in the list of documents."""
        return self.numbers[url]


def row_urls(rows: Iterable[FigureRow | PlaceRow]) -> tuple[str, ...]:
    """The documents a table's numbers come from (one: cite it once, in the caption)."""
    return tuple(sorted({c.url for row in rows for c in row.cells if c}))


def previous_month(month: date) -> date:
    """The first day of the month before."""
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def month_range(first: date, last: date) -> tuple[date, ...]:
    """Every month from first to last, gaps included."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return tuple(months)
