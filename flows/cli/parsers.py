"""`toll parse FILE` and `toll parsers list|new|test`: the maintainer's loop for reading a
document and adding a report format."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.syntax import Syntax
from rich.table import Table

from flows.cli.options import JsonOption, MediaKind, known_parsers, parse_since
from flows.cli.output import data_console, shown
from flows.devtools.golden import GOLDEN, compare, find_checkout, golden_cases, update
from warehouse.errors import CommandFailed, NotFound, UsageError

if TYPE_CHECKING:
    from parsers.registry import Parser

app = typer.Typer(help="List, scaffold and test parsers.", no_args_is_help=True)
console = data_console()
errors = data_console(stderr=True)


def parse(
    file: Annotated[Path, typer.Argument(help="A .pdf, .html or .txt file.", exists=True)],
    as_json: JsonOption = False,
    source: Annotated[str, typer.Option("--source", help="Source name to assume.")] = "local",
    url: Annotated[str | None, typer.Option("--url", help="URL to assume.")] = None,
    parser: Annotated[
        list[str] | None,
        typer.Option(
            "--parser",
            help="Run only this parser (repeatable), whatever source it is bound to.",
            show_default=False,
        ),
    ] = None,
    published: Annotated[
        date | None,
        typer.Option(
            "--published",
            parser=parse_since,
            metavar="YYYY-MM-DD",
            help="Publication date to assume.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the parsers on a local file and print the figures (the maintainer's loop).

    Without --parser, the parsers that would claim the document in a run; with it, exactly
    the ones named.

    Example: [bold]toll parse report.pdf --json[/]
    """
    from parsers.media import sniff_media_type
    from parsers.model import Document
    from parsers.registry import get_parser, parse_document, run_parser

    chosen = [get_parser(name) for name in known_parsers(parser)] if parser else None
    content = file.read_bytes()
    document = Document.from_bytes(
        content,
        url=url or file.resolve().as_uri(),
        source=source,
        media_type=sniff_media_type(content, None, file.name),
        fetched_at=datetime.now(UTC),
        published=published,
    )
    if chosen is None:
        outcomes = parse_document(document)
    else:
        outcomes = [run_parser(p, document) for p in chosen]
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        errors.print(f"[red]{shown(outcome.parser)} failed:[/] {shown(outcome.error)}")
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
        raise CommandFailed(f"no parser could read {file.name}")


class EvalKind(StrEnum):
    """Which documents of an annotated folder to score."""

    text = "text"
    html = "html"
    pdf = "pdf"


@app.command("eval")
def evaluate(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Annotated folder (pages/, pdfs/, expected.json). "
            "Default: ../shared/corpus/annotated beside the checkout."
        ),
    ] = None,
    kind: Annotated[
        list[EvalKind] | None, typer.Option("--kind", help="Only these kinds (repeatable).")
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="Only documents whose name contains this.")
    ] = None,
    as_json: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Totals only, without each document's figures.")
    ] = False,
) -> None:
    """Score the parsers on documents annotated by independent readers: recall, precision
    and trap hits per kind, then each document's missed and wrong figures.

    Pages run twice, as text and wrapped in simple HTML; PDFs ignore the perpetrator (the
    folder README's rule). Example: [bold]toll parsers eval --kind pdf[/]
    """
    from flows.devtools.evaluate import DEFAULT_FOLDER, load_cases, report_lines, score_case
    from flows.devtools.evaluate import totals as sum_scores

    root = folder or DEFAULT_FOLDER
    if not root.is_dir():
        raise NotFound(f"no annotated folder at {root}: give one as the first argument")
    kinds = [k.value for k in kind] if kind else [k.value for k in EvalKind]
    cases = [c for c in load_cases(root, kinds) if only is None or only in c.name]
    if not cases:
        raise NotFound(f"no annotated documents of kind {', '.join(kinds)} in {root}")
    scores = [score_case(case) for case in cases]
    if as_json:
        by_kind = {
            k: sum_scores(s for s in scores if s.case.kind == k).as_json()
            for k in kinds
            if any(s.case.kind == k for s in scores)
        }
        document_scores = [s.as_json() for s in scores]
        payload = {"folder": str(root), "totals": by_kind, "documents": document_scores}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    for line in report_lines(scores, verbose=not quiet):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _parser_for(name: str, golden_root: Path) -> Parser:
    """The registered parser, or the module of a checkout given with --root."""
    from flows.devtools.scaffold import parser_of
    from parsers.registry import registered_parsers

    for parser in registered_parsers():
        if parser.name == name:
            return parser
    module = golden_root.parent.parent / "parsers" / "formats" / f"{name}.py"
    if module.exists():
        return parser_of(module)
    known_parsers([name])  # raises UnknownParser, listing the known ones
    raise AssertionError("unreachable")


@app.command("list")
def list_parsers() -> None:
    """Every parser: name, version, media types, what it is tied to and what it claims.

    Example: [bold]toll parsers list[/]
    """
    from parsers.registry import registered_parsers

    table = Table(title="parsers", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("version", no_wrap=True)
    for column in ("media types", "sources / URLs", "claims"):
        table.add_column(column, overflow="fold")
    for parser in registered_parsers():
        tied = ", ".join([*sorted(parser.sources), *parser.url_patterns]) or "any (generic)"
        table.add_row(
            *(
                shown(value)
                for value in (
                    parser.name,
                    parser.version,
                    ", ".join(sorted(parser.media_types)),
                    tied,
                    parser.description,
                )
            )
        )
    console.print(table)


@app.command("new")
def new_parser(
    name: Annotated[str, typer.Argument(help="Parser name: lowercase, digits, underscores.")],
    media: Annotated[MediaKind, typer.Option("--media", help="What it reads.")] = MediaKind.html,
    source: Annotated[str | None, typer.Option("--source", help="Source it is for.")] = None,
    url_pattern: Annotated[
        str | None, typer.Option("--url-pattern", help="Regex of the URLs it claims.")
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Checkout to write into \\[default: the one toll runs from].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scaffold a parser module, a fixture and its expected output; the golden test runs it.

    Example: [bold]toll parsers new sohr_monthly --media html --source sohr[/]
    """
    from flows.devtools.golden import GoldenCase
    from flows.devtools.scaffold import parser_of, scaffold

    try:
        files = scaffold(name, root or find_checkout(), media.value, source, url_pattern)
    except (ValueError, FileExistsError) as error:
        raise UsageError(str(error)) from None
    parser = parser_of(files.module)
    case = GoldenCase(name, "example", files.fixture.parent)
    context = {"url": "https://example.org/sample", "source": source or "example"}
    update(case, context, parser)
    console.print(f"wrote [bold]{shown(files.module)}[/]")
    console.print(f"wrote [bold]{shown(files.fixture)}[/] and [bold]{shown(files.expected)}[/]")
    console.print(
        "next: replace the fixture with a real (anonymised or synthetic) document of the "
        "format, edit the module, review `toll parsers test "
        f"{name} --update`, and add a line to docs/adding-a-parser.md's list."
    )


@app.command("test")
def test_parsers(
    name: Annotated[str | None, typer.Argument(help="Only this parser.")] = None,
    update_expected: Annotated[
        bool, typer.Option("--update", help="Rewrite expected.json from the current output.")
    ] = False,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Golden fixtures folder \\[default: the checkout's tests/golden].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the golden tests: fixture in, expected records out; a readable diff on mismatch.

    Example: [bold]toll parsers test pdf_tables[/]
    """
    root = root or find_checkout() / GOLDEN
    cases = golden_cases(root, name)
    if not cases:
        raise NotFound(f"no golden cases{' for ' + name if name else ''} in {root}")
    failed = 0
    for case in cases:
        parser = _parser_for(case.parser, root)
        if update_expected:
            update(case, parser=parser)
            console.print(f"updated {shown(case.parser)}/{shown(case.name)}")
            continue
        result = compare(case, parser)
        mark = "[green]ok[/]" if result.ok else "[red]FAIL[/]"
        message = "" if result.ok else shown(result.message)
        console.print(f"{mark}  {shown(case.parser)}/{shown(case.name)}  {message}")
        if result.diff:
            console.print(Syntax(shown(result.diff, markup=False), "diff", word_wrap=True))
        failed += not result.ok
    if failed:
        raise CommandFailed(f"{failed} of {len(cases)} golden case(s) failed")
