"""Figures from a table grid, whatever the table came from (PDF or HTML).

Monitors' tables put one dimension in the rows (perpetrators, governorates or months) and
victim groups or metrics in the columns, e.g.

    | Perpetrator          | Civilians | Children | Women |
    | Syrian regime forces |        61 |       12 |     7 |
    | Total                |       93 |       21 |    11 |

Each numeric cell becomes a figure. Header rows are the leading rows without counts; several
header rows (merged header cells) are joined per column. A totals row is kept as `all_parties`
(or all places), never as another perpetrator. Children and women cells point at their row's
civilians cell as their parent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from parsers.extraction.phrases import languages, phrase_book
from parsers.model import Figure, Locator
from parsers.numbers import parse_count, to_ascii_digits
from parsers.periods import Period, parse_period
from parsers.qualifiers import qualifier_before
from parsers.vocabulary import metric_id, normalize_key, vocabulary

Grid = Sequence[Sequence[str | None]]
CellLocator = Callable[[int, int], Locator]

_TOTAL_LABELS = {"total", "totals", "grand total", "sum", "all", "overall", "المجموع", "الإجمالي"}
_EMPTY_CELLS = {"", "-", "–", "—", "n/a", "na", "..", "…", "x"}
_RANGE_CELL = re.compile(r"^\s*(?P<low>[\d,.\s]+?)\s*(?:–|—|-|to)\s*(?P<high>[\d,.\s]+)\s*$")
_COUNT_CELL = re.compile(
    r"^\s*(?P<qual>(?:at\s+least|no\s+less\s+than|more\s+than|over|about|approx\.?|~|≥|>|<)\s*)?"
    r"(?P<num>[\d٠-٩۰-۹][\d٠-٩۰-۹,.\s\u00a0\u202f٬]*)\s*\*?\s*$",
    re.IGNORECASE,
)
_SYMBOL_QUALIFIERS = {"~": "approximately", "≥": "at_least", ">": "more_than", "<": "less_than"}


@dataclass(frozen=True)
class TableContext:
    """What surrounds a table: its caption or heading, and the document's defaults."""

    caption: str = ""
    published: date | None = None
    default_period: Period | None = None
    title: str = ""  # the document's title, when the caption says nothing of what is counted


@dataclass(frozen=True)
class CellValue:
    """A parsed count cell."""

    count: int
    count_high: int | None
    qualifier: str


def clean_cell(value: str | None) -> str:
    """Cell text with whitespace collapsed (PDF cells carry line breaks)."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", value).strip()


def read_count_cell(text: str) -> CellValue | None:
    """A cell holding a count ("1,203", "≥ 12", "3 – 7"); None for labels and empty cells."""
    text = to_ascii_digits(clean_cell(text))
    if text.lower() in _EMPTY_CELLS:
        return None
    ranged = _RANGE_CELL.match(text)
    if ranged:
        low, high = parse_count(ranged.group("low")), parse_count(ranged.group("high"))
        if low is not None and high is not None and low <= high:
            return CellValue(low, high, "range")
    match = _COUNT_CELL.match(text)
    if not match:
        return None
    count = parse_count(match.group("num"))
    if count is None:
        return None
    qual_text = (match.group("qual") or "").strip()
    qualifier = _SYMBOL_QUALIFIERS.get(qual_text) or qualifier_before(qual_text + " ")[0]
    return CellValue(count, None, qualifier)


def header_row_count(grid: Grid, limit: int = 3) -> int:
    """How many leading rows are headers: rows with no count outside the first column."""
    count = 0
    for row in grid[:limit]:
        if any(read_count_cell(cell or "") for cell in row[1:]):
            break
        count += 1
    return count


def column_headers(header_rows: Grid, width: int) -> list[list[str]]:
    """The stacked header texts of each column, top to bottom. A merged cell in an upper
    header row covers the empty cells to its right ("Victims" over three columns)."""
    headers: list[list[str]] = [[] for _ in range(width)]
    for position, row in enumerate(header_rows):
        carried = ""
        upper = position < len(header_rows) - 1
        for index in range(width):
            cell = clean_cell(row[index]) if index < len(row) else ""
            if upper:
                carried = cell or carried
                cell = cell or carried
            if cell and cell not in headers[index]:
                headers[index].append(cell)
    return headers


def most_specific(parts: Sequence[str], vocabulary_name: str) -> str | None:
    """The lowest header text that names a value of the vocabulary ("Women" under "Victims")."""
    for part in reversed(parts):
        if vocabulary(vocabulary_name).lookup(part):
            return part
    return None


def _is_total(label: str) -> bool:
    key = normalize_key(label)
    return key in _TOTAL_LABELS or key.startswith("total ") or key.endswith(" total")


def classify_labels(labels: Sequence[str], published: date | None) -> str:
    """Decide whether labels name perpetrators, places, victim groups or periods."""
    votes = {"perpetrator": 0, "place": 0, "victim_group": 0, "period": 0}
    for label in labels:
        if not label or _is_total(label):
            continue
        if vocabulary("perpetrators").lookup(label):
            votes["perpetrator"] += 1
        if vocabulary("places").lookup(label):
            votes["place"] += 1
        if vocabulary("victim_groups").lookup(label):
            votes["victim_group"] += 1
        if parse_period(label, published):
            votes["period"] += 1
    kind, best = max(votes.items(), key=lambda item: item[1])
    return kind if best > 0 else "unknown"


def counts_casualties(caption: str, labels: Sequence[str], row_labels: Sequence[str]) -> bool:
    """Whether a table says it counts what happened to people (killed, injured, detained,
    displaced...) in its caption, a column header or a row label, in any language read."""
    text = " | ".join([caption, *labels, *row_labels])
    return any(phrase_book(language).metrics(text) for language in languages())


def _caption_metric(caption: str) -> str:
    lowered = caption.lower()
    if "torture" in lowered:
        return "died_under_torture"
    if re.search(r"injur|wound", lowered):
        return "injured"
    if re.search(r"arrest|detain|detention", lowered):
        return "detained"
    return "killed"


def _caption_group(caption: str) -> str | None:
    found = vocabulary("victim_groups").find(caption) if caption else None
    return found[1] if found else None


def figures_from_grid(
    grid: Grid,
    cell_locator: CellLocator,
    context: TableContext,
    inherited_header: Grid | None = None,
) -> list[Figure]:
    """Figures of one table grid. `inherited_header` serves a table continued from the
    previous page whose own header row is missing."""
    rows = [list(row) for row in grid if any(clean_cell(c) for c in row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [None] * (width - len(row)) for row in rows]
    n_header = header_row_count(rows)
    header: Grid = rows[:n_header]
    if n_header == 0 and inherited_header:
        header = inherited_header
    headers = column_headers(header, width)
    labels = [" ".join(parts) for parts in headers]
    body_start = n_header
    row_labels = [clean_cell(row[0]) for row in rows[body_start:]]
    row_kind = classify_labels(row_labels, context.published)
    column_kind = classify_labels(labels[1:], context.published)
    if row_kind == "unknown" and column_kind == "unknown":
        return []
    caption = clean_cell(context.caption)
    if not counts_casualties(caption, labels, row_labels):
        if not counts_casualties(clean_cell(context.title), [], []):
            return []  # a table of trainees, passengers or layoffs by month
        caption = f"{caption} {clean_cell(context.title)}".strip()

    caption_period = parse_period(caption, context.published) or context.default_period
    caption_perpetrator = vocabulary("perpetrators").find(caption) if caption else None
    caption_group = _caption_group(caption)
    metric_default = _caption_metric(caption)

    figures: list[Figure] = []
    grid_row_offset = _row_offset(grid, body_start)
    for body_index, row in enumerate(rows[body_start:]):
        row_label = clean_cell(row[0])
        row_is_total = _is_total(row_label)
        row_figures: list[Figure] = []
        for col in range(1, width):
            value = read_count_cell(row[col] or "")
            if value is None:
                continue
            column_label = labels[col]
            column_group = most_specific(headers[col], "victim_groups")
            victim_raw, metric, perpetrator_raw, place_raw, period = _dimensions(
                row_label,
                row_kind,
                row_is_total,
                column_label,
                column_group,
                column_kind,
                caption_group,
                caption_perpetrator[1] if caption_perpetrator else None,
                metric_default,
                caption_period,
                context.published,
            )
            grid_row = grid_row_offset[body_index]
            snippet = " | ".join(
                part
                for part in (caption[:120], row_label, f"{column_label}: {clean_cell(row[col])}")
                if part
            )
            figure = Figure(
                metric=metric,
                count=value.count,
                count_high=value.count_high,
                qualifier=value.qualifier,
                victim_raw=victim_raw,
                perpetrator_raw=perpetrator_raw,
                period_raw=None,
                place_raw=place_raw,
                locator=cell_locator(grid_row, col),
                snippet=snippet,
                attribution=_attribution(perpetrator_raw, caption_perpetrator),
            ).with_period(period)
            row_figures.append(figure)
        figures.extend(_link_subgroups(row_figures, first_index=len(figures)))
    return figures


def _attribution(perpetrator_raw: str | None, caption: tuple[str, str] | None) -> str:
    """How a cell's perpetrator was decided: its row or column label ("table"), the table's
    caption ("heading"), or not at all (a total over all parties)."""
    if perpetrator_raw is None:
        return "none"
    if caption is not None and perpetrator_raw == caption[1]:
        return "heading"
    return "table"


def _link_subgroups(row_figures: list[Figure], first_index: int) -> list[Figure]:
    """Point children/women/men cells of a row at the row's civilians (or people) cell."""
    groups = [vocabulary("victim_groups").lookup(f.victim_raw) for f in row_figures]
    parent = next(
        (
            first_index + i
            for i, (f, g) in enumerate(zip(row_figures, groups, strict=True))
            if g in {"civilians", "people"} and f.metric == row_figures[i].metric
        ),
        None,
    )
    if parent is None:
        return row_figures
    return [
        replace(f, parent=parent) if g in {"children", "women", "men"} else f
        for f, g in zip(row_figures, groups, strict=True)
    ]


def _row_offset(grid: Grid, body_start: int) -> list[int]:
    """Index in the original grid of each kept body row (empty rows were dropped)."""
    indexes = [i for i, row in enumerate(grid) if any(clean_cell(c) for c in row)]
    return indexes[body_start:]


def _dimensions(
    row_label: str,
    row_kind: str,
    row_is_total: bool,
    column_label: str,
    column_group: str | None,
    column_kind: str,
    caption_group: str | None,
    caption_perpetrator: str | None,
    metric_default: str,
    caption_period: Period | None,
    published: date | None,
) -> tuple[str, str, str | None, str | None, Period | None]:
    """(victim raw, metric, perpetrator raw, place raw, period) of one cell."""
    victim_raw = caption_group or "people"
    metric = metric_default
    perpetrator_raw = caption_perpetrator
    place_raw: str | None = None
    period = caption_period

    column_metric = metric_id(column_label) if column_label else None
    if column_group:
        victim_raw = column_group
    if column_metric and column_metric != "killed":
        metric = column_metric  # "Died under torture", "Injured" columns
    if column_kind == "perpetrator":
        perpetrator_raw = column_label  # a "Total" column reads as all_parties
    elif column_kind == "place" and not _is_total(column_label):
        place_raw = column_label

    if row_kind == "perpetrator":
        perpetrator_raw = row_label  # a totals row reads as all_parties through the vocabulary
    elif row_kind == "place":
        place_raw = None if row_is_total else row_label
    elif row_kind == "victim_group" and not row_is_total:
        victim_raw = row_label
    elif row_kind == "period" and not row_is_total:
        period = parse_period(row_label, published) or period
    return victim_raw, metric, perpetrator_raw, place_raw, period
