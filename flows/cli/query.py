"""`toll sql`, `toll status` and `toll check`: read the published warehouse and print."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from flows.cli.options import HomeOption, OutputFormat, OutputOption
from flows.cli.output import data_console, shown
from flows.config import resolve_home
from warehouse.errors import CommandFailed, UsageError

console = data_console()
QUERY_THREADS = min(4, os.cpu_count() or 1)


def connect_published(home: Path) -> contextlib.closing[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse, closed after the block
    (WarehouseMissing, exit 2, when there is none yet)."""
    from warehouse.database import connect_reader

    return contextlib.closing(connect_reader(home))


@contextlib.contextmanager
def _interrupted_after(
    conn: duckdb.DuckDBPyConnection, seconds: float
) -> Iterator[threading.Event]:
    """Interrupt the connection's query after `seconds` (0: never); yields whether it did."""
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        conn.interrupt()

    timer = threading.Timer(seconds, stop) if seconds > 0 else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        yield fired
    finally:
        if timer is not None:
            timer.cancel()


def run_query(
    home: Path,
    query: str,
    output: OutputFormat = OutputFormat.table,
    title: str = "",
    timeout: float = 300.0,
    memory_limit: str = "2GB",
) -> None:
    """Run a query on the published warehouse, bounded (no files, no ATTACH, no extensions,
    no temp folder, `memory_limit`, `timeout` seconds), and print its result as a table, CSV
    or JSON."""
    from flows.cli.output import print_result, result_csv, result_json
    from warehouse.database import connect_query_reader

    try:  # WarehouseMissing (exit 2) goes up as it is
        conn = connect_query_reader(home, memory_limit, QUERY_THREADS)
    except duckdb.Error as error:  # a memory limit DuckDB cannot read
        raise UsageError(f"cannot open the warehouse with --memory-limit: {error}") from None
    with contextlib.closing(conn), _interrupted_after(conn, timeout) as timed_out:
        try:
            cursor = conn.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.Error as error:  # one class per error kind; all are the query's
            if timed_out.is_set():
                raise CommandFailed(
                    f"query stopped: still running after the --timeout of {timeout:g} s"
                ) from None
            raise CommandFailed(f"query failed: {error}") from None
    if output in (OutputFormat.csv, OutputFormat.json):
        text = (
            result_csv(columns, rows)
            if output == OutputFormat.csv
            else result_json(columns, rows) + "\n"
        )
        # piped, the data goes out as stored; on a terminal, nothing it holds may steer it
        sys.stdout.write(shown(text, markup=False) if sys.stdout.isatty() else text)
    else:
        print_result(console, columns, rows, title)


def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on the published warehouse.")],
    home: HomeOption = None,
    output: OutputOption = OutputFormat.table,
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Stop the query after this many seconds (0: never).", min=0),
    ] = 300.0,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="Most memory the query may use (DuckDB size).")
    ] = "2GB",
) -> None:
    """Query the warehouse read-only (writes fail), even while a run is loading. The query
    sees nothing but the warehouse and is stopped at --timeout and --memory-limit.

    A table too wide for the terminal prints one record per block instead.

    Example: [bold]toll sql "SELECT metric, count(*) FROM figures GROUP BY 1"[/]
    """
    run_query(resolve_home(home), query, output, timeout=timeout, memory_limit=memory_limit)


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
        listed = "\n".join(f"• {shown(m)}" for _, m in found[:examples])
        table.add_row(item.name, item.severity, str(len(found)), f"{item.description}\n{listed}")
    for name, found in grouped.items():  # findings of checks that no longer exist
        table.add_row(
            shown(name),
            shown(found[0][0]),
            str(len(found)),
            "\n".join(shown(m) for _, m in found[:3]),
        )
    console.print(table)
    open_errors = sum(1 for _, severity, _ in rows if severity == "error")
    if strict and open_errors:
        raise CommandFailed(f"{open_errors} open error(s) (--strict)")
