"""`toll export` and `toll explain`: figures out of the warehouse with their provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flows.cli.options import ExportFormat, HomeOption
from flows.cli.query import connect_published
from flows.config import resolve_home
from warehouse.errors import CommandFailed, NotFound

console = Console()


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="What to write.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    home: HomeOption = None,
) -> None:
    """Export the figures with their provenance: Parquet (partitioned by source), CSV, or
    HXL-tagged CSV. One consistent snapshot, even while a run loads.

    Example: [bold]toll export --format hxl --out exports/[/]
    """
    from warehouse.outputs.export import export as write_export

    with connect_published(resolve_home(home)) as conn:
        result = write_export(conn, fmt.value, out)
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
    from warehouse.outputs.explain import explain as gather
    from warehouse.outputs.explain import html_context, number_spans, render_pdf_page

    home_path = resolve_home(home)
    if png is not None and not png.parent.is_dir():
        raise NotFound(f"no folder {png.parent} to write {png.name} into (--png)")
    with connect_published(home_path) as conn:
        found = gather(conn, figure_id)
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
            raise CommandFailed(f"cannot render: {error}") from None
        console.print(f"page rendered with the figure outlined: [bold]{written}[/]")
