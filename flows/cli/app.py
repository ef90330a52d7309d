"""The `toll` command line: the Typer app, with every command registered here, in the order
`toll --help` lists them. Commands live in one module per group (run, query, parsers,
provenance, report, verify); none of them imports this module."""

from __future__ import annotations

import typer

from flows.cli import parsers, provenance, query, report, run, verify

app = typer.Typer(
    name="toll",
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
