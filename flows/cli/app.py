"""The `toll` command line. Each command is a thin layer over the library; Prefect is imported
only by the commands that run flows, after its environment is set."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows import verify
from flows.cli import parsers, provenance, report, run
from flows.cli.options import HomeOption
from flows.config import resolve_home

app = typer.Typer(
    name="toll",
    help="Ingest conflict-casualty monitoring reports into a DuckDB warehouse, every figure "
    "traceable to the page and cell it came from.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
console = Console()
errors = Console(stderr=True)


def run_query(home: Path, query: str, output: str, title: str = "") -> None:
    from flows.cli.output import result_csv, result_json, result_table
    from warehouse.database import WarehouseMissing, reader

    try:
        with reader(home) as conn:
            # Queries read the warehouse and nothing else: no files, no ATTACH, no extensions.
            conn.execute("SET enable_external_access = false")
            conn.execute("SET lock_configuration = true")
            cursor = conn.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
    except WarehouseMissing as error:
        errors.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    except Exception as error:  # duckdb raises one class per error kind; all are user errors
        errors.print(f"[red]query failed:[/] {error}")
        raise typer.Exit(1) from None
    if output == "csv":
        sys.stdout.write(result_csv(columns, rows))
    elif output == "json":
        sys.stdout.write(result_json(columns, rows) + "\n")
    else:
        console.print(result_table(columns, rows, title))


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on the published warehouse.")],
    home: HomeOption = None,
    output: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Query the warehouse read-only (writes fail), even while a run is loading.

    Example: [bold]toll sql "SELECT metric, count(*) FROM figures GROUP BY 1"[/]
    """
    if output not in {"table", "csv", "json"}:
        raise typer.BadParameter("--format must be table, csv or json")
    run_query(resolve_home(home), query, output)


@app.command()
def status(
    home: HomeOption = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs to show.")] = 10,
) -> None:
    """The last runs and what they did.

    Example: [bold]toll status --limit 5[/]
    """
    run_query(
        resolve_home(home),
        f"""
        SELECT strftime(started_at, '%m-%d %H:%M') AS started, flow, status,
               fetched AS new, not_modified AS same,
               fetch_failed + parse_failed AS failed,
               figures_added AS figures, quality_issues AS issues
        FROM runs ORDER BY started_at DESC LIMIT {int(limit)}
        """,
        "table",
        title="runs",
    )


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A .pdf, .html or .txt file.", exists=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of records.")] = False,
    source: Annotated[str, typer.Option("--source", help="Source name to assume.")] = "local",
    url: Annotated[str | None, typer.Option("--url", help="URL to assume.")] = None,
    parser: Annotated[
        list[str] | None, typer.Option("--parser", help="Only this parser (repeatable).")
    ] = None,
    published: Annotated[
        str | None, typer.Option("--published", help="Publication date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Run the parsers on a local file and print the figures (the maintainer's loop).

    Example: [bold]toll parse report.pdf --json[/]
    """
    from parsers.media import sniff_media_type
    from parsers.model import Document
    from parsers.registry import parse_document

    content = file.read_bytes()
    document = Document.from_bytes(
        content,
        url=url or file.resolve().as_uri(),
        source=source,
        media_type=sniff_media_type(content, None, file.name),
        fetched_at=datetime.now(UTC),
        published=datetime.strptime(published, "%Y-%m-%d").date() if published else None,
    )
    outcomes = parse_document(document, only=parser)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        errors.print(f"[red]{outcome.parser} failed:[/] {outcome.error}")
    records = [r for o in outcomes for r in o.records]
    if as_json:
        sys.stdout.write(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    else:
        from flows.cli.output import result_table

        columns = ["parser", "metric", "count", "qualifier", "victim_group", "perpetrator",
                   "place", "period_start", "period_end", "snippet"]  # fmt: skip
        rows = [[getattr(r, c) for c in columns] for r in records]
        console.print(result_table(columns, rows, f"{len(records)} figures in {file.name}"))
    if failed and not records:
        raise typer.Exit(1)


run.register(app)
provenance.register(app)
report.register(app)
verify.register(app)
app.add_typer(parsers.app, name="parsers")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
