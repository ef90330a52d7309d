"""`toll sql`, `toll status` and `toll check`: read the published warehouse and print."""

from __future__ import annotations

import contextlib
import sys
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from flows.cli.options import HomeOption, OutputFormat, OutputOption
from flows.config import resolve_home
from warehouse.errors import CommandFailed

console = Console()


def connect_published(home: Path) -> contextlib.closing[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse, closed after the block
    (WarehouseMissing, exit 2, when there is none yet)."""
    from warehouse.database import connect_reader

    return contextlib.closing(connect_reader(home))


def run_query(
    home: Path, query: str, output: OutputFormat = OutputFormat.table, title: str = ""
) -> None:
    """Run a query on the published warehouse (no files, no ATTACH, no extensions) and
    print its result as a table, CSV or JSON."""
    from flows.cli.output import print_result, result_csv, result_json
    from warehouse.database import reader

    with reader(home) as conn:
        # Queries read the warehouse and nothing else: no files, no ATTACH, no extensions.
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
        try:
            cursor = conn.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.Error as error:  # one class per error kind; all are the query's
            raise CommandFailed(f"query failed: {error}") from None
    if output == OutputFormat.csv:
        sys.stdout.write(result_csv(columns, rows))
    elif output == OutputFormat.json:
        sys.stdout.write(result_json(columns, rows) + "\n")
    else:
        print_result(console, columns, rows, title)


def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on the published warehouse.")],
    home: HomeOption = None,
    output: OutputOption = OutputFormat.table,
) -> None:
    """Query the warehouse read-only (writes fail), even while a run is loading.

    A table too wide for the terminal prints one record per block instead.

    Example: [bold]toll sql "SELECT metric, count(*) FROM figures GROUP BY 1"[/]
    """
    run_query(resolve_home(home), query, output)


def status(
    home: HomeOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs to show.")] = 10,
) -> None:
    """The last runs and what they did; times are in UTC.

    Example: [bold]toll status --limit 5[/]
    """
    run_query(
        resolve_home(home),
        f"""
        SELECT strftime(timezone('UTC', started_at), '%Y-%m-%d %H:%M UTC') AS started,
               flow, status, fetched AS new, not_modified AS same,
               fetch_failed + parse_failed AS failed,
               figures_added AS figures, quality_issues AS issues
        FROM runs ORDER BY started_at DESC LIMIT {int(limit)}
        """,
        title="runs",
    )


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
    with connect_published(home_path) as conn:
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
        raise CommandFailed(f"{open_errors} open error(s) (--strict)")
