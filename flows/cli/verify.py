"""`toll verify`: print what the archive check found (warehouse/outputs/verify.py checks)
and exit 1 on damaged evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cli.options import HomeOption, JsonOption
from flows.cli.output import data_console, shown
from flows.config import resolve_home
from warehouse.errors import DamagedArchive, NotFound
from warehouse.outputs.verify import Verification, verify


def command(
    home: HomeOption = None,
    as_json: JsonOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on notes (orphans, leftovers) too.")
    ] = False,
) -> None:
    """Re-hash every archived document and check the warehouse's references to the archive:
    corrupt, missing or misplaced files and dangling rows exit 1; orphans are notes.

    Example: [bold]toll verify --home ./data[/]
    """
    from flows.runlock import lock_holder

    home_path = resolve_home(home)
    if not home_path.is_dir():
        raise NotFound(f"no data folder at {home_path}")
    result = verify(home_path)
    if as_json:
        typer.echo(json.dumps(result.as_json(), indent=1))
    else:
        _print(result, home_path, lock_holder(home_path))
    if result.problems or (strict and result.notes):
        raise DamagedArchive(
            f"{len(result.problems)} problem(s), {len(result.notes)} note(s) in {home_path}"
            + (" (--strict)" if strict and not result.problems else "")
        )


def _print(result: Verification, home: Path, running: str | None) -> None:
    """The findings as a table, then what was checked and whether a run is writing."""
    console = data_console()
    if result.findings:
        table = Table(title=f"toll verify: {shown(home)}", title_justify="left")
        for column in ("finding", "path", "detail"):
            table.add_column(column, overflow="fold")
        for finding in result.findings:
            style = "red" if finding.problem else "yellow"
            table.add_row(
                f"[{style}]{shown(finding.kind)}[/]",
                shown(finding.path or "—"),
                shown(finding.detail),
            )
        console.print(table)
    where = result.warehouse or "no published warehouse yet"
    console.print(
        f"{result.files:,} archived file(s) re-hashed, {result.documents:,} document(s) in "
        f"{shown(where)}: {len(result.problems)} problem(s), {len(result.notes)} note(s)"
    )
    if running:
        console.print(f"a run (pid {running}) is writing: its new files are not published yet")
    if not result.problems:
        console.print("[green]every archived file hashes to its name[/]")
