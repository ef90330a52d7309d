"""The CLI's one error model: a configuration or data-folder mistake, an unknown name or a bad
date is one line on stderr with exit 2, answered before Prefect starts, for every command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.config import REPOSITORY_CONFIG
from warehouse.errors import RUN_EXIT_CODES, Busy, ConfigurationError, NotFound, TollError

runner = CliRunner()

READING = {
    "sql": ["sql", "SELECT 1"],
    "status": ["status"],
    "check": ["check"],
    "export": ["export", "--format", "csv", "--out", "exports"],
    "explain": ["explain", "abcdef12"],
    "report": ["report", "--out", "report.html", "--config", str(REPOSITORY_CONFIG)],
    "verify": ["verify"],
}
WRITING = {
    "ingest": ["ingest"],
    "backfill": ["backfill"],
    "reparse": ["reparse"],
    "demo": ["demo", "--port", "1"],
    "schedule": ["schedule"],
}


@pytest.fixture(autouse=True)
def _prefect_never_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mistake here must be answered before Prefect is configured or started."""

    def refuse() -> None:
        raise AssertionError("Prefect was started before the mistake was reported")

    monkeypatch.setattr("flows.prefect_env.configure", refuse)


def _flat(text: str) -> str:
    """Click's usage error as one line, without rich's box and wrapping."""
    return " ".join(text.replace("│", " ").split())


def _one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_every_error_has_an_exit_code() -> None:
    assert issubclass(ConfigurationError, TollError) and ConfigurationError.exit_code == 2
    assert NotFound.exit_code == 2 and Busy.exit_code == 75 and TollError.exit_code == 1
    assert RUN_EXIT_CODES == {"completed": 0, "partial": 3, "failed": 1}


@pytest.mark.parametrize("command", [*READING, *WRITING])
def test_a_home_that_is_a_file_is_one_line_for_every_command(command, tmp_path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("oops")
    args = [*(READING | WRITING)[command], "--home", str(not_a_folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert _one_line(result) == f"error: data folder {not_a_folder} is a file, not a folder " + (
        "(--home, TOLL_HOME)"
    )


@pytest.mark.parametrize("command", list(WRITING))
def test_a_home_that_cannot_be_created_is_one_line(command, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    home = blocker / "data"
    result = runner.invoke(app, [*WRITING[command], "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert _one_line(result).startswith(f"error: cannot create the data folder {home}: ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_home_is_one_line(tmp_path) -> None:
    home = tmp_path / "data"
    home.mkdir(mode=0o555)
    result = runner.invoke(app, ["ingest", "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert "cannot write to the data folder" in _one_line(result)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("command", list(WRITING))
def test_a_folder_nobody_can_write_is_one_line_even_for_root(command) -> None:
    """/proc takes no new files, whoever asks: the write probe catches it (permission bits
    would not, for root)."""
    result = runner.invoke(app, [*WRITING[command], "--home", "/proc"])
    assert result.exit_code == 2, result.output
    assert _one_line(result).startswith("error: cannot write to the data folder /proc: ")


def test_a_missing_warehouse_says_what_to_do(home) -> None:
    result = runner.invoke(app, ["status", "--home", str(home)])
    assert result.exit_code == 2
    assert "run `toll ingest` (or `toll demo`) first" in _one_line(result)


def _sources(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = REPOSITORY_CONFIG.read_text()
    assert old in text
    path = tmp_path / "sources.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("cadence_days", "cadense_days"), "sources[snhr].cadense_days: unknown key"),
        (
            ("include = [", 'include = ["(", '),
            "sources[snhr].include: bad regular expression '(': missing ), unterminated",
        ),
        (("\n[[sources]]", "\n[[sources]"), "not valid TOML: "),
        (("rate_limit_per_second = ", "rate_limit_per_second = -"), "greater than 0"),
    ],
)
def test_a_configuration_mistake_is_one_line_naming_file_key_and_problem(
    tmp_path, home, change, expected
) -> None:
    config = _sources(tmp_path, *change)
    for command in ("ingest", "backfill", "schedule"):
        result = runner.invoke(app, [command, "--home", str(home), "--config", str(config)])
        assert result.exit_code == 2, result.output
        line = _one_line(result)
        assert line.startswith(f"error: {config}: ") and expected in line, line


def test_a_missing_sources_file_is_one_line(tmp_path, home) -> None:
    missing = tmp_path / "nowhere.toml"
    result = runner.invoke(app, ["ingest", "--home", str(home), "--config", str(missing)])
    assert result.exit_code == 2
    assert _one_line(result) == f"error: {missing}: sources file not found (--config, TOLL_CONFIG)"


def test_an_unknown_source_lists_the_known_ones(home) -> None:
    result = runner.invoke(app, ["ingest", "--home", str(home), "--source", "nope"])
    assert result.exit_code == 2
    assert _one_line(result).startswith("error: unknown source(s): nope; known: snhr")


def test_an_unknown_parser_lists_the_known_ones(home, tmp_path) -> None:
    for args in (["reparse", "--home", str(home)], ["parse", str(REPOSITORY_CONFIG)]):
        result = runner.invoke(app, [*args, "--parser", "nope"])
        assert result.exit_code == 2, result.output
        line = _one_line(result)
        assert "no parser named nope (--parser); known parsers: " in line
        assert "pdf_tables" in line and "prose" in line


def test_since_is_a_date_or_a_usage_error(home) -> None:
    for command in ("reparse", "report"):
        result = runner.invoke(app, [command, "--home", str(home), "--since", "last week"])
        assert result.exit_code == 2
        assert "'last week' is not a date; give it as YYYY-MM-DD" in _flat(result.stderr)


def test_choices_are_checked_by_the_parser(home) -> None:
    result = runner.invoke(app, ["ingest", "--home", str(home), "--task-runner", "thread"])
    assert result.exit_code == 2 and "'thread' is not one of" in _flat(result.stderr)
    result = runner.invoke(app, ["sql", "SELECT 1", "--home", str(home), "-f", "yaml"])
    assert result.exit_code == 2 and "'yaml' is not one of" in _flat(result.stderr)
