"""`toll export` and `toll explain`: figures out of the warehouse with their provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flows.cli.options import ConfigOption, ExportFormat, HomeOption
from flows.cli.output import data_console, shown
from flows.cli.query import connect_published
from flows.config import load_config, resolve_config_path, resolve_home
from warehouse.errors import CommandFailed, NotFound, UsageError

console = data_console()


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="What to write.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    home: HomeOption = None,
    escape_formulas: Annotated[
        bool,
        typer.Option(
            "--escape-formulas/--no-escape-formulas",
            help="Prefix CSV/HXL text cells starting with = + - @ with ' so spreadsheets do "
            "not run them (turn off for programs that read the file).",
        ),
    ] = True,
) -> None:
    """Export the figures with their provenance: Parquet (partitioned by source), CSV, or
    HXL-tagged CSV. One consistent snapshot, even while a run loads.

    Example: [bold]toll export --format hxl --out exports/[/]
    """
    from warehouse.outputs.export import export as write_export

    with connect_published(resolve_home(home)) as conn:
        result = write_export(conn, fmt.value, out, escape_formulas)
    console.print(f"{result.rows:,} rows written as {result.format}:")
    for path in result.paths:
        console.print(f"  {shown(path)}")


def explain(
    figure_id: Annotated[str, typer.Argument(help="Figure id (or a unique prefix).")],
    home: HomeOption = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Render the PDF page with the cell outlined into this .png."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --png file if it exists.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Everything about one figure: the number, its document, fetch, parser run, and the
    snippet with the number highlighted.

    Example: [bold]toll explain 3f2a9c1b --png cell.png[/]
    """
    from warehouse.outputs.explain import explain as gather
    from warehouse.outputs.explain import html_context, number_spans

    if png is not None and png.suffix.lower() != ".png":
        raise UsageError(f"--png must name a .png file, not {png}")
    if png is not None and png.exists() and not force:
        raise UsageError(f"{png} exists: add --force to replace it")
    if png is not None and not png.parent.is_dir():
        raise NotFound(f"no folder {png.parent} to write {png.name} into (--png)")
    home_path = resolve_home(home)
    with connect_published(home_path) as conn:
        found = gather(conn, figure_id)
    f, d, fe, pr = found.figure, found.document, found.fetch, found.parse_run
    count = f"{f['count']:,}" + (f"–{f['count_high']:,}" if f["count_high"] is not None else "")
    claim = (
        f"[bold]{count}[/] {shown(f['victim_group'] or f['victim_raw'])} {shown(f['metric'])} "
        f"({shown(f['qualifier'])}), perpetrator {shown(f['perpetrator'] or f['perpetrator_raw'])}"
        f", place {shown(f['place'] or 'all / not stated')}, "
        f"period {f['period_start']} .. {f['period_end']}"
    )
    plain_snippet = shown(f["snippet"], markup=False)
    snippet = Text(plain_snippet)
    for start, end in number_spans(plain_snippet, int(f["count"])):
        snippet.stylize("bold black on yellow", start, end)
    redirected = d.get("final_url") not in (None, d["url"])
    details = Table.grid(padding=(0, 2))
    details.add_column(style="dim")
    details.add_column(overflow="fold")
    rows = [
        ("figure", f["figure_id"]),
        ("raw", f"victim {f['victim_raw']!r}, perpetrator {f['perpetrator_raw']!r}, "
                f"place {f['place_raw']!r}, period {f['period_raw']!r}"),
        ("attribution", f"{f.get('attribution')} (how the perpetrator was decided), "
                        f"certainty {f.get('certainty')}"),
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
        details.add_row(label, shown(value))
    console.print(Panel(details, title=claim, title_align="left"))
    console.print(Panel(snippet, title="snippet", title_align="left"))
    if d["media_type"] == "text/html" and found.locator.get("css_path"):
        context = html_context(home_path, found)
        console.print(
            Panel(
                f"{shown(context['element_path'])}\n\n{shown(context['surrounding_text'])}",
                title="HTML element",
                title_align="left",
            )
        )
    if png is not None:
        _write_png(home_path, found, png, force, config)


def _write_png(home: Path, found, png: Path, force: bool, config: Path | None) -> None:
    """Render the figure's page within the parse budget (a hostile PDF costs a message, not
    the machine) and write it to `png` atomically, replacing a file only with --force."""
    from flows.budget import Budget, BudgetExceeded, run_within_budget
    from warehouse.files import atomic_file
    from warehouse.outputs.explain import render_png

    settings = load_config(resolve_config_path(config)).parse
    budget = Budget(settings.time_budget_seconds, settings.memory_budget_mb)
    try:
        image = run_within_budget(render_png, (home, found), budget)
    except (ValueError, BudgetExceeded) as error:
        raise CommandFailed(f"cannot render: {error}") from None
    try:
        with atomic_file(png, replace=force) as out:
            out.write(image)
    except FileExistsError:
        raise UsageError(f"{png} exists: add --force to replace it") from None
    console.print(f"page rendered with the figure outlined: [bold]{shown(png)}[/]")
