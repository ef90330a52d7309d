"""Golden tests: every parser has fixtures in tests/golden/<parser>/<case>/ whose expected
records are checked in. Output that changes without a version bump fails here."""

from __future__ import annotations

import pytest

from flows.devtools.golden import compare, golden_cases
from parsers.registry import registered_parsers

CASES = golden_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parser}/{c.name}" for c in CASES])
def test_parser_output_matches_expected(case) -> None:
    result = compare(case)
    assert result.ok, f"{result.message}\n{result.diff}"


@pytest.mark.parametrize("parser", registered_parsers(), ids=lambda p: p.name)
def test_every_parser_has_a_golden_case(parser) -> None:
    assert any(c.parser == parser.name for c in CASES), f"{parser.name} has no golden fixture"


def test_expected_files_record_the_parser_version() -> None:
    versions = {p.name: p.version for p in registered_parsers()}
    for case in CASES:
        assert case.expected()["version"] == versions[case.parser], case.folder
