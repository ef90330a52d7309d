"""`toll report`: the static HTML report for readers who do not write SQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import ConfigOption, HomeOption, SinceOption, SourceOption
from flows.cli.output import data_console, shown
from flows.config import load_config, resolve_config_path, resolve_home

console = data_console()


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
    source: SourceOption = None,
    since: SinceOption = None,
    home: HomeOption = None,
    config: ConfigOption = None,
) -> None:
    """Write one self-contained HTML page from the published warehouse: headline totals,
    charts, the latest figures linked to their documents, quality issues and disagreements.
    It opens offline and never requests anything. --since keeps the months from that date
    on; without --out, the sources file's \\[report] path decides where it goes.

    Example: [bold]toll report --out report.html --since 2024-01-01[/]
    """
    from warehouse.outputs.report import write_report

    home_path = resolve_home(home)
    if out is None:
        out = home_path / load_config(resolve_config_path(config)).report.path
    written = write_report(home_path, out, source=source, since=since)
    console.print(
        f"report written: [bold]{shown(written.path)}[/] ({written.bytes / 1e6:.1f} MB, "
        f"{written.charts} charts, {written.sources} source(s), {written.seconds:.1f} s)"
    )
