"""`toll report`: the static HTML report for readers who do not write SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import HomeOption
from flows.cli.output import data_console, shown
from flows.config import CONFIG_ENV, load_config, resolve_config_path, resolve_home

console = data_console()
errors = data_console(stderr=True)


def report(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="HTML file to write \\[default: the \\[report] path of the sources file, "
            "inside the data folder].",
            show_default=False,
        ),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only months from YYYY-MM-DD on.")
    ] = None,
    home: HomeOption = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar=CONFIG_ENV,
            help="Sources file, read for the default --out \\[default: ./sources.toml].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML page from the published warehouse: headline totals,
    charts, the latest figures linked to their documents, quality issues and disagreements.
    It opens offline and never requests anything.

    Example: [bold]toll report --out report.html --since 2024-01-01[/]
    """
    from warehouse.database import WarehouseMissing
    from warehouse.outputs.report import UnknownSource, write_report

    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter("--since must be a date, YYYY-MM-DD") from None
    home_path = resolve_home(home)
    if out is None:
        out = home_path / load_config(resolve_config_path(config)).report.path
    try:
        written = write_report(home_path, out, source=source, since=since_date)
    except (WarehouseMissing, UnknownSource) as error:
        errors.print(f"[red]{shown(error.args[0] if error.args else error)}[/]")
        raise typer.Exit(2) from None
    console.print(
        f"report written: [bold]{shown(written.path)}[/] ({written.bytes / 1e6:.1f} MB, "
        f"{written.charts} charts, {written.sources} source(s), {written.seconds:.1f} s)"
    )
