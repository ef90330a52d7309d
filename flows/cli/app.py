"""The `toll` command line: the Typer app, with every command registered here, in the order
`toll --help` lists them, and the one place where a `TollError` becomes a line on stderr and
an exit code. Commands live in one module per group (run, query, parsers, provenance, report,
verify); none of them imports this module, and none of them exits by itself: they raise.

Exit codes: 0 done; 1 failed; 2 usage or configuration error (Click's own usage errors too);
3 a run that published part of its work; 75 busy (another run holds the data folder).
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from flows.cli import parsers, provenance, query, report, run, verify
from flows.cli.output import shown
from warehouse.errors import TollError


def say_error(error: TollError) -> None:
    """The error as one line on stderr: its label, then its message, never read as markup
    (messages carry paths, URLs and names from the user's files) and never wrapped."""
    label = Text(f"{error.label}: ", style="yellow" if error.exit_code == 75 else "red")
    Console(stderr=True, soft_wrap=True).print(label + Text(shown(error, markup=False)))


class TollGroup(TyperGroup):
    """Typer's group, with toll's errors mapped to their message and exit code. Every
    command and option callback runs inside `invoke`, sub-groups (`toll parsers`) included."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except TollError as error:
            say_error(error)
            ctx.exit(error.exit_code)


app = typer.Typer(
    name="toll",
    cls=TollGroup,
    help="Ingest conflict-casualty monitoring reports into a DuckDB warehouse, every figure "
    "traceable to the page and cell it came from.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)

for command in (
    query.sql,
    query.status,
    parsers.parse,
    run.ingest,
    run.backfill,
    run.demo,
    run.schedule,
    query.check,
    run.reparse,
    provenance.export,
    provenance.explain,
    report.report,
):
    app.command()(command)
app.command(name="verify")(verify.command)
app.add_typer(parsers.app, name="parsers")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
