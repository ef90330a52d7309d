"""The code base stays ruff clean (lint and format), as the contributing rules ask."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    if not found:
        pytest.skip("ruff is not installed (it is in the test extra)")
    return [found]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command: list[str]) -> None:
    result = subprocess.run(
        [*_ruff(), *command, "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _test_lines_of_readme() -> list[str]:
    """The shell lines of the README's 'Run the tests' code block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split("Run the type checker and the tests", 1)[1]
    block = after.split("```bash\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()


def test_ci_runs_exactly_what_the_readme_tells_a_newcomer() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in script if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == _test_lines_of_readme()
    assert "'.[test,dask]'" in commands[-1]  # the Dask task-runner tests run in CI too
