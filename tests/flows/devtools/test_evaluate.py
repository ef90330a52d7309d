"""`toll parsers eval`: the annotated-corpus scorer, on a folder written by the test (the
README's scoring rule: matched fields, optional figures, neutral numbers, traps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.devtools.evaluate import load_cases, score_case, totals

PAGE = (
    "URL: https://monitor.invalid/may\n"
    "RETRIEVED-AS: stored text excerpt\n"
    "\n"
    "Russian forces killed 40 civilians, including 9 children, in May 2024.\n"
    "The report was published on page 12. ISIS killed 7 civilians.\n"
    "Airstrikes also injured 15 people.\n"
)
FIGURE = {"qualifier": "exact"}


def expected_file(figures: list[dict], optional: list[dict], traps: list[int]) -> dict:
    return {
        "about": "written by the test",
        "files": {
            "may.txt": {
                "source": "monitor",
                "published": "2024-06-01",
                "figures": figures,
                "optional": optional,
                "neutral": [],
                "traps": traps,
            }
        },
    }


@pytest.fixture
def annotated(tmp_path: Path) -> Path:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "may.txt").write_text(PAGE, encoding="utf-8")
    figures = [
        {**FIGURE, "perpetrator": "russia", "victim_group": "civilians", "metric": "killed",
         "count": 40},
        {**FIGURE, "perpetrator": "russia", "victim_group": "children", "metric": "killed",
         "count": 9},
        # the reader attributes the 7 to the regime, toll to ISIS: a miss and a wrong figure
        {**FIGURE, "perpetrator": "syrian_regime", "victim_group": "civilians",
         "metric": "killed", "count": 7, "alt": {"perpetrator": ["hts"]}},
    ]  # fmt: skip
    optional = [
        {**FIGURE, "perpetrator": "all_parties", "victim_group": "people", "metric": "injured",
         "count": 15},
    ]  # fmt: skip
    spec = expected_file(figures, optional, traps=[12])
    (tmp_path / "expected.json").write_text(json.dumps(spec), encoding="utf-8")
    return tmp_path


def test_scores_follow_the_readme_rule(annotated: Path) -> None:
    (text,) = load_cases(annotated, ["text"])
    score = score_case(text)
    assert len(score.matched) == 2 and [e["count"] for e in score.missed] == [7]
    assert [(r.count, r.perpetrator) for r in score.wrong] == [(7, "isis")]
    assert score.traps == []  # the page number is not read as a count
    result = totals([score])
    assert (result.expected, result.matched, result.scored_found, result.correct) == (3, 2, 4, 3)
    assert result.recall == pytest.approx(2 / 3) and result.precision == pytest.approx(3 / 4)


def test_pages_are_scored_as_text_and_as_html(annotated: Path) -> None:
    scores = [score_case(case) for case in load_cases(annotated)]
    assert sorted(s.case.kind for s in scores) == ["html", "text"]
    assert {len(s.matched) for s in scores} == {2}


def test_the_command_prints_totals_and_json(annotated: Path) -> None:
    shown = CliRunner().invoke(app, ["parsers", "eval", str(annotated), "--kind", "text"])
    assert shown.exit_code == 0, shown.output
    assert "text: 1 documents, recall 0.667 (2/3), precision 0.750 (3/4)" in shown.output
    assert "missed killed 7 civilians syrian_regime" in shown.output
    as_json = CliRunner().invoke(app, ["parsers", "eval", str(annotated), "--json"])
    data = json.loads(as_json.stdout)
    assert data["totals"]["html"]["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert [d["kind"] for d in data["documents"]] == ["text", "html"]


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["parsers", "eval", str(tmp_path / "absent")])
    assert result.exit_code == 2
