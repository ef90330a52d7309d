"""docs/adding-a-parser.md stays true: its worked example is executed here in a scratch
checkout, with the fixture and code the page shows, through the commands the page gives."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "adding-a-parser.md"
runner = CliRunner()


def _blocks(kind: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [
        "\n".join(line[3:] if line.startswith("   ") else line for line in block.splitlines())
        for block in re.findall(rf"```{kind}\n(.*?)```", text, re.DOTALL)
    ]


def _flat(output: str) -> str:
    """Terminal output with the line wrapping undone."""
    return re.sub(r"\s+", " ", output)


def _toll(command: str, root: Path) -> object:
    args = shlex.split(command.removeprefix("$ ").strip())[1:]  # drop "toll"
    if args[:2] == ["parsers", "new"]:
        args += ["--root", str(root)]
    elif args[:2] == ["parsers", "test"]:
        args += ["--root", str(root / "tests" / "golden")]
    return runner.invoke(app, args)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path / "checkout"


def test_worked_example(scratch: Path) -> None:
    commands = [line for block in _blocks("console") for line in block.splitlines() if line]
    (fixture_html,) = _blocks("html")
    (module_code,) = _blocks("python")
    assert commands == [
        "$ toll parsers new example_monitor --media html --source example",
        "$ toll parsers test example_monitor --update",
        "$ toll parsers test example_monitor",
    ]

    created = _toll(commands[0], scratch)  # step 1: scaffold
    assert created.exit_code == 0, created.output
    case = scratch / "tests" / "golden" / "example_monitor" / "example"
    module = scratch / "parsers" / "formats" / "example_monitor.py"
    scaffolded = _toll("$ toll parsers test example_monitor", scratch)
    assert scaffolded.exit_code == 0, scaffolded.output  # the scaffold's test already runs

    (case / "input.html").write_text(fixture_html, encoding="utf-8")  # step 2
    module.write_text(module_code, encoding="utf-8")  # step 3
    stale = _toll("$ toll parsers test example_monitor", scratch)
    assert stale.exit_code == 1  # output and version changed: the loop says so

    for command in commands[1:]:  # step 4
        result = _toll(command, scratch)
        assert result.exit_code == 0, result.output
    records = json.loads((case / "expected.json").read_text())["records"]
    summary = [
        (*(r[k] for k in ("count", "victim_group", "perpetrator", "period_start")),
         bool(r["parent_figure_id"]))
        for r in records
    ]  # fmt: skip
    assert summary == [
        (61, "civilians", "syrian_regime", "2024-03-01", False),
        (12, "children", "syrian_regime", "2024-03-01", True),
        (20, "civilians", "russia", "2024-03-01", False),
    ]


def test_version_bump_is_required_when_output_changes(scratch: Path) -> None:
    assert _toll("$ toll parsers new demo_loop --media text", scratch).exit_code == 0
    module = scratch / "parsers" / "formats" / "demo_loop.py"
    code = module.read_text()  # a change of output: keep only the first figure
    module.write_text(code.replace('locator_kind="text")', 'locator_kind="text")[:1]'))
    changed = _toll("$ toll parsers test demo_loop", scratch)
    assert changed.exit_code == 1 and "without a version bump" in _flat(changed.output)
    module.write_text(module.read_text().replace('"0.1.0"', '"0.2.0"'), encoding="utf-8")
    bumped = _toll("$ toll parsers test demo_loop", scratch)
    assert bumped.exit_code == 1 and "--update" in _flat(bumped.output)
    assert _toll("$ toll parsers test demo_loop --update", scratch).exit_code == 0
    assert _toll("$ toll parsers test demo_loop", scratch).exit_code == 0


def test_parsers_list_names_every_parser() -> None:
    from parsers.registry import registered_parsers

    result = runner.invoke(app, ["parsers", "list"])
    assert result.exit_code == 0
    for parser in registered_parsers():
        assert parser.name in result.stdout and parser.version in result.stdout


def test_the_doc_lists_every_parser() -> None:
    from parsers.registry import registered_parsers

    text = DOC.read_text(encoding="utf-8")
    for parser in registered_parsers():
        assert f"`{parser.name}`" in text
