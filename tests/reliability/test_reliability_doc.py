"""docs/reliability.md cannot go stale: it names exactly the declared scenarios, each one is
played by a test, and the committed table says every run completed and nothing was lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.support.reliability import (
    ATTACK_GOAL,
    DOC,
    GOAL,
    GROUP_OF,
    PLAYED_IN,
    REGENERATE,
    SCENARIO_IDS,
    SCENARIOS,
    Collector,
    ids_in_doc,
    render,
    results_in_doc,
)

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def test_doc_names_exactly_the_declared_scenarios() -> None:
    named = ids_in_doc(DOC.read_text(encoding="utf-8"))
    assert named == SCENARIO_IDS, (
        f"regenerate docs/reliability.md (TOLL_WRITE_RELIABILITY=1): missing "
        f"{sorted(SCENARIO_IDS - named)}, stale {sorted(named - SCENARIO_IDS)}"
    )


def test_every_row_of_the_doc_met_the_goal() -> None:
    results = results_in_doc(DOC.read_text(encoding="utf-8"))
    goals = {s: ATTACK_GOAL if GROUP_OF[s] == "attack" else GOAL for s in results}
    assert {s: r for s, r in results.items() if r != goals[s]} == {}


def test_every_scenario_is_played_by_a_test() -> None:
    sources = "".join(
        p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py") if p.name != "reliability.py"
    )
    assert [s.id for s in SCENARIOS if f'"{s.id}"' not in sources] == []


def test_render_writes_one_row_per_scenario() -> None:
    collector = Collector()
    collector.record("hang", "gave up | timed out", completed=True)
    collector.record("reset", "recorded", completed=True, lost="2 figure(s)")
    collector.record("crawl_delay_day", "skipped the host", completed=True)
    collector.record("dns_rebinding", "connected", completed=False, lost="a request")
    text = render(collector.observed, date(2026, 1, 2))
    assert ids_in_doc(text) == SCENARIO_IDS
    results = results_in_doc(text)
    assert results["hang"] == GOAL and results["reset"] == "run completed, LOST: 2 figure(s)"
    assert results["stall"] == "not run" and "gave up \\| timed out" in text
    assert results["crawl_delay_day"] == ATTACK_GOAL
    assert results["dns_rebinding"] == "ATTACK NOT STOPPED, LEAKED: a request"
    played = {"hang", "reset", "crawl_delay_day", "dns_rebinding"}
    assert collector.missing() == [s.id for s in SCENARIOS if s.id not in played]


def test_the_regenerate_command_runs_every_test_that_plays_a_scenario() -> None:
    playing = {
        p.relative_to(ROOT).as_posix()
        for p in TESTS.rglob("test_*.py")
        if "reliability.record(" in p.read_text(encoding="utf-8")
    }
    assert {p for p in playing if not p.startswith(PLAYED_IN)} == set()
    assert REGENERATE in DOC.read_text(encoding="utf-8")
    assert REGENERATE in (ROOT / "README.md").read_text(encoding="utf-8")
