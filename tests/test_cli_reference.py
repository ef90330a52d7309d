"""docs/cli.md is generated from the Typer app and must match it: change a command, then run
`python -m flows.cli.reference` (or `make docs`)."""

from __future__ import annotations

from flows.cli.reference import CLI_DOC, cli_reference


def test_cli_reference_is_current() -> None:
    assert CLI_DOC.read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is stale: run `python -m flows.cli.reference`"
    )


def test_every_command_is_documented_with_an_example() -> None:
    text = cli_reference()
    sections = text.split("\n## ")[1:]
    assert len(sections) >= 16
    for section in sections:
        assert "```console\n$ toll " in section, section.splitlines()[0]
