"""The options `toll` commands share, each defined once: where the data lives, which sources
file and sources, from which date, where parse tasks run, whether to wait for another run, and
how results print. Choices are Enums, so `--help` lists them and a typo is rejected before
the command runs; `--since` is parsed here and nowhere else.

(`\\[` keeps rich from reading "[default: ...]" as markup.)
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flows.config import CONFIG_ENV, HOME_ENV


class TaskRunner(StrEnum):
    """Where parse tasks run."""

    threads = "threads"
    processes = "processes"
    dask = "dask"


class OutputFormat(StrEnum):
    """How a query result prints."""

    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    """What `toll export` writes."""

    parquet = "parquet"
    csv = "csv"
    hxl = "hxl"


class MediaKind(StrEnum):
    """The kind of document a new parser reads."""

    html = "html"
    pdf = "pdf"
    text = "text"


def parse_since(value: str | date | None) -> date | None:
    """`--since YYYY-MM-DD` as a date; anything else is a usage error naming the option."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; give it as YYYY-MM-DD") from None


HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar=HOME_ENV,
        help="Data folder holding warehouse.duckdb and archive/ \\[default: ./data].",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar=CONFIG_ENV,
        help="Sources file \\[default: ./sources.toml, else the one shipped with toll].",
        show_default=False,
    ),
]
SourcesOption = Annotated[
    list[str] | None,
    typer.Option("--source", help="Only this source (repeatable).", show_default=False),
]
SourceOption = Annotated[
    str | None, typer.Option("--source", help="Only this source.", show_default=False)
]
SinceOption = Annotated[
    date | None,
    typer.Option(
        "--since",
        parser=parse_since,
        metavar="YYYY-MM-DD",
        help="Only from this date on.",
        show_default=False,
    ),
]
TaskRunnerOption = Annotated[
    TaskRunner | None,
    typer.Option(
        "--task-runner",
        help="Where parse tasks run: threads (each parse in a child process of one warm fork "
        "server), processes (a worker process each) or dask (a cluster) \\[default: threads; "
        "processes where parses cannot run in child processes].",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, help="Parse workers \\[default: one per core].", show_default=False
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option("--dask-address", help="Scheduler of an existing Dask cluster (tcp://...)."),
]
WaitOption = Annotated[
    bool, typer.Option("--wait", help="If another run holds the data folder, wait for it.")
]
JsonLogOption = Annotated[bool, typer.Option("--log-json", help="Structured JSON log lines.")]
OutputOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="How to print the result.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def known_parsers(names: list[str]) -> list[str]:
    """The names, when each is a registered parser; otherwise UnknownParser listing the
    known ones."""
    from parsers.registry import registered_parsers
    from warehouse.errors import UnknownParser

    known = [p.name for p in registered_parsers()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UnknownParser(
            f"no parser named {', '.join(unknown)} (--parser); known parsers: {', '.join(known)}"
        )
    return names
