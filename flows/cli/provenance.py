"""`toll check`, `toll reparse`, `toll export` and `toll explain`: the analysts' commands."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flows.cli.options import HomeOption
from flows.config import resolve_home

console = Console()
errors = Console(stderr=True)


def _reader(home: Path) -> contextlib.closing:
    """A read-only connection to the published warehouse, closed after the block."""
    from warehouse.database import WarehouseMissing, connect_reader

    try:
        return contextlib.closing(connect_reader(home))
    except WarehouseMissing as error:
        errors.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None


def check(
    home: HomeOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when any error is open.")
    ] = False,
    examples: Annotated[int, typer.Option("--examples", help="Findings shown per check.")] = 3,
) -> None:
    """Print the open quality findings of the last validation, grouped by check.

    Example: [bold]toll check --strict[/]
    """
    from warehouse.checks import CHECKS

    home_path = resolve_home(home)
    with _reader(home_path) as conn:
        rows = conn.execute(
            """
            SELECT check_name, severity, message FROM quality_issues
            WHERE resolved_at IS NULL ORDER BY check_name, first_found_at, issue_id
            """
        ).fetchall()
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, severity, message in rows:
        grouped[name].append((severity, message))
    table = Table(title=f"open quality findings: {len(rows)}", title_justify="left")
    for column in ("check", "severity", "open", "what it means / examples"):
        table.add_column(column, overflow="fold")
    for item in CHECKS:
        found = grouped.pop(item.name, [])
        shown = "\n".join(f"• {m}" for _, m in found[:examples])
        table.add_row(item.name, item.severity, str(len(found)), f"{item.description}\n{shown}")
    for name, found in grouped.items():  # findings of checks that no longer exist
        table.add_row(name, found[0][0], str(len(found)), "\n".join(m for _, m in found[:3]))
    console.print(table)
    open_errors = sum(1 for _, severity, _ in rows if severity == "error")
    if strict and open_errors:
        errors.print(f"[red]{open_errors} open error(s)[/]")
        raise typer.Exit(1)


def reparse(
    home: HomeOption = None,
    parser: Annotated[str | None, typer.Option("--parser", help="Only this parser.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only documents first seen on/after YYYY-MM-DD.")
    ] = None,
    task_runner: Annotated[
        str, typer.Option("--task-runner", help="threads, processes or dask.")
    ] = "processes",
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a running ingest.")] = False,
) -> None:
    """Run the parsers again over archived documents (no network). A parser's new version
    replaces its figures; parse_runs keeps the history; running it twice adds nothing.

    Example: [bold]toll reparse --parser pdf_tables --since 2024-01-01[/]
    """
    from flows.cli.run import RunOptions, print_summary, run_flow

    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter("--since must be a date, YYYY-MM-DD") from None
    try:
        summary = run_flow(
            "reparse",
            RunOptions(task_runner=task_runner, wait=wait),
            home=str(resolve_home(home)),
            parser=parser,
            source=source,
            since=since_date,
        )
    except KeyError as error:
        errors.print(f"[red]{error.args[0]}[/]")
        raise typer.Exit(2) from None
    print_summary(summary)


def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or hxl.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    home: HomeOption = None,
) -> None:
    """Export the figures with their provenance: Parquet (partitioned by source), CSV, or
    HXL-tagged CSV. One consistent snapshot, even while a run loads.

    Example: [bold]toll export --format hxl --out exports/[/]
    """
    from warehouse.export import EXPORT_FORMATS
    from warehouse.export import export as write_export

    if fmt not in EXPORT_FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(EXPORT_FORMATS)}")
    with _reader(resolve_home(home)) as conn:
        result = write_export(conn, fmt, out)
    console.print(f"{result.rows:,} rows written as {result.format}:")
    for path in result.paths:
        console.print(f"  {path}")


def explain(
    figure_id: Annotated[str, typer.Argument(help="Figure id (or a unique prefix).")],
    home: HomeOption = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Render the PDF page with the cell outlined.")
    ] = None,
) -> None:
    """Everything about one figure: the number, its document, fetch, parser run, and the
    snippet with the number highlighted.

    Example: [bold]toll explain 3f2a9c1b --png cell.png[/]
    """
    from warehouse.explain import FigureNotFound, html_context, number_spans, render_pdf_page
    from warehouse.explain import explain as gather

    home_path = resolve_home(home)
    with _reader(home_path) as conn:
        try:
            found = gather(conn, figure_id)
        except FigureNotFound as error:
            errors.print(f"[red]{error}[/]")
            raise typer.Exit(2) from None
    f, d, fe, pr = found.figure, found.document, found.fetch, found.parse_run
    count = f"{f['count']:,}" + (f"–{f['count_high']:,}" if f["count_high"] is not None else "")
    claim = (
        f"[bold]{count}[/] {f['victim_group'] or f['victim_raw']} {f['metric']} "
        f"({f['qualifier']}), perpetrator {f['perpetrator'] or f['perpetrator_raw']}, "
        f"place {f['place'] or 'all / not stated'}, period {f['period_start']} .. {f['period_end']}"
    )
    snippet = Text(f["snippet"])
    for start, end in number_spans(f["snippet"], int(f["count"])):
        snippet.stylize("bold black on yellow", start, end)
    redirected = d.get("final_url") not in (None, d["url"])
    details = Table.grid(padding=(0, 2))
    details.add_column(style="dim")
    details.add_column(overflow="fold")
    rows = [
        ("figure", f["figure_id"]),
        ("raw", f"victim {f['victim_raw']!r}, perpetrator {f['perpetrator_raw']!r}, "
                f"place {f['place_raw']!r}, period {f['period_raw']!r}"),
        ("part of", f"{found.parent['count']} {found.parent['victim_group']} "
                    f"({found.parent['figure_id']})" if found.parent else "—"),
        ("document", d["url"] + (f" → {d['final_url']}" if redirected else "")),
        ("title", str(d.get("title") or "—")),
        ("published", str(d.get("published") or "—")),
        ("sha256", d["sha256"]),
        ("archive", str(home_path / d["archive_path"])),
        ("fetched", f"{fe.get('requested_at')} HTTP {fe.get('status_code')} "
                    f"etag {fe.get('etag')}"),
        ("parser", f"{f['parser']} {f['parser_version']} (run {pr.get('parse_run_id')}, "
                   f"{pr.get('duration_ms')} ms)"),
        ("locator", str(found.locator)),
    ]  # fmt: skip
    for label, value in rows:
        details.add_row(label, value)
    console.print(Panel(details, title=claim, title_align="left"))
    console.print(Panel(snippet, title="snippet", title_align="left"))
    if d["media_type"] == "text/html" and found.locator.get("css_path"):
        context = html_context(home_path, found)
        console.print(
            Panel(
                f"{context['element_path']}\n\n{context['surrounding_text']}",
                title="HTML element",
                title_align="left",
            )
        )
    if png is not None:
        try:
            written = render_pdf_page(home_path, found, png)
        except ValueError as error:
            errors.print(f"[red]cannot render:[/] {error}")
            raise typer.Exit(1) from None
        console.print(f"page rendered with the figure outlined: [bold]{written}[/]")


def register(app: typer.Typer) -> None:
    """Add the analysts' commands to the `toll` app."""
    app.command()(check)
    app.command()(reparse)
    app.command()(export)
    app.command()(explain)
