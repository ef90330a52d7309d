"""docs/adding-a-parser.md stays true: its worked example is executed here in a scratch
checkout, with the fixture and code the page shows, through the commands the page gives."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
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


def test_a_pdf_scaffold_needs_no_pdf_library(scratch: Path, monkeypatch) -> None:
    import pypdfium2

    for module in [m for m in sys.modules if m.split(".")[0] == "reportlab"] + ["reportlab"]:
        monkeypatch.setitem(sys.modules, module, None)  # as on a plain install
    assert _toll("$ toll parsers new demo_pdf --media pdf", scratch).exit_code == 0
    assert _toll("$ toll parsers test demo_pdf", scratch).exit_code == 0
    case = scratch / "tests" / "golden" / "demo_pdf" / "example"
    assert len(pypdfium2.PdfDocument((case / "input.pdf").read_bytes())) == 1
    records = json.loads((case / "expected.json").read_text())["records"]
    totals = {(r["count"], r["victim_group"]) for r in records if r["perpetrator"] == "all_parties"}
    assert totals == {(42, "civilians"), (9, "children"), (5, "women")}


def test_pdf_strings_are_escaped() -> None:
    from flows.devtools.scaffold import sample_pdf

    data = sample_pdf("A (tricky) title \\ here", (("a)b", "1"),))
    assert b"(A \\(tricky\\) title \\\\ here) Tj" in data and b"(a\\)b) Tj" in data
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")


@pytest.fixture
def installed(tmp_path: Path, monkeypatch) -> Path:
    """toll as `pip install .` leaves it: its packages in site-packages, no tests/ beside them;
    the command run from a folder that is no checkout."""
    from flows.devtools import golden

    site_packages = tmp_path / "site-packages"
    (site_packages / "parsers" / "formats").mkdir(parents=True)
    monkeypatch.setattr(golden, "INSTALLED_AT", site_packages)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return site_packages


@pytest.mark.parametrize("command", ["parsers test", "parsers test prose", "parsers new x"])
def test_outside_a_checkout_the_maintainer_commands_say_they_need_one(
    installed: Path, command: str
) -> None:
    result = runner.invoke(app, command.split())
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: this command needs a checkout of toll's repository (its parsers/formats/ and "
        "tests/golden/ folders): run it inside one, or pass --root"
    ]
    assert list(installed.rglob("*.py")) == []  # nothing written into the installed package


def test_an_installed_toll_tests_fixtures_given_with_root(installed: Path, tmp_path) -> None:
    from flows.devtools.golden import GOLDEN_ROOT

    fixtures = tmp_path / "fixtures"
    shutil.copytree(GOLDEN_ROOT / "prose", fixtures / "prose")
    result = runner.invoke(app, ["parsers", "test", "prose", "--root", str(fixtures)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok ") == len(list((fixtures / "prose").iterdir()))


def test_inside_a_checkout_its_fixtures_are_found(tmp_path: Path, monkeypatch) -> None:
    from flows.devtools.golden import INSTALLED_AT, find_checkout, is_checkout

    assert is_checkout(INSTALLED_AT) and not is_checkout(tmp_path)
    monkeypatch.setattr("flows.devtools.golden.INSTALLED_AT", tmp_path)
    monkeypatch.chdir(INSTALLED_AT / "docs")  # a non-editable install, run in the checkout
    assert find_checkout() == INSTALLED_AT
