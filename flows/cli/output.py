"""Rich renderings for the CLI: run summaries, run history, query results, and `shown`,
the one door through which every data value reaches a terminal."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from flows.summary import RunSummary

# C0 controls but tab and newline (ESC starts ANSI sequences; CR overwrites a line), DEL, C1
# controls (CSI), and the bidi embeddings, overrides and isolates that reorder what is shown.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(value: object, *, markup: bool = True) -> str:
    """A data value (document text, a URL, an error, a query result) as it may reach a
    terminal: control characters and bidi overrides removed and, unless it goes into a
    `rich.text.Text` (markup=False), rich markup escaped, so `[/]` is text, not a crash,
    and `[link=...]` is text, not a hyperlink."""
    text = _UNSHOWABLE.sub("", "" if value is None else str(value))
    return escape(text) if markup else text


def data_console(stderr: bool = False) -> Console:
    """A console for commands that print data: no `:emoji:` codes read from the data."""
    return Console(stderr=stderr, emoji=False)


if TYPE_CHECKING:
    from flows.reparse_preview import ReparsePreview


def summary_table(summary: RunSummary) -> Table:
    """One run's counts, one per line (readable in a narrow terminal)."""
    c = summary.counts
    table = Table(
        title=f"{summary.flow} run {summary.status} in {summary.seconds:.1f} s",
        title_justify="left",
    )
    table.add_column("documents and figures")
    table.add_column("count", justify="right")
    for label, value in (
        ("documents discovered", c.discovered),
        ("fetched (new or changed)", c.fetched),
        ("not modified", c.not_modified),
        ("fetch failed", c.fetch_failed),
        ("parser runs ok", c.parsed),
        ("parser runs failed", c.parse_failed),
        ("figures added", c.figures_added),
        ("figures replaced", c.figures_replaced),
        ("open quality issues", c.quality_issues),
    ):
        table.add_row(label, f"{value:,}")
    table.caption = f"run id {summary.run_id}"
    return table


def failures_table(failures: Sequence[dict[str, str]], limit: int = 20) -> Table:
    """The documents and sources that failed, and why."""
    table = Table(title=f"failures ({len(failures)})", title_justify="left")
    for name in ("source", "stage", "url", "error"):
        table.add_column(name, overflow="fold")
    for failure in failures[:limit]:
        table.add_row(*(shown(failure.get(key, "")) for key in ("source", "stage", "url", "error")))
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def result_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> Table:
    """A query result as a rich table; short columns never wrap, long text folds."""
    table = Table(
        title=shown(title) or None, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
    )
    cells = [[shown("" if v is None else _plain(v)) for v in row] for row in rows]
    for index, column in enumerate(columns):
        longest = max([len(column), *(len(row[index]) for row in cells)])
        table.add_column(
            shown(column), no_wrap=longest <= 20, overflow="fold", min_width=min(longest, 20)
        )
    for row in cells:
        table.add_row(*row)
    return table


def result_records(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> Table:
    """A query result one record per block, `column  value` a line (psql's expanded
    display): every column shows, however narrow the terminal."""
    table = Table(title=shown(title) or None, title_justify="left", box=None, show_header=False)
    table.add_column("column", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for number, row in enumerate(rows, start=1):
        if number > 1:
            table.add_row("", "")
        table.add_row(f"-[ record {number} ]-", "", style="dim")
        for column, value in zip(columns, row, strict=True):
            table.add_row(shown(column), shown("" if value is None else _plain(value)))
    return table


def fits(width: int, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bool:
    """Whether `result_table` shows every column on a terminal this wide. Each column needs
    its longest value (up to 20 characters; longer text folds) and two of padding; past the
    terminal's width rich would squeeze columns to nothing, hiding them without a word."""
    cells = [["" if v is None else str(_plain(v)) for v in row] for row in rows]
    needed = 0
    for index, column in enumerate(columns):
        longest = max([len(column), *(len(row[index]) for row in cells)])
        needed += min(longest, 20) + 2
    return needed <= width


def print_result(
    console: Console, columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str = ""
) -> None:
    """A query result on the terminal: a table when every column fits, else one record per
    block; `(no rows)` when there is nothing."""
    if not rows:
        if title:
            console.print(shown(title))
        console.print("(no rows)", style="dim")
        return
    if fits(console.width, columns, rows):
        console.print(result_table(columns, rows, title))
    else:
        console.print(result_records(columns, rows, title))


def alarms_table(alarms: Sequence[str]) -> Table:
    """Sources gone quiet: the stale-source findings open after a run."""
    table = Table(title=f"alarms ({len(alarms)})", title_justify="left")
    table.add_column("source gone quiet", overflow="fold", style="yellow")
    for alarm in alarms:
        table.add_row(shown(alarm))
    return table


def result_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A query result as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return out.getvalue()


def result_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A query result as a JSON array of objects."""
    records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=1, default=str)


class ProgressBars:
    """Progress bars for the stages of a run, in an interactive terminal."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:>8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ProgressBars:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, stage: str, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        else:
            task = self.tasks[stage]
            self.progress.update(task, total=(self.progress.tasks[task].total or 0) + total)

    def advance(self, stage: str, amount: int) -> None:
        if stage not in self.tasks:
            self.start(stage, amount)
        self.progress.advance(self.tasks[stage], amount)


def reparse_preview_table(preview: ReparsePreview) -> Table:
    """What `toll reparse` would change: one row per parser and source."""
    table = Table(title="reparse preview (nothing written)", title_justify="left")
    table.add_column("parser / source", overflow="fold")
    table.add_column("versions", overflow="fold")
    for name in ("documents", "same", "added", "removed", "changed", "failed"):
        table.add_column(name, justify="right", no_wrap=True)
    for group in preview.groups:
        versions = ", ".join(sorted(group.from_versions)) or "none"
        table.add_row(
            Text(shown(f"{group.parser} / {group.source}", markup=False)),
            Text(f"{versions} -> {group.to_version}"),
            f"{group.documents:,}", f"{group.unchanged:,}", f"{group.count('added'):,}",
            f"{group.count('removed'):,}", f"{group.count('changed'):,}",
            f"{len(group.failed):,}",
        )  # fmt: skip
    return table


def reparse_preview_examples(preview: ReparsePreview, limit: int = 3) -> Text:
    """A few figures of each kind of change, with the sentence or cell they were read from;
    document text goes in as Text, never as markup."""
    lines = Text()
    for group in preview.groups:
        kinds = ("added", "removed", "changed")
        picked = [c for kind in kinds for c in group.examples(kind, limit)]
        if not picked and not group.failed:
            continue
        lines.append(f"{group.parser} / {group.source}\n", style="bold")
        for change in picked:
            lines.append(
                f"  {change.kind:8} {shown(change.describe(), markup=False)}\n",
                style=_STYLES[change.kind],
            )
            lines.append(f"           “{shown(change.snippet[:160], markup=False)}”\n", style="dim")
        for failure in group.failed[:limit]:
            lines.append(f"  failed   {shown(failure, markup=False)}\n", style="red")
    return lines


_STYLES = {"added": "green", "removed": "red", "changed": "yellow"}
